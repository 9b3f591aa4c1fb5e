"""The evaluator and the recorded networks: each claim is read strictly and checked on values
that make it bite."""

from __future__ import annotations

import numpy as np
import pytest

from site_build.mathcheck.bind import Env, local_jacobian
from site_build.mathcheck.check import Claim, check_claim, check_page
from site_build.mathcheck.functions import activation, softmax
from site_build.mathcheck.networks import networks
from site_build.mathcheck.parse import parse_equation


def run(tex: str, losses: tuple[str, ...] | None = None) -> tuple[int, list[str], str]:
    """(evaluated combinations, errors, reason) for a one-statement formula."""
    eq = parse_equation(tex)
    (st,) = eq.statements
    return check_claim(Claim(st, eq, losses), networks())


def page(*equations: str) -> str:
    return "\n\n".join(f"$$\n{tex}\n$$" for tex in equations)


# ------------------------------------------------------------------ the networks make it bite


def test_networks_have_what_every_equation_needs() -> None:
    nets = networks()
    assert {n.loss for n in nets} >= {"mse", "ce", "bce"}
    for net in nets:
        assert net.L >= 3, "two hidden layers: BP2 at two depths"
        assert net.N > 1, "a batch: every 1/N matters"
        shapes = [w.shape for w in net.W.values()]
        assert any(r == c for r, c in shapes) and any(r != c for r, c in shapes)
        assert all(np.abs(b).min() > 0 for b in net.b.values()), "non-zero biases"
    mse = next(n for n in nets if n.loss == "mse")
    assert mse.activations[mse.L] == "sigmoid", "an output sigma' that is not 1 (BP1)"


@pytest.mark.parametrize("net", networks(), ids=lambda n: n.name)
def test_recorded_gradients_equal_the_checkers_own_derivatives(net: object) -> None:
    """The package's recorded dW, db and deltas (one sample) equal the complex-step derivative of
    the checker's own loss through its own forward graph: the recording reads the right arrays."""
    from site_build.mathcheck.networks import Network

    assert isinstance(net, Network)
    for s, sample in enumerate(net.samples):
        env = Env(net, batch=False, s=s)
        for k in range(1, net.L + 1):
            # d ell / d z^{(k)} = (d a^{(L)} / d z^{(k)})^T d ell / d a^{(L)}
            J = local_jacobian(("a", net.L), ("z", k), env)
            np.testing.assert_allclose(sample.delta[k], J.T @ sample.da[net.L], rtol=1e-12)
            np.testing.assert_allclose(sample.dW[k], sample.delta[k] @ sample.a[k - 1].T)
        z = sample.z[net.L]
        if net.loss == "mse":
            a = activation("sigmoid", z)
            np.testing.assert_allclose(sample.da[net.L], 2 * (a - sample.y) / len(a), rtol=1e-12)
        if net.loss == "ce":
            np.testing.assert_allclose(sample.delta[net.L], softmax(z) - sample.y, rtol=1e-12)
    # the batch gradient is the mean of the samples' gradients
    for k in range(1, net.L + 1):
        mean = sum(sample.dW[k] for sample in net.samples) / net.N
        np.testing.assert_allclose(net.batch.dW[k], mean, rtol=1e-12)


# ------------------------------------------------------------------ strict reading


def test_bp2_is_checked_at_every_k_below_L_on_every_network() -> None:
    count, errors, _ = run(
        r"\delta^{(k)} = \big((W^{(k+1)})^\top \delta^{(k+1)}\big) \odot \sigma'(z^{(k)})"
    )
    assert not errors
    assert count == sum((net.L - 1) * 2 for net in networks()), "k = 1..L-1, two samples each"


def test_a_wrong_layer_reads_another_array() -> None:
    _, errors, _ = run(
        r"\delta^{(k)} = \big((W^{(k+1)})^\top \delta^{(k+1)}\big) \odot \sigma'(z^{(k+1)})"
    )
    assert errors


@pytest.mark.parametrize(
    ("tex", "message"),
    [
        (r"\delta^{(k)} = \delta^{(k)} + 1", "no broadcasting"),
        (r"\delta^{(k)} = 2 - \delta^{(k)}", "no broadcasting"),
        (r"\delta^{(k)} = \delta^{(k)} \odot (a^{(k-1)})^\top", "no broadcasting"),
        (r"\delta^{(k)} = \delta^{(k)} \sigma'(z^{(k)})", "matrix product of shapes"),
        (r"z^{(k)} = W^{(k)} a^{(k)} + b^{(k)}", "matrix product of shapes"),
    ],
)
def test_shape_errors_are_errors(tex: str, message: str) -> None:
    _, errors, _ = run(tex)
    assert errors and message in errors[0], errors


def test_one_minus_a_is_the_only_scalar_beside_an_array() -> None:
    assert not run(r"\sigma'(z^{(L)}) = a^{(L)} \odot (1 - a^{(L)})", ("mse",))[1]


def test_shape_claims_are_checked() -> None:
    assert not run(r"\delta^{(k)} \in \mathbb{R}^{m \times 1}")[1]
    assert not run(r"W^{(k+1)} \in \mathbb{R}^{m_{k+1} \times m_k}")[1]
    _, errors, _ = run(r"W^{(k)} \in \mathbb{R}^{n \times m}")
    assert errors and "claimed shape" in errors[0]


def test_each_link_of_a_chain_is_checked_on_its_own() -> None:
    good = r"\frac{\partial \ell}{\partial b^{(k)}} = \delta^{(k)}"
    assert not run(good + r" = \delta^{(k)}")[1]
    _, errors, _ = run(good + r" = 2\delta^{(k)} = \delta^{(k)}")
    assert errors and "sides 2 and 3" in errors[0]
    _, errors, _ = run(r"\frac{\partial \ell}{\partial b^{(k)}} = 2\delta^{(k)} = 2\delta^{(k)}")
    assert errors and "sides 1 and 2" in errors[0]


def test_index_form_loops_over_free_indices_and_condition() -> None:
    assert not run(r"\frac{\partial z_i}{\partial W_{lj}} = 0 \ (l \ne i)")[1]
    assert run(r"\frac{\partial z_i}{\partial W_{lj}} = 0")[1], "without the condition it is false"


def test_batch_form_and_one_sample_form_are_told_apart() -> None:
    assert not run(
        r"\frac{\partial \mathcal{L}}{\partial W^{(k)}} = (\Delta^{(k)})^\top A^{(k-1)}"
    )[1]
    assert not run(r"\mathcal{L} = \frac{1}{N}\sum_{s=1}^{N} \ell_s")[1]
    _, errors, _ = run(
        r"\frac{\partial \mathcal{L}}{\partial W^{(k)}} = \delta^{(k)} (a^{(k-1)})^\top"
    )
    assert errors and "batch" in errors[0]


def test_a_section_about_one_loss_is_checked_on_that_network_only() -> None:
    text = "### Mean squared error\n\n" + page(
        r"\frac{\partial \ell}{\partial a^{(L)}} = \frac{2}{m}\big(a^{(L)} - y\big)"
    )
    report = check_page(text, "t.md")
    assert not report.failures and report.displays[0].evaluated
    report = check_page(text.replace("Mean squared error", "Other"), "t.md")
    assert report.failures, "read on every network, the MSE gradient is false"


def test_unevaluated_equations_say_why() -> None:
    report = check_page(
        page(
            r"\frac{\partial \ell}{\partial \theta} \approx \frac{\ell(\theta + \epsilon) - \ell(\theta - \epsilon)}{2\epsilon}",
            r"\mathrm{err} = \lVert g \rVert",
        ),
        "t.md",
    )
    assert not report.failures
    reasons = [r.reason for r in report.displays]
    assert "approximation" in reasons[0] and "defines err" in reasons[1]
    assert report.summary()[0] == "math check: t.md: 0 of 2 display equations evaluated"


def test_a_mistyped_command_fails_instead_of_being_skipped() -> None:
    report = check_page(page(r"\detla^{(k)} = \frac{\partial \ell}{\partial z^{(k)}}"), "t.md")
    assert report.failures and "unknown symbols" in report.failures[0].errors[0]


def test_code_blocks_are_not_read() -> None:
    report = check_page("```\n$$\nz = 1 2 +\n$$\n```\n", "t.md")
    assert not report.displays


def test_other_pages_list_what_does_not_hold_instead_of_failing() -> None:
    text = page(
        r"\sigma(z) = \log(1 + e^{z})",  # an exercise's own sigma (softplus)
        r"z = {{ z1 }} + 1",  # the worked example's template
        r"\delta^{(k)} = \frac{\partial \ell}{\partial z^{(k)}}",
    )
    strict = check_page(text, "t.md")
    assert len(strict.failures) == 1, "on the derivation, a false equation fails"
    lenient = check_page(text, "t.md", strict=False)
    assert not lenient.failures
    first, second, third = lenient.displays
    assert "does not hold in the derivation's notation" in first.reason
    assert "template" in second.reason
    assert third.evaluated


def test_an_elided_product_is_listed_on_any_page() -> None:
    tex = r"\delta^{(k)} = (W^{(k+1)})^\top \cdots (W^{(L)})^\top \delta^{(L)}"
    report = check_page(page(tex), "t.md")
    assert not report.failures and "leaves terms out" in report.displays[0].reason
