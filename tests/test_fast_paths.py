"""Fast paths compute the same numbers as the clear code that the derivation shows.

For batches of up to ``SMALL_BATCH`` rows, ``Linear.forward`` calls ``affine_fast``
(Z^T = W A^T, faster with OpenBLAS there); the derivation shows ``affine`` (Z = A W^T + b),
which ``Linear.forward`` runs for larger batches. Both sum the same products for
every entry, so they may differ only by rounding: at most the error bound of two dot products
of length n, 2 n u sum_k |a_k w_k| (u the unit roundoff), plus the rounding of ``+ b``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import backprop as bp
from backprop import layers
from backprop.layers import SMALL_BATCH, affine, affine_fast


def rounding_bound(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    u = np.finfo(A.dtype).eps / 2
    n = A.shape[1]
    sums = np.abs(A).astype(np.float64) @ np.abs(W).astype(np.float64).T + np.abs(b)
    return 2 * (n + 1) * u * sums


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@given(
    N=st.integers(1, 130),
    n=st.integers(1, 300),
    m=st.integers(1, 70),
    seed=st.integers(0, 2**32 - 1),
)
def test_affine_fast_equals_affine(dtype: type, N: int, n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((N, n)).astype(dtype)
    W = rng.standard_normal((m, n)).astype(dtype)
    b = rng.standard_normal(m).astype(dtype)
    clear, fast = affine(A, W, b), affine_fast(A, W, b)
    assert fast.shape == clear.shape == (N, m)
    assert fast.dtype == clear.dtype == dtype
    assert fast.flags.c_contiguous  # laid out like A @ W.T + b, so nothing downstream changes
    assert np.all(np.abs(fast.astype(np.float64) - clear) <= rounding_bound(A, W, b))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_linear_forward_is_affine(dtype: type) -> None:
    """The layer returns what the derivation's line computes, for the benchmark's shapes."""
    rng = np.random.default_rng(0)
    layer = bp.Linear(784, 256, rng=rng, dtype=dtype)
    layer.b[:] = rng.standard_normal(256)
    for N in (1, 32, SMALL_BATCH, SMALL_BATCH + 1, 128):
        A = rng.random((N, 784)).astype(dtype)
        clear = affine(A, layer.W, layer.b)
        assert np.all(np.abs(layer.forward(A) - clear) <= rounding_bound(A, layer.W, layer.b))


def test_linear_forward_takes_the_fast_path_only_for_small_batches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(layers, "affine", lambda *a: calls.append("affine") or affine(*a))
    monkeypatch.setattr(
        layers, "affine_fast", lambda *a: calls.append("affine_fast") or affine_fast(*a)
    )
    layer = bp.Linear(3, 2, rng=np.random.default_rng(0))
    for N in (1, SMALL_BATCH, SMALL_BATCH + 1):
        layer.forward(np.ones((N, 3)))
    assert calls == ["affine_fast", "affine_fast", "affine"]
