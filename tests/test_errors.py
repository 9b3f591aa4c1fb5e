"""Bad input gets a clear ValueError/TypeError (or RuntimeError for misuse) naming the module
and the shapes involved; nothing is silently broadcast.

Policy for integer inputs, as documented in ``backprop._checks``: integer and bool arrays are
**cast** to the layer's float dtype (not rejected); complex, object and string arrays are
rejected with ``TypeError``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import backprop as bp

rng = np.random.default_rng(0)
LINEAR = re.escape("Linear(in_features=3, out_features=2)")


def linear() -> bp.Linear:
    return bp.Linear(3, 2, rng=np.random.default_rng(0))


# --- wrong feature count and other shape errors -----------------------------------------------


def test_wrong_feature_count() -> None:
    msg = LINEAR + r": expected input with 3 features, shape \(N, 3\), got shape \(4, 5\)"
    with pytest.raises(ValueError, match=msg):
        linear().forward(np.ones((4, 5)))


def test_wrong_feature_count_inside_a_network_names_the_layer() -> None:
    net = bp.Sequential(bp.Linear(4, 3, rng=rng), bp.ReLU(), bp.Linear(2, 1, rng=rng))
    msg = re.escape("Linear(in_features=2, out_features=1): expected input with 2 features")
    with pytest.raises(ValueError, match=msg + r".*got shape \(5, 3\)"):
        net.forward(np.ones((5, 4)))


def test_one_dimensional_input_is_not_broadcast() -> None:
    with pytest.raises(
        ValueError, match=r"must be 2-D .* got shape \(3,\)\. Use x\.reshape\(1, -1\)"
    ):
        linear().forward(np.ones(3))


def test_empty_batch() -> None:
    with pytest.raises(ValueError, match=r"has no samples \(shape \(0, 3\)\)"):
        linear().forward(np.ones((0, 3)))


def test_backward_gradient_of_the_wrong_shape() -> None:
    layer = linear()
    layer.forward(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"expected a gradient of shape \(4, 2\) .* got \(4, 1\)"):
        layer.backward(np.ones((4, 1)))
    relu = bp.ReLU()
    relu.forward(np.ones((4, 2)))
    with pytest.raises(
        ValueError, match=r"ReLU\(\): backward expected a gradient of shape \(4, 2\)"
    ):
        relu.backward(np.ones((2,)))


# --- labels ---------------------------------------------------------------------------------


def test_label_out_of_range() -> None:
    msg = r"label 3 at index 2 is out of range for 3 classes \(valid labels are 0\.\.2\)"
    with pytest.raises(ValueError, match=msg):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((4, 3)), np.array([0, 1, 3, 2]))


def test_negative_label() -> None:
    with pytest.raises(ValueError, match="label -1 at index 0 is out of range for 3 classes"):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((2, 3)), np.array([-1, 0]))


def test_non_integer_labels() -> None:
    msg = r"class labels must be an integer array of shape \(3,\), got dtype float64"
    with pytest.raises(TypeError, match=msg):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((3, 2)), np.array([0.0, 1.0, 0.5]))


def test_wrong_number_of_labels() -> None:
    with pytest.raises(ValueError, match=r"3 labels for 4 rows of logits \(4, 2\)"):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((4, 2)), np.array([0, 1, 0]))


# --- target shape mismatch ------------------------------------------------------------------


def test_mse_target_shape_mismatch_is_not_broadcast() -> None:
    msg = r"MSELoss: target shape \(4,\) does not match pred shape \(4, 1\)\. Shapes are never broadcast"
    with pytest.raises(ValueError, match=msg):
        bp.MSELoss().forward(np.zeros((4, 1)), np.zeros(4))


def test_cross_entropy_target_shape_mismatch() -> None:
    msg = r"target shape \(4, 2\) does not match logits shape \(4, 3\)"
    with pytest.raises(ValueError, match=msg):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((4, 3)), np.full((4, 2), 0.5))


def test_cross_entropy_targets_must_be_probabilities() -> None:
    with pytest.raises(ValueError, match="must be one-hot or probabilities"):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((2, 2)), np.array([[0.5, 0.6], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="must be one-hot or probabilities"):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((1, 2)), np.array([[1.5, -0.5]]))


# --- NaN and inf ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_in_the_input(bad: float) -> None:
    X = np.ones((2, 3))
    X[1, 2] = bad
    with pytest.raises(ValueError, match=LINEAR + rf": input contains {bad} at index \(1, 2\)"):
        linear().forward(X)


def test_nan_in_the_predictions_or_targets() -> None:
    bad = np.array([[1.0, np.nan]])
    with pytest.raises(ValueError, match=r"MSELoss: pred contains nan at index \(0, 1\)"):
        bp.MSELoss().forward(bad, np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"MSELoss: target contains nan at index \(0, 1\)"):
        bp.MSELoss().forward(np.zeros((1, 2)), bad)
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropyLoss: logits contains inf"):
        bp.SoftmaxCrossEntropyLoss().forward(np.array([[np.inf, 0.0]]), np.array([0]))
    with pytest.raises(ValueError, match=r"SoftmaxCrossEntropyLoss: target contains nan"):
        bp.SoftmaxCrossEntropyLoss().forward(np.zeros((1, 2)), bad)


def test_overflowing_loss_is_a_value_error_not_a_warning() -> None:
    """Finite but huge predictions whose squares overflow: the loss would be inf. The user
    gets one clear ValueError (and no RuntimeWarning, which this suite turns into an error)."""
    with pytest.raises(ValueError, match=r"MSELoss: the loss is inf\. The predictions or targets"):
        bp.MSELoss().forward(np.full((2, 2), 1e200), np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"MSELoss: the loss is inf"):  # the difference overflows
        bp.MSELoss().forward(np.array([[1e308]]), np.array([[-1e308]]))


# --- backward before forward ----------------------------------------------------------------


@pytest.mark.parametrize(
    "module", [linear(), bp.ReLU(), bp.Sigmoid(), bp.Tanh()], ids=lambda m: type(m).__name__
)
def test_backward_before_forward_in_a_layer(module: bp.Module) -> None:
    with pytest.raises(
        RuntimeError, match=re.escape(f"{module!r}: backward() called before forward()")
    ):
        module.backward(np.ones((1, 2)))


@pytest.mark.parametrize("loss_fn", [bp.MSELoss(), bp.SoftmaxCrossEntropyLoss()], ids=repr)
def test_backward_before_forward_in_a_loss(loss_fn: bp.Loss) -> None:
    msg = re.escape(f"{type(loss_fn).__name__}: backward() called before forward()")
    with pytest.raises(RuntimeError, match=msg):
        loss_fn.backward()


def test_backward_before_forward_in_a_network() -> None:
    net = bp.Sequential(linear(), bp.ReLU())
    with pytest.raises(RuntimeError, match=r"ReLU\(\): backward\(\) called before forward\(\)"):
        net.backward(np.ones((1, 2)))
    first_only = bp.Sequential(linear())  # need_input_grad=False takes the backward_params path
    with pytest.raises(RuntimeError, match=LINEAR + r": backward\(\) called before forward\(\)"):
        first_only.backward(np.ones((1, 2)), need_input_grad=False)


def test_optimizer_step_before_backward() -> None:
    net = bp.Sequential(linear())
    opt = bp.SGD(net.parameters(), lr=0.1)
    with pytest.raises(
        RuntimeError,
        match=r"no gradient for 'W' yet: .*Call net\.forward\(\.\.\.\) and net\.backward",
    ):
        opt.step()


# --- dtypes: integers are cast, complex/object/strings are rejected --------------------------


def test_integer_input_is_cast_not_rejected() -> None:
    layer = linear()
    X_int = np.array([[1, 2, 3], [4, 5, 6]])
    Z = layer.forward(X_int)
    assert Z.dtype == np.float64
    np.testing.assert_array_equal(Z, layer.forward(X_int.astype(np.float64)))
    layer32 = bp.Linear(3, 2, rng=np.random.default_rng(0), dtype=np.float32)
    assert layer32.forward(X_int).dtype == np.float32
    assert layer32.forward(X_int.astype(bool)).dtype == np.float32
    assert bp.ReLU().forward(np.array([[-1, 2]])).dtype == np.float64
    assert bp.MSELoss().forward(np.array([[1, 2]]), np.array([[1, 4]])) == 2.0


@pytest.mark.parametrize(
    "X",
    [
        np.ones((2, 3), dtype=complex),
        np.array([[1, 2, 3], [4, 5, 6]], dtype=object),
        np.array([["1", "2", "3"]]),
    ],
    ids=["complex", "object", "str"],
)
def test_complex_object_and_string_inputs_are_rejected(X: np.ndarray) -> None:
    msg = LINEAR + rf": input must be a real numeric array, got dtype {re.escape(str(X.dtype))}"
    with pytest.raises(TypeError, match=msg):
        linear().forward(X)
    with pytest.raises(TypeError, match=r"Sigmoid\(\): input must be a real numeric array"):
        bp.Sigmoid().forward(X)


def test_complex_predictions_are_rejected_by_the_losses() -> None:
    with pytest.raises(TypeError, match="MSELoss: pred must be a real numeric array"):
        bp.MSELoss().forward(np.ones((1, 2), dtype=complex), np.ones((1, 2)))
    with pytest.raises(TypeError, match="SoftmaxCrossEntropyLoss: logits must be a real numeric"):
        bp.SoftmaxCrossEntropyLoss().forward(np.ones((1, 2), dtype=complex), np.array([0]))


# --- constructor and API misuse -------------------------------------------------------------


def test_constructor_errors() -> None:
    with pytest.raises(ValueError, match="Linear: in_features must be a positive int, got 0"):
        bp.Linear(0, 2)
    with pytest.raises(ValueError, match=r"Linear: out_features must be a positive int, got 2\.5"):
        bp.Linear(2, 2.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Linear: dtype must be a float dtype, got int64"):
        bp.Linear(2, 2, dtype=np.int64)
    with pytest.raises(ValueError, match=r"Linear: init must be one of \['he', 'xavier'\]"):
        bp.Linear(2, 2, init="zeros")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="Sequential: give at least one layer"):
        bp.Sequential()
    with pytest.raises(TypeError, match=r"Sequential: layers\[1\] is .* not a backprop Module"):
        bp.Sequential(linear(), np.tanh)  # type: ignore[arg-type]


def test_optimizer_hyperparameter_errors() -> None:
    params = bp.Sequential(linear()).parameters()
    with pytest.raises(ValueError, match="SGD: got no parameters to optimize"):
        bp.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="SGD: lr must be > 0, got 0"):
        bp.SGD(params, lr=0)
    with pytest.raises(ValueError, match=r"SGD: momentum must be in \[0, 1\), got 1"):
        bp.SGD(params, lr=0.1, momentum=1)
    with pytest.raises(ValueError, match="SGD: weight_decay must be >= 0"):
        bp.SGD(params, lr=0.1, weight_decay=-1)
    with pytest.raises(ValueError, match=r"Adam: betas must be in \[0, 1\)"):
        bp.Adam(params, betas=(0.9, 1.0))
    with pytest.raises(TypeError, match="Adam: expected Parameter handles"):
        bp.Adam([np.zeros(3)])  # type: ignore[list-item]


def test_fit_argument_errors() -> None:
    net = bp.Sequential(linear())
    opt = bp.SGD(net.parameters(), lr=0.1)
    loss_fn = bp.MSELoss()
    with pytest.raises(
        ValueError, match=r"fit: X must be \(N, features\) .* got X \(4, 3\), y \(3, 2\)"
    ):
        bp.fit(net, loss_fn, opt, np.ones((4, 3)), np.ones((3, 2)), epochs=1)
    with pytest.raises(ValueError, match="fit: epochs and batch_size must be positive ints"):
        bp.fit(net, loss_fn, opt, np.ones((4, 3)), np.ones((4, 2)), epochs=0)


def test_shapes_rejects_wrong_feature_count():
    net = bp.Sequential(bp.Linear(4, 3), bp.ReLU(), bp.Linear(3, 2))
    with pytest.raises(ValueError, match=r"expected input shape \(N, 4\), got \(8, 5\)"):
        net.shapes((8, 5))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"eps": 0.0}, "eps must be > 0"), ({"weight_decay": -1.0}, "weight_decay must be >= 0")],
)
def test_adam_rejects_bad_hyperparameters(kwargs, message):
    net = bp.Sequential(bp.Linear(2, 2))
    with pytest.raises(ValueError, match=message):
        bp.Adam(net.parameters(), **kwargs)
