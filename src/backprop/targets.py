"""Turning classification targets into a (N, C) matrix, with clear errors on bad labels."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import check_finite


def as_target_matrix(
    target: ArrayLike, shape: tuple[int, ...], dtype: np.dtype[Any], where: str
) -> NDArray[Any]:
    """Return targets as a (N, C) matrix of ``dtype``, for logits of ``shape`` (N, C).

    * int labels (N,) in [0, C) become one-hot rows;
    * a (N, C) float matrix must be non-negative with rows summing to 1 (one-hot or
      probabilities) and is used as is.

    Float, bool or out-of-range labels raise ``TypeError``/``ValueError``; nothing is broadcast.
    """
    y = np.asarray(target)
    N, C = shape
    if y.ndim == 1:
        if y.dtype.kind not in "iu":
            sample = y[:3].tolist()
            raise TypeError(
                f"{where}: class labels must be an integer array of shape ({N},), got dtype "
                f"{y.dtype} (first values {sample}). Non-integer labels are an error; if they are "
                "whole numbers, pass y.astype(np.int64)."
            )
        if y.shape[0] != N:
            raise ValueError(f"{where}: {y.shape[0]} labels for {N} rows of logits {shape}.")
        if y.min() < 0 or y.max() >= C:
            i = int(np.argmax((y < 0) | (y >= C)))
            raise ValueError(
                f"{where}: label {int(y[i])} at index {i} is out of range for {C} classes "
                f"(valid labels are 0..{C - 1})."
            )
        return np.eye(C, dtype=dtype)[y]  # row y_s of the identity: one-hot, in the logits' dtype
    if y.shape != tuple(shape):
        raise ValueError(
            f"{where}: target shape {y.shape} does not match logits shape {tuple(shape)}. "
            f"Pass int labels of shape ({N},) or a one-hot/probability matrix of shape {shape}."
        )
    if y.dtype.kind not in "fiub":
        raise TypeError(f"{where}: target must be numeric, got dtype {y.dtype}.")
    Y = y.astype(dtype, copy=False)
    check_finite(Y, where, "target")
    if (Y < 0).any() or not np.allclose(Y.sum(axis=1), 1, atol=1e-4):
        raise ValueError(
            f"{where}: a (N, C) target must be one-hot or probabilities: non-negative, each row "
            "summing to 1."
        )
    return Y
