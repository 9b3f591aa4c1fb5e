"""Find the bug: a ReLU whose backward pass builds its mask from the wrong array."""

from __future__ import annotations

from typing import Any

import numpy as np
from find_the_bug_net import batch, network
from numpy.typing import ArrayLike, NDArray

import backprop as bp


# --8<-- [start:bug]
class BuggyReLU(bp.ReLU):
    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        grad = np.asarray(grad)  # dL/dA (N, m)
        delta = grad * (grad > 0)
        return delta


# --8<-- [end:bug]


class FixedReLU(bp.ReLU):
    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        grad = np.asarray(grad)
        mask = self.cache  # Z > 0, cached by forward
        # --8<-- [start:fix]
        delta = grad * mask  # dL/dA ⊙ σ'(Z), with σ'(Z) = [Z > 0] from forward
        # --8<-- [end:fix]
        return delta


def errors(activation: type[bp.Module]) -> dict[str, float]:
    """``check_gradients`` of the harness network with ``activation`` as module 1, softmax CE."""
    X, y, _ = batch()
    return bp.check_gradients(network(activation=activation), bp.SoftmaxCrossEntropyLoss(), X, y)


def buggy_errors() -> dict[str, float]:
    return errors(BuggyReLU)


def fixed_errors() -> dict[str, float]:
    return errors(FixedReLU)
