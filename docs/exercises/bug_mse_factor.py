"""Find the bug: a mean squared error whose backward pass is off."""

from __future__ import annotations

from typing import Any

from find_the_bug_net import batch, network
from numpy.typing import NDArray

import backprop as bp


# --8<-- [start:bug]
class BuggyMSE(bp.MSELoss):
    def backward(self) -> NDArray[Any]:
        diff = self.diff  # pred - target, (N, m), cached by forward
        assert diff is not None
        grad = diff / diff.size
        return grad


# --8<-- [end:bug]


class FixedMSE(bp.MSELoss):
    def backward(self) -> NDArray[Any]:
        diff = self.diff
        assert diff is not None
        # --8<-- [start:fix]
        grad = 2 * diff / diff.size  # d/da of mean (a - y)^2 = 2 (a - y) / (N m)
        # --8<-- [end:fix]
        return grad


def errors(loss_fn: bp.Loss) -> dict[str, float]:
    """``check_gradients`` of the harness network under ``loss_fn`` with float targets Y."""
    X, _, Y = batch()
    return bp.check_gradients(network(), loss_fn, X, Y)


def buggy_errors() -> dict[str, float]:
    return errors(BuggyMSE())


def fixed_errors() -> dict[str, float]:
    return errors(FixedMSE())
