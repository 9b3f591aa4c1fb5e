"""The derivation page itself: every equation holds, at least 90 % are evaluated, and each planted
fault fails naming the equation it was planted in and no other, while equivalent rewrites pass.

Faults are planted in a copy of the page's text through the checker's Python API (fast); a few go
through a real strict build in tests/docs/test_drift.py.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from site_build.mathcheck import PageReport, check_page
from site_build.mathcheck.networks import networks

ROOT = Path(__file__).resolve().parents[2]
# MATHCHECK_PAGE=<file> tries the tests on a draft of the page.
PAGE = Path(os.environ.get("MATHCHECK_PAGE", ROOT / "docs" / "derivation.md"))
TEXT = PAGE.read_text("utf-8")

# (what the fault is, text on the page, the text with the fault planted)
FAULTS = [
    ("F: dropped bias", r"&= W^{(k)}a^{(k-1)} + b^{(k)}", r"&= W^{(k)}a^{(k-1)}"),
    (
        "F, index form: W_ji",
        r"W_{ij}^{(k)}\, a_j^{(k-1)} + b_i",
        r"W_{ji}^{(k)}\, a_j^{(k-1)} + b_i",
    ),
    (
        "delta: a wrong shape claim",
        r"{\partial z^{(k)}} \in \mathbb{R}^{m \times 1}",
        r"{\partial z^{(k)}} \in \mathbb{R}^{n \times 1}",
    ),
    ("chain rule: W_ji", r"{\partial a_j} = W_{ij}", r"{\partial a_j} = W_{ji}"),
    ("chain rule: not 0", r"{\partial W_{lj}} = 0", r"{\partial W_{lj}} = a_j"),
    (
        "BP1: sigma'(a) for sigma'(z)",
        r"\odot \sigma'\big(z^{(L)}\big)",
        r"\odot \sigma'\big(a^{(L)}\big)",
    ),
    (
        "BP1: odot as a product",
        r"{\partial a^{(L)}} \odot \sigma'\big(",
        r"{\partial a^{(L)}} \sigma'\big(",
    ),
    (
        "BP1, index form: sigma for sigma'",
        r"\, \sigma'\big(z_i^{(L)}\big)",
        r"\, \sigma\big(z_i^{(L)}\big)",
    ),
    (
        "BP2: dropped transpose",
        r"\Big(\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big)",
        r"\Big(W^{(k+1)} \delta^{(k+1)}\Big)",
    ),
    (
        "BP2: wrong layer index",
        r"\Big) \odot \sigma'\big(z^{(k)}\big)",
        r"\Big) \odot \sigma'\big(z^{(k+1)}\big)",
    ),
    (
        "BP2: a layer no network has",
        r"\Big(\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big)",
        r"\Big(\big(W^{(k+5)}\big)^{\top} \delta^{(k+1)}\Big)",
    ),
    (
        "BP2, index form: W_ji",
        r"W_{ij}^{(k+1)}\, \delta_i^{(k+1)}",
        r"W_{ji}^{(k+1)}\, \delta_i^{(k+1)}",
    ),
    (
        "BP3: dropped transpose",
        r"= \delta^{(k)} \big(a^{(k-1)}\big)^{\top}",
        r"= \delta^{(k)} a^{(k-1)}",
    ),
    (
        "BP3: TeX typo (a lost brace)",
        r"{\partial W^{(k)}} = \delta^{(k)} \big(",
        r"{\partial W^{(k)} = \delta^{(k)} \big(",
    ),
    (
        "BP4: dropped transpose",
        r"= \big(W^{(k)}\big)^{\top} \delta^{(k)}",
        r"= W^{(k)} \delta^{(k)}",
    ),
    (
        "(-a+1) spelled with a wrong sign",
        r"\odot \big(1 - a^{(L)}\big)",
        r"\odot \big(a^{(L)} - 1\big)",
    ),
    (
        "a^{(k-1)T} on the wrong factor",
        r"= \delta^{(k)} \big(a^{(k-1)}\big)^{\top}",
        r"= \delta^{(k)T} a^{(k-1)}",
    ),
    (
        "\\dfrac with a wrong factor",
        r"{\partial a^{(L)}} = \frac{2}{m}\big(",
        r"{\partial a^{(L)}} = \dfrac{1}{m}\big(",
    ),
    (
        "\\cdot with a dropped transpose",
        r"= \big(W^{(k)}\big)^{\top} \delta^{(k)}",
        r"= W^{(k)} \cdot \delta^{(k)}",
    ),
    (
        "Jacobian view: factors swapped",
        r"\mathrm{diag}\big(\sigma'(z^{(k)})\big)\,\big(W^{(k+1)}\big)^{\top}\delta^{(k+1)}.",
        r"\big(W^{(k+1)}\big)^{\top}\mathrm{diag}\big(\sigma'(z^{(k)})\big)\,\delta^{(k+1)}.",
    ),
    ("MSE: missing 1/m", r"{\partial a^{(L)}} = \frac{2}{m}\big(", r"{\partial a^{(L)}} = 2\big("),
    (
        "MSE with a sigmoid: a dropped factor",
        r"\odot a^{(L)} \odot \big(1 - a^{(L)}\big)",
        r"\odot a^{(L)}",
    ),
    ("CE: flipped sign", r"{\partial p} = p - y", r"{\partial p} = y - p"),
    (
        "CE, index form: a wrong term",
        r"= -y_i + p_i \sum_{c} y_c",
        r"= -y_i + p_i \sum_{c} p_c y_c",
    ),
    (
        "softmax Jacobian: p^T p",
        r"\mathrm{diag}(p) - p\,p^{\top}",
        r"\mathrm{diag}(p) - p^{\top} p",
    ),
    ("log-softmax: flipped sign", r"(z_c - z_{\max}) - \log", r"(z_c - z_{\max}) + \log"),
    (
        "BCE: missing 1/m",
        r"\delta^{(L)} = \frac{1}{m}\Big(\operatorname{sigmoid}",
        r"\delta^{(L)} = \Big(\operatorname{sigmoid}",
    ),
    (
        "BCE: flipped sign",
        r"\operatorname{sigmoid}\big(z^{(L)}\big) - y\Big)",
        r"y - \operatorname{sigmoid}\big(z^{(L)}\big)\Big)",
    ),
    (
        "batch forward: dropped transpose",
        r"A^{(k-1)} \big(W^{(k)}\big)^{\top} +",
        r"A^{(k-1)} W^{(k)} +",
    ),
    (
        "batch forward: dropped bias",
        r"\big(W^{(k)}\big)^{\top} + \mathbf{1}\, \big(b^{(k)}\big)^{\top}",
        r"\big(W^{(k)}\big)^{\top}",
    ),
    (
        "batch BP3: missing 1/N",
        r"= \frac{1}{N}\sum_{s=1}^{N} \delta_s^{(k)} \big(",
        r"= \sum_{s=1}^{N} \delta_s^{(k)} \big(",
    ),
    (
        "batch bias: missing 1/N",
        r"{\partial b^{(k)}} = \frac{1}{N}\sum_{s=1}^{N} \delta_s^{(k)} =",
        r"{\partial b^{(k)}} = \sum_{s=1}^{N} \delta_s^{(k)} =",
    ),
    (
        "batch BP4: dropped transpose",
        r"\big(\Delta^{(k)}\big)^{\top}\mathbf{1}",
        r"\Delta^{(k)}\mathbf{1}",
    ),
    (
        "batch input gradient: extra transpose",
        r"= \Delta^{(k)} W^{(k)}",
        r"= \Delta^{(k)} \big(W^{(k)}\big)^{\top}",
    ),
    (
        "batch delta: sigma'(A) for sigma'(Z)",
        r"\odot \sigma'\big(Z^{(k)}\big)",
        r"\odot \sigma'\big(A^{(k)}\big)",
    ),
    (
        "table, BP2: dropped transpose",
        r"\big((W^{(k+1)})^\top \delta^{(k+1)}\big)",
        r"\big(W^{(k+1)} \delta^{(k+1)}\big)",
    ),
    (
        "table, BP2: odot as a product",
        r"\delta^{(k+1)}\big) \odot \sigma'(z^{(k)})$",
        r"\delta^{(k+1)}\big) \sigma'(z^{(k)})$",
    ),
    (
        "table, BP4: wrong layer",
        r"a^{(k-1)} = (W^{(k)})^\top \delta^{(k)}$",
        r"a^{(k-1)} = (W^{(k)})^\top \delta^{(k+1)}$",
    ),
    (
        "ledger: dropped transpose",
        r"| $(\Delta^{(k)})^\top A^{(k-1)}$ |",
        r"| $\Delta^{(k)} A^{(k-1)}$ |",
    ),
    (
        "ledger: wrong shape",
        r"| $(W^{(k)})^\top \delta^{(k)}$ | $n \times 1$",
        r"| $(W^{(k)})^\top \delta^{(k)}$ | $m \times 1$",
    ),
]

REWRITES = [
    (
        "transpose as ^T",
        r"\Big(\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big)",
        r"\Big((W^{(k+1)})^T \delta^{(k+1)}\Big)",
    ),
    (
        "transpose inside the superscript",
        r"\Big(\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big)",
        r"\Big(W^{(k+1)\top} \delta^{(k+1)}\Big)",
    ),
    (
        "Hadamard factors swapped",
        r"\Big(\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big) \odot \sigma'\big(z^{(k)}\big)",
        r"\sigma'\big(z^{(k)}\big) \odot \Big(\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big)",
    ),
    (
        "sum with bounds",
        r"= \sum_i W_{ij}^{(k)}\, \delta_i^{(k)}",
        r"= \sum_{i=1}^{m} W_{ij}^{(k)}\, \delta_i^{(k)}",
    ),
    (
        "\\frac1N",
        r"= \frac{1}{N}\sum_{s=1}^{N} \delta_s^{(k)} \big(",
        r"= \frac1N\sum_{s=1}^{N} \delta_s^{(k)} \big(",
    ),
    ("a sign moved out", r"{\partial p} = p - y", r"{\partial p} = -(y - p)"),
    (
        "J for J^T (the softmax Jacobian is symmetric)",
        r"= J^{\top}\frac{\partial",
        r"= J\frac{\partial",
    ),
    ("(-a+1) for (1-a)", r"\odot \big(1 - a^{(L)}\big)", r"\odot \big(-a^{(L)} + 1\big)"),
    (
        "a^{(k-1)T} for (a^{(k-1)})^T",
        r"= \delta^{(k)} \big(a^{(k-1)}\big)^{\top}",
        r"= \delta^{(k)} a^{(k-1)T}",
    ),
    (
        "\\dfrac",
        r"{\partial a^{(L)}} = \frac{2}{m}\big(",
        r"{\partial a^{(L)}} = \dfrac{2}{m}\big(",
    ),
    (
        "\\cdot",
        r"= \big(W^{(k)}\big)^{\top} \delta^{(k)}",
        r"= \big(W^{(k)}\big)^{\top} \cdot \delta^{(k)}",
    ),
    (
        "the table's BP2 with its Hadamard factors swapped",
        r"\big((W^{(k+1)})^\top \delta^{(k+1)}\big) \odot \sigma'(z^{(k)})$",
        r"\sigma'(z^{(k)}) \odot \big((W^{(k+1)})^\top \delta^{(k+1)}\big)$",
    ),
]


@pytest.fixture(scope="module")
def report() -> PageReport:
    return check_page(TEXT, "derivation.md")


def test_every_equation_of_the_page_holds(report: PageReport) -> None:
    assert not report.failures, report.failure_text()


def test_at_least_90_percent_are_evaluated(report: PageReport) -> None:
    evaluated = sum(r.evaluated for r in report.displays)
    assert len(report.displays) >= 20
    assert evaluated >= 0.9 * len(report.displays), "\n".join(report.summary())
    assert report.tables and all(r.evaluated for r in report.tables), "\n".join(report.summary())


def test_the_check_takes_well_under_a_second() -> None:
    """CPU time of a cold check (grammar, networks, every equation): the machine is shared, so
    wall time says more about the other jobs than about the checker."""
    from site_build.mathcheck import check, parse

    parse._parser.cache_clear()
    networks.cache_clear()
    check._check_tex.cache_clear()
    start = time.process_time()
    check_page(TEXT, "derivation.md")
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize(("name", "old", "new"), FAULTS, ids=[f[0] for f in FAULTS])
def test_planted_fault_fails_naming_its_equation(name: str, old: str, new: str) -> None:
    assert TEXT.count(old) == 1, f"{name}: the page no longer has {old!r} exactly once"
    line = TEXT[: TEXT.index(old)].count("\n") + 1
    planted = check_page(TEXT.replace(old, new), "derivation.md")
    failed = planted.failures
    assert len(failed) == 1, f"{name}: failures {[f.label for f in failed]}"
    result = failed[0]
    end = result.line + result.tex.count("\n") + 1
    assert result.line <= line <= end, f"{name}: planted at line {line}, reported {result.label}"
    text = planted.failure_text()
    assert "derivation.md" in text and result.label in text


@pytest.mark.parametrize(("name", "old", "new"), REWRITES, ids=[r[0] for r in REWRITES])
def test_equivalent_rewrite_passes(name: str, old: str, new: str) -> None:
    assert TEXT.count(old) == 1, f"{name}: the page no longer has {old!r} exactly once"
    rewritten = check_page(TEXT.replace(old, new), "derivation.md")
    assert not rewritten.failures, rewritten.failure_text()
