"""Build step: cut the math fonts down to the characters the site's typeset math uses.

MathJax draws each character as text in one of the woff2 fonts its stylesheet names (the main
one holds about 1,300 characters in 94 kB; the site uses about 130). Each font is cut, into the
build's cache, to the characters of the ``<mjx-c>`` elements of every page and of the
stylesheet's ``content: "..."`` values (parts of stretchy delimiters), and cut again only when
they or the font changed. `FontSubsetError`: the stylesheet names a font the site lacks.
"""

from __future__ import annotations

import html
import posixpath
import re
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from site_build import BuildError
from site_build.cache import CACHE, digest, fresh, store

_MJX_C = re.compile(r"<mjx-c\b[^>]*>([^<]*)</mjx-c>")
_CONTENT = re.compile(r'content:\s*"((?:[^"\\]|\\.)*)"')
_CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)")
_FONT_URL = re.compile(r'@font-face[^{]*\{[^}]*?url\("([^"]+\.woff2)"\)', re.S)


class FontSubsetError(BuildError):
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


def font_uris(css: str, css_uri: str) -> list[str]:
    """The site paths of the woff2 files that the stylesheet at `css_uri` loads."""
    base = posixpath.dirname(css_uri)
    return sorted({posixpath.normpath(posixpath.join(base, url)) for url in _FONT_URL.findall(css)})


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


def subset_fonts(
    css: str, css_uri: str, pages: list[str], docs_dir: Path, out_dir: Path = CACHE / "fonts"
) -> dict[str, Path]:
    """Cut every font that the stylesheet `css` (served at `css_uri`) loads to the characters
    of `pages` and `css`. Returns {the font's site path: its subset in `out_dir`}."""
    chars = used_characters(pages, css)
    out: dict[str, Path] = {}
    for uri in font_uris(css, css_uri):
        source = docs_dir / uri
        if not source.is_file():
            raise FontSubsetError(
                f"the math stylesheet loads the font {uri}, which is not in {docs_dir}; "
                "run `make vendor` (scripts/vendor.py) to fetch the MathJax font"
            )
        target = out_dir / source.name
        key = digest("font v1", source, "".join(sorted(chars)))
        if not fresh(target, key):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
            subset_font(target, chars)
            store(target, key)
        out[uri] = target
    return out
