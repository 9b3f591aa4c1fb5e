"""``affine_fast`` against ``affine`` on the first layer of the MNIST network, by batch size.

``Linear.forward`` runs ``affine_fast`` (``Z^T = W A^T``, then a copy into row order) for a batch
of at most ``SMALL_BATCH`` rows, and the derivation's ``affine`` (``Z = A W^T + b``) otherwise.
Whether the fast path pays depends on OpenBLAS's kernel for the CPU, so every run measures it,
round-robin, at several batch sizes: the two functions, and their matrix products alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

import numpy as np

from backprop.layers import SMALL_BATCH, affine, affine_fast

from .harness import ratio_stat, round_robin

IN_FEATURES, OUT_FEATURES = 784, 256  # the first layer of the 784-256-256-10 network
ROWS = (8, 32, 64, 128, 256)


def cases(rows: int, seed: int = 0) -> dict[str, Callable[[], object]]:
    """The four calls timed for a batch of ``rows``: both functions and their products."""
    rng = np.random.default_rng(seed)
    A_prev = rng.standard_normal((rows, IN_FEATURES)).astype(np.float32)
    W = rng.standard_normal((OUT_FEATURES, IN_FEATURES)).astype(np.float32)
    b = rng.standard_normal(OUT_FEATURES).astype(np.float32)
    if not np.allclose(affine_fast(A_prev, W, b), affine(A_prev, W, b), rtol=1e-5, atol=1e-4):
        raise AssertionError(f"affine_fast and affine disagree at {rows} rows")
    return {
        "affine": lambda: affine(A_prev, W, b),
        "affine_fast": lambda: affine_fast(A_prev, W, b),
        "product": lambda: A_prev @ W.T,
        "product_transposed": lambda: W @ A_prev.T,
    }


def benchmark(rounds: int, block_seconds: float = 0.02) -> dict[str, Any]:
    """Per batch size, the median CPU-time ratios (and IQR) over ``rounds`` rounds:
    ``affine_fast / affine`` and ``(W @ A_prev.T) / (A_prev @ W.T)``."""
    by_rows = []
    for rows in ROWS:
        t = round_robin(cases(rows), rounds, block_seconds=block_seconds)
        by_rows.append(
            {
                "rows": rows,
                "fast_over_clear": asdict(ratio_stat(t.cpu["affine_fast"], t.cpu["affine"])),
                "transposed_product_over_product": asdict(
                    ratio_stat(t.cpu["product_transposed"], t.cpu["product"])
                ),
                "median_us_affine": round(float(np.median(t.cpu["affine"])) * 1e6, 1),
            }
        )
    return {
        "layer": f"{IN_FEATURES} to {OUT_FEATURES} units, float32",
        "small_batch": SMALL_BATCH,
        "rounds": rounds,
        "by_rows": by_rows,
    }
