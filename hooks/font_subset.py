"""Build step: cut the math fonts down to the characters the site's typeset math uses.

MathJax's CommonHTML output draws each character as text in one of its woff2 fonts, named in
the site's math stylesheet (`typeset_math.CSS_PATH`) by ``@font-face`` rules. The main font
alone (``mjx-ncm-n.woff2``) holds about 1,300 characters in 94 kB; the site's math uses about
130 of them. After the math is typeset, every font the stylesheet names is rewritten in the
built site (never in ``docs/``) to keep only the characters that appear:

* as the text of a ``<mjx-c>`` element on any built page, or
* in a ``content: "..."`` value of the stylesheet (stretchy delimiters' parts, for example).

A character a font did not hold is simply not in its subset, so a font keeps exactly the
characters of the site it can draw. The build fails (`FontSubsetError`) when the stylesheet
names a font the site does not have.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

_MJX_C = re.compile(r"<mjx-c\b[^>]*>([^<]*)</mjx-c>")
_CONTENT = re.compile(r'content:\s*"((?:[^"\\]|\\.)*)"')
_CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)")
_FONT_URL = re.compile(r'@font-face[^{]*\{[^}]*?url\("([^"]+\.woff2)"\)', re.S)


class FontSubsetError(RuntimeError):
    """The math stylesheet names a font file that the built site does not have."""


def _unescape_css(value: str) -> str:
    return _CSS_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)) if m.group(1) else m.group(2), value)


def used_characters(pages: list[str], css: str) -> set[str]:
    """The characters the typeset math draws: `<mjx-c>` text in `pages` and the stylesheet's
    ``content`` strings."""
    chars: set[str] = set()
    for page in pages:
        for text in _MJX_C.findall(page):
            chars.update(html.unescape(text))
    for value in _CONTENT.findall(css):
        chars.update(_unescape_css(value))
    return chars


def font_files(css_file: Path) -> list[Path]:
    """The woff2 files that the stylesheet's ``@font-face`` rules load, resolved against it."""
    css = css_file.read_text("utf-8")
    out = []
    for url in _FONT_URL.findall(css):
        path = (css_file.parent / url).resolve()
        if not path.is_file():
            raise FontSubsetError(
                f"{css_file.name} loads the font {url}, which is not in the built site "
                f"({path}); run `make vendor` (scripts/vendor.py) to fetch the MathJax font"
            )
        out.append(path)
    return sorted(set(out))


def subset_font(path: Path, chars: set[str]) -> tuple[int, int]:
    """Rewrite the woff2 font `path` in place to hold only the characters of `chars` it has.
    Returns (bytes before, bytes after)."""
    before = path.stat().st_size
    # The font-wide bounds (the CFF FontBBox, hhea's extents) stay those of the whole font,
    # which contain the subset's: recomputing them runs every kept glyph's outline program
    # (under cProfile, a third of the subsetting time). The timestamp stays too, so a build
    # writes the same bytes.
    font = TTFont(path, recalcBBoxes=False, recalcTimestamp=False)
    keep = sorted(set(font.getBestCmap()) & {ord(c) for c in chars})
    options = subset.Options()
    options.flavor = "woff2"
    options.drop_tables += ["ltag"]  # fontTools cannot subset it; the browser does not read it
    # MathJax picks every glyph by its code point (sizes and parts are characters of their own),
    # never by an OpenType feature, so none is kept; a feature such as right-to-left mirroring
    # would otherwise keep a character's mirror image (such as U+220B for U+2208).
    options.layout_features = []
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    font.flavor = "woff2"
    font.save(path)
    return before, path.stat().st_size


def site_fonts(site_dir: Path, css_file: Path) -> tuple[set[str], list[Path]]:
    """The characters of the site's typeset math (all HTML files under `site_dir`) and the
    fonts that `css_file` loads."""
    pages = [p.read_text("utf-8") for p in site_dir.rglob("*.html")]
    return used_characters(pages, css_file.read_text("utf-8")), font_files(css_file)


# Subsetting a font took about 8 ms plus 0.75 ms per kB of woff2 (2026-12-03): a font costs
# about as much as 10 kB more of font data.
FONT_COST_BYTES = 10_000


def halves(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """`paths` in two lists that take about the same time to subset."""
    parts: tuple[list[Path], list[Path]] = ([], [])
    costs = [0, 0]
    weighed = sorted(((p.stat().st_size + FONT_COST_BYTES, p) for p in paths), reverse=True)
    for cost, path in weighed:
        lighter = costs.index(min(costs))
        parts[lighter].append(path)
        costs[lighter] += cost
    return parts
