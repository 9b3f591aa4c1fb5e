"""The measurements behind the numbers the derivation states about the code (``VALUES``).

They run the package on the derivation's own example, a 4-5-3 tanh net with softmax
cross-entropy on 6 samples, for several seeds; results are cached, so a build runs each once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp
from backprop.layers import SMALL_BATCH

SEEDS = range(8)
EPS_GRID = 10.0 ** -np.arange(1.0, 6.01, 0.25)  # 1e-1 ... 1e-6, for the float32 sweep


def example_net(
    seed: int, dtype: type = np.float64
) -> tuple[bp.Sequential, NDArray[Any], NDArray[Any]]:
    """The derivation's example: 4-5-3 tanh net, 6 samples, 3 classes, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    net = bp.Sequential(
        bp.Linear(4, 5, rng=rng, dtype=dtype), bp.Tanh(), bp.Linear(5, 3, rng=rng, dtype=dtype)
    )
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, size=6)
    return net, X.astype(dtype), y


@cache
def float32_best_error(seed: int) -> tuple[float, float]:
    """Best finite-difference check of the float32 example over ``EPS_GRID``: (error, eps).
    Gradients and central differences are both in float32; the error for one eps is the
    largest relative error over the arrays, as ``check_gradients`` reports."""
    net, X, y = example_net(seed, np.float32)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(net.forward(X), y)
    net.backward(loss_fn.backward())
    params = net.parameters()
    analytic = [p.grad.copy() for p in params]
    best = (np.inf, np.nan)
    for eps in EPS_GRID:
        step = np.float32(eps)
        worst = 0.0
        for p, g in zip(params, analytic, strict=True):
            flat, numeric = p.value.reshape(-1), np.zeros(p.value.size)
            for i in range(flat.size):
                old = flat[i]
                flat[i] = old + step
                f_plus = loss_fn.forward(net.forward(X), y)
                flat[i] = old - step
                f_minus = loss_fn.forward(net.forward(X), y)
                flat[i] = old
                numeric[i] = (f_plus - f_minus) / (2 * float(step))
            worst = max(worst, bp.relative_error(g.reshape(-1), numeric))
        best = min(best, (worst, float(eps)))
    return best


@cache
def float64_errors() -> tuple[float, ...]:
    """The largest relative error of ``check_gradients`` (float64, default eps) per seed."""
    return tuple(
        max(bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y).values())
        for net, X, y in map(example_net, SEEDS)
    )


def sci(x: float) -> str:
    """``3.2e-11`` as inline TeX: ``$3.2 \\times 10^{-11}$``."""
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"


def span(values: tuple[float, ...]) -> str:
    """The range of ``values``, as inline TeX: ``$a$ to $b$``."""
    return f"{sci(min(values))} to {sci(max(values))}"


@cache
def parameter_count(widths: tuple[int, ...] = (784, 256, 256, 10)) -> int:
    """D, the number of parameters (weights and biases) of an MLP with these widths."""
    net = bp.Sequential(*[bp.Linear(n, m) for n, m in itertools.pairwise(widths)])
    return sum(p.value.size for p in net.parameters())


VALUES: dict[str, Callable[[], str]] = {
    "small_batch": lambda: str(SMALL_BATCH),
    "n_seeds": lambda: str(len(SEEDS)),
    "float32_check_range": lambda: span(tuple(float32_best_error(s)[0] for s in SEEDS)),
    "float64_check_range": lambda: span(float64_errors()),
    "float32_best_step_range": lambda: span(tuple(float32_best_error(s)[1] for s in SEEDS)),
    "benchmark_parameter_count": lambda: f"{parameter_count():,}",
}
