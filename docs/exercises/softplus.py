r"""Exercise solution: Softplus as an activation module that caches its output.

$\sigma(z) = \log(1 + e^{z})$ and $\sigma'(z) = \operatorname{sigmoid}(z)$. From the output
$a = \sigma(z)$: $e^{-a} = 1/(1 + e^{z})$, so $\sigma'(z) = 1 - e^{-a}$, and the backward pass
needs neither $z$ nor a second exponential of it. Batch rows are samples: (N, m) -> (N, m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp


# --8<-- [start:solution]
class Softplus(bp.Activation):
    """sigma(z) = log(1 + e^z), sigma'(z) = sigmoid(z) = 1 - e^(-a); caches the output a."""

    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        A = np.logaddexp(0, Z)  # log(e^0 + e^z) without overflow, even for z = 1e3
        return A, A

    def _sigma_prime(self, A: NDArray[Any]) -> NDArray[Any]:
        return -np.expm1(-A)  # 1 - e^(-a), accurate also when a is tiny


# --8<-- [end:solution]


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 network using Softplus (batch of 6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), Softplus(), bp.Linear(4, 2, rng=rng))
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    return bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
