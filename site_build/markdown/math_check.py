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

# The page the binding table is written for (the notation's home, design.md): anything on it
# that does not parse, bind or hold fails the build. On every other page such an equation is
# listed with the reason, since a page may give a symbol a meaning of its own (an exercise's
# sigma) or fill numbers in with a template (the worked example); a disagreement there is listed.
STRICT_PAGES = {"derivation.md"}


def on_files(files: Any, config: Any) -> Any:
    start, cpu = time.perf_counter(), time.process_time()
    failures = []
    for file in files.documentation_pages():
        if not file.abs_src_path or not file.src_uri.endswith((".md", ".py")):
            continue
        text = Path(file.abs_src_path).read_text("utf-8")
        report = check_page(text, file.src_uri, strict=file.src_uri in STRICT_PAGES)
        if report.displays or report.tables:
            for line in report.summary():
                log.info(line)
        if report.failures:
            failures.append(report.failure_text())
    # CPU time is the checker's own cost; wall time also counts the notebooks running beside it
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    log.info(f"math check: {cpu:.2f} s CPU, {wall:.2f} s wall")
    if failures:
        raise PluginError("\n".join(failures))
    return files
