"""MkDocs hook: the search index is fetched when the reader first opens search, not on load.

Material (pinned in constraints.txt) starts its search worker on every page load and, served
over HTTP, fetches ``search/search_index.json`` at once: 0.29 MB that a reader who never
searches still downloads. Opened from disk (``file:``) it already waits until the search toggle
is first switched on (focusing the search field, clicking its label, or a search shortcut).

This hook makes the built theme bundle wait in the same way over HTTP: in the worker's setup,
``merge(of(location.protocol !== "file:"), watchToggle("search"))``, the first term becomes
``false``. Nothing else changes: the index is the same file, and Material shows "Initializing
search" until its worker is ready. The build fails if the bundle does not hold that expression
exactly once (a Material upgrade that moved it), so the change cannot silently stop applying.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

BUNDLE_GLOB = "assets/javascripts/bundle.*.min.js"
# The minified setup: <merge>(<of>(location.protocol!=="file:"),<watchToggle>("search"))
EAGER = re.compile(r'([\w$]+)\(location\.protocol!=="file:"\)(,[\w$]+\("search"\))')


def defer_search_index(bundle: str) -> str:
    """The bundle's text with the search index fetched on the first search toggle only."""
    found = EAGER.findall(bundle)
    if len(found) != 1:
        raise ValueError(
            f'expected Material\'s search-worker setup `of(location.protocol!=="file:"), '
            f'watchToggle("search")` once in the theme bundle, found it {len(found)} times; '
            "update hooks/lazy_search.py for this version of mkdocs-material"
        )
    return EAGER.sub(r"\1(!1)\2", bundle)


def on_post_build(config: Any) -> None:
    bundles = sorted(Path(config["site_dir"]).glob(BUNDLE_GLOB))
    if len(bundles) != 1:
        raise PluginError(f"hooks/lazy_search.py: expected one {BUNDLE_GLOB}, found {bundles}")
    try:
        text = defer_search_index(bundles[0].read_text("utf-8"))
    except ValueError as exc:
        raise PluginError(f"hooks/lazy_search.py: {bundles[0].name}: {exc}") from exc
    bundles[0].write_text(text, "utf-8")
