"""Build step: the gradient-check tables of the find-the-bug exercises, as Markdown files.

Each ``docs/exercises/bug_*.py`` defines ``buggy_errors()`` and ``fixed_errors()``, which run
``bp.check_gradients`` on the buggy and on the fixed code and return ``{array: relative error}``.
``write_tables`` runs both and writes ``<stem>.md`` (with the bug) and ``<stem>_fixed.md`` into a
folder that the build adds to the snippets ``base_path`` (`cached_tables`), so a page pulls a
table in with ``--8<-- "exercise_tables/bug_relu_mask.md"`` and every number on it is computed
from the package. The tables are made again only when the exercises or ``src/`` changed.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from site_build.cache import CACHE, ROOT, code_files, digest, environment, fresh, store

TOL = 1e-7  # above this, a relative error is a bug (docs/derivation.md, gradient checking)
TABLE_DIR = "exercise_tables"  # the folder name pages use in their --8<-- lines
HARNESS = "find_the_bug_net"  # the network and data every bug file imports


def render_table(errors: Mapping[str, float], tol: float = TOL) -> str:
    """A Markdown table of ``errors``, one row per array, each marked passes or fails."""
    if not errors:
        raise ValueError("render_table: no relative errors to show")
    lines = ["| array | relative error | verdict |", "|---|---:|---|"]
    for name, err in errors.items():
        verdict = "**fails**" if not err < tol else "passes"
        lines.append(f"| `{name}` | {err:.1e} | {verdict} |")
    return "\n".join(lines) + "\n"


@contextmanager
def importable(folder: Path) -> Iterator[None]:
    """Put ``folder`` first on ``sys.path`` for the duration (the bug files import a harness)."""
    sys.path.insert(0, str(folder))
    try:
        yield
    finally:
        sys.path.remove(str(folder))


def bug_files(exercise_dir: Path) -> list[Path]:
    """Every find-the-bug exercise source, sorted."""
    return sorted(exercise_dir.glob("bug_*.py"))


def tables(exercise_dir: Path) -> dict[str, str]:
    """``{"<stem>.md": table with the bug, "<stem>_fixed.md": table after the fix}``."""
    out: dict[str, str] = {}
    with importable(exercise_dir):
        for path in bug_files(exercise_dir):
            for stale in (path.stem, HARNESS):  # re-read edited files on a rebuild
                sys.modules.pop(stale, None)
            module = importlib.import_module(path.stem)
            for suffix, attr in (("", "buggy_errors"), ("_fixed", "fixed_errors")):
                run: Callable[[], Mapping[str, float]] = getattr(module, attr)
                out[f"{path.stem}{suffix}.md"] = render_table(run())
    if not out:
        raise FileNotFoundError(f"no find-the-bug exercises (bug_*.py) in {exercise_dir}")
    return out


def write_tables(exercise_dir: Path, out_dir: Path) -> list[Path]:
    """Write every table into ``out_dir`` (created); return the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in tables(exercise_dir).items():
        target = out_dir / name
        target.write_text(text, "utf-8")
        written.append(target)
    return written


def cached_tables(exercise_dir: Path = ROOT / "docs" / "exercises", base: Path = CACHE) -> Path:
    """The folder to add to the snippets ``base_path``: it holds ``TABLE_DIR/<table>.md``."""
    out = base / "exercise_tables_base"
    k = digest(
        "tables v1", sorted(exercise_dir.glob("*.py")), code_files(ROOT / "src"), environment()
    )
    if not fresh(out / TABLE_DIR, k):
        for old in (out / TABLE_DIR).glob("*.md"):
            old.unlink()
        write_tables(exercise_dir, out / TABLE_DIR)
        store(out / TABLE_DIR, k)
    return out
