"""The site's downloads: the package's wheel, and each notebook as .ipynb and as .py.

Everything goes under ``downloads/`` in the site:

* ``downloads/<wheel>``: the wheel built from this checkout's ``src/`` when the site builds, by
  the project's build backend (``[build-system]`` in ``pyproject.toml``: hatchling, pinned in
  the virtualenv), called as pip would call it with ``pip wheel --no-deps --no-build-isolation``,
  so it works offline. Calling it directly spares pip's own start-up: about 0.6 s of CPU time
  of a build that keeps both cores busy;
* ``downloads/notebooks/<stem>.py``: the jupytext source of each notebook page, a plain
  Python script;
* ``downloads/notebooks/<stem>.ipynb``: the notebook as this build executed it, outputs included.

``hooks/downloads.py`` builds the wheel (in the background, while the pages render), puts the
files in the site and links them from the pages; ``hooks/parallel_notebooks.py`` writes the
executed notebooks.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path, PurePath, PurePosixPath
from typing import Any

DOWNLOADS = "downloads"
NOTEBOOKS = f"{DOWNLOADS}/notebooks"
WHEEL_TOKEN = "%WHEEL%"  # replaced in a page's Markdown by the wheel's file name; not a
# sitevalues {{ name }}: those are numbers measured from the package, this comes from the build


def wheel_name(project: Path) -> str:
    """The file name of the project's wheel, from ``pyproject.toml`` (pure Python, any platform)."""
    meta = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    name = re.sub(r"[-_.]+", "_", meta["name"]).lower()
    return f"{name}-{meta['version']}-py3-none-any.whl"


# PEP 517's build_wheel, in a process of its own that starts in the project's folder: the backend
# named by ``build-backend``, imported from the virtualenv (and from ``backend-path``, if given).
_BUILD_WHEEL = """
import importlib, json, sys
backend_name, backend_path, out_dir = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
sys.path[:0] = backend_path
module, _, attribute = backend_name.partition(":")
backend = importlib.import_module(module)
for name in filter(None, attribute.split(".")):
    backend = getattr(backend, name)
print(backend.build_wheel(out_dir))
"""


def start_wheel_build(project: Path, out_dir: Path) -> subprocess.Popen[str]:
    """Start building the project's wheel into ``out_dir``, without network or dependencies:
    PEP 517's ``build_wheel`` of the backend in ``pyproject.toml``'s ``[build-system]``."""
    system = tomllib.loads((project / "pyproject.toml").read_text("utf-8")).get("build-system", {})
    backend = system.get("build-backend")
    if not isinstance(backend, str):
        raise RuntimeError(f"{project / 'pyproject.toml'}: [build-system] names no build-backend.")
    paths = [str(project / p) for p in system.get("backend-path", [])]
    out_dir.mkdir(parents=True, exist_ok=True)
    out = str(out_dir.resolve())
    # -P: the project's folder, where the process starts, is not put on sys.path (a folder of
    # ours there must not shadow a module the backend imports); backend-path is, explicitly.
    cmd = [sys.executable, "-P", "-c", _BUILD_WHEEL, backend, json.dumps(paths), out]
    return subprocess.Popen(
        cmd, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finish_wheel_build(proc: subprocess.Popen[str], out_dir: Path, expected: str) -> Path:
    """Wait for ``start_wheel_build`` and return the wheel, which must be named ``expected``.

    Raises ``RuntimeError`` with the backend's output if the build failed or made another file.
    """
    output, _ = proc.communicate()
    wheels = sorted(p.name for p in out_dir.glob("*.whl"))
    if proc.returncode != 0 or wheels != [expected]:
        raise RuntimeError(
            f"building the wheel failed (the build backend exited {proc.returncode}, made {wheels}, "
            f"expected [{expected!r}]):\n{output}"
        )
    return out_dir / expected


def build_wheel(project: Path, out_dir: Path) -> Path:
    """Build the project's wheel into ``out_dir`` and return it (start, then finish)."""
    expected = wheel_name(project)
    return finish_wheel_build(start_wheel_build(project, out_dir), out_dir, expected)


def notebook_uri(src_uri: str, suffix: str) -> str:
    """Where a notebook page's download goes: ``notebooks/01_x.py`` -> ``downloads/notebooks/01_x<suffix>``."""
    return f"{NOTEBOOKS}/{PurePosixPath(src_uri).stem}{suffix}"


def write_notebook(nb: Any, site_dir: Path, src_uri: str) -> Path:
    """Write the executed notebook ``nb`` as ``<site>/downloads/notebooks/<stem>.ipynb``."""
    import nbformat

    target = site_dir / notebook_uri(src_uri, ".ipynb")
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.validate(nb)
    nbformat.write(nb, str(target))  # type: ignore[no-untyped-call]
    return target


def executed(plugin_config: Any, abs_src_path: str) -> bool:
    """Whether mkdocs-jupyter's settings execute this notebook (``execute``, ``execute_ignore``),
    so that the build has an executed ``.ipynb`` of it to offer."""
    ignore = plugin_config["execute_ignore"]
    return bool(plugin_config["execute"]) and not any(
        PurePath(abs_src_path).match(p) for p in ignore
    )


def links_html(src_uri: str, page_url: str, with_ipynb: bool = True) -> str:
    """The paragraph of download links for the notebook page ``src_uri`` served at ``page_url``."""
    from mkdocs.utils import get_relative_url

    kinds = [(".ipynb", "with the outputs shown here")] if with_ipynb else []
    links = []
    for suffix, what in [*kinds, (".py", "a plain Python script")]:
        uri = notebook_uri(src_uri, suffix)
        href = html.escape(get_relative_url(uri, page_url))
        name = html.escape(PurePosixPath(uri).name)
        links.append(f'<a href="{href}" download>{name}</a> ({what})')
    # data-search-exclude: Material's search index (loaded by every page) skips the paragraph
    return (
        f'<p class="notebook-downloads" data-search-exclude>Download this notebook: '
        f"{' or '.join(links)}.</p>"
    )


def add_links(page_html: str, links: str, where: str) -> str:
    """Insert ``links`` right after the page's first heading (its title)."""
    match = re.search(r"</h1>", page_html)
    if match is None:
        raise ValueError(f"{where}: no <h1> title to put the download links under.")
    return page_html[: match.end()] + "\n" + links + page_html[match.end() :]
