"""Cold ``mkdocs build --strict`` with every notebook executed, into a temporary directory."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def benchmark() -> dict[str, Any]:
    """Wall-clock time of one build; ``{"seconds": None, "note": ...}`` if it cannot run or fails.

    mkdocs-jupyter runs with ``cache: false``, so every build executes every notebook: each
    build is cold. The site goes to a temporary directory, so ``site/`` is left alone.
    """
    if not (ROOT / "mkdocs.yml").exists():
        return {"seconds": None, "note": "not measured: no mkdocs.yml yet"}
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        return {"seconds": None, "note": "not measured: mkdocs is not installed in this venv"}
    env = os.environ | {"NO_MKDOCS_2_WARNING": "1", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
    with tempfile.TemporaryDirectory(prefix="bench-site-") as out:
        children = os.times()
        start = time.perf_counter()
        proc = subprocess.run(
            [str(mkdocs), "build", "--strict", "--quiet", "-d", out],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        seconds = time.perf_counter() - start
        after = os.times()
    cpu = (after.children_user + after.children_system) - (
        children.children_user + children.children_system
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        return {"seconds": None, "note": "not measured: the build failed: " + " | ".join(tail)}
    return {
        "seconds": seconds,  # wall-clock: the build uses both cores (notebook kernels)
        "cpu_seconds": cpu,
        "note": "wall-clock time of mkdocs build --strict, notebooks executed (cache off)",
    }
