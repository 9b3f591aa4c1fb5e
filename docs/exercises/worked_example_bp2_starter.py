"""Starter: BP2 by hand on the worked example's 2-2-2 sigmoid network. Fill in, then run."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp


def bp2(W2: NDArray[Any], delta2: NDArray[Any], a1: NDArray[Any]) -> NDArray[Any]:
    """delta1 (2, 1) from W2 (2, 2), delta2 (2, 1) and a1 = sigmoid(z1) (2, 1)."""
    raise NotImplementedError("bp2: one line of NumPy, column vectors")


# --8<-- [start:check]
def check() -> float:
    """Relative error of bp2 against finite differences of the loss in z1."""
    x, y = np.array([[0.05], [0.10]]), np.array([[0.01], [0.99]])
    W1, b1 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.35], [0.35]])
    W2, b2 = np.array([[0.40, 0.45], [0.50, 0.55]]), np.array([[0.60], [0.60]])
    sigmoid, loss = bp.Sigmoid(), bp.MSELoss()  # MSELoss: the mean over the 2 outputs

    def ell(z1: NDArray[Any]) -> float:  # the loss as a function of z1
        a2 = sigmoid.forward((W2 @ sigmoid.forward(z1) + b2).T)  # one row, the package's layout
        return loss.forward(a2, y.T)

    z1 = W1 @ x + b1
    a1 = sigmoid.forward(z1)
    a2 = sigmoid.forward(W2 @ a1 + b2)
    delta2 = (2 / 2) * (a2 - y) * a2 * (1 - a2)  # BP1 with MSE over m = 2 outputs
    return bp.relative_error(bp2(W2, delta2, a1), bp.numerical_gradient(ell, z1))


if __name__ == "__main__":
    err = check()
    print(f"delta1: relative error {err:.1e}")
    assert err < 1e-7, "delta1 disagrees with finite differences"
    print("passed")
# --8<-- [end:check]
