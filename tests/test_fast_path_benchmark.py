"""The fast-path benchmark times the package's own two forward functions, at batch sizes on
both sides of ``SMALL_BATCH``, and refuses to time them if they disagree."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not installed

from backprop import layers
from backprop.layers import SMALL_BATCH
from benchmarks import fast_path


def test_one_round_at_each_batch_size_measures_every_ratio() -> None:
    result = fast_path.benchmark(rounds=1, block_seconds=0.001)
    assert result["small_batch"] == SMALL_BATCH
    assert [row["rows"] for row in result["by_rows"]] == list(fast_path.ROWS)
    assert min(fast_path.ROWS) <= SMALL_BATCH < max(fast_path.ROWS)
    for row in result["by_rows"]:
        for key in ("fast_over_clear", "transposed_product_over_product"):
            assert row[key]["n"] == 1 and row[key]["median"] > 0


def test_it_times_the_functions_that_linear_forward_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    clear, fast = layers.affine, layers.affine_fast

    def spy_clear(*args: np.ndarray) -> np.ndarray:
        calls.append("affine")
        return clear(*args)

    def spy_fast(*args: np.ndarray) -> np.ndarray:
        calls.append("affine_fast")
        return fast(*args)

    monkeypatch.setattr(fast_path, "affine", spy_clear)
    monkeypatch.setattr(fast_path, "affine_fast", spy_fast)
    cases = fast_path.cases(8)
    calls.clear()
    cases["affine"]()
    cases["affine_fast"]()
    assert calls == ["affine", "affine_fast"]


def test_a_fast_path_that_disagrees_is_not_timed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fast_path, "affine_fast", lambda A, W, b: layers.affine(A, W, b) + 1)
    with pytest.raises(AssertionError, match="disagree at 32 rows"):
        fast_path.cases(32)
