"""MkDocs hook: fill docs/worked_example.md with numbers the package computes at build time.

The page is a template: ``{{ name }}`` placeholders, filled by sitevalues/worked_example_page.py,
which runs the example network with ``bp.Sequential``, ``bp.MSELoss`` and ``bp.SGD`` and draws
its computational graph. An unknown or malformed placeholder fails the build.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parents[1]
PAGE = "worked_example.md"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri != PAGE:
        return markdown
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sitevalues.template import TemplateError
    from sitevalues.worked_example_page import render

    try:
        return render(markdown, PAGE)
    except TemplateError as exc:
        raise PluginError(f"hooks/worked_example.py: {exc}") from exc
