"""SGD and Adam against reference formulas written out here, step by step.

The references below are plain NumPy transcriptions of the update rules (PyTorch's
conventions), independent of the package's code.
"""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp


class Fixed(bp.Module):
    """A module with two parameters whose gradients the test sets by hand."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.W = rng.standard_normal((3, 2))
        self.b = rng.standard_normal(3)
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def parameters(self) -> list[bp.Parameter]:
        return [bp.Parameter(self, "W", "W"), bp.Parameter(self, "b", "b")]


def gradient_sequence(rng: np.random.Generator, steps: int) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(rng.standard_normal((3, 2)), rng.standard_normal(3)) for _ in range(steps)]


@pytest.mark.parametrize("momentum", [0.0, 0.9])
@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_sgd_matches_the_reference_formula(momentum: float, weight_decay: float) -> None:
    rng = np.random.default_rng(0)
    mod = Fixed(rng)
    W_obj, b_obj = mod.W, mod.b
    opt = bp.SGD(mod.parameters(), lr=0.1, momentum=momentum, weight_decay=weight_decay)
    # Reference state.
    W, b = mod.W.copy(), mod.b.copy()
    vW, vb = np.zeros_like(W), np.zeros_like(b)
    for t, (gW, gb) in enumerate(gradient_sequence(rng, 3)):
        mod.dW, mod.db = gW.copy(), gb.copy()
        opt.step()
        # g <- grad + lambda * w;  v <- mu v + g (v = g at the first step);  w <- w - lr v
        gW_, gb_ = gW + weight_decay * W, gb + weight_decay * b
        vW = gW_ if t == 0 else momentum * vW + gW_
        vb = gb_ if t == 0 else momentum * vb + gb_
        step_W, step_b = (vW, vb) if momentum else (gW_, gb_)
        W, b = W - 0.1 * step_W, b - 0.1 * step_b
        np.testing.assert_allclose(mod.W, W, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(mod.b, b, rtol=1e-13, atol=1e-15)
    assert mod.W is W_obj and mod.b is b_obj  # in place
    np.testing.assert_array_equal(mod.dW, gW)  # the optimizer does not touch the gradients


def test_sgd_first_steps_by_hand() -> None:
    """Two momentum steps with numbers small enough to check by hand."""
    mod = Fixed(np.random.default_rng(0))
    mod.W[:] = 1.0
    mod.b[:] = 0.0
    opt = bp.SGD(mod.parameters(), lr=0.5, momentum=0.5)
    mod.dW, mod.db = np.full((3, 2), 2.0), np.full(3, -1.0)
    opt.step()  # v = 2 -> W = 1 - 0.5 * 2 = 0;  v_b = -1 -> b = 0.5
    np.testing.assert_array_equal(mod.W, 0.0)
    np.testing.assert_array_equal(mod.b, 0.5)
    opt.step()  # v = 0.5 * 2 + 2 = 3 -> W = -1.5;  v_b = -1.5 -> b = 1.25
    np.testing.assert_array_equal(mod.W, -1.5)
    np.testing.assert_array_equal(mod.b, 1.25)


@pytest.mark.parametrize("weight_decay", [0.0, 0.01])
def test_adam_matches_the_reference_formula(weight_decay: float) -> None:
    rng = np.random.default_rng(1)
    mod = Fixed(rng)
    W_obj = mod.W
    lr, b1, b2, eps = 0.01, 0.8, 0.99, 1e-6
    opt = bp.Adam(mod.parameters(), lr=lr, betas=(b1, b2), eps=eps, weight_decay=weight_decay)
    W = mod.W.copy()
    m, v = np.zeros_like(W), np.zeros_like(W)
    for t, (gW, gb) in enumerate(gradient_sequence(rng, 4), start=1):
        mod.dW, mod.db = gW, gb
        opt.step()
        g = gW + weight_decay * W
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
        W = W - lr * m_hat / (np.sqrt(v_hat) + eps)
        np.testing.assert_allclose(mod.W, W, rtol=1e-12, atol=1e-15)
    assert mod.W is W_obj


def test_adam_first_step_is_lr_times_the_gradient_sign() -> None:
    """At t = 1 the bias corrections make m_hat = g and v_hat = g^2: each weight moves by
    lr * g / (|g| + eps), i.e. almost exactly lr against the gradient's sign."""
    mod = Fixed(np.random.default_rng(2))
    W0 = mod.W.copy()
    mod.dW = np.array([[3.0, -0.5], [1e-3, -200.0], [1.0, 0.25]])
    mod.db = np.zeros(3)
    bp.Adam(mod.parameters(), lr=0.1, eps=1e-8).step()
    np.testing.assert_allclose(mod.W, W0 - 0.1 * np.sign(mod.dW), rtol=0, atol=1e-6)


def test_gradients_are_overwritten_not_accumulated() -> None:
    """Two backward passes on different batches: the gradients are those of the second only."""
    rng = np.random.default_rng(3)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng))
    loss_fn = bp.MSELoss()
    X1, Y1 = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    X2, Y2 = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))

    def grads(X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
        loss_fn.forward(net.forward(X), Y)
        net.backward(loss_fn.backward())
        return [p.grad.copy() for p in net.parameters()]

    only_second = grads(X2, Y2)
    grads(X1, Y1)
    after_both = grads(X2, Y2)
    for a, b in zip(only_second, after_both, strict=True):
        np.testing.assert_array_equal(a, b)


def test_step_reads_the_latest_gradient() -> None:
    """Parameter handles read dW at step() time, so a new backward is picked up."""
    mod = Fixed(np.random.default_rng(4))
    opt = bp.SGD(mod.parameters(), lr=1.0)
    W0 = mod.W.copy()
    mod.dW, mod.db = np.ones((3, 2)), np.zeros(3)
    opt.step()
    mod.dW = np.full((3, 2), 2.0)  # replaced, as Linear.backward does
    opt.step()
    np.testing.assert_allclose(mod.W, W0 - 3.0)


def test_sgd_trains_a_linear_layer_to_the_least_squares_solution() -> None:
    rng = np.random.default_rng(5)
    X = rng.standard_normal((64, 3))
    W_true, b_true = rng.standard_normal((2, 3)), rng.standard_normal(2)
    Y = X @ W_true.T + b_true
    net = bp.Sequential(bp.Linear(3, 2, rng=rng))
    loss_fn = bp.MSELoss()
    opt = bp.SGD(net.parameters(), lr=0.3, momentum=0.5)
    for _ in range(300):
        loss_fn.forward(net.forward(X), Y)
        net.backward(loss_fn.backward(), need_input_grad=False)
        opt.step()
    layer = net.layers[0]
    assert isinstance(layer, bp.Linear)
    np.testing.assert_allclose(layer.W, W_true, atol=1e-6)
    np.testing.assert_allclose(layer.b, b_true, atol=1e-6)
