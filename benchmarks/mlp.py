"""The MNIST-sized MLP (784-256-256-10, ReLU, softmax cross-entropy, SGD): our step vs torch's.

Three things are timed on the same batch:

* our **training step**, the body of ``bp.fit``: forward, loss, backward without dL/dX
  (``need_input_grad=False``), ``opt.step()``;
* our **equal-work step**: the public ``net.backward(grad)``, which also returns dL/dX;
* the **GEMM floor**: the same eight matrix products our training step performs (three
  forward, three dW, two dA_prev), as bare NumPy ``@`` calls on arrays of the same shapes
  and in the same form (the forward product is ``W @ A_prev.T`` for a batch of at most
  ``SMALL_BATCH`` rows, as ``Linear.forward`` computes it, and ``A_prev @ W.T`` above).

PyTorch runs the same network with the same initial weights (copied from ours) and dtype.
For the training step its input does not require grad; for the equal-work step it does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp
import backprop.layers as bp_layers

SIZES = (784, 256, 256, 10)
LR = 0.01


def make_net(dtype: type[np.floating[Any]], seed: int = 0) -> bp.Sequential:
    """784-256-256-10 with ReLU, He init from ``seed``."""
    rng = np.random.default_rng(seed)
    layers: list[bp.Module] = []
    for i, (n_in, n_out) in enumerate(itertools.pairwise(SIZES)):
        if i:
            layers.append(bp.ReLU())
        layers.append(bp.Linear(n_in, n_out, rng=rng, dtype=dtype))
    return bp.Sequential(*layers)


def make_batch(
    batch_size: int, dtype: type[np.floating[Any]], seed: int = 1
) -> tuple[NDArray[Any], NDArray[np.int64]]:
    """Pixel-like inputs in [0, 1) and labels in 0..9."""
    rng = np.random.default_rng(seed)
    X = rng.random((batch_size, SIZES[0])).astype(dtype)
    y = rng.integers(0, SIZES[-1], size=batch_size)
    return X, y


def linears(net: bp.Sequential) -> list[bp.Linear]:
    return [layer for layer in net.layers if isinstance(layer, bp.Linear)]


# ---------------------------------------------------------------------------------------------
# Ours


def our_step(
    batch_size: int, dtype: type[np.floating[Any]], *, equal_work: bool, momentum: float = 0.0
) -> tuple[Callable[[], object], bp.Sequential]:
    """Our step on a fixed batch; ``equal_work`` also computes (and returns) dL/dX."""
    net = make_net(dtype)
    X, y = make_batch(batch_size, dtype)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    opt = bp.SGD(net.parameters(), lr=LR, momentum=momentum)

    def train_step() -> object:  # exactly the train_step section of bp.fit
        out = net.forward(X)
        loss = loss_fn.forward(out, y)
        net.backward(loss_fn.backward(), need_input_grad=False)
        opt.step()
        return loss

    def equal_work_step() -> object:
        out = net.forward(X)
        loss_fn.forward(out, y)
        dX = net.backward(loss_fn.backward())
        opt.step()
        return dX

    return (equal_work_step if equal_work else train_step), net


def with_clear_forward(step: Callable[[], object]) -> Callable[[], object]:
    """``step`` with ``Linear.forward`` running the derivation's ``affine`` (Z = A W^T + b)
    even for small batches, where it would run ``affine_fast``: what the fast path buys."""

    def clear_step() -> object:
        fast = bp_layers.affine_fast
        bp_layers.affine_fast = bp_layers.affine
        try:
            return step()
        finally:
            bp_layers.affine_fast = fast

    return clear_step


def gemm_floor(batch_size: int, dtype: type[np.floating[Any]]) -> Callable[[], object]:
    """The eight GEMMs of our training step, alone, on the operands a real step produces."""
    net = make_net(dtype)
    X, y = make_batch(batch_size, dtype)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(net.forward(X), y)
    net.backward(loss_fn.backward(), need_input_grad=True)
    lins = linears(net)
    Ws = [layer.W for layer in lins]
    inputs = [layer.A_prev for layer in lins]  # what each Linear multiplies: X, a1, a2
    # One delta = dL/dZ per Linear; GEMM time depends on the shapes, not on the values.
    deltas = [np.ones((batch_size, layer.out_features), dtype=dtype) / batch_size for layer in lins]
    assert all(a is not None and a.dtype == dtype for a in inputs)

    small = batch_size <= bp_layers.SMALL_BATCH  # Linear.forward's choice of product

    def floor() -> object:
        for A, W in zip(inputs, Ws, strict=True):
            if small:
                W @ A.T  # forward: Z^T = W A_prev^T, as in affine_fast
            else:
                A @ W.T  # forward: Z = A_prev W^T, as in affine
        for d, A in zip(deltas, inputs, strict=True):
            d.T @ A  # dW = delta^T A_prev
        for d, W in zip(deltas[1:], Ws[1:], strict=True):
            d @ W  # dA_prev = delta W, skipped for the first layer
        return None

    return floor


# ---------------------------------------------------------------------------------------------
# PyTorch


def torch_model(torch: Any, net: bp.Sequential) -> Any:
    """torch.nn.Sequential with the same layers and a copy of ``net``'s weights and dtype."""
    modules = []
    for layer in net.layers:
        if isinstance(layer, bp.Linear):
            lin = torch.nn.Linear(layer.in_features, layer.out_features)
            with torch.no_grad():
                lin.weight = torch.nn.Parameter(torch.from_numpy(layer.W.copy()))
                lin.bias = torch.nn.Parameter(torch.from_numpy(layer.b.copy()))
            modules.append(lin)
        elif isinstance(layer, bp.ReLU):
            modules.append(torch.nn.ReLU())
        else:
            raise TypeError(f"torch_model: no torch equivalent for {layer!r}")
    return torch.nn.Sequential(*modules)


def torch_step(
    torch: Any,
    batch_size: int,
    dtype: type[np.floating[Any]],
    *,
    equal_work: bool,
    momentum: float = 0.0,
) -> tuple[Callable[[], object], Any]:
    """torch.nn + torch.optim.SGD on the same batch and initial weights as ``our_step``."""
    model = torch_model(torch, make_net(dtype))
    X_np, y_np = make_batch(batch_size, dtype)
    X, y = torch.from_numpy(X_np), torch.from_numpy(y_np)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=momentum)

    def train_step() -> object:
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()
        return loss

    X_grad = X.clone().requires_grad_(True)

    def equal_work_step() -> object:
        opt.zero_grad()
        X_grad.grad = None  # as zero_grad does for the parameters
        loss = loss_fn(model(X_grad), y)
        loss.backward()
        opt.step()
        return X_grad.grad

    return (equal_work_step if equal_work else train_step), model


def torch_gemm_floor(
    torch: Any, batch_size: int, dtype: type[np.floating[Any]]
) -> Callable[[], object]:
    """The same eight GEMMs as ``gemm_floor``, as bare torch ``@`` calls without autograd.

    Not a target: it shows how much of the difference is the BLAS library (torch links
    MKL, NumPy OpenBLAS) rather than per-operation overhead.
    """
    net = make_net(dtype)
    X, y = make_batch(batch_size, dtype)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(net.forward(X), y)
    lins = linears(net)
    Ws = [torch.from_numpy(layer.W) for layer in lins]
    inputs = [torch.from_numpy(layer.A_prev) for layer in lins]
    deltas = [
        torch.full((batch_size, layer.out_features), 1 / batch_size, dtype=Ws[0].dtype)
        for layer in lins
    ]

    def floor_torch() -> object:
        with torch.no_grad():
            for A, W in zip(inputs, Ws, strict=True):
                A @ W.T
            for d, A in zip(deltas, inputs, strict=True):
                d.T @ A
            for d, W in zip(deltas[1:], Ws[1:], strict=True):
                d @ W
        return None

    return floor_torch


# ---------------------------------------------------------------------------------------------
# Correctness before timing


def max_relative_difference(a: NDArray[Any], b: NDArray[Any]) -> float:
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def check_same_as_torch(torch: Any, steps: int = 3, batch_size: int = 32) -> dict[str, float]:
    """In float64, both implementations must end with the same parameters after ``steps`` steps.

    Checks the training step (with momentum, which also exercises the velocity) and the
    equal-work step (whose dL/dX must equal torch's ``X.grad``). Returns the largest relative
    difference seen; raises ``AssertionError`` if any exceeds 1e-10.
    """
    worst: dict[str, float] = {}
    for equal_work in (False, True):
        ours, net = our_step(batch_size, np.float64, equal_work=equal_work, momentum=0.9)
        theirs, model = torch_step(
            torch, batch_size, np.float64, equal_work=equal_work, momentum=0.9
        )
        key = "equal_work" if equal_work else "training"
        diffs = []
        for _ in range(steps):
            out_ours, out_theirs = ours(), theirs()
            if equal_work:
                assert isinstance(out_ours, np.ndarray)
                diffs.append(max_relative_difference(out_ours, out_theirs.numpy()))
            else:
                diffs.append(abs(float(out_ours) - out_theirs.item()) / abs(out_theirs.item()))  # type: ignore[arg-type]
        torch_params = [p.detach().numpy() for p in model.parameters()]
        for p, t in zip(net.parameters(), torch_params, strict=True):
            assert p.value.dtype == t.dtype == np.float64
            diffs.append(max_relative_difference(p.value, t))
        worst[key] = max(diffs)
        if worst[key] > 1e-10:
            raise AssertionError(
                f"ours and torch differ after {steps} float64 {key} steps: relative difference "
                f"{worst[key]:.2e} > 1e-10"
            )
    return worst
