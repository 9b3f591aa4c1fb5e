"""Mistakes a user makes with the API get an error that says what is wrong and where, at the
place where it happens (issue 12): a layer used twice, fit's data checked before the first
update, optimizers built wrongly, and custom activations that break the contract."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest

import backprop as bp

rng = np.random.default_rng(0)


def small_net(seed: int = 0) -> bp.Sequential:
    return bp.Sequential(
        bp.Linear(3, 5, rng=np.random.default_rng(seed)),
        bp.ReLU(),
        bp.Linear(5, 4, rng=np.random.default_rng(seed + 1)),
    )


# --- a module used twice in one Sequential ---------------------------------------------------


@pytest.mark.parametrize("shared", [bp.Linear(4, 4, rng=rng), bp.Tanh()])
def test_a_module_used_twice_is_rejected(shared: bp.Module) -> None:
    other = bp.Linear(4, 4, rng=rng)
    msg = (
        rf"Sequential: layers\[0\] and layers\[2\] are the same {re.escape(repr(shared))} "
        r"object\. .*overwritten by the second use, not summed"
    )
    with pytest.raises(ValueError, match=msg):
        bp.Sequential(shared, other, shared)


def test_equal_but_separate_modules_are_fine() -> None:
    bp.Sequential(bp.Linear(2, 2, rng=rng), bp.ReLU(), bp.Linear(2, 2, rng=rng), bp.ReLU())


# --- fit checks all of X and y before the first update ----------------------------------------


def fit(net: bp.Sequential, X: Any, y: Any, **kwargs: Any) -> Any:
    opt = bp.SGD(net.parameters(), lr=0.5)
    return bp.fit(
        net, bp.SoftmaxCrossEntropyLoss(), opt, X, y, epochs=2, batch_size=4, rng=rng, **kwargs
    )


def data() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(3).standard_normal((40, 3))
    return X, np.arange(40) % 4


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_fit_reports_nan_at_its_row_and_column_in_X_and_changes_nothing(bad: float) -> None:
    net = small_net()
    before = net.state_dict()
    X, y = data()
    X[37, 2] = bad  # in the last batch of an unshuffled epoch, so late in any order
    with pytest.raises(
        ValueError, match=rf"fit: X contains {bad} at index \(37, 2\) \(row 37, column 2\)"
    ):
        fit(net, X, y)
    for name, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize(
    ("label", "error", "message"),
    [
        (9, ValueError, r"label 9 at index 38 is out of range for 4 classes"),
        (-1, ValueError, r"label -1 at index 38 is out of range"),
    ],
)
def test_fit_reports_a_bad_label_at_its_index_in_y_and_changes_nothing(
    label, error, message
) -> None:
    net = small_net()
    before = net.state_dict()
    X, y = data()
    y[38] = label
    with pytest.raises(error, match=r"fit: y does not suit the loss .*" + message):
        fit(net, X, y)
    for name, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_fit_checks_float_labels_and_validation_data_first() -> None:
    net = small_net()
    before = net.state_dict()
    X, y = data()
    with pytest.raises(
        TypeError, match=r"fit: y does not suit the loss .*must be an integer array"
    ):
        fit(net, X, y.astype(float))
    X_val = X[:5].copy()
    X_val[4, 0] = np.nan
    with pytest.raises(ValueError, match=r"fit: validation_data X contains nan at index \(4, 0\)"):
        fit(net, X, y, validation_data=(X_val, y[:5]))
    for name, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_fit_reports_a_wrong_feature_count_before_training() -> None:
    X, y = data()
    with pytest.raises(
        ValueError, match=r"Linear\(in_features=3, out_features=5\): expected input shape \(N, 3\)"
    ):
        fit(small_net(), X[:, :2], y)


def test_fit_rejects_an_optimizer_built_for_another_network() -> None:
    net, other = small_net(0), small_net(7)
    before = net.state_dict()
    X, y = data()
    opt = bp.SGD(other.parameters(), lr=0.1)
    with pytest.raises(
        ValueError, match=r"fit: the optimizer holds the parameter 'W' of Linear.* another network"
    ):
        bp.fit(net, bp.SoftmaxCrossEntropyLoss(), opt, X, y, epochs=1, rng=rng)
    assert all(np.array_equal(v, before[k]) for k, v in net.state_dict().items())


# --- optimizers --------------------------------------------------------------------------------


@pytest.mark.parametrize("Opt", [bp.SGD, bp.Adam])
def test_passing_the_parameters_method_says_to_call_it(Opt: type[bp.Optimizer]) -> None:
    net = small_net()
    with pytest.raises(
        TypeError,
        match=rf"{Opt.__name__}: got the method .*parameters.* Call it: {Opt.__name__}\(net\.parameters\(\), \.\.\.\)",
    ):
        Opt(net.parameters, lr=0.1)  # type: ignore[arg-type]


@pytest.mark.parametrize("Opt", [bp.SGD, bp.Adam])
def test_an_optimizer_of_another_network_says_so(Opt: type[bp.Optimizer]) -> None:
    net, other = small_net(0), small_net(7)
    opt = Opt(other.parameters(), lr=0.1)
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    X, y = data()
    loss_fn.forward(net.forward(X), y)
    net.backward(loss_fn.backward())
    before = other.state_dict()
    with pytest.raises(
        RuntimeError, match=r"has run neither forward nor backward.*built for other parameters"
    ) as info:
        opt.step()
    assert "forward ran" not in str(info.value)
    assert all(np.array_equal(v, before[k]) for k, v in other.state_dict().items())


def test_step_after_forward_only_says_to_call_backward() -> None:
    net = small_net()
    opt = bp.SGD(net.parameters(), lr=0.1)
    net.forward(np.ones((2, 3)))
    with pytest.raises(RuntimeError, match=r"forward ran, backward did not\. Call net\.backward"):
        opt.step()


# --- numerical_gradient needs a scalar function -------------------------------------------------


@pytest.mark.parametrize("f", [lambda x: 2 * x, lambda x: [float(x.sum())], lambda x: 1j * x.sum()])
def test_numerical_gradient_requires_a_scalar(f: Any) -> None:
    with pytest.raises(TypeError, match=r"numerical_gradient: f must return a scalar.*returned"):
        bp.numerical_gradient(f, np.ones((2, 3)))


def test_numerical_gradient_accepts_numpy_scalars() -> None:
    grad = bp.numerical_gradient(lambda x: np.sum(x**2), np.ones(3))
    np.testing.assert_allclose(grad, 2 * np.ones(3), rtol=1e-8)


# --- MSELoss with class labels -------------------------------------------------------------------


def test_mse_with_integer_labels_suggests_one_hot() -> None:
    with pytest.raises(ValueError, match=r"one-hot encode them, np\.eye\(4\)\[y\]") as info:
        bp.MSELoss().forward(np.zeros((6, 4)), np.arange(6) % 4)
    assert "reshape" not in str(info.value)


def test_mse_with_a_flat_target_for_one_output_still_suggests_reshape() -> None:
    with pytest.raises(ValueError, match=r"reshape the target, e\.g\. y\.reshape\(-1, 1\)"):
        bp.MSELoss().forward(np.zeros((6, 1)), np.zeros(6))


# --- custom activations ----------------------------------------------------------------------------


class NoTuple(bp.Activation):
    def _sigma(self, Z: Any) -> Any:
        return np.tanh(Z)

    def _sigma_prime(self, cache: Any) -> Any:
        return 1 - cache**2


class WrongShape(bp.Activation):
    def _sigma(self, Z: Any) -> Any:
        return Z.sum(axis=1, keepdims=True), Z

    def _sigma_prime(self, cache: Any) -> Any:
        return np.ones_like(cache)


class NoSuper(bp.Activation):
    def __init__(self, slope: float) -> None:
        self.slope = slope  # forgot super().__init__()

    def _sigma(self, Z: Any) -> Any:
        return np.where(Z > 0, Z, self.slope * Z), Z > 0

    def _sigma_prime(self, mask: Any) -> Any:
        return np.where(mask, 1.0, self.slope)


def test_sigma_that_returns_no_tuple_fails_in_that_layer() -> None:
    msg = r"NoTuple\(\): _sigma\(Z\) must return a tuple \(A, cache\) .*shape \(2, 3\); it returned ndarray of shape \(2, 3\)"
    with pytest.raises(TypeError, match=msg):
        bp.Sequential(bp.Linear(3, 3, rng=rng), NoTuple(), bp.Linear(3, 1, rng=rng)).forward(
            np.ones((2, 3))
        )


def test_sigma_with_an_output_of_another_shape_fails_in_that_layer() -> None:
    msg = r"WrongShape\(\): _sigma\(Z\) must return .* it returned a tuple with A of shape \(2, 1\)"
    with pytest.raises(ValueError, match=msg):
        bp.Sequential(bp.Linear(3, 3, rng=rng), WrongShape(), bp.Linear(3, 1, rng=rng)).forward(
            np.ones((2, 3))
        )


def test_forgetting_super_init_says_so() -> None:
    with pytest.raises(
        AttributeError,
        match=r"NoSuper has no attribute 'cache': its __init__ did not call super\(\)\.__init__\(\)",
    ):
        NoSuper(0.1).backward(np.ones((2, 3)))


def test_a_missing_attribute_of_a_proper_module_is_a_plain_attribute_error() -> None:
    with pytest.raises(AttributeError, match=r"'ReLU' object has no attribute 'slope'$"):
        bp.ReLU().slope  # noqa: B018
