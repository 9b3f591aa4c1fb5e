"""Helpers for the browser suite: static analysis of built pages, request recording, CDP.

Nothing in here asserts; the tests do. Everything is measured from the built site, never
hard-coded: the expected number of formulas and diagrams on a page comes from that page's HTML
as built (fetched before any script runs), and the browser must reach exactly that number.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

# Chromium flags from design.md. Playwright adds a fresh, temporary --user-data-dir itself
# (it refuses one passed in `args`, and deletes its own when the browser closes).
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "reports" / "browser.json"
SCREENSHOTS = ROOT / "site-screenshots"

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}

# Labels of the seed's two diagrams (docs/derivation.md keeps them, with ℓ for the sample's loss).
SEED_DIAGRAM_LABELS = [
    "Linear Layer: W(k), b(k)",
    "Activation σ",  # noqa: RUF001
    "Linear Layer",
    "a(k-1)",
    "z(k)",
    "a(k)",
    "∂ℓ/∂a(k)",  # noqa: RUF001
    "δ(k)",
    "∂ℓ/∂a(k-1)",  # noqa: RUF001
]

# Elements whose text MathJax never typesets (its default skipHtmlTags) plus our own exclusions.
SKIP_TEXT_TAGS = {"script", "noscript", "style", "textarea", "pre", "code", "annotation", "svg"}


def is_loopback(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return (parts.hostname or "") in LOOPBACK_HOSTS


# --------------------------------------------------------------------------------------------
# Static analysis of a built page (the HTML as served, before MathJax/Mermaid run)
# --------------------------------------------------------------------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class PageSource:
    arithmatex: list[str] = field(default_factory=list)  # text of each .arithmatex element
    notebook_markdown: list[str] = field(default_factory=list)  # .jp-MarkdownOutput text
    mermaid_blocks: list[str] = field(default_factory=list)  # source of each diagram
    images: list[str] = field(default_factory=list)  # img src attributes in the content
    # Formulas in the notebook's Markdown cells, counted from its jupytext source (the built
    # page holds them typeset, not as TeX): see notebook_formulas().
    notebook_formulas: int = 0

    @property
    def expected_formulas(self) -> int:
        """pymdownx.arithmatex puts each formula in an element of its own; a notebook's
        formulas are counted in its source."""
        return len(self.arithmatex) + self.notebook_formulas

    @property
    def has_math(self) -> bool:
        return self.expected_formulas > 0


_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)


def notebook_formulas(source: Path) -> int:
    """TeX formulas in the Markdown cells of a jupytext notebook, as MathJax finds them in
    the rendered cells (code blocks and code spans are never math)."""
    import jupytext  # the docs extra's dependency, needed only for notebook pages

    n = 0
    for cell in jupytext.read(source).cells:
        if cell.cell_type == "markdown":
            text = _CODE_SPAN.sub("", _FENCE.sub("", cell.source))
            n += count_tex(text, dollars=True)
    return n


class _SourceParser(HTMLParser):
    """Collects math, diagram and image sources from the article of one built page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.src = PageSource()
        self.stack: list[tuple[str, set[str]]] = []
        # Open collectors: (kind, depth at which the element was opened, text parts)
        self.collectors: list[tuple[str, int, list[str]]] = []
        self.skip_depth: int | None = None  # inside <pre>/<code> of notebook markdown

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        if tag == "img" and a.get("src"):
            self.src.images.append(a["src"] or "")
        if tag in _VOID:
            return
        self.stack.append((tag, classes))
        depth = len(self.stack)
        if "arithmatex" in classes:
            self.collectors.append(("math", depth, []))
        elif "jp-MarkdownOutput" in classes:
            self.collectors.append(("nbmd", depth, []))
        elif tag == "pre" and {"mermaid", "mermaid-diagram"} & classes:
            self.collectors.append(("mermaid", depth, []))
        elif tag == "div" and "mermaid-diagram" in classes and a.get("data-source") is not None:
            # A diagram pre-rendered to SVG by site_build/html/diagrams.py: its source rides along.
            self.src.mermaid_blocks.append(a["data-source"] or "")
        elif (
            self.collectors
            and self.collectors[-1][0] == "nbmd"
            and tag in SKIP_TEXT_TAGS
            and self.skip_depth is None
        ):
            self.skip_depth = depth

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # Tolerate sloppy nesting: pop up to the matching tag.
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                break
        else:
            return
        while len(self.stack) > i:
            depth = len(self.stack)
            if self.skip_depth == depth:
                self.skip_depth = None
            if self.collectors and self.collectors[-1][1] == depth:
                kind, _, parts = self.collectors.pop()
                text = "".join(parts)
                {
                    "math": self.src.arithmatex,
                    "nbmd": self.src.notebook_markdown,
                    "mermaid": self.src.mermaid_blocks,
                }[kind].append(text)
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.collectors and self.skip_depth is None:
            self.collectors[-1][2].append(data)


def parse_page_source(html: str) -> PageSource:
    # Only the article counts: the header, nav and footer never hold formulas or diagrams.
    start = html.find('<article class="md-content__inner')
    end = html.rfind("</article>")
    body = html[start:end] if start >= 0 and end > start else html
    parser = _SourceParser()
    parser.feed(body)
    parser.close()
    return parser.src


_TEX_DELIMS = [("$$", "$$", True), (r"\[", r"\]", True), (r"\(", r"\)", False)]
_BEGIN = re.compile(r"\\begin\{([^}]+)\}")


def count_tex(text: str, *, dollars: bool = False) -> int:
    """Count TeX formulas the way MathJax's FindTeX delimits them.

    Display delimiters $$..$$ and \\[..\\], inline \\(..\\), stand-alone \\begin{env}..\\end{env},
    and (for notebook Markdown, where nbconvert keeps the author's dollars) $..$.
    `\\$` is an escaped dollar (processEscapes).
    """
    n = 0
    i = 0
    pairs = list(_TEX_DELIMS)
    if dollars:
        pairs.append(("$", "$", False))
    while i < len(text):
        if text.startswith("\\$", i):
            i += 2
            continue
        m = _BEGIN.match(text, i)
        if m:
            close = text.find(f"\\end{{{m.group(1)}}}", m.end())
            if close >= 0:
                n += 1
                i = close + len(m.group(1)) + 6
                continue
        for open_, close_, _display in pairs:
            if text.startswith(open_, i):
                j = text.find(close_, i + len(open_))
                while close_ == "$" and j > 0 and text[j - 1] == "\\":
                    j = text.find(close_, j + 1)
                if j >= 0 and j > i + len(open_):
                    n += 1
                    i = j + len(close_)
                    break
        else:
            i += 1
    return n


# --------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    def chan(c: float) -> float:
        c = c / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (chan(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: tuple[float, float, float], bg: tuple[float, float, float]) -> float:
    la, lb = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


# In-page JS: turn any CSS colour (rgb(), oklch(), color(srgb ...), named) into [r, g, b, a]
# through a canvas, and find the colour an element is really painted on by compositing the
# backgrounds of its ancestors. `SVG_BG` handles Mermaid nodes: the label of a node sits on the
# node's shape, whose `fill` is the background.
JS_COLOR_LIB = r"""
const __cv = document.createElement("canvas"); __cv.width = __cv.height = 1;
const __cx = __cv.getContext("2d", {willReadFrequently: true});
function rgba(css) {
  if (!css || css === "none" || css === "transparent") return [0, 0, 0, 0];
  if (css.startsWith("url(")) return [0, 0, 0, 0];
  __cx.clearRect(0, 0, 1, 1);
  __cx.fillStyle = "rgba(0,0,0,0)"; __cx.fillStyle = css;
  __cx.fillRect(0, 0, 1, 1);
  const d = __cx.getImageData(0, 0, 1, 1).data;
  return [d[0], d[1], d[2], d[3] / 255];
}
function over(top, bottom) {  // alpha-composite top over an opaque bottom
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + bottom[i] * (1 - a)).concat([1]);
}
function hostOf(el) { const r = el.getRootNode(); return r instanceof ShadowRoot ? r.host : null; }
function parentOf(el) { return el.parentElement || hostOf(el); }
function layers(el) {  // background colours from el outwards, nearest first
  const out = [];
  for (let e = el; e; e = parentOf(e)) {
    const cs = getComputedStyle(e);
    if (e instanceof SVGElement && e.matches("g.node")) {
      const shape = e.querySelector(":scope > rect, :scope > polygon, :scope > circle, "
        + ":scope > ellipse, :scope > path, :scope > g > rect, :scope > g > polygon, :scope > g > path");
      if (shape) {
        const f = rgba(getComputedStyle(shape).fill);
        const fo = parseFloat(getComputedStyle(shape).fillOpacity || "1");
        out.push([f[0], f[1], f[2], f[3] * fo]);
      }
    } else if (e instanceof SVGElement && e.matches("g.edgeLabel, g.label")) {
      const shape = e.querySelector(":scope > rect");
      if (shape) out.push(rgba(getComputedStyle(shape).fill));
    } else if (!(e instanceof SVGElement) || e instanceof SVGSVGElement) {
      out.push(rgba(cs.backgroundColor));
    }
    if (out.length && out[out.length - 1][3] >= 1) break;
  }
  return out;
}
function effectiveBg(el) {
  let acc = [255, 255, 255, 1];  // the canvas under everything
  const ls = layers(el);
  for (let i = ls.length - 1; i >= 0; i--) acc = over(ls[i], acc);
  return acc;
}
function textColor(el) {
  const cs = getComputedStyle(el);
  const c = el instanceof SVGElement && !(el instanceof SVGForeignObjectElement)
    ? rgba(cs.fill) : rgba(cs.color);
  return over(c, effectiveBg(el));
}
"""


# --------------------------------------------------------------------------------------------
# Request / console recording
# --------------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Everything one page did on the network and the console."""

    blocked: list[str] = field(default_factory=list)  # non-loopback URLs, aborted
    requests: list[Any] = field(default_factory=list)  # playwright Request objects (loopback)
    failed: list[str] = field(default_factory=list)  # loopback requests that failed or 4xx/5xx
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def request_paths(self) -> list[str]:
        return [urlsplit(r.url).path for r in self.requests]

    def body_sizes(self) -> list[tuple[str, int]]:
        """(path, response body bytes) of every finished loopback request, largest first.
        The test server never compresses, so these are uncompressed sizes. Call it while the
        page is still open."""
        sizes = []
        for r in self.requests:
            try:
                n = int(r.sizes().get("responseBodySize", 0))
            except Exception:  # never finished; listed in `failed`
                continue
            sizes.append((urlsplit(r.url).path, n))
        return sorted(sizes, key=lambda t: -t[1])


class Tap:
    """Context-wide network recording; `current` is the Recorder of the page being judged."""

    def __init__(self) -> None:
        self.current = Recorder()
        self.inflight: set[Any] = set()
        self.last_activity = time.monotonic()

    def wait_quiet(self, page: Any, quiet_ms: float = 300, timeout_s: float = 10.0) -> bool:
        """Wait until no loopback request has been in flight for `quiet_ms`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            idle = (time.monotonic() - self.last_activity) * 1000
            if not self.inflight and idle >= quiet_ms:
                return True
            page.wait_for_timeout(50)  # lets Playwright dispatch the network events
        return False

    def fresh(self) -> Recorder:
        self.current = Recorder()
        return self.current


def attach_tap(context: Any) -> Tap:
    """Abort every non-loopback request on `context` and record it; record everything else."""
    tap = Tap()

    def route(route: Any) -> None:
        url = route.request.url
        if is_loopback(url):
            route.fallback()
        else:
            tap.current.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", route)

    def on_request(req: Any) -> None:
        tap.last_activity = time.monotonic()
        if is_loopback(req.url) and not req.url.startswith(("data:", "blob:")):
            tap.current.requests.append(req)
            tap.inflight.add(req)

    def on_finished(req: Any) -> None:
        tap.last_activity = time.monotonic()
        tap.inflight.discard(req)

    def on_failed(req: Any) -> None:
        on_finished(req)
        if is_loopback(req.url):
            tap.current.failed.append(f"{req.url} ({req.failure})")

    def on_response(resp: Any) -> None:
        if resp.status >= 400 and is_loopback(resp.url):
            tap.current.failed.append(f"{resp.url} (HTTP {resp.status})")

    context.on("request", on_request)
    context.on("requestfinished", on_finished)
    context.on("requestfailed", on_failed)
    context.on("response", on_response)
    return tap


def attach_console(page: Any, tap: Tap) -> None:
    def on_console(msg: Any) -> None:
        if msg.type == "error":
            loc = msg.location or {}
            where = f" @ {loc.get('url', '')}:{loc.get('lineNumber', '')}" if loc else ""
            tap.current.console_errors.append(f"{msg.text}{where}")

    page.on("console", on_console)
    page.on("pageerror", lambda err: tap.current.page_errors.append(str(err)))


def new_context(browser: Any, **kwargs: Any) -> tuple[Any, Tap]:
    """A fresh context (empty cache and storage) whose network is loopback only."""
    opts: dict[str, Any] = {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"}
    opts.update(kwargs)
    context = browser.new_context(**opts)
    context.set_default_timeout(20000)
    return context, attach_tap(context)


# --------------------------------------------------------------------------------------------
# In-page state
# --------------------------------------------------------------------------------------------

JS_MATH_STATE = r"""
() => {
  const outer = [...document.querySelectorAll("mjx-container:not(mjx-assistive-mml mjx-container)")];
  const untypeset = [...document.querySelectorAll(".md-content .arithmatex")]
    .filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 80));
  const errors = [...document.querySelectorAll("mjx-merror, [data-mjx-error]")]
    .map(e => (e.getAttribute("data-mjx-error") || e.textContent || "").slice(0, 120));
  // Typeset, but not drawn with MathJax's font (its stylesheet missing, e.g. after instant
  // navigation) or with no size, or without the MathML that screen readers read.
  const unstyled = outer.filter(c => {
    const glyph = c.querySelector("mjx-c");
    const box = c.getBoundingClientRect();
    return !glyph || !getComputedStyle(glyph).fontFamily.startsWith("MJX-")
      || (c.checkVisibility() && !(box.width > 0 && box.height > 0))
      || !c.querySelector("mjx-assistive-mml math");
  }).map(c => (c.querySelector("mjx-assistive-mml") || c).textContent.slice(0, 60));
  // Raw TeX left in visible text (outside code, scripts and typeset math). In a notebook's
  // Markdown, a pair of single dollars is TeX too.
  const raw = [];
  const skip = "pre, code, script, style, textarea, mjx-container, .md-search, .md-clipboard";
  const root = document.querySelector(".md-content") || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest(skip)) continue;
    if (!p.checkVisibility()) continue;
    const t = n.textContent;
    for (const tok of ["$$", "\\(", "\\[", "\\begin{"]) {
      const i = t.indexOf(tok);
      if (i >= 0) raw.push(tok + " in: " + t.slice(Math.max(0, i - 30), i + 50).trim());
    }
    const d = p.closest(".jp-MarkdownOutput") && t.match(/\$[^$\s][^$]*\$/);
    if (d) raw.push("$ in: " + d[0].slice(0, 60));
  }
  return {outer: outer.length, untypeset, errors, unstyled, raw};
}
"""


def wait_for_math(page: Any, expected: int, timeout_ms: float = 20000) -> float | None:
    """Wait until every formula is typeset; return ms since navigation start, or None."""
    if expected == 0:
        return None
    js = """(expected) => {
      const n = document.querySelectorAll(
        "mjx-container:not(mjx-assistive-mml mjx-container)").length;
      const pending = [...document.querySelectorAll(".md-content .arithmatex")]
        .some(e => !e.querySelector("mjx-container"));
      return n >= expected && !pending ? performance.now() : false;
    }"""
    try:
        handle = page.wait_for_function(js, arg=expected, polling="raf", timeout=timeout_ms)
        return float(handle.json_value())
    except Exception:
        return None


# One diagram, inspected from its root (an element, or a ShadowRoot when Material renders it):
# how many SVGs, its text, and every text label with the colour it is drawn in and the colour
# it is drawn on.
JS_DIAGRAM_FN = (
    JS_COLOR_LIB
    + r"""
function diagramInfo(root) {
  // A pre-rendered diagram holds one SVG per palette; only the one on show counts.
  const shown = root.querySelectorAll ? [...root.querySelectorAll(".mermaid-light, .mermaid-dark")]
    .find(e => e.checkVisibility()) : null;
  if (shown) root = shown;
  const items = [];
  for (const el of root.querySelectorAll("span, p, div, text, tspan")) {
    if (el.closest("style, title, desc")) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3)
      .map(n => n.textContent).join("").trim();
    if (!own) continue;
    items.push({
      text: own,
      fg: textColor(el),
      bg: effectiveBg(el),
      // Nodes the author hid on purpose (the seed's `classDef invisible`).
      invisible: !!el.closest("g.invisible"),
      kind: el.closest("g.node") ? "node" : el.closest("g.edgeLabel, .edgeLabel") ? "edge" : "other",
    });
  }
  const svgs = root.querySelectorAll("svg");
  const box = svgs.length ? svgs[0].getBoundingClientRect() : {width: 0, height: 0};
  return {svgs: svgs.length, text: root.textContent.replace(/\s+/g, " ").trim(),
          items, width: box.width, height: box.height};
}
"""
)

JS_INLINE_DIAGRAMS = (
    "() => {"
    + JS_DIAGRAM_FN
    + r"""
  // Diagrams in the page itself (pre-rendered SVG from site_build/html/diagrams.py). Material's own
  // renderer uses a closed shadow root instead; those are found through CDP.
  const hosts = [...document.querySelectorAll(".md-content .mermaid-diagram, .md-content .mermaid")]
    .filter(e => !e.parentElement.closest(".mermaid-diagram, .mermaid"));
  // A Material host (div.mermaid) keeps its SVG in a closed shadow root: not counted here.
  const material = h => h.matches("div.mermaid") && !h.querySelector("svg");
  return hosts.filter(h => !h.shadowRoot && !material(h)).map(h => Object.assign(diagramInfo(h),
    {mode: "inline", tag: h.tagName.toLowerCase()}));
}
"""
)

JS_SHADOW_DIAGRAM = "function() {" + JS_DIAGRAM_FN + "return diagramInfo(this); }"


def shadow_roots_of_diagrams(cdp: Any) -> list[tuple[int, str]]:
    """(backendNodeId, mode) of each shadow root hosted by a `.mermaid` element, found by
    piercing closed shadow roots with CDP DOM.getDocument."""
    doc = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    found: list[tuple[int, str]] = []

    def walk(node: dict[str, Any]) -> None:
        attrs = node.get("attributes") or []
        classes = dict(zip(attrs[::2], attrs[1::2], strict=False)).get("class", "").split()
        if {"mermaid", "mermaid-diagram"} & set(classes):
            for sr in node.get("shadowRoots") or []:
                found.append((sr["backendNodeId"], sr.get("shadowRootType", "")))
        for child in node.get("children") or []:
            walk(child)
        for sr in node.get("shadowRoots") or []:
            walk(sr)

    walk(doc)
    return found


def call_on_node(cdp: Any, backend_node_id: int, function: str) -> Any:
    """Run a JS function declaration with `this` bound to the node; return its value."""
    obj = cdp.send("DOM.resolveNode", {"backendNodeId": backend_node_id})["object"]
    try:
        res = cdp.send(
            "Runtime.callFunctionOn",
            {"objectId": obj["objectId"], "functionDeclaration": function, "returnByValue": True},
        )
    finally:
        cdp.send("Runtime.releaseObject", {"objectId": obj["objectId"]})
    if "exceptionDetails" in res:
        raise RuntimeError(str(res["exceptionDetails"]))
    return res["result"].get("value")


def diagrams_now(page: Any, cdp: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = list(page.evaluate(JS_INLINE_DIAGRAMS))
    # A closed shadow root is invisible to page scripts, but its host is not. Piercing the
    # whole document through CDP is slow on a page with hundreds of formulas, so only do it
    # when some diagram host has no diagram of its own in the light DOM.
    hosts = page.evaluate(
        "document.querySelectorAll('.md-content :is(.mermaid, .mermaid-diagram)').length"
    )
    if hosts == len(found) and all(d["svgs"] for d in found):
        return found
    for backend_id, mode in shadow_roots_of_diagrams(cdp):
        info = call_on_node(cdp, backend_id, JS_SHADOW_DIAGRAM)
        info["mode"] = f"shadow-{mode}"
        found.append(info)
    return found


DIAGRAM_HOSTS = ".md-content :is(.mermaid-diagram, pre.mermaid, div.mermaid)"


def reveal_diagrams(page: Any, cdp: Any, expected: int, timeout_s: float = 20.0) -> list[Any]:
    """Scroll each diagram into view in turn, as a reader does (a renderer that waits for the
    viewport would show up here), wait until all are rendered, and scroll back up."""
    if expected:
        hosts = page.locator(DIAGRAM_HOSTS)
        for i in range(hosts.count()):
            hosts.nth(i).scroll_into_view_if_needed()
            page.wait_for_timeout(50)  # let the IntersectionObserver fire
    found = wait_for_diagrams(page, cdp, expected, timeout_s)
    page.evaluate("window.scrollTo(0, 0)")
    return found


def wait_for_diagrams(page: Any, cdp: Any, expected: int, timeout_s: float = 20.0) -> list[Any]:
    """Poll until `expected` diagrams hold an SVG; return what is there at the end."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = diagrams_now(page, cdp)
        if expected == 0 or sum(1 for d in found if d["svgs"] > 0) >= expected:
            return found
        if time.monotonic() > deadline:
            return found
        time.sleep(0.1)


JS_MATH_COLORS = (
    "() => {"
    + JS_COLOR_LIB
    + r"""
  return [...document.querySelectorAll("mjx-container:not(mjx-assistive-mml mjx-container)")]
    .map(el => ({text: (el.querySelector("mjx-assistive-mml") || el).textContent.slice(0, 40),
                 fg: textColor(el), bg: effectiveBg(el)}));
}
"""
)


def rgb(c: list[float]) -> tuple[float, float, float]:
    return (float(c[0]), float(c[1]), float(c[2]))


# WCAG AA for normal-size text.
MIN_CONTRAST = 4.5
# A node the author styled invisible (the seed's `classDef invisible`) must stay invisible.
MAX_INVISIBLE_CONTRAST = 1.5


def contrast_problems(math_colors: list[Any], diagrams: list[Any]) -> list[str]:
    """Formulas and diagram labels whose text does not stand out from what it is drawn on."""
    bad = []
    for m in math_colors:
        ratio = contrast_ratio(rgb(m["fg"]), rgb(m["bg"]))
        if ratio < MIN_CONTRAST:
            bad.append(f"formula {m['text']!r} contrast {ratio:.2f}")
    for i, d in enumerate(diagrams):
        for item in d.get("items", []):
            ratio = contrast_ratio(rgb(item["fg"]), rgb(item["bg"]))
            colours = f"(fg {item['fg'][:3]} on {item['bg'][:3]})"
            if item["invisible"]:
                if ratio > MAX_INVISIBLE_CONTRAST:
                    bad.append(
                        f"diagram {i + 1}: label {item['text']!r} of a node styled invisible "
                        f"shows with contrast {ratio:.2f} {colours}"
                    )
            elif ratio < MIN_CONTRAST:
                bad.append(
                    f"diagram {i + 1}: {item['kind']} label {item['text']!r} contrast "
                    f"{ratio:.2f} {colours}"
                )
    return bad


# --------------------------------------------------------------------------------------------
# Accessibility audit: axe-core (node_modules/axe-core, fetched by scripts/vendor.py, never
# part of the site), injected into the page under test.
# --------------------------------------------------------------------------------------------

AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# Every impact fails, moderate and minor included: the site has none (issue 13 asked for no
# serious or critical ones; the last moderate ones, landmark-unique, are fixed).
AXE_FAILING_IMPACTS = {"minor", "moderate", "serious", "critical"}
# Rules that are wrong about our markup, each with the reason (reviewed; keep it short).
AXE_ALLOWED: dict[str, str] = {}

JS_AXE_RUN = r"""
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags},
                                          resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), html: n.html.slice(0, 160),
                              summary: (n.failureSummary || "").slice(0, 240)})),
  }));
}
"""


# site_build/html/lazy_blocks.py gives blocks far down a page `content-visibility: auto`. A skipped block
# has no layout, so axe would not see its colours or sizes: render every block before axe runs.
CSS_RENDER_ALL = ".md-typeset [data-bp-lazy] { content-visibility: visible !important; }"


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (every impact), every block rendered."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text("utf-8"))
    if not page.evaluate("!!document.getElementById('bp-render-all')"):
        page.add_style_tag(content=CSS_RENDER_ALL).evaluate("e => { e.id = 'bp-render-all'; }")
        # Let the theme's resize observers see the blocks just rendered (Material sets a code
        # block's tabindex from its size) before axe looks.
        page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        page.wait_for_timeout(100)
    return list(page.evaluate(JS_AXE_RUN, AXE_TAGS))


def failing_violations(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The violations (of an impact in AXE_FAILING_IMPACTS) that no AXE_ALLOWED entry excuses."""
    return [
        v for v in violations if v["impact"] in AXE_FAILING_IMPACTS and v["id"] not in AXE_ALLOWED
    ]


def describe_violations(where: str, violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for v in violations:
        first = v["nodes"][0] if v["nodes"] else {"target": "", "summary": ""}
        lines.append(
            f"{where}: {v['id']} ({v['impact']}, {len(v['nodes'])} nodes): {v['help']}; "
            f"first: {first['target']} -- {first['summary'][:160]}"
        )
    return lines


# --------------------------------------------------------------------------------------------
# Records shared by the fixtures and the tests
# --------------------------------------------------------------------------------------------


@dataclass
class Server:
    origin: str  # "http://127.0.0.1:PORT/"
    root: Path
    site_url: str  # site_url the site was built with (from sitemap.xml)
    pages: list[str]  # absolute URLs on `origin`, in sitemap order
    sources: dict[str, PageSource] = field(default_factory=dict, repr=False)
    html: dict[str, str] = field(default_factory=dict, repr=False)

    def path_of(self, url: str) -> str:
        return "/" + url.removeprefix(self.origin)


@dataclass
class Visit:
    """What one page did and showed in one palette."""

    url: str
    scheme: str
    source: PageSource = field(repr=False)
    rec: Recorder = field(repr=False)
    load_ms: float = 0.0
    typeset_ms: float | None = None
    math: dict[str, Any] = field(default_factory=dict)  # JS_MATH_STATE
    math_colors: list[dict[str, Any]] = field(default_factory=list)
    diagrams: list[dict[str, Any]] = field(default_factory=list)
    code_blocks: dict[str, Any] = field(default_factory=dict)
    images: list[dict[str, Any]] = field(default_factory=list)
    scheme_attr: str | None = None
    screenshot: str = ""
    sizes: list[tuple[str, int]] = field(default_factory=list, repr=False)  # path, bytes
    initial_sizes: list[tuple[str, int]] = field(default_factory=list, repr=False)
    problems: list[str] = field(default_factory=list)  # timeouts while waiting to render
    axe: list[dict[str, Any]] = field(default_factory=list)  # axe-core violations, any impact
    timings: dict[str, float] = field(default_factory=dict)  # harness phases, ms

    @property
    def bytes(self) -> int:
        return sum(n for _, n in self.sizes)

    @property
    def initial_bytes(self) -> int:
        """Bytes of the first view, before the reader scrolls to any diagram."""
        return sum(n for _, n in self.initial_sizes)

    @property
    def path(self) -> str:
        return "/" + self.url.split("/", 3)[3]


@dataclass
class DarkRun:
    before: str | None
    after: str | None
    toggle_rec: Recorder
    visits: dict[str, Visit]
