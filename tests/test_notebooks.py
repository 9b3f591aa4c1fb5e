"""Static checks of the notebooks in docs/notebooks (the site build executes them).

`mkdocs build --strict` runs every cell (tests/docs). These tests are fast and read the
jupytext sources only: each notebook is percent format with its title, uses the real package
and asserts what it shows, and the headings that other pages link to exist with the anchors
that mkdocs-jupyter gives them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

jupytext = pytest.importorskip("jupytext")
mkdocs_jupyter_utils = pytest.importorskip("mkdocs_jupyter.utils")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "docs" / "notebooks"
TITLES = {
    "01_check_equations": "Checking every equation",
    "02_training": "Training on real data",
    "03_stability": "Numerical stability",
    "04_bug_clinic": "Bug clinic",
    "05_shape_ledger": "Column math vs batch code",
    "06_autograd": "From equations to autograd",
    "07_gradient_flow": "Gradient flow through depth",
}
# Headings that docs/derivation.md links to, with the anchor each must get.
BP_HEADINGS = {
    "BP1: the output-layer delta": "bp1-the-output-layer-delta",
    "BP2: the recursion": "bp2-the-recursion",
    "BP3: the weight gradient": "bp3-the-weight-gradient",
    "BP4: the bias and input gradients": "bp4-the-bias-and-input-gradients",
}
# A link from a Markdown page into a notebook page, with an optional anchor.
NOTEBOOK_LINK = re.compile(r"\]\((?:\.\./)*notebooks/(\w+)\.(?:py|md)(?:#([\w-]+))?\)")


def read(stem: str) -> Any:
    return jupytext.read(NOTEBOOK_DIR / f"{stem}.py")


def headings(stem: str) -> list[str]:
    found = []
    for cell in read(stem).cells:
        if cell.cell_type == "markdown":
            found += re.findall(r"^#{1,6} +(.+?) *$", cell.source, flags=re.MULTILINE)
    return found


def anchors(stem: str) -> set[str]:
    """The ids mkdocs-jupyter gives the headings of a notebook page."""
    return {mkdocs_jupyter_utils.slugify(h) for h in headings(stem)}


def test_every_notebook_is_listed() -> None:
    assert sorted(p.stem for p in NOTEBOOK_DIR.glob("*.py")) == sorted(TITLES)


@pytest.mark.parametrize("stem", sorted(TITLES))
def test_percent_format_with_title(stem: str) -> None:
    text = (NOTEBOOK_DIR / f"{stem}.py").read_text("utf-8")
    assert "format_name: percent" in text.split("# ---", 2)[1], "missing jupytext header"
    nb = read(stem)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert first.source.splitlines()[0] == f"# {TITLES[stem]}"
    assert [h for h in headings(stem) if h == TITLES[stem]] == [TITLES[stem]]


@pytest.mark.parametrize("stem", sorted(TITLES))
def test_uses_the_package_and_asserts(stem: str) -> None:
    code = "\n".join(c.source for c in read(stem).cells if c.cell_type == "code")
    assert "import backprop as bp" in code
    assert re.search(r"^\s*assert ", code, flags=re.MULTILINE), "a notebook must assert its claims"
    # Warnings are handled locally (np.errstate), never switched off for the whole notebook.
    for banned in ("filterwarnings", "simplefilter", "np.seterr("):
        assert banned not in code, f"{stem} uses {banned}"


def test_bp_headings_and_their_anchors() -> None:
    found = headings("01_check_equations")
    for heading, anchor in BP_HEADINGS.items():
        assert heading in found, f"missing heading '## {heading}'"
        assert mkdocs_jupyter_utils.slugify(heading) == anchor


def test_links_into_notebooks_resolve() -> None:
    links = []
    for page in (ROOT / "docs").glob("*.md"):
        links += [(page.name, *m) for m in NOTEBOOK_LINK.findall(page.read_text("utf-8"))]
    for page, stem, anchor in links:
        assert stem in TITLES, f"{page} links to a notebook that does not exist: {stem}"
        if anchor:
            assert anchor in anchors(stem), f"{page}: no heading with id '{anchor}' in {stem}"
