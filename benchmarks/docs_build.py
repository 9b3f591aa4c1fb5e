"""The docs build, timed on a throwaway copy of the project: ``mkdocs build --strict`` cold
(no ``.cache/``) and warm (caches kept, nothing changed), then a Markdown edit to the page
served by ``mkdocs serve`` (`benchmarks.serve_edit`).

The copy holds the files git knows of (tracked, or new and not ignored) and the git-ignored
folders the build reads (``VENDORED``, made by ``make vendor``), so the real ``docs/`` and
``.cache/`` are never touched. Each build writes into a temporary ``-d`` directory.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNS = 3  # one build varies by a second or more on a shared 2-core machine
BUILD_TIMEOUT = 900  # seconds: a build that takes longer is reported, not waited for
# Git-ignored, made by `make vendor` (scripts/vendor.py), and read by the build: the site's
# vendored files (with their .complete stamp) and MathJax for the build's Node.
VENDORED = ("docs/assets/vendor", "node_modules")
# Set by older Makefiles; no longer part of the build's environment.
NOT_PASSED = frozenset({"NO_MKDOCS_2_WARNING"})
EXPORT = re.compile(r"^export\s+([A-Za-z_]\w*)\s*(?:::|:|\?|\+)?=[ \t]*(.*)$", re.MULTILINE)


def makefile_exports(makefile: str) -> dict[str, str]:
    """The variables a Makefile exports (``export NAME := value``), minus ``NOT_PASSED``."""
    return {
        name: value.split("#", 1)[0].strip()
        for name, value in EXPORT.findall(makefile)
        if name not in NOT_PASSED
    }


def build_env(root: Path = ROOT) -> dict[str, str]:
    """This process's environment and what the Makefile exports for ``make docs``/``serve``."""
    makefile = root / "Makefile"
    exported = makefile_exports(makefile.read_text("utf-8")) if makefile.exists() else {}
    return dict(os.environ) | exported


def tail(text: str, lines: int = 3) -> str:
    """The last non-empty `lines` lines of `text`, on one line."""
    kept = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return " | ".join(kept[-lines:])


def selection(listing: str, root: Path) -> list[str]:
    """The files of ``git ls-files -z`` output to copy: those that exist under `root` (a
    tracked file may be deleted in the work tree), not under ``VENDORED`` (copied whole)."""
    names = {name for name in listing.split("\0") if name}
    return sorted(
        name
        for name in names
        if (root / name).is_file()
        and not any(name == v or name.startswith(v + "/") for v in VENDORED)
    )


def copy_project(dest: Path, root: Path = ROOT) -> None:
    """Copy what the build reads from `root` into `dest`: git's files (tracked, or untracked
    and not ignored: the work tree's build sees them too) and the ``VENDORED`` folders."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in selection(listing, root):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, dest / name, follow_symlinks=False)
    for folder in VENDORED:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, dest / folder, symlinks=True)


@contextlib.contextmanager
def project_copy(root: Path = ROOT) -> Iterator[Path]:
    """A copy of the project (`copy_project`) in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="bench-project-") as tmp:
        dest = Path(tmp) / "project"
        dest.mkdir()
        copy_project(dest, root)
        yield dest


def mkdocs_path() -> Path:
    return Path(sys.executable).with_name("mkdocs")


def build(project: Path, env: dict[str, str]) -> tuple[float, float] | str:
    """(wall seconds, CPU seconds of the build and its children) of one ``mkdocs build
    --strict`` of `project` into a temporary folder, or the tail of its error output."""
    with tempfile.TemporaryDirectory(prefix="bench-site-") as out:
        children = os.times()
        start = time.perf_counter()
        proc = subprocess.run(
            [str(mkdocs_path()), "build", "--strict", "--quiet", "-d", out],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=BUILD_TIMEOUT,
        )
        seconds = time.perf_counter() - start
        after = os.times()
    if proc.returncode != 0:
        return tail(proc.stderr or proc.stdout)
    cpu = (after.children_user + after.children_system) - (
        children.children_user + children.children_system
    )
    return seconds, cpu


def builds(project: Path, env: dict[str, str], runs: int, cold: bool) -> dict[str, Any]:
    """`runs` builds one after the other, each without ``.cache/`` if `cold`."""
    seconds, cpu = [], []
    for _ in range(runs):
        if cold:
            shutil.rmtree(project / ".cache", ignore_errors=True)
        result = build(project, env)
        if isinstance(result, str):
            kind = "cold" if cold else "warm"
            return {"seconds": None, "note": f"not measured: a {kind} build failed: {result}"}
        seconds.append(result[0])
        cpu.append(result[1])
    return {"seconds": seconds, "cpu_seconds": cpu, "median": statistics.median(seconds)}


def benchmark(runs: int = RUNS, serve: bool = True) -> dict[str, Any]:
    """`runs` cold builds, `runs` warm builds, then (if `serve`) `runs` edits served by
    ``mkdocs serve``, all on one copy of the project. ``{"seconds": None, "note": ...}`` where
    something cannot run or fails; never raises.

    ``seconds``, ``cpu_seconds``: the cold builds; ``warm``: the warm builds; ``serve``:
    `serve_edit.measure`'s result.
    """
    if not (ROOT / "mkdocs.yml").exists():
        return {"seconds": None, "note": "not measured: no mkdocs.yml yet"}
    if not mkdocs_path().exists():
        return {"seconds": None, "note": "not measured: mkdocs is not installed in this venv"}
    from . import serve_edit  # here: serve_edit imports this module

    env = build_env()
    try:
        with project_copy() as project:
            cold = builds(project, env, runs, cold=True)
            if cold["seconds"] is None:
                return cold
            warm = builds(project, env, runs, cold=False)
            served = serve_edit.measure(project, env, runs) if serve else None
    except Exception as exc:  # git missing, a build timed out, ...: make bench goes on
        return {"seconds": None, "note": f"not measured: {exc}"}
    return {
        "seconds": cold["seconds"],  # wall-clock: the build uses both cores
        "cpu_seconds": cold["cpu_seconds"],
        "warm": warm,
        "serve": served,
        "note": f"wall-clock time of mkdocs build --strict without .cache/, {runs} builds "
        "on a copy of the project",
    }
