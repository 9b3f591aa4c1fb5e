"""Unit tests of the build's steps (no build): they fail loudly instead of letting drift through."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from site_build import BuildError
from site_build.finish import offline
from site_build.html import lazy_blocks as lazy
from site_build.html import notebook_html as nbclean
from site_build.html import theme_markup as a11y
from site_build.inputs import notebooks

# The four blocks as nbconvert's template emits them (shortened), around some notebook content.
NB_PAGE = """<div class="jupyter-wrapper"><div class="jp-MarkdownOutput"><p>$x$</p></div>
<div class="jp-InputArea"><pre><span class="n">net</span></pre>
<div class="clipboard-copy-txt" id="cell-1">net</div><clipboard-copy for="cell-1"></clipboard-copy></div>
<div class="jp-Mermaid"><pre class="mermaid">graph LR; A-->B</pre></div></div>
<style>
  .jp-Mermaid:not(.jp-RenderedMermaid) {
    display: none;
  }
</style>
<!-- Load mathjax -->
<script src=""> </script>
<!-- MathJax configuration -->
<script type="text/x-mathjax-config">
    init_mathjax = function() { MathJax.Hub.Config({}); }
</script>
<!-- End of mathjax configuration --><script type="module">
  document.addEventListener("DOMContentLoaded", async () => {
    const mermaid = (await import("https://cdn.example/mermaid.esm.min.mjs")).default;
  });
</script>
"""


def test_clean_removes_every_block() -> None:
    html = nbclean.clean_notebook_html(NB_PAGE, "nb.py")
    for gone in ("x-mathjax-config", 'src=""', 'type="module"', "display: none", "MathJax.Hub"):
        assert gone not in html
    assert '<pre class="mermaid-diagram">' in html and 'class="mermaid"' not in html
    assert "$x$" in html
    assert offline.third_party_urls(html) == []
    # The copy button's hidden text stays (the button reads it), out of the search index.
    assert '<div class="clipboard-copy-txt" data-search-exclude id="cell-1">net</div>' in html
    assert nbclean._COPY_TEXT.sub("X", html) == html, "marked once"


@pytest.mark.parametrize("name", list(nbclean._BLOCKS))
def test_clean_fails_when_the_template_changes(name: str) -> None:
    pattern, _ = nbclean._BLOCKS[name]
    changed = pattern.sub("", NB_PAGE)  # the template no longer emits this block
    with pytest.raises(BuildError, match="template changed"):
        nbclean.clean_notebook_html(changed, "nb.py")


def test_clean_fails_on_a_second_uncaught_copy() -> None:
    extra = NB_PAGE + '<script type="module">import("./x.mjs")</script>'
    with pytest.raises(BuildError, match="still on notebook page"):
        nbclean.clean_notebook_html(extra, "nb.py")


@pytest.mark.parametrize(
    "html",
    [
        '<script src="https://cdn.example/x.js"></script>',
        '<link rel="stylesheet" href="//fonts.example/css">',
        '<img srcset="a.png 1x, https://img.example/b.png 2x">',
        "<script>import('https://esm.example/m.mjs')</script>",
        "<style>@font-face { src: url(https://fonts.example/f.woff2) }</style>",
        '<div style="background: url(http://img.example/bg.png)"></div>',
    ],
)
def test_offline_check_finds_third_party_loads(html: str) -> None:
    assert offline.third_party_urls(html, "http://127.0.0.1:8000/")


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://pytorch.example/docs">a link the reader may follow</a>',
        '<link rel="canonical" href="http://127.0.0.1:8000/derivation/">',
        '<script src="../assets/javascripts/bundle.js"></script>',
        '<svg xmlns="http://www.w3.org/2000/svg"><use href="#icon"/></svg>',
        "<script>// comment\nconst u = new URL('../..', location)</script>",
        '<link rel="canonical" href="https://me.example/site/">',  # the site_url host itself
    ],
)
def test_offline_check_allows_local_and_links(html: str) -> None:
    assert offline.third_party_urls(html, "https://me.example/site/") == []


def test_notebook_streams_are_merged_where_they_follow_each_other() -> None:
    """A print's text and newline can arrive as two outputs: one block on the page."""

    def out(name: str, text: str) -> Any:
        return SimpleNamespace(output_type="stream", name=name, text=text)

    figure = SimpleNamespace(output_type="display_data")
    cell = SimpleNamespace(
        cell_type="code",
        outputs=[
            out("stdout", "a"),
            out("stdout", "\n"),
            out("stderr", "w"),
            figure,
            out("stdout", "b"),
        ],
    )
    notebooks.merge_streams(SimpleNamespace(cells=[cell, SimpleNamespace(cell_type="markdown")]))
    assert [(o.output_type, getattr(o, "text", None)) for o in cell.outputs] == [
        ("stream", "a\n"),
        ("stream", "w"),
        ("display_data", None),
        ("stream", "b"),
    ]


def test_notebook_html_lists_its_anchor_ids() -> None:
    html = '<h2 id="a">A</h2><a name="b"></a><p id="">x</p>'
    assert nbclean.anchor_ids(html) == {"a", "b"}


THEME_PAGE = (
    '<div class="md-search" data-md-component="search" role="dialog"><label></label></div>'
    '<div class="jupyter-wrapper"><div class="jp-Cell jp-CodeCell">'
    '<div class="highlight-ipynb hl-python"><pre>x = 1</pre></div></div>'
    '<div class="highlight-ipynb hl-python"><pre>y = 2</pre></div></div>'
)


def test_a11y_markup_names_the_search_dialog_once() -> None:
    html = a11y.name_search_dialog(THEME_PAGE, "p.md")
    assert 'role="dialog" aria-label="Search">' in html
    assert a11y.name_search_dialog(html.replace(' aria-label="Search"', ""), "p.md") == html


def test_a11y_markup_makes_every_notebook_code_cell_focusable() -> None:
    html = a11y.focusable_notebook_code(THEME_PAGE, "nb.py")
    assert html.count('<div class="highlight-ipynb hl-python" tabindex="0">') == 2
    assert a11y.focusable_notebook_code(html, "nb.py") == html  # never twice


@pytest.mark.parametrize(
    ("fix", "page"),
    [
        ("name_search_dialog", THEME_PAGE.replace('role="dialog"', "")),
        ("focusable_notebook_code", THEME_PAGE.replace("highlight-ipynb", "highlight-nb")),
    ],
)
def test_a11y_markup_fails_when_the_template_changes(fix: str, page: str) -> None:
    with pytest.raises(BuildError, match="template changed"):
        getattr(a11y, fix)(page, "p.md")


def test_a11y_markup_makes_sideways_scrollers_focusable() -> None:
    html = (
        '<div class="highlight"><pre id="__code_0"><span></span><code>x = 1</code></pre></div>'
        '<div class="mermaid-diagram" data-source="graph LR"><svg></svg></div>'
        '<figure>\n  <img alt="a" src="../assets/forward.svg" width="720" />\n</figure>'
        '<figure><img alt="b" src="photo.png"></figure>'
        '<table><tr><td>1</td></tr></table><table class="dataframe"></table>'
    )
    out = a11y.focusable_scrollers(html)
    assert '<pre id="__code_0"><span></span><code tabindex="0">x = 1' in out
    assert '<div class="mermaid-diagram" tabindex="0" data-source="graph LR">' in out
    assert out.count('<figure tabindex="0">') == 1, "only the figure with an SVG"
    assert '<table tabindex="0"><tr>' in out and '<table class="dataframe">' in out
    assert a11y.focusable_scrollers(out) == out


def _deferred(html: str) -> list[tuple[str, str]]:
    """(tag, the rest of its start tag) of each element the hook marked."""
    return re.findall(r"<(\w+)([^>]*) data-bp-lazy>", html)


def test_lazy_blocks_leaves_the_first_screens_and_headings_eager() -> None:
    para = "<p>" + "x" * 100 + "</p>\n"
    html = (
        "<h1>T</h1>\n" + para * 3 + '<h2 id="a">A</h2>\n' + para
        + '<div class="highlight"><pre><code>a\n</code></pre></div>\n'
        + "<style>p{}</style>\n<hr>\n<table><tr><td>1</td></tr></table>\n"
    )  # fmt: skip
    out = lazy.mark_lazy_blocks(html, eager_chars=250)
    # Only the attribute is added: removing it gives back the input.
    assert out.replace(" data-bp-lazy", "") == html
    assert _deferred(out) == [
        ("p", ""),  # the 4th paragraph starts after 300 characters of text
        ("div", ' class="highlight"'),
        ("table", ""),
    ]
    assert '<h2 id="a">' in out and "<style>p{}</style>" in out and "<hr>" in out
    # The first 250 characters stay eager: the first three paragraphs are not marked.
    assert out.startswith("<h1>T</h1>\n" + para * 3)


def test_lazy_blocks_counts_nested_markup_as_one_block() -> None:
    inner = "<div><p>" + "y" * 50 + "</p><br><img src='a.svg'></div>"
    html = f'<p>{"z" * 60}</p><div class="tip"><p>S</p>{inner}</div><p>w</p>'
    out = lazy.mark_lazy_blocks(html, eager_chars=50)
    assert _deferred(out) == [("div", ' class="tip"'), ("p", "")]


def test_lazy_blocks_leaves_blocks_with_details_eager() -> None:
    """Material's content.lazy never mounted the copy button of a code block inside a deferred
    <details> once it was opened: such blocks, nested or not, are left as they are."""
    code = '<div class="highlight"><pre><code>x = 1\n</code></pre></div>'
    details = f'<details class="example"><summary>Starter</summary>{code}</details>'
    html = (
        f'<p>{"z" * 60}</p>{details}<div class="tabbed-set">{details}</div>'
        '<p>after</p><p class="x">the &lt;details&gt; element</p>'
    )
    out = lazy.mark_lazy_blocks(html, eager_chars=50)
    assert _deferred(out) == [("p", ""), ("p", ' class="x"')]


def test_lazy_blocks_reads_tags_as_an_html_parser_does() -> None:
    """A ">" in a quoted attribute value, tags inside a comment or a script, and a stray end
    tag open or close no block; a self-closed tag is a block of its own, a void one is not."""
    html = (
        f"<p>{'z' * 60}</p>"
        "<div title=\"a > b\" data-x='<p>'><!-- <div> --><P>in</P></div>"
        "<script>if (a < b) document.write('<div>');</script>"
        "<svg/><br></span><DIV>upper</DIV>"
    )
    out = lazy.mark_lazy_blocks(html, eager_chars=50)
    assert out.count(" data-bp-lazy") == 3
    assert "<div title=\"a > b\" data-x='<p>' data-bp-lazy><!--" in out
    assert "<svg data-bp-lazy/><br></span><DIV data-bp-lazy>upper" in out
    assert out.replace(" data-bp-lazy", "") == html


def test_lazy_blocks_fails_on_an_unclosed_block_and_a_changed_theme() -> None:
    with pytest.raises(ValueError, match="unclosed <div>"):
        lazy.mark_lazy_blocks("<p>a</p><div><p>b</p>")
    with pytest.raises(BuildError, match=r"x\.md.*_ARTICLE"):
        lazy.mark_article("<main><article>no class</article></main>", "x.md")
    ok = '<article class="md-content__inner md-typeset"><p>a</p></article>'
    assert lazy.mark_article(ok, "x.md") == ok


def test_offline_check_names_each_page_and_url_of_the_finished_site(tmp_path: Any) -> None:
    (tmp_path / "ok").mkdir()
    (tmp_path / "ok" / "index.html").write_text('<script src="../x.js"></script>')
    (tmp_path / "bad.html").write_text(
        '<!-- <script src="https://no.example/c.js"> -->'
        '<script src="https://cdn.example/m.js"></script>'
    )
    with pytest.raises(BuildError) as info:
        offline.check_site(tmp_path, "http://127.0.0.1:8000/")
    assert "page bad.html would load:\n    <script src>: https://cdn.example/m.js" in str(
        info.value
    )
    assert "ok/index.html" not in str(info.value) and "no.example" not in str(info.value)
    (tmp_path / "bad.html").unlink()
    offline.check_site(tmp_path, "http://127.0.0.1:8000/")  # no error
