"""site_build/finish/typeset.py: finding the TeX in built HTML, and typesetting it with MathJax
in Node.

The finding and splicing tests need nothing; the typesetting tests run finish/typeset.mjs with
the vendored MathJax (node_modules/mathjax, `make vendor`), as the build does.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
from docs_helpers import ROOT

from site_build.finish import typeset as tm


class _Typeset:
    """`tm.typeset_pages` with a cache of its own, and each page's math spliced back in."""

    def __call__(self, pages: dict[str, str]) -> tuple[dict[str, str], str]:
        cache = Path(tempfile.mkdtemp(prefix="typeset-test-")) / "typeset.json"
        math, css = tm.typeset_pages(pages, cache)
        return {
            name: tm.splice_page(html, math.get(name), name) for name, html in pages.items()
        }, css


typeset_pages = _Typeset()

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
    pages, css = typeset_pages({"page.md": PAGE, "empty.md": "<p>no math, $5</p>"})
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
    pages, css = typeset_pages({"p.md": f'<p><span class="arithmatex">{tex}</span></p>'})
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
    _, css = typeset_pages(
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
        typeset_pages({"derivation.md": page})
    assert "derivation.md" in str(info.value)
    assert tex.strip("\\()")[:6] in str(info.value)


@needs_node
def test_all_pages_are_typeset_in_one_run_and_kept_under_their_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every page with math gets its math elements, typeset, and one stylesheet serves them all;
    the same pages again start no Node."""
    pages = {
        "a.md": '<p><span class="arithmatex">\\(\\alpha\\)</span></p>',
        "plain.md": "<p>no math, $5</p>",
        "b.md": '<p><span class="arithmatex">\\(\\omega\\)</span></p>',
    }
    math, css = tm.typeset_pages(pages, tmp_path / "t.json")
    assert set(math) == {"a.md", "b.md"}, "a page without math is left as it is"
    assert math["a.md"].raw == ["\\(\\alpha\\)"] and len(math["b.md"].html) == 1
    assert math["a.md"].html[0].startswith("<mjx-container")
    assert 'data-tex="\\alpha"' in math["a.md"].html[0]
    assert "mjx-c1D6FC" in css and "mjx-c1D714" in css

    def no_node(messages: object) -> None:
        raise AssertionError("Node ran again for the same math")

    monkeypatch.setattr(tm, "_run_node", no_node)
    assert tm.typeset_pages(pages, tmp_path / "t.json") == (math, css)
    with pytest.raises(AssertionError, match="ran again"):
        tm.typeset_pages({"a.md": pages["a.md"].replace("alpha", "beta")}, tmp_path / "t.json")


def test_splice_page_puts_the_math_in_or_says_what_changed() -> None:
    html = '<p><span class="arithmatex">\\(x\\)</span></p>'
    math = tm.PageMath(["\\(x\\)"], ["<mjx-container>X</mjx-container>"])
    assert tm.splice_page(html, math, "a.md") == (
        '<p><span class="arithmatex"><mjx-container>X</mjx-container></span></p>'
    )
    assert tm.splice_page("<p>none</p>", None, "b.md") == "<p>none</p>"
    with pytest.raises(tm.TypesetError, match=r"a\.md: the math elements of the page as written"):
        tm.splice_page(html.replace("x", "y"), math, "a.md")
    with pytest.raises(tm.TypesetError, match=r"c\.md"):
        tm.splice_page(html, None, "c.md")  # math the content did not have


def test_a_typesetter_that_dies_is_reported_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("node") is None:
        pytest.skip("needs Node")
    script = tmp_path / "typeset.mjs"
    script.write_text('process.stderr.write("MathJax could not start\\n");\nprocess.exit(3);\n')
    monkeypatch.setattr(tm, "SCRIPT", script)
    monkeypatch.setattr(tm, "_node", lambda: shutil.which("node"))  # no node_modules needed
    monkeypatch.setattr(tm, "ROOT", tmp_path)
    (tmp_path / "node_modules" / "mathjax").mkdir(parents=True)
    (tmp_path / "node_modules" / "mathjax" / "package.json").write_text("{}")
    page = '<span class="arithmatex">\\(x\\)</span>' * 20_000  # more than a pipe holds
    with pytest.raises(tm.TypesetError, match="MathJax could not start"):
        tm.typeset_pages({"a.md": page}, tmp_path / "t.json")


def arithmatex(*tex: str) -> str:
    return "".join(f'<p><span class="arithmatex">{t}</span></p>' for t in tex)


@needs_node
def test_a_repeated_formula_is_typeset_as_the_first_time() -> None:
    """A fragment already typeset (on this page or an earlier one) is reused, not typeset
    again: each copy is the same as typesetting it on its own would give."""
    repeated = "\\(W^{(k)} \\sigma'(z)\\)"
    together, _ = typeset_pages(
        {"a.md": arithmatex(repeated, "\\(x\\)", repeated), "b.md": arithmatex(repeated)}
    )
    alone, _ = typeset_pages({"c.md": arithmatex(repeated)})
    copies = re.findall(r"<mjx-container.*?</mjx-container>", together["a.md"] + together["b.md"])
    assert len(copies) == 4 and copies[0] == copies[2] == copies[3] == alone["c.md"].removeprefix(
        '<p><span class="arithmatex">'
    ).removesuffix("</span></p>")


@needs_node
def test_a_repeated_tex_error_fails_every_page_it_is_on() -> None:
    """The error of a reused fragment is reported for each page that holds it."""
    bad = "\\(x^{2}^{3}\\)"
    with pytest.raises(tm.TypesetError) as info:
        typeset_pages({"b.md": arithmatex(bad), "a.md": arithmatex("\\(y\\)", bad)})
    problems = str(info.value).splitlines()[1:]
    assert [p.split(":")[0].strip() for p in problems] == ["b.md", "a.md"], problems
    assert all("Double exponent" in p for p in problems), problems


@needs_node
def test_fragments_whose_meaning_depends_on_the_page_are_typeset_each_time() -> None:
    r"""A formula with \label or \ref (or one that defines a macro) is typeset on each page:
    the same TeX need not give the same output. Here the reference finds its equation on the
    first page only."""
    ref = "\\(\\text{see } \\ref{eq}\\)"
    pages, _ = typeset_pages(
        {"a.md": arithmatex("\\[x \\tag{A}\\label{eq}\\]", ref), "b.md": arithmatex(ref)}
    )
    assert 'id="mjx-eqn:eq"' in pages["a.md"]
    shown = {name: re.sub(r"<[^>]+>", "", page) for name, page in pages.items()}
    assert "see\xa0A" in shown["a.md"], shown["a.md"]
    assert "see\xa0???" in shown["b.md"], shown["b.md"]
