"""Find the bug: a softmax cross-entropy loss whose backward returns the wrong gradient."""

from __future__ import annotations

from typing import Any

import numpy as np
from find_the_bug_net import batch, network
from numpy.typing import NDArray

import backprop as bp


# --8<-- [start:bug]
class BuggyCrossEntropy(bp.SoftmaxCrossEntropyLoss):
    def backward(self) -> NDArray[Any]:
        probs, Y = self.probs, self.Y  # softmax probabilities (N, C), one-hot targets (N, C)
        assert probs is not None and Y is not None
        N = probs.shape[0]
        delta = -Y / probs / N
        return delta


# --8<-- [end:bug]


class FixedCrossEntropy(bp.SoftmaxCrossEntropyLoss):
    def backward(self) -> NDArray[Any]:
        probs, Y = self.probs, self.Y
        assert probs is not None and Y is not None
        N = probs.shape[0]
        # --8<-- [start:fix]
        delta = (probs - Y) / N  # row s: J^T (-y_s / p_s) / N = (p_s - y_s) / N
        # --8<-- [end:fix]
        return delta


def errors(loss_fn: bp.Loss) -> dict[str, float]:
    """``check_gradients`` of the harness network (Tanh activation) under ``loss_fn``."""
    X, y, _ = batch()
    return bp.check_gradients(network(), loss_fn, X, y)


def buggy_errors() -> dict[str, float]:
    return errors(BuggyCrossEntropy())


def fixed_errors() -> dict[str, float]:
    return errors(FixedCrossEntropy())


def probabilities_gradient_check() -> float:
    """Relative error of the buggy backward against the finite-difference gradient of the
    loss with respect to the probabilities ``probs`` (not the logits): near 0, because
    -Y / (N probs) is exactly that gradient."""
    _, y, _ = batch()
    probs = np.random.default_rng(2).dirichlet(np.ones(3), size=len(y))
    Y = np.eye(3)[y]
    loss = BuggyCrossEntropy()
    loss.probs, loss.Y = probs, Y

    def mean_ce(probs: NDArray[Any]) -> float:
        return -float(np.sum(Y * np.log(probs))) / len(y)

    return bp.relative_error(loss.backward(), bp.numerical_gradient(mean_ce, probs.copy()))
