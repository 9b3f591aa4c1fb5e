"""MkDocs hook: typeset the math of every page when the site builds (hooks/typeset_math.py).

Each page is noted as MkDocs writes it; after the last one, all pages are typeset together in
one MathJax run (scripts/typeset.mjs) and rewritten in place, and the math stylesheet that
every page links (``extra_css``) is written; then the math fonts it loads are cut down to the
characters the math uses (hooks/font_subset.py). ``mkdocs serve`` runs this after every rebuild.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from font_subset import FontSubsetError, subset_site_fonts
from mkdocs.exceptions import PluginError
from typeset_math import CSS_PATH, TypesetError, typeset_site

_written: dict[Path, str] = {}  # built HTML file -> source page, for error messages


def on_pre_build(config: Any) -> None:
    _written.clear()


def on_post_page(output: str, page: Any, config: Any) -> str:
    _written[Path(page.file.abs_dest_path)] = page.file.src_uri
    return output


def on_post_build(config: Any) -> None:
    site_dir = Path(config["site_dir"])
    try:
        typeset_site(site_dir, dict(_written))
        subset_site_fonts(site_dir, site_dir / CSS_PATH)
    except (TypesetError, FontSubsetError) as exc:
        raise PluginError(f"hooks/static_math.py: {exc}") from exc
