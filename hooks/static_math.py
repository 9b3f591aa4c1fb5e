"""MkDocs hook: typeset the math of every page when the site builds (hooks/typeset_math.py).

One MathJax process (scripts/typeset.mjs) starts with each build. Each page goes to it as
MkDocs finishes the page's HTML, and Node typesets it on the other core while MkDocs builds
the next pages. After the last page, the typeset pages are written over the built ones, with
the math stylesheet that every page links (``extra_css``); then the math fonts it loads are
cut down to the characters the math uses (hooks/font_subset.py). ``mkdocs serve`` runs this
on every rebuild.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from font_subset import FontSubsetError, subset_site_fonts
from mkdocs.exceptions import PluginError
from typeset_math import CSS_PATH, TypesetError, Typesetter, write_site

_typesetter: Typesetter | None = None
_written: dict[str, Path] = {}  # source page -> its built HTML file


def _stop() -> None:
    global _typesetter
    if _typesetter is not None:
        _typesetter.close()
        _typesetter = None


def on_pre_build(config: Any) -> None:
    global _typesetter
    _stop()  # `mkdocs serve`: a previous build that failed
    _written.clear()
    try:
        _typesetter = Typesetter()
    except TypesetError as exc:
        raise PluginError(f"hooks/static_math.py: {exc}") from exc


def on_post_page(output: str, page: Any, config: Any) -> str:
    # This hook is the last one (mkdocs.yml), so `output` is what MkDocs writes.
    assert _typesetter is not None, "on_pre_build starts the typesetter"
    _written[page.file.src_uri] = Path(page.file.abs_dest_path)
    _typesetter.add(page.file.src_uri, output)
    return output


def on_post_build(config: Any) -> None:
    assert _typesetter is not None, "on_pre_build starts the typesetter"
    site_dir = Path(config["site_dir"])
    try:
        typeset, css = _typesetter.finish()
        write_site(site_dir, {_written[name]: html for name, html in typeset.items()}, css)
        subset_site_fonts(site_dir, site_dir / CSS_PATH)
    except (TypesetError, FontSubsetError) as exc:
        raise PluginError(f"hooks/static_math.py: {exc}") from exc
    finally:
        _stop()


def on_build_error(error: Exception) -> None:
    _stop()
