"""Build step: the touches of the theme's output, each failing the build if the theme changed.

* Material's search dialog has no accessible name (axe: ``aria-dialog-name``): it gets
  ``aria-label="Search"`` (`name_search_dialog`, on the whole page).
* Boxes that scroll sideways must be reachable by keyboard, with or without JavaScript (axe:
  ``scrollable-region-focusable``): notebook code cells, Material's code blocks, diagrams, SVG
  figures and tables get ``tabindex="0"`` (`fix_content`); display equations get theirs when
  they are typeset (finish/typeset.mjs).
* Material's search worker fetches ``search/search_index.json`` (0.29 MB) on every load over
  HTTP, but only on the first search when the site is opened from disk. `defer_search_index`
  makes the theme bundle wait over HTTP too: in ``merge(of(location.protocol !== "file:"),
  watchToggle("search"))`` the first term becomes ``false``.
"""

from __future__ import annotations

import re

from site_build import BuildError

_SEARCH_DIALOG = re.compile(r'(<div class="md-search"[^>]*\brole="dialog")(?![^>]*aria-label)')
_NOTEBOOK_CODE = re.compile(r'<div class="(highlight-ipynb\b[^"]*)"(?![^>]*tabindex)')
_SCROLLERS = [
    re.compile(r"(<pre\b[^>]*>(?:<span></span>)?<code\b)(?![^>]*\btabindex)"),  # Material
    re.compile(r'(<div class="mermaid-diagram")(?=\s)(?![^>]*\btabindex)'),  # inline SVG
    re.compile(r'(<figure\b)(?=[^>]*>\s*<img\b[^>]*\bsrc="[^"]*\.svg")(?![^>]*\btabindex)'),
    # Markdown tables: Material's script wraps each in a scrolling box; without it, the
    # table scrolls itself. Either way, a focusable table keeps the box reachable.
    re.compile(r"(<table)(?=>)"),
]


def name_search_dialog(html: str, where: str) -> str:
    """Give Material's search dialog its accessible name."""
    html, n = _SEARCH_DIALOG.subn(r'\1 aria-label="Search"', html)
    if n != 1:
        raise BuildError(
            f'{where}: expected one <div class="md-search" role="dialog"> '
            f"without a name, found {n}. Material's template changed: update _SEARCH_DIALOG."
        )
    return html


def focusable_notebook_code(html: str, where: str) -> str:
    """Make every notebook code cell reachable by keyboard (it may scroll sideways)."""
    html, n = _NOTEBOOK_CODE.subn(r'<div class="\1" tabindex="0"', html)
    if n == 0 and "jp-CodeCell" in html and 'class="highlight-ipynb' not in html:
        raise BuildError(
            f"{where}: a notebook page with code cells but no "
            '<div class="highlight-ipynb">. The nbconvert template changed: update _NOTEBOOK_CODE.'
        )
    return html


def focusable_scrollers(html: str) -> str:
    """Code blocks, diagrams, SVG figures and tables, which may scroll sideways: focusable."""
    for pattern in _SCROLLERS:
        html = pattern.sub(r'\1 tabindex="0"', html)
    return html


def fix_content(html: str, where: str) -> str:
    """A page's content with its scrolling boxes reachable by keyboard."""
    html = focusable_scrollers(html)
    if "jupyter-wrapper" in html:
        html = focusable_notebook_code(html, where)
    return html


BUNDLE = re.compile(r"assets/javascripts/bundle\.\w+\.min\.js")
# The minified setup: <merge>(<of>(location.protocol!=="file:"),<watchToggle>("search"))
_EAGER_SEARCH = re.compile(r'([\w$]+)\(location\.protocol!=="file:"\)(,[\w$]+\("search"\))')


def defer_search_index(bundle: str) -> str:
    """The theme bundle's text with the search index fetched on the first search only."""
    found = _EAGER_SEARCH.findall(bundle)
    if len(found) != 1:
        raise BuildError(
            f'expected Material\'s search-worker setup `of(location.protocol!=="file:"), '
            f'watchToggle("search")` once in the theme bundle, found it {len(found)} times; '
            "the theme changed: update _EAGER_SEARCH in site_build/html/theme_markup.py"
        )
    return _EAGER_SEARCH.sub(r"\1(!1)\2", bundle)
