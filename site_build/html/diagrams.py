"""Build step: show every Mermaid diagram as inline SVG rendered ahead of time.

Our `mermaid` fence (mkdocs.yml) emits <pre class="mermaid-diagram"><code>SOURCE</code></pre>.
This step replaces each one with the SVGs that `make diagrams` (scripts/render_diagrams.py)
rendered from the same source with the vendored Mermaid: one for the light palette and one
for the dark palette, switched by CSS (docs/javascripts/extra.css). Readers download no
Mermaid code, diagrams need no JavaScript, and instant navigation has nothing to re-render.

A diagram whose current source has no SVG fails the build: edit a diagram, then run
`make diagrams` and commit the files it writes.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path

from site_build import BuildError

ROOT = Path(__file__).resolve().parents[2]
DIAGRAM_DIR = ROOT / "docs" / "assets" / "diagrams"
THEMES = {"light": "default", "dark": "dark"}  # palette -> Mermaid theme
PHONE_MIN_PX = 544  # 34rem: the least width of a diagram on a phone (docs/javascripts/extra.css)
_FENCE = re.compile(r'<pre class="mermaid-diagram"><code>(.*?)</code></pre>', re.S)


def mermaid_version() -> str:
    """The Mermaid version pinned in vendor.lock."""
    lock = json.loads((ROOT / "vendor.lock").read_text("utf-8"))
    return next(p["version"] for p in lock["packages"] if p["name"] == "mermaid")


def diagram_key(source: str, theme: str, version: str) -> str:
    """File stem of the SVG for `source` in `theme`, rendered by Mermaid `version`."""
    return hashlib.sha256(f"{version}\n{theme}\n{source}".encode()).hexdigest()[:16]


def inline_diagrams(page_html: str, where: str, version: str) -> str:
    """Replace each Mermaid fence in `page_html` by its light and dark SVGs."""

    def replace(match: re.Match[str]) -> str:
        source = html.unescape(match.group(1)).strip()
        parts = []
        for palette, theme in THEMES.items():
            svg_file = DIAGRAM_DIR / f"{diagram_key(source, theme, version)}.svg"
            if not svg_file.is_file():
                first = source.splitlines()[0] if source else ""
                raise BuildError(
                    f"{where}: the Mermaid diagram starting {first!r} has no rendered SVG for "
                    f"the {palette} palette ({svg_file.relative_to(ROOT)}). Run `make diagrams` "
                    "(needs Chromium) and commit docs/assets/diagrams/."
                )
            parts.append(f'<div class="mermaid-{palette}">{svg_file.read_text("utf-8")}</div>')
        # On a phone a diagram keeps a legible width and scrolls (extra.css); one narrower
        # than that is marked, so that it is not blown up instead.
        width = re.search(r"max-width: ([\d.]+)px", parts[0])
        narrow = " data-narrow" if width and float(width.group(1)) < PHONE_MIN_PX else ""
        return (
            f'<div class="mermaid-diagram" data-source="{html.escape(source)}"{narrow}>'
            + "".join(parts)
            + "</div>"
        )

    out = _FENCE.sub(replace, page_html)
    if '<pre class="mermaid-diagram">' in out:  # e.g. a ```mermaid cell in a notebook
        raise BuildError(
            f"{where}: a Mermaid diagram outside a Markdown page's ```mermaid fence. Diagrams are "
            "rendered ahead of time from docs/**/*.md only; draw it on a Markdown page."
        )
    return out
