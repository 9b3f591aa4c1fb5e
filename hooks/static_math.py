"""MkDocs hook: typeset the math of every page when the site builds (hooks/typeset_math.py).

One MathJax process (scripts/typeset.mjs) starts with each build. Each page's math goes to it
as soon as MkDocs has converted the page's Markdown (or notebook) to HTML, and Node typesets it
on the other core while MkDocs builds the rest of the site. When MkDocs writes the page, its
math elements are compared with those sent; if a later step changed them, or the theme added
math outside the content, the written page is sent again. After the last page, the typeset
math is put into the written pages, the math stylesheet that every page links (``extra_css``)
is written, and the math fonts it loads are cut down to the characters the math uses
(hooks/font_subset.py), half of them in a process of its own (hooks/font_worker.py).
``mkdocs serve`` runs this on every rebuild.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from font_subset import FontSubsetError, halves, site_fonts, subset_font
from line_worker import LineWorker, WorkerError
from mkdocs.exceptions import PluginError
from typeset_math import CSS_PATH, Fragment, TypesetError, Typesetter, fragments, splice, write_site

FONT_WORKER = Path(__file__).resolve().with_name("font_worker.py")

_typesetter: Typesetter | None = None
_font_worker: LineWorker | None = None  # cuts half of the fonts down (font_worker.py)
# source page -> (its built HTML file, the HTML written there, the math elements in it)
_written: dict[str, tuple[Path, str, list[Fragment]]] = {}


def _stop() -> None:
    global _font_worker, _typesetter
    if _typesetter is not None:
        _typesetter.close()
        _typesetter = None
    if _font_worker is not None:
        _font_worker.close()
        _font_worker = None


def on_pre_build(config: Any) -> None:
    global _font_worker, _typesetter
    _stop()  # `mkdocs serve`: a previous build that failed
    _written.clear()
    try:
        _typesetter = Typesetter()
    except TypesetError as exc:
        raise PluginError(f"hooks/static_math.py: {exc}") from exc
    _font_worker = LineWorker([sys.executable, "-P", str(FONT_WORKER)], name="font-worker")


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    # Sent early, so that Node typesets it while the build goes on; on_post_page checks it
    # against the page as written.
    assert _typesetter is not None, "on_pre_build starts the typesetter"
    _typesetter.add(page.file.src_uri, html)
    return html


def on_post_page(output: str, page: Any, config: Any) -> str:
    # The last hook, so `output` is what MkDocs writes.
    assert _typesetter is not None, "on_pre_build starts the typesetter"
    name = page.file.src_uri
    found = fragments(output)
    if [output[f.start : f.end] for f in found] != _typesetter.sent(name):
        # A later step changed the math elements (hooks/a11y_markup.py makes a table in a
        # notebook's Markdown cell focusable), or the theme added some: typeset them as written.
        _typesetter.add(name, output, again=True)
    _written[name] = (Path(page.file.abs_dest_path), output, found)
    return output


def on_post_build(config: Any) -> None:
    assert _typesetter is not None, "on_pre_build starts the typesetter"
    site_dir = Path(config["site_dir"])
    try:
        typeset, css = _typesetter.finish()
        pages = {}
        for name, new in typeset.items():
            path, output, found = _written[name]
            pages[path] = splice(output, found, new)
        write_site(site_dir, pages, css)
        cut_fonts(site_dir)
    except (TypesetError, FontSubsetError) as exc:
        raise PluginError(f"hooks/static_math.py: {exc}") from exc
    finally:
        _stop()


def cut_fonts(site_dir: Path) -> None:
    """Subset the math fonts (hooks/font_subset.py): half of them here, the other half at the
    same time in the font worker, each half about the same work (`font_subset.halves`)."""
    global _font_worker
    assert _font_worker is not None, "on_pre_build starts the font worker"
    chars, paths = site_fonts(site_dir, site_dir / CSS_PATH)  # a missing font: _stop ends it
    mine, theirs = halves(paths)
    worker, _font_worker = _font_worker, None
    worker.send({"chars": "".join(sorted(chars)), "fonts": [str(p) for p in theirs]})
    try:
        for path in mine:
            subset_font(path, chars)
    finally:
        try:
            worker.answer()
        except WorkerError as exc:
            raise FontSubsetError(f"the font worker failed: {exc}") from exc


def on_build_error(error: Exception) -> None:
    _stop()
