"""Where the time of our training step goes: each part of it timed on its own.

The step is the body of ``bp.fit`` on the 784-256-256-10 network (``mlp.our_step``). Its parts,
each run alone on the arrays a real step produces:

* ``gemms``: the eight matrix products (``mlp.gemm_floor``);
* ``update``: ``opt.step()``, plain SGD, ``W -= lr * dW`` for the six parameters;
* ``relus``: both ReLUs, forward and backward;
* ``loss``: softmax cross-entropy, forward and backward.

What the parts leave of the step is everything else: each ``Linear``'s bias terms, input
checks and caching, and the Python calls of the modules and of ``Sequential``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import backprop as bp

from . import mlp
from .harness import round_robin

PARTS = ("gemms", "update", "relus", "loss")


def cases(batch_size: int) -> dict[str, Callable[[], object]]:
    """The whole step and each of its parts, in float32, on the same batch."""
    f32 = np.float32
    step, net = mlp.our_step(batch_size, f32, equal_work=False)
    X, y = mlp.make_batch(batch_size, f32)
    step()  # every gradient and cache is set, as after a real step

    relus, inputs = [], []
    A = X
    for layer in net.layers:
        if isinstance(layer, bp.ReLU):
            relus.append(layer)
            inputs.append(A)
        A = layer.forward(A)
    grads = [np.ones_like(Z) for Z in inputs]  # dL/dA of each ReLU: its shape is what counts
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    out = A
    # The update runs on a network of its own: applying the same gradients over and over
    # moves its weights away, and the step's network must not be moved with them.
    update_step, update_net = mlp.our_step(batch_size, f32, equal_work=False)
    update_step()
    opt = bp.SGD(update_net.parameters(), lr=mlp.LR)

    def relu_part() -> object:
        for relu, Z, grad in zip(relus, inputs, grads, strict=True):
            relu.forward(Z)
            relu.backward(grad)
        return None

    def loss_part() -> object:
        loss_fn.forward(out, y)
        return loss_fn.backward()

    return {
        "step": step,
        "gemms": mlp.gemm_floor(batch_size, f32),
        "update": opt.step,
        "relus": relu_part,
        "loss": loss_part,
    }


def benchmark(rounds: int, batch_sizes: tuple[int, ...] = (128, 32)) -> dict[str, Any]:
    """Median CPU microseconds per call of the step and of each part, per batch size, and the
    rest: the step's median minus the parts' medians."""
    out: dict[str, Any] = {"rounds": rounds, "by_batch": []}
    for batch_size in batch_sizes:
        t = round_robin(cases(batch_size), rounds)
        micros = {name: round(float(np.median(times)) * 1e6, 1) for name, times in t.cpu.items()}
        rest = micros["step"] - sum(micros[part] for part in PARTS)  # of the numbers shown
        out["by_batch"].append(
            {"batch_size": batch_size, "median_us": micros, "rest_us": round(rest, 1)}
        )
    return out
