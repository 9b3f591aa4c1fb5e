"""The site's build, in the order MkDocs runs it: the one entry of ``hooks:`` in mkdocs.yml.

Each event calls named steps (``site_build/steps.py``); a step's `BuildError` becomes MkDocs'
``PluginError`` and stops the build. ``mkdocs serve`` runs every event again after each edit,
in this process: when ``src/`` or ``site_build/`` changed, they are imported afresh
(`_fresh_code`), and the steps' caches decide what runs again.
"""

from __future__ import annotations

import importlib
import logging
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.utils import get_relative_url

ROOT = Path(__file__).resolve().parents[1]

log = logging.getLogger("mkdocs.site_build")
sb: Any = None  # site_build.steps, as imported for this build
_code_key = ""
_checked: dict[tuple[str, str], list[str]] = {}  # math-checked sources -> their log lines
_build: dict[str, Any] = {}  # this build's pool, runs, wheel and notebook pages


def _fresh_code() -> None:
    """Import the steps (and with them `backprop`) again if their sources changed."""
    global sb, _code_key
    if str(ROOT) not in sys.path:  # MkDocs puts a hook's folder on sys.path only while loading it
        sys.path.insert(0, str(ROOT))
    from site_build.cache import code_files, digest

    key = digest(code_files(ROOT / "src"), code_files(ROOT / "site_build"))
    if sb is not None and key != _code_key:
        for name in list(sys.modules):
            if name.split(".")[0] in ("backprop", "site_build"):
                del sys.modules[name]
        _checked.clear()
    _code_key = key
    sb = importlib.import_module("site_build.steps")


@contextmanager
def _step(where: str) -> Iterator[None]:
    try:
        yield
    except sb.BuildError as exc:
        raise PluginError(f"{where}: {exc}") from None


def on_config(config: Any) -> Any:
    _fresh_code()
    _stop()
    # The notebooks and the wheel take the longest: they start first, side by side.
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="site-build")
    sources = sorted(Path(config["docs_dir"]).glob("notebooks/*.py"))
    _build.update(
        pool=pool,
        wheel=pool.submit(sb.downloads.wheel),
        runs=sb.notebooks.start(sources, pool),
        notebooks={},
    )
    with _step("exercise tables"):
        tables = sb.exercise_tables.cached_tables(Path(config["docs_dir"]) / "exercises")
    config.mdx_configs["pymdownx.snippets"]["base_path"].append(str(tables))
    return config


@event_priority(100)  # before mkdocs-jupyter takes the notebook files
def on_files(files: Files, config: Any) -> Files:
    wheel = sb.downloads.CACHE / "wheel" / sb.downloads.wheel_name()
    sources = [f for f in files if f.src_uri.startswith("notebooks/") and f.src_uri.endswith(".py")]
    runs = _build["runs"]
    for f in sources:  # page notebooks/<stem>.ipynb: the executed notebook (nav and links use it)
        source = Path(str(f.abs_src_path))
        page = File(
            Path(f.src_uri).with_suffix(".ipynb").as_posix(),
            src_dir=str(sb.notebooks.PAGES),
            dest_dir=config["site_dir"],
            use_directory_urls=config["use_directory_urls"],
        )
        if source not in runs:  # a notebook that was not in docs/notebooks/ at on_config
            runs |= sb.notebooks.start([source], _build["pool"])
        _build["notebooks"][page.src_uri] = runs[source]
        files.remove(f)
        files.append(page)
        uri = sb.downloads.notebook_uri(f.src_uri, ".py")
        files.append(File.generated(config, uri, abs_src_path=str(source)))
    uri = f"{sb.downloads.DOWNLOADS}/{wheel.name}"
    files.append(File.generated(config, uri, abs_src_path=str(wheel)))
    _check_math(Path(config["docs_dir"]))
    return files


def _check_math(docs: Path) -> None:
    """Every display equation of every page, exercise fragment and notebook, as written."""
    wheel = sb.downloads.wheel_name()
    sources = [p for p in sorted(docs.rglob("*.md")) if "vendor" not in p.parts]
    sources += sorted((docs / "notebooks").glob("*.py"))
    failures = []
    for path in sources:
        name = path.relative_to(ROOT).as_posix()
        text = path.read_text("utf-8")
        src_uri = path.relative_to(docs).as_posix()
        key = (name, text)
        if key not in _checked:
            values = sb.values.page_values(src_uri, wheel)

            def fill(tex: str, values: Any = values, where: str = name) -> str:
                return sb.values.fill(tex, values, where)

            try:
                _checked[key] = sb.math_check.check_source(name, text, fill).log_lines()
            except sb.math_check.MathCheckError as exc:
                failures.append(str(exc))
                continue
        for line in _checked[key]:
            log.info(line)
    if failures:
        raise PluginError("\n".join(failures))


@event_priority(100)  # before mkdocs-jupyter reads the executed notebook
def on_pre_page(page: Any, config: Any, files: Files) -> Any:
    run = _build["notebooks"].get(page.file.src_uri)
    if run is not None:
        with _step(f"notebook {page.file.src_uri}"):
            run.result()
    return page


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    if page.file.src_uri in _build["notebooks"]:
        return markdown  # the notebook's JSON: mkdocs-jupyter renders the notebook itself
    try:
        return sb.values.fill_page(markdown, page.file.src_uri, sb.downloads.wheel_name())
    except sb.values.TemplateError as exc:
        raise PluginError(f"values: {exc}") from None


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    where = page.file.src_uri
    with _step(where):
        if where in _build["notebooks"]:
            html = sb.notebook_html.clean_notebook_html(html, where)
            # mkdocs-jupyter renders no Markdown, so MkDocs knows no anchors on the page:
            # tell it which ids exist, so that --strict checks links to them.
            page.present_anchor_ids = sb.notebook_html.anchor_ids(html)
            hrefs = {
                suffix: get_relative_url(sb.downloads.notebook_uri(where, suffix), page.url)
                for suffix in (".ipynb", ".py")
            }
            html = sb.downloads.add_links(html, sb.downloads.links_html(hrefs), where)
        if "mermaid-diagram" in html:
            html = sb.diagrams.inline_diagrams(html, where, sb.diagrams.mermaid_version())
        return sb.theme_markup.fix_content(html, where)


def on_env(env: Any, config: Any, files: Files) -> Any:
    """Every page's content is ready and nothing is written yet: typeset the site's math."""
    with _step("wheel"):
        _build["wheel"].result()
    for uri, run in _build["notebooks"].items():  # the .ipynb each notebook page shows
        download = sb.downloads.notebook_uri(uri, ".ipynb")
        files.append(File.generated(config, download, content=run.result().read_bytes()))
    pages = {f.src_uri: f.page.content or "" for f in files.documentation_pages() if f.page}
    with _step("math"):
        math, css = sb.typeset.typeset_pages(pages)
        _build["math"] = math  # spliced into each page as it is written (on_post_page)
        files.append(File.generated(config, sb.typeset.CSS_PATH, content=css))
        typeset = ["".join(m.html) for m in math.values()]
        fonts = sb.fonts.subset_fonts(css, sb.typeset.CSS_PATH, typeset, Path(config["docs_dir"]))
    (bundle,) = [f for f in files if sb.theme_markup.BUNDLE.fullmatch(f.src_uri)]
    with _step("theme bundle"):
        deferred = sb.theme_markup.defer_search_index(bundle.content_string)
    files.remove(bundle)
    files.append(File.generated(config, bundle.src_uri, content=deferred))
    for uri, path in fonts.items():  # each math font cut to the characters the site uses
        vendored = files.get_file_from_path(uri)
        if vendored is not None:
            files.remove(vendored)
        files.append(File.generated(config, uri, abs_src_path=str(path)))
    return env


def on_post_page(output: str, page: Any, config: Any) -> str:
    where = page.file.src_uri
    with _step(where):
        output = sb.theme_markup.name_search_dialog(output, where)
        output = sb.lazy_blocks.mark_article(output, where)
        return sb.typeset.splice_page(output, _build["math"].get(where), where)


def on_post_build(config: Any) -> None:
    with _step("offline check"):
        sb.offline.check_site(Path(config["site_dir"]), config.get("site_url"))
    _stop()


def on_build_error(error: Exception) -> None:
    _stop()


def _stop() -> None:
    """Let the runs not yet started go (a failed build, or `mkdocs serve` building again)."""
    pool = _build.pop("pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    _build.clear()
