"""Build step: what the site offers for download, under ``downloads/``.

* ``downloads/<wheel>``: the package's wheel, built from this checkout by pip with the
  project's build backend (offline), cached under the key of what goes into it (`wheel`);
* ``downloads/notebooks/<stem>.py``: a notebook's jupytext source;
* ``downloads/notebooks/<stem>.ipynb``: the notebook as the build executed it (inputs/notebooks.py),
  the very file its page is rendered from.
"""

from __future__ import annotations

import html
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


def build_wheel(project: Path, out_dir: Path) -> Path:
    """Build the project's wheel into ``out_dir`` as pip does, offline: the build backend of
    ``[build-system]`` from this virtualenv (``--no-build-isolation``), no dependencies.
    Raises `BuildError` with pip's output if it fails or makes a wheel of another name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.whl"):
        old.unlink()
    expected = wheel_name(project)
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
    cmd += ["--disable-pip-version-check", "--wheel-dir", str(out_dir), str(project)]
    proc = subprocess.run(cmd, cwd=project, capture_output=True, text=True, check=False)
    wheels = sorted(p.name for p in out_dir.glob("*.whl"))
    if proc.returncode != 0 or wheels != [expected]:
        raise BuildError(
            f"building the wheel failed (pip exited {proc.returncode}, made {wheels}, "
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
