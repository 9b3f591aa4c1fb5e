"""Build step: execute each notebook once, side by side, and keep the result while its inputs hold.

`execute` runs a jupytext notebook (``docs/notebooks/*.py``) with nbclient in a fresh
``python3`` kernel (a cell that raises fails the build) and writes the executed ``.ipynb``.
`start` runs every notebook in a thread pool; each result is cached as
``.cache/site_build/pages/notebooks/<stem>.ipynb`` under `key` (the notebook, ``src/`` and the
pins), so a build in which none of them changed runs no kernel. That file is the site's page
``notebooks/<stem>.ipynb`` (``PAGES`` is its folder), which mkdocs-jupyter renders without
executing it, and the notebook offered for download. The kernels talk to the build over IPC
sockets in a private folder, not TCP, so ipykernel has no unencrypted-TCP warning to print.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

from site_build import BuildError
from site_build.cache import CACHE, ROOT, code_files, digest, environment, fresh, store

log = logging.getLogger("mkdocs.site_build")
PAGES = CACHE / "pages"
OUT = PAGES / "notebooks"
# Each kernel does its linear algebra on one thread: the notebooks already run side by side.
KERNEL_ENV = {
    "OPENBLAS_NUM_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",  # debugpy's frozen-modules warning, on every kernel
}
TIMEOUT = 600  # seconds a cell may run


def key(notebook: Path, src: Path = ROOT / "src") -> str:
    """What an executed notebook depends on: its text, the package's code and the pins."""
    return digest("notebook v1", notebook, code_files(src), environment())


def merge_streams(nb: Any) -> None:
    """Merge each run of consecutive outputs to the same stream into one output.

    A print writes its text and its newline separately; when the kernel flushes between the
    two, they arrive as two outputs and the page would show a second block that starts with
    an empty line. JupyterLab shows such a run as one block; so does the page."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list[Any] = []
        for output in cell.outputs:
            last = merged[-1] if merged else None
            if (
                last is not None
                and output.output_type == last.output_type == "stream"
                and output.name == last.name
            ):
                last.text += output.text
            else:
                merged.append(output)
        cell.outputs = merged


def execute(notebook: Path, out: Path, cwd: Path = ROOT) -> Path:
    """Run the jupytext notebook `notebook` in a fresh kernel started in `cwd`; write the
    executed notebook to `out`. Raises `BuildError` naming the notebook if a cell fails."""
    import jupytext  # type: ignore[import-untyped]
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from traitlets.config import Config

    nb = jupytext.read(notebook)
    with tempfile.TemporaryDirectory(prefix="kernel-") as sockets:
        ipc = {"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}}
        client = NotebookClient(
            nb,
            kernel_name="python3",
            allow_errors=False,
            timeout=TIMEOUT,
            resources={"metadata": {"path": str(cwd)}},
            config=Config(ipc),
        )
        try:
            client.execute(env=os.environ | KERNEL_ENV)
        except CellExecutionError as exc:
            raise BuildError(f"{notebook}: a cell failed:\n{exc}") from None
    merge_streams(nb)
    nbformat.validate(nb)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    nbformat.write(nb, str(tmp))  # type: ignore[no-untyped-call]
    tmp.replace(out)
    return out


def cached_run(notebook: Path, out_dir: Path = OUT) -> Path:
    """The executed notebook of `notebook`: from the cache if its key holds, else run now."""
    out = executed_path(notebook, out_dir)
    k = key(notebook)
    name = notebook.relative_to(ROOT) if notebook.is_relative_to(ROOT) else notebook
    if fresh(out, k):
        log.info(f"notebook: reused the run of {name} (it and src/ are unchanged)")
        return out
    start = time.perf_counter()
    execute(notebook, out)
    store(out, k)
    log.info(f"notebook: ran {name} in {time.perf_counter() - start:.1f} s")
    return out


def start(notebooks: list[Path], pool: Executor, out_dir: Path = OUT) -> dict[Path, Future[Path]]:
    """Start making the executed notebook of each of `notebooks` in `pool`."""
    return {nb: pool.submit(cached_run, nb, out_dir) for nb in notebooks}


def executed_path(notebook: Path, out_dir: Path = OUT) -> Path:
    """Where the executed notebook of `notebook` is, once its run is done."""
    return out_dir / f"{notebook.stem}.ipynb"
