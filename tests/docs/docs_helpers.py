"""Helpers shared by the docs tests (a module of its own: several conftest.py files exist)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from site_build.finish import typeset

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
SRC = ROOT / "src"
EXERCISES = DOCS / "exercises"  # exercise fragments and sources, pulled in as "exercises/<file>"
TABLES = "exercise_tables/"  # made at build time by site_build/inputs/exercise_tables.py

# Every snippet reference on a page: `--8<-- "backprop/layers.py:bp3"` (one per line).
SNIPPET_REF = re.compile(r'^\s*--8<--\s+"([^":]+)(?::([^"]+))?"\s*$', re.MULTILINE)
SECTION_MARKER = re.compile(r"--8<--\s+\[(start|end):([\w\-]+)\]")


# The site's math stylesheet (relative to the site) and the vendored fonts it loads.
MATH_CSS: str = typeset.CSS_PATH
MATH_FONTS = (DOCS / MATH_CSS).parent.joinpath(typeset.FONT_URL).resolve()


def mkdocs_build(project: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run `mkdocs build --strict` for the mkdocs.yml in `project`; never raises."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def markdown_pages() -> list[Path]:
    return sorted(DOCS.glob("**/*.md"), key=str)


def snippet_refs(page: Path) -> list[tuple[str, str | None]]:
    """(file relative to src/, section or None) for every `--8<--` line on a Markdown page."""
    return [(m.group(1), m.group(2)) for m in SNIPPET_REF.finditer(page.read_text("utf-8"))]


def src_sections() -> dict[tuple[str, str], dict[str, int]]:
    """{(file relative to src/, section): {"start": count, "end": count}} for every marker."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    for path in sorted(SRC.glob("**/*.py")):
        rel = path.relative_to(SRC).as_posix()
        for m in SECTION_MARKER.finditer(path.read_text("utf-8")):
            counts = found.setdefault((rel, m.group(2)), {"start": 0, "end": 0})
            counts[m.group(1)] += 1
    return found


def exercise_sections() -> dict[tuple[str, str], dict[str, int]]:
    """Like `src_sections`, for the exercise sources: keys ("exercises/<file>.py", section)."""
    found: dict[tuple[str, str], dict[str, int]] = {}
    for path in sorted(EXERCISES.glob("*.py")):
        rel = path.relative_to(DOCS).as_posix()
        for m in SECTION_MARKER.finditer(path.read_text("utf-8")):
            counts = found.setdefault((rel, m.group(2)), {"start": 0, "end": 0})
            counts[m.group(1)] += 1
    return found
