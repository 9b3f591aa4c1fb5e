"""BCEWithLogitsLoss: its formula, its gradient, float32, huge logits and bad targets."""

from __future__ import annotations

import numpy as np
import pytest

import backprop as bp


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic function, written from the math (only for moderate z)."""
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(1, 1), (5, 1), (6, 3)])
def test_value_is_the_mean_binary_cross_entropy(shape: tuple[int, int], seed: int) -> None:
    """Mean over all N m entries of -y log sigmoid(z) - (1 - y) log(1 - sigmoid(z))."""
    rng = np.random.default_rng(seed)
    Z, Y = 2 * rng.standard_normal(shape), rng.uniform(0, 1, shape)
    a = sigmoid(Z)
    expected = np.mean(-Y * np.log(a) - (1 - Y) * np.log(1 - a))
    assert bp.BCEWithLogitsLoss().forward(Z, Y) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", [(1, 1), (5, 1), (6, 3)])
def test_delta_is_sigmoid_minus_target_over_nm(shape: tuple[int, int], seed: int) -> None:
    """The output delta, (sigmoid(z) - y) / (N m), against the formula and finite differences."""
    rng = np.random.default_rng(seed)
    Z, Y = 2 * rng.standard_normal(shape), rng.integers(0, 2, shape).astype(float)
    loss_fn = bp.BCEWithLogitsLoss()
    loss_fn.forward(Z, Y)
    delta = loss_fn.backward()
    np.testing.assert_allclose(delta, (sigmoid(Z) - Y) / Z.size, rtol=1e-12, atol=1e-16)
    numeric = bp.numerical_gradient(lambda Z_: loss_fn.forward(Z_, Y), Z)
    assert bp.relative_error(delta, numeric) < 1e-7


def test_network_with_bce_passes_the_gradient_check() -> None:
    rng = np.random.default_rng(3)
    net = bp.Sequential(bp.Linear(4, 6, rng=rng), bp.Tanh(), bp.Linear(6, 2, rng=rng))
    X, Y = rng.standard_normal((7, 4)), rng.uniform(0, 1, (7, 2))
    errors = bp.check_gradients(net, bp.BCEWithLogitsLoss(), X, Y)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_huge_logits_are_finite_and_exact_without_warnings(dtype: type) -> None:
    """Logits of +-1e4: log(1 + e^z) - y z is z (1 - y) for z >> 0 and -y z for z << 0."""
    Z = np.array([[1e4, -1e4], [1e4, -1e4]], dtype=dtype)
    Y = np.array([[0.0, 1.0], [1.0, 0.0]])
    loss_fn = bp.BCEWithLogitsLoss()
    loss = loss_fn.forward(Z, Y)  # warnings are errors in this suite
    assert loss == pytest.approx((1e4 + 1e4 + 0 + 0) / 4, rel=1e-6)
    delta = loss_fn.backward()
    assert delta.dtype == dtype
    np.testing.assert_array_equal(delta, np.array([[1, -1], [0, 0]], dtype=dtype) / 4)


def test_float32_stays_float32() -> None:
    rng = np.random.default_rng(0)
    net = bp.Sequential(
        bp.Linear(3, 4, rng=rng, dtype=np.float32),
        bp.ReLU(),
        bp.Linear(4, 2, rng=rng, dtype=np.float32),
    )
    loss_fn = bp.BCEWithLogitsLoss()
    X, Y = rng.standard_normal((5, 3)), rng.integers(0, 2, (5, 2))  # float64 data, int targets
    loss_fn.forward(net.forward(X), Y)
    delta = loss_fn.backward()
    assert delta.dtype == np.float32
    net.backward(delta)
    assert all(p.grad.dtype == np.float32 for p in net.parameters())


@pytest.mark.parametrize("bad", [-0.1, 1.5])
def test_targets_outside_zero_one_are_rejected(bad: float) -> None:
    Y = np.array([[0.0, 1.0], [bad, 0.5]])
    msg = rf"BCEWithLogitsLoss: target {bad} at index \(1, 0\) is outside \[0, 1\]"
    with pytest.raises(ValueError, match=msg):
        bp.BCEWithLogitsLoss().forward(np.zeros((2, 2)), Y)


def test_shapes_are_not_broadcast() -> None:
    msg = r"BCEWithLogitsLoss: target shape \(4,\) does not match logits shape \(4, 1\)"
    with pytest.raises(ValueError, match=msg):
        bp.BCEWithLogitsLoss().forward(np.zeros((4, 1)), np.zeros(4))


def test_nan_target_and_backward_before_forward() -> None:
    with pytest.raises(
        ValueError, match=r"BCEWithLogitsLoss: target contains nan at index \(0, 1\)"
    ):
        bp.BCEWithLogitsLoss().forward(np.zeros((1, 2)), np.array([[0.0, np.nan]]))
    with pytest.raises(
        RuntimeError, match=r"BCEWithLogitsLoss: backward\(\) called before forward"
    ):
        bp.BCEWithLogitsLoss().backward()


def test_matches_torch() -> None:
    """If PyTorch is installed (the optional bench extra), compare values and gradients."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    Z, Y = 3 * rng.standard_normal((7, 3)), rng.uniform(0, 1, (7, 3))
    z = torch.tensor(Z, requires_grad=True)
    t_loss = torch.nn.BCEWithLogitsLoss()(z, torch.tensor(Y))
    t_loss.backward()
    loss_fn = bp.BCEWithLogitsLoss()
    assert loss_fn.forward(Z, Y) == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(loss_fn.backward(), z.grad.numpy(), rtol=1e-10, atol=1e-16)
