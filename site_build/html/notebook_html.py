"""Build step: clean what nbconvert's HTML template puts on the notebook pages.

mkdocs-jupyter renders a notebook with nbconvert's "lab" template, which adds blocks that break
instant navigation or load from a CDN (`_BLOCKS`): a MathJax 2 configuration and an empty
``<script src="">`` (the math is typeset when the site builds, finish/typeset.py), and a Mermaid
import from a CDN with CSS that hides ``.jp-Mermaid`` until it ran. They are removed, and
nbconvert's ``<pre class="mermaid">`` becomes our ``<pre class="mermaid-diagram">``, which
html/diagrams.py refuses with a clear message (diagrams are drawn on Markdown pages only).

Each block must be on every notebook page: if one is missing, the template changed and the
build fails, naming the pattern to update. The hidden plain-text copy of each code cell (for
its copy button) is marked ``data-search-exclude``, so the search index holds the code once.
`anchor_ids` lists a page's ids, which mkdocs-jupyter does not report to MkDocs.
"""

from __future__ import annotations

import re
from html import unescape

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


_ID = re.compile(r"""\s(?:id|name)=["']([^"']*)["']""")  # text has no raw quotes: &quot;


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


def anchor_ids(html: str) -> set[str]:
    """Every non-empty ``id`` (and ``name``) attribute value of `html`'s tags."""
    return {unescape(v) for v in _ID.findall(html) if v}
