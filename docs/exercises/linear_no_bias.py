r"""Exercise solution: a Linear layer without bias, $z = W a$.

One sample, column vectors: BP3 is unchanged, $\partial\ell/\partial W = \delta a^{\top}$, and
BP4 keeps only its input half, $\partial\ell/\partial a^{(k-1)} = W^{\top}\delta$. In batch
form (rows are samples): ``Z = A_prev @ W.T``, ``dW = delta.T @ A_prev``,
``dA_prev = delta @ W``, with ``A_prev`` (N, n), ``W`` (m, n), ``delta`` (N, m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


# --8<-- [start:solution]
class LinearNoBias(bp.Module):
    """Z = A_prev @ W.T, with W of shape (out_features, in_features) like bp.Linear."""

    def __init__(
        self, in_features: int, out_features: int, *, rng: int | np.random.Generator | None = None
    ) -> None:
        rng = np.random.default_rng(rng)
        self.W = rng.standard_normal((out_features, in_features)) * np.sqrt(2 / in_features)
        self.dW: NDArray[Any] | None = None
        self.A_prev: NDArray[Any] | None = None

    def forward(self, A_prev: ArrayLike) -> NDArray[Any]:
        self.A_prev = np.asarray(A_prev, dtype=self.W.dtype)  # cached for dW
        return self.A_prev @ self.W.T  # (N, n) @ (n, m) -> (N, m)

    def backward(self, delta: ArrayLike) -> NDArray[Any]:
        self._require_cache(self.A_prev)
        assert self.A_prev is not None
        delta = np.asarray(delta)
        self.dW = delta.T @ self.A_prev  # BP3: (m, N) @ (N, n) -> (m, n)
        return delta @ self.W  # BP4, input half: (N, m) @ (m, n) -> (N, n)

    def parameters(self) -> list[bp.Parameter]:
        return [bp.Parameter(self, "W", "W")]


# --8<-- [end:solution]


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 network of two LinearNoBias layers (6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(LinearNoBias(3, 4, rng=rng), bp.Tanh(), LinearNoBias(4, 2, rng=rng))
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    return bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
