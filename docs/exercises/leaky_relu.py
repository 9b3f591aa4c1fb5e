r"""Exercise solution: LeakyReLU as an activation module of the package.

$\sigma(z) = z$ for $z > 0$ and $\alpha z$ otherwise, so $\sigma'(z) = 1$ for $z > 0$ and
$\alpha$ otherwise ($\alpha$ at $z = 0$, as ``bp.ReLU`` takes 0 there). Batch rows are
samples: ``Z`` (N, m) -> ``A`` (N, m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp


# --8<-- [start:solution]
class LeakyReLU(bp.Activation):
    """sigma(z) = z if z > 0 else alpha z; caches the mask z > 0, like bp.ReLU."""

    def __init__(self, alpha: float = 0.01) -> None:
        super().__init__()
        self.alpha = alpha

    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        mask = Z > 0
        return np.where(mask, Z, self.alpha * Z), mask

    def _sigma_prime(self, mask: NDArray[Any]) -> NDArray[Any]:
        one, alpha = self.dtype.type(1), self.dtype.type(self.alpha)  # keep float32 float32
        return np.where(mask, one, alpha)


# --8<-- [end:solution]


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
