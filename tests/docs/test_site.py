"""The built site (`mkdocs build --strict`, once per session): pages, code blocks, offline.

Code blocks are taken from the built HTML, not from the Markdown, because that is what a
reader copies. Every Python block runs as it is, in a fresh interpreter. Skipped, by name:

* blocks titled with a package source file, e.g. `title="backprop/layers.py (Linear.forward)"`:
  they are snippets pulled from src/backprop by `--8<--`, fragments of methods by design. The
  test checks instead that each of their lines is in that source file. The same holds for
  blocks titled with an exercise source, `docs/exercises/<name>.py`, which
  tests/exercises/ runs as files (starters raise NotImplementedError by design).
* blocks with the class `fragment` (Markdown: ```` ```{.python .fragment} ````), for any
  other fragment shown on purpose.
* notebook pages: the build itself executes every notebook cell (`execute: true`,
  `allow_errors: false`), so their cells have already run.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from docs_helpers import ROOT, SRC

CODE_BLOCK = re.compile(
    r'<div class="(?P<classes>[^"]*\bhighlight\b[^"]*)"(?: data-bp-lazy)?>\s*'
    r'(?:<span class="filename">(?P<title>[^<]*)</span>)?\s*'
    r"<pre[^>]*>(?:<span></span>)?<code[^>]*>(?P<code>.*?)</code></pre>",
    re.DOTALL,
)
# A package source (under src/) or an exercise source (docs/exercises/, the repository's path).
SOURCE_TITLE = re.compile(r"^(backprop/[\w/]+\.py|docs/exercises/\w+\.py)\b")
NAV_PAGES = [
    "index.html",
    "derivation/index.html",
    "exercises/index.html",
    "notebooks/01_check_equations/index.html",
    "notebooks/02_training/index.html",
    "notebooks/03_stability/index.html",
    "notebooks/04_bug_clinic/index.html",
    "notebooks/05_shape_ledger/index.html",
    "implementation/index.html",
    "performance/index.html",
    "reference/index.html",
]


@dataclass
class Block:
    page: str
    index: int
    language: str
    classes: set[str]
    title: str
    code: str

    @property
    def name(self) -> str:
        return f"{self.page}#{self.index}" + (f" ({self.title})" if self.title else "")


def page_blocks(site: Path, page: Path) -> list[Block]:
    rel = page.relative_to(site).as_posix()
    blocks = []
    for i, m in enumerate(CODE_BLOCK.finditer(page.read_text("utf-8"))):
        classes = set(m.group("classes").split())
        language = next((c[9:] for c in classes if c.startswith("language-")), "")
        code = html.unescape(re.sub(r"<[^>]+>", "", m.group("code")))
        blocks.append(Block(rel, i, language, classes, html.unescape(m.group("title") or ""), code))
    return blocks


def python_blocks(site: Path) -> list[Block]:
    found = []
    for page in sorted(site.glob("**/index.html")):
        if "jupyter-wrapper" in page.read_text("utf-8"):
            continue  # notebook page: every cell was executed by the build
        for block in page_blocks(site, page):
            in_docstring = block.page.startswith("reference/") and block.language in ("", "text")
            if block.language in ("python", "py") or in_docstring:
                found.append(block)
    return found


def test_every_nav_page_is_built(built_site: Path) -> None:
    missing = [p for p in NAV_PAGES if not (built_site / p).is_file()]
    assert not missing, f"pages missing from the build: {missing}"
    sitemap = (built_site / "sitemap.xml").read_text("utf-8")
    for page in NAV_PAGES:
        assert page.removesuffix("index.html") in sitemap


def test_no_vendor_markdown_became_a_page(built_site: Path) -> None:
    assert not list((built_site / "assets" / "vendor").glob("**/index.html"))


def test_code_blocks_are_found(built_site: Path) -> None:
    blocks = python_blocks(built_site)
    assert any(b.page == "index.html" for b in blocks), "the Home example was not found"
    assert any(SOURCE_TITLE.match(b.title) for b in blocks), "no snippet block was found"


def test_python_code_blocks_run(built_site: Path, tmp_path: Path) -> None:
    ran, skipped, failures = [], [], []
    for block in python_blocks(built_site):
        source = SOURCE_TITLE.match(block.title)
        if source:
            rel = source.group(1)
            path = ROOT / rel if rel.startswith("docs/") else SRC / rel
            lines = {line.strip() for line in path.read_text("utf-8").splitlines()}
            foreign = [ln for ln in block.code.splitlines() if ln.strip() not in lines]
            assert not foreign, f"{block.name}: lines not in {path}: {foreign}"
            skipped.append(f"{block.name}: snippet of {source.group(1)}")
            continue
        if "fragment" in block.classes:
            skipped.append(f"{block.name}: marked .fragment")
            continue
        proc = subprocess.run(
            [sys.executable, "-I", "-c", block.code],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        ran.append(block.name)
        if proc.returncode != 0:
            failures.append(f"{block.name}:\n{block.code}\n--- stderr ---\n{proc.stderr[-2000:]}")
    print("ran:\n  " + "\n  ".join(ran) + "\nskipped by name:\n  " + "\n  ".join(skipped))
    assert ran, "no code block was run"
    assert not failures, "code blocks on the site that do not run:\n\n" + "\n\n".join(failures)


def test_no_page_loads_from_a_third_party_host(built_site: Path) -> None:
    from site_build.finish import offline

    pages = sorted(built_site.glob("**/*.html"))
    assert len(pages) >= len(NAV_PAGES)
    found = {
        p.relative_to(built_site).as_posix(): urls
        for p in pages
        if (urls := offline.third_party_urls(p.read_text("utf-8")))
    }
    assert not found, f"pages that would load from a third-party host: {found}"


def test_notebook_pages_are_clean(built_site: Path) -> None:
    for page in NAV_PAGES:
        if page.startswith("notebooks/"):
            text = (built_site / page).read_text("utf-8")
            assert "jupyter-wrapper" in text
            assert "text/x-mathjax-config" not in text and 'type="module"' not in text
            assert '<pre class="mermaid">' not in text


def test_search_index_holds_each_notebook_cell_once(built_site: Path) -> None:
    """A notebook's code cell is on its page twice: highlighted, and as the hidden text its copy
    button reads. The copy button still has its text; the search index has the code once."""
    index = json.loads((built_site / "search/search_index.json").read_text("utf-8"))
    checked, bad = 0, []
    for page in sorted(built_site.glob("notebooks/*/index.html")):
        rel = page.parent.relative_to(built_site).as_posix() + "/"
        text = " ".join(d["text"] for d in index["docs"] if d["location"].startswith(rel))
        copies = re.findall(
            r'<div class="clipboard-copy-txt"([^>]*)>(.*?)</div>', page.read_text("utf-8"), re.S
        )
        assert copies, f"{rel}: no copy-button text (mkdocs-jupyter's template changed?)"
        cells = [html.unescape(code) for _, code in copies]
        for attrs, code in zip((a for a, _ in copies), cells, strict=True):
            if "data-search-exclude" not in attrs:
                bad.append(f"{rel}: a copy-button text is not excluded from search")
            line = max(code.splitlines(), key=len).strip()
            if len(line) < 20:
                continue
            checked += 1
            n = text.count(html.escape(line, quote=False))
            in_cells = sum(c.count(line) for c in cells)  # a line may recur in later cells
            if n != in_cells:
                bad.append(f"{rel}: {line!r}: {n} times in the search index, {in_cells} in cells")
    assert checked > 20, checked
    assert not bad, "\n".join(bad)


def test_site_ships_no_mathjax_or_axe_code(built_site: Path) -> None:
    """MathJax runs when the site builds and axe-core in the tests: neither is in site/."""
    shipped = [p for p in built_site.rglob("*") if p.is_file()]
    names = [p.relative_to(built_site).as_posix() for p in shipped]
    assert not [n for n in names if "axe" in n.lower()], "axe-core files in the site"
    code = [p for p in shipped if p.suffix in {".js", ".mjs", ".html"}]
    bad = []
    for p in code:
        text = p.read_text("utf-8", errors="replace")
        if "axe.run" in text or "axe-core" in text:
            bad.append(f"{p.relative_to(built_site)}: axe-core")
        if p.suffix != ".html" and "MathJax" in text:
            bad.append(f"{p.relative_to(built_site)}: MathJax code")
    assert not bad, "\n".join(bad)
    assert (built_site / "assets/stylesheets/mathjax.css").is_file(), "the math stylesheet"
    fonts = list(built_site.glob("assets/vendor/mathjax-newcm-font/chtml/woff2/*.woff2"))
    assert fonts, "the self-hosted math font"


def test_math_is_typeset_in_the_built_html(built_site: Path) -> None:
    """No page keeps TeX for a browser to typeset: every arithmatex element holds one
    typeset formula with its assistive MathML."""
    bad = []
    total = 0
    for page in sorted(built_site.glob("**/index.html")):
        text = page.read_text("utf-8")
        rel = page.relative_to(built_site).as_posix()
        for m in re.finditer(r'<(span|div) class="arithmatex">(.{0,120})', text, re.S):
            total += 1
            if not m.group(2).startswith("<mjx-container"):
                bad.append(f"{rel}: untypeset {m.group(2)[:60]!r}")
        if "data-latex" in text:
            bad.append(f"{rel}: MathJax's data-latex attributes left in")
        containers = text.count('<mjx-container class="MathJax"')
        if containers != text.count("<mjx-assistive-mml"):
            bad.append(f"{rel}: formulas without assistive MathML")
    assert total > 100, total
    assert not bad, "\n".join(bad[:20])


def test_far_blocks_are_deferred_and_the_first_screens_are_not(built_site: Path) -> None:
    """site_build/html/lazy_blocks.py: on the long derivation page, blocks far below the first screen
    get `data-bp-lazy` (content-visibility: auto); headings and the page's start never are."""
    text = (built_site / "derivation/index.html").read_text("utf-8")
    article = text[text.index('<article class="md-content__inner md-typeset">') :]
    starts = [m.start() for m in re.finditer(r"<\w+[^>]* data-bp-lazy>", article)]
    assert len(starts) > 100, f"only {len(starts)} deferred blocks on the derivation page"
    assert not re.search(r"<h[1-6][^>]* data-bp-lazy>", article), "a heading is deferred"
    before_first = re.sub(r"<[^>]*>", "", article[: starts[0]])
    assert len(before_first) >= 2000, "a block of the first screen is deferred (EAGER_CHARS)"
    css = (built_site / "javascripts/extra.css").read_text("utf-8")
    assert re.search(r"\[data-bp-lazy\]\s*\{\s*content-visibility:\s*auto;", css)


NAV_LINK = re.compile(r'<a [^>]*class="md-nav__link[^"]*"[^>]*>(.*?)</a>', re.S)


def test_no_raw_tex_in_navigation_or_contents(built_site: Path) -> None:
    """The sidebars show a heading's text, not its typeset math: a heading with math needs a
    `data-toc-label` in plain text, or its TeX reaches the contents list raw."""
    bad = []
    for page in sorted(built_site.rglob("*.html")):
        for link in NAV_LINK.findall(page.read_text("utf-8")):
            text = html.unescape(re.sub(r"<[^>]+>", "", link)).strip()
            if re.search(r"\\[(\[]|\$", text):
                bad.append(f"{page.relative_to(built_site)}: {text!r}")
    assert not bad, "\n".join(sorted(set(bad)))
