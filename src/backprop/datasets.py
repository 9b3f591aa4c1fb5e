"""Small datasets for the notebooks and tests: 2-D spirals, XOR, and scikit-learn's digits.

Every generator takes a ``numpy.random.Generator``, so the same seed gives the same data.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray


class Split(NamedTuple):
    """A train/test split: ``X_train`` (N_train, d), ``X_test`` (N_test, d), int labels."""

    X_train: NDArray[np.float64]
    X_test: NDArray[np.float64]
    y_train: NDArray[np.int64]
    y_test: NDArray[np.int64]


def spirals(
    n_per_class: int = 100,
    n_classes: int = 2,
    noise: float = 0.2,
    rng: np.random.Generator | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Interleaved 2-D spirals: X (n_classes * n_per_class, 2) in about [-1, 1]^2, y (N,) labels."""
    if n_per_class < 1 or n_classes < 2:
        raise ValueError(
            f"spirals: need n_per_class >= 1 and n_classes >= 2, got {n_per_class}, {n_classes}."
        )
    rng = np.random.default_rng() if rng is None else rng
    r = np.tile(np.linspace(0.05, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * r + 2 * np.pi * y / n_classes + noise * rng.standard_normal(r.size)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, y.astype(np.int64)


def xor(
    n: int = 200, noise: float = 0.1, rng: np.random.Generator | None = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """XOR: X (n, 2) around the four corners of [-1, 1]^2, y = 1 where the signs differ."""
    if n < 1:
        raise ValueError(f"xor: n must be >= 1, got {n}.")
    rng = np.random.default_rng() if rng is None else rng
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return X, y


def stratified_split(
    X: NDArray[Any], y: NDArray[Any], test_size: float, rng: np.random.Generator
) -> Split:
    """Split so every class keeps its proportion in train and test (at least one test sample each)."""
    if not 0 < test_size < 1:
        raise ValueError(f"stratified_split: test_size must be in (0, 1), got {test_size}.")
    test_idx = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test_idx.append(members[: max(1, round(test_size * len(members)))])
    test = np.zeros(len(y), dtype=bool)
    test[np.concatenate(test_idx)] = True
    return Split(X[~test], X[test], y[~test], y[test])


def load_digits(test_size: float = 0.25, rng: np.random.Generator | None = None) -> Split:
    """scikit-learn's bundled 8x8 digits (1797 images, 10 classes), stratified train/test split.

    ``X`` rows are the 64 pixels scaled from 0..16 to [0, 1] (float64), ``y`` the digits 0..9.
    Needs scikit-learn (``pip install 'backprop[datasets]'``); no download happens.
    """
    raw = _digits_csv()
    X = raw[:, :-1] / 16.0
    y = raw[:, -1].astype(np.int64)
    return stratified_split(X, y, test_size, np.random.default_rng(0) if rng is None else rng)


def _digits_csv() -> NDArray[np.float64]:
    """The digits as one (1797, 65) array: 64 pixels, then the label.

    scikit-learn ships them as ``sklearn/datasets/data/digits.csv.gz``. Reading that file
    directly takes milliseconds, where ``import sklearn.datasets`` takes about a second, so
    the file is found without importing scikit-learn. If a scikit-learn release moves it,
    ``sklearn.datasets.load_digits`` gives the same array (``tests/test_datasets.py``).
    """
    try:
        spec = importlib.util.find_spec("sklearn")
    except (ImportError, ValueError):  # ValueError: sys.modules["sklearn"] is None
        spec = None
    if spec is not None and spec.origin is not None:
        path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
        if path.is_file():
            with gzip.open(path, "rt") as f:
                return np.loadtxt(f, delimiter=",", dtype=np.float64)
    try:
        from sklearn.datasets import load_digits as sk_load_digits
    except ImportError as exc:
        raise ImportError(
            "load_digits needs scikit-learn, which ships the digits data. Install it with "
            "pip install 'backprop[datasets]' (or pip install scikit-learn)."
        ) from exc
    data = sk_load_digits()
    return np.column_stack([data.data, data.target]).astype(np.float64)
