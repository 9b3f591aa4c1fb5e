"""MkDocs hook: fail the build if a built page would load anything from a third-party host.

The rules are in hooks/offline_scan.py. Every page is scanned as MkDocs writes it, by
offline_scan.py in a process of its own (standard library only, ``python -I -S``): the scan
parses the whole page, about 0.45 s of CPU time for the site, and MkDocs writes its pages on a
single thread while the other core is idle. After the last page the build fails if any page
would load from another host, naming each page and URL.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from line_worker import LineWorker, WorkerError
from mkdocs.exceptions import PluginError
from offline_scan import third_party_urls

__all__ = ["third_party_urls"]

SCAN = Path(__file__).resolve().with_name("offline_scan.py")

_worker: LineWorker | None = None


def _stop() -> None:
    global _worker
    if _worker is not None:
        _worker.close()
        _worker = None


def on_pre_build(config: Any) -> None:
    global _worker
    _stop()  # `mkdocs serve`: a previous build that failed
    _worker = LineWorker([sys.executable, "-I", "-S", str(SCAN)], name="offline-scan")


def on_post_page(output: str, page: Any, config: Any) -> str:
    assert _worker is not None, "on_pre_build starts the scan"
    _worker.send({"page": page.file.src_uri, "html": output, "site_url": config.get("site_url")})
    return output


def on_post_build(config: Any) -> None:
    global _worker
    assert _worker is not None, "on_pre_build starts the scan"
    worker, _worker = _worker, None
    try:
        out = worker.answer()
    except WorkerError as exc:
        raise PluginError(f"hooks/offline_check.py: the scan failed: {exc}") from exc
    found: dict[str, list[str]] = json.loads(out)
    if found:
        problems = [
            f"page {page} would load:\n    " + "\n    ".join(sorted(set(urls))[:20])
            for page, urls in found.items()
        ]
        raise PluginError(
            "hooks/offline_check.py: the site must work offline, but some pages would load "
            "from a third-party host:\n  " + "\n  ".join(problems)
        )


def on_build_error(error: Exception) -> None:
    _stop()
