"""The shape ledger: the derivation's column-vector math equals the package's batch code.

The math works on one sample at a time with column vectors, a^{(k-1)} (n, 1) and
W^{(k)} (m, n):

    z = W a + b,   dW = delta a^T,   db = delta,   da_prev = W^T delta.

The code works on a batch of N rows at once: ``Z = A_prev @ W.T + b``,
``dW = delta.T @ A_prev``, ``db = delta.sum(axis=0)``, ``dA_prev = delta @ W``. Running the
column formulas sample by sample, stacking the per-sample vectors as rows and summing the
per-sample parameter gradients must give the batch code's arrays. (Sums are compared with
a 1e-12 relative tolerance, since the two forms add the N terms in a different order.)
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

import backprop as bp

Array = NDArray[np.float64]
shapes = st.tuples(st.integers(1, 7), st.integers(1, 6), st.integers(1, 6))  # (N, n, m)
seeds = st.integers(0, 2**32 - 1)
CLOSE = {"rtol": 1e-12, "atol": 1e-14}


@given(shape=shapes, seed=seeds)
def test_column_math_equals_batch_code(shape: tuple[int, int, int], seed: int) -> None:
    N, n, m = shape
    rng = np.random.default_rng(seed)
    layer = bp.Linear(n, m, rng=rng)
    layer.b[:] = rng.standard_normal(m)
    A_prev = rng.standard_normal((N, n))
    delta = rng.standard_normal((N, m))  # dL/dZ, one row per sample

    Z = layer.forward(A_prev)
    dA_prev = layer.backward(delta)
    assert layer.dW is not None and layer.db is not None

    W, b_col = layer.W, layer.b.reshape(m, 1)
    z_cols, da_cols = [], []
    dW_sum, db_sum = np.zeros((m, n)), np.zeros((m, 1))
    for s in range(N):
        a = A_prev[s].reshape(n, 1)  # a^{(k-1)}: (n, 1)
        d = delta[s].reshape(m, 1)  # delta^{(k)}: (m, 1)
        z = W @ a + b_col  # (m, n) @ (n, 1) + (m, 1) -> (m, 1)
        dW_s = d @ a.T  # (m, 1) @ (1, n) -> (m, n)
        db_s = d  # (m, 1)
        da = W.T @ d  # (n, m) @ (m, 1) -> (n, 1)
        assert (z.shape, dW_s.shape, db_s.shape, da.shape) == ((m, 1), (m, n), (m, 1), (n, 1))
        z_cols.append(z)
        da_cols.append(da)
        dW_sum += dW_s
        db_sum += db_s

    # Stack the column vectors as rows: (N, m) and (N, n), the batch code's layout.
    np.testing.assert_allclose(Z, np.hstack(z_cols).T, **CLOSE)
    np.testing.assert_allclose(dA_prev, np.hstack(da_cols).T, **CLOSE)
    # The batch parameter gradients are the per-sample ones summed.
    np.testing.assert_allclose(layer.dW, dW_sum, **CLOSE)
    np.testing.assert_allclose(layer.db, db_sum.ravel(), **CLOSE)
    assert (Z.shape, dA_prev.shape, layer.dW.shape, layer.db.shape) == (
        (N, m),
        (N, n),
        (m, n),
        (m,),
    )


SIGMA = {"relu": lambda z: np.maximum(z, 0), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}
SIGMA |= {"tanh": np.tanh}
SIGMA_PRIME = {
    "relu": lambda z: (z > 0).astype(np.float64),
    "sigmoid": lambda z: SIGMA["sigmoid"](z) * (1 - SIGMA["sigmoid"](z)),
    "tanh": lambda z: 1 - np.tanh(z) ** 2,
}
ACTIVATIONS = {"relu": bp.ReLU, "sigmoid": bp.Sigmoid, "tanh": bp.Tanh}


@pytest.mark.parametrize("act", list(ACTIVATIONS))
@given(N=st.integers(1, 6), widths=st.lists(st.integers(1, 5), min_size=3, max_size=4), seed=seeds)
def test_column_backprop_through_a_network_equals_batch_code(
    act: str, N: int, widths: list[int], seed: int
) -> None:
    """The whole algorithm in column form, per sample (forward, BP1 with the MSE gradient,
    BP2 down the layers, BP3/BP4 summed over samples), equals Sequential's batch results."""
    rng = np.random.default_rng(seed)
    layers: list[bp.Module] = []
    for n_in, n_out in pairwise(widths):
        lin = bp.Linear(n_in, n_out, rng=rng)
        lin.b[:] = rng.standard_normal(n_out)
        layers += [lin, ACTIVATIONS[act]()]
    net = bp.Sequential(*layers)  # ends in an activation, so BP1 has a real sigma'
    linears = [layer for layer in layers if isinstance(layer, bp.Linear)]
    X = rng.standard_normal((N, widths[0]))
    Y = rng.standard_normal((N, widths[-1]))
    loss_fn = bp.MSELoss()
    loss_fn.forward(net.forward(X), Y)
    dX = net.backward(loss_fn.backward())
    assert dX is not None

    L = len(linears)
    dW_sum = [np.zeros_like(lin.W) for lin in linears]
    db_sum = [np.zeros((lin.out_features, 1)) for lin in linears]
    dx_cols = []
    for s in range(N):
        a = [X[s].reshape(-1, 1)]  # a[k] = a^{(k)}, a[0] = x
        z = [np.empty(0)]  # z[k] = z^{(k)}, 1-based like the math
        for lin in linears:
            z.append(lin.W @ a[-1] + lin.b.reshape(-1, 1))
            a.append(SIGMA[act](z[-1]))
        # BP1: delta^L = dL/da^L ⊙ sigma'(z^L); the batch-mean MSE gives 2 (a - y) / (N m).
        dL_da = 2 * (a[L] - Y[s].reshape(-1, 1)) / Y.size
        delta = dL_da * SIGMA_PRIME[act](z[L])
        for k in range(L, 0, -1):
            dW_sum[k - 1] += delta @ a[k - 1].T  # BP3
            db_sum[k - 1] += delta  # BP4
            back = linears[k - 1].W.T @ delta  # W^T delta
            if k > 1:
                delta = back * SIGMA_PRIME[act](z[k - 1])  # BP2
        dx_cols.append(back)

    for lin, dW, db in zip(linears, dW_sum, db_sum, strict=True):
        assert lin.dW is not None and lin.db is not None
        np.testing.assert_allclose(lin.dW, dW, **CLOSE)
        np.testing.assert_allclose(lin.db, db.ravel(), **CLOSE)
    np.testing.assert_allclose(dX, np.hstack(dx_cols).T, **CLOSE)


def test_shapes_table_matches_the_arrays() -> None:
    """``Sequential.shapes`` (used by the docs' shape tables) agrees with a real forward pass."""
    rng = np.random.default_rng(0)
    net = bp.Sequential(bp.Linear(64, 64, rng=rng), bp.ReLU(), bp.Linear(64, 10, rng=rng))
    X = rng.standard_normal((32, 64))
    table = net.shapes((32, 64))
    actual = [X.shape]
    A = X
    for layer in net.layers:
        A = layer.forward(A)
        actual.append(A.shape)
    assert [shape for _, shape in table] == actual
