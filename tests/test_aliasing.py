"""No silent wrong results from shared memory or bad gradients (issue 29, items 1, 2 and 6).

* Item 1: ``Linear`` kept a reference to the caller's ``X``: an edit of ``X`` after ``forward``
  changed ``dW``. Now it keeps a read-only copy when the caller could still edit ``X``.
* Item 2: ``Sigmoid`` and ``Tanh`` returned the very array their ``backward`` reads. Now they
  keep a copy when called directly, and ``Sequential.forward`` returns one when it ends in them.
* Item 6: ``backward`` refuses a NaN, inf or complex gradient, naming the fix, and changes no
  gradient when it does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

import backprop as bp

Array = NDArray[np.float64]


def data(seed: int = 0) -> tuple[Array, Array]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((5, 4)), rng.standard_normal((5, 3))


# --------------------------------------------------------------------------------------------
# Item 1: Linear and the caller's X. Linear keeps X as it is only if the caller cannot change it;
# otherwise a read-only copy of its own, so an edit of X after forward changes nothing.

EDITS: dict[str, Callable[[Array], None]] = {
    "zeroed": lambda X: X.fill(0.0),
    "scaled": lambda X: X.__imul__(2.0),
    "rows reversed": lambda X: X.__setitem__(slice(None), X[::-1].copy()),
    "one entry": lambda X: X.__setitem__((3, 2), X[3, 2] + 1e-6),
    "one sign": lambda X: X.__setitem__((0, 0), -X[0, 0]),
    "two entries swapped": lambda X: X.__setitem__(([0, 4], [1, 3]), X[[4, 0], [3, 1]]),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_linear_dW_is_of_the_X_forward_saw(edit: str) -> None:
    X, G = data()
    layer = bp.Linear(4, 3, rng=1)
    expected = G.T @ X  # BP3 on the X of the forward pass
    layer.forward(X)
    EDITS[edit](X)  # the caller reuses its buffer before backward
    layer.backward(G)
    np.testing.assert_allclose(layer.dW, expected, rtol=1e-13, atol=1e-14)


def test_sequential_dW_is_of_the_X_forward_saw() -> None:
    X, _ = data()
    y = np.array([0, 1, 2, 1, 0])
    net = bp.Sequential(bp.Linear(4, 6, rng=0), bp.Tanh(), bp.Linear(6, 3, rng=1))
    loss_fn = bp.SoftmaxCrossEntropyLoss()
    loss_fn.forward(net.forward(X.copy()), y)
    net.backward(loss_fn.backward())
    expected = [p.grad.copy() for p in net.parameters()]
    for need_input_grad in (True, False):
        Xc = X.copy()
        loss_fn.forward(net.forward(Xc), y)
        Xc[:] = 0.0  # e.g. the next batch written into the same buffer
        net.backward(loss_fn.backward(), need_input_grad=need_input_grad)
        for p, g in zip(net.parameters(), expected, strict=True):
            np.testing.assert_array_equal(p.grad, g)


def test_linear_float32_input_is_not_shared_either() -> None:
    """The same dtype as the layer (so no cast that would copy by accident): still not shared."""
    X, G = (a.astype(np.float32) for a in data())
    layer = bp.Linear(4, 3, rng=1, dtype=np.float32)
    layer.forward(X)
    expected = G.T @ X
    X *= -1
    assert layer.backward(G).dtype == np.float32
    assert layer.dW is not None and layer.dW.dtype == np.float32
    np.testing.assert_allclose(layer.dW, expected, rtol=1e-6)


def test_what_is_copied_and_what_is_not() -> None:
    """Copied: an array the caller can still write. Kept as is: a cast (the layer's own), a
    read-only array that owns its memory (fit freezes each batch it draws), and inside a
    network every array between modules (they never reach the caller)."""
    X, _ = data()
    layer = bp.Linear(4, 3, rng=1)
    layer.forward(X)
    copy = layer.A_prev
    assert copy is not None and not np.shares_memory(copy, X) and not copy.flags.writeable
    assert X.flags.writeable  # the caller's array is left as it was
    layer.forward(X + 1)
    assert layer.A_prev is copy  # the same buffer, refilled: a training step allocates nothing
    cast = bp.Linear(4, 3, rng=1, dtype=np.float32)
    cast.forward(X)  # float64 -> float32: a new array, the layer's own
    assert cast._copy is None
    frozen = X.copy()
    frozen.setflags(write=False)
    layer = bp.Linear(4, 3, rng=1)
    layer.forward(frozen)
    assert layer.A_prev is frozen and layer._copy is None
    net = bp.Sequential(bp.Linear(4, 6, rng=0), bp.Sigmoid(), bp.Linear(6, 3, rng=1))
    net.forward(X)
    first, act, last = net.layers
    assert first._copy is not None  # type: ignore[attr-defined]
    assert act._copy is None and last._copy is None  # type: ignore[attr-defined]
    net.forward(frozen)
    assert first.A_prev is frozen  # type: ignore[attr-defined]


def test_a_read_only_view_of_a_writeable_array_is_copied() -> None:
    """Read-only, but its memory can change through the array it views."""
    base, G = data()
    view = base[:, :]
    view.setflags(write=False)
    layer = bp.Linear(4, 3, rng=1)
    layer.forward(view)
    expected = G.T @ base
    base[:] = 1.0
    layer.backward(G)
    np.testing.assert_allclose(layer.dW, expected, rtol=1e-13)


def test_fit_trains_as_before_and_leaves_X_writeable() -> None:
    X, y = bp.datasets.xor(64, rng=0)
    runs = []
    for _ in range(2):
        net = bp.Sequential(bp.Linear(2, 8, rng=0), bp.Tanh(), bp.Linear(8, 2, rng=1))
        opt = bp.SGD(net.parameters(), lr=0.1)
        bp.fit(net, bp.SoftmaxCrossEntropyLoss(), opt, X, y, epochs=2, batch_size=16, rng=0)
        runs.append(net.state_dict())
        assert net.layers[0]._copy is None  # type: ignore[attr-defined]  # fit copies nothing
    for name in runs[0]:
        np.testing.assert_array_equal(runs[0][name], runs[1][name])
    assert X.flags.writeable


# --------------------------------------------------------------------------------------------
# Item 2: activations and their output


@pytest.mark.parametrize("act", [bp.Sigmoid, bp.Tanh, bp.ReLU])
def test_editing_the_output_or_input_leaves_backward_right(act: type[bp.Activation]) -> None:
    Z, _ = data()
    G = np.random.default_rng(1).standard_normal(Z.shape)
    expected = act()
    expected.forward(Z.copy())
    want = expected.backward(G)
    layer = act()
    A = layer.forward(Z)
    A[:] = 0.5  # the caller edits the output in place (Sigmoid and Tanh cache it)
    Z[:] = -3.0  # and the input
    np.testing.assert_array_equal(layer.backward(G), want)
    if act is not bp.ReLU:  # its cache is the output: a read-only copy of its own
        assert layer.cache is not None and not layer.cache.flags.writeable


@pytest.mark.parametrize("act", [bp.Sigmoid, bp.Tanh])
def test_a_network_ending_in_an_activation_returns_a_copy(act: type[bp.Activation]) -> None:
    """The output of Sequential.forward is the caller's to edit: a hand-written loss that turns
    it into a residual in place still gets the right gradients."""
    X, Y = data()
    net = bp.Sequential(bp.Linear(4, 3, rng=0), act())
    out = net.forward(X)
    want = 2 * (out - Y) / out.size
    twin = bp.Sequential(bp.Linear(4, 3, rng=0), act())
    twin.forward(X)
    twin.backward(want)
    out -= Y  # in place
    net.backward(2 * out / out.size)
    for p, q in zip(net.parameters(), twin.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, q.grad)


class _CachesItsInput(bp.Activation):
    """A user's activation that caches Z itself: sigma(z) = z^2 / 2, sigma'(z) = z."""

    def _sigma(self, Z: Array) -> tuple[Array, Array]:
        return Z * Z / 2, Z

    def _sigma_prime(self, Z: Array) -> Array:
        return Z


class _ReturnsItsCache(bp.Activation):
    """A user's activation like Sigmoid: it returns the very array it caches."""

    def _sigma(self, Z: Array) -> tuple[Array, Array]:
        A = np.exp(Z)
        return A, A

    def _sigma_prime(self, A: Array) -> Array:
        return A


@pytest.mark.parametrize("act", [_CachesItsInput, _ReturnsItsCache])
def test_a_user_activation_cache_is_not_shared(act: type[bp.Activation]) -> None:
    Z, _ = data()
    G = np.ones_like(Z)
    want = act()
    want.forward(Z.copy())
    layer = act()
    A = layer.forward(Z)
    Z[:] = 7.0
    A[:] = 9.0
    np.testing.assert_array_equal(layer.backward(G), want.backward(G))
    assert layer.cache is not None and not layer.cache.flags.writeable


# --------------------------------------------------------------------------------------------
# Item 6: the gradient given to backward


def linear_after_forward() -> bp.Linear:
    X, _ = data()
    layer = bp.Linear(4, 3, rng=1)
    layer.forward(X)
    return layer


def tanh_after_forward() -> bp.Tanh:
    layer = bp.Tanh()
    layer.forward(data()[1])
    return layer


MODULES: dict[str, Callable[[], Any]] = {"Linear": linear_after_forward, "Tanh": tanh_after_forward}


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("module", list(MODULES))
def test_backward_refuses_a_non_finite_gradient(module: str, bad: float) -> None:
    layer = MODULES[module]()
    G = np.ones((5, 3))
    G[2, 1] = bad
    with pytest.raises(ValueError, match=r"gradient .*(nan|inf).* \(row 2, column 1\)") as info:
        layer.backward(G)
    assert "loss" in str(info.value)  # names where to look


def test_linear_backward_params_refuses_a_non_finite_gradient() -> None:
    layer = linear_after_forward()
    with pytest.raises(ValueError, match="nan"):
        layer.backward_params(np.full((5, 3), np.nan))


def test_a_refused_gradient_changes_no_gradient() -> None:
    layer = linear_after_forward()
    G = np.ones((5, 3))
    layer.backward(G)
    assert layer.dW is not None and layer.db is not None
    dW, db = layer.dW.copy(), layer.db.copy()
    G[0, 0] = np.nan
    with pytest.raises(ValueError):
        layer.backward(G)
    np.testing.assert_array_equal(layer.dW, dW)
    np.testing.assert_array_equal(layer.db, db)


def test_sequential_backward_refuses_nan_before_any_update() -> None:
    X, _ = data()
    net = bp.Sequential(bp.Linear(4, 6, rng=0), bp.ReLU(), bp.Linear(6, 3, rng=1))
    opt = bp.SGD(net.parameters(), lr=0.1)
    before = net.state_dict()
    net.forward(X)
    with pytest.raises(ValueError, match="nan"):
        net.backward(np.full((5, 3), np.nan), need_input_grad=False)
    with pytest.raises(RuntimeError, match="backward"):  # no gradient was written, so no step
        opt.step()
    for name, value in net.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize("module", list(MODULES))
def test_backward_refuses_a_complex_gradient(module: str) -> None:
    """Not a ComplexWarning and a dropped imaginary part: a TypeError naming the fix."""
    layer = MODULES[module]()
    G = np.ones((5, 3), dtype=np.complex128)
    with pytest.raises(TypeError, match=r"complex128.*real"):
        layer.backward(G)
    with pytest.raises(TypeError, match="must be a real numeric array"):
        layer.backward(np.full((5, 3), "a"))


@pytest.mark.parametrize("module", list(MODULES))
def test_backward_still_casts_integer_gradients(module: str) -> None:
    layer = MODULES[module]()
    out = layer.backward(np.ones((5, 3), dtype=np.int64))
    assert out.dtype == np.float64


def test_sequential_backward_checks_the_gradient_it_is_given() -> None:
    X, _ = data()
    net = bp.Sequential(bp.Linear(4, 6, rng=0), bp.Tanh(), bp.Linear(6, 3, rng=1), bp.Sigmoid())
    net.forward(X)
    G = np.ones((5, 3))
    G[1, 2] = np.inf
    with pytest.raises(ValueError, match=r"Sequential\.backward: .*inf.*\(row 1, column 2\)"):
        net.backward(G)
    with pytest.raises(TypeError, match="complex"):
        net.backward(G.astype(np.complex64))


def test_float32_backward_checks_without_promotion() -> None:
    X = data()[0].astype(np.float32)
    layer = bp.Linear(4, 3, rng=1, dtype=np.float32)
    layer.forward(X)
    G = np.ones((5, 3), dtype=np.float32)
    assert layer.backward(G).dtype == np.float32
    G[4, 2] = np.float32(np.inf)
    with pytest.raises(ValueError, match=r"inf .*\(row 4, column 2\)"):
        layer.backward(G)


def test_huge_but_finite_gradients_pass() -> None:
    """The fast check squares the entries; a square that overflows is not an inf entry."""
    layer = bp.Linear(4, 3, rng=1, dtype=np.float32)
    layer.forward(data()[0].astype(np.float32))
    G = np.full((5, 3), 1e30, dtype=np.float32)
    layer.backward_params(G)
    assert layer.db is not None and np.isfinite(layer.db).all()


# --------------------------------------------------------------------------------------------
# The losses keep no array of the caller's either (the guarantee in docs/implementation.md)


def test_bce_gradient_is_of_the_logits_and_targets_forward_saw() -> None:
    rng = np.random.default_rng(0)
    Z, Y = rng.standard_normal((4, 2)), rng.random((4, 2))
    want = bp.BCEWithLogitsLoss()
    want.forward(Z.copy(), Y.copy())
    loss = bp.BCEWithLogitsLoss()
    loss.forward(Z, Y)
    Z[:], Y[:] = 5.0, 0.0
    np.testing.assert_array_equal(loss.backward(), want.backward())


def test_cross_entropy_gradient_is_of_the_targets_forward_saw() -> None:
    rng = np.random.default_rng(0)
    Z, P = rng.standard_normal((4, 3)), rng.dirichlet(np.ones(3), size=4)
    want = bp.SoftmaxCrossEntropyLoss()
    want.forward(Z, P.copy())
    loss = bp.SoftmaxCrossEntropyLoss()
    loss.forward(Z, P)
    P[:] = np.eye(3)[[0, 1, 2, 0]]
    np.testing.assert_array_equal(loss.backward(), want.backward())


def test_a_refused_input_leaves_no_stale_cache() -> None:
    """A forward that raises leaves nothing for backward to use by mistake: not its own input,
    which it may already have copied, nor the previous forward's."""
    X, G = data()
    layer = bp.Linear(4, 3, rng=1)
    layer.forward(X)
    bad = X.copy()
    bad[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"\(row 1, column 2\)"):
        layer.forward(bad)
    with pytest.raises(RuntimeError, match="backward"):
        layer.backward(G)
    layer.forward(X)
    layer.backward(G)
    np.testing.assert_allclose(layer.dW, G.T @ X, rtol=1e-13)
