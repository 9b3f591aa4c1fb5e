"""hooks/math_check.py: checks every documentation page, logs the coverage, fails on a wrong
equation of the strict page only."""

from __future__ import annotations

import importlib.util
import logging
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

HOOK = Path(__file__).resolve().parents[2] / "hooks" / "math_check.py"
GOOD = "$$\n\\delta^{(k)} = \\frac{\\partial \\ell}{\\partial z^{(k)}}\n$$\n"
BAD = "$$\n\\delta^{(k)} = 2 \\frac{\\partial \\ell}{\\partial z^{(k)}}\n$$\n"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("math_check_hook", HOOK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def files(tmp_path: Path, pages: dict[str, str]) -> SimpleNamespace:
    entries = []
    for name, text in pages.items():
        path = tmp_path / name
        path.write_text(text)
        entries.append(SimpleNamespace(src_uri=name, abs_src_path=str(path)))
    return SimpleNamespace(documentation_pages=lambda: entries)


def test_logs_coverage_and_passes(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    hook = load()
    caplog.set_level(logging.INFO)
    fs = files(tmp_path, {"derivation.md": GOOD, "other.md": BAD, "plain.md": "no math"})
    assert hook.on_files(fs, None) is fs
    text = caplog.text
    assert "math check: derivation.md: 1 of 1 display equations evaluated" in text
    assert "math check: other.md: 0 of 1 display equations evaluated" in text
    assert "does not hold in the derivation's notation" in text
    assert "plain.md" not in text


def test_a_wrong_equation_on_the_derivation_fails(tmp_path: Path) -> None:
    hook = load()
    with pytest.raises(
        PluginError, match=r"derivation\.md, equation lines 1-3: sides 1 and 2 differ"
    ):
        hook.on_files(files(tmp_path, {"derivation.md": BAD}), None)
