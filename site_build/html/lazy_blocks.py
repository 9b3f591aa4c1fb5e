"""Build step: let the browser skip the rendering of blocks far below the first screen.

A long page (the derivation has about 30,000 elements, three quarters of them typeset math)
costs a phone seconds of style and layout before it can respond. Every top-level block of a
page's content after the first ``EAGER_CHARS`` characters of text gets a ``data-bp-lazy``
attribute, which extra.css gives ``content-visibility: auto``: the browser lays such a block
out only when it comes near the viewport, and until then reserves an estimated height for it.

* Headings are never lazy: Material's table of contents reads their positions, and reading
  a position inside a skipped block would force its layout.
* The first screen is never lazy, so nothing on it moves when the page loads (a block
  rendered in the first frame must not be swapped for its estimate, or the reverse).
* A block holding a ``<details>`` is never lazy. Closed, its content is skipped by the
  browser already; and Chromium's IntersectionObserver missed code blocks inside a deferred
  ``<details>`` once it was opened, so Material's ``content.lazy`` never mounted their copy
  buttons (two such blocks in the browser suite).
* Find-in-page, links to anchors inside a skipped block, printing and screen readers all see
  the whole content: ``content-visibility: auto`` skips painting, not the content.

The page's HTML is otherwise unchanged: the step only adds an attribute to the start tags of
the article's top-level elements, found as the standard library's HTML parser finds them. An
attribute, not a class: Material styles bare elements with selectors such as
``table:not([class])``, and other steps' patterns and the tests match exact class values.
"""

from __future__ import annotations

import re

from site_build import BuildError

# Text characters before the first lazy block: about the first screen on a desktop, more on a
# phone (a table or code block longer than that still starts eager).
EAGER_CHARS = 2000
LAZY_ATTR = "data-bp-lazy"
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_NOT_TEXT = {"style", "script", "template"}  # neither counted as text nor marked
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip
_TAGS = re.compile(r"<[^>]*>")


# One piece of markup: a comment, a start or end tag (a quoted attribute value may hold ">"),
# or a declaration or processing instruction. Any other "<" is text, as for an HTML parser.
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<(?P<end>/?)(?P<tag>[a-zA-Z][^\s/>]*)(?P<attrs>(?:[^>\"']|\"[^\"]*\"|'[^']*')*)>"
    r"|<[!?][^>]*>",
    re.S,
)
# Elements whose content is raw text up to their end tag, as the standard library's HTML
# parser reads them (its CDATA_CONTENT_ELEMENTS).
_RAW_TEXT = {"script", "style"}


class _TopLevel:
    """Spans (start, end of start tag, end, tag) of the elements at depth 0, and the starts
    of those that hold a <details> (`with_details`). Reads the tags as the standard library's
    HTML parser does (tag names in lower case, stray end tags ignored, script and style
    content as raw text), with one regular expression instead of its character-by-character
    state machine: about five times as fast (the derivation in 0.05 s instead of 0.24 s)."""

    def __init__(self, html: str) -> None:
        self.blocks: list[tuple[int, int, int, str]] = []
        self.with_details: set[int] = set()
        stack: list[str] = []
        opened: tuple[int, int, str] | None = None  # the top-level element open now
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
                if not stack and opened is not None:
                    self.blocks.append((opened[0], opened[1], m.end(), opened[2]))
                    opened = None
                continue
            if tag == "details":  # the top-level block it is in, or itself if it is one
                self.with_details.add(opened[0] if opened is not None else m.start())
            void = tag in _VOID or m["attrs"].endswith("/")
            if not stack:
                if void:
                    self.blocks.append((m.start(), m.end(), m.end(), tag))
                    continue
                opened = (m.start(), m.end(), tag)
            if void:
                continue
            stack.append(tag)
            if tag in _RAW_TEXT:  # up to its end tag, which the next search finds
                close = re.compile(rf"</{tag}\s*>", re.I).search(html, pos)
                pos = close.start() if close is not None else len(html)
        if stack:
            raise ValueError(f"unclosed <{stack[0]}> at the top level")


def _add_attr(start_tag: str) -> str:
    """`start_tag` with LAZY_ATTR added at its end, after the attributes it had."""
    cut = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
    return f"{start_tag[:cut]} {LAZY_ATTR}{start_tag[cut:]}"


def mark_lazy_blocks(html: str, eager_chars: int = EAGER_CHARS) -> str:
    """`html` (a page's content) with every top-level block after the first `eager_chars`
    characters of text marked with LAZY_ATTR; headings, void elements, style, script and
    blocks holding a <details> excepted."""
    parsed = _TopLevel(html)
    pieces: list[str] = []
    done = 0
    seen = 0
    for start, start_end, end, tag in parsed.blocks:
        if tag in _NOT_TEXT:
            continue
        deferrable = tag not in _HEADINGS and tag not in _VOID
        if seen >= eager_chars and deferrable and start not in parsed.with_details:
            pieces.append(html[done:start])
            pieces.append(_add_attr(html[start:start_end]))
            done = start_end
        if seen < eager_chars:  # past it, no count is needed
            seen += len(_TAGS.sub("", html[start:end]))
    pieces.append(html[done:])
    return "".join(pieces)


_ARTICLE = re.compile(
    r'(?<=<article class="md-content__inner md-typeset">)(.*?)(?=</article>)', re.S
)


def mark_article(output: str, where: str) -> str:
    """A whole page with the top-level blocks of its article marked (`mark_lazy_blocks`).
    Runs on the page as written, after the theme's markup is fixed (html/theme_markup.py,
    whose patterns expect the theme's own start tags)."""
    match = _ARTICLE.search(output)
    if match is None:
        raise BuildError(
            f"{where}: no "
            '<article class="md-content__inner md-typeset">; the theme changed, update _ARTICLE'
        )
    try:
        body = mark_lazy_blocks(match.group(1))
    except ValueError as exc:
        raise BuildError(f"{where}: {exc}") from exc
    return output[: match.start(1)] + body + output[match.end(1) :]
