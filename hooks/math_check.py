"""MkDocs hook: the pages' equations are checked against the package when the site builds.

Before any page is rendered, `mathcheck.check_page` reads each documentation page's source
exactly as written (a Markdown page, or a notebook's Markdown cells) and evaluates its display
equations, and the formulas of its equation tables (the BP1-BP4 table, the shape ledger), on
networks built with the package (hooks/mathcheck). For each page with display math it logs
``math check: <page>: N of M display equations evaluated`` and every equation it does not
evaluate, with the reason; any disagreement fails the build, naming the page and equation.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from mathcheck import check_page
from mkdocs.exceptions import PluginError

log = logging.getLogger("mkdocs.hooks.math_check")


def on_files(files: Any, config: Any) -> Any:
    start = time.perf_counter()
    failures = []
    for file in files.documentation_pages():
        if not file.abs_src_path or not file.src_uri.endswith((".md", ".py")):
            continue
        report = check_page(Path(file.abs_src_path).read_text("utf-8"), file.src_uri)
        if report.displays or report.tables:
            for line in report.summary():
                log.info(line)
        if report.failures:
            failures.append(report.failure_text())
    log.info(f"math check: {time.perf_counter() - start:.2f} s")
    if failures:
        raise PluginError("\n".join(failures))
    return files
