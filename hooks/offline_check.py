"""MkDocs hook: fail the build if a built page would load anything from a third-party host.

The rules are in hooks/offline_scan.py. Every page is scanned as MkDocs writes it, in a worker
process: the scan parses the whole page (about 0.45 s of CPU time for the site), and MkDocs
writes its pages on a single thread while the other core is idle. After the last page the
build fails if any page would load from another host, naming each page and URL.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import site
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from offline_scan import third_party_urls

__all__ = ["third_party_urls"]

HOOKS = str(Path(__file__).resolve().parent)  # the worker imports offline_scan from here

_pool: concurrent.futures.ProcessPoolExecutor | None = None
_scans: dict[str, concurrent.futures.Future[list[str]]] = {}


def _stop() -> None:
    global _pool
    if _pool is not None:
        _pool.shutdown(wait=True, cancel_futures=True)
        _pool = None
    _scans.clear()


def on_pre_build(config: Any) -> None:
    global _pool
    _stop()  # `mkdocs serve`: a previous build that failed
    _pool = concurrent.futures.ProcessPoolExecutor(
        max_workers=1,
        # Not forked: MkDocs has threads running (the notebooks' runs, the typesetter's pipe).
        mp_context=multiprocessing.get_context("spawn"),
        initializer=site.addsitedir,
        initargs=(HOOKS,),
    )


def on_post_page(output: str, page: Any, config: Any) -> str:
    assert _pool is not None, "on_pre_build starts the worker"
    _scans[page.file.src_uri] = _pool.submit(third_party_urls, output, config.get("site_url"))
    return output


def on_post_build(config: Any) -> None:
    try:
        found = {page: scan.result() for page, scan in _scans.items()}
    finally:
        _stop()
    problems = [
        f"page {page} would load:\n    " + "\n    ".join(sorted(set(urls))[:20])
        for page, urls in found.items()
        if urls
    ]
    if problems:
        raise PluginError(
            "hooks/offline_check.py: the site must work offline, but some pages would load "
            "from a third-party host:\n  " + "\n  ".join(problems)
        )


def on_build_error(error: Exception) -> None:
    _stop()
