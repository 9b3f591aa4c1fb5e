"""The build step that renders the find-the-bug tables (scripts/exercise_tables.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import bug_relu_mask
import pytest
from conftest import EXERCISES

ROOT = EXERCISES.parents[1]


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "exercise_tables", ROOT / "scripts" / "exercise_tables.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


tables = load()


def test_render_table_marks_failures() -> None:
    text = tables.render_table({"0.W": 3.2e-1, "input": 4e-11})
    assert text.splitlines() == [
        "| array | relative error | verdict |",
        "|---|---:|---|",
        "| `0.W` | 3.2e-01 | **fails** |",
        "| `input` | 4.0e-11 | passes |",
    ]
    assert "**fails**" in tables.render_table({"0.W": float("nan")})
    with pytest.raises(ValueError):
        tables.render_table({})


def test_tables_are_the_checks_of_the_bug_files(tmp_path: Path) -> None:
    written = tables.write_tables(EXERCISES, tmp_path / tables.TABLE_DIR)
    names = {p.name for p in written}
    stems = [p.stem for p in EXERCISES.glob("bug_*.py")]
    assert names == {f"{s}.md" for s in stems} | {f"{s}_fixed.md" for s in stems}
    shown = (tmp_path / tables.TABLE_DIR / "bug_relu_mask.md").read_text("utf-8")
    assert shown == tables.render_table(bug_relu_mask.buggy_errors())
    fixed = (tmp_path / tables.TABLE_DIR / "bug_relu_mask_fixed.md").read_text("utf-8")
    assert "**fails**" not in fixed and "**fails**" in shown


def test_no_bug_files_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        tables.tables(tmp_path)
