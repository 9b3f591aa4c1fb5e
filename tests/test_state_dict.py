"""``state_dict`` / ``load_state_dict``: copies of the parameters only, any mapping (an .npz
file too), clear errors that name the key, and nothing changed on error."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

import backprop as bp


def net(seed: int, dtype: type = np.float64) -> bp.Sequential:
    return bp.Sequential(
        bp.Linear(4, 6, rng=np.random.default_rng(seed), dtype=dtype),
        bp.ReLU(),
        bp.Linear(6, 3, rng=np.random.default_rng(seed + 1), dtype=dtype),
    )


def test_keys_are_check_gradients_names_and_values_are_copies() -> None:
    a = net(0)
    state = a.state_dict()
    X, y = np.ones((2, 4)), np.array([0, 2])
    assert list(state) == [
        k for k in bp.check_gradients(a, bp.MSELoss(), X, np.eye(3)[y]) if k != "input"
    ]
    assert list(state) == ["0.W", "0.b", "2.W", "2.b"]
    for p in a.parameters():
        np.testing.assert_array_equal(state[p.name], p.value)
        assert not np.shares_memory(state[p.name], p.value)
    state["0.W"][...] = 7.0
    assert not (a.layers[0].W == 7.0).any()


def test_a_single_layer_has_a_state_dict_too() -> None:
    layer = bp.Linear(3, 2, rng=np.random.default_rng(0))
    assert list(layer.state_dict()) == ["W", "b"]
    assert bp.ReLU().state_dict() == {}


def test_round_trip_through_an_npz_file(tmp_path: Path) -> None:
    a, b = net(0), net(5)
    X = np.random.default_rng(1).standard_normal((8, 4))
    path = tmp_path / "weights.npz"
    np.savez(path, **a.state_dict())
    W_before = b.layers[0].W
    with np.load(path) as saved:
        b.load_state_dict(saved)
    np.testing.assert_array_equal(b.forward(X), a.forward(X))
    assert b.layers[0].W is W_before  # copied in place: optimizers keep working


def test_loading_casts_to_the_parameter_dtype() -> None:
    a, b = net(0), net(5, np.float32)
    b.load_state_dict(a.state_dict())
    assert b.layers[0].W.dtype == np.float32
    np.testing.assert_array_equal(b.layers[0].W, a.layers[0].W.astype(np.float32))


def test_state_dict_holds_parameters_only_and_is_small() -> None:
    a = net(0)
    a.predict(np.ones((2000, 4)))  # forward caches 2000 rows
    state = a.state_dict()
    assert sum(v.nbytes for v in state.values()) == sum(p.value.nbytes for p in a.parameters())
    assert len(pickle.dumps(state)) < 2000 < len(pickle.dumps(a))


def unchanged(a: bp.Sequential, before: dict[str, np.ndarray]) -> bool:
    return all(np.array_equal(before[k], v) for k, v in a.state_dict().items())


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda s: s.pop("2.b"), ValueError, r"missing key '2\.b'"),
        (lambda s: s.update({"4.W": np.zeros(3)}), ValueError, r"unexpected key '4\.W'"),
        (
            lambda s: s.update({"2.W": np.zeros((3, 7))}),
            ValueError,
            r"'2\.W' has shape \(3, 7\), but the parameter has shape \(3, 6\)",
        ),
        (
            lambda s: s.update({"2.b": np.array([1.0, np.nan, 0])}),
            ValueError,
            r"'2\.b' contains nan",
        ),
        (lambda s: s.update({"2.b": np.array(["a", "b", "c"])}), TypeError, r"real numeric"),
    ],
)
def test_bad_state_raises_naming_the_key_and_changes_nothing(change, error, message) -> None:
    a = net(0)
    state = net(9).state_dict()
    change(state)
    before = a.state_dict()
    with pytest.raises(error, match=r"Sequential\.load_state_dict: .*" + message):
        a.load_state_dict(state)
    assert unchanged(a, before)
