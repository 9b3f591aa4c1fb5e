"""Find-the-bug exercises: the buggy code fails the gradient check, the fixed code passes, and
each fails in the pattern its solution describes. The fixed code gives the package's gradients.
"""

from __future__ import annotations

from types import ModuleType

import bug_mse_factor
import bug_relu_mask
import bug_softmax_jacobian
import bug_weight_transposed
import pytest
from conftest import EXERCISES
from find_the_bug_net import batch, network

import backprop as bp

TOL, LARGE = 1e-7, 1e-3
BUGS = [bug_weight_transposed, bug_softmax_jacobian, bug_relu_mask, bug_mse_factor]
EVERYTHING = {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b", "input"}
FAILING = {  # the arrays each solution says fail
    "bug_weight_transposed": {"2.W"},
    "bug_softmax_jacobian": EVERYTHING,
    "bug_relu_mask": {"0.W", "0.b", "input"},
    "bug_mse_factor": EVERYTHING,
}


def test_every_bug_is_tested() -> None:
    names = sorted(p.stem for p in EXERCISES.glob("bug_*.py"))
    assert names == sorted(m.__name__ for m in BUGS) == sorted(FAILING)


@pytest.mark.parametrize("bug", BUGS, ids=lambda m: m.__name__)
def test_buggy_fails_where_the_solution_says(bug: ModuleType) -> None:
    errors = bug.buggy_errors()
    assert set(errors) == EVERYTHING
    failing = {name for name, err in errors.items() if err > LARGE}
    passing = {name for name, err in errors.items() if err < TOL}
    assert failing == FAILING[bug.__name__]
    assert passing == EVERYTHING - failing  # nothing in between


@pytest.mark.parametrize("bug", BUGS, ids=lambda m: m.__name__)
def test_fixed_passes(bug: ModuleType) -> None:
    errors = bug.fixed_errors()
    assert set(errors) == EVERYTHING and max(errors.values()) < TOL


@pytest.mark.parametrize("bug", BUGS, ids=lambda m: m.__name__)
def test_fixed_equals_the_package(bug: ModuleType) -> None:
    """Same network, same data: the fixed code's gradient check equals the real package's."""
    X, y, Y = batch()
    ce = bp.SoftmaxCrossEntropyLoss()
    if bug is bug_mse_factor:
        real = bp.check_gradients(network(), bp.MSELoss(), X, Y)
    elif bug is bug_relu_mask:
        real = bp.check_gradients(network(activation=bp.ReLU), ce, X, y)
    else:
        real = bp.check_gradients(network(), ce, X, y)
    assert bug.fixed_errors() == real


def test_scaled_gradient_value() -> None:
    """The MSE bug halves every gradient: every relative error is 1/3."""
    for err in bug_mse_factor.buggy_errors().values():
        assert err == pytest.approx(1 / 3, abs=1e-8)


def test_buggy_cross_entropy_is_the_gradient_in_p() -> None:
    """The solution's claim: -Y / P / N is the correct derivative with respect to P."""
    assert bug_softmax_jacobian.probabilities_gradient_check() < TOL
