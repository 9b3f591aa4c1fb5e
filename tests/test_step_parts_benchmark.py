"""The benchmark of the training step's parts times the package's own modules on the arrays of
a real step, and what it calls "everything else" is the step minus the parts."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not installed

import backprop as bp
from benchmarks import parts


def test_one_round_measures_the_step_and_every_part() -> None:
    result = parts.benchmark(rounds=1, batch_sizes=(8,))
    (column,) = result["by_batch"]
    micros = column["median_us"]
    assert column["batch_size"] == 8
    assert set(micros) == {"step", *parts.PARTS}
    assert all(value > 0 for value in micros.values())
    expected = micros["step"] - sum(micros[name] for name in parts.PARTS)
    assert column["rest_us"] == pytest.approx(expected, abs=1e-9)


def test_the_parts_run_the_package_on_the_shapes_of_a_real_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[str, tuple[int, ...]]] = []
    relu_forward, loss_forward = bp.ReLU.forward, bp.SoftmaxCrossEntropyLoss.forward

    def spy_relu(self: bp.ReLU, Z: np.ndarray) -> np.ndarray:
        seen.append(("relu", Z.shape))
        return relu_forward(self, Z)

    def spy_loss(self: bp.SoftmaxCrossEntropyLoss, Z: np.ndarray, y: np.ndarray) -> float:
        seen.append(("loss", Z.shape))
        return loss_forward(self, Z, y)

    cases = parts.cases(16)
    monkeypatch.setattr(bp.ReLU, "forward", spy_relu)
    monkeypatch.setattr(bp.SoftmaxCrossEntropyLoss, "forward", spy_loss)
    cases["relus"]()
    cases["loss"]()
    assert seen == [("relu", (16, 256)), ("relu", (16, 256)), ("loss", (16, 10))]


def test_the_update_leaves_the_step_network_alone() -> None:
    """``update`` applies stale gradients over and over: it must not move the step's weights."""
    cases = parts.cases(8)
    step_net = inspect.getclosurevars(cases["step"]).nonlocals["net"]
    before = [p.value.copy() for p in step_net.parameters()]
    for _ in range(5):
        cases["update"]()
    for p, old in zip(step_net.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.value, old)
    update_opt = cases["update"].__self__
    assert isinstance(update_opt, bp.SGD)
    assert all(
        not np.shares_memory(p.value, q.value)
        for p in update_opt.params
        for q in step_net.parameters()
    )
