"""MkDocs hook: the page's equations are checked against the package when the site builds.

For every Markdown page, `mathcheck.check_page` reads the source file exactly as written and
evaluates each display equation, and the formulas of the BP1-BP4 table and the shape ledger,
on networks built with the package (see hooks/mathcheck). It logs one line per page with
display math, ``math check: derivation.md: N of M display equations evaluated``, lists every
equation it does not evaluate with the reason, and fails the build on any disagreement.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from mathcheck import check_page
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.math_check")


def on_page_markdown(markdown: str, page: Any, **kwargs: Any) -> str:
    src = page.file.abs_src_path
    if not src or not src.endswith(".md"):
        return markdown
    report = check_page(Path(src).read_text("utf-8"), page.file.src_uri)
    if report.displays or report.tables:
        for line in report.summary():
            log.info(line)
    if report.failures:
        raise PluginError(report.failure_text())
    return markdown
