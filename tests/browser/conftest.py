"""Browser suite: build the site once, serve it on loopback, drive Debian's headless Chromium.

Session layout (one browser for the whole run, target < 90 s):

* `built_site` (tests/conftest.py, shared with the docs suite): `mkdocs build --strict` into a
  temporary directory (the notebooks execute); `SITE_DIR=<dir>` reuses an existing build.
* `server`: a threaded `http.server` on a free loopback port. Material's instant navigation
  only treats a link as internal when it matches a URL in `sitemap.xml` by protocol, host *and
  port* (measured: on another port every click is a full reload). So the served copy's
  `sitemap.xml` has `site_url` replaced by the served origin, which is exactly what a build
  with `site_url` set to that origin would produce. Nothing else in the build is touched.
* `browser`: Playwright driving /usr/bin/chromium with the flags from design.md. Playwright
  gives every launch a fresh temporary `--user-data-dir` (and refuses one in `args`).
* `light_visits` / `dark_visits`: every page in `sitemap.xml` visited once per palette, with
  every non-loopback request aborted and recorded. The per-check tests read these records.

Without Chromium the suite skips locally (with the install command) and fails under CI=true.
The JSON report goes to reports/browser.json, screenshots to site-screenshots/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import re
import shutil
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import (
    CHROMIUM_FLAGS,
    JS_MATH_COLORS,
    JS_MATH_STATE,
    REPORT,
    ROOT,
    SCREENSHOTS,
    DarkRun,
    Server,
    Tap,
    Visit,
    attach_console,
    new_context,
    notebook_formulas,
    parse_page_source,
    reveal_diagrams,
    run_axe,
    wait_for_math,
)

CHROMIUM = Path(os.environ.get("BROWSER_CHROMIUM", "/usr/bin/chromium"))
INSTALL_HINT = (
    "install it with: sudo apt-get install chromium (Debian's package, /usr/bin/chromium)"
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------------------------
# Browser availability
# --------------------------------------------------------------------------------------------


def _require_chromium() -> None:
    ci = os.environ.get("CI", "").lower() in {"true", "1", "yes"}
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} not found; {INSTALL_HINT}"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "Python playwright is not installed (pip install -e '.[browser]')"
    if problem:
        if ci:
            pytest.fail(f"CI=true and the browser suite cannot run: {problem}", pytrace=False)
        pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    _require_chromium()
    return CHROMIUM


# --------------------------------------------------------------------------------------------
# Build and serve
# --------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def _site_url_of(sitemap: str) -> str:
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locs, "sitemap.xml lists no pages"
    # site_url is the common prefix of all page URLs; the home page is the shortest.
    return min(locs, key=len)


def notebook_source(server: Server, url: str) -> Path:
    """The notebook (jupytext .py or .ipynb under docs/) that mkdocs-jupyter built `url` from."""
    stem = ROOT / "docs" / server.path_of(url).strip("/")
    found = [p for p in (stem.with_suffix(".py"), stem.with_suffix(".ipynb")) if p.is_file()]
    if not found:
        pytest.fail(f"notebook page {url} has no source {stem}.py or .ipynb", pytrace=False)
    return found[0]


@pytest.fixture(scope="session")
def server(
    chromium_path: Path, built_site: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(built_site, root, dirs_exist_ok=True)
    sitemap_path = root / "sitemap.xml"
    sitemap = sitemap_path.read_text(encoding="utf-8")
    site_url = _site_url_of(sitemap)

    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    origin = f"http://127.0.0.1:{httpd.server_address[1]}/"
    sitemap_path.write_text(sitemap.replace(site_url, origin), encoding="utf-8")
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
        srv = Server(origin, root, site_url, [loc.replace(site_url, origin) for loc in locs])
        for url in srv.pages:
            with urllib.request.urlopen(url, timeout=10) as resp:  # before any script runs
                html = resp.read().decode("utf-8")
            srv.html[url] = html
            srv.sources[url] = parse_page_source(html)
            if "jupyter-wrapper" in html:  # a notebook page: count its formulas in its source
                srv.sources[url].notebook_formulas = notebook_formulas(notebook_source(srv, url))
        yield srv
    finally:
        httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------------------------
# Browser and page visits
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright_instance(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance: Any, chromium_path: Path) -> Iterator[Any]:
    b = playwright_instance.chromium.launch(
        executable_path=str(chromium_path), args=CHROMIUM_FLAGS, headless=True
    )
    try:
        yield b
    finally:
        b.close()


def screenshot_name(server: Server, url: str, scheme: str) -> str:
    path = server.path_of(url).strip("/") or "index"
    return f"{path.replace('/', '__')}.{scheme}.png"


JS_CODE_BLOCKS = r"""
async () => {
  // Material 9.8 draws button.md-code__button[data-md-type=copy]; older releases .md-clipboard.
  const COPY = ".md-clipboard, .md-code__button[data-md-type=copy]";
  // Code blocks a reader may copy: every <pre> in the article that is not a diagram and not a
  // notebook *output* (stdout, tables), i.e. Markdown code blocks and notebook input cells.
  const pres = [...document.querySelectorAll(".md-content pre")].filter(p =>
    !p.matches(".mermaid, .mermaid-diagram") && !p.closest(".jp-OutputArea, .mermaid-diagram"));
  // mkdocs-jupyter gives each notebook input cell its own <clipboard-copy for="cell-N">,
  // which copies the hidden raw source #cell-N.
  const nbCopy = p => {
    const area = p.closest(".jp-InputArea");
    const button = area && area.querySelector("clipboard-copy[for]");
    return !!(button && document.getElementById(button.getAttribute("for")));
  };
  const hasCopy = p => !!p.querySelector(COPY) || nbCopy(p);
  // Material's content.lazy feature mounts a block's copy button when the block comes into
  // view: show each block without one (open its closed details, select its tab) and bring it
  // into view, as a reader would; then put the page back as it was.
  const restore = [];
  for (const p of pres.filter(p => !hasCopy(p))) {
    for (let d = p.closest("details:not([open])"); d; d = d.parentElement.closest("details:not([open])")) {
      d.open = true;
      restore.push(() => { d.open = false; });
    }
    for (let b = p.closest(".tabbed-block"); b; b = b.parentElement.closest(".tabbed-block")) {
      const set = b.closest(".tabbed-set");
      const index = [...b.parentElement.children].indexOf(b);
      const inputs = [...set.querySelectorAll(":scope > input")];
      const was = inputs.find(i => i.checked);
      if (inputs[index] && inputs[index] !== was) {
        inputs[index].checked = true;
        restore.push(() => { if (was) was.checked = true; });
      }
    }
    p.scrollIntoView({block: "center", behavior: "instant"});
    for (let i = 0; i < 80 && !hasCopy(p); i++) await new Promise(r => setTimeout(r, 25));
  }
  restore.reverse().forEach(undo => undo());
  window.scrollTo({top: 0, behavior: "instant"});
  const missing = pres.filter(p => !hasCopy(p))
    .map(p => (p.textContent || "").trim().slice(0, 60));
  return {blocks: pres.length, buttons: document.querySelectorAll(`.md-content :is(${COPY})`).length,
          missing};
}
"""

JS_IMAGES = r"""
() => [...document.querySelectorAll(".md-content img")].map(img => ({
  src: img.getAttribute("src"), complete: img.complete,
  naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight,
  width: img.getBoundingClientRect().width, height: img.getBoundingClientRect().height,
}))
"""


def render_and_measure(page: Any, cdp: Any, tap: Tap, visit: Visit) -> None:
    """Wait until the page's math is typeset, note the bytes of the first view, scroll through
    the diagrams as a reader does, wait for the network to go quiet, measure."""
    source = visit.source
    t0 = time.monotonic()
    visit.typeset_ms = wait_for_math(page, source.expected_formulas)
    visit.timings["math"] = (time.monotonic() - t0) * 1000
    if source.has_math and visit.typeset_ms is None:
        visit.problems.append(f"math not all typeset after 20 s ({source.expected_formulas})")
    if visit.scheme == "light":  # cold cache: what the first view alone transfers
        if not tap.wait_quiet(page):
            visit.problems.append("network still busy 10 s after the first view")
        visit.initial_sizes = visit.rec.body_sizes()
    visit.diagrams = reveal_diagrams(page, cdp, len(source.mermaid_blocks))
    visit.timings["diagrams"] = (time.monotonic() - t0) * 1000
    if (source.mermaid_blocks or visit.scheme != "light") and not tap.wait_quiet(page):
        visit.problems.append("network still busy 10 s after the diagrams rendered")
    visit.math = page.evaluate(JS_MATH_STATE)
    visit.math_colors = page.evaluate(JS_MATH_COLORS)
    visit.code_blocks = page.evaluate(JS_CODE_BLOCKS)
    visit.images = page.evaluate(JS_IMAGES)
    visit.scheme_attr = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    visit.timings["measured"] = (time.monotonic() - t0) * 1000
    visit.axe = run_axe(page)
    visit.timings["axe"] = (time.monotonic() - t0) * 1000


def visit_page(context: Any, tap: Tap, server: Server, url: str, scheme: str) -> Visit:
    rec = tap.fresh()
    page = context.new_page()
    attach_console(page, tap)
    cdp = context.new_cdp_session(page)
    visit = Visit(url=url, scheme=scheme, source=server.sources[url], rec=rec)
    t0 = time.monotonic()
    page.goto(url, wait_until="load")
    visit.load_ms = (time.monotonic() - t0) * 1000
    render_and_measure(page, cdp, tap, visit)
    SCREENSHOTS.mkdir(exist_ok=True)
    shot = SCREENSHOTS / screenshot_name(server, url, scheme)
    t1 = time.monotonic()
    page.screenshot(path=str(shot), full_page=True)
    visit.timings["screenshot"] = (time.monotonic() - t1) * 1000
    visit.screenshot = str(shot.relative_to(ROOT))
    visit.sizes = rec.body_sizes()
    visit.timings["total"] = (time.monotonic() - t0) * 1000
    cdp.detach()
    page.close()
    return visit


@pytest.fixture(scope="session")
def light_visits(browser: Any, server: Server) -> dict[str, Visit]:
    """Every sitemap page, each in a fresh light-palette context of its own (cold cache)."""
    visits = {}
    for url in server.pages:
        context, tap = new_context(browser)
        try:
            visits[url] = visit_page(context, tap, server, url, "light")
        finally:
            context.close()
    return visits


# The visible label of Material's palette form switches to the other scheme.
PALETTE_TOGGLE = "form[data-md-component=palette] label.md-header__button:visible"


@pytest.fixture(scope="session")
def dark_visits(browser: Any, server: Server) -> DarkRun:
    """Switch to dark with the header toggle on the home page, then visit every page.

    Material keeps the reader's choice in localStorage, so every later page loads dark.
    """
    context, tap = new_context(browser)
    try:
        toggle_rec = tap.fresh()
        page = context.new_page()
        attach_console(page, tap)
        page.goto(server.pages[0], wait_until="load")
        before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        page.locator(PALETTE_TOGGLE).first.click()
        with contextlib.suppress(Exception):
            page.wait_for_function(
                f"document.body.getAttribute('data-md-color-scheme') !== {json.dumps(before)}",
                timeout=5000,
            )
        after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        page.close()
        visits = {url: visit_page(context, tap, server, url, "dark") for url in server.pages}
    finally:
        context.close()
    return DarkRun(before, after, toggle_rec, visits)


# --------------------------------------------------------------------------------------------
# JSON report
# --------------------------------------------------------------------------------------------

_REPORT: dict[str, Any] = {}


@pytest.fixture(scope="session")
def report() -> dict[str, Any]:
    return _REPORT


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if not _REPORT:
        return
    REPORT.parent.mkdir(exist_ok=True)
    _REPORT["generated"] = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    REPORT.write_text(json.dumps(_REPORT, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
