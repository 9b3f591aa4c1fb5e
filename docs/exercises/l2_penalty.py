r"""Exercise solution: an L2 penalty on the weights, as a loss wrapper and a network.

The penalised batch loss is $\mathcal{L} + \frac{\lambda}{2}\sum_k \lVert W^{(k)}\rVert^2$
(squared Frobenius norms; the biases are not penalised). The penalty depends on $W^{(k)}$
directly, not through the output $a^{(L)}$, so backpropagation never sees it: its gradient,
$\lambda W^{(k)}$, is added to BP3's after the backward pass. ``L2Loss`` adds the penalty to the
loss; ``L2Sequential`` adds its gradient to every ``dW``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp


# --8<-- [start:solution]
class L2Sequential(bp.Sequential):
    """A Sequential whose backward adds lam * W to every Linear's dW."""

    def __init__(self, *layers: bp.Module, lam: float) -> None:
        super().__init__(*layers)
        self.lam = lam

    def linears(self) -> list[bp.Linear]:
        return [layer for layer in self.layers if isinstance(layer, bp.Linear)]

    def penalty(self) -> float:
        """(lam / 2) * sum over the Linear layers of ||W||^2."""
        return self.lam / 2 * sum(float(np.sum(layer.W * layer.W)) for layer in self.linears())

    def backward(self, grad: ArrayLike, need_input_grad: bool = True) -> NDArray[Any] | None:
        dX = super().backward(grad, need_input_grad)  # BP1-BP4 set every dW, db
        for layer in self.linears():
            assert layer.dW is not None
            layer.dW += self.lam * layer.W  # d/dW of (lam/2) ||W||^2
        return dX


class L2Loss(bp.Loss):
    """loss_fn plus the network's penalty; the gradient w.r.t. the output is loss_fn's."""

    def __init__(self, loss_fn: bp.Loss, net: L2Sequential) -> None:
        self.loss_fn, self.net = loss_fn, net

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        return self.loss_fn.forward(pred, target) + self.net.penalty()

    def backward(self) -> NDArray[Any]:
        return self.loss_fn.backward()  # the penalty does not depend on the output


# --8<-- [end:solution]


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
