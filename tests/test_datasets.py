"""Datasets: shapes, dtypes, labels, determinism from the rng, stratification, and the digits
shipped in the package (equal to scikit-learn's, read with NumPy alone)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import backprop as bp


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_spirals(n_classes: int) -> None:
    X, y = bp.datasets.spirals(n_per_class=40, n_classes=n_classes, rng=np.random.default_rng(0))
    assert X.shape == (40 * n_classes, 2) and X.dtype == np.float64
    assert y.shape == (40 * n_classes,) and y.dtype == np.int64
    assert np.array_equal(np.bincount(y), [40] * n_classes)
    assert np.abs(X).max() <= 1.0  # radius at most 1
    np.testing.assert_allclose(np.linalg.norm(X, axis=1).max(), 1.0)


def test_xor() -> None:
    X, y = bp.datasets.xor(n=500, noise=0.1, rng=np.random.default_rng(0))
    assert X.shape == (500, 2) and X.dtype == np.float64
    assert y.shape == (500,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    # With little noise the label is the XOR of the coordinate signs.
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(np.int64))


@pytest.mark.parametrize(
    "make",
    [
        lambda rng: bp.datasets.spirals(n_per_class=20, rng=rng),
        lambda rng: bp.datasets.xor(n=30, rng=rng),
    ],
    ids=["spirals", "xor"],
)
def test_generators_are_deterministic_from_the_rng(make: Any) -> None:
    X1, y1 = make(np.random.default_rng(42))
    X2, y2 = make(np.random.default_rng(42))
    X3, _ = make(np.random.default_rng(43))
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def test_generator_argument_errors() -> None:
    with pytest.raises(ValueError, match="spirals: need n_per_class >= 1 and n_classes >= 2"):
        bp.datasets.spirals(n_per_class=10, n_classes=1)
    with pytest.raises(ValueError, match="xor: n must be >= 1, got 0"):
        bp.datasets.xor(n=0)


def test_load_digits_shapes_dtypes_and_labels() -> None:
    split = bp.datasets.load_digits()
    assert isinstance(split, bp.datasets.Split)
    X_train, X_test, y_train, y_test = split
    assert len(X_train) + len(X_test) == 1797
    assert X_train.shape[1] == X_test.shape[1] == 64
    assert X_train.dtype == X_test.dtype == np.float64
    assert y_train.dtype == y_test.dtype == np.int64
    assert X_train.min() == 0.0 and X_train.max() == 1.0  # pixels 0..16 scaled to [0, 1]
    assert set(np.unique(y_train)) == set(np.unique(y_test)) == set(range(10))
    assert len(X_test) == pytest.approx(0.25 * 1797, abs=10)


def test_load_digits_is_stratified_and_disjoint() -> None:
    split = bp.datasets.load_digits(test_size=0.3, rng=np.random.default_rng(5))
    raw = bp.datasets._digits()
    counts = np.bincount(raw[:, -1].astype(int))
    test_counts = np.bincount(split.y_test, minlength=10)
    # Every class keeps its share: round(0.3 * class size) of it goes to the test set.
    np.testing.assert_array_equal(test_counts, np.round(0.3 * counts).astype(int))
    np.testing.assert_array_equal(np.bincount(split.y_train, minlength=10), counts - test_counts)
    # Train and test partition the 1797 images: no image in both, none lost.
    rows = {tuple(r) for r in np.vstack([split.X_train, split.X_test])}
    all_rows = {tuple(r) for r in raw[:, :-1] / 16.0}
    assert rows == all_rows
    assert len(split.X_train) + len(split.X_test) == 1797


def test_the_bundled_digits_equal_scikit_learns() -> None:
    """The copy shipped in the package is scikit-learn's data set, value for value, in order."""
    sk_datasets = pytest.importorskip("sklearn.datasets")
    full = sk_datasets.load_digits()
    expected = np.column_stack([full.data, full.target])
    np.testing.assert_array_equal(bp.datasets._digits(), expected)


def test_the_data_file_ships_in_the_package_with_its_origin_and_licence() -> None:
    data = Path(bp.__file__).parent / "data"
    with np.load(data / "digits.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["labels", "pixels"]
        assert npz["pixels"].shape == (1797, 64) and npz["labels"].shape == (1797,)
    note = (data / "README.md").read_text("utf-8")
    for words in ("UCI", "Optical Recognition of Handwritten Digits", "scikit-learn", "CC BY 4.0"):
        assert words in note


def test_load_digits_needs_only_numpy() -> None:
    """With scikit-learn impossible to import, load_digits still works (and never tries)."""
    code = (
        "import sys; sys.modules['sklearn'] = None; sys.modules['sklearn.datasets'] = None\n"
        "import backprop as bp; s = bp.datasets.load_digits()\n"
        "assert len(s.X_train) + len(s.X_test) == 1797\n"
        "assert not [m for m, v in sys.modules.items() if v and m.startswith(('sklearn', 'scipy'))]"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_load_digits_is_deterministic_from_the_rng() -> None:
    a = bp.datasets.load_digits(rng=np.random.default_rng(1))
    b = bp.datasets.load_digits(rng=np.random.default_rng(1))
    c = bp.datasets.load_digits(rng=np.random.default_rng(2))
    default = bp.datasets.load_digits(), bp.datasets.load_digits()
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    for u, v in zip(*default, strict=True):  # rng=None is a fixed split, not a random one
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.X_test, c.X_test)  # another rng, another split


def test_load_digits_test_size_error() -> None:
    with pytest.raises(ValueError, match=r"test_size must be in \(0, 1\), got 1\.5"):
        bp.datasets.load_digits(test_size=1.5)
