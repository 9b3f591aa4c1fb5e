"""Find the bug: the middle, square Linear layer computes its weight gradient wrongly."""

from __future__ import annotations

from typing import Any

import numpy as np
from find_the_bug_net import batch, network
from numpy.typing import ArrayLike, NDArray

import backprop as bp


# --8<-- [start:bug]
class BuggyLinear(bp.Linear):
    def backward_params(self, delta: ArrayLike) -> NDArray[Any]:
        A_prev = self.A_prev  # (N, n), cached by forward
        assert A_prev is not None
        delta = np.asarray(delta)  # (N, m)
        self.dW = A_prev.T @ delta
        self.db = delta.sum(axis=0)
        return delta


# --8<-- [end:bug]


class FixedLinear(bp.Linear):
    def backward_params(self, delta: ArrayLike) -> NDArray[Any]:
        A_prev = self.A_prev
        assert A_prev is not None
        delta = np.asarray(delta)
        # --8<-- [start:fix]
        self.dW = delta.T @ A_prev  # BP3 in rows: (m, N) @ (N, n) -> (m, n)
        # --8<-- [end:fix]
        self.db = delta.sum(axis=0)
        return delta


def errors(layer: type[bp.Linear]) -> dict[str, float]:
    """``check_gradients`` of the harness network with ``layer`` in the middle, softmax CE."""
    X, y, _ = batch()
    return bp.check_gradients(network(middle=layer), bp.SoftmaxCrossEntropyLoss(), X, y)


def buggy_errors() -> dict[str, float]:
    return errors(BuggyLinear)


def fixed_errors() -> dict[str, float]:
    return errors(FixedLinear)
