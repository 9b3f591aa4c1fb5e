"""From a Markdown edit to the page served by ``mkdocs serve`` (what ``make serve`` runs), on a
throwaway copy of the project (`benchmarks.docs_build.project_copy`).

The server runs with live reload on a free loopback port. Once its first build is served,
each run appends a unique paragraph to ``docs/<PAGE>``, starts the clock at the write, and
polls the page every ``POLL`` seconds until the paragraph is in the HTML.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import IO, Any

from . import docs_build

PAGE = "implementation.md"  # a page of docs/ that exists and has no notebook behind it
RUNS = 3
POLL = 0.05  # seconds between two requests for the page
EDIT_TIMEOUT = 120.0  # seconds an edit may take to be served
FIRST_TIMEOUT = 600.0  # seconds the server's first build may take (cold without .cache/)
SETTLE = 1.0  # seconds between one edit served and the next edit (not timed)


def free_port() -> int:
    """A loopback port nothing listens on (the system's pick for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def page_path(src_uri: str) -> str:
    """The URL path MkDocs serves a Markdown page at (``use_directory_urls``, its default)."""
    stem = src_uri.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        stem = stem.removesuffix("index").rstrip("/")
    return "/" if not stem else f"/{stem}/"


def marker(run: int) -> str:
    """A word found in no page: the paragraph appended by edit `run`."""
    return f"serve-edit-{uuid.uuid4().hex}-{run}"


def appended(markdown: str, word: str) -> str:
    """`markdown` with `word` as a paragraph of its own at the end."""
    return f"{markdown.rstrip()}\n\n{word}\n"


def shows(html: str, word: str) -> bool:
    """Whether `word` is the whole text of an element of `html`, as a paragraph renders."""
    return re.search(rf">\s*{re.escape(word)}\s*<", html) is not None


def fetch(url: str, timeout: float) -> str | None:
    """The page's HTML, or None while the server does not serve it."""
    try:
        with urllib.request.urlopen(url, timeout=max(timeout, 0.1)) as response:
            body: bytes = response.read()
            return body.decode("utf-8", "replace")
    except (urllib.error.URLError, OSError):  # refused, 404, timed out: not served yet
        return None


def wait_for(
    url: str, word: str | None, timeout: float, server: subprocess.Popen[bytes], log: IO[str]
) -> float | str:
    """Poll `url` until it is served (with `word` in it, unless None): the seconds it took, or
    why it did not happen."""
    start = time.perf_counter()
    deadline = start + timeout
    while True:
        html = fetch(url, deadline - time.perf_counter())
        if html is not None and (word is None or shows(html, word)):
            return time.perf_counter() - start
        if server.poll() is not None:
            return f"mkdocs serve exited ({server.returncode}): {log_tail(log)}"
        if time.perf_counter() >= deadline:
            return f"not served after {timeout:.0f} s: {log_tail(log)}"
        time.sleep(POLL)


def log_tail(log: IO[str]) -> str:
    log.flush()
    log.seek(0)
    return docs_build.tail(log.read())


def stop(server: subprocess.Popen[bytes]) -> None:
    """Stop the server and whatever it started: its process group, Ctrl-C first (MkDocs then
    removes its temporary site), SIGTERM and SIGKILL if it does not exit."""
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(timeout=10)
            break
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):  # children left behind by the server
        os.killpg(server.pid, signal.SIGTERM)


def measure(
    project: Path, env: dict[str, str], runs: int = RUNS, page: str = PAGE
) -> dict[str, Any]:
    """`runs` edits of ``docs/<page>`` in `project`, each timed from the write to the page
    served with it: ``{"seconds": [...], "median": ..., ...}``, or ``{"seconds": None,
    "note": ...}`` if the server fails or an edit is not served in ``EDIT_TIMEOUT``."""
    source = project / "docs" / page
    if not source.is_file():
        return {"seconds": None, "note": f"not measured: no docs/{page}"}
    port = free_port()
    url = f"http://127.0.0.1:{port}{page_path(page)}"
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        server = subprocess.Popen(
            # as `make serve` runs it: live reload is MkDocs' default
            [str(docs_build.mkdocs_path()), "serve", "--strict", "--dev-addr", f"127.0.0.1:{port}"],
            cwd=project,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, stopped as a whole
        )
        try:
            first = wait_for(url, None, FIRST_TIMEOUT, server, log)
            if isinstance(first, str):
                return {"seconds": None, "note": f"not measured: first build: {first}"}
            seconds = []
            for run in range(runs):
                word = marker(run)
                text = source.read_text("utf-8")
                start = time.perf_counter()
                source.write_text(appended(text, word), "utf-8")
                result = wait_for(url, word, EDIT_TIMEOUT, server, log)
                if isinstance(result, str):
                    return {"seconds": None, "note": f"not measured: edit {run + 1}: {result}"}
                seconds.append(time.perf_counter() - start)
                time.sleep(SETTLE)
        finally:
            stop(server)
    return {
        "seconds": seconds,
        "median": statistics.median(seconds),
        "first_served_seconds": first,
        "page": f"docs/{page}",
        "note": f"wall-clock time from appending a paragraph to docs/{page} to the page "
        f"served with it by mkdocs serve --strict (live reload), {runs} edits",
    }


def benchmark(runs: int = RUNS) -> dict[str, Any]:
    """`measure` on a fresh copy of the project (its first build is cold); never raises."""
    if not docs_build.mkdocs_path().exists():
        return {"seconds": None, "note": "not measured: mkdocs is not installed in this venv"}
    try:
        with docs_build.project_copy() as project:
            return measure(project, docs_build.build_env(), runs)
    except Exception as exc:  # git missing, disk full, ...: make bench goes on
        return {"seconds": None, "note": f"not measured: {exc}"}
