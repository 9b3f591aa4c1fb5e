"""Render every Mermaid diagram of the site to SVG, once per palette: `make diagrams`.

The site inlines the SVGs, so readers download no Mermaid at all. This script renders each
```mermaid fence in docs/**/*.md with the vendored Mermaid in headless Chromium (its "default"
theme for the light palette, "dark" for the dark one) into docs/assets/diagrams/<key>.svg, <key>
hashing the Mermaid version, theme and source, and removes the SVGs of diagrams that are gone.
site_build/html/diagrams.py inlines them and fails the build when one is missing.

Needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium) and Python playwright.
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from site_build.html.diagrams import DIAGRAM_DIR, THEMES, diagram_key, mermaid_version  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# Material's font stack with `theme.font: false`, so labels are measured as the site draws them.
FONT = "-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif"
FENCE = re.compile(r"^```mermaid[^\n]*\n(.*?)^```", re.M | re.S)

RENDER_JS = """async ([source, theme, id, font]) => {
  const mermaid = (await import("/dist/mermaid.esm.min.mjs")).default;
  mermaid.initialize({startOnLoad: false, securityLevel: "strict", theme, fontFamily: font});
  const {svg} = await mermaid.render(id, source);
  return svg;
}"""


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def diagram_sources() -> list[str]:
    """Every Mermaid fence in the site's Markdown pages, as the hook will see it."""
    pages = sorted(p for p in (ROOT / "docs").glob("**/*.md") if "vendor" not in p.parts)
    return [m.group(1).strip() for page in pages for m in FENCE.finditer(page.read_text("utf-8"))]


def main() -> int:
    if not CHROMIUM.exists():
        print(f"render_diagrams: {CHROMIUM} is missing; apt-get install chromium", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    version = mermaid_version()
    vendor = ROOT / "docs" / "assets" / "vendor" / "mermaid"
    if not (vendor / "dist" / "mermaid.esm.min.mjs").is_file():
        print("render_diagrams: run `make vendor` first", file=sys.stderr)
        return 1
    handler = functools.partial(_QuietHandler, directory=str(vendor))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    wanted: dict[str, tuple[str, str]] = {}
    for source in diagram_sources():
        for theme in THEMES.values():
            wanted[diagram_key(source, theme, version)] = (source, theme)
    DIAGRAM_DIR.mkdir(parents=True, exist_ok=True)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
            for key, (source, theme) in wanted.items():
                svg = page.evaluate(RENDER_JS, [source, theme, f"bp-diagram-{key}", FONT])
                (DIAGRAM_DIR / f"{key}.svg").write_text(svg + "\n", encoding="utf-8")
            browser.close()
    finally:
        server.shutdown()
    for old in DIAGRAM_DIR.glob("*.svg"):
        if old.stem not in wanted:
            old.unlink()
    print(f"render_diagrams: {len(wanted)} SVGs in {DIAGRAM_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
