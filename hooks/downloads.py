"""MkDocs hook: the site offers the code. The work is done by docs_build/site_downloads.py.

* ``on_files``: builds the wheel from ``src/`` and adds it to the site as
  ``downloads/<wheel>``, and each notebook page's jupytext source as
  ``downloads/notebooks/<stem>.py``;
* ``on_page_markdown``: replaces ``{{ wheel }}`` by the wheel's file name (the home page's
  "Get the code" section links it and shows the ``pip install`` line);
* ``on_page_content``: links each notebook page's ``.ipynb`` (if the build executes it) and
  ``.py`` under its title;
* ``on_post_build``: fails the build if an executed ``.ipynb`` is missing
  (``hooks/parallel_notebooks.py`` writes them, since it holds the runs).
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "site_downloads", ROOT / "docs_build" / "site_downloads.py"
)
assert _spec is not None and _spec.loader is not None
downloads = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(downloads)

_build: dict[str, Any] = {}  # this build's wheel name, temporary folder and notebook pages


def on_files(files: Any, config: Any) -> Any:
    plugin = config.plugins.get("mkdocs-jupyter")
    notebooks = [f for f in files if plugin is not None and plugin.should_include(f)]
    executed = {f.src_uri for f in notebooks if downloads.executed(plugin.config, f.abs_src_path)}
    tmp = Path(tempfile.mkdtemp(prefix="site-wheel-"))
    try:
        wheel = downloads.build_wheel(ROOT, tmp)
    except RuntimeError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise PluginError(f"hooks/downloads.py: {exc}") from exc
    files.append(
        File.generated(config, f"{downloads.DOWNLOADS}/{wheel.name}", abs_src_path=str(wheel))
    )
    for nb in notebooks:
        uri = downloads.notebook_uri(nb.src_uri, ".py")
        files.append(File.generated(config, uri, abs_src_path=nb.abs_src_path))
    _build.update(wheel=wheel.name, tmp=tmp, executed=executed)
    _build["notebooks"] = {nb.src_uri for nb in notebooks}
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    return markdown.replace(downloads.WHEEL_TOKEN, _build["wheel"])


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    src_uri = page.file.src_uri
    if src_uri not in _build["notebooks"]:
        return html
    try:
        links = downloads.links_html(src_uri, page.url, src_uri in _build["executed"])
        return downloads.add_links(html, links, src_uri)
    except ValueError as exc:
        raise PluginError(f"hooks/downloads.py: {exc}") from exc


def on_post_build(config: Any) -> None:
    site = Path(config["site_dir"])
    missing = [
        uri
        for uri in sorted(_build["executed"])
        if not (site / downloads.notebook_uri(uri, ".ipynb")).is_file()
    ]
    shutil.rmtree(_build.pop("tmp"), ignore_errors=True)
    if missing:
        raise PluginError(f"hooks/downloads.py: no executed .ipynb was written for {missing}.")


def on_build_error(error: Exception) -> None:
    if "tmp" in _build:
        shutil.rmtree(_build.pop("tmp"), ignore_errors=True)
