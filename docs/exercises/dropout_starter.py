"""Starter: inverted dropout that caches its mask. Fill in forward and backward, then run."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


class Dropout(bp.Module):
    """Zero each entry with probability p in training, scale the rest by 1/(1 - p)."""

    def __init__(self, p: float = 0.5, *, rng: int | np.random.Generator | None = None) -> None:
        if not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be in [0, 1), got {p}.")
        self.p = p
        self.rng = np.random.default_rng(rng)
        self.training = True
        self.mask: NDArray[Any] | None = None

    def forward(self, X: ArrayLike) -> NDArray[Any]:
        # Training: draw a mask with self.rng.random(X.shape), cache it, apply it.
        # Evaluation (self.training is False): return X unchanged.
        raise NotImplementedError("Dropout.forward: draw, cache and apply the mask")

    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        # Return dL/dX from dL/dA = grad, using the cached mask.
        raise NotImplementedError("Dropout.backward: use the mask cached by forward")


# --8<-- [start:check]
class SameMask(Dropout):
    """Draws the same mask at every forward call. The gradient check runs forward once per
    perturbed entry; with a fresh mask each time, the loss would be a different function."""

    def forward(self, X: ArrayLike) -> NDArray[Any]:
        self.rng = np.random.default_rng(0)
        return super().forward(X)


def check() -> dict[str, float]:
    """Relative errors of a small float64 network using Dropout (batch of 6 rows)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(
        bp.Linear(3, 4, rng=rng), bp.Tanh(), SameMask(p=0.5), bp.Linear(4, 2, rng=rng)
    )
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    return bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    evaluation = Dropout(p=0.5)
    evaluation.training = False
    X = np.arange(6.0).reshape(2, 3)
    assert np.array_equal(evaluation.forward(X), X), "evaluation must be the identity"
    print("passed")
# --8<-- [end:check]
