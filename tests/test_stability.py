"""Numerical stability: huge logits and saturated sigmoids stay finite and warning-free.

pytest runs with ``filterwarnings = ["error"]``, so any overflow/invalid RuntimeWarning from
NumPy fails these tests.
"""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_huge_logits_give_a_finite_loss_and_gradient(dtype: type) -> None:
    Z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 5e3], [1e4, 1e4, -1e4]], dtype=dtype)
    y = np.array([0, 0, 2])
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss = loss_fn.forward(Z, y)
    grad = loss_fn.backward()
    assert np.isfinite(loss) and np.isfinite(grad).all()
    assert grad.dtype == dtype
    # Exact values: row 0 is right with certainty (loss 0); row 1 puts all mass on class 1,
    # so -log p_0 = 2e4; row 2 splits between classes 0 and 1, so -log p_2 = 2e4 + log 2.
    expected = (0.0 + 2e4 + 2e4 + np.log(2)) / 3
    assert loss == pytest.approx(expected, rel=1e-6)
    P = np.array([[1, 0, 0], [0, 1, 0], [0.5, 0.5, 0]])
    Y = np.eye(3)[y]
    np.testing.assert_allclose(grad, (P - Y) / 3, atol=1e-7)


def test_huge_logits_with_probability_targets() -> None:
    Z = np.array([[1e4, -1e4], [-1e4, 1e4]])
    T = np.array([[0.5, 0.5], [1.0, 0.0]])
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss = loss_fn.forward(Z, T)
    assert loss == pytest.approx((0.5 * 2e4 + 2e4) / 2)
    assert np.isfinite(loss_fn.backward()).all()


def test_softmax_and_log_softmax_of_huge_logits() -> None:
    Z = np.array([[1e4, -1e4, 1e4 - 1.0], [-1e4, -1e4, -1e4]])
    log_p = bp.log_softmax(Z)
    p = bp.softmax(Z)
    assert np.isfinite(log_p[:, [0, 2]]).all() and np.isfinite(p).all()
    np.testing.assert_allclose(p.sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(p[1], [1 / 3] * 3)
    assert log_p[0, 1] == pytest.approx(-2e4 - np.log1p(np.exp(-1)), rel=1e-12)  # not -inf
    # Shifting logits by a constant changes nothing (the max-subtraction is exact math).
    np.testing.assert_allclose(bp.softmax(Z[:1] - 1e4), p[:1], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_of_huge_inputs_gives_no_warning(dtype: type) -> None:
    Z = np.array([[-1e3, -50.0, 0.0, 50.0, 1e3]], dtype=dtype)
    sig = bp.Sigmoid()
    A = sig.forward(Z)
    assert A.dtype == dtype
    assert A[0, 0] == 0.0 and A[0, -1] == 1.0 and A[0, 2] == 0.5
    assert 0 < A[0, 1] < 1e-20  # e^-50 / (1 + e^-50), no cancellation to 0
    dZ = sig.backward(np.ones_like(Z))
    assert np.isfinite(dZ).all()
    assert dZ[0, 0] == 0.0 and dZ[0, -1] == 0.0 and dZ[0, 2] == 0.25


def test_sigmoid_matches_the_naive_formula_where_that_is_safe() -> None:
    Z = np.linspace(-30, 30, 121).reshape(11, 11)
    np.testing.assert_allclose(bp.Sigmoid().forward(Z), 1 / (1 + np.exp(-Z)), rtol=1e-14)


@pytest.mark.parametrize("layer", [bp.Tanh(), bp.ReLU()], ids=repr)
def test_tanh_and_relu_of_huge_inputs(layer: bp.Activation) -> None:
    Z = np.array([[-1e300, -1e3, 1e3, 1e300]])
    A = layer.forward(Z)
    assert np.isfinite(A).all()
    assert np.isfinite(layer.backward(np.ones_like(Z))).all()


def test_network_with_huge_logits_trains_one_step_without_warnings() -> None:
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(2, 3, rng=rng))
    net.layers[0].W[:] = 1e4 * rng.standard_normal((3, 2))  # type: ignore[attr-defined]
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    X = np.array([[1.0, -1.0], [2.0, 0.5]])
    loss = loss_fn.forward(net.forward(X), np.array([0, 2]))
    assert np.isfinite(loss) and loss > 100  # confidently wrong somewhere: a huge but finite loss
    dX = net.backward(loss_fn.backward())
    assert dX is not None and np.isfinite(dX).all()
    assert all(np.isfinite(p.grad).all() for p in net.parameters())
