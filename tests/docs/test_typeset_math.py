"""hooks/typeset_math.py: finding the TeX in built HTML, and typesetting it with MathJax in Node.

The finding and splicing tests need nothing; the typesetting tests run scripts/typeset.mjs with
the vendored MathJax (node_modules/mathjax, `make vendor`), as the build does.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docs_helpers import ROOT
from docs_helpers import typeset_math as tm

PAGE = """<html><head><title>t</title></head><body>
<nav class="md-nav"><a href="#x">Text with $dollars$ outside any math element</a></nav>
<article class="md-content__inner md-typeset">
<p>Inline <span class="arithmatex">\\(a^{(k)} \\in \\mathbb{R}^{n}\\)</span> and</p>
<div class="arithmatex">\\[\\begin{aligned} z &amp;= W a + b \\end{aligned} \\tag{F}\\]</div>
<div class="jp-Cell"><div class="jp-RenderedHTMLCommon jp-RenderedMarkdown jp-MarkdownOutput" \
data-mime-type="text/markdown"><div class="inner"><p>Let $x &lt; y$ &para;</p></div>
<p>and $$\\frac{1}{N}\\sum_s \\ell_s$$ but <code>$not math$</code></p></div></div>
<p>A price of $5 stays text.</p>
</article></body></html>"""

node_missing = shutil.which("node") is None or not (ROOT / "node_modules/mathjax").is_dir()
needs_node = pytest.mark.skipif(node_missing, reason="needs Node and `make vendor`")


def test_fragments_finds_each_math_element_and_only_those() -> None:
    found = tm.fragments(PAGE)
    assert [f.kind for f in found] == ["arithmatex", "arithmatex", "notebook"]
    inner = [PAGE[f.start : f.end] for f in found]
    assert inner[0] == "\\(a^{(k)} \\in \\mathbb{R}^{n}\\)"
    assert inner[1].startswith("\\[\\begin{aligned}") and inner[1].endswith("\\]")
    # The notebook cell's nested <div> does not end the cell early.
    assert inner[2].startswith('<div class="inner">') and inner[2].endswith("</code></p>")


def test_splice_replaces_exactly_the_fragments() -> None:
    found = tm.fragments(PAGE)
    out = tm.splice(PAGE, found, ["A", "B", "C"])
    assert '<span class="arithmatex">A</span>' in out
    assert '<div class="arithmatex">B</div>' in out
    assert 'data-mime-type="text/markdown">C</div></div>' in out
    assert out.replace("A", "", 1) != PAGE
    assert tm.splice(PAGE, found, [PAGE[f.start : f.end] for f in found]) == PAGE


def test_an_unclosed_element_is_an_error() -> None:
    with pytest.raises(tm.TypesetError, match="unclosed"):
        tm.fragments('<div class="arithmatex">\\[a\\]')


@needs_node
def test_typesets_every_formula_with_assistive_mathml() -> None:
    pages, css = tm.typeset_pages({"page.md": PAGE, "empty.md": "<p>no math, $5</p>"})
    out = pages["page.md"]
    assert pages["empty.md"] == "<p>no math, $5</p>"
    # Two arithmatex formulas and two in the notebook cell; nothing left as TeX.
    outer = re.findall(r"<mjx-container[^>]*>", out)
    assert len(outer) == 4, outer
    # Display equations (they may scroll sideways) are reachable by keyboard; inline ones not.
    assert [('display="true"' in t, 'tabindex="0"' in t) for t in outer] == [
        (False, False),
        (True, True),
        (False, False),
        (True, True),
    ]
    assert out.count("<mjx-assistive-mml") == 4
    shown = re.sub(r' data-tex="[^"]*"', "", out)  # each formula's TeX, kept once as an attribute
    assert out.count(' data-tex="') == 4
    assert "<math" in shown and "\\mathbb" not in shown and "\\frac" not in shown
    assert "$not math$" in out, "code is never typeset"
    assert "Text with $dollars$" in out and "A price of $5" in out, "only math elements"
    assert "data-latex" not in out, "MathJax's menu-only attributes are removed"
    for name in ("data-mjx-texclass", "unselectable", "texclass", "noic", "xmlns"):
        assert f" {name}=" not in out, f"{name}: read only by MathJax's own browser code"
        assert f"[{name}" not in css, f"{name} is removed, so no rule may select on it"
    # Every container had the same font-size and position: one rule, not 4 style attributes.
    assert not [t for t in outer if "font-size" in t or "position" in t], outer
    assert 'mjx-container[jax="CHTML"] {\n  font-size: 119.5%;\n  position: relative;\n}' in css
    assert 'id="mjx-eqn:F"' in out, "\\tag works"
    assert "¶" in out, "named entities survive"
    # One stylesheet for the site, with glyphs of every page and the self-hosted font.
    assert "mjx-c211D" in css, "the blackboard-bold R's glyph (dynamic font range)"
    assert f'url("{tm.FONT_URL}/mjx-ncm-n.woff2")' in css
    assert "http" not in css


@needs_node
def test_line_breaks_of_inline_math_need_no_font() -> None:
    """MathJax's break points hold a space drawn in its MJX-BRK font; until that font arrives,
    lines wrap elsewhere. They hold a zero-width space instead, and the gap is padding."""
    tex = "\\(a = b + c + d = e\\)"
    pages, css = tm.typeset_pages({"p.md": f'<p><span class="arithmatex">{tex}</span></p>'})
    breaks = re.findall(r'<mjx-break size="(\d)">(.*?)</mjx-break>', pages["p.md"])
    assert [size for size, _ in breaks] == ["4", "3", "3", "4"], breaks
    assert {text for _, text in breaks} == {"\u200b"}
    rules = dict(re.findall(r'mjx-break\[size="(\d)"\] \{\s*([^}]*?)\s*\}', css))
    # The gaps MathJax sets as 1em minus a letter-spacing: thick space 5/18 em, medium 4/18 em.
    assert rules["4"] == "padding-left: 0.278em;" and rules["3"] == "padding-left: 0.222em;"
    assert "letter-spacing" not in "".join(rules.values())
    rule = re.search(r'mjx-container\[jax="CHTML"\] mjx-break \{([^}]*)\}', css)
    assert rule and "font-family" not in rule.group(1), rule


@needs_node
def test_css_holds_the_glyphs_of_every_page() -> None:
    _, css = tm.typeset_pages(
        {
            "a.md": '<span class="arithmatex">\\(\\alpha\\)</span>',
            "b.md": '<span class="arithmatex">\\(\\omega\\)</span>',
        }
    )
    assert "mjx-c1D6FC" in css and "mjx-c1D714" in css  # italic alpha and omega
    # MathJax adds its assistive-MathML rules for each page's document: kept once.
    assert css.count("\nmjx-assistive-mml {") == 1


@needs_node
@pytest.mark.parametrize(
    ("tex", "message"),
    [
        ("\\(\\frac{a}{b\\)", "exactly one"),  # unbalanced: MathJax cannot even find it
        ("\\(\\undefinedmacro x\\)", "Undefined control sequence"),
        ("\\(x^{2}^{3}\\)", "Double exponent"),
    ],
)
def test_a_tex_error_names_the_page_and_the_formula(tex: str, message: str) -> None:
    page = (
        f'<p>ok <span class="arithmatex">\\(x\\)</span> <span class="arithmatex">{tex}</span></p>'
    )
    with pytest.raises(tm.TypesetError, match=message) as info:
        tm.typeset_pages({"derivation.md": page})
    assert "derivation.md" in str(info.value)
    assert tex.strip("\\()")[:6] in str(info.value)


@needs_node
def test_write_site_writes_the_typeset_pages_and_the_stylesheet(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    page = tmp_path / "a" / "index.html"
    page.write_text(PAGE, "utf-8")
    typeset, css = tm.typeset_pages({"a.md": PAGE})
    tm.write_site(tmp_path, {page: typeset["a.md"]}, css)
    assert "<mjx-container" in page.read_text("utf-8")
    assert (tmp_path / tm.CSS_PATH).read_text("utf-8") == css
    assert "mjx-container" in css


@needs_node
def test_one_typesetter_takes_pages_one_at_a_time() -> None:
    """The build hands each page over as MkDocs writes it; the answer comes once, at the end,
    with every page that holds math and one stylesheet for all of them."""
    typesetter = tm.Typesetter()
    try:
        typesetter.add("a.md", '<p><span class="arithmatex">\\(\\alpha\\)</span></p>')
        typesetter.add("plain.md", "<p>no math, $5</p>")
        typesetter.add("b.md", '<p><span class="arithmatex">\\(\\omega\\)</span></p>')
        with pytest.raises(ValueError, match="added twice"):
            typesetter.add("a.md", "<p>again</p>")
        typeset, css = typesetter.finish()
    finally:
        typesetter.close()
    assert set(typeset) == {"a.md", "b.md"}, "a page without math is left as it is"
    assert [len(typeset["a.md"]), len(typeset["b.md"])] == [1, 1], "one per math element"
    assert typeset["a.md"][0].startswith("<mjx-container")
    assert 'data-tex="\\alpha"' in typeset["a.md"][0] and 'data-tex="\\omega"' in typeset["b.md"][0]
    assert "mjx-c1D6FC" in css and "mjx-c1D714" in css


@needs_node
def test_a_page_sent_again_is_answered_as_sent_last() -> None:
    """The build sends a page's content early; if a later step changes its math elements,
    the written page goes again, and only that version counts."""
    first = '<div class="jp-MarkdownOutput"><p>$x$</p><table><tr><td>$y$</td></tr></table></div>'
    written = first.replace("<table>", '<table tabindex="0">')
    typesetter = tm.Typesetter()
    try:
        typesetter.add("nb.py", first)
        assert typesetter.sent("nb.py") == [first[len('<div class="jp-MarkdownOutput">') : -6]]
        typesetter.add("nb.py", written, again=True)
        typesetter.add("gone.md", '<span class="arithmatex">\\(z\\)</span>')
        typesetter.add("gone.md", "<p>no math now</p>", again=True)
        typeset, _ = typesetter.finish()
    finally:
        typesetter.close()
    assert set(typeset) == {"nb.py"}
    assert '<table tabindex="0">' in typeset["nb.py"][0]
    assert typeset["nb.py"][0].count("<mjx-container") == 2


@needs_node
def test_close_stops_the_typesetter_of_a_build_that_failed() -> None:
    typesetter = tm.Typesetter()
    typesetter.add("a.md", '<span class="arithmatex">\\(x\\)</span>')
    process = typesetter._worker.proc
    typesetter.close()
    assert process.poll() is not None, "Node still runs after close()"


def test_a_typesetter_that_dies_is_reported_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("node") is None:
        pytest.skip("needs Node")
    script = tmp_path / "typeset.mjs"
    script.write_text('process.stderr.write("MathJax could not start\\n");\nprocess.exit(3);\n')
    monkeypatch.setattr(tm, "SCRIPT", script)
    monkeypatch.setattr(tm, "_node", lambda: shutil.which("node"))  # no node_modules needed
    typesetter = tm.Typesetter()
    try:
        typesetter.add("a.md", '<span class="arithmatex">\\(x\\)</span>' * 20_000)  # > a pipe
        with pytest.raises(tm.TypesetError, match="MathJax could not start"):
            typesetter.finish()
    finally:
        typesetter.close()


def arithmatex(*tex: str) -> str:
    return "".join(f'<p><span class="arithmatex">{t}</span></p>' for t in tex)


@needs_node
def test_a_repeated_formula_is_typeset_as_the_first_time() -> None:
    """A fragment already typeset (on this page or an earlier one) is reused, not typeset
    again: each copy is the same as typesetting it on its own would give."""
    repeated = "\\(W^{(k)} \\sigma'(z)\\)"
    together, _ = tm.typeset_pages(
        {"a.md": arithmatex(repeated, "\\(x\\)", repeated), "b.md": arithmatex(repeated)}
    )
    alone, _ = tm.typeset_pages({"c.md": arithmatex(repeated)})
    copies = re.findall(r"<mjx-container.*?</mjx-container>", together["a.md"] + together["b.md"])
    assert len(copies) == 4 and copies[0] == copies[2] == copies[3] == alone["c.md"].removeprefix(
        '<p><span class="arithmatex">'
    ).removesuffix("</span></p>")


@needs_node
def test_a_repeated_tex_error_fails_every_page_it_is_on() -> None:
    """The error of a reused fragment is reported for each page that holds it, including a
    page sent again (whose first answer is dropped)."""
    bad = "\\(x^{2}^{3}\\)"
    typesetter = tm.Typesetter()
    try:
        typesetter.add("a.md", arithmatex(bad))
        typesetter.add("b.md", arithmatex(bad))
        typesetter.add("a.md", arithmatex("\\(y\\)", bad), again=True)
        with pytest.raises(tm.TypesetError) as info:
            typesetter.finish()
    finally:
        typesetter.close()
    problems = str(info.value).splitlines()[1:]
    assert [p.split(":")[0].strip() for p in problems] == ["b.md", "a.md"], problems
    assert all("Double exponent" in p for p in problems), problems


@needs_node
def test_fragments_whose_meaning_depends_on_the_page_are_typeset_each_time() -> None:
    r"""A formula with \label or \ref (or one that defines a macro) is typeset on each page:
    the same TeX need not give the same output. Here the reference finds its equation on the
    first page only."""
    ref = "\\(\\text{see } \\ref{eq}\\)"
    pages, _ = tm.typeset_pages(
        {"a.md": arithmatex("\\[x \\tag{A}\\label{eq}\\]", ref), "b.md": arithmatex(ref)}
    )
    assert 'id="mjx-eqn:eq"' in pages["a.md"]
    shown = {name: re.sub(r"<[^>]+>", "", page) for name, page in pages.items()}
    assert "see\xa0A" in shown["a.md"], shown["a.md"]
    assert "see\xa0???" in shown["b.md"], shown["b.md"]
