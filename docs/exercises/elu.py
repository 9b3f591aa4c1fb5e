r"""Exercise solution: ELU as an activation module that caches its output.

$\sigma(z) = z$ for $z > 0$ and $\alpha(e^{z} - 1)$ otherwise ($\alpha > 0$), so
$\sigma'(z) = 1$ for $z > 0$ and $\alpha e^{z}$ otherwise. For $z \le 0$ the output is
$a = \alpha e^{z} - \alpha \le 0$, hence $\sigma'(z) = a + \alpha$, and $a > 0$ exactly when
$z > 0$: the output alone gives $\sigma'$. Batch rows are samples: (N, m) -> (N, m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp


# --8<-- [start:solution]
class ELU(bp.Activation):
    """sigma(z) = z if z > 0 else alpha (e^z - 1); sigma'(z) = 1 or a + alpha; caches a."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        negative = self.alpha * np.expm1(np.minimum(Z, 0))  # e^z only where z <= 0: no overflow
        A = np.where(Z > 0, Z, negative)
        return A, A

    def _sigma_prime(self, A: NDArray[Any]) -> NDArray[Any]:
        one, alpha = self.dtype.type(1), self.dtype.type(self.alpha)  # keep float32 float32
        return np.where(A > 0, one, A + alpha)


# --8<-- [end:solution]


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
