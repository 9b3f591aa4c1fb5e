"""Small datasets for the notebooks and tests: 2-D spirals, XOR, and the 8x8 digits.

Every generator takes ``rng``: an int seed, a ``numpy.random.Generator`` or ``None``, so the
same seed gives the same data.
"""

from __future__ import annotations

from importlib import resources
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import NDArray

from ._checks import RNGLike, as_rng


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
    rng: RNGLike = None,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Interleaved 2-D spirals: X (n_classes * n_per_class, 2) in about [-1, 1]^2, y (N,) labels."""
    if n_per_class < 1 or n_classes < 2:
        raise ValueError(
            f"spirals: need n_per_class >= 1 and n_classes >= 2, got {n_per_class}, {n_classes}."
        )
    rng = as_rng(rng, "spirals")
    r = np.tile(np.linspace(0.05, 1.0, n_per_class), n_classes)
    y = np.repeat(np.arange(n_classes), n_per_class)
    theta = 4.0 * r + 2 * np.pi * y / n_classes + noise * rng.standard_normal(r.size)
    X = np.column_stack([r * np.sin(theta), r * np.cos(theta)])
    return X, y.astype(np.int64)


def xor(
    n: int = 200, noise: float = 0.1, rng: RNGLike = None
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """XOR: X (n, 2) around the four corners of [-1, 1]^2, y = 1 where the signs differ."""
    if n < 1:
        raise ValueError(f"xor: n must be >= 1, got {n}.")
    rng = as_rng(rng, "xor")
    corners = rng.choice([-1.0, 1.0], size=(n, 2))
    X = corners + noise * rng.standard_normal((n, 2))
    y = (corners[:, 0] != corners[:, 1]).astype(np.int64)
    return X, y


def stratified_split(X: NDArray[Any], y: NDArray[Any], test_size: float, rng: RNGLike) -> Split:
    """Split so every class keeps its proportion in train and test (at least one test sample each)."""
    if not 0 < test_size < 1:
        raise ValueError(f"stratified_split: test_size must be in (0, 1), got {test_size}.")
    rng = as_rng(rng, "stratified_split")
    test_idx = []
    for label in np.unique(y):
        members = rng.permutation(np.flatnonzero(y == label))
        test_idx.append(members[: max(1, round(test_size * len(members)))])
    test = np.zeros(len(y), dtype=bool)
    test[np.concatenate(test_idx)] = True
    return Split(X[~test], X[test], y[~test], y[test])


def load_digits(test_size: float = 0.25, rng: RNGLike = None) -> Split:
    """The 8x8 handwritten digits (1797 images, 10 classes), as a stratified train/test split.

    ``X`` rows are the 64 pixels scaled from 0..16 to [0, 1] (float64), ``y`` the digits 0..9.
    The data ships inside the package (``backprop/data/digits.npz``, from the UCI repository
    as bundled by scikit-learn; its README there gives the origin and licence), so this needs
    only NumPy and no download happens. ``rng=None`` gives the same split every time (seed 0).
    """
    raw = _digits()
    X = raw[:, :-1] / 16.0
    y = raw[:, -1].astype(np.int64)
    return stratified_split(X, y, test_size, 0 if rng is None else rng)


def _digits() -> NDArray[np.float64]:
    """The digits as one (1797, 65) float64 array: 64 pixels (0..16), then the label."""
    path = resources.files(__package__).joinpath("data", "digits.npz")
    with path.open("rb") as f, np.load(f, allow_pickle=False) as npz:
        return np.column_stack([npz["pixels"], npz["labels"]]).astype(np.float64)
