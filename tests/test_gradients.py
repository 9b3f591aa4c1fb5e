"""Finite-difference checks of every layer, every loss, the input gradient and whole networks.

Each module is checked on its own with an arbitrary upstream gradient G: for
``f(x) = sum(G * module.forward(x))``, dL/dx is ``module.backward(G)``. All in float64,
relative error below 1e-7 (``bp.relative_error``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

import backprop as bp

TOL = 1e-7
# Central-difference step for these hand-built checks (see test_equations.py for why 1e-5);
# check_gradients is tested with its own default.
EPS = 1e-5

Array = NDArray[np.float64]
shapes = st.tuples(st.integers(1, 6), st.integers(1, 5), st.integers(2, 5))  # (N, n, m)
seeds = st.integers(0, 2**32 - 1)

ACTIVATIONS: dict[str, type[bp.Activation]] = {
    "relu": bp.ReLU,
    "sigmoid": bp.Sigmoid,
    "tanh": bp.Tanh,
}


def upstream_loss(module: bp.Module, G: Array) -> Callable[[Array], float]:
    """f(x) = sum(G * module(x)): a scalar whose gradient wrt x is module.backward(G)."""

    def f(x: Array) -> float:
        return float((G * module.forward(x)).sum())

    return f


@given(shape=shapes, seed=seeds)
def test_linear_gradients(shape: tuple[int, int, int], seed: int) -> None:
    """Linear: dL/dA_prev, dL/dW and dL/db against finite differences."""
    N, n, m = shape
    rng = np.random.default_rng(seed)
    layer = bp.Linear(n, m, rng=rng)
    layer.b[:] = rng.standard_normal(m)
    X = rng.standard_normal((N, n))
    G = rng.standard_normal((N, m))
    f = upstream_loss(layer, G)
    layer.forward(X)
    dX = layer.backward(G)
    assert layer.dW is not None and layer.db is not None
    dW, db = layer.dW.copy(), layer.db.copy()
    assert (dX.shape, dW.shape, db.shape) == ((N, n), (m, n), (m,))
    assert bp.relative_error(dX, bp.numerical_gradient(f, X, EPS)) < TOL

    def f_params(_: Array) -> float:  # reads the perturbed W or b through the layer
        return f(X)

    assert bp.relative_error(dW, bp.numerical_gradient(f_params, layer.W, EPS)) < TOL
    assert bp.relative_error(db, bp.numerical_gradient(f_params, layer.b, EPS)) < TOL


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@given(shape=shapes, seed=seeds)
def test_activation_gradients(name: str, shape: tuple[int, int, int], seed: int) -> None:
    """ReLU, Sigmoid, Tanh: backward(G) = dL/dZ against finite differences."""
    N, _, m = shape
    rng = np.random.default_rng(seed)
    Z = 2 * rng.standard_normal((N, m))
    if name == "relu":  # keep central differences off the kink at 0
        Z = np.where(np.abs(Z) < 1e-3, 0.5, Z)
    G = rng.standard_normal((N, m))
    layer = ACTIVATIONS[name]()
    layer.forward(Z)
    analytic = layer.backward(G)
    assert analytic.shape == Z.shape
    numeric = bp.numerical_gradient(upstream_loss(ACTIVATIONS[name](), G), Z, EPS)
    assert bp.relative_error(analytic, numeric) < TOL


def test_relu_derivative_is_zero_at_zero() -> None:
    """The documented convention sigma'(0) = 0 (the mask is z > 0)."""
    relu = bp.ReLU()
    relu.forward(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(relu.backward(np.ones((1, 3))), [[0.0, 0.0, 1.0]])


def _targets(kind: str, rng: np.random.Generator, N: int, m: int) -> NDArray[Any]:
    if kind == "mse":
        return rng.standard_normal((N, m))
    if kind == "ce_labels":
        return rng.integers(0, m, size=N)
    P = rng.random((N, m)) + 0.05
    return P / P.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["mse", "ce_labels", "ce_probs"])
@given(shape=shapes, seed=seeds)
def test_loss_gradients(kind: str, shape: tuple[int, int, int], seed: int) -> None:
    """MSE and softmax cross-entropy (int labels and probability targets) vs finite differences."""
    N, _, m = shape
    rng = np.random.default_rng(seed)
    pred = 2 * rng.standard_normal((N, m))
    target = _targets(kind, rng, N, m)
    loss_fn = bp.MSELoss() if kind == "mse" else bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(pred, target)
    analytic = loss_fn.backward()
    assert analytic.shape == pred.shape

    def f(p: Array) -> float:
        return loss_fn.forward(p, target)

    assert bp.relative_error(analytic, bp.numerical_gradient(f, pred, EPS)) < TOL


@given(shape=shapes, seed=seeds)
def test_loss_values_match_their_formulas(shape: tuple[int, int, int], seed: int) -> None:
    """MSE = mean over all elements (torch.nn.MSELoss); CE = mean of -log softmax at the label."""
    N, _, m = shape
    rng = np.random.default_rng(seed)
    Z = 2 * rng.standard_normal((N, m))
    T = rng.standard_normal((N, m))
    y = rng.integers(0, m, size=N)
    assert bp.MSELoss().forward(Z, T) == pytest.approx(((Z - T) ** 2).sum() / (N * m), rel=1e-12)
    naive_log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    ce = -naive_log_p[np.arange(N), y].mean()
    assert bp.SoftmaxCrossEntropyLoss().forward(Z, y) == pytest.approx(ce, rel=1e-12)
    # One-hot targets give the same loss and the same gradient as int labels.
    a, b = bp.SoftmaxCrossEntropyLoss(), bp.SoftmaxCrossEntropyLoss()
    assert a.forward(Z, y) == pytest.approx(b.forward(Z, np.eye(m)[y]), rel=1e-14)
    np.testing.assert_allclose(a.backward(), b.backward(), rtol=1e-14, atol=0)
    # softmax / log_softmax agree with the naive formulas at moderate logits.
    np.testing.assert_allclose(bp.log_softmax(Z), naive_log_p, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(bp.softmax(Z).sum(axis=1), np.ones(N), rtol=1e-14)


def test_losses_match_torch() -> None:
    """If PyTorch is installed (the optional bench extra), compare values and gradients."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    Z, T = rng.standard_normal((7, 4)), rng.standard_normal((7, 4))
    y = rng.integers(0, 4, size=7)
    for ours, theirs, target, t_target in [
        (bp.MSELoss(), torch.nn.MSELoss(), T, torch.tensor(T)),
        (bp.SoftmaxCrossEntropyLoss(), torch.nn.CrossEntropyLoss(), y, torch.tensor(y)),
    ]:
        z = torch.tensor(Z, requires_grad=True)
        t_loss = theirs(z, t_target)
        t_loss.backward()
        assert ours.forward(Z, target) == pytest.approx(t_loss.item(), rel=1e-12)
        np.testing.assert_allclose(ours.backward(), z.grad.numpy(), rtol=1e-10, atol=1e-15)


def three_layer_net(act: str, n: int, h: int, m: int, rng: np.random.Generator) -> bp.Sequential:
    A = ACTIVATIONS[act]
    init = "he" if act == "relu" else "xavier"
    net = bp.Sequential(
        bp.Linear(n, h, rng=rng, init=init),
        A(),
        bp.Linear(h, h, rng=rng, init=init),
        A(),
        bp.Linear(h, m, rng=rng, init=init),
    )
    for layer in net.layers:  # non-zero biases, so no hidden unit sits exactly on ReLU's kink
        if isinstance(layer, bp.Linear):
            layer.b[:] = rng.uniform(0.1, 0.5, layer.b.shape) * rng.choice([-1, 1], layer.b.shape)
    return net


@pytest.mark.parametrize("kind", ["mse", "ce_labels", "ce_probs"])
@pytest.mark.parametrize("act", list(ACTIVATIONS))
def test_check_gradients_three_layer_network(act: str, kind: str) -> None:
    """bp.check_gradients on a 3-layer network: every W, b and the input, below 1e-7."""
    rng = np.random.default_rng(7)
    N, n, h, m = 8, 4, 6, 3
    net = three_layer_net(act, n, h, m, rng)
    X = rng.standard_normal((N, n))
    target = _targets(kind, rng, N, m)
    loss_fn = bp.MSELoss() if kind == "mse" else bp.SoftmaxCrossEntropyLoss()
    before = [p.value.copy() for p in net.parameters()]
    errors = bp.check_gradients(net, loss_fn, X, target)
    assert set(errors) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "input"}
    assert max(errors.values()) < TOL, errors
    for p, old in zip(net.parameters(), before, strict=True):  # weights restored exactly
        np.testing.assert_array_equal(p.value, old)


class _ForgetsTheSigmaPrime(bp.Activation):
    """A broken tanh whose backward passes the gradient through unchanged."""

    def _sigma(self, Z: Array) -> tuple[Array, Array]:
        A = np.tanh(Z)
        return A, A

    def _sigma_prime(self, A: Array) -> Array:
        return np.ones_like(A)


class _TransposeFreeLinear(bp.Linear):
    """A broken Linear whose input gradient is delta @ W.T instead of delta @ W (the shapes
    still fit when W is square, so only the numbers can tell)."""

    def backward(self, delta: Any) -> Array:
        delta = self.backward_params(delta)
        return delta @ self.W.T


@pytest.mark.parametrize("broken", ["activation", "input_grad"])
def test_check_gradients_catches_a_wrong_backward(broken: str) -> None:
    """The checker can fail: a wrong backward gives a large relative error."""
    rng = np.random.default_rng(1)
    first: bp.Module = (
        _TransposeFreeLinear(4, 4, rng=rng) if broken == "input_grad" else bp.Linear(4, 4, rng=rng)
    )
    act: bp.Module = _ForgetsTheSigmaPrime() if broken == "activation" else bp.Tanh()
    net = bp.Sequential(first, act, bp.Linear(4, 3, rng=rng))
    X = rng.standard_normal((5, 4))
    y = rng.integers(0, 3, size=5)
    errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)
    assert max(errors.values()) > 1e-3
    if broken == "input_grad":  # only dL/dX is wrong
        assert errors["input"] > 1e-3
        assert max(v for k, v in errors.items() if k != "input") < TOL
    else:  # the first layer's parameters and the input see the wrong delta
        assert errors["0.W"] > 1e-3 and errors["input"] > 1e-3
        assert errors["2.W"] < TOL and errors["2.b"] < TOL


def test_numerical_gradient_of_a_known_function() -> None:
    """f(x) = sum(x^3): the central difference is exactly 3 x^2 + eps^2 (f''' = 6), up to
    rounding, and x is restored exactly after the call."""
    x = np.random.default_rng(0).standard_normal((3, 4))
    x0 = x.copy()
    eps = 1e-5
    g = bp.numerical_gradient(lambda v: float((v**3).sum()), x, eps=eps)
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_allclose(g, 3 * x0**2 + eps**2, rtol=0, atol=1e-9)


def test_numerical_gradient_requires_float64() -> None:
    """Any memory layout is fine (tests/test_gradcheck_line.py); float32 is not."""
    with pytest.raises(TypeError, match="must be float64, got float32"):
        bp.numerical_gradient(lambda v: float(v.sum()), np.zeros(3, dtype=np.float32))


def test_relative_error_edge_cases() -> None:
    assert bp.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert bp.relative_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert bp.relative_error([1.0], [-1.0]) == 1.0
    assert bp.relative_error([2.0], [1.0]) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match=r"shapes differ, \(2,\) vs \(3,\)"):
        bp.relative_error(np.zeros(2), np.zeros(3))


def test_check_gradients_rejects_float32() -> None:
    net = bp.Sequential(bp.Linear(2, 2, rng=np.random.default_rng(0), dtype=np.float32))
    with pytest.raises(TypeError, match=r"parameter 0\.W is float32"):
        bp.check_gradients(net, bp.MSELoss(), np.zeros((1, 2)), np.zeros((1, 2)))
