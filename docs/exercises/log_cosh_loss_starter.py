"""Starter: the log-cosh loss, checked with bp.check_gradients. Fill in, then run."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


class LogCoshLoss(bp.Loss):
    """Mean of log cosh(pred - target) over all entries; pred and target (N, m)."""

    def __init__(self) -> None:
        self.diff: NDArray[Any] | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        # Return the loss as a float and cache what backward needs. np.cosh(800.0) is inf.
        raise NotImplementedError("LogCoshLoss.forward: the mean of log cosh(pred - target)")

    def backward(self) -> NDArray[Any]:
        # Return dL/d(pred), the shape of pred.
        raise NotImplementedError("LogCoshLoss.backward: dL/d(pred) from the cache")


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 regression network under LogCoshLoss (6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng))
    X, Y = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    return bp.check_gradients(net, LogCoshLoss(), X, Y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
