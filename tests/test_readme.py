"""The README's usage example runs as written, in a fresh interpreter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)


def test_readme_has_a_python_example() -> None:
    blocks = python_blocks()
    assert blocks, "README.md has no ```python block"
    assert "import backprop as bp" in blocks[0]


def test_readme_example_runs(tmp_path: Path) -> None:
    """Each ```python block runs in a fresh interpreter (cwd outside the repo, warnings as
    errors) and exits with code 0."""
    for i, code in enumerate(python_blocks()):
        script = tmp_path / f"readme_{i}.py"
        script.write_text(code, encoding="utf-8")
        result = subprocess.run(
            [sys.executable, "-W", "error", str(script)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"block {i} failed:\n{result.stdout}\n{result.stderr}"
        if "print(" in code:
            assert result.stdout.strip(), f"block {i} printed nothing"
