"""Content keys for the build's caches: a result is reused only while what it depends on is the same.

`digest` hashes files and strings; `code_files` lists the Python sources of a folder. A cached
result lives under ``<project>/.cache/site_build/`` (git-ignored) next to a ``.key`` file holding
the key it was made from (`fresh`, `store`). Deleting ``.cache/`` makes the next build cold.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "site_build"


def digest(*parts: str | bytes | Path | Iterable[Path]) -> str:
    """A SHA-256 of the parts in order: strings and bytes as they are, a path by its place in
    the project (so that two checkouts agree) and its bytes, an iterable of paths each in turn
    (sorted)."""
    h = hashlib.sha256()

    def add(data: bytes) -> None:
        h.update(len(data).to_bytes(8, "little") + data)

    def name(path: Path) -> bytes:
        where = path.resolve()
        return str(where.relative_to(ROOT) if where.is_relative_to(ROOT) else where).encode()

    for part in parts:
        if isinstance(part, str):
            add(part.encode())
        elif isinstance(part, bytes):
            add(part)
        elif isinstance(part, Path):
            add(name(part) + b"\0" + part.read_bytes())
        else:
            for path in sorted(part):
                add(name(path) + b"\0" + path.read_bytes())
    return h.hexdigest()


def code_files(folder: Path) -> list[Path]:
    """The Python sources (and grammars, scripts) of `folder`, recursively, sorted."""
    return sorted(
        p for p in folder.rglob("*") if p.suffix in {".py", ".lark", ".mjs"} and p.is_file()
    )


def environment() -> str:
    """What every result depends on besides its inputs: the Python version and the pins."""
    return sys.version + (ROOT / "constraints.txt").read_text("utf-8")


def fresh(path: Path, key: str) -> bool:
    """Whether `path` exists and was stored under `key`."""
    key_file = path.with_name(path.name + ".key")
    return path.exists() and key_file.is_file() and key_file.read_text() == key


def store(path: Path, key: str) -> None:
    """Record that `path` (already written) was made from `key`."""
    path.with_name(path.name + ".key").write_text(key)
