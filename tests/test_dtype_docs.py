"""The implementation page and the API reference (docstrings) state the same dtype policy,
and the code does what they state (issue 12: they disagreed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import backprop as bp

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "implementation.md").read_text("utf-8")
INTS = [np.int64, np.int32, np.uint8, np.bool_]


def test_the_page_and_the_docstrings_state_the_policy() -> None:
    assert "`Linear` casts integer, bool and other float inputs to its own dtype" in PAGE
    assert (
        "Activations and losses keep a float input's dtype and cast integer and bool inputs to\n  float64"
        in PAGE
    )
    assert "A loss casts the target to the dtype of the prediction." in PAGE
    assert "Inputs of integer or bool dtype, or of another float dtype, are cast to ``dtype``" in (
        bp.Linear.__doc__ or ""
    )
    assert "Float inputs keep their dtype; integer and bool inputs are cast to float64." in (
        bp.Activation.__doc__ or ""
    )


@pytest.mark.parametrize("dtype", [*INTS, np.float16, np.float64])
def test_linear_casts_everything_to_its_own_dtype(dtype: type) -> None:
    layer = bp.Linear(3, 2, rng=np.random.default_rng(0), dtype=np.float32)
    assert layer.forward(np.ones((2, 3), dtype=dtype)).dtype == np.float32


@pytest.mark.parametrize("act", [bp.ReLU, bp.Sigmoid, bp.Tanh])
@pytest.mark.parametrize("dtype", INTS)
def test_activations_cast_integers_and_bools_to_float64(
    act: type[bp.Activation], dtype: type
) -> None:
    assert act().forward(np.ones((2, 3), dtype=dtype)).dtype == np.float64


@pytest.mark.parametrize("act", [bp.ReLU, bp.Sigmoid, bp.Tanh])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_activations_keep_a_float_dtype(act: type[bp.Activation], dtype: type) -> None:
    assert act().forward(np.ones((2, 3), dtype=dtype)).dtype == dtype


@pytest.mark.parametrize("dtype", INTS)
def test_losses_cast_integer_predictions_to_float64_and_targets_to_the_prediction(
    dtype: type,
) -> None:
    mse = bp.MSELoss()
    mse.forward(np.ones((2, 3), dtype=dtype), np.zeros((2, 3)))
    assert mse.backward().dtype == np.float64
    mse.forward(np.ones((2, 3), dtype=np.float32), np.zeros((2, 3), dtype=dtype))
    assert mse.backward().dtype == np.float32
    ce = bp.SoftmaxCrossEntropyLoss()
    ce.forward(np.ones((2, 3), dtype=dtype), np.array([0, 2]))
    assert ce.backward().dtype == np.float64
