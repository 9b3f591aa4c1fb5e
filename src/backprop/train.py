"""The training loop: shuffled mini-batches of forward -> loss -> backward -> update."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import RNGLike, as_rng
from ._fit_checks import check_data, check_optimizer
from .losses import Loss, SoftmaxCrossEntropyLoss
from .network import Sequential
from .optim import Optimizer

History = dict[str, list[float]]
Callback = Callable[[int, dict[str, float]], None]


def fit(
    net: Sequential,
    loss_fn: Loss,
    opt: Optimizer,
    X: ArrayLike,
    y: ArrayLike,
    epochs: int = 10,
    batch_size: int = 32,
    rng: RNGLike = None,
    *,
    validation_data: tuple[ArrayLike, ArrayLike] | None = None,
    callback: Callback | None = None,
) -> History:
    """Train ``net`` in place on ``X`` (N, n_0) and targets ``y`` ((N,) labels or (N, n_L)).

    Each epoch shuffles the samples with ``rng`` and runs, per mini-batch of at most
    ``batch_size`` rows: ``forward``, ``loss_fn.forward``, ``backward`` (skipping
    dL/dX, which training never needs) and ``opt.step()``. The same ``rng`` seed and
    initial weights give the same run. ``rng`` is an int seed, a ``numpy.random.Generator``
    or ``None``.

    Before the first update, ``fit`` checks all of ``X``, ``y`` and ``validation_data``
    (shapes, NaN/inf with its row and column, labels against the loss) and that ``opt`` holds
    this network's parameters: when it raises, no parameter has changed.

    Returns a history with one entry per epoch: ``"loss"`` (mean over the epoch's
    samples) and, for ``SoftmaxCrossEntropyLoss``, ``"accuracy"`` (on the training
    batches as they were seen). With ``validation_data=(X_val, y_val)`` it also holds
    ``"val_loss"`` and ``"val_accuracy"``. ``callback(epoch, logs)`` is called after
    each epoch with that epoch's values (a progress bar can use it).
    """
    if not (
        isinstance(epochs, int) and epochs >= 1 and isinstance(batch_size, int) and batch_size >= 1
    ):
        raise ValueError(
            f"fit: epochs and batch_size must be positive ints, got {epochs}, {batch_size}."
        )
    X, y = check_data(net, loss_fn, X, y)
    if validation_data is not None:
        validation_data = check_data(net, loss_fn, *validation_data, what="validation_data ")
    check_optimizer(net, opt)
    rng = as_rng(rng, "fit")
    classify = isinstance(loss_fn, SoftmaxCrossEntropyLoss)
    history: History = {"loss": []}
    if classify:
        history["accuracy"] = []
    if validation_data is not None:
        history["val_loss"] = []
        if classify:
            history["val_accuracy"] = []
    N = len(X)
    for epoch in range(epochs):
        order = rng.permutation(N)
        total_loss, correct = 0.0, 0
        for start in range(0, N, batch_size):
            idx = order[start : start + batch_size]
            Xb, yb = X[idx], y[idx]
            Xb.setflags(write=False)  # fit's own batch, never written: Linear keeps it uncopied
            # --8<-- [start:train_step]
            out = net.forward(Xb)  # each layer caches what its backward needs
            loss = loss_fn.forward(out, yb)  # the batch loss, a mean of per-sample losses
            net.backward(loss_fn.backward(), need_input_grad=False)  # BP1-BP4
            opt.step()  # W -= lr * dW, b -= lr * db, in place
            # --8<-- [end:train_step]
            total_loss += loss * len(idx)
            if classify:
                correct += _n_correct(out, yb)
        logs = {"loss": total_loss / N}
        if classify:
            logs["accuracy"] = correct / N
        if validation_data is not None:
            logs.update(evaluate(net, loss_fn, *validation_data, prefix="val_"))
        for key, value in logs.items():
            history[key].append(value)
        if callback is not None:
            callback(epoch, logs)
    return history


def evaluate(
    net: Sequential, loss_fn: Loss, X: ArrayLike, y: ArrayLike, prefix: str = ""
) -> dict[str, float]:
    """Loss (and accuracy, for classification) of ``net`` on ``X``, ``y``, without training."""
    y = np.asarray(y)
    out = net.predict(X)
    logs = {prefix + "loss": loss_fn.forward(out, y)}
    if isinstance(loss_fn, SoftmaxCrossEntropyLoss):
        logs[prefix + "accuracy"] = _n_correct(out, y) / len(y)
    return logs


def _n_correct(logits: NDArray[Any], y: NDArray[Any]) -> int:
    labels = y if y.ndim == 1 else y.argmax(axis=1)
    return int((logits.argmax(axis=1) == labels).sum())
