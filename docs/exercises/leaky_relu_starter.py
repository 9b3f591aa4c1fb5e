"""Starter: LeakyReLU as an activation module. Fill in the two methods, then run this file."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp


class LeakyReLU(bp.Activation):
    """sigma(z) = z if z > 0 else alpha z."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = alpha

    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        # Return (A, cache): A = sigma(Z), and whatever _sigma_prime will need.
        raise NotImplementedError("LeakyReLU._sigma: compute A and choose what to cache")

    def _sigma_prime(self, cache: NDArray[Any]) -> NDArray[Any]:
        # Return sigma'(Z), computed from the cache only.
        raise NotImplementedError("LeakyReLU._sigma_prime: sigma'(Z) from the cache")


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 network using LeakyReLU (batch of 6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), LeakyReLU(alpha=0.1), bp.Linear(4, 2, rng=rng))
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    return bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
