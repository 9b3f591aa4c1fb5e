"""The build step that renders the find-the-bug tables (site_build/inputs/exercise_tables.py)."""

from __future__ import annotations

from pathlib import Path

import bug_relu_mask
import pytest
from conftest import EXERCISES

from site_build.inputs import exercise_tables as tables

ROOT = EXERCISES.parents[1]


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


def test_the_tables_are_made_again_only_when_the_exercises_change(tmp_path: Path) -> None:
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    for path in EXERCISES.glob("*.py"):
        (exercises / path.name).write_text(path.read_text("utf-8"), "utf-8")
    table = tables.cached_tables(exercises, tmp_path) / tables.TABLE_DIR / "bug_relu_mask.md"
    table.write_text("kept")  # made again, it would be overwritten
    tables.cached_tables(exercises, tmp_path)
    assert table.read_text() == "kept"
    (exercises / "bug_relu_mask.py").write_text(
        (exercises / "bug_relu_mask.py").read_text() + "\n# edited\n"
    )
    tables.cached_tables(exercises, tmp_path)
    assert table.read_text() == tables.render_table(bug_relu_mask.buggy_errors())
