"""The benchmark's hand-written in-place NumPy step computes what the package computes.

``benchmarks/inplace.py`` is timed next to our step as NumPy's own limit on this machine.
Its ratios only mean something if it does the same arithmetic: the same loss, and the same
parameters after a few SGD steps, in float64, for both forward forms (a batch of at most
``SMALL_BATCH`` rows and a larger one).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not installed

from benchmarks import inplace


def test_inplace_reference_matches_the_package_in_float64() -> None:
    assert inplace.check_same_as_package(steps=3) < 1e-12


def test_inplace_reference_keeps_float32() -> None:
    step, params = inplace.inplace_step(8, np.float32)
    loss = step()
    assert np.isfinite(loss)
    assert all(p.dtype == np.float32 for p in params)
