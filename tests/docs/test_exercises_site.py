"""The exercises on the built site: the counts of issue 11, closed solutions, computed tables."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from docs_helpers import EXERCISES

MARK = re.compile(
    r'<span class="difficulty" role="img" aria-label="difficulty ([123]) of 3">[●○]{3}</span>'
    r"\s*(pen and paper|code|find the bug)</p>"
)
ROW = re.compile(r"<tr>\s*<td><code>([\w.]+)</code></td>\s*<td[^>]*>([0-9.e+\-]+)</td>")
# The find-the-bug tables in page order: each bug's table, then the one after the fix.
TABLE_ORDER = ["bug_weight_transposed", "bug_softmax_jacobian", "bug_relu_mask", "bug_mse_factor"]


def exercises_page(site: Path) -> str:
    return (site / "exercises" / "index.html").read_text("utf-8")


def test_exercise_counts(built_site: Path) -> None:
    kinds = [kind for _, kind in MARK.findall(exercises_page(built_site))]
    assert len(kinds) >= 15
    assert kinds.count("pen and paper") >= 6
    assert kinds.count("code") >= 6
    assert kinds.count("find the bug") >= 3


def test_every_exercise_has_one_closed_solution(built_site: Path) -> None:
    page = exercises_page(built_site)
    solutions = re.findall(r"<details class=\"success\"[^>]*>", page)
    assert len(solutions) == len(MARK.findall(page))
    assert all(" open" not in tag for tag in solutions), "a solution is open by default"
    summaries = re.findall(
        r'<details class="success"(?: data-bp-lazy)?>\s*<summary>([^<]*)</summary>', page
    )
    assert summaries and set(summaries) == {"Solution"}


def test_tables_show_the_checks_of_this_build(built_site: Path) -> None:
    sys.path.insert(0, str(EXERCISES))
    try:
        import importlib

        shown = ROW.findall(exercises_page(built_site))
        expected = []
        for name in TABLE_ORDER:
            module = importlib.import_module(name)
            for errors in (module.buggy_errors(), module.fixed_errors()):
                expected += [(array, f"{err:.1e}") for array, err in errors.items()]
    finally:
        sys.path.remove(str(EXERCISES))
    assert shown == expected


@pytest.mark.parametrize("name", sorted(p.stem for p in EXERCISES.glob("*_starter.py")))
def test_starter_shown_whole(built_site: Path, name: str) -> None:
    """The page shows the whole starter file, without its snippet markers."""
    page = exercises_page(built_site)
    assert f'<span class="filename">docs/exercises/{name}.py</span>' in page
    assert "--8&lt;--" not in page and "[start:" not in page
