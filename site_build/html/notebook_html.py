"""Build step: clean what nbconvert's HTML template puts on the notebook pages.

mkdocs-jupyter renders each notebook with nbconvert's "lab" template, which adds:

* a MathJax 2 configuration block, ``<script type="text/x-mathjax-config">``, and an empty
  ``<script src="">`` where the MathJax URL would go. With instant navigation Material
  re-inserts every script of the new page, and these throw or never load. The notebooks'
  ``.jp-MarkdownOutput`` math is typeset when the site builds instead (finish/typeset.py).
* a ``<script type="module">`` that imports Mermaid (and an ELK layout) from a CDN, plus CSS
  that hides ``.jp-Mermaid`` blocks until that script has run. We remove the script and the
  hiding rule, and turn nbconvert's ``<pre class="mermaid">`` into our own
  ``<pre class="mermaid-diagram">`` (Material would otherwise load Mermaid from a CDN for
  ``pre.mermaid``); html/diagrams.py then stops the build with a clear message, since
  diagrams are pre-rendered from the Markdown pages only.

The template also keeps each code cell's source twice: highlighted, and as plain text in a
hidden ``<div class="clipboard-copy-txt">`` that the cell's copy button reads. The step marks
the hidden copy ``data-search-exclude``, so the search index holds each cell's code once
(every page downloads that index: the copies were 53 kB of its 345 kB).

Each block is expected on every notebook page. If one is missing, the upstream template has
changed, and the build fails with a message saying which pattern to update here, instead of
silently shipping a page with a new third-party request or a broken script.

`anchor_ids` lists the ``id`` attributes of a notebook page, which mkdocs-jupyter does not
report, so that ``--strict`` can check links to anchors inside notebooks (``validation.anchors``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from site_build import BuildError

# name -> (pattern, replacement). Every pattern must match at least once on every notebook page.
_BLOCKS: dict[str, tuple[re.Pattern[str], str]] = {
    "MathJax 2 config": (
        re.compile(
            r'(?:<!-- Load mathjax -->\s*)?<script type="text/x-mathjax-config">.*?</script>'
            r"(?:\s*<!-- End of mathjax configuration -->)?",
            re.DOTALL,
        ),
        "",
    ),
    "empty MathJax script": (re.compile(r'<script src="">\s*</script>'), ""),
    "Mermaid module import": (
        re.compile(
            r'<script type="module">(?:(?!</script>).)*?import\((?:(?!</script>).)*?mermaid'
            r"(?:(?!</script>).)*?</script>",
            re.DOTALL,
        ),
        "",
    ),
    "rule hiding .jp-Mermaid": (
        re.compile(r"\.jp-Mermaid:not\(\.jp-RenderedMermaid\)\s*\{\s*display:\s*none;?\s*\}"),
        "",
    ),
}

# Left after cleaning, any of these means the template emitted one more copy we did not catch.
_MUST_NOT_REMAIN = {
    "text/x-mathjax-config": re.compile(r"text/x-mathjax-config"),
    "empty script src": re.compile(r"<script[^>]*\ssrc=(\"\"|'')"),
    "module script": re.compile(r'<script type="module"'),
    "MathJax 2 API": re.compile(r"MathJax\.Hub"),
}

# nbconvert's Mermaid blocks: <div class="jp-Mermaid"><pre class="mermaid">...</pre></div>
_NB_MERMAID = re.compile(r'<pre class="mermaid">')
# The hidden plain-text copy of a code cell, for the cell's copy button (not every notebook
# has code cells, so this one need not match).
_COPY_TEXT = re.compile(r'<div class="clipboard-copy-txt"(?![^>]*data-search-exclude)')


def clean_notebook_html(html: str, where: str) -> str:
    """Remove nbconvert's scripts from one notebook page and keep the hidden copies of its code
    out of the search index; raise BuildError on a template change."""
    for name, (pattern, replacement) in _BLOCKS.items():
        html, n = pattern.subn(replacement, html)
        if n == 0:
            raise BuildError(
                f"expected nbconvert's {name} block on notebook page "
                f"{where}, but it is not there. The nbconvert/mkdocs-jupyter template changed: "
                "look at the page's HTML and update the pattern in _BLOCKS."
            )
    for name, pattern in _MUST_NOT_REMAIN.items():
        if pattern.search(html):
            raise BuildError(
                f"{name} is still on notebook page {where} after "
                "cleaning. The nbconvert/mkdocs-jupyter template changed: update _BLOCKS."
            )
    html = _COPY_TEXT.sub(r"\g<0> data-search-exclude", html)
    return _NB_MERMAID.sub('<pre class="mermaid-diagram">', html)


class _IdCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for key, value in attrs:
            if key in ("id", "name") and value:
                self.ids.add(value)


def anchor_ids(html: str) -> set[str]:
    """Every ``id`` (and ``name``) attribute value of `html`."""
    collector = _IdCollector()
    collector.feed(html)
    return collector.ids
