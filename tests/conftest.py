"""Shared test configuration: a fast, reproducible Hypothesis profile.

The default profile ("ci") runs 25 examples per property, with no deadline (a 2-core machine
shared with other jobs has noisy timings) and derandomized, so every run of the suite tests
the same examples. ``HYPOTHESIS_PROFILE=thorough pytest`` explores 500 random examples each.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("ci", max_examples=25, deadline=None, derandomize=True, database=None)
settings.register_profile("thorough", max_examples=500, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --------------------------------------------------------------------------------------------
# One site build per test session, shared by the docs suite (tests/docs) and the browser suite
# (tests/browser): `mkdocs build --strict` executes every notebook, which takes 20-60 s here.
# --------------------------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
BUILD_LOG = "mkdocs-build.log"  # mkdocs' output, next to the site the fixture built


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mkdocs build --strict` of the repository into a temporary directory; fails the test
    that asked for it, with mkdocs' output, if the build fails. Read-only for its users.

    `SITE_DIR=<dir>` reuses an existing build instead (for iterating on the docs and browser
    tests). The build's output is kept in `<site>/../mkdocs-build.log`."""
    reuse = os.environ.get("SITE_DIR")
    if reuse:
        site = Path(reuse)
        assert (site / "sitemap.xml").is_file(), f"SITE_DIR={reuse} holds no built site"
        return site
    site = tmp_path_factory.mktemp("site-build") / "site"
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    (site.parent / BUILD_LOG).write_text(proc.stdout + proc.stderr, "utf-8")
    if proc.returncode != 0:
        pytest.fail(
            f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}",
            pytrace=False,
        )
    return site
