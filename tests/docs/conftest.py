"""Docs suite: the site is built once per session (`mkdocs build --strict`, notebooks executed).

The site is built by the session fixture `built_site` in tests/conftest.py, shared with the
browser suite; `SITE_DIR=<dir>` reuses an existing build.
Drift tests build small temporary copies of the repository instead, see test_drift.py.
Every test in this folder is marked `docs`.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.docs)
