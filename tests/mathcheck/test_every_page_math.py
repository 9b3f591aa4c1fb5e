"""Every page's display math through the build step: every current page passes, the coverage of
each page cannot silently drop, and faults planted outside the derivation fail, naming the file
and the equation: in the worked example (its formulas and its filled-in numbers), in exercise
fragments and in notebook Markdown."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from site_build.markdown.math_check import MathCheckError, Report, check_source
from site_build.markdown.values import worked_example_page
from site_build.markdown.values.template import fill as fill_template

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PAGES = sorted(
    [*DOCS.glob("*.md"), *(DOCS / "exercises").glob("*.md"), *(DOCS / "notebooks").glob("*.py")]
)
WORKED = "docs/worked_example.md"

# The display equations evaluated on each page (every side compared, all holding), at least.
# What is left: the derivation's finite-difference formula (an approximation) and its definition
# of err; the notebook's same two; gradient flow's product with \cdots.
EVALUATED = {
    "docs/derivation.md": (27, 29),
    "docs/worked_example.md": (26, 26),
    "docs/exercises/bp1_bp2.md": (1, 1),
    "docs/exercises/losses.md": (1, 1),
    "docs/notebooks/01_check_equations.py": (4, 6),
    "docs/notebooks/03_stability.py": (1, 1),
    "docs/notebooks/07_gradient_flow.py": (0, 1),
}


@pytest.fixture(scope="module")
def values() -> dict[str, float | str]:
    return worked_example_page.values()


def filler(
    values: dict[str, float | str], change: tuple[str, str] | None = None
) -> Callable[[str], str]:
    """The pipeline's filler for the worked example; ``change`` replaces text in a filled display
    (to plant a wrong digit in a number the page shows)."""

    def fill(tex: str) -> str:
        out = fill_template(tex, values, WORKED)
        if change is not None:
            out = out.replace(*change)
        return out

    return fill


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def check(path: Path, values: dict[str, float | str], text: str | None = None) -> Report:
    fill = filler(values) if name(path) == WORKED else None
    return check_source(name(path), path.read_text("utf-8") if text is None else text, fill)


@pytest.mark.parametrize("path", PAGES, ids=name)
def test_every_page_passes(path: Path, values: dict[str, float | str]) -> None:
    check(path, values)


def test_coverage_of_each_page(values: dict[str, float | str]) -> None:
    seen = {}
    for path in PAGES:
        report = check(path, values)
        if report.displays:
            seen[name(path)] = (report.evaluated, len(report.displays))
    assert set(seen) == set(EVALUATED), "a page gained or lost display math: update EVALUATED"
    for page, (least, total) in EVALUATED.items():
        evaluated, displays = seen[page]
        assert displays >= total and evaluated >= least, (page, seen[page])
    assert seen[WORKED][0] == seen[WORKED][1], "every display of the worked example is evaluated"


def test_a_full_run_is_fast(values: dict[str, float | str]) -> None:
    """CPU time of a run over every page with the checker's caches cold (the grammar is loaded
    and the networks are built again); the shared machine makes wall time meaningless."""
    from site_build.mathcheck import check as check_module
    from site_build.mathcheck import networks, page, parse

    texts = [(path, path.read_text("utf-8")) for path in PAGES]
    for cached in (
        parse._parser,
        networks.networks,
        networks.twin,
        networks.with_classes,
        page._shown_network,
        check_module._check_tex,
    ):
        cached.cache_clear()
    start = time.process_time()
    for path, text in texts:
        check(path, values, text)
    assert time.process_time() - start < 1.5


def plant(path: str, old: str, new: str, values: dict[str, float | str]) -> MathCheckError:
    text = (ROOT / path).read_text("utf-8")
    assert text.count(old) == 1, f"{path} no longer has {old!r} exactly once"
    with pytest.raises(MathCheckError) as caught:
        check(ROOT / path, values, text.replace(old, new))
    return caught.value


def line_of(path: str, old: str) -> int:
    text = (ROOT / path).read_text("utf-8")
    return text[: text.index(old)].count("\n") + 1


def assert_names(error: MathCheckError, path: str, line: int) -> None:
    """The message names the file and the equation (its lines), and only failing ones."""
    message = str(error)
    assert message.startswith(f"math check: {path}, equation "), message
    (failed,) = error.report.failures
    first, last = failed.label.split("lines ")[-1].split("-")
    assert int(first) <= line <= int(last), (line, failed.label)
    assert failed.label in message


# ------------------------------------------------------------------ the worked example

# (what the fault is, text of the template, the text with the fault planted)
WORKED_FAULTS = [
    # formulas
    ("loss: a factor", r"\ell = \frac{1}{m}\sum", r"\ell = \frac{2}{m}\sum"),
    (
        "loss: a sign",
        r"\frac{1}{2}\Big[\big(a^{(2)}_1 - y_1\big)^2 +",
        r"\frac{1}{2}\Big[\big(a^{(2)}_1 - y_1\big)^2 -",
    ),
    (
        "forward: a transposed index",
        r"+ W^{(1)}_{12} x_2 + b^{(1)}_1",
        r"+ W^{(1)}_{21} x_2 + b^{(1)}_1",
    ),
    (
        "forward: the other unit's bias",
        r"+ W^{(1)}_{22} x_2 + b^{(1)}_2",
        r"+ W^{(1)}_{22} x_2 + b^{(1)}_1",
    ),
    ("forward: a wrong layer", r"z^{(2)}_1 = {{W2_11}}", r"z^{(1)}_1 = {{W2_11}}"),
    ("BP1: a wrong layer", r"\delta^{(2)}_1 = {{da2_1}}", r"\delta^{(1)}_1 = {{da2_1}}"),
    (
        "BP4: a transposed index",
        r"&= W^{(2)}_{11} \delta^{(2)}_1 + W^{(2)}_{21} \delta^{(2)}_2",
        r"&= W^{(2)}_{11} \delta^{(2)}_1 + W^{(2)}_{12} \delta^{(2)}_2",
    ),
    (
        "BP4: a wrong layer",
        r"&= W^{(2)}_{12} \delta^{(2)}_1 + W^{(2)}_{22} \delta^{(2)}_2",
        r"&= W^{(2)}_{12} \delta^{(2)}_1 + W^{(2)}_{22} \delta^{(1)}_2",
    ),
    (
        "BP3 matrix: a wrong layer",
        "{\\partial W^{(2)}}\n&= \\begin",
        "{\\partial W^{(1)}}\n&= \\begin",
    ),
    (
        "answer: BP2 with a sign",
        r"\delta^{(1)}_2 &= \big(W^{(2)}_{12}\delta^{(2)}_1 + W^{(2)}_{22}\delta^{(2)}_2\big)",
        r"\delta^{(1)}_2 &= \big(W^{(2)}_{12}\delta^{(2)}_1 - W^{(2)}_{22}\delta^{(2)}_2\big)",
    ),
    ("answer: BP3 with x_2", r"= \delta^{(1)}_2\, x_1 =", r"= \delta^{(1)}_2\, x_2 ="),
    ("SGD: a wrong layer", "W^{(2)}\n&\\leftarrow", "W^{(1)}\n&\\leftarrow"),
    # the numbers' arithmetic
    (
        "loss gradient: a factor",
        r"\frac{2}{2}({{a2_1}} - {{y_1}})",
        r"\frac{1}{2}({{a2_1}} - {{y_1}})",
    ),
    ("BP1: a sign", r"\cdot (1 - {{a2_1}}) = {{delta2_1}}", r"\cdot (1 + {{a2_1}}) = {{delta2_1}}"),
    (
        "BP3 matrix: a transposed entry",
        r"{{delta1_1}} \cdot {{x_1}} & {{delta1_1}} \cdot {{x_2}}",
        r"{{delta1_1}} \cdot {{x_1}} & {{delta1_1}} \cdot {{x_1}}",
    ),
    ("SGD: a sign", r"{{b2_1}} - {{lr}} \cdot {{db2_1}}", r"{{b2_1}} + {{lr}} \cdot {{db2_1}}"),
    ("forward: a wrong layer's number", r"e^{-{{z1_2}}}", r"e^{-{{z2_2}}}"),
]


@pytest.mark.parametrize(("what", "old", "new"), WORKED_FAULTS, ids=[f[0] for f in WORKED_FAULTS])
def test_worked_example_fault_fails(
    what: str, old: str, new: str, values: dict[str, float | str]
) -> None:
    error = plant(WORKED, old, new, values)
    assert_names(error, WORKED, line_of(WORKED, old))


# (a number as filled in, the same number with one digit changed): factors and results
DIGITS = [
    (r"{{W1_11}} \cdot {{x_1}}", "0.15 \\cdot 0.05", "0.15 \\cdot 0.06"),  # a factor
    (r"+ {{b1_1}} = {{z1_1}}", "= 0.3775", "= 0.3776"),  # a result, shown to 4 decimals
    (r"e^{-{{z2_1}}}} = {{a2_1}}", "= 0.75136507", "= 0.75136517"),  # a result, 8 decimals
    (r"\cdot (1 - {{a2_2}}) = {{delta2_2}}", "(-0.217071535) \\cdot", "(-0.217071545) \\cdot"),
    ("&= \\begin{bmatrix} {{dW2_11}}", "0.082167041 &", "0.082167051 &"),  # a matrix entry
    ("&= \\begin{bmatrix} {{b1new_1}}", "0.345614323", "0.345614324"),  # the last digit
]


@pytest.mark.parametrize(("where", "old", "new"), DIGITS, ids=[d[2] for d in DIGITS])
def test_worked_example_changed_digit_fails(
    where: str, old: str, new: str, values: dict[str, float | str]
) -> None:
    text = (ROOT / WORKED).read_text("utf-8")
    assert text.count(where) == 1, where
    displays = [tex for tex in text.split("$$")[1::2] if where in tex]
    (display,) = displays
    assert filler(values)(display).count(old) == 1, f"{old!r} is no longer in the filled display"

    def fill(tex: str) -> str:  # changes that display only (the number may recur elsewhere)
        out = fill_template(tex, values, WORKED)
        return out.replace(old, new) if where in tex else out

    with pytest.raises(MathCheckError) as caught:
        check_source(WORKED, text, fill)
    assert "beyond the rounding shown" in str(caught.value)
    assert_names(caught.value, WORKED, line_of(WORKED, where))


def test_worked_example_as_filled_holds_each_number(values: dict[str, float | str]) -> None:
    report = check(ROOT / WORKED, values)
    line = line_of(WORKED, r"z^{(1)}_1 = W^{(1)}_{11}")
    (result,) = [r for r in report.displays if r.line <= line <= r.line + r.tex.count("\n")]
    # the formulas on a random network; the substitution and the result on the page's network,
    # each against the formula; the substitution against the result as arithmetic
    assert result.evaluated and result.checks >= 5


def test_the_page_network_needs_its_numbers(values: dict[str, float | str]) -> None:
    """Without the table of its inputs and parameters, the page does not say which network its
    formulas are about: read on the derivation's networks, they fail (coverage cannot drop)."""
    text = (ROOT / WORKED).read_text("utf-8")
    start, end = text.index("| Quantity | Value |"), text.index("| learning rate")
    with pytest.raises(MathCheckError):
        check_source(WORKED, text[:start] + text[end:], filler(values))


# ------------------------------------------------------------------ exercise fragments

BP = "docs/exercises/bp1_bp2.md"
LOSSES = "docs/exercises/losses.md"
EXERCISE_FAULTS = [
    (
        BP,
        "BP1: a layer index",
        r"\odot \sigma'(z^{(L)}), \quad",
        r"\odot \sigma'(z^{(L-1)}), \quad",
    ),
    (
        BP,
        "BP2: a dropped transpose",
        r"\big((W^{(k+1)})^{\top} \delta^{(k+1)}\big)",
        r"\big(W^{(k+1)} \delta^{(k+1)}\big)",
    ),
    (
        BP,
        "BP3: a factor",
        r"{\partial W^{(k)}} = \delta^{(k)} (a^{(k-1)})^{\top}, \quad",
        r"{\partial W^{(k)}} = 2\delta^{(k)} (a^{(k-1)})^{\top}, \quad",
    ),
    (BP, "BP4: a sign", r"= (W^{(k)})^{\top} \delta^{(k)}.", r"= -(W^{(k)})^{\top} \delta^{(k)}."),
    (
        LOSSES,
        "two classes: a sign",
        r"-y_2 \log \operatorname{sigmoid}(z_2 - z_1) - (1 - y_2)",
        r"y_2 \log \operatorname{sigmoid}(z_2 - z_1) - (1 - y_2)",
    ),
    (
        LOSSES,
        "two classes: swapped logits",
        r"\log\big(1 - \operatorname{sigmoid}(z_2 - z_1)\big)",
        r"\log\big(1 - \operatorname{sigmoid}(z_1 - z_2)\big)",
    ),
    (LOSSES, "two classes: a factor", r"- (1 - y_2)\log\big(", r"- (2 - y_2)\log\big("),
]


@pytest.mark.parametrize(
    ("path", "what", "old", "new"), EXERCISE_FAULTS, ids=[f[1] for f in EXERCISE_FAULTS]
)
def test_exercise_fault_fails(
    path: str, what: str, old: str, new: str, values: dict[str, float | str]
) -> None:
    error = plant(path, old, new, values)
    assert_names(error, path, line_of(path, old))


def test_the_two_class_display_is_read_as_the_loss_on_two_classes(
    values: dict[str, float | str],
) -> None:
    """The display continues "the softmax cross-entropy $\\ell = ...$ equals": it is compared
    with ell, on a softmax with the C = 2 classes its section states."""
    text = (ROOT / LOSSES).read_text("utf-8")
    (result,) = check(ROOT / LOSSES, values).displays
    assert result.evaluated
    without = text.replace("$C = 2$", "two")
    with pytest.raises(MathCheckError):
        check_source(LOSSES, without)


# ------------------------------------------------------------------ notebook Markdown

NOTEBOOK = "docs/notebooks/01_check_equations.py"
NOTEBOOK_FAULTS = [
    ("BP1: a layer index", r"\odot \sigma'(z^{(L)})", r"\odot \sigma'(z^{(L-1)})"),
    (
        "BP2: a dropped transpose",
        r"\big((W^{(k+1)})^\top \delta^{(k+1)}\big)",
        r"\big(W^{(k+1)} \delta^{(k+1)}\big)",
    ),
    ("BP3: a factor", r"= \delta^{(k)} (a^{(k-1)})^\top", r"= 2\delta^{(k)} (a^{(k-1)})^\top"),
    (
        "BP4: a sign",
        r"= (W^{(k)})^\top \delta^{(k)}" + "\n",
        r"= -(W^{(k)})^\top \delta^{(k)}" + "\n",
    ),
]


@pytest.mark.parametrize(
    ("what", "old", "new"), NOTEBOOK_FAULTS, ids=[f[0] for f in NOTEBOOK_FAULTS]
)
def test_notebook_fault_fails(
    what: str, old: str, new: str, values: dict[str, float | str]
) -> None:
    error = plant(NOTEBOOK, old, new, values)
    assert_names(error, NOTEBOOK, line_of(NOTEBOOK, old))


def test_notebook_code_cells_are_not_read() -> None:
    text = "# %%\nx = 1\n# $$\n# z = 1 2 +\n# $$\n"
    report = check_source("docs/notebooks/t.py", text)
    assert not report.displays
