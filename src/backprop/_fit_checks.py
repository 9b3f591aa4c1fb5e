"""What ``fit`` checks before its first update, so a bad input changes no parameter.

* ``X`` (N, n_0) is numeric, 2-D, has the first layer's feature count, and is finite; a NaN or
  inf is reported with its row and column in the caller's ``X`` (not in a shuffled batch).
* ``y`` has N rows and suits the loss for the network's output shape (N, n_L): the loss itself
  checks it, on predictions of zeros, so a bad label is reported at its index in ``y``.
* The optimizer holds this network's parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_float_array, check_finite
from .losses import Loss
from .network import Sequential
from .optim import Optimizer


def check_data(
    net: Sequential, loss_fn: Loss, X: ArrayLike, y: ArrayLike, what: str = ""
) -> tuple[NDArray[Any], NDArray[Any]]:
    """Return ``X`` as a float array and ``y`` as an array, or raise naming the bad entry.

    ``what`` prefixes the argument names (``"validation_data "`` for the validation pair).
    """
    X = as_float_array(X, None, "fit", what + "X")
    y = np.asarray(y)
    if X.ndim != 2 or y.ndim == 0 or len(X) != len(y) or len(X) == 0:
        raise ValueError(
            f"fit: {what}X must be (N, features) with N >= 1 and {what}y must have N rows; "
            f"got X {X.shape}, y {y.shape}."
        )
    out_shape = net.shapes(X.shape)[-1][1]  # a wrong feature count raises, naming the layer
    check_finite(X, "fit", what + "X")
    params = net.parameters()
    dtype = params[-1].value.dtype if params else X.dtype  # no float64 in a float32 fit
    try:
        loss_fn.forward(np.zeros(out_shape, dtype), y)
    except (TypeError, ValueError) as exc:
        raise type(exc)(
            f"fit: {what}y does not suit the loss and the network's output shape {out_shape}. {exc}"
        ) from exc
    return X, y


def check_optimizer(net: Sequential, opt: Optimizer) -> None:
    """Raise ``ValueError`` if ``opt`` updates arrays that are not ``net``'s parameters."""
    mine = {(id(p.owner), p.attr) for p in net.parameters()}
    for p in opt.params:
        if (id(p.owner), p.attr) not in mine:
            raise ValueError(
                f"fit: the optimizer holds the parameter {p.attr!r} of {p.owner!r}, which is "
                "not in this network: it was built for another network. Build it from the one "
                "you train: opt = bp.SGD(net.parameters(), ...)."
            )
