"""Drift fails the build, proven on temporary copies of the repository.

Each copy has the real mkdocs.yml, vendor.lock, site_build/, docs/, src/ and the package's
metadata (pyproject.toml, README.md, LICENSE), and one tiny notebook, `notebooks/zz_drift.py`,
added to the nav. To keep it fast, the copy starts with the executed notebooks of this
checkout's last build (`.cache/site_build/pages`, kept under the same keys), so only a notebook
the test changes runs. The unchanged copy must build; then one kind of drift is planted and
`mkdocs build --strict` must fail, saying why.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from docs_helpers import DOCS, MATH_FONTS, ROOT, markdown_pages, mkdocs_build, snippet_refs

TINY_NOTEBOOK = """# %% [markdown]
# # Drift probe
#
# A notebook that the drift tests execute.

# %%
import backprop as bp

print(bp.__version__)
"""


def make_copy(dest: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("src", "site_build"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=ignore)
    shutil.copytree(DOCS, dest / "docs", ignore=shutil.ignore_patterns("vendor", "__pycache__"))
    # of the vendored files, only the math fonts: site_build/finish/fonts.py cuts them down
    shutil.copytree(MATH_FONTS, dest / "docs" / MATH_FONTS.relative_to(DOCS.resolve()))
    (dest / "node_modules").symlink_to(ROOT / "node_modules")  # MathJax in Node typesets the math
    # vendor.lock: the diagrams step reads it; the rest: the site's wheel is built from them
    for name in ("vendor.lock", "constraints.txt", "pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, dest / name)
    executed = ROOT / ".cache" / "site_build" / "pages"
    if executed.is_dir():
        shutil.copytree(executed, dest / ".cache" / "site_build" / "pages")
    (dest / "docs" / "notebooks" / "zz_drift.py").write_text(TINY_NOTEBOOK)
    config = (ROOT / "mkdocs.yml").read_text("utf-8")
    config, n = re.subn(
        r"^(\s+)- API reference: reference.md",
        r"\1- API reference: reference.md\n\1- Drift probe: notebooks/zz_drift.ipynb",
        config,
        flags=re.MULTILINE,
    )
    assert n == 1, "mkdocs.yml: the nav's `API reference: reference.md` entry not found"
    (dest / "mkdocs.yml").write_text(config)
    return dest


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The unchanged copy builds: otherwise a failing drift build would prove nothing."""
    project = make_copy(tmp_path_factory.mktemp("drift-baseline"))
    proc = mkdocs_build(project, project / "site")
    assert proc.returncode == 0, f"the unchanged copy does not build:\n{proc.stderr[-6000:]}"
    assert "Drift probe" in (project / "site" / "notebooks" / "zz_drift" / "index.html").read_text()
    log = proc.stdout + proc.stderr
    coverage = r"math check: docs/derivation\.md: \d+ of \d+ display equations evaluated"
    assert re.search(coverage, log), f"no math check coverage line:\n{log[-3000:]}"


def build_with(tmp_path: Path, plant: Callable[[Path], None]) -> str:
    project = make_copy(tmp_path)
    plant(project)
    proc = mkdocs_build(project, project / "site")
    assert proc.returncode != 0, "the build passed despite the planted drift"
    return proc.stdout + proc.stderr


def used_section() -> tuple[str, str]:
    for page in markdown_pages():
        for file, section in snippet_refs(page):
            if section and not section.replace(":", "").isdigit():
                return file, section
    raise AssertionError("no page uses a snippet section")


def test_removed_snippet_section_fails(baseline: None, tmp_path: Path) -> None:
    file, section = used_section()

    def plant(project: Path) -> None:
        path = project / "src" / file
        text = path.read_text()
        stripped = re.sub(
            rf"^.*--8<-- \[(start|end):{re.escape(section)}\].*\n", "", text, flags=re.M
        )
        assert stripped != text
        path.write_text(stripped)

    log = build_with(tmp_path, plant)
    assert section in log and "Snippet" in log, log[-3000:]


def test_raising_notebook_cell_fails(baseline: None, tmp_path: Path) -> None:
    def plant(project: Path) -> None:
        notebook = project / "docs" / "notebooks" / "zz_drift.py"
        notebook.write_text(TINY_NOTEBOOK + '\n# %%\nraise ValueError("planted drift")\n')

    log = build_with(tmp_path, plant)
    assert "planted drift" in log, log[-3000:]


def test_dead_internal_link_and_anchor_fail(baseline: None, tmp_path: Path) -> None:
    def plant(project: Path) -> None:
        page = project / "docs" / "index.md"
        text = page.read_text()
        text += "\nSee [a page](no-such-page.md) and [BP1](derivation.md#no-such-anchor).\n"
        page.write_text(text)

    log = build_with(tmp_path, plant)
    assert "no-such-page.md" in log, log[-3000:]
    assert "no-such-anchor" in log, log[-3000:]


# A wrong equation fails the build (site_build/markdown/math_check.py), naming the page and the equation.
# tests/mathcheck/test_derivation.py plants many more through the checker's Python API.
EQUATION_FAULTS = [
    # (file, text in it, the text with the fault, what the failure must name)
    (
        "docs/derivation.md",
        r"\big(W^{(k+1)}\big)^{\top} \delta^{(k+1)}\Big)",
        r"W^{(k+1)} \delta^{(k+1)}\Big)",
        "equation (BP2)",
    ),
    (
        "docs/derivation.md",
        r"{\partial W^{(k)}} = \delta^{(k)} \big(",
        r"{\partial W^{(k)} = \delta^{(k)} \big(",
        "does not parse",
    ),
    (
        "docs/derivation.md",
        r"| $(\Delta^{(k)})^\top A^{(k-1)}$ |",
        r"| $\Delta^{(k)} A^{(k-1)}$ |",
        "BP3, batch form, in the ledger",
    ),
    (  # a numeric line of the worked example: the wrong input times the weight
        "docs/worked_example.md",
        r"= {{W1_11}} \cdot {{x_1}} + {{W1_12}}",
        r"= {{W1_11}} \cdot {{x_2}} + {{W1_12}}",
        "equation lines ",
    ),
    (  # an exercise fragment, shown on the exercises page: BP2 without its transpose
        "docs/exercises/bp1_bp2.md",
        r"\big((W^{(k+1)})^{\top} \delta^{(k+1)}\big)",
        r"\big(W^{(k+1)} \delta^{(k+1)}\big)",
        "equation lines ",
    ),
    (  # a notebook's Markdown cell: BP3 with a factor 2
        "docs/notebooks/01_check_equations.py",
        r"= \delta^{(k)} (a^{(k-1)})^\top",
        r"= 2\delta^{(k)} (a^{(k-1)})^\top",
        "equation lines ",
    ),
]


@pytest.mark.parametrize(
    ("path", "old", "new", "named"),
    EQUATION_FAULTS,
    ids=["BP2", "typo", "ledger", "worked-example", "exercise", "notebook"],
)
def test_wrong_equation_fails(
    baseline: None, tmp_path: Path, path: str, old: str, new: str, named: str
) -> None:
    def plant(project: Path) -> None:
        page = project / path
        text = page.read_text("utf-8")
        assert text.count(old) == 1, f"{path} no longer has {old!r} exactly once"
        page.write_text(text.replace(old, new), "utf-8")

    log = build_with(tmp_path, plant)
    assert f"math check: {path}, equation" in log and named in log, log[-3000:]
    failing = set(re.findall(r"math check: (\S+), equation", log))
    assert failing == {path}, f"only the planted fault fails: {failing}"


# Spellings an author may write for the same equation (docs/derivation.md): they build.
EQUIVALENT_SPELLINGS = [
    (r"\odot \big(1 - a^{(L)}\big)", r"\odot \big(-a^{(L)} + 1\big)"),
    (r"= \delta^{(k)} \big(a^{(k-1)}\big)^{\top}", r"= \delta^{(k)} a^{(k-1)T}"),
    (r"{\partial a^{(L)}} = \frac{2}{m}\big(", r"{\partial a^{(L)}} = \dfrac{2}{m}\big("),
    (r"= \big(W^{(k)}\big)^{\top} \delta^{(k)}", r"= \big(W^{(k)}\big)^{\top} \cdot \delta^{(k)}"),
]


def test_equivalent_spellings_build(baseline: None, tmp_path: Path) -> None:
    project = make_copy(tmp_path)
    page = project / "docs" / "derivation.md"
    text = page.read_text("utf-8")
    for old, new in EQUIVALENT_SPELLINGS:
        assert old in text, f"docs/derivation.md no longer has {old!r}"
        text = text.replace(old, new, 1)
    page.write_text(text, "utf-8")
    proc = mkdocs_build(project, project / "site")
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-4000:]
    built = (project / "site" / "derivation" / "index.html").read_text("utf-8")
    assert "\\dfrac" in built and "a^{(k-1)T}" in built
