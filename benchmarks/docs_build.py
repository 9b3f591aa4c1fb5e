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


RUNS = 3  # one cold build varies by a second or more on a shared 2-core machine


def _build(mkdocs: Path, env: dict[str, str]) -> tuple[float, float] | str:
    """(wall seconds, CPU seconds of the build and its kernels) of one cold build, or the
    tail of its error output."""
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
    if proc.returncode != 0:
        return " | ".join((proc.stderr or proc.stdout).strip().splitlines()[-3:])
    cpu = (after.children_user + after.children_system) - (
        children.children_user + children.children_system
    )
    return seconds, cpu


def benchmark(runs: int = RUNS) -> dict[str, Any]:
    """Wall-clock times of `runs` builds, one after the other; ``{"seconds": None, "note": ...}``
    if they cannot run or one fails.

    mkdocs-jupyter runs with ``cache: false``, so every build executes every notebook: each
    build is cold. The site goes to a temporary directory, so ``site/`` is left alone.
    """
    if not (ROOT / "mkdocs.yml").exists():
        return {"seconds": None, "note": "not measured: no mkdocs.yml yet"}
    mkdocs = Path(sys.executable).with_name("mkdocs")
    if not mkdocs.exists():
        return {"seconds": None, "note": "not measured: mkdocs is not installed in this venv"}
    env = os.environ | {  # as the Makefile exports them for `make docs` and `make serve`
        "NO_MKDOCS_2_WARNING": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
        "NBCONVERT_DISABLE_CONFIG_EXPORTERS": "1",
    }
    seconds, cpu = [], []
    for _ in range(runs):
        result = _build(mkdocs, env)
        if isinstance(result, str):
            return {"seconds": None, "note": "not measured: the build failed: " + result}
        seconds.append(result[0])
        cpu.append(result[1])
    return {
        "seconds": seconds,  # wall-clock: the build uses both cores (notebook kernels, Node)
        "cpu_seconds": cpu,
        "note": f"wall-clock time of mkdocs build --strict, notebooks executed (cache off), "
        f"{runs} builds",
    }
