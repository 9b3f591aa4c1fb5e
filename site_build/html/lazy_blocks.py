"""Build step: let the browser skip the rendering of blocks far below the first screen.

A long page costs a phone seconds of style and layout before it can respond. Every top-level
block of a page's content after the first ``EAGER_CHARS`` characters of text gets a
``data-bp-lazy`` attribute, which extra.css gives ``content-visibility: auto``: the browser lays
such a block out only when it comes near the viewport. Find-in-page, anchors, printing and
screen readers still see the whole content. Never lazy:

* headings: Material's table of contents reads their positions, which would force layout;
* the first screen, so nothing on it moves when the page loads;
* a block holding a ``<details>``: Chromium's IntersectionObserver missed code blocks inside
  a deferred ``<details>`` once opened, so Material never mounted their copy buttons.

Only an attribute is added to the start tags, not a class: Material styles bare elements with
selectors such as ``table:not([class])``, and other steps match exact class values.
"""

from __future__ import annotations

import re

from site_build import BuildError

# About the first screen on a desktop (a table or code block longer than that still starts eager).
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
    that hold a <details>. Reads tags as the standard library's HTML parser does (names in
    lower case, stray end tags ignored, script and style content as raw text), but with one
    regular expression instead of its much slower character-by-character state machine."""
    blocks: list[tuple[int, int, int, str]] = []
    with_details: set[int] = set()
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
                blocks.append((opened[0], opened[1], m.end(), opened[2]))
                opened = None
            continue
        if tag == "details":  # the top-level block it is in, or itself if it is one
            with_details.add(opened[0] if opened is not None else m.start())
        void = tag in _VOID or m["attrs"].endswith("/")
        if not stack:
            if void:
                blocks.append((m.start(), m.end(), m.end(), tag))
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
    return blocks, with_details


def _add_attr(start_tag: str) -> str:
    """`start_tag` with LAZY_ATTR added at its end, after the attributes it had."""
    cut = len(start_tag) - (2 if start_tag.endswith("/>") else 1)
    return f"{start_tag[:cut]} {LAZY_ATTR}{start_tag[cut:]}"


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
            pieces += [html[done:start], _add_attr(html[start:start_end])]
            done = start_end
        if seen < eager_chars:  # past it, no count is needed
            seen += len(_TAGS.sub("", html[start:end]))
    pieces.append(html[done:])
    return "".join(pieces)


_ARTICLE = re.compile(
    r'(?<=<article class="md-content__inner md-typeset">)(.*?)(?=</article>)', re.S
)


def mark_article(output: str, where: str) -> str:
    """A whole page with its article's top-level blocks marked. Runs on the page as written,
    after html/theme_markup.py, whose patterns expect the theme's own start tags."""
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
