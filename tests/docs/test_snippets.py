"""Snippet references and section markers agree, checked on the sources (no build needed).

`pymdownx.snippets` with `check_paths: true` already fails the build on a missing file or
section; these tests say *which* reference is broken, and also catch the other direction: a
`[start:x]` marker in src/ that no page uses (the code it marks may drift unseen).
"""

from __future__ import annotations

import pytest
from docs_helpers import (
    DOCS,
    EXERCISES,
    SRC,
    TABLES,
    exercise_sections,
    markdown_pages,
    snippet_refs,
    src_sections,
)

# Sections marked in src/ that no Markdown page pulls in on purpose, with the reason.
INTENTIONALLY_UNUSED: dict[tuple[str, str], str] = {}


def all_refs() -> list[tuple[str, str, str | None]]:
    return [
        (page.relative_to(DOCS).as_posix(), file, section)
        for page in markdown_pages()
        for file, section in snippet_refs(page)
    ]


def test_pages_use_snippets() -> None:
    assert all_refs(), "no --8<-- reference found in docs/: the pattern or the pages changed"


@pytest.mark.parametrize(("page", "file", "section"), all_refs())
def test_every_snippet_reference_resolves(page: str, file: str, section: str | None) -> None:
    if file.startswith(TABLES):  # a find-the-bug table, written by the build from bug_<name>.py
        stem = file.removeprefix(TABLES).removesuffix(".md").removesuffix("_fixed")
        assert (EXERCISES / f"{stem}.py").is_file(), f"{page}: no docs/exercises/{stem}.py"
        return
    if file.startswith("exercises/"):
        assert (DOCS / file).is_file(), f"{page}: --8<-- names docs/{file}, which does not exist"
        if section is not None:
            counts = exercise_sections().get((file, section))
            assert counts == {"start": 1, "end": 1}, f'{page}: "{file}:{section}" found {counts}'
        return
    assert (SRC / file).is_file(), f"{page}: --8<-- names src/{file}, which does not exist"
    if section is None or section.replace(":", "").isdigit():
        return  # a whole file, or a line range
    counts = src_sections().get((file, section))
    assert counts == {"start": 1, "end": 1}, (
        f'{page}: --8<-- "{file}:{section}" needs exactly one [start:{section}] and one '
        f"[end:{section}] marker in src/{file}; found {counts or 'none'}"
    )


def test_every_marker_is_used_or_listed() -> None:
    used = {(file, section) for _, file, section in all_refs() if section}
    unused = sorted(set(src_sections()) - used - set(INTENTIONALLY_UNUSED))
    assert not unused, (
        "snippet sections in src/ that no page uses; pull them into a page or add them to "
        f"INTENTIONALLY_UNUSED with a reason: {unused}"
    )


def test_allow_list_is_current() -> None:
    used = {(file, section) for _, file, section in all_refs() if section}
    stale = sorted(key for key in INTENTIONALLY_UNUSED if key not in src_sections() or key in used)
    assert not stale, f"INTENTIONALLY_UNUSED lists sections that are gone or used: {stale}"


def test_markers_are_balanced() -> None:
    broken = {key: c for key, c in src_sections().items() if c != {"start": 1, "end": 1}}
    assert not broken, f"unbalanced or duplicated section markers in src/: {broken}"
