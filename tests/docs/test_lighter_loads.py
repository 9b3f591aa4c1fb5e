"""The math fonts cut to the site's characters (hooks/font_subset.py) and the search index
fetched on the first search (hooks/lazy_search.py): unit tests, and checks of the built site."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from docs_helpers import MATH_CSS, MATH_FONTS, load_hook
from fontTools.ttLib import TTFont

fonts = load_hook("font_subset")
lazy = load_hook("lazy_search")

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


def test_font_files_names_a_missing_font(tmp_path: Path) -> None:
    css = tmp_path / "mathjax.css"
    css.write_text('@font-face /* X */ {\n  src: url("../fonts/gone.woff2") format("woff2");\n}')
    with pytest.raises(fonts.FontSubsetError, match=r"gone\.woff2"):
        fonts.font_files(css)


SETUP = 'function Ei(e,t){return L($(location.protocol!=="file:"),Je("search")).pipe(Re(o=>o))}'


def test_defer_search_index_waits_for_the_search_toggle() -> None:
    out = lazy.defer_search_index("a;" + SETUP + ";b")
    assert out == "a;" + SETUP.replace('location.protocol!=="file:"', "!1") + ";b"


@pytest.mark.parametrize("bundle", ["var x=1;", SETUP + SETUP], ids=["missing", "twice"])
def test_defer_search_index_fails_when_material_changes(bundle: str) -> None:
    with pytest.raises(ValueError, match=r"update hooks/lazy_search\.py"):
        lazy.defer_search_index(bundle)


def test_built_bundle_fetches_the_search_index_on_the_first_search_only(built_site: Path) -> None:
    (bundle,) = built_site.glob(lazy.BUNDLE_GLOB)
    text = bundle.read_text("utf-8")
    assert not lazy.EAGER.search(text)
    assert len(re.findall(r'[\w$]+\(!1\),[\w$]+\("search"\)', text)) == 1


def test_built_fonts_draw_every_character_of_the_math(built_site: Path) -> None:
    """Every character of every page's typeset math is in one of the fonts the math stylesheet
    loads, as it was in the vendored fonts; and the main font is a fraction of its full size."""
    css = built_site / CSS_PATH
    loaded = fonts.font_files(css)
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


def test_halves_share_the_fonts_by_their_subsetting_time(tmp_path: Path) -> None:
    sizes = {"big.woff2": 90_000, "a.woff2": 30_000, "b.woff2": 30_000, "c.woff2": 20_000}
    sizes |= {f"tiny{i}.woff2": 1_000 for i in range(6)}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    first, second = fonts.halves(sorted(tmp_path.iterdir()))
    assert sorted(first + second) == sorted(tmp_path.iterdir()), "each font exactly once"

    def cost(part: list[Path]) -> int:
        return sum(p.stat().st_size + fonts.FONT_COST_BYTES for p in part)

    assert abs(cost(first) - cost(second)) <= 11_000, (cost(first), cost(second))


def test_the_build_cuts_half_of_the_fonts_in_a_worker(tmp_path: Path) -> None:
    """hooks/static_math.py subsets one half itself and the other in font_worker.py: every
    font ends up with exactly the site's characters it has; a failed worker fails the build."""
    import sys

    from docs_helpers import import_hook

    static_math = import_hook("static_math")
    line_worker = import_hook("line_worker")
    names = ["mjx-ncm-n.woff2", "mjx-ncm-i.woff2", "mjx-ncm-b.woff2", "mjx-ncm-m.woff2"]
    (tmp_path / "fonts").mkdir()
    css = tmp_path / static_math.CSS_PATH
    css.parent.mkdir(parents=True)
    rules = [f'@font-face {{ src: url("{"../" * 2}fonts/{n}") format("woff2"); }}' for n in names]
    css.write_text("\n".join(rules))
    full = {}
    for name in names:
        shutil.copy(VENDORED / name, tmp_path / "fonts" / name)
        full[name] = cmap(tmp_path / "fonts" / name)
    (tmp_path / "index.html").write_text(
        "<mjx-c>=</mjx-c><mjx-c>\U0001d43f</mjx-c><mjx-c>A</mjx-c>"
    )
    used = {ord(c) for c in "=\U0001d43fA"}
    static_math._font_worker = line_worker.LineWorker(
        [sys.executable, "-P", str(static_math.FONT_WORKER)]
    )
    static_math.cut_fonts(tmp_path)
    assert static_math._font_worker is None
    for name in names:
        assert cmap(tmp_path / "fonts" / name) == used & full[name], name
    assert any(used & full[name] for name in names)

    static_math._font_worker = line_worker.LineWorker(
        [sys.executable, "-c", "import sys; sys.stdin.read(); sys.exit('no fonts today')"]
    )
    with pytest.raises(
        static_math.FontSubsetError, match=r"font worker failed(.|\n)*no fonts today"
    ):
        static_math.cut_fonts(tmp_path)
