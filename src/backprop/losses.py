"""Losses, averaged over the batch as PyTorch does, and their output gradients.

``forward(pred, target) -> float`` caches; ``backward() -> dL/d(pred)`` (same shape as ``pred``).
Because the loss is a mean over N samples, every output gradient carries a factor 1/N.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_float_array, check_2d, check_finite
from .targets import as_target_matrix


def log_softmax(Z: ArrayLike, axis: int = -1) -> NDArray[Any]:
    """$\\log \\mathrm{softmax}(z)_i = z_i - \\log\\sum_j e^{z_j}$, via log-sum-exp.

    Subtracting $\\max_j z_j$ first keeps every exponent $\\le 0$, so logits of
    1e4 give finite values. Shape and float dtype are preserved.
    """
    return _log_softmax(as_float_array(Z, None, "log_softmax", "input"), axis)


def _log_softmax(Z: NDArray[Any], axis: int) -> NDArray[Any]:
    """``log_softmax`` of a float array, without the input conversion."""
    # --8<-- [start:log_softmax]
    shifted = Z - Z.max(axis=axis, keepdims=True)  # largest entry becomes 0
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    # --8<-- [end:log_softmax]


def softmax(Z: ArrayLike, axis: int = -1) -> NDArray[Any]:
    """$\\mathrm{softmax}(z)_i = e^{z_i} / \\sum_j e^{z_j}$, computed stably. Same shape."""
    return np.exp(log_softmax(Z, axis=axis))


class Loss:
    """Base class of the losses."""

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """Return the scalar loss and cache what ``backward`` needs."""
        raise NotImplementedError

    def backward(self) -> NDArray[Any]:
        """Return dL/d(pred), the same shape as ``pred``."""
        raise NotImplementedError

    def _check_loss(self, loss: float) -> float:
        if not math.isfinite(loss):
            raise ValueError(
                f"{type(self).__name__}: the loss is {loss}. The predictions or targets contain "
                "huge values; lower the learning rate or rescale the data."
            )
        return loss

    def _require_cache(self, cached: object) -> None:
        if cached is None:
            raise RuntimeError(
                f"{type(self).__name__}: backward() called before forward(). "
                "Call loss_fn.forward(pred, target) first."
            )


class MSELoss(Loss):
    """Mean squared error over all elements, equal to ``torch.nn.MSELoss()``.

    $\\mathcal{L} = \\frac{1}{Nm}\\sum_{s,i} (a_{si} - y_{si})^2$, with ``pred`` and
    ``target`` both (N, m), and $\\partial\\mathcal{L}/\\partial a = \\frac{2}{Nm}(a - y)$.
    Shapes must match exactly: (N, 1) against (N,) is an error, not a broadcast.
    """

    def __init__(self) -> None:
        self.diff: NDArray[Any] | None = None

    def forward(self, pred: ArrayLike, target: ArrayLike) -> float:
        """``pred`` (N, m), ``target`` (N, m) -> mean squared error."""
        pred = as_float_array(pred, None, "MSELoss", "pred")
        labels = np.asarray(target).dtype.kind in "iu"
        target = as_float_array(target, pred.dtype, "MSELoss", "target")
        if pred.shape != target.shape:
            raise ValueError(_mse_shape_message(pred.shape, target.shape, labels))
        check_finite(pred, "MSELoss", "pred")
        check_finite(target, "MSELoss", "target")
        with np.errstate(over="ignore"):  # an overflow to inf is reported by _check_loss
            self.diff = pred - target
            loss = float(np.mean(self.diff**2))
        return self._check_loss(loss)

    def backward(self) -> NDArray[Any]:
        """dL/d(pred) = 2 (pred - target) / (N m), shape (N, m)."""
        self._require_cache(self.diff)
        diff = self.diff
        assert diff is not None
        # --8<-- [start:mse_grad]
        grad = 2 * diff / diff.size  # dL/da = 2 (a - y) / (N m); the mean brings the 1/(N m)
        # --8<-- [end:mse_grad]
        return grad


def _mse_shape_message(pred: tuple[int, ...], target: tuple[int, ...], labels: bool) -> str:
    """Why ``MSELoss`` got mismatched shapes, and the fix that fits the case."""
    msg = f"MSELoss: target shape {target} does not match pred shape {pred}. Shapes are never broadcast; "
    if labels and len(target) == 1 and len(pred) == 2 and pred[1] > 1 and pred[0] == target[0]:
        C = pred[1]
        return msg + (
            f"these look like integer class labels for {C} outputs: one-hot encode them, "
            f"np.eye({C})[y], or use SoftmaxCrossEntropyLoss, which takes the labels as they are."
        )
    return msg + "reshape the target, e.g. y.reshape(-1, 1)."


class SoftmaxCrossEntropyLoss(Loss):
    """Softmax followed by cross-entropy, fused; equal to ``torch.nn.CrossEntropyLoss()``.

    ``logits`` Z (N, C). ``target`` is either int labels (N,) in [0, C) or a one-hot /
    probability matrix (N, C) whose rows sum to 1.

    $\\mathcal{L} = -\\frac{1}{N}\\sum_s \\sum_c Y_{sc} \\log \\mathrm{softmax}(Z_s)_c$,
    and the softmax Jacobian collapses the gradient to
    $\\partial\\mathcal{L}/\\partial Z = (P - Y)/N$ with $P = \\mathrm{softmax}(Z)$.
    Feed it raw logits: the network must **not** end in an activation.
    """

    def __init__(self) -> None:
        self.P: NDArray[Any] | None = None
        self.Y: NDArray[Any] | None = None

    def forward(self, logits: ArrayLike, target: ArrayLike) -> float:
        """``logits`` (N, C), ``target`` (N,) int or (N, C) probabilities -> mean cross-entropy."""
        Z = as_float_array(logits, None, "SoftmaxCrossEntropyLoss", "logits")
        check_2d(Z, "SoftmaxCrossEntropyLoss", "logits")
        check_finite(Z, "SoftmaxCrossEntropyLoss", "logits")
        Y = as_target_matrix(target, Z.shape, Z.dtype, "SoftmaxCrossEntropyLoss")
        logP = _log_softmax(Z, axis=1)
        self.P, self.Y = np.exp(logP), Y
        # sum_s sum_c Y_sc log P_sc, as one dot product of the flattened (N, C) arrays
        return self._check_loss(-float(np.vdot(Y, logP)) / Z.shape[0])

    def backward(self) -> NDArray[Any]:
        """dL/dZ = (softmax(Z) - Y) / N, shape (N, C): the output-layer delta, BP1 fused."""
        self._require_cache(self.P)
        P, Y = self.P, self.Y
        assert P is not None and Y is not None
        N = P.shape[0]
        # --8<-- [start:softmax_ce_delta]
        delta = (P - Y) / N  # softmax Jacobian times -Y/P collapses to P - Y; 1/N from the mean
        # --8<-- [end:softmax_ce_delta]
        return delta
