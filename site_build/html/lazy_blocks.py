"""Build step: let the browser skip the rendering of blocks far below the first screen.

A long page costs a phone seconds of style and layout. Every top-level block of a page's
content after the first ``EAGER_CHARS`` characters of text gets a ``data-bp-lazy`` attribute,
which extra.css gives ``content-visibility: auto``: the browser lays it out only near the
viewport (find-in-page, anchors and screen readers still see it all). Never lazy:

* headings: Material's table of contents reads their positions, which would force layout;
* the first screen, so nothing on it moves when the page loads;
* a block holding a ``<details>``: Chromium's IntersectionObserver missed code blocks inside
  a deferred ``<details>`` once opened, so Material never mounted their copy buttons.

An attribute, not a class: Material styles bare elements (``table:not([class])``).
"""

from __future__ import annotations

import re

from site_build import BuildError

# About the first screen on a desktop (a longer table or code block still starts eager).
EAGER_CHARS = 2000
LAZY_ATTR = "data-bp-lazy"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOT_TEXT = {"style", "script", "template"}  # neither counted as text nor marked
_RAW_TEXT = {"script", "style"}  # raw text up to the end tag, as for the standard HTML parser
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_TAGS = re.compile(r"<[^>]*>")
# A comment, a start or end tag (a quoted attribute value may hold ">"), or a declaration or
# processing instruction. Any other "<" is text, as for an HTML parser.
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<(?P<end>/?)(?P<tag>[a-zA-Z][^\s/>]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|<[!?][^>]*>",
    re.S,
)


def _top_level(html: str) -> tuple[list[tuple[int, int, int, str]], set[int]]:
    """The elements at depth 0 as (start, end of start tag, end, tag), and the starts of those
    holding a <details>; tags read as the standard library's HTML parser reads them (lower-case
    names, stray end tags ignored, script and style as raw text), much faster."""
    blocks: list[tuple[int, int, int, str]] = []  # an element's end is set when it closes
    with_details: set[int] = set()
    stack: list[str] = []
    pos = 0
    while (m := _MARKUP.search(html, pos)) is not None:
        pos = m.end()
        tag = (m["tag"] or "").lower()
        if not tag:
            continue  # a comment or declaration
        if m["end"]:
            if tag not in stack:
                continue  # a stray end tag: browsers ignore it too
            while stack.pop() != tag:
                pass
            if not stack:  # the top-level element, the last of blocks, closes
                blocks[-1] = (blocks[-1][0], blocks[-1][1], m.end(), tag)
            continue
        if tag == "details":  # the top-level block it is in, or itself if it is one
            with_details.add(blocks[-1][0] if stack else m.start())
        if not stack:
            blocks.append((m.start(), m.end(), m.end(), tag))
        if tag not in _VOID and not m["attrs"].endswith("/"):
            stack.append(tag)
            if tag in _RAW_TEXT:  # up to its end tag, which the next search finds
                close = re.compile(rf"</{tag}\s*>", re.I).search(html, pos)
                pos = close.start() if close is not None else len(html)
    if stack:
        raise ValueError(f"unclosed <{stack[0]}> at the top level")
    return blocks, with_details


def mark_lazy_blocks(html: str, eager_chars: int = EAGER_CHARS) -> str:
    """`html` (a page's content) with every top-level block after the first `eager_chars`
    characters of text marked with LAZY_ATTR; headings, void elements, style, script and
    blocks holding a <details> excepted."""
    blocks, with_details = _top_level(html)
    pieces: list[str] = []
    done = seen = 0
    for start, start_end, end, tag in blocks:
        if tag in _NOT_TEXT:
            continue
        deferrable = tag not in _HEADINGS and tag not in _VOID
        if seen >= eager_chars and deferrable and start not in with_details:
            cut = start_end - (2 if html.startswith("/>", start_end - 2) else 1)  # before > or />
            pieces += [html[done:cut], f" {LAZY_ATTR}"]
            done = cut
        if seen < eager_chars:  # past it, no count is needed
            seen += len(_TAGS.sub("", html[start:end]))
    pieces.append(html[done:])
    return "".join(pieces)


_ARTICLE_START = '<article class="md-content__inner md-typeset">'
_ARTICLE = re.compile(f"(?<={_ARTICLE_START})(.*?)(?=</article>)", re.S)


def mark_article(output: str, where: str) -> str:
    """A whole page with its article's top-level blocks marked. Runs on the page as written,
    after html/theme_markup.py, whose patterns expect the theme's own start tags."""
    match = _ARTICLE.search(output)
    if match is None:
        raise BuildError(f"{where}: no {_ARTICLE_START}; the theme changed, update _ARTICLE")
    try:
        body = mark_lazy_blocks(match.group(1))
    except ValueError as exc:
        raise BuildError(f"{where}: {exc}") from exc
    return output[: match.start(1)] + body + output[match.end(1) :]
