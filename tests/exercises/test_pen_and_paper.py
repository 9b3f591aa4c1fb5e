"""Pen-and-paper exercises: every claimed result, checked numerically in float64.

Finite differences are central (``bp.numerical_gradient``) with relative error below 1e-7;
identities that hold exactly are checked to rounding.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from linear_no_bias import LinearNoBias
from numpy.typing import NDArray

import backprop as bp

TOL = 1e-7


def sigmoid(z: NDArray[Any]) -> NDArray[Any]:
    return 1 / (1 + np.exp(-z))


def elementwise_derivative(f: Any, z: NDArray[Any]) -> NDArray[Any]:
    """Central differences of an element-wise f, entry by entry."""
    return bp.numerical_gradient(lambda v: float(np.sum(f(v))), z.copy())


Z = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])


def test_softplus_and_leaky_relu_derivatives() -> None:
    softplus = lambda z: np.log1p(np.exp(z))  # noqa: E731
    a = softplus(Z)
    claimed = sigmoid(Z)
    assert bp.relative_error(claimed, elementwise_derivative(softplus, Z)) < TOL
    assert np.allclose(1 - np.exp(-a), claimed, rtol=1e-14, atol=0)  # from the output alone
    alpha = 0.1
    leaky = lambda z: np.where(z > 0, z, alpha * z)  # noqa: E731
    claimed_leaky = np.where(Z > 0, 1.0, alpha)
    assert bp.relative_error(claimed_leaky, elementwise_derivative(leaky, Z)) < TOL


def test_weight_gradient_shape() -> None:
    """BP3 as delta a^T has the shape of W and matches finite differences; a delta^T has the
    transposed shape, and in a square layer the same shape but other values."""
    rng = np.random.default_rng(0)
    for n, m in ((4, 3), (3, 3)):
        W, b, x = (
            rng.standard_normal((m, n)),
            rng.standard_normal((m, 1)),
            rng.standard_normal((n, 1)),
        )
        G = rng.standard_normal((m, 1))  # ell = G^T tanh(W x + b), so delta = G * tanh'(z)

        def ell(W: NDArray[Any], G: Any = G, x: Any = x, b: Any = b) -> float:
            return float(np.sum(G * np.tanh(W @ x + b)))

        delta = G * (1 - np.tanh(W @ x + b) ** 2)
        assert (delta @ x.T).shape == W.shape
        assert (x @ delta.T).shape == (n, m)
        numeric = bp.numerical_gradient(ell, W)
        assert bp.relative_error(delta @ x.T, numeric) < TOL
        if n == m:
            assert bp.relative_error(x @ delta.T, numeric) > 1e-2  # right shape, wrong values
        assert (W.T @ delta).shape == x.shape  # the input half of BP4


def test_no_bias_layer_equations() -> None:
    """A bias-free network: BP1-BP3 and the input half of BP4, written out in column form,
    agree with finite differences of its loss (no bias gradient exists)."""
    rng = np.random.default_rng(1)
    W1, W2 = rng.standard_normal((4, 3)), rng.standard_normal((2, 4))
    x, y = rng.standard_normal((3, 1)), rng.standard_normal((2, 1))

    def ell_of(W1: NDArray[Any], W2: NDArray[Any], x: NDArray[Any]) -> float:
        a2 = np.tanh(W2 @ np.tanh(W1 @ x))
        return float(np.mean((a2 - y) ** 2))

    z1 = W1 @ x
    a1 = np.tanh(z1)
    z2 = W2 @ a1
    a2 = np.tanh(z2)
    delta2 = (2 / 2) * (a2 - y) * (1 - a2**2)  # BP1, MSE over m = 2
    delta1 = (W2.T @ delta2) * (1 - a1**2)  # BP2
    dW2, dW1 = delta2 @ a1.T, delta1 @ x.T  # BP3
    dx = W1.T @ delta1  # BP4, input half
    assert bp.relative_error(dW1, bp.numerical_gradient(lambda W: ell_of(W, W2, x), W1)) < TOL
    assert bp.relative_error(dW2, bp.numerical_gradient(lambda W: ell_of(W1, W, x), W2)) < TOL
    assert bp.relative_error(dx, bp.numerical_gradient(lambda v: ell_of(W1, W2, v), x)) < TOL
    # and the package agrees: bias-free layers give the gradients of bp.Linear with b = 0
    net = bp.Sequential(LinearNoBias(3, 4), bp.Tanh(), LinearNoBias(4, 2), bp.Tanh())
    net.layers[0].W, net.layers[2].W = W1.copy(), W2.copy()  # type: ignore[attr-defined]
    loss = bp.MSELoss()
    loss.forward(net.forward(x.T), y.T)
    dX = net.backward(loss.backward())
    assert dX is not None
    assert np.allclose(net.layers[0].dW, dW1, rtol=1e-13, atol=1e-15)  # type: ignore[attr-defined]
    assert np.allclose(dX, dx.T, rtol=1e-13, atol=1e-15)


def bce_with_logits(u: NDArray[Any], t: NDArray[Any]) -> float:
    """Mean binary cross-entropy of logits u against targets t, stably:
    -t log sigmoid(u) - (1 - t) log(1 - sigmoid(u)) = logaddexp(0, u) - t u."""
    return float(np.mean(np.logaddexp(0, u) - t * u))


def test_two_class_softmax_is_sigmoid() -> None:
    rng = np.random.default_rng(2)
    Zc = rng.standard_normal((7, 2)) * 3
    labels = rng.integers(0, 2, size=7)
    ce = bp.SoftmaxCrossEntropyLoss()
    u, t = Zc[:, 1] - Zc[:, 0], labels.astype(float)  # logit difference z_2 - z_1, target y_2
    assert ce.forward(Zc, labels) == pytest.approx(bce_with_logits(u, t), rel=1e-14)
    delta = ce.backward()  # (N, 2), carries the batch mean's 1/N
    assert np.allclose(delta[:, 1], (sigmoid(u) - t) / 7, rtol=1e-13, atol=1e-17)
    assert np.allclose(delta[:, 0], -delta[:, 1], rtol=1e-13, atol=1e-17)
    numeric = bp.numerical_gradient(lambda v: bce_with_logits(v, t), u.copy())
    assert bp.relative_error(delta[:, 1], numeric) < TOL
    bce = bp.BCEWithLogitsLoss()  # the package's own BCE, on the one logit z_2 - z_1
    assert bce.forward(u.reshape(-1, 1), t.reshape(-1, 1)) == pytest.approx(
        ce.forward(Zc, labels), rel=1e-14
    )
    assert np.allclose(bce.backward().ravel(), delta[:, 1], rtol=1e-13, atol=1e-17)
    # adding a constant to both logits changes nothing
    assert ce.forward(Zc + 5.0, labels) == pytest.approx(bce_with_logits(u, t), rel=1e-13)


def test_l2_penalty_gradient() -> None:
    rng = np.random.default_rng(3)
    W, lam = rng.standard_normal((3, 4)), 0.7
    numeric = bp.numerical_gradient(lambda v: lam / 2 * float(np.sum(v * v)), W)
    assert bp.relative_error(lam * W, numeric) < TOL


def small_net(rng: np.random.Generator) -> bp.Sequential:
    return bp.Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng))


def test_bias_gradient_is_mean_of_samples() -> None:
    rng = np.random.default_rng(4)
    net = small_net(rng)
    for layer in (net.layers[0], net.layers[2]):
        layer.b = rng.standard_normal(layer.b.shape)  # type: ignore[attr-defined]
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 2, size=5)
    loss = bp.SoftmaxCrossEntropyLoss()
    loss.forward(net.forward(X), y)
    net.backward(loss.backward())
    db_batch = [net.layers[i].db.copy() for i in (0, 2)]  # type: ignore[attr-defined]
    per_sample = []
    for s in range(5):  # each sample alone: N = 1, so its db is delta_s
        loss.forward(net.forward(X[s : s + 1]), y[s : s + 1])
        net.backward(loss.backward())
        per_sample.append([net.layers[i].db.copy() for i in (0, 2)])  # type: ignore[attr-defined]
    for j in range(2):
        mean = np.mean([g[j] for g in per_sample], axis=0)
        assert np.allclose(db_batch[j], mean, rtol=1e-13, atol=1e-16)
        assert not np.allclose(db_batch[j], mean / 5)  # averaging again would be wrong


def test_batch_of_copies() -> None:
    rng = np.random.default_rng(5)
    net = small_net(rng)
    x, label = rng.standard_normal((1, 3)), rng.integers(0, 2, size=1)
    loss = bp.SoftmaxCrossEntropyLoss()
    loss.forward(net.forward(x), label)
    dx = net.backward(loss.backward())
    dW_one = [net.layers[i].dW.copy() for i in (0, 2)]  # type: ignore[attr-defined]
    N = 6
    loss.forward(net.forward(np.repeat(x, N, axis=0)), np.repeat(label, N))
    dX = net.backward(loss.backward())
    assert dx is not None and dX is not None
    for i, dW in zip((0, 2), dW_one, strict=True):
        assert np.allclose(net.layers[i].dW, dW, rtol=1e-13, atol=1e-16)  # type: ignore[attr-defined]
    assert np.allclose(dX, np.repeat(dx, N, axis=0) / N, rtol=1e-13, atol=1e-17)


def test_parameter_count() -> None:
    net = bp.Sequential(
        bp.Linear(784, 256), bp.ReLU(), bp.Linear(256, 256), bp.ReLU(), bp.Linear(256, 10)
    )
    D = sum(p.value.size for p in net.parameters())
    assert D == 269_322
    calls = 0

    def f(v: NDArray[Any]) -> float:
        nonlocal calls
        calls += 1
        return 0.0

    bp.numerical_gradient(f, np.zeros(17))  # two loss evaluations per entry
    assert calls == 2 * 17


@pytest.mark.parametrize("c", [0.5, 8.0, 1.0, 3.0])
def test_relative_error_of_scaled_gradient(c: float) -> None:
    g = np.random.default_rng(6).standard_normal((4, 5))
    assert bp.relative_error(c * g, g) == pytest.approx(abs(1 - c) / (1 + c), abs=1e-15)


def worked_example() -> dict[str, NDArray[Any]]:
    """The worked example's forward and backward pass, one sample, column vectors."""
    x, y = np.array([[0.05], [0.10]]), np.array([[0.01], [0.99]])
    W1, b1 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.35], [0.35]])
    W2, b2 = np.array([[0.40, 0.45], [0.50, 0.55]]), np.array([[0.60], [0.60]])
    a1 = sigmoid(W1 @ x + b1)
    a2 = sigmoid(W2 @ a1 + b2)
    delta2 = (a2 - y) * a2 * (1 - a2)  # (2/m)(a2 - y) with m = 2
    delta1 = (W2.T @ delta2) * a1 * (1 - a1)
    return {"x": x, "W2": W2, "delta1": delta1, "delta2": delta2}


def test_zero_input_zero_column() -> None:
    net = bp.Sequential(bp.Linear(2, 2), bp.Sigmoid(), bp.Linear(2, 2), bp.Sigmoid())
    net.layers[0].W = np.array([[0.15, 0.20], [0.25, 0.30]])  # type: ignore[attr-defined]
    net.layers[0].b = np.array([0.35, 0.35])  # type: ignore[attr-defined]
    net.layers[2].W = np.array([[0.40, 0.45], [0.50, 0.55]])  # type: ignore[attr-defined]
    net.layers[2].b = np.array([0.60, 0.60])  # type: ignore[attr-defined]
    loss = bp.MSELoss()
    loss.forward(net.forward([[0.05, 0.0]]), [[0.01, 0.99]])
    net.backward(loss.backward())
    dW1, db1 = net.layers[0].dW, net.layers[0].db  # type: ignore[attr-defined]
    assert np.array_equal(dW1[:, 1], np.zeros(2))  # exactly zero
    assert np.all(dW1[:, 0] != 0) and np.all(db1 != 0)


def test_sigmoid_delta_bound() -> None:
    cases = [worked_example()]
    rng = np.random.default_rng(7)
    for _ in range(20):  # random layers too, including large weights
        W2 = rng.standard_normal((3, 4)) * rng.uniform(0.1, 5)
        z1, delta2 = rng.standard_normal((4, 1)) * 3, rng.standard_normal((3, 1))
        a1 = sigmoid(z1)
        cases.append({"W2": W2, "delta2": delta2, "delta1": (W2.T @ delta2) * a1 * (1 - a1)})
    for case in cases:
        bound = np.abs(case["W2"]).T @ np.abs(case["delta2"]) / 4
        assert np.all(np.abs(case["delta1"]) <= bound)
    assert (
        np.max(sigmoid(np.linspace(-5, 5, 1001)) * (1 - sigmoid(np.linspace(-5, 5, 1001)))) == 0.25
    )
