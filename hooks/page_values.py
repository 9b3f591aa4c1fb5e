"""Fills each page's ``{{ name }}`` values from the package at build time (see ``sitevalues``).

Numbers that a page states about the code (error ranges, counts) are measured when the site
builds, never typed. An unknown name fails the build, naming the page and line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root

import sitevalues


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    try:
        return sitevalues.fill(markdown, page.file.src_uri)
    except sitevalues.UnknownValueError as exc:
        raise PluginError(str(exc.args[0])) from None
