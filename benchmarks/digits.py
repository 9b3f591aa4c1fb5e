"""Digits 64-64-10 to 97% test accuracy: our time, and torch's time for the same schedule.

Schedule: float32, ReLU, softmax cross-entropy, SGD (lr 0.1, momentum 0.9, weight decay 1e-3,
as in the training notebook), mini-batches of 32 shuffled by ``rng.permutation`` each epoch,
test accuracy measured after every epoch. Ours trains with ``bp.fit`` one epoch at a time and
stops at the first epoch that reaches 97%. Torch then runs *the same schedule*: the same
initial weights, the same batches in the same order, the same number of epochs, with the same
per-batch bookkeeping as ``fit`` (loss and accuracy of each batch) and the same evaluation after
each epoch. Data loading and model construction are not timed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp

TARGET_ACCURACY = 0.97
MAX_EPOCHS = 60
BATCH_SIZE = 32
DTYPE = np.float32


@dataclass(frozen=True)
class Data:
    X_train: NDArray[np.float32]
    X_test: NDArray[np.float32]
    y_train: NDArray[np.int64]
    y_test: NDArray[np.int64]


@dataclass(frozen=True)
class Run:
    seconds: float  # the process's CPU time (see harness.round_robin)
    wall_seconds: float
    epochs: int
    accuracy: float


class Stopwatch:
    """CPU time and wall-clock time since creation."""

    def __init__(self) -> None:
        self.cpu, self.wall = time.process_time(), time.perf_counter()

    def run(self, epochs: int, accuracy: float) -> Run:
        cpu, wall = time.process_time() - self.cpu, time.perf_counter() - self.wall
        return Run(cpu, wall, epochs, accuracy)


def load() -> Data:
    split = bp.datasets.load_digits(test_size=0.25, rng=np.random.default_rng(0))
    return Data(
        split.X_train.astype(DTYPE), split.X_test.astype(DTYPE), split.y_train, split.y_test
    )


def _setup(seed: int) -> tuple[bp.Sequential, np.random.Generator]:
    """The network and the shuffling generator: both runs of a seed start from these states."""
    rng = np.random.default_rng(seed)
    net = bp.Sequential(
        bp.Linear(64, 64, rng=rng, dtype=DTYPE), bp.ReLU(), bp.Linear(64, 10, rng=rng, dtype=DTYPE)
    )
    return net, rng


def _optimizer(net: bp.Sequential) -> bp.SGD:
    return bp.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)


def train_ours(data: Data, seed: int) -> Run:
    """Train with ``bp.fit`` until the test accuracy reaches 97% (or MAX_EPOCHS)."""
    net, rng = _setup(seed)
    loss_fn, opt = bp.SoftmaxCrossEntropyLoss(), _optimizer(net)
    accuracy, epochs = 0.0, 0
    clock = Stopwatch()
    while epochs < MAX_EPOCHS and accuracy < TARGET_ACCURACY:
        bp.fit(net, loss_fn, opt, data.X_train, data.y_train, 1, BATCH_SIZE, rng)
        accuracy = float(np.mean(net.predict(data.X_test).argmax(axis=1) == data.y_test))
        epochs += 1
    return clock.run(epochs, accuracy)


def train_torch(torch: Any, data: Data, seed: int, epochs: int) -> Run:
    """torch.nn + torch.optim.SGD on the schedule of ``train_ours`` for ``seed``, ``epochs`` long."""
    from .mlp import torch_model

    net, rng = _setup(seed)
    model = torch_model(torch, net)
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
    X, y = torch.from_numpy(data.X_train), torch.from_numpy(data.y_train)
    X_test, y_test = torch.from_numpy(data.X_test), torch.from_numpy(data.y_test)
    N = len(X)
    accuracy = 0.0
    clock = Stopwatch()
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(N))
        total_loss, correct = 0.0, 0  # fit's per-batch bookkeeping, done the same way
        for first in range(0, N, BATCH_SIZE):
            idx = order[first : first + BATCH_SIZE]
            Xb, yb = X[idx], y[idx]
            opt.zero_grad()
            out = model(Xb)
            loss = loss_fn(out, yb)
            loss.backward()
            opt.step()
            total_loss += loss.item() * len(idx)
            correct += int((out.argmax(dim=1) == yb).sum())
        with torch.no_grad():
            accuracy = float((model(X_test).argmax(dim=1) == y_test).float().mean())
    return clock.run(epochs, accuracy)


def benchmark(torch: Any | None, seeds: int = 10, repeats: int = 3) -> dict[str, Any]:
    """Per seed: the median of ``repeats`` timed runs of ours (and of torch), run in turn."""
    data = load()
    train_ours(data, seed=1000)  # warm-up: imports, first-call costs
    if torch is not None:
        train_torch(torch, data, seed=1000, epochs=1)
    per_seed = []
    for seed in range(seeds):
        ours_runs, torch_runs = [], []
        for r in range(repeats):
            if torch is not None and r % 2:
                torch_runs.append(train_torch(torch, data, seed, ours_runs[-1].epochs))
            ours_runs.append(train_ours(data, seed))
            if torch is not None and not r % 2:
                torch_runs.append(train_torch(torch, data, seed, ours_runs[-1].epochs))
        epochs = {run.epochs for run in ours_runs}
        assert len(epochs) == 1, f"seed {seed}: the same seed gave different schedules {epochs}"
        row: dict[str, Any] = {
            "seed": seed,
            "epochs": ours_runs[0].epochs,
            "accuracy": ours_runs[0].accuracy,
            "seconds": float(np.median([run.seconds for run in ours_runs])),
            "wall_seconds": float(np.median([run.wall_seconds for run in ours_runs])),
        }
        if torch_runs:
            row["torch_seconds"] = float(np.median([run.seconds for run in torch_runs]))
            row["torch_wall_seconds"] = float(np.median([run.wall_seconds for run in torch_runs]))
            row["torch_accuracy"] = torch_runs[0].accuracy
            row["ratio"] = row["seconds"] / row["torch_seconds"]
        per_seed.append(row)
    return {"per_seed": per_seed}
