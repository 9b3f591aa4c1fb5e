"""A hand-written, fully in-place NumPy training step: what NumPy itself can reach here.

It is not the package. It does the same arithmetic as ``bp.fit``'s step on the same
784-256-256-10 network (ReLU, softmax cross-entropy, plain SGD), with everything a library
cannot do:

* every array lives in a buffer allocated once and reused (``out=`` for every product,
  the bias, the ReLU, the loss and the gradients);
* no input checks, no modules, no Python calls between the operations;
* with ``keep_grads=False`` the gradients are scratch: the update scales ``dW`` in place
  (``dW *= lr; W -= dW``), which saves a pass over the weights but leaves ``lr * dW`` in
  ``dW``. A library cannot do that, because its users may read ``dW`` after ``opt.step()``.
  With ``keep_grads=True`` it updates as the package does, ``W -= lr * dW``.

Timed in the same rounds as our step and torch's, it shows how far the package is from
NumPy's own limit, and whether a target is within NumPy's reach on this machine at all.
The forward products take the same forms as ``Linear.forward``, so its GEMM floor is ours.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp
import backprop.layers as bp_layers

from .mlp import LR, linears, make_batch, make_net


def inplace_step(
    batch_size: int, dtype: type[np.floating[Any]], *, keep_grads: bool = False
) -> tuple[Callable[[], float], list[NDArray[Any]]]:
    """The step on the batch of ``mlp.make_batch``, from ``mlp.make_net``'s initial weights.

    Returns the step and its parameters ``[W1, b1, W2, b2, W3, b3]`` (updated in place).
    """
    lins = linears(make_net(dtype))
    Ws = [layer.W.copy() for layer in lins]
    bs = [layer.b.copy() for layer in lins]
    X, y = make_batch(batch_size, dtype)
    N, rows = batch_size, np.arange(batch_size)
    lr, inv_n = dtype(LR), dtype(1 / batch_size)
    small = batch_size <= bp_layers.SMALL_BATCH  # Linear.forward's choice of product

    def buffers(width: int) -> NDArray[Any]:
        return np.empty((N, width), dtype=dtype)

    Z = [buffers(W.shape[0]) for W in Ws]  # pre-activations (N, m); the last is the logits
    Zt = [np.empty((W.shape[0], N), dtype=dtype) for W in Ws]  # W @ A^T, for small batches
    masks = [np.empty((N, W.shape[0]), dtype=bool) for W in Ws[:-1]]
    A = [buffers(W.shape[0]) for W in Ws[:-1]]  # ReLU outputs
    G = [buffers(W.shape[1]) for W in Ws]  # dL/dA_prev, then delta of the layer below
    dW = [np.empty_like(W) for W in Ws]
    db = [np.empty_like(b) for b in bs]
    row_max = np.empty((N, 1), dtype=dtype)
    row_sum = np.empty((N, 1), dtype=dtype)
    inputs = [X, *A]  # what each layer multiplies

    def step() -> float:
        for k, (W, b) in enumerate(zip(Ws, bs, strict=True)):
            if small:
                np.matmul(W, inputs[k].T, out=Zt[k])
                np.add(Zt[k].T, b, out=Z[k])
            else:
                np.matmul(inputs[k], W.T, out=Z[k])
                Z[k] += b
            if k < len(masks):
                np.greater(Z[k], 0, out=masks[k])
                np.maximum(Z[k], 0, out=A[k])
        logits = Z[-1]  # softmax cross-entropy, in place on the logits
        np.max(logits, axis=1, keepdims=True, out=row_max)
        logits -= row_max
        loss = -float(logits[rows, y].sum())
        np.exp(logits, out=logits)
        np.sum(logits, axis=1, keepdims=True, out=row_sum)
        loss = (loss + float(np.log(row_sum).sum())) / N
        logits /= row_sum  # softmax P
        logits[rows, y] -= 1
        logits *= inv_n  # delta = (P - Y) / N
        delta = logits
        for k in range(len(Ws) - 1, -1, -1):
            np.matmul(delta.T, inputs[k], out=dW[k])
            np.sum(delta, axis=0, out=db[k])
            if k > 0:
                np.matmul(delta, Ws[k], out=G[k])
                np.multiply(G[k], masks[k - 1], out=G[k])
                delta = G[k]
        for W, b, gW, gb in zip(Ws, bs, dW, db, strict=True):
            if keep_grads:
                W -= lr * gW
                b -= lr * gb
            else:
                gW *= lr
                W -= gW
                gb *= lr
                b -= gb
        return loss

    params = [p for pair in zip(Ws, bs, strict=True) for p in pair]
    return step, params


def check_same_as_package(steps: int = 3, batch_size: int = 32) -> float:
    """In float64, the in-place step must end with the package's parameters and losses.

    Checks both forward forms (a batch of ``batch_size`` and one above ``SMALL_BATCH``)
    and both updates.
    Returns the largest relative difference; raises ``AssertionError`` above 1e-12.
    """
    worst = 0.0
    for n, keep_grads in itertools.product((batch_size, bp_layers.SMALL_BATCH + 1), (False, True)):
        step, params = inplace_step(n, np.float64, keep_grads=keep_grads)
        net = make_net(np.float64)
        X, y = make_batch(n, np.float64)
        loss_fn = bp.SoftmaxCrossEntropyLoss()
        opt = bp.SGD(net.parameters(), lr=LR)
        for _ in range(steps):
            ours = loss_fn.forward(net.forward(X), y)
            net.backward(loss_fn.backward(), need_input_grad=False)
            opt.step()
            worst = max(worst, abs(step() - ours) / abs(ours))
        for p, q in zip(net.parameters(), params, strict=True):
            scale = max(float(np.max(np.abs(p.value))), 1e-300)
            worst = max(worst, float(np.max(np.abs(p.value - q))) / scale)
    if worst > 1e-12:
        raise AssertionError(
            f"the in-place reference step and the package differ after {steps} float64 steps: "
            f"relative difference {worst:.2e} > 1e-12"
        )
    return worst
