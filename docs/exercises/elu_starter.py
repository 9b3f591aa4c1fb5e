"""Starter: ELU as an activation module that caches its output. Fill in, then run."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp


class ELU(bp.Activation):
    """sigma(z) = z if z > 0 else alpha (e^z - 1), with alpha > 0."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        # Return (A, A): cache the output. np.exp of a large positive z overflows.
        raise NotImplementedError("ELU._sigma: A = sigma(Z)")

    def _sigma_prime(self, A: NDArray[Any]) -> NDArray[Any]:
        # Return sigma'(Z) from the output A alone.
        raise NotImplementedError("ELU._sigma_prime: sigma'(Z) written in terms of A")


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 network using ELU (batch of 6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), ELU(alpha=0.5), bp.Linear(4, 2, rng=rng))
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    return bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
