"""The built worked-example page shows the package's numbers, in the right places.

The built HTML is parsed: every formula of the form ``<quantity> = ... = <result>`` is keyed by
its left side, and its result must be the package's value for that quantity, formatted as the
page formats it (site_build/markdown/values/template.py). Matrix results are compared entry by entry. The tables, the
figure's nodes and the closed answer block are checked the same way. A number typed into the
template, a placeholder pointing at the wrong quantity, or a broken package (through the
walk-through's column, which the page prints beside the package's) fails here.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from site_build.markdown.values import compgraph
from site_build.markdown.values.template import number
from site_build.markdown.values.worked_example_page import program

worked_example = program()  # docs/worked_example.py, the page's program

# Left side of a formula (whitespace removed) -> the name of its value in page_values().
SCALARS = {
    **{f"z^{{({k})}}_{i}": f"z{k}_{i}" for k in (1, 2) for i in (1, 2)},
    **{f"a^{{({k})}}_{i}": f"a{k}_{i}" for k in (1, 2) for i in (1, 2)},
    "\\ell": "loss",
    **{f"\\frac{{\\partial\\ell}}{{\\partiala^{{({k})}}_{i}}}": f"da{k}_{i}" for k in (1, 2) for i in (1, 2)},
    **{f"\\delta^{{({k})}}_{i}": f"delta{k}_{i}" for k in (1, 2) for i in (1, 2)},
    **{f"\\frac{{\\partial\\ell}}{{\\partialb^{{({k})}}_{i}}}": f"db{k}_{i}" for k in (1, 2) for i in (1, 2)},
    **{f"\\frac{{\\partial\\ell}}{{\\partialx_{i}}}": f"dx_{i}" for i in (1, 2)},
    "\\frac{\\partial\\ell}{\\partialW^{(1)}_{21}}": "dW1_21",  # the redo-by-hand answer
}  # fmt: skip
MATRICES = {
    "\\frac{\\partial\\ell}{\\partialW^{(2)}}": ["dW2_11", "dW2_12", "dW2_21", "dW2_22"],
    "\\frac{\\partial\\ell}{\\partialW^{(1)}}": ["dW1_11", "dW1_12", "dW1_21", "dW1_22"],
    "W^{(2)}": ["W2new_11", "W2new_12", "W2new_21", "W2new_22"],
    "W^{(1)}": ["W1new_11", "W1new_12", "W1new_21", "W1new_22"],
    "b^{(2)}": ["b2new_1", "b2new_2"],
    "b^{(1)}": ["b1new_1", "b1new_2"],
}
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class Page(HTMLParser):
    """Math (TeX of each `.arithmatex`), table rows, figure texts and details of a built page.

    Math typeset at build time carries its TeX in the container's `data-tex`; untypeset math is
    the element's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.math: list[str] = []
        self.rows: list[list[str]] = []
        self.node_texts: dict[str, dict[str, list[str]]] = {}
        self.details: list[dict[str, object]] = []
        self._math_depth: int | None = None
        self._stack: list[str] = []
        self._cell: list[str] | None = None
        self._node: str | None = None
        self._text_class: str | None = None
        self._typeset = False
        self._summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self._stack.append(tag)
        classes = (a.get("class") or "").split()
        if "arithmatex" in classes and self._math_depth is None:
            self._math_depth = len(self._stack)
            self.math.append("")
            self._typeset = False
            if self.details and self.details[-1]["depth"] is not None:
                self.details[-1]["math"].append(len(self.math) - 1)  # type: ignore[attr-defined]
        if tag == "mjx-container" and self._math_depth is not None and not self._typeset:
            self.math[-1] = a.get("data-tex") or ""  # typeset at build: the TeX it was made from
            self._typeset = True
            if self._cell is not None:
                self._cell.append(self.math[-1])
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "g" and (a.get("id") or "").startswith("cg-"):
            self._node = (a.get("id") or "")[3:]
            self.node_texts[self._node] = {"cg-value": [], "cg-grad": []}
        elif tag == "text" and self._node:
            self._text_class = next((c for c in classes if c in ("cg-value", "cg-grad")), None)
        elif tag == "details":
            self.details.append(
                {
                    "classes": classes,
                    "open": "open" in a,
                    "depth": len(self._stack),
                    "math": [],
                    "summary": "",
                }
            )
        elif tag == "summary":
            self._summary = True

    def handle_endtag(self, tag: str) -> None:
        depth = len(self._stack)
        if self._math_depth == depth:
            self._math_depth = None
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None
        elif tag == "g":
            self._node = None
        elif tag == "text":
            self._text_class = None
        elif tag == "summary":
            self._summary = False
        elif tag == "details" and self.details:
            open_ones = [d for d in self.details if d["depth"] == depth]
            if open_ones:
                open_ones[-1]["depth"] = None
        if self._stack:
            self._stack.pop()

    def handle_data(self, data: str) -> None:
        if self._math_depth is not None and not self._typeset:
            self.math[-1] += data
        typeset_math = self._math_depth is not None and self._typeset
        if self._cell is not None and not typeset_math:
            self._cell.append(data)
        if self._summary and self.details:
            self.details[-1]["summary"] += data  # type: ignore[operator]
        if self._node and self._text_class:
            self.node_texts[self._node][self._text_class].append(data)


def tex(math: str) -> str:
    """The TeX inside \\( \\) or \\[ \\]."""
    return re.sub(r"^\s*\\[\[(]|\\[\])]\s*$", "", html.unescape(math)).strip()


def split_formula(t: str) -> tuple[str, str] | None:
    """(left side without whitespace, text after the last top-level `=`), or None."""
    t = t.replace("\\begin{aligned}", "").replace("\\end{aligned}", "")
    first = re.search(r"=|\\leftarrow", t)
    if first is None or "=" not in t:
        return None
    lhs = re.sub(r"\s+|&", "", t[: first.start()])
    return lhs, t.rsplit("=", 1)[1].strip().rstrip(",.").strip()


def result_numbers(rhs: str) -> list[str] | None:
    """The numbers of a result: one number, or a bmatrix's entries row by row; else None."""
    rhs = rhs.strip()
    m = re.fullmatch(r"\\begin\{bmatrix\}(.*)\\end\{bmatrix\}", rhs, flags=re.S)
    entries = [e.strip() for e in re.split(r"\\\\|&", m.group(1))] if m else [rhs]
    return entries if all(NUMBER.fullmatch(e) for e in entries) else None


@pytest.fixture(scope="module")
def page(built_site: Path) -> Page:
    parser = Page()
    parser.feed((built_site / "worked_example" / "index.html").read_text("utf-8"))
    return parser


@pytest.fixture(scope="module")
def values() -> dict[str, float]:
    return worked_example.page_values(worked_example.compute())


def shown_results(page: Page) -> dict[str, list[list[str]]]:
    found: dict[str, list[list[str]]] = {}
    for m in page.math:
        parts = split_formula(tex(m))
        if parts is None:
            continue
        numbers = result_numbers(parts[1])
        if numbers is not None:
            found.setdefault(parts[0], []).append(numbers)
    return found


def test_every_result_is_the_packages(page: Page, values: dict[str, float]) -> None:
    found = shown_results(page)
    for lhs, name in SCALARS.items():
        assert lhs in found, f"the page shows no formula {lhs} = ... = <number>"
        for shown in found[lhs]:
            assert shown == [number(values[name])], f"{lhs}: page {shown}, package {values[name]}"
    for lhs, names in MATRICES.items():
        assert lhs in found, f"the page shows no matrix {lhs} = ... = [numbers]"
        for shown in found[lhs]:
            assert shown == [number(values[n]) for n in names], f"{lhs}: page {shown}"


def test_substituted_numbers_are_the_packages(page: Page, values: dict[str, float]) -> None:
    """The first forward formula, as the issue spells it, and BP1's factors."""
    z = [tex(m) for m in page.math if tex(m).startswith("z^{(1)}_1")]
    expected = (
        f"= {number(values['W1_11'])} \\cdot {number(values['x_1'])} + {number(values['W1_12'])}"
        f" \\cdot {number(values['x_2'])} + {number(values['b1_1'])} = {number(values['z1_1'])}"
    )
    assert len(z) == 1 and z[0].endswith(expected), z
    delta = [tex(m) for m in page.math if tex(m).startswith("\\delta^{(2)}_1")]
    a, d = number(values["a2_1"]), number(values["da2_1"])
    assert delta == [
        f"\\delta^{{(2)}}_1 = {d} \\cdot {a} \\cdot (1 - {a}) = {number(values['delta2_1'])}"
    ]


def table_row(page: Page, first_cell: str) -> list[str]:
    rows = [r for r in page.rows if r and first_cell in r[0]]
    assert len(rows) == 1, f"expected one table row starting {first_cell!r}, found {len(rows)}"
    return [re.sub(r"^\s*\\\(|\\\)\s*$", "", c.strip()).strip() for c in rows[0]]


def test_loss_table(page: Page, values: dict[str, float]) -> None:
    for first, before, after in (
        ("this page", "loss", "loss_after"),
        ("weights only", "fixed_loss", "fixed_loss_after"),
        ("as printed", "published_loss", "published_loss_after"),
    ):
        row = table_row(page, first)
        assert row[2:] == [number(values[before]), number(values[after])], row


def test_weights_table_agrees_with_the_walk_through(page: Page, values: dict[str, float]) -> None:
    """The package's weights-only step beside the walk-through's printed weights: each package
    value, read from the page, rounds to the walk-through's printed digits."""
    for k in (1, 2):
        for i, j in np.ndindex(2, 2):
            row = table_row(page, f"W^{{({k})}}_{{{i + 1}{j + 1}}}")
            ours, printed = row[1], row[2]
            assert ours == number(values[f"fixed_W{k}new_{i + 1}{j + 1}"])
            decimals = len(printed.split(".")[1])
            assert abs(float(ours) - float(printed)) <= 0.5 * 10.0**-decimals, row


def test_figure_shows_the_packages_values(page: Page) -> None:
    step = worked_example.compute().full
    nodes = {n.key: n for n in compgraph.nodes(step)}
    assert set(page.node_texts) == set(nodes)
    for key, node in nodes.items():
        drawn = lambda a: [  # noqa: E731
            compgraph.figure_number(v).replace("-", compgraph.MINUS) for v in np.ravel(a)
        ]
        assert page.node_texts[key]["cg-value"] == drawn(node.value), key
        grads = page.node_texts[key]["cg-grad"]
        assert grads == (["none: a constant"] if node.grad is None else drawn(node.grad)), key


def test_answer_is_closed_and_computed(page: Page, values: dict[str, float]) -> None:
    answers = [
        d
        for d in page.details
        if "success" in d["classes"] and str(d["summary"]).strip() == "Answer"  # type: ignore[operator]
    ]  # the exercises at the page's end have "Solution" blocks of their own
    assert len(answers) == 1 and answers[0]["open"] is False
    inside = [tex(page.math[i]) for i in answers[0]["math"]]  # type: ignore[attr-defined]
    assert any(t.endswith(f"= {number(values['dW1_21'])}") for t in inside), inside
