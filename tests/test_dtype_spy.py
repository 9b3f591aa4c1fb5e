"""No float64 array ever appears inside a float32 training step: a dtype spy, not a timing test.

A silent promotion costs 2-5x in a float32 step (a float64 one-hot target, ``np.float64(lr)``
times a float32 gradient), yet the step's *outputs* stay float32, because in-place updates
and ``astype`` cast the result back. So the spy watches every operation in between.

How it works: the inputs and parameters of the step are ``Spied`` arrays, an ``ndarray``
subclass whose ``__array_ufunc__`` and ``__array_function__`` see every NumPy operation that
touches them (arithmetic, ``@``, reductions such as ``.sum()``, ``np.exp``, ``np.where``...)
and wrap the results, so the spy spreads through the whole computation. Each operation whose
inputs or outputs hold a float dtype other than float32 is recorded. ``np.asarray`` would turn a
spied array back into a plain one, so during the test it returns spied arrays unchanged (the
package calls it on every input). An array created inside the package, such as a one-hot
matrix, is seen as soon as it meets a spied array.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import backprop as bp

F32 = np.dtype(np.float32)


class DtypeSpy:
    """Counts the operations it sees and records those with a non-float32 float dtype."""

    def __init__(self) -> None:
        self.ops: Counter[str] = Counter()
        self.promotions: list[str] = []

    def record(self, name: str, inputs: tuple[Any, ...], result: Any) -> None:
        self.ops[name] += 1
        dtypes = [x.dtype for x in _arrays(inputs)] + [x.dtype for x in _arrays(result)]
        bad = [dt for dt in dtypes if dt.kind in "fc" and dt != F32]
        if bad:
            self.promotions.append(f"{name}: {', '.join(map(str, dtypes))}")


SPY = DtypeSpy()


def _arrays(obj: Any) -> Iterator[np.ndarray | np.generic]:
    """Every NumPy array or scalar in ``obj`` (searching tuples, lists and dicts)."""
    if isinstance(obj, np.ndarray | np.generic):
        yield obj
    elif isinstance(obj, tuple | list):
        for item in obj:
            yield from _arrays(item)
    elif isinstance(obj, dict):
        yield from _arrays(list(obj.values()))


def _plain(obj: Any) -> Any:
    if isinstance(obj, Spied):
        return obj.view(np.ndarray)
    if isinstance(obj, tuple):
        return tuple(_plain(x) for x in obj)
    return obj


def _spied(obj: Any) -> Any:
    if isinstance(obj, np.ndarray) and not isinstance(obj, Spied):
        return obj.view(Spied)
    if isinstance(obj, tuple):
        return tuple(_spied(x) for x in obj)
    return obj


class Spied(np.ndarray):
    """An ndarray that reports every ufunc and array function applied to it to ``SPY``."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = _plain(out)
        result = getattr(ufunc, method)(*_plain(inputs), **kwargs)
        SPY.record(f"{ufunc.__name__}.{method}", inputs, result)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _spied(result)

    def __array_function__(
        self, func: Callable[..., Any], types: Any, args: Any, kwargs: dict[str, Any]
    ) -> Any:
        result = func._implementation(*_plain(tuple(args)), **kwargs)  # type: ignore[attr-defined]
        SPY.record(func.__name__, (args, kwargs), result)
        return _spied(result)


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> DtypeSpy:
    """A fresh spy, with ``np.asarray`` passing spied arrays through unchanged."""
    asarray = np.asarray

    def asarray_keeping_spies(a: Any, dtype: Any = None, *args: Any, **kwargs: Any) -> Any:
        if isinstance(a, Spied) and not args and not kwargs and dtype in (None, a.dtype):
            return a
        return asarray(a, dtype, *args, **kwargs)

    monkeypatch.setattr(np, "asarray", asarray_keeping_spies)
    monkeypatch.setattr(SPY, "ops", Counter())
    monkeypatch.setattr(SPY, "promotions", [])
    return SPY


def spy_on(net: bp.Sequential) -> None:
    """Make every parameter a spied view (optimizers update it in place, so it stays one)."""
    for p in net.parameters():
        setattr(p.owner, p.attr, p.value.view(Spied))


def float32_net(rng: np.random.Generator, activation: type[bp.Activation]) -> bp.Sequential:
    init = "he" if activation is bp.ReLU else "xavier"
    return bp.Sequential(
        bp.Linear(20, 16, rng=rng, dtype=np.float32, init=init),
        activation(),
        bp.Linear(16, 16, rng=rng, dtype=np.float32, init=init),
        activation(),
        bp.Linear(16, 10, rng=rng, dtype=np.float32, init=init),
    )


OPTIMIZERS: dict[str, Callable[[list[bp.Parameter]], bp.Optimizer]] = {
    "sgd": lambda p: bp.SGD(p, lr=0.1),
    "sgd_momentum_wd": lambda p: bp.SGD(p, lr=0.1, momentum=0.9, weight_decay=1e-3),
    "adam_wd": lambda p: bp.Adam(p, lr=1e-3, weight_decay=1e-2),
}


def data(rng: np.random.Generator, target: str, n: int = 48) -> tuple[Any, Any]:
    X = rng.random((n, 20)).astype(np.float32).view(Spied)
    labels = rng.integers(0, 10, size=n)
    if target == "labels":
        return X, labels
    if target == "onehot":
        return X, np.eye(10, dtype=np.float32)[labels].view(Spied)
    return X, rng.standard_normal((n, 10)).astype(np.float32).view(Spied)  # regression


@pytest.mark.parametrize("opt_name", list(OPTIMIZERS))
@pytest.mark.parametrize("activation", [bp.ReLU, bp.Sigmoid, bp.Tanh], ids=lambda a: a.__name__)
@pytest.mark.parametrize("target", ["labels", "onehot", "mse"])
def test_no_float64_inside_a_float32_fit(
    spy: DtypeSpy, opt_name: str, activation: type[bp.Activation], target: str
) -> None:
    """``bp.fit`` on float32 data: two epochs of mini-batches, with validation."""
    rng = np.random.default_rng(0)
    net = float32_net(rng, activation)
    spy_on(net)
    X, y = data(rng, target)
    loss_fn = bp.MSELoss() if target == "mse" else bp.SoftmaxCrossEntropyLoss()
    opt = OPTIMIZERS[opt_name](net.parameters())
    history = bp.fit(
        net, loss_fn, opt, X, y, epochs=2, batch_size=16, rng=rng, validation_data=(X, y)
    )
    assert np.isfinite(history["loss"]).all()
    assert spy.promotions == []
    # The spy really watched the step: 6 batches, each with 3 forward and 5 backward GEMMs.
    assert spy.ops["matmul.__call__"] >= 6 * 8
    assert spy.ops["subtract.__call__"] >= 6 * 6  # at least one update of each parameter
    assert all(isinstance(p.value, Spied) and p.value.dtype == F32 for p in net.parameters())


def test_no_float64_in_the_equal_work_step(spy: DtypeSpy) -> None:
    """The public ``net.backward`` that also returns dL/dX, as the benchmark's equal-work step,
    on a batch above ``SMALL_BATCH`` (so ``Linear.forward`` runs ``affine``, not the fast path)."""
    rng = np.random.default_rng(1)
    net = float32_net(rng, bp.ReLU)
    spy_on(net)
    X, y = data(rng, "labels", n=bp.layers.SMALL_BATCH + 36)
    loss_fn, opt = bp.SoftmaxCrossEntropyLoss(), bp.SGD(net.parameters(), lr=0.1)
    for _ in range(3):
        loss_fn.forward(net.forward(X), y)
        dX = net.backward(loss_fn.backward())
        opt.step()
        assert dX is not None and dX.dtype == F32
    assert spy.promotions == []
    assert spy.ops["matmul.__call__"] == 3 * 9


# --- the spy can fail ---------------------------------------------------------------------


class EyeOneHotLoss(bp.SoftmaxCrossEntropyLoss):
    """A planted bug: the one-hot targets built with ``np.eye``, which is float64."""

    def forward(self, logits: Any, target: Any) -> float:
        super().forward(logits, target)
        self.Y = np.eye(logits.shape[1])[target]
        return 0.0


class Float64LearningRateSGD(bp.SGD):
    """A planted bug: ``W -= np.float64(lr) * dW`` on float32 weights."""

    def step(self) -> None:
        for p in self.params:
            W = p.value
            W -= np.float64(self.lr) * p.grad


@pytest.mark.parametrize("bug", ["one-hot", "learning rate"])
def test_the_spy_catches_a_planted_promotion(spy: DtypeSpy, bug: str) -> None:
    rng = np.random.default_rng(2)
    net = float32_net(rng, bp.ReLU)
    spy_on(net)
    X, y = data(rng, "labels")
    loss_fn = EyeOneHotLoss() if bug == "one-hot" else bp.SoftmaxCrossEntropyLoss()
    opt_cls = Float64LearningRateSGD if bug == "learning rate" else bp.SGD
    bp.fit(net, loss_fn, opt_cls(net.parameters(), lr=0.1), X, y, epochs=1, batch_size=16, rng=rng)
    # Outputs stay float32 either way (the cast back is what makes the bug silent) ...
    assert all(p.value.dtype == F32 for p in net.parameters())
    # ... but the spy saw the float64 arrays in between.
    assert spy.promotions, "the planted float64 promotion went unnoticed"
    assert any("float64" in entry for entry in spy.promotions)
