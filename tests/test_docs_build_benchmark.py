"""The helpers of the docs build benchmark (`benchmarks.docs_build`, `benchmarks.serve_edit`):
what is copied, with which environment, where the edited page is served and how the edit is
recognized. No build runs here, and nothing is timed."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # benchmarks/ is not installed

from benchmarks import docs_build, serve_edit
from benchmarks.run import docs_results

ROOT = docs_build.ROOT


def test_the_makefile_exports_are_read_but_no_mkdocs_2_warning() -> None:
    makefile = "\n".join(
        [
            "PY := $(VENV)/bin/python",
            "export NO_MKDOCS_2_WARNING := 1",
            "export PYDEVD_DISABLE_FILE_VALIDATION := 1",
            "export SPACED = a b  # a comment",
            "export MAYBE ?= x",
            "# export COMMENTED := 1",
            "\texport_not := 1",
        ]
    )
    assert docs_build.makefile_exports(makefile) == {
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "SPACED": "a b",
        "MAYBE": "x",
    }


def test_the_build_environment_never_sets_no_mkdocs_2_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("NO_MKDOCS_2_WARNING", raising=False)
    (tmp_path / "Makefile").write_text("export NO_MKDOCS_2_WARNING := 1\nexport OTHER := 2\n")
    env = docs_build.build_env(tmp_path)
    assert "NO_MKDOCS_2_WARNING" not in env and env["OTHER"] == "2"
    assert "NO_MKDOCS_2_WARNING" not in docs_build.build_env(ROOT)
    assert docs_build.build_env(tmp_path / "nowhere") == dict(os.environ)


def test_the_copy_takes_git_files_that_exist_and_not_the_vendored_folders(
    tmp_path: Path,
) -> None:
    for name in ("mkdocs.yml", "docs/index.md", "docs/assets/vendor/x.js", "node_modules/m.js"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "docs" / "assets" / "vendorish.css").write_text("x")
    listing = "\0".join(
        [
            "mkdocs.yml",
            "docs/index.md",
            "docs/index.md",  # listed twice (tracked and in the work tree)
            "docs/deleted.md",  # tracked, deleted in the work tree
            "docs/assets/vendor/x.js",  # copied with its whole folder
            "node_modules/m.js",
            "docs/assets/vendorish.css",  # not in docs/assets/vendor/
            "docs",  # a folder, not a file
            "",
        ]
    )
    assert docs_build.selection(listing, tmp_path) == [
        "docs/assets/vendorish.css",
        "docs/index.md",
        "mkdocs.yml",
    ]


def test_the_vendored_folders_are_what_gitignore_leaves_out() -> None:
    ignored = (ROOT / ".gitignore").read_text("utf-8").splitlines()
    for folder in docs_build.VENDORED:
        assert any(line.strip("/") == folder for line in ignored), folder


def test_an_error_is_reported_by_its_last_lines() -> None:
    output = "INFO    -  Building\n\nWARNING -  one\n  \nERROR   -  two\nAborted with 2 warnings\n"
    assert docs_build.tail(output) == "WARNING -  one | ERROR   -  two | Aborted with 2 warnings"
    assert docs_build.tail(output, lines=1) == "Aborted with 2 warnings"
    assert docs_build.tail("") == ""


@pytest.mark.parametrize(
    ("src_uri", "path"),
    [
        ("implementation.md", "/implementation/"),
        ("index.md", "/"),
        ("notebooks/index.md", "/notebooks/"),
        ("guide/setup.md", "/guide/setup/"),
        ("reindex.md", "/reindex/"),
    ],
)
def test_a_page_is_served_at_its_directory_url(src_uri: str, path: str) -> None:
    assert serve_edit.page_path(src_uri) == path


def test_the_edited_page_exists_and_is_in_the_nav() -> None:
    assert (ROOT / "docs" / serve_edit.PAGE).is_file()
    assert f": {serve_edit.PAGE}" in (ROOT / "mkdocs.yml").read_text("utf-8")


def test_each_edit_appends_a_paragraph_of_its_own() -> None:
    words = [serve_edit.marker(run) for run in range(3)]
    assert len(set(words)) == 3
    assert all(re.fullmatch(r"[a-z0-9-]+", word) for word in words)  # no Markdown syntax
    assert (
        serve_edit.appended("# Title\n\nText.\n\n", words[0]) == f"# Title\n\nText.\n\n{words[0]}\n"
    )
    twice = serve_edit.appended(serve_edit.appended("Text.", words[0]), words[1])
    assert twice == f"Text.\n\n{words[0]}\n\n{words[1]}\n"


def test_an_edit_is_served_when_its_paragraph_is_in_the_html() -> None:
    word = "serve-edit-abc-1"
    assert serve_edit.shows(f"<article><p>x</p>\n<p>{word}</p></article>", word)
    assert serve_edit.shows(f'<p class="x">\n{word}\n</p>', word)
    assert not serve_edit.shows("<article><p>x</p></article>", word)
    assert not serve_edit.shows("<p>serve-edit-abc-10</p>", word)  # an earlier edit's word
    assert not serve_edit.shows(f"<p>see {word} here</p>", word)
    assert not serve_edit.shows(f'<a title="{word}">', word)


def test_the_report_rows_of_a_measured_run() -> None:
    measured = {
        "seconds": [21.0, 20.0, 25.0],
        "cpu_seconds": [30.0, 29.0, 31.0],
        "warm": {"seconds": [6.0, 5.0, 7.0], "cpu_seconds": [5.0, 4.0, 6.0], "median": 6.0},
        "serve": {"seconds": [4.0, 3.0, 9.0], "median": 4.0, "note": "edits", "page": "p"},
        "note": "builds",
    }
    cold, served = docs_results(measured)
    assert (cold["id"], cold["median"], cold["n"], cold["met"]) == ("docs_seconds", 21.0, 3, True)
    assert cold["details"]["warm_builds"]["median"] == 6.0
    assert cold["details"]["cpu_seconds_of_children"] == [30.0, 29.0, 31.0]
    assert (served["id"], served["median"], served["met"]) == ("serve_edit_seconds", 4.0, True)
    assert served["note"] == "edits" and served["details"]["page"] == "p"


def test_the_report_rows_of_a_failed_build() -> None:
    failed = {"seconds": None, "note": "not measured: a cold build failed: ERROR - x"}
    cold, served = docs_results(failed)
    for row in (cold, served):
        assert row["median"] is None and row["met"] is None
        assert row["note"] == failed["note"]
