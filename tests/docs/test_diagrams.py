"""Pre-rendered diagrams: every Mermaid fence has its SVGs, and a changed one fails the build."""

from __future__ import annotations

import html
import importlib.util
from types import ModuleType

import pytest
from docs_helpers import ROOT

from site_build import BuildError
from site_build.html import diagrams


def load(path: str, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


static = diagrams
render = load("scripts/render_diagrams.py", "render_diagrams")
VERSION = static.mermaid_version()


def fence(source: str) -> str:
    """A Mermaid fence as pymdownx.superfences emits it with our custom format."""
    return f'<pre class="mermaid-diagram"><code>{html.escape(source)}</code></pre>'


def test_the_seed_diagrams_are_found() -> None:
    sources = render.diagram_sources()
    assert len(sources) >= 3
    assert any('"Linear Layer: W(k), b(k)"' in s for s in sources)
    assert any('"δ(k)"' in s for s in sources)


def test_every_diagram_has_both_svgs_and_nothing_else_is_kept() -> None:
    wanted = {
        static.diagram_key(source, theme, VERSION)
        for source in render.diagram_sources()
        for theme in static.THEMES.values()
    }
    on_disk = {p.stem for p in static.DIAGRAM_DIR.glob("*.svg")}
    assert wanted <= on_disk, "run `make diagrams`: some diagrams have no SVG"
    assert on_disk <= wanted, f"orphan SVGs in docs/assets/diagrams: {sorted(on_disk - wanted)}"


def test_a_diagram_is_replaced_by_its_light_and_dark_svgs() -> None:
    source = next(s for s in render.diagram_sources() if "Linear Layer: W(k)" in s)
    out = static.inline_diagrams(f"<p>before</p>{fence(source)}<p>after</p>", "page.md", VERSION)
    assert "<pre" not in out
    assert out.count("<svg") == 2
    assert '<div class="mermaid-light"><svg' in out and '<div class="mermaid-dark"><svg' in out
    assert out.count("Linear Layer: W(k), b(k)") >= 2
    assert f'data-source="{html.escape(source)}">' in out, "a wide diagram is not marked narrow"


def test_a_diagram_narrower_than_a_phones_least_width_is_marked() -> None:
    source = next(s for s in render.diagram_sources() if "on_config" in s)
    out = static.inline_diagrams(fence(source), "contributing.md", VERSION)
    assert f'data-source="{html.escape(source)}" data-narrow>' in out


def test_a_changed_diagram_fails_the_build() -> None:
    with pytest.raises(BuildError, match=r"graph LR.*make diagrams"):
        static.inline_diagrams(fence("graph LR\n  A --> B"), "page.md", VERSION)


def test_the_key_covers_version_theme_and_source() -> None:
    keys = {
        static.diagram_key("graph LR; A-->B", "default", "11.0.0"),
        static.diagram_key("graph LR; A-->B", "dark", "11.0.0"),
        static.diagram_key("graph LR; A-->C", "default", "11.0.0"),
        static.diagram_key("graph LR; A-->B", "default", "11.0.1"),
    }
    assert len(keys) == 4


def test_a_diagram_the_renderer_cannot_see_fails_the_build() -> None:
    # nbconvert_clean turns a notebook's Mermaid cell into this, without a <code> element.
    with pytest.raises(BuildError, match="outside a Markdown page"):
        static.inline_diagrams(
            '<pre class="mermaid-diagram">graph LR; A-->B</pre>', "nb.py", VERSION
        )
