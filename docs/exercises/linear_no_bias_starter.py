"""Starter: a Linear layer without bias, z = W a. Fill in forward and backward, then run."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


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
        # A_prev (N, n) -> Z (N, m); cache what backward needs.
        raise NotImplementedError("LinearNoBias.forward: Z from A_prev and W")

    def backward(self, delta: ArrayLike) -> NDArray[Any]:
        # delta = dL/dZ (N, m): set self.dW (m, n) and return dL/dA_prev (N, n).
        raise NotImplementedError("LinearNoBias.backward: BP3 and the input half of BP4")

    def parameters(self) -> list[bp.Parameter]:
        return [bp.Parameter(self, "W", "W")]


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
