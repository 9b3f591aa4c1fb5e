"""Starter: an L2 penalty on the weights, as a loss wrapper and a network. Fill in, then run."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


class L2Sequential(bp.Sequential):
    """A Sequential whose backward adds the penalty's gradient to every Linear's dW."""

    def __init__(self, *layers: bp.Module, lam: float) -> None:
        super().__init__(*layers)
        self.lam = lam

    def linears(self) -> list[bp.Linear]:
        return [layer for layer in self.layers if isinstance(layer, bp.Linear)]

    def penalty(self) -> float:
        # Return (lam / 2) * the sum over the Linear layers of ||W||^2 (not the biases).
        raise NotImplementedError("L2Sequential.penalty")

    def backward(self, grad: ArrayLike, need_input_grad: bool = True) -> NDArray[Any] | None:
        dX = super().backward(grad, need_input_grad)  # BP1-BP4 set every dW, db
        # Add the penalty's gradient to each Linear's dW here.
        raise NotImplementedError("L2Sequential.backward: the penalty's term in dW")
        return dX


class L2Loss(bp.Loss):
    """loss_fn plus the network's penalty."""

    def __init__(self, loss_fn: bp.Loss, net: L2Sequential) -> None:
        self.loss_fn, self.net = loss_fn, net

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        raise NotImplementedError("L2Loss.forward: the loss plus the penalty")

    def backward(self) -> NDArray[Any]:
        # dL/d(pred): does the penalty change it?
        raise NotImplementedError("L2Loss.backward")


# --8<-- [start:check]
def check() -> dict[str, float]:
    """Relative errors of a small float64 network with an L2 penalty (6 rows)."""
    rng = np.random.default_rng(0)
    net = L2Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng), lam=0.3)
    X, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    return bp.check_gradients(net, L2Loss(bp.SoftmaxCrossEntropyLoss(), net), X, y)


if __name__ == "__main__":
    errors = check()
    for name, err in errors.items():
        print(f"{name:>6}: relative error {err:.1e}")
    assert max(errors.values()) < 1e-7, "a gradient disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
