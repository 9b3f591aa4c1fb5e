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


def test_every_page_is_strict() -> None:
    """A false equation fails on any page; what cannot be evaluated is listed with the reason."""
    text = page(
        r"\sigma(z) = \log(1 + e^{z})",  # an exercise's own sigma: a shape error here
        r"z = {{ z1 }} + 1",  # a placeholder, and nothing to fill it with
        r"\delta^{(k)} = \frac{\partial \ell}{\partial z^{(k)}}",
        r"\delta^{(k)} = 2\frac{\partial \ell}{\partial z^{(k)}}",
    )
    report = check_page(text, "t.md")
    first, second, third, fourth = report.displays
    assert first.errors and "a sum of" in first.errors[0]
    assert second.errors and "no values were given to fill them" in second.errors[0]
    assert third.evaluated and not third.errors
    assert fourth.errors and "sides 1 and 2 differ" in fourth.errors[0]


def test_placeholders_are_filled_before_parsing() -> None:
    text = page(r"\frac{1}{N}\sum_{s=1}^{N} \ell_s = {{ name }}")
    report = check_page(text, "t.md", fill=lambda tex: tex.replace("{{ name }}", r"\mathcal{L}"))
    assert not report.failures and report.displays[0].evaluated


def test_an_elided_product_is_listed_on_any_page() -> None:
    tex = r"\delta^{(k)} = (W^{(k+1)})^\top \cdots (W^{(L)})^\top \delta^{(L)}"
    report = check_page(page(tex), "t.md")
    assert not report.failures and "leaves terms out" in report.displays[0].reason


# ------------------------------------------------------------------ spellings an author may use


@pytest.mark.parametrize(
    ("good", "bad"),
    [
        (  # (-a+1) for (1-a)
            r"\sigma'(z^{(L)}) = a^{(L)} \odot (-a^{(L)} + 1)",
            r"\sigma'(z^{(L)}) = a^{(L)} \odot (a^{(L)} - 1)",
        ),
        (  # a^{(k-1)T} for (a^{(k-1)})^T
            r"\frac{\partial \ell}{\partial W^{(k)}} = \delta^{(k)} a^{(k-1)T}",
            r"\frac{\partial \ell}{\partial W^{(k)}} = a^{(k-1)} \delta^{(k)T}",
        ),
        (  # \dfrac for \frac
            r"\dfrac{\partial \ell}{\partial a^{(L)}} = \dfrac{2}{m}\big(a^{(L)} - y\big)",
            r"\dfrac{\partial \ell}{\partial a^{(L)}} = \dfrac{1}{m}\big(a^{(L)} - y\big)",
        ),
        (  # \cdot for juxtaposition
            r"\frac{\partial \ell}{\partial a^{(k-1)}} = (W^{(k)})^\top \cdot \delta^{(k)}",
            r"\frac{\partial \ell}{\partial a^{(k-1)}} = W^{(k)} \cdot \delta^{(k)}",
        ),
    ],
    ids=["(-a+1)", "a^{(k-1)T}", "dfrac", "cdot"],
)
def test_equivalent_spellings_evaluate(good: str, bad: str) -> None:
    losses = ("mse",) if "y" in good or "(L)" in good else None
    count, errors, reason = run(good, losses)
    assert count and not errors and not reason
    assert run(bad, losses)[1], f"the wrong variant passed: {bad}"


def test_a_one_beside_an_array_needs_opposite_signs() -> None:
    _, errors, _ = run(r"\sigma'(z^{(L)}) = a^{(L)} \odot (a^{(L)} + 1)", ("mse",))
    assert errors and "no broadcasting" in errors[0]


def test_entries_with_fixed_indices() -> None:
    """Digits are fixed entries, 1-based; a network without x_3 (2 inputs) is skipped."""
    good = r"z^{(1)}_2 = W^{(1)}_{21} x_1 + W^{(1)}_{22} x_2 + W^{(1)}_{23} x_3 + b^{(1)}_2"
    count, errors, _ = run(good)
    assert not errors and count == sum(2 * n.L for n in networks() if n.width(0) == 3)
    assert run(good.replace("W^{(1)}_{23}", "W^{(1)}_{32}"))[1]
    _, errors, _ = run(r"z^{(1)}_9 = b^{(1)}_9")
    assert errors and "holds nowhere" in errors[0]


def test_a_matrix_of_entries() -> None:
    tex = (
        r"\frac{\partial \ell}{\partial b^{(2)}} = "
        r"\begin{bmatrix} \delta^{(2)}_1 \\ \delta^{(2)}_2 \\ \delta^{(2)}_3 \\ \delta^{(2)}_4 \end{bmatrix}"
    )
    assert not run(tex, ("mse",))[1]
    assert run(tex.replace(r"\delta^{(2)}_4", r"\delta^{(2)}_3"), ("mse",))[1]


# ------------------------------------------------------------------ shown numbers


def test_arithmetic_holds_to_the_rounding_shown() -> None:
    """0.15 * 0.05 + 0.2 * 0.1 + 0.35 is 0.3775: shown to 4 decimals, any digit change fails."""
    good = page(r"0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35 = 0.3775")
    report = check_page(good, "t.md")
    assert not report.failures and report.displays[0].evaluated
    for bad in (
        r"0.16 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35 = 0.3775",
        r"0.15 \cdot 0.05 + 0.2 \cdot 0.1 + 0.35 = 0.3785",
    ):
        report = check_page(page(bad), "t.md")
        assert report.failures and "beyond the rounding shown" in report.failures[0].errors[0]


def test_rounded_results_agree_within_half_a_unit() -> None:
    # 1 / (1 + e^{-0.3775}) = 0.59326999210...: 0.593269992 holds, 0.593269993 does not
    assert not check_page(page(r"\frac{1}{1 + e^{-0.3775}} = 0.593269992"), "t.md").failures
    assert check_page(page(r"\frac{1}{1 + e^{-0.3775}} = 0.593269993"), "t.md").failures
    # a product of rounded factors carries their rounding: 0.33 * 3 is 0.99 +- 0.015
    assert not check_page(page(r"0.33 \cdot 3 = 0.99"), "t.md").failures
    assert check_page(page(r"0.33 \cdot 3 = 1.02"), "t.md").failures


def test_interval_arithmetic() -> None:
    from site_build.mathcheck.arith import Interval, agree

    x = Interval(np.asarray(-1.0), np.asarray(2.0))
    square = x.power(2)
    assert float(square.lo) == 0.0 and float(square.hi) == 4.0
    product = x * Interval(np.asarray(-3.0), np.asarray(1.0))
    assert (float(product.lo), float(product.hi)) == (-6.0, 3.0)
    assert agree(Interval.exact(1.0), Interval(np.asarray(0.5), np.asarray(1.0)))
    assert not agree(Interval.exact(1.0 + 1e-9), Interval(np.asarray(0.5), np.asarray(1.0)))


def test_a_formula_beside_numbers_needs_the_page_network() -> None:
    report = check_page(page(r"\delta^{(2)}_1 = 0.25 \cdot 0.5 = 0.125"), "t.md")
    (result,) = report.displays
    assert not result.errors and not result.evaluated
    assert "compares a formula with shown numbers" in result.reason


def test_an_update_without_a_rule_is_listed() -> None:
    report = check_page(page(r"b^{(1)} \leftarrow \begin{bmatrix} 0.5 - 0.1 \end{bmatrix}"), "t.md")
    (result,) = report.displays
    assert not result.errors and "states no update rule" in result.reason


def test_a_lone_expression_continues_its_sentence() -> None:
    text = "The loss is $\\ell = \\frac{1}{m}\\sum_i (a_i^{(L)} - y_i)^2$, which is\n\n" + page(
        r"\frac{1}{m}\sum_{i=1}^{m} \big(a_i^{(L)} - y_i\big)^2"
    )
    report = check_page("### Mean squared error\n\n" + text, "t.md")
    assert not report.failures and report.displays[0].evaluated
    wrong = text.replace(r"\frac{1}{m}\sum_{i=1}", r"\frac{2}{m}\sum_{i=1}")
    assert check_page("### Mean squared error\n\n" + wrong, "t.md").failures


def test_a_section_that_states_c_is_read_on_that_many_classes() -> None:
    two = r"\ell = -y_1 \log p_1 - y_2 \log p_2"
    text = "### Softmax cross-entropy\n\nWith $C = 2$ classes:\n\n" + page(two)
    report = check_page(text, "t.md")
    assert not report.failures and report.displays[0].evaluated
    assert check_page(text.replace("$C = 2$", "$C = 3$"), "t.md").failures
