"""Code exercises: each solution passes its own gradient check and more; each starter raises.

Every solution file runs as a script (``python docs/exercises/<name>.py`` prints ``passed``),
its ``check()`` stays below 1e-7 in float64, and further tests pin what a gradient check alone
cannot see (a forward pass that is consistently wrong, evaluation mode, dtypes, overflow).
"""

from __future__ import annotations

import re
import runpy
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import EXERCISES
from dropout import Dropout
from elu import ELU
from l2_penalty import L2Loss, L2Sequential
from leaky_relu import LeakyReLU
from linear_no_bias import LinearNoBias
from log_cosh_loss import LogCoshLoss
from softplus import Softplus
from worked_example_bp2 import bp2

import backprop as bp

CODE_EXERCISES = [
    "leaky_relu",
    "softplus",
    "elu",
    "dropout",
    "linear_no_bias",
    "log_cosh_loss",
    "l2_penalty",
    "worked_example_bp2",
]
TOL = 1e-7
CHECK_SECTION = re.compile(r"# --8<-- \[start:check\]\n(.*?)# --8<-- \[end:check\]", re.S)


def test_every_code_exercise_is_listed() -> None:
    starters = sorted(p.name.removesuffix("_starter.py") for p in EXERCISES.glob("*_starter.py"))
    assert starters == sorted(CODE_EXERCISES)


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_solution_runs_and_passes(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    namespace = runpy.run_path(str(EXERCISES / f"{name}.py"), run_name="__main__")
    assert capsys.readouterr().out.rstrip().endswith("passed")
    result = namespace["check"]()
    errors = result if isinstance(result, dict) else {"delta1": result}
    assert errors and max(errors.values()) < TOL, errors


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_starter_runs_and_raises_not_implemented(name: str) -> None:
    with pytest.raises(NotImplementedError):
        runpy.run_path(str(EXERCISES / f"{name}_starter.py"), run_name="__main__")


@pytest.mark.parametrize("name", CODE_EXERCISES)
def test_starter_checks_like_the_solution(name: str) -> None:
    """The starter's check is the solution's, so filling the starter in makes it pass."""
    sections = [
        CHECK_SECTION.findall(Path(EXERCISES / f).read_text("utf-8"))
        for f in (f"{name}.py", f"{name}_starter.py")
    ]
    assert len(sections[0]) == 1 and sections[0] == sections[1]


Z = np.array([[-2.0, -0.3, 0.4, 1.5], [0.7, -1.1, 2.2, -0.05]])


def test_leaky_relu_values_and_dtype() -> None:
    layer = LeakyReLU(alpha=0.1)
    assert np.array_equal(layer.forward(Z), np.maximum(Z, 0.1 * Z))
    G = np.ones_like(Z)
    assert np.array_equal(layer.backward(G), np.where(Z > 0, 1.0, 0.1))
    Z32 = Z.astype(np.float32)
    assert layer.forward(Z32).dtype == np.float32
    assert layer.backward(G.astype(np.float32)).dtype == np.float32


def test_softplus_values_and_overflow() -> None:
    layer = Softplus()
    assert np.allclose(layer.forward(Z), np.log1p(np.exp(Z)), rtol=1e-15, atol=0)
    G = np.ones_like(Z)
    assert np.allclose(layer.backward(G), 1 / (1 + np.exp(-Z)), rtol=1e-14, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = np.array([[-1e3, 1e3]])
        assert np.array_equal(layer.forward(big), np.array([[0.0, 1e3]]))
        assert np.array_equal(layer.backward(np.ones((1, 2))), np.array([[0.0, 1.0]]))
    assert layer.forward(Z.astype(np.float32)).dtype == np.float32


def test_elu_values_derivative_and_overflow() -> None:
    layer = ELU(alpha=0.5)
    reference = np.where(Z > 0, Z, 0.5 * (np.exp(Z) - 1))
    assert np.allclose(layer.forward(Z), reference, rtol=1e-15, atol=1e-16)
    G = np.ones_like(Z)
    expected = np.where(Z > 0, 1.0, 0.5 * np.exp(Z))
    assert np.allclose(layer.backward(G), expected, rtol=1e-12, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from the discarded branch
        assert np.array_equal(layer.forward(np.array([[1e3, -1e3]])), np.array([[1e3, -0.5]]))
    assert layer.forward(Z.astype(np.float32)).dtype == np.float32
    assert layer.backward(G.astype(np.float32)).dtype == np.float32


def test_dropout_evaluation_is_identity() -> None:
    layer = Dropout(p=0.5, rng=0)
    layer.training = False
    X = np.arange(12.0).reshape(3, 4)
    assert np.array_equal(layer.forward(X), X)
    G = np.ones_like(X)
    assert np.array_equal(layer.backward(G), G)


def test_dropout_training_mask() -> None:
    p = 0.3
    layer = Dropout(p=p, rng=0)
    X = np.ones((400, 500))
    A = layer.forward(X)
    dropped = A == 0
    n = X.size
    assert abs(dropped.mean() - p) < 5 * np.sqrt(p * (1 - p) / n)  # within 5 standard errors
    assert np.allclose(A[~dropped], 1 / (1 - p), rtol=1e-15, atol=0)  # inverted scaling
    G = np.random.default_rng(1).standard_normal(X.shape)
    dX = layer.backward(G)
    assert np.array_equal(dX == 0, dropped)  # the same mask as the forward pass
    assert np.allclose(dX[~dropped], G[~dropped] / (1 - p), rtol=1e-15, atol=0)
    assert not np.array_equal(layer.forward(X) == 0, dropped)  # a fresh mask per call
    with pytest.raises(ValueError):
        Dropout(p=1.0)


def test_linear_no_bias_equals_linear_with_zero_bias() -> None:
    rng = np.random.default_rng(3)
    layer = LinearNoBias(4, 3, rng=rng)
    reference = bp.Linear(4, 3)
    reference.W = layer.W.copy()  # b is zero
    X, delta = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    assert np.allclose(layer.forward(X), reference.forward(X), rtol=1e-14, atol=1e-15)
    dX, dX_ref = layer.backward(delta), reference.backward(delta)
    assert np.allclose(dX, dX_ref, rtol=1e-14, atol=1e-15)
    assert layer.dW is not None and reference.dW is not None
    assert np.allclose(layer.dW, reference.dW, rtol=1e-14, atol=1e-15)
    assert [p.name for p in layer.parameters()] == ["W"]


def test_log_cosh_values_and_overflow() -> None:
    rng = np.random.default_rng(4)
    pred, target = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    loss = LogCoshLoss()
    expected = float(np.mean(np.log(np.cosh(pred - target))))
    assert loss.forward(pred, target) == pytest.approx(expected, rel=1e-13)
    assert np.allclose(loss.backward(), np.tanh(pred - target) / pred.size, rtol=1e-14, atol=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = loss.forward(np.array([[1e3, -1e3]]), np.zeros((1, 2)))
    assert big == pytest.approx(1e3 - np.log(2), rel=1e-15)


def test_l2_penalty_value() -> None:
    rng = np.random.default_rng(5)
    net = L2Sequential(bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng), lam=0.3)
    W0, W2 = net.layers[0].W, net.layers[2].W  # type: ignore[attr-defined]
    expected = 0.15 * (np.sum(W0**2) + np.sum(W2**2))
    assert net.penalty() == pytest.approx(expected, rel=1e-14)
    base = bp.MSELoss()
    X, Y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    pred = net.forward(X)
    assert L2Loss(base, net).forward(pred, Y) == pytest.approx(
        bp.MSELoss().forward(pred, Y) + expected, rel=1e-14
    )


def test_l2_step_is_sgd_weight_decay() -> None:
    """One SGD step on the penalised loss equals bp.SGD(weight_decay=lam) on the plain loss
    (for the weights; SGD also decays the biases, which start at zero here)."""
    lam, lr = 0.3, 0.1
    X = np.random.default_rng(6).standard_normal((5, 3))
    y = np.array([0, 1, 1, 0, 1])

    def layers() -> list[bp.Module]:
        rng = np.random.default_rng(7)
        return [bp.Linear(3, 4, rng=rng), bp.Tanh(), bp.Linear(4, 2, rng=rng)]

    penalised, plain = L2Sequential(*layers(), lam=lam), bp.Sequential(*layers())
    loss = L2Loss(bp.SoftmaxCrossEntropyLoss(), penalised)
    loss.forward(penalised.forward(X), y)
    penalised.backward(loss.backward())
    bp.SGD(penalised.parameters(), lr=lr).step()
    ce = bp.SoftmaxCrossEntropyLoss()
    ce.forward(plain.forward(X), y)
    plain.backward(ce.backward())
    bp.SGD(plain.parameters(), lr=lr, weight_decay=lam).step()
    for i in (0, 2):
        W_pen = penalised.layers[i].W  # type: ignore[attr-defined]
        W_plain = plain.layers[i].W  # type: ignore[attr-defined]
        assert np.allclose(W_pen, W_plain, rtol=1e-15, atol=1e-16)


def test_bp2_by_hand_matches_the_package() -> None:
    """The column-form bp2 gives the package's delta of layer 1 (batch of one row)."""
    net = bp.Sequential(bp.Linear(2, 2), bp.Sigmoid(), bp.Linear(2, 2), bp.Sigmoid())
    W1, b1 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([0.35, 0.35])
    W2, b2 = np.array([[0.40, 0.45], [0.50, 0.55]]), np.array([0.60, 0.60])
    net.layers[0].W, net.layers[0].b = W1, b1  # type: ignore[attr-defined]
    net.layers[2].W, net.layers[2].b = W2, b2  # type: ignore[attr-defined]
    loss = bp.MSELoss()
    loss.forward(net.forward([[0.05, 0.10]]), [[0.01, 0.99]])
    delta2 = net.layers[3].backward(loss.backward())  # (1, 2): dl/dz2 as a row
    delta1 = net.layers[1].backward(net.layers[2].backward(delta2))
    a1 = net.layers[1].cache  # type: ignore[attr-defined]
    mine = bp2(W2, delta2.T, a1.T)
    assert np.allclose(mine, delta1.T, rtol=1e-14, atol=0)
