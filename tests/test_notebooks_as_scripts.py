"""Every notebook also runs as a plain script, `python docs/notebooks/NN_name.py`, and prints
readable text: its tables as Markdown text (not `<IPython.core.display.Markdown object>`), and
the training notebook's progress bar as one line per epoch (there is no display to redraw).

The scripts run side by side (each takes 5-15 s), with warnings as errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "docs" / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.py"))
# A line each script's output must contain: a table's header, or the bar's last line.
EXPECTED = {
    "01_check_equations": "| check | array | relative error",
    "02_training": "] epoch 20/20  loss",
    "03_stability": "| z | 1/(1+exp(-z)) |",
    "04_bug_clinic": "| array | with the bug | fixed (the real package) |",
    "05_shape_ledger": "| math, one sample | column shape | code, N = 6 rows | batch shape |",
    "06_autograd": "| gradient | engine | package | largest difference |",
    "07_gradient_flow": "activation  |dW| at layer 1  |dW| at layer 10",
}


@pytest.fixture(scope="module")
def outputs(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, subprocess.CompletedProcess[str]]:
    cwd = tmp_path_factory.mktemp("scripts")  # outside the repository, as a reader runs them
    env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    procs = {
        path.stem: subprocess.Popen(
            [sys.executable, "-W", "error", str(path)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for path in NOTEBOOKS
    }
    results = {}
    for stem, proc in procs.items():
        out, err = proc.communicate(timeout=300)
        results[stem] = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    return results


def test_every_notebook_has_an_expected_line() -> None:
    assert sorted(p.stem for p in NOTEBOOKS) == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_runs_as_a_script_and_prints_text(
    outputs: dict[str, subprocess.CompletedProcess[str]], stem: str
) -> None:
    result = outputs[stem]
    assert result.returncode == 0, (
        f"{stem} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    )
    assert result.stderr == "", result.stderr[-2000:]
    assert "<IPython" not in result.stdout and " object at 0x" not in result.stdout
    assert EXPECTED[stem] in result.stdout, result.stdout[-2000:]
