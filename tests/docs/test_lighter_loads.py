"""The math fonts cut to the site's characters (site_build/finish/fonts.py) and the search index
fetched on the first search (site_build/html/theme_markup.py): unit tests, and checks of the
built site."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docs_helpers import DOCS, MATH_CSS, MATH_FONTS
from fontTools.ttLib import TTFont

from site_build import BuildError
from site_build.finish import fonts
from site_build.html import theme_markup

VENDORED = MATH_FONTS
CSS_PATH = MATH_CSS


def cmap(path: Path) -> set[int]:
    """The code points of a font; none for a font cut down to no characters at all."""
    return set(TTFont(path).getBestCmap() or {})


def test_used_characters_reads_mjx_c_text_and_css_content() -> None:
    pages = ['<mjx-c class="mjx-c1D43F">\U0001d43f</mjx-c><mjx-c class="mjx-c3C">&lt;</mjx-c>']
    css = 'mjx-c.x::before { content: "\\2211 \\A"; }\nmjx-c.y::before { content: "\\"q"; }'
    assert fonts.used_characters(pages, css) == {"\U0001d43f", "<", "\u2211", "\n", '"', "q"}


def test_subset_font_keeps_exactly_the_used_characters_it_has(tmp_path: Path) -> None:
    font = tmp_path / "mjx-ncm-n.woff2"
    shutil.copy(VENDORED / font.name, font)
    full = cmap(font)
    chars = {"\U0001d43f", "=", "\u2211", "\U0001f600"}  # the last is not in the font
    before, after = fonts.subset_font(font, chars)
    assert cmap(font) == {ord(c) for c in chars} & full == {0x1D43F, 0x3D, 0x2211}
    assert after < before / 10, (before, after)


CSS = '@font-face /* X */ {\n  src: url("../vendor/mathjax-newcm-font/chtml/woff2/NAME") format("woff2");\n}'


def test_subset_fonts_names_a_missing_font(tmp_path: Path) -> None:
    with pytest.raises(fonts.FontSubsetError, match=r"gone\.woff2(.|\n)*make vendor"):
        fonts.subset_fonts(CSS.replace("NAME", "gone.woff2"), CSS_PATH, [], DOCS, tmp_path)


def test_subset_fonts_cuts_each_font_again_only_when_the_characters_change(tmp_path: Path) -> None:
    css = CSS.replace("NAME", "mjx-ncm-n.woff2")
    uri = "assets/vendor/mathjax-newcm-font/chtml/woff2/mjx-ncm-n.woff2"
    (cut,) = fonts.subset_fonts(css, CSS_PATH, ["<mjx-c>=</mjx-c>"], DOCS, tmp_path).items()
    assert cut[0] == uri and cmap(cut[1]) == {ord("=")}
    cut[1].write_bytes(b"kept")  # cut again, it would be overwritten
    fonts.subset_fonts(css, CSS_PATH, ["<mjx-c>=</mjx-c>"], DOCS, tmp_path)
    assert cut[1].read_bytes() == b"kept"
    fonts.subset_fonts(css, CSS_PATH, ["<mjx-c>=</mjx-c><mjx-c>A</mjx-c>"], DOCS, tmp_path)
    assert cmap(cut[1]) == {ord("="), ord("A")}
    assert (VENDORED / "mjx-ncm-n.woff2").stat().st_size > 50_000, "the vendored font is kept"


def test_built_fonts_draw_every_character_of_the_math(built_site: Path) -> None:
    """Every character of every page's typeset math is in one of the fonts the math stylesheet
    loads, as it was in the vendored fonts; and the main font is a fraction of its full size."""
    css = built_site / CSS_PATH
    loaded = [built_site / uri for uri in fonts.font_uris(css.read_text("utf-8"), CSS_PATH)]
    assert len(loaded) > 3
    pages = [p.read_text("utf-8") for p in built_site.rglob("*.html")]
    used = {ord(c) for c in fonts.used_characters(pages, css.read_text("utf-8"))}
    assert len(used) > 50
    have = set().union(*(cmap(p) for p in loaded))
    vendored = set().union(*(cmap(VENDORED / p.name) for p in loaded))
    assert used & vendored - have == set()
    for p in loaded:  # nothing else, but for a glyph the font's own tables tie to a used one
        assert len(cmap(p) - used) <= 3, (p.name, sorted(cmap(p) - used))
    (main,) = [p for p in loaded if p.name == "mjx-ncm-n.woff2"]
    assert main.stat().st_size < (VENDORED / main.name).stat().st_size / 3


SETUP = 'function Ei(e,t){return L($(location.protocol!=="file:"),Je("search")).pipe(Re(o=>o))}'


def test_defer_search_index_waits_for_the_search_toggle() -> None:
    out = theme_markup.defer_search_index("a;" + SETUP + ";b")
    assert out == "a;" + SETUP.replace('location.protocol!=="file:"', "!1") + ";b"


@pytest.mark.parametrize("bundle", ["var x=1;", SETUP + SETUP], ids=["missing", "twice"])
def test_defer_search_index_fails_when_material_changes(bundle: str) -> None:
    with pytest.raises(BuildError, match=r"update _EAGER_SEARCH in site_build/html/theme_markup"):
        theme_markup.defer_search_index(bundle)


def test_built_bundle_fetches_the_search_index_on_the_first_search_only(built_site: Path) -> None:
    (bundle,) = built_site.glob("assets/javascripts/bundle.*.min.js")
    text = bundle.read_text("utf-8")
    assert not theme_markup._EAGER_SEARCH.search(text)
    assert len(re.findall(r'[\w$]+\(!1\),[\w$]+\("search"\)', text)) == 1
