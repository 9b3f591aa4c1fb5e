r"""Exercise solution: inverted dropout, a module that caches its random mask.

In training, each entry is kept with probability ``1 - p`` and scaled by ``1 / (1 - p)``, so the
expected output equals the input: $A = X \odot M$ with every entry of the mask $M$ either 0 or
``1 / (1 - p)``. The backward pass is the same product,
$\partial\mathcal{L}/\partial X = \partial\mathcal{L}/\partial A \odot M$, with the mask cached
by ``forward``. In evaluation (``training = False``) the layer is the identity. The package has
no train/eval switch, so the layer carries its own ``training`` attribute. ``p`` is PyTorch's
name for the drop probability (in the derivation's math, $p$ is the softmax's). Batch rows are
samples: (N, m) -> (N, m).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


# --8<-- [start:solution]
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
        X = np.asarray(X)
        if not self.training:
            self.mask = None  # evaluation: the identity, nothing to cache
            return X
        keep = self.rng.random(X.shape) >= self.p  # True with probability 1 - p
        self.mask = keep.astype(X.dtype) / X.dtype.type(1 - self.p)
        return X * self.mask

    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        grad = np.asarray(grad)
        if self.mask is None:
            return grad  # the forward pass was the identity
        return grad * self.mask  # the same mask as the forward pass


# --8<-- [end:solution]


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
