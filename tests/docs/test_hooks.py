"""Unit tests of the MkDocs hooks (no build): they fail loudly instead of letting drift through."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from docs_helpers import import_hook, load_hook
from mkdocs.exceptions import PluginError

nbclean = load_hook("nbconvert_clean")
offline = load_hook("offline_scan")

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
    with pytest.raises(PluginError, match="template changed"):
        nbclean.clean_notebook_html(changed, "nb.py")


def test_clean_fails_on_a_second_uncaught_copy() -> None:
    extra = NB_PAGE + '<script type="module">import("./x.mjs")</script>'
    with pytest.raises(PluginError, match="still on notebook page"):
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


parallel = import_hook("parallel_notebooks")


def _notebook(*sources: str) -> Any:
    cells = [
        SimpleNamespace(cell_type="code", source=s, outputs=[], execution_count=None, metadata={})
        for s in sources
    ]
    return SimpleNamespace(cells=cells, metadata={})


def test_parallel_notebooks_copies_the_run_into_mkdocs_jupyters_notebook() -> None:
    executed, read = _notebook("x = 1", "x"), _notebook("x = 1", "x")
    executed.cells[1].outputs = [{"output_type": "stream", "name": "stdout", "text": "1\n"}]
    executed.cells[1].execution_count = 2
    executed.metadata["language_info"] = {"name": "python"}
    parallel.copy_outputs(executed, read, "nb.py")
    assert read.cells[1].outputs == executed.cells[1].outputs
    assert read.cells[1].execution_count == 2
    assert read.metadata["language_info"] == {"name": "python"}


def test_parallel_notebooks_refuses_a_run_of_other_cells() -> None:
    with pytest.raises(PluginError, match="does not have the cells"):
        parallel.copy_outputs(_notebook("x = 1"), _notebook("x = 2"), "nb.py")


a11y = load_hook("a11y_markup")

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
    with pytest.raises(PluginError, match="template changed"):
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


lazy = load_hook("lazy_blocks")


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
    page = SimpleNamespace(file=SimpleNamespace(src_uri="x.md"))
    with pytest.raises(PluginError, match=r"x\.md.*_ARTICLE"):
        lazy.on_post_page("<main><article>no class</article></main>", page=page, config={})
    ok = '<article class="md-content__inner md-typeset"><p>a</p></article>'
    assert lazy.on_post_page(ok, page=page, config={}) == ok


def test_gc_tuning_raises_the_thresholds_for_the_build_and_restores_them() -> None:
    import gc

    tuning = load_hook("gc_tuning")
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    try:
        tuning.on_startup(command="build", dirty=False)
        assert gc.get_threshold() == tuning.THRESHOLDS
        assert tuning.THRESHOLDS[0] > before[0]
        tuning.on_startup(command="serve", dirty=False)  # a second start keeps the default
    finally:
        tuning.on_shutdown()
        frozen = gc.get_freeze_count()
        gc.unfreeze()  # this test's process goes on
    assert gc.get_threshold() == before
    assert frozen > 10_000, "at shutdown, what the process made is moved out of the collector's way"


def test_offline_check_scans_in_a_worker_and_fails_the_build_at_the_end() -> None:
    check = import_hook("offline_check")  # its folder on sys.path, as MkDocs loads it
    config = {"site_url": "http://127.0.0.1:8000/"}

    def page(uri: str) -> Any:
        return SimpleNamespace(file=SimpleNamespace(src_uri=uri))

    check.on_pre_build(config)
    try:
        check.on_post_page('<script src="../x.js"></script>', page("ok.md"), config)
        cdn = '<script src="https://cdn.example/m.js"></script>'
        assert check.on_post_page(cdn, page("bad.md"), config) == cdn, "the page is unchanged"
        with pytest.raises(PluginError) as info:
            check.on_post_build(config)
    finally:
        check.on_build_error(RuntimeError("cleanup"))
    assert "page bad.md would load:\n    <script src>: https://cdn.example/m.js" in str(info.value)
    assert "ok.md" not in str(info.value)
    check.on_pre_build(config)
    check.on_post_page("<p>self-contained</p>", page("fine.md"), config)
    check.on_post_build(config)  # no error


def test_offline_check_reports_a_scan_that_crashed(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    check = import_hook("offline_check")
    crash = tmp_path / "scan.py"
    crash.write_text("import sys\nsys.stderr.write('the scan broke\\n')\nsys.exit(3)\n")
    monkeypatch.setattr(check, "SCAN", crash)
    check.on_pre_build({})
    check.on_post_page("<p>x</p>", SimpleNamespace(file=SimpleNamespace(src_uri="a.md")), {})
    with pytest.raises(PluginError, match="the scan failed: exit status 3:\nthe scan broke"):
        check.on_post_build({})


def _search_index() -> Any:
    from material.plugins.search.plugin import SearchIndex

    fields = {"title": {"boost": 1000.0}, "text": {"boost": 1.0}, "tags": {"boost": 1e6}}
    return SearchIndex(lang=["en"], separator=r"[\s\-]+", pipeline=["stemmer"], fields=fields)


def _search_pages() -> list[Any]:
    from mkdocs.structure.toc import AnchorLink

    heading = AnchorLink("Back<em>prop</em>", "bp", 2)
    heading.children = [AnchorLink("Step one", "step-one", 3)]
    first = SimpleNamespace(
        content='<h1 id="t">Title</h1><p>Intro &amp; <code>W</code>.</p>'
        '<h2 id="bp">Back<em>prop</em></h2><p>δ = ∂L/∂z</p><h3 id="step-one">Step one</h3>'
        "<p data-search-exclude>hidden</p><p>shown</p>",
        url="derivation/",
        title="Derivation",
        meta={"tags": ["math", 3], "search": {"boost": 2}, "other": object()},
        toc=[heading],
        file=SimpleNamespace(src_uri="derivation.md"),
    )
    second = SimpleNamespace(
        content="<p>No heading at all.</p>",
        url="",
        title="Home",
        meta={},
        toc=[],
        file=SimpleNamespace(src_uri="index.md"),
    )
    excluded = SimpleNamespace(
        content="<h1>Secret</h1>", url="x/", title="X", meta={"search": {"exclude": True}},
        toc=[], file=SimpleNamespace(src_uri="x.md"),
    )  # fmt: skip
    return [first, second, excluded]


def _search_config(index: Any) -> Any:
    plugin = SimpleNamespace(config=SimpleNamespace(enabled=True), search_index=index)
    return SimpleNamespace(plugins={"material/search": plugin})


def test_search_index_in_a_worker_writes_what_material_writes() -> None:
    """The same pages through Material's own SearchIndex and through the hook's worker give
    the same search_index.json (sections, nested headings, excluded text and pages, tags,
    boost)."""
    search = import_hook("search_index")
    expected = _search_index()
    for page in _search_pages():
        expected.add_entry_from_context(page)
    index = _search_index()
    search.on_env(None, _search_config(index), None)
    for page in _search_pages():
        index.add_entry_from_context(page)
    assert index.generate_search_index(None) == expected.generate_search_index(None)
    assert len(index.entries) == 4 and search._worker is None


def test_search_index_fails_on_a_changed_material_and_on_front_matter_it_cannot_send() -> None:
    search = import_hook("search_index")
    with pytest.raises(PluginError, match="Material changed"):
        search.on_env(None, _search_config(SimpleNamespace(entries=[])), None)
    index = _search_index()
    search.on_env(None, _search_config(index), None)
    page = _search_pages()[1]
    page.meta = {"title": object()}
    try:
        with pytest.raises(PluginError, match=r"index\.md: front matter \['title'\]"):
            index.add_entry_from_context(page)
    finally:
        search.on_build_error(RuntimeError("end of the test"))
    assert search._worker is None


def test_search_index_reports_a_worker_that_crashed(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = import_hook("search_index")
    crash = tmp_path / "entries.py"
    crash.write_text("import sys\nsys.stderr.write('the index broke\\n')\nsys.exit(3)\n")
    monkeypatch.setattr(search, "WORKER", crash)
    index = _search_index()
    search.on_env(None, _search_config(index), None)
    index.add_entry_from_context(_search_pages()[1])
    with pytest.raises(PluginError, match="worker failed: exit status 3:\nthe index broke"):
        index.generate_search_index(None)
    assert search._worker is None


def test_a_line_workers_message_reaches_the_child_before_the_end(tmp_path: Any) -> None:
    """A small message is not kept in a buffer until `finish`: the child has it at once."""
    import sys
    import time

    line_worker = import_hook("line_worker")
    seen = tmp_path / "seen"
    child = f"import sys\nopen({str(seen)!r}, 'w').write(sys.stdin.readline())\nsys.stdin.read()\n"
    worker = line_worker.LineWorker([sys.executable, "-c", child])
    try:
        worker.send({"n": 1})
        deadline = time.monotonic() + 30
        while not (seen.exists() and seen.read_text()) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen.read_text() == '{"n": 1}\n'
        assert worker.answer() == b""
    finally:
        worker.close()
