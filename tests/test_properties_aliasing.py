"""Property-based tests (Hypothesis) of issue 29's items 1, 2, 6 and 11 over memory layouts,
dtypes, read-only inputs and aliasing.

Layouts: C order, Fortran order, a transposed view, a strided slice of a larger array, a
read-only copy (which owns its memory) and a read-only view of a writeable array. For every one:

* the numbers are those of a plain C-ordered copy, in the input's float dtype;
* nothing the caller passed in is modified, and its flags are left alone;
* an in-place edit of any entry between ``forward`` and ``backward`` changes no gradient (what
  a module keeps is a copy, unless nobody can write to it);
* a NaN, inf or complex gradient is refused, naming the entry;
* ``numerical_gradient`` and ``check_gradients`` take the layout as it is.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

import backprop as bp
from backprop.gradcheck import TOLERANCE

LAYOUTS = ["C", "Fortran", "transposed view", "strided slice", "read-only", "read-only view"]
DTYPES = [np.float32, np.float64]
TOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}


def in_layout(x: NDArray[Any], layout: str) -> NDArray[Any]:
    """The values of the 2-D ``x`` in ``layout``."""
    if layout == "C":
        return np.ascontiguousarray(x)
    if layout == "Fortran":
        return np.asfortranarray(x)
    if layout == "transposed view":
        return np.ascontiguousarray(x.T).T
    if layout == "strided slice":
        big = np.zeros((2 * x.shape[0] + 1, 3 * x.shape[1]), dtype=x.dtype)
        view = big[1::2, ::3]
        view[...] = x
        return view
    if layout == "read-only":
        out = x.copy()
        out.setflags(write=False)
        return out
    view = x.copy()[:, :]  # read-only view of a writeable array
    view.setflags(write=False)
    return view


def writeable(x: NDArray[Any]) -> bool:
    return bool(x.flags.writeable)


cases = st.fixed_dictionaries(
    {
        "layout": st.sampled_from(LAYOUTS),
        "dtype": st.sampled_from(DTYPES),
        "N": st.integers(1, 6),
        "n": st.integers(1, 5),
        "m": st.integers(1, 5),
        "seed": st.integers(0, 2**32 - 1),
    }
)


def arrays(case: dict[str, Any]) -> tuple[np.random.Generator, NDArray[Any], NDArray[Any]]:
    rng = np.random.default_rng(case["seed"])
    X = rng.standard_normal((case["N"], case["n"])).astype(case["dtype"])
    G = rng.standard_normal((case["N"], case["m"])).astype(case["dtype"])
    return rng, X, G


def edit_one_entry(x: NDArray[Any], rng: np.random.Generator) -> None:
    """Change one entry of ``x`` in place (through its base if ``x`` is a read-only view)."""
    target = x if x.flags.writeable else x.base
    assert isinstance(target, np.ndarray) and target.flags.writeable
    if target is not x:
        target = target[:, :]  # the read-only view covers the whole base here
    i, j = int(rng.integers(x.shape[0])), int(rng.integers(x.shape[1]))
    target[i, j] = target[i, j] + 1


# --------------------------------------------------------------------------------------------
# Linear (item 1)


@given(case=cases)
def test_linear_in_any_layout_gives_the_numbers_of_a_c_copy(case: dict[str, Any]) -> None:
    _, X0, G = arrays(case)
    X = in_layout(X0, case["layout"])
    flags_before, values_before = writeable(X), X.copy()
    reference = bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"])
    layer = bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"])
    Z_ref, Z = reference.forward(X0.copy()), layer.forward(X)
    dX_ref, dX = reference.backward(G), layer.backward(G)
    tol = TOL[np.dtype(case["dtype"])]
    for got, want in ((Z, Z_ref), (dX, dX_ref), (layer.dW, reference.dW), (layer.db, reference.db)):
        assert got is not None and want is not None
        assert got.dtype == case["dtype"]
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol)
    np.testing.assert_array_equal(X, values_before)
    assert writeable(X) == flags_before


@given(case=cases)
def test_linear_never_uses_an_edited_input(case: dict[str, Any]) -> None:
    """An edit of any entry of X between forward and backward changes no gradient (X is kept
    as it is only when nobody can write to it)."""
    rng, X0, G = arrays(case)
    X = in_layout(X0, case["layout"])
    reference = bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"])
    reference.forward(X.copy())
    reference.backward(G)
    layer = bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"])
    layer.forward(X)
    if case["layout"] == "read-only":  # owns its memory, and nobody can write to it
        assert layer.A_prev is X
    else:
        edit_one_entry(X, rng)
    layer.backward(G)
    tol = TOL[np.dtype(case["dtype"])]
    np.testing.assert_allclose(layer.dW, reference.dW, rtol=tol, atol=tol)
    np.testing.assert_allclose(layer.db, reference.db, rtol=tol, atol=tol)


@given(case=cases, cast=st.booleans())
def test_sequential_in_any_layout(case: dict[str, Any], cast: bool) -> None:
    """A network gives the numbers of a C copy, in any layout; an X of another dtype is cast
    (then the network's own copy is kept, and an edit of the caller's X changes nothing)."""
    rng, X0, _ = arrays(case)
    dtype = np.float64 if cast and case["dtype"] == np.float32 else case["dtype"]
    X = in_layout(X0, case["layout"])
    y = rng.integers(0, case["m"] + 1, size=case["N"])

    def net() -> bp.Sequential:
        return bp.Sequential(
            bp.Linear(case["n"], 4, rng=1, dtype=dtype),
            bp.Tanh(),
            bp.Linear(4, case["m"] + 1, rng=2, dtype=dtype),
        )

    ref, new = net(), net()
    for model, inputs in ((ref, X0.astype(dtype)), (new, X)):
        loss = bp.SoftmaxCrossEntropyLoss()
        loss.forward(model.forward(inputs), y)
        model.backward(loss.backward())
    tol = TOL[np.dtype(case["dtype"])]
    for p, q in zip(new.parameters(), ref.parameters(), strict=True):
        assert p.grad.dtype == dtype
        np.testing.assert_allclose(p.grad, q.grad, rtol=tol, atol=tol)


# --------------------------------------------------------------------------------------------
# Activations (item 2)

ACTIVATIONS = [bp.Sigmoid, bp.Tanh, bp.ReLU]


@given(case=cases, act=st.sampled_from(ACTIVATIONS))
def test_activations_in_any_layout(case: dict[str, Any], act: type[bp.Activation]) -> None:
    """The same delta as on a C copy, and editing the input or the output afterwards changes
    nothing (Sigmoid and Tanh keep a copy of the output they return)."""
    rng, Z0, _ = arrays(case)
    G = rng.standard_normal(Z0.shape).astype(case["dtype"])
    Z = in_layout(Z0, case["layout"])
    ref = act()
    ref.forward(Z0.copy())
    want = ref.backward(G)
    layer = act()
    A = layer.forward(Z)
    assert A.dtype == case["dtype"] and A.flags.writeable
    np.testing.assert_array_equal(layer.backward(G), want)
    if writeable(Z):
        edit_one_entry(Z, rng)  # the input is not kept: still the same delta
        np.testing.assert_array_equal(layer.backward(G), want)
    edit_one_entry(A, rng)
    np.testing.assert_array_equal(layer.backward(G), want)


@given(case=cases, act=st.sampled_from(ACTIVATIONS))
def test_a_network_output_is_never_kept(case: dict[str, Any], act: type[bp.Activation]) -> None:
    """Whatever module ends the network, the caller may edit what forward returned."""
    rng, X0, G = arrays(case)
    X = in_layout(X0, case["layout"])
    net = bp.Sequential(bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"]), act())
    out = net.forward(X)
    for layer in net.layers:
        for kept in layer._kept():
            assert kept is None or not np.shares_memory(out, kept)
    twin = bp.Sequential(bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"]), act())
    twin.forward(X)  # the same layout, so the same rounding
    twin.backward(G)
    out[...] = rng.standard_normal(out.shape)
    net.backward(G)
    for p, q in zip(net.parameters(), twin.parameters(), strict=True):
        np.testing.assert_array_equal(p.grad, q.grad)


# --------------------------------------------------------------------------------------------
# The gradient given to backward (item 6)


@given(
    case=cases,
    bad=st.sampled_from([np.nan, np.inf, -np.inf]),
    module=st.sampled_from(["Linear", "Sigmoid", "Sequential"]),
)
def test_a_non_finite_gradient_is_refused_where_it_is(
    case: dict[str, Any], bad: float, module: str
) -> None:
    rng, X, G = arrays(case)
    i, j = int(rng.integers(G.shape[0])), int(rng.integers(G.shape[1]))
    G[i, j] = bad
    G = in_layout(G, case["layout"])
    layer: Any
    if module == "Linear":
        layer = bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"])
    elif module == "Sigmoid":
        layer, X = bp.Sigmoid(), rng.standard_normal(G.shape).astype(case["dtype"])
    else:
        layer = bp.Sequential(bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"]))
    layer.forward(X)
    with pytest.raises(
        ValueError, match=rf"gradient given to backward contains .*\(row {i}, column {j}\)"
    ):
        layer.backward(G)


@given(case=cases, module=st.sampled_from(["Linear", "Tanh", "Sequential"]))
def test_a_complex_gradient_is_refused(case: dict[str, Any], module: str) -> None:
    _, X, G = arrays(case)
    layer: Any = {
        "Linear": bp.Linear(case["n"], case["m"], rng=0),
        "Tanh": bp.Tanh(),
        "Sequential": bp.Sequential(bp.Linear(case["n"], case["m"], rng=0)),
    }[module]
    layer.forward(X if module != "Tanh" else G.real)
    with pytest.raises(TypeError, match=r"complex.*real"):
        layer.backward(G.astype(np.complex128) + 1j)


# --------------------------------------------------------------------------------------------
# Finite differences in any layout (item 11)


@given(case=cases)
def test_numerical_gradient_in_any_writeable_layout(case: dict[str, Any]) -> None:
    rng, X0, _ = arrays(case)
    X0 = X0.astype(np.float64)
    W = rng.standard_normal(X0.shape)
    x = in_layout(X0, case["layout"])

    def f(v: NDArray[np.float64]) -> float:
        return float((W * np.tanh(v)).sum())

    if not writeable(x):
        with pytest.raises(ValueError, match="read-only"):
            bp.numerical_gradient(f, x)
        return
    g = bp.numerical_gradient(f, x)
    np.testing.assert_array_equal(x, X0)  # restored exactly
    np.testing.assert_allclose(g, W * (1 - np.tanh(X0) ** 2), rtol=1e-8, atol=1e-9)


@given(case=cases)
def test_check_gradients_in_any_layout(case: dict[str, Any]) -> None:
    rng, X0, _ = arrays(case)
    X = in_layout(X0.astype(np.float64), case["layout"])
    before = X.copy()
    y = rng.integers(0, 3, size=case["N"])
    net = bp.Sequential(bp.Linear(case["n"], 4, rng=1), bp.Tanh(), bp.Linear(4, 3, rng=2))
    errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)
    assert max(errors.values()) < TOLERANCE
    np.testing.assert_array_equal(X, before)


@given(case=cases, bad=st.sampled_from([np.nan, np.inf]))
def test_a_non_finite_input_is_named_in_any_layout(case: dict[str, Any], bad: float) -> None:
    """The checksum that replaces the finite check still names the caller's row and column."""
    rng, X0, _ = arrays(case)
    i, j = int(rng.integers(X0.shape[0])), int(rng.integers(X0.shape[1]))
    X0[i, j] = bad
    X = in_layout(X0, case["layout"])
    with pytest.raises(ValueError, match=rf"input contains .* \(row {i}, column {j}\)"):
        bp.Linear(case["n"], case["m"], rng=0, dtype=case["dtype"]).forward(X)


@given(dtype=st.sampled_from(DTYPES), n=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_an_input_that_is_the_layers_own_weight(dtype: type, n: int, seed: int) -> None:
    """Aliasing at its worst: a square layer fed its own W, then W stepped in place before
    backward. dW is still delta^T of the W that forward saw (dA reads W when backward runs,
    as documented)."""
    rng = np.random.default_rng(seed)
    layer = bp.Linear(n, n, rng=seed, dtype=dtype)
    W_seen = layer.W.copy()
    G = rng.standard_normal((n, n)).astype(dtype)
    layer.forward(layer.W)
    layer.W -= dtype(0.5) * layer.W  # an optimizer step before backward
    layer.backward(G)
    np.testing.assert_allclose(layer.dW, G.T @ W_seen, rtol=TOL[np.dtype(dtype)], atol=1e-6)


@given(case=cases)
def test_a_loss_given_the_same_array_twice(case: dict[str, Any]) -> None:
    """pred and target the same writeable array, edited after forward: the gradient is that
    of the values forward saw (zero)."""
    _, X, _ = arrays(case)
    X = in_layout(X, case["layout"])
    for loss in (bp.MSELoss(), bp.BCEWithLogitsLoss()):
        target = np.clip(X, 0, 1) if isinstance(loss, bp.BCEWithLogitsLoss) else X
        if not writeable(target):
            continue
        loss.forward(target, target)
        want = loss.backward().copy()
        target[...] = 0.25
        np.testing.assert_array_equal(loss.backward(), want)
