"""Every ``rng`` parameter accepts an int seed, a ``numpy.random.Generator`` or None, as
``np.random.default_rng`` does; an int seed gives the same result as ``default_rng(seed)``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import backprop as bp

X, y = bp.datasets.xor(n=40, rng=np.random.default_rng(0))


def fit_result(rng: Any) -> Any:
    net = bp.Sequential(
        bp.Linear(2, 4, rng=np.random.default_rng(1)),
        bp.Tanh(),
        bp.Linear(4, 2, rng=np.random.default_rng(2)),
    )
    bp.fit(
        net, bp.SoftmaxCrossEntropyLoss(), bp.SGD(net.parameters(), lr=0.1), X, y, epochs=2, rng=rng
    )
    return net.layers[0].W


# Each takes an rng and returns an array (or a tuple of arrays) that depends on it.
USERS: dict[str, Callable[[Any], Any]] = {
    "Linear": lambda rng: bp.Linear(3, 2, rng=rng).W,
    "Linear xavier": lambda rng: bp.Linear(3, 2, rng=rng, init="xavier").W,
    "spirals": lambda rng: bp.datasets.spirals(5, rng=rng),
    "xor": lambda rng: bp.datasets.xor(7, rng=rng),
    "load_digits": lambda rng: bp.datasets.load_digits(rng=rng).X_test,
    "stratified_split": lambda rng: bp.datasets.stratified_split(X, y, 0.5, rng).X_test,
    "fit": fit_result,
}


def same(a: Any, b: Any) -> bool:
    a, b = (a, b) if isinstance(a, tuple) else ((a,), (b,))
    return all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


@pytest.mark.parametrize("user", sorted(USERS))
def test_an_int_seed_is_default_rng_of_that_seed(user: str) -> None:
    use = USERS[user]
    assert same(use(3), use(np.random.default_rng(3)))
    assert same(use(np.int64(3)), use(3))
    assert not same(use(3), use(4))


@pytest.mark.parametrize("user", sorted(USERS))
def test_none_and_a_generator_work(user: str) -> None:
    use = USERS[user]
    use(None)
    rng = np.random.default_rng(0)
    use(rng)
    assert not same(use(rng), use(np.random.default_rng(0)))  # the generator was advanced


@pytest.mark.parametrize("user", sorted(USERS))
@pytest.mark.parametrize("bad", [1.5, True, np.random.RandomState(0), "0"])
def test_other_rngs_are_a_clear_type_error(user: str, bad: Any) -> None:
    with pytest.raises(
        TypeError, match=r"rng must be an int seed, a numpy\.random\.Generator or None"
    ):
        USERS[user](bad)


def test_a_negative_seed_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"Linear: an rng seed must be >= 0, got -1"):
        bp.Linear(2, 2, rng=-1)
