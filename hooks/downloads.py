"""MkDocs hook: the site offers the code. The work is done by docs_build/site_downloads.py.

* ``on_files``: starts building the wheel from ``src/`` in the background and adds it to the
  site as ``downloads/<wheel>``, and each notebook page's jupytext source as
  ``downloads/notebooks/<stem>.py``;
* ``on_page_markdown``: replaces ``%WHEEL%`` by the wheel's file name (the home page's
  "Get the code" section links it and shows the ``pip install`` line);
* ``on_page_content``: links each notebook page's ``.ipynb`` (if the build executes it) and
  ``.py`` under its title;
* ``on_env``: waits for the wheel, before MkDocs copies the files into the site;
* ``on_post_build``: fails the build if an executed ``.ipynb`` is missing
  (``hooks/parallel_notebooks.py``, listed before this hook, writes them: it holds the runs).
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

_build: dict[str, Any] = {}  # this build's wheel, its pip process, temporary folder, notebooks


def on_files(files: Any, config: Any) -> Any:
    _cleanup()
    plugin = config.plugins.get("mkdocs-jupyter")
    notebooks = [f for f in files if plugin is not None and plugin.should_include(f)]
    tmp = Path(tempfile.mkdtemp(prefix="site-wheel-"))
    wheel = downloads.wheel_name(ROOT)
    _build.update(
        wheel=wheel,
        tmp=tmp,
        proc=downloads.start_wheel_build(ROOT, tmp),
        notebooks={nb.src_uri for nb in notebooks},
        executed={
            nb.src_uri for nb in notebooks if downloads.executed(plugin.config, nb.abs_src_path)
        },
    )
    files.append(
        File.generated(config, f"{downloads.DOWNLOADS}/{wheel}", abs_src_path=str(tmp / wheel))
    )
    for nb in notebooks:
        uri = downloads.notebook_uri(nb.src_uri, ".py")
        files.append(File.generated(config, uri, abs_src_path=nb.abs_src_path))
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


def on_env(env: Any, config: Any, files: Any) -> Any:
    try:
        downloads.finish_wheel_build(_build.pop("proc"), _build["tmp"], _build["wheel"])
    except RuntimeError as exc:
        raise PluginError(f"hooks/downloads.py: {exc}") from exc
    return env


def on_post_build(config: Any) -> None:
    site = Path(config["site_dir"])
    executed = _build.get("executed", set())
    _cleanup()
    missing = [
        u for u in sorted(executed) if not (site / downloads.notebook_uri(u, ".ipynb")).is_file()
    ]
    if missing:
        raise PluginError(f"hooks/downloads.py: no executed .ipynb was written for {missing}.")


def on_build_error(error: Exception) -> None:
    _cleanup()


def _cleanup() -> None:
    proc = _build.pop("proc", None)
    if proc is not None:
        proc.kill()
        proc.wait()
    if "tmp" in _build:
        shutil.rmtree(_build.pop("tmp"), ignore_errors=True)
