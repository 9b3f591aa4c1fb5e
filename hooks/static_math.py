"""MkDocs hook: typeset the math of every page when the site builds (hooks/typeset_math.py).

Each page is noted as MkDocs writes it; after the last one, all pages are typeset together in
one MathJax run (scripts/typeset.mjs) and rewritten in place, and the math stylesheet that
every page links (``extra_css``) is written. ``mkdocs serve`` runs this after every rebuild.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from typeset_math import TypesetError, typeset_site

_written: dict[Path, str] = {}  # built HTML file -> source page, for error messages


def on_pre_build(config: Any) -> None:
    _written.clear()


def on_post_page(output: str, page: Any, config: Any) -> str:
    _written[Path(page.file.abs_dest_path)] = page.file.src_uri
    return output


def on_post_build(config: Any) -> None:
    try:
        typeset_site(Path(config["site_dir"]), dict(_written))
    except TypesetError as exc:
        raise PluginError(f"hooks/static_math.py: {exc}") from exc
