"""The build step site_build/markdown/math_check.py: plain text in, a report out; a wrong
equation raises MathCheckError naming the file and the equation, on every page."""

from __future__ import annotations

import pytest

from site_build.markdown.math_check import MathCheckError, Report, check_source

GOOD = "$$\n\\delta^{(k)} = \\frac{\\partial \\ell}{\\partial z^{(k)}}\n$$\n"
BAD = "$$\n\\delta^{(k)} = 2 \\frac{\\partial \\ell}{\\partial z^{(k)}} \\tag{D}\n$$\n"
APPROX = "$$\n\\frac{\\partial \\ell}{\\partial \\theta} \\approx \\frac{\\ell(\\theta + \\epsilon) - \\ell(\\theta - \\epsilon)}{2\\epsilon}\n$$\n"


def test_reports_coverage_and_what_it_does_not_evaluate() -> None:
    report = check_source("docs/other.md", GOOD + "\n" + APPROX)
    assert isinstance(report, Report) and report.evaluated == 1
    lines = report.log_lines()
    assert lines[0] == "math check: docs/other.md: 1 of 2 display equations evaluated"
    assert lines[1] == ("  not evaluated: lines 5-7: an approximation (\\approx), not an identity")
    assert report.cpu_seconds >= 0


def test_a_file_without_math_logs_nothing() -> None:
    assert check_source("docs/plain.md", "no math here, $x$ inline only").log_lines() == []


@pytest.mark.parametrize("name", ["docs/derivation.md", "docs/any_page.md", "docs/exercises/x.md"])
def test_a_wrong_equation_fails_on_every_page(name: str) -> None:
    with pytest.raises(MathCheckError) as caught:
        check_source(name, GOOD + "\n" + BAD)
    message = str(caught.value)
    assert message == (
        f"math check: {name}, equation (D) at lines 5-7: sides 1 and 2 differ: "
        "relative error 5.00e-01 (network mse, k = 1, sample 1)"
    )
    assert len(caught.value.report.failures) == 1


def test_every_failing_equation_is_listed() -> None:
    with pytest.raises(MathCheckError) as caught:
        check_source("docs/t.md", BAD + "\n" + BAD.replace("{D}", "{E}"))
    assert "equation (D)" in str(caught.value) and "equation (E)" in str(caught.value)


def test_a_notebook_keeps_the_line_numbers_of_its_py_file() -> None:
    text = "# %%\nx = 1\n\n# %% [markdown]\n# Text\n#\n" + "".join(
        "# " + line + "\n" for line in BAD.splitlines()
    )
    with pytest.raises(MathCheckError, match=r"01\.py, equation \(D\) at lines 7-9"):
        check_source("docs/notebooks/01.py", text)


def test_fill_is_applied_to_displays_only_as_given() -> None:
    text = "$$\n\\delta^{(k)} = {{ which }}\n$$\n"
    report = check_source(
        "docs/t.md",
        text,
        lambda tex: tex.replace("{{ which }}", "\\frac{\\partial \\ell}{\\partial z^{(k)}}"),
    )
    assert report.evaluated == 1
    with pytest.raises(MathCheckError, match="no values were given to fill them"):
        check_source("docs/t.md", text)
