"""The worker of hooks/search_index.py: Material's search entries of pages, computed apart.

stdin:  one JSON object per line. The first: {"config": the search plugin's index options}.
        Then one per page: {"content": its HTML, "url": str, "title": str or null, "meta":
        {"title", "tags", "search", as far as the page has them}, "toc": [{"title", "id",
        "level", "children": [...]}, ...]}.
stdout: written once, at the end of stdin: a JSON list with, for each page in order, the list
        of entries that Material's own ``SearchIndex.add_entry_from_context`` made for it.
"""

from __future__ import annotations

import json
import sys
from types import SimpleNamespace
from typing import Any


def _toc(items: list[dict[str, Any]]) -> list[Any]:
    from mkdocs.structure.toc import AnchorLink

    links = []
    for item in items:
        link = AnchorLink(item["title"], item["id"], item["level"])
        link.children = _toc(item["children"])
        links.append(link)
    return links


def entries(config: dict[str, Any], page: dict[str, Any]) -> list[dict[str, Any]]:
    """The search entries Material makes for one `page` (a message as above)."""
    from material.plugins.search.plugin import SearchIndex  # type: ignore[import-untyped]

    index = SearchIndex(**config)
    index.add_entry_from_context(
        SimpleNamespace(
            content=page["content"],
            url=page["url"],
            title=page["title"],
            meta=page["meta"],
            toc=_toc(page["toc"]),
        )
    )
    return index.entries


def main() -> None:
    lines = iter(sys.stdin)
    config = json.loads(next(lines))["config"]
    out = [entries(config, json.loads(line)) for line in lines]
    sys.stdout.write(json.dumps(out))


if __name__ == "__main__":
    main()
