"""MkDocs hook: Material's search index is computed in a process of its own.

Material's search plugin parses each page's HTML when MkDocs builds the page
(``on_page_context``), on the one thread that builds the pages, after the notebooks are done
and while the other core has little left to do: about half a second at the end of every
build. From ``on_env`` on, this hook hands each page to hooks/search_entries.py instead, which
runs Material's own ``SearchIndex.add_entry_from_context`` on it in a process of its own.
Before Material writes ``search/search_index.json``, the entries go into Material's index, in
page order, so the file is the same. The build fails if the search plugin's index is not the
class this hook knows, or if the worker fails.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from line_worker import LineWorker, WorkerError
from mkdocs.exceptions import PluginError

PLUGIN = "material/search"
WORKER = Path(__file__).resolve().with_name("search_entries.py")
META = ("title", "tags", "search")  # what Material's entries read of a page's front matter

_worker: LineWorker | None = None


def _stop() -> None:
    global _worker
    if _worker is not None:
        _worker.close()
        _worker = None


def _toc(items: Any) -> list[dict[str, Any]]:
    return [
        {"title": i.title, "id": i.id, "level": i.level, "children": _toc(i.children)}
        for i in items
    ]


def on_env(env: Any, config: Any, files: Any) -> Any:
    """Runs after every page is read and before the first is built."""
    global _worker
    _stop()  # `mkdocs serve`: a previous build that failed
    plugin = config.plugins.get(PLUGIN)
    if plugin is None or not plugin.config.enabled:
        return env
    from material.plugins.search.plugin import SearchIndex  # type: ignore[import-untyped]

    index: Any = getattr(plugin, "search_index", None)
    if type(index) is not SearchIndex or not isinstance(getattr(index, "entries", None), list):
        raise PluginError(
            "hooks/search_index.py: Material's search plugin has no SearchIndex with a list of "
            "entries; Material changed, update this hook"
        )
    worker = _worker = LineWorker([sys.executable, "-P", str(WORKER)], name="search-entries")
    worker.send({"config": index.config})
    generate = index.generate_search_index

    def add_entry_from_context(page: Any) -> None:
        meta = {key: page.meta[key] for key in META if key in page.meta}
        message = {
            "content": page.content,
            "url": page.url,
            "title": page.title,
            "meta": meta,
            "toc": _toc(page.toc),
        }
        try:
            worker.send(message)
        except TypeError as exc:  # json cannot write it
            raise PluginError(
                f"hooks/search_index.py: {page.file.src_uri}: front matter {sorted(meta)} "
                f"must be JSON values: {exc}"
            ) from exc

    def generate_search_index(prev: Any) -> str:
        global _worker
        _worker = None
        try:
            out = worker.answer()
        except WorkerError as exc:
            raise PluginError(f"hooks/search_index.py: the worker failed: {exc}") from exc
        for entries in json.loads(out):
            index.entries.extend(entries)
        result: str = generate(prev)
        return result

    # Instance attributes: this build's index only (Material makes a new one at on_config).
    index.add_entry_from_context = add_entry_from_context
    index.generate_search_index = generate_search_index
    return env


def on_build_error(error: Exception) -> None:
    _stop()
