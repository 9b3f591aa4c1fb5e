"""Losses, averaged over the batch as PyTorch does, and their output gradients.

``forward(pred, target) -> float`` caches; ``backward() -> dL/d(pred)`` (same shape as ``pred``).
A loss keeps a read-only copy of any array of the caller's it needs in ``backward`` (the logits,
a target matrix), so editing those after ``forward`` does not change the gradient.
The batch loss is a mean, $\\mathcal{L} = \\frac{1}{N}\\sum_s \\ell_s$, so every output gradient
carries the factor of that mean: $\\frac{2}{Nm}$ for ``MSELoss`` (a mean over all $Nm$ entries),
$\\frac{1}{N}$ for ``SoftmaxCrossEntropyLoss`` and $\\frac{1}{Nm}$ for ``BCEWithLogitsLoss``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_float_array, check_2d, check_finite
from ._saved import keep
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

    $\\mathcal{L} = -\\frac{1}{N}\\sum_s \\sum_c Y_{sc} \\log \\mathrm{softmax}(z_s)_c$,
    and the softmax Jacobian collapses the gradient $\\partial\\mathcal{L}/\\partial Z$ (N, C) to
    rows $(p_s - y_s)^\\top / N$, where $p_s = \\mathrm{softmax}(z_s)$ is row $s$ of ``probs``.
    Feed it raw logits: the network must **not** end in an activation.
    """

    def __init__(self) -> None:
        self.probs: NDArray[Any] | None = None
        self.Y: NDArray[Any] | None = None

    def forward(self, logits: ArrayLike, target: ArrayLike) -> float:
        """``logits`` (N, C), ``target`` (N,) int or (N, C) probabilities -> mean cross-entropy."""
        Z = as_float_array(logits, None, "SoftmaxCrossEntropyLoss", "logits")
        check_2d(Z, "SoftmaxCrossEntropyLoss", "logits")
        check_finite(Z, "SoftmaxCrossEntropyLoss", "logits")
        Y = as_target_matrix(target, Z.shape, Z.dtype, "SoftmaxCrossEntropyLoss")
        logP = _log_softmax(Z, axis=1)
        self.probs, self.Y = np.exp(logP), keep(Y, target)  # a target matrix: the caller's?
        # sum_s sum_c Y_sc log P_sc, as one dot product of the flattened (N, C) arrays
        return self._check_loss(-float(np.vdot(Y, logP)) / Z.shape[0])

    def backward(self) -> NDArray[Any]:
        """dL/dZ = (softmax(Z) - Y) / N, shape (N, C): the output-layer delta, BP1 fused."""
        self._require_cache(self.probs)
        probs, Y = self.probs, self.Y
        assert probs is not None and Y is not None
        N = probs.shape[0]
        # --8<-- [start:softmax_ce_delta]
        delta = (probs - Y) / N  # row s: (p_s - y_s) / N; the Jacobian collapsed, 1/N is the mean
        # --8<-- [end:softmax_ce_delta]
        return delta


class BCEWithLogitsLoss(Loss):
    """Sigmoid followed by binary cross-entropy, fused; equal to ``torch.nn.BCEWithLogitsLoss()``.

    ``logits`` Z (N, m) and ``target`` Y (N, m) with every entry in [0, 1] (0/1 labels or
    probabilities). The loss is the mean over all $Nm$ entries of

    $-y \\log \\mathrm{sigmoid}(z) - (1 - y) \\log(1 - \\mathrm{sigmoid}(z))
    = \\log(1 + e^{z}) - y z$,

    computed as ``logaddexp(0, z) - y z``, which is finite for any finite logit (1e4 included).
    The gradient is $\\partial\\mathcal{L}/\\partial Z = (\\mathrm{sigmoid}(Z) - Y) / (Nm)$:
    the output-layer delta, BP1 fused. Feed it raw logits: the network must **not** end in
    a ``Sigmoid``.
    """

    def __init__(self) -> None:
        self.Z: NDArray[Any] | None = None
        self.Y: NDArray[Any] | None = None

    def forward(self, logits: ArrayLike, target: ArrayLike) -> float:
        """``logits`` (N, m), ``target`` (N, m) in [0, 1] -> mean binary cross-entropy."""
        Z = as_float_array(logits, None, "BCEWithLogitsLoss", "logits")
        Y = as_float_array(target, Z.dtype, "BCEWithLogitsLoss", "target")
        if Z.shape != Y.shape:
            raise ValueError(
                f"BCEWithLogitsLoss: target shape {Y.shape} does not match logits shape {Z.shape}. "
                "Shapes are never broadcast; pass one target per logit, e.g. y.reshape(-1, 1) "
                "for one output unit."
            )
        check_finite(Z, "BCEWithLogitsLoss", "logits")
        check_finite(Y, "BCEWithLogitsLoss", "target")
        if Y.size and (Y.min() < 0 or Y.max() > 1):
            i = np.argwhere((Y < 0) | (Y > 1))[0]
            raise ValueError(
                f"BCEWithLogitsLoss: target {Y[tuple(i)]} at index {tuple(int(j) for j in i)} is "
                "outside [0, 1]. Targets are labels 0/1 or probabilities; for class labels "
                "0..C-1 use SoftmaxCrossEntropyLoss."
            )
        self.Z, self.Y = keep(Z, logits), keep(Y, target)  # copies of the caller's arrays
        # log(1 + e^z) - y z, per entry; logaddexp never overflows
        return self._check_loss(float(np.mean(np.logaddexp(0, Z) - Y * Z)))

    def backward(self) -> NDArray[Any]:
        """dL/dZ = (sigmoid(Z) - Y) / (N m), shape (N, m)."""
        self._require_cache(self.Z)
        Z, Y = self.Z, self.Y
        assert Z is not None and Y is not None
        # --8<-- [start:bce_delta]
        a = np.exp(-np.logaddexp(0, -Z))  # sigmoid(z) = 1 / (1 + e^{-z}), without overflow
        delta = (a - Y) / Z.size  # (sigmoid(z) - y) / (N m): the mean over N m entries
        # --8<-- [end:bce_delta]
        return delta
