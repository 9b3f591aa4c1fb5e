"""MkDocs hook: compute the find-the-bug gradient-check tables when the site builds.

``scripts/exercise_tables.py`` runs every ``docs/exercises/bug_*.py`` and writes one Markdown
table per run into a fresh temporary folder; this hook adds that folder to the snippets
``base_path``, so ``--8<-- "exercise_tables/<name>.md"`` finds it (and, with ``check_paths``,
a missing table fails the build). The folder is removed when the build process exits.
"""

from __future__ import annotations

import atexit
import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _load_build_step() -> Any:
    spec = importlib.util.spec_from_file_location(
        "exercise_tables", ROOT / "scripts" / "exercise_tables.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on_config(config: Any) -> Any:
    step = _load_build_step()
    out = Path(tempfile.mkdtemp(prefix="backprop-exercise-tables-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    step.write_tables(ROOT / "docs" / "exercises", out / step.TABLE_DIR)
    config.mdx_configs["pymdownx.snippets"]["base_path"].append(str(out))
    return config
