"""Build step: what the site offers for download, under ``downloads/``.

* ``downloads/<wheel>``: the package's wheel, built from this checkout when the site builds by
  the project's build backend (``[build-system]`` in ``pyproject.toml``), called as pip would
  call it with ``--no-build-isolation``, so it works offline. It is cached under the key of
  what goes into it (`wheel`).
* ``downloads/notebooks/<stem>.py``: a notebook's jupytext source;
* ``downloads/notebooks/<stem>.ipynb``: the notebook as the build executed it (inputs/notebooks.py),
  the very file its page is rendered from.
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path, PurePosixPath

from site_build import BuildError
from site_build.cache import CACHE, ROOT, code_files, digest, environment, fresh, store

DOWNLOADS = "downloads"
NOTEBOOKS = f"{DOWNLOADS}/notebooks"


def wheel_name(project: Path = ROOT) -> str:
    """The file name of the project's wheel, from ``pyproject.toml`` (pure Python, any platform)."""
    meta = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))["project"]
    name = re.sub(r"[-_.]+", "_", meta["name"]).lower()
    return f"{name}-{meta['version']}-py3-none-any.whl"


# PEP 517's build_wheel, in a process of its own that starts in the project's folder.
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


def build_wheel(project: Path, out_dir: Path) -> Path:
    """Build the project's wheel into ``out_dir`` with the backend of ``[build-system]``,
    without network or dependencies; raise `BuildError` with the backend's output if it fails."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    system = pyproject.get("build-system", {})
    backend = system.get("build-backend")
    if not isinstance(backend, str):
        raise BuildError(f"{project / 'pyproject.toml'}: [build-system] names no build-backend.")
    paths = [str(project / p) for p in system.get("backend-path", [])]
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.whl"):
        old.unlink()
    expected = wheel_name(project)
    # -P: the project's folder, where the process starts, is not put on sys.path.
    cmd = [sys.executable, "-P", "-c", _BUILD_WHEEL, backend, json.dumps(paths), str(out_dir)]
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, check=False)
    wheels = sorted(p.name for p in out_dir.glob("*.whl"))
    if proc.returncode != 0 or wheels != [expected]:
        raise BuildError(
            f"building the wheel failed (the backend exited {proc.returncode}, made {wheels}, "
            f"expected [{expected!r}]):\n{proc.stdout}{proc.stderr}"
        )
    return out_dir / expected


def wheel(project: Path = ROOT, out_dir: Path = CACHE / "wheel") -> Path:
    """The wheel, built again only when ``src/``, ``pyproject.toml``, the readme or the
    license changed."""
    inputs = [project / n for n in ("pyproject.toml", "README.md", "LICENSE")]
    k = digest("wheel v1", code_files(project / "src"), inputs, environment())
    out = out_dir / wheel_name(project)
    if not fresh(out, k):
        build_wheel(project, out_dir)
        store(out, k)
    return out


def notebook_uri(src_uri: str, suffix: str) -> str:
    """``notebooks/01_x.py`` -> ``downloads/notebooks/01_x<suffix>``."""
    return f"{NOTEBOOKS}/{PurePosixPath(src_uri).stem}{suffix}"


def links_html(hrefs: dict[str, str]) -> str:
    """The paragraph of download links under a notebook page's title; `hrefs` maps ``.ipynb``
    and ``.py`` to their URLs relative to the page."""
    what = {".ipynb": "with the outputs shown here", ".py": "a plain Python script"}
    links = [
        f'<a href="{html.escape(href)}" download>{html.escape(PurePosixPath(href).name)}</a> '
        f"({what[suffix]})"
        for suffix, href in hrefs.items()
    ]
    # data-search-exclude: Material's search index (loaded by every page) skips the paragraph
    return (
        f'<p class="notebook-downloads" data-search-exclude>Download this notebook: '
        f"{' or '.join(links)}.</p>"
    )


def add_links(page_html: str, links: str, where: str) -> str:
    """Insert ``links`` right after the page's first heading (its title)."""
    match = re.search(r"</h1>", page_html)
    if match is None:
        raise BuildError(f"{where}: no <h1> title to put the download links under.")
    return page_html[: match.end()] + "\n" + links + page_html[match.end() :]
