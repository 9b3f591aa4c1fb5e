"""What ``check_gradients``'s number means (issue 29, items 10 and 11).

A correct backward pass stays below the documented line, 1e-7, on networks trained to a small
loss, on saturated units whose gradient is tiny next to the loss, and on untrained networks;
planted bugs still cross it, trained or not. ``numerical_gradient`` and ``check_gradients``
take arrays in any memory layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

import backprop as bp
from backprop.gradcheck import NOISE_MARGIN, TOLERANCE

Array = NDArray[np.float64]
LOSSES = {"ce": bp.SoftmaxCrossEntropyLoss, "bce": bp.BCEWithLogitsLoss}


def trained(seed: int, loss: str) -> tuple[bp.Sequential, bp.Loss, Array, Any, float]:
    """A 2-32-32-C tanh network fitted to XOR with Adam, to a training loss near 1e-4."""
    X, y = bp.datasets.xor(200, rng=seed)
    C = 2 if loss == "ce" else 1
    net = bp.Sequential(
        bp.Linear(2, 32, rng=seed, init="xavier"),
        bp.Tanh(),
        bp.Linear(32, 32, rng=seed + 1, init="xavier"),
        bp.Tanh(),
        bp.Linear(32, C, rng=seed + 2, init="xavier"),
    )
    loss_fn = LOSSES[loss]()
    target = y if loss == "ce" else y.reshape(-1, 1).astype(np.float64)
    opt = bp.Adam(net.parameters(), lr=0.01)
    history = bp.fit(net, loss_fn, opt, X, target, epochs=100, batch_size=32, rng=seed)
    return net, loss_fn, X, target, history["loss"][-1]


@pytest.fixture(scope="module")
def trained_networks() -> dict[tuple[int, str], tuple[bp.Sequential, bp.Loss, Array, Any, float]]:
    return {(seed, loss): trained(seed, loss) for seed in range(4) for loss in LOSSES}


@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("seed", range(4))
def test_trained_networks_stay_below_the_line(
    trained_networks: dict[tuple[int, str], Any], seed: int, loss: str
) -> None:
    """The home page's pattern: fit, then check. With the plain relative error 8 of 8 of these
    crossed 1e-7 (1e-7 to 1.2e-6); the gradients are 1e-3 to 1e-5, next to finite
    differences whose own error is 1e-11 to 1e-9."""
    net, loss_fn, X, target, final_loss = trained_networks[seed, loss]
    assert 1e-5 < final_loss < 1e-3  # "a loss near 1e-4"
    errors = bp.check_gradients(net, loss_fn, X[:8], target[:8])
    assert max(errors.values()) < TOLERANCE, errors


class _NoMeanCrossEntropy(bp.SoftmaxCrossEntropyLoss):
    def backward(self) -> Array:
        assert self.probs is not None and self.Y is not None
        return self.probs - self.Y  # BUG: forward averaged over N, this does not


class _NoMeanBCE(bp.BCEWithLogitsLoss):
    def backward(self) -> Array:
        return super().backward() * 8  # BUG: the 1/(N m) of the mean is dropped (N = 8, m = 1)


class _TanhPrimeOfZ(bp.Tanh):
    def _sigma_prime(self, A: Array) -> Array:
        return 1 - np.tanh(A) ** 2  # BUG: sigma'(a) where sigma'(z) = 1 - a^2 belongs


@pytest.mark.parametrize("loss", list(LOSSES))
def test_planted_bugs_still_cross_the_line_on_trained_networks(
    trained_networks: dict[tuple[int, str], Any], loss: str
) -> None:
    """The floor does not hide a bug: a wrong loss gradient or a wrong sigma' in a trained
    network gives errors far above the line."""
    net, _, X, target, _ = trained_networks[0, loss]
    broken = {"ce": _NoMeanCrossEntropy, "bce": _NoMeanBCE}[loss]()
    errors = bp.check_gradients(net, broken, X[:8], target[:8])
    assert min(errors.values()) > 1e-3, errors
    state = net.state_dict()
    twin = bp.Sequential(
        bp.Linear(2, 32),
        _TanhPrimeOfZ(),
        bp.Linear(32, 32),
        bp.Tanh(),
        bp.Linear(32, len(state["4.b"])),
    )
    twin.load_state_dict(state)
    errors = bp.check_gradients(twin, LOSSES[loss](), X[:8], target[:8])
    assert min(errors["0.W"], errors["0.b"], errors["input"]) > 1e-3, errors
    assert max(errors["2.W"], errors["2.b"], errors["4.W"], errors["4.b"]) < TOLERANCE, errors


@pytest.mark.parametrize("bias", [10.0, 12.0, 14.0])
@pytest.mark.parametrize("seed", range(4))
def test_saturated_units_stay_below_the_line(seed: int, bias: float) -> None:
    """Every tanh unit saturated (z near 12): dL/dW1 is about 1e-10, next to the loss's rounding
    error over eps. The plain relative error gave up to 0.9 here."""
    rng = np.random.default_rng(seed)
    net = bp.Sequential(bp.Linear(4, 5, rng=rng), bp.Tanh(), bp.Linear(5, 3, rng=rng))
    net.layers[0].b[:] = bias  # type: ignore[attr-defined]
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, size=8)
    errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)
    assert max(errors.values()) < TOLERANCE, errors


ACTIVATIONS = [bp.Tanh, bp.Sigmoid, bp.ReLU]


@given(
    seed=st.integers(0, 2**32 - 1),
    act=st.sampled_from(ACTIVATIONS),
    loss=st.sampled_from(["mse", "ce", "bce"]),
    N=st.integers(1, 6),
    width=st.integers(1, 6),
    scale=st.sampled_from([0.1, 1.0, 5.0]),
)
def test_untrained_networks_stay_below_the_line(
    seed: int, act: type[bp.Activation], loss: str, N: int, width: int, scale: float
) -> None:
    """Random untrained networks, weights from small to saturating: a correct backward pass is
    below the line (ReLU kinks included: a step across one raises the floor instead)."""
    rng = np.random.default_rng(seed)
    C = 3
    net = bp.Sequential(
        bp.Linear(4, width, rng=rng),
        act(),
        bp.Linear(width, width, rng=rng),
        act(),
        bp.Linear(width, C, rng=rng),
    )
    for p in net.parameters():
        p.value[...] = scale * rng.standard_normal(p.value.shape)
    X = rng.standard_normal((N, 4))
    if loss == "mse":
        loss_fn: bp.Loss = bp.MSELoss()
        target: Any = rng.standard_normal((N, C))
    elif loss == "ce":
        loss_fn, target = bp.SoftmaxCrossEntropyLoss(), rng.integers(0, C, size=N)
    else:
        loss_fn, target = bp.BCEWithLogitsLoss(), rng.random((N, C))
    errors = bp.check_gradients(net, loss_fn, X, target)
    assert max(errors.values()) < TOLERANCE, errors


def test_the_floor_leaves_large_gradients_alone() -> None:
    """On an untrained network the floor is far below the gradients, so a constant factor
    kappa shows exactly as |1 - kappa| / (1 + kappa), the pen-and-paper value."""
    rng = np.random.default_rng(3)
    net = bp.Sequential(bp.Linear(4, 5, rng=rng), bp.Tanh(), bp.Linear(5, 3, rng=rng))
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, size=8)
    errors = bp.check_gradients(net, _NoMeanCrossEntropy(), X, y)
    for err in errors.values():
        assert err == pytest.approx(7 / 9, abs=1e-9)


def test_relative_error_floor() -> None:
    """The floor replaces the scale only when the scale is smaller."""
    assert bp.relative_error([1.0], [1.5], floor=0.0) == pytest.approx(0.2)
    assert bp.relative_error([1.0], [1.5], floor=1.0) == pytest.approx(0.2)
    assert bp.relative_error([1.0], [1.5], floor=5.0) == pytest.approx(0.1)
    assert bp.relative_error([0.0], [0.0], floor=1.0) == 0.0
    with pytest.raises(ValueError, match="floor must be a finite number >= 0"):
        bp.relative_error([1.0], [1.0], floor=-1.0)
    with pytest.raises(ValueError, match="floor must be a finite number >= 0"):
        bp.relative_error([1.0], [1.0], floor=float("nan"))


def test_step_errors_measure_truncation_and_rounding() -> None:
    """d = g(eps) - g(2 eps) is three times the truncation error of g(eps) for f = sum(x^3)
    (f''' = 6: truncation eps^2), and the median raises an entry whose d is zero."""
    from backprop.gradcheck import step_errors

    eps = 1e-3
    x = np.array([1.0, -2.0, 0.5])
    f = lambda v: float((v**3).sum())  # noqa: E731
    g1 = bp.numerical_gradient(f, x, eps)
    g2 = bp.numerical_gradient(f, x, 2 * eps)
    nu = step_errors({"x": g1}, {"x": g2})["x"]
    assert nu == pytest.approx(np.sqrt(3) * 3 * eps**2, rel=1e-4)
    both = step_errors({"a": np.zeros(1), "b": np.zeros(3)}, {"a": np.zeros(1), "b": np.ones(3)})
    assert both == {"a": 1.0, "b": pytest.approx(np.sqrt(3))}


def test_the_line_and_margin_are_the_documented_ones() -> None:
    assert (TOLERANCE, NOISE_MARGIN) == (1e-7, 10.0)


# ---------------------------------------------------------------------------------------------
# Item 11: any memory layout


def layouts(x: Array) -> dict[str, Array]:
    """``x`` (2-D) in several layouts: the same values, different strides."""
    big = np.zeros((2 * x.shape[0], 3 * x.shape[1]))
    strided = big[::2, ::3]
    strided[...] = x
    return {
        "C": np.ascontiguousarray(x),
        "Fortran": np.asfortranarray(x),
        "transposed view": np.ascontiguousarray(x.T).T,
        "strided slice": strided,
    }


@pytest.mark.parametrize("layout", ["C", "Fortran", "transposed view", "strided slice"])
def test_numerical_gradient_takes_any_layout(layout: str) -> None:
    rng = np.random.default_rng(0)
    x0, G = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    x = layouts(x0)[layout]
    before = x.copy()
    g = bp.numerical_gradient(lambda v: float((G * np.sin(v)).sum()), x)
    np.testing.assert_array_equal(x, before)  # restored exactly
    np.testing.assert_allclose(g, G * np.cos(x0), rtol=1e-9, atol=1e-10)


def test_numerical_gradient_perturbs_the_array_f_reads() -> None:
    """A strided view of a layer's weights: perturbing it moves the weights f reads."""
    layer = bp.Linear(4, 3, rng=0)
    X = np.random.default_rng(1).standard_normal((5, 4))
    view = layer.W[:, ::2]
    g = bp.numerical_gradient(lambda _: float(layer.forward(X).sum()), view)
    np.testing.assert_allclose(g, np.ones((5, 3)).T @ X[:, ::2], rtol=1e-8)


def test_numerical_gradient_refuses_read_only_and_non_float64() -> None:
    x = np.zeros(3)
    x.setflags(write=False)
    with pytest.raises(ValueError, match=r"read-only.*x\.copy\(\)"):
        bp.numerical_gradient(lambda v: float(v.sum()), x)
    with pytest.raises(TypeError, match="must be float64, got float32"):
        bp.numerical_gradient(lambda v: float(v.sum()), np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match="must be float64, got list"):
        bp.numerical_gradient(lambda v: 0.0, [1.0, 2.0])  # type: ignore[arg-type]
    for eps in (0.0, -1e-5, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="eps must be a positive float"):
            bp.numerical_gradient(lambda v: float(v.sum()), np.zeros(3), eps=eps)


@pytest.mark.parametrize("layout", ["C", "Fortran", "transposed view", "strided slice"])
def test_check_gradients_takes_any_layout(layout: str) -> None:
    """Course notebooks often build X as a transposed view; the check must not care."""
    rng = np.random.default_rng(2)
    net = bp.Sequential(bp.Linear(4, 5, rng=rng), bp.Tanh(), bp.Linear(5, 3, rng=rng))
    X0, y = rng.standard_normal((6, 4)), rng.integers(0, 3, size=6)
    X = layouts(X0)[layout]
    before = X.copy()
    reference = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X0, y)
    errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)
    np.testing.assert_array_equal(X, before)  # the caller's X is not touched
    assert errors == pytest.approx(reference, rel=1e-3, abs=1e-12)
    assert max(errors.values()) < TOLERANCE


@pytest.mark.parametrize(("z", "passes"), [(3e-6, True), (1.5e-5, True), (0.0, False)])
def test_a_relu_unit_near_its_kink(z: float, passes: bool) -> None:
    """The documented blind spot: a step across a ReLU kink raises the step error, so the check
    stays below the line; only within about eps/6 of the kink do both steps err alike, and a
    correct backward pass fails (docs/derivation.md, Section 4)."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(3, 4, rng=rng), bp.ReLU(), bp.Linear(4, 3, rng=rng))
    X, y = rng.standard_normal((5, 3)), rng.integers(0, 3, size=5)
    first = net.layers[0]
    assert isinstance(first, bp.Linear)
    first.b[1] += z - (X @ first.W.T + first.b)[2, 1]  # unit 1 of sample 2 sits at z
    errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)
    assert (max(errors.values()) < TOLERANCE) == passes, errors
    assert max(errors["2.W"], errors["2.b"]) < TOLERANCE  # the layer above sees no kink


def test_without_the_floor_a_trained_network_cries_wolf(
    trained_networks: dict[tuple[int, str], Any],
) -> None:
    """noise_floor=False gives the plain relative error: the reason the floor exists."""
    net, loss_fn, X, target, _ = trained_networks[2, "bce"]
    plain = bp.check_gradients(net, loss_fn, X[:8], target[:8], noise_floor=False)
    floored = bp.check_gradients(net, loss_fn, X[:8], target[:8])
    assert max(plain.values()) > TOLERANCE > max(floored.values())
    for name, err in plain.items():  # the floor only ever lowers the number
        assert floored[name] <= err * (1 + 1e-12)
