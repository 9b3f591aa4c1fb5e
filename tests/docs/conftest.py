"""Docs suite: the site is built once per session (`mkdocs build --strict`, notebooks executed).

`DOCS_SITE_DIR=<dir>` reuses an existing build instead (for iterating on these tests).
Drift tests build small temporary copies of the repository instead, see test_drift.py.
Every test in this folder is marked `docs`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.docs)


@pytest.fixture(scope="session")
def built_site(request: pytest.FixtureRequest) -> Path:
    reuse = os.environ.get("DOCS_SITE_DIR")
    if reuse:
        site = Path(reuse)
        assert (site / "index.html").is_file(), f"DOCS_SITE_DIR={reuse} has no index.html"
        return site
    site: Path = request.getfixturevalue("strict_site_build")  # shared with tests/browser
    return site
