"""Build step: typeset every page's math when the site builds, so readers run no MathJax.

Where the TeX is, in the HTML that MkDocs writes:

* ``pymdownx.arithmatex`` (``generic: true``) puts each formula of a Markdown page, and of the
  API reference's docstrings, in ``<span class="arithmatex">\\(...\\)</span>`` or
  ``<div class="arithmatex">\\[...\\]</div>``: exactly one formula per element;
* mkdocs-jupyter keeps a notebook's Markdown cell as ``<div class="... jp-MarkdownOutput" ...>``
  with the author's ``$...$`` and ``$$...$$`` in its text.

`fragments` finds these elements. A `Typesetter` is one run of ``scripts/typeset.mjs``
(MathJax 4 in Node) for a whole build: `Typesetter.add` hands it a page's fragments, which Node
typesets at once, on the other core, while MkDocs goes on building the site; `finish` collects
every page, and `splice` puts the typeset HTML back. The typeset formulas need one
stylesheet, written once for the whole site (`CSS_PATH`) and linked from every page
(``extra_css`` in mkdocs.yml): it needs the glyphs of every page, so it comes last.

The build fails (`TypesetError`) on a TeX error, naming the page and the formula, and when an
arithmatex element does not hold exactly one formula after typesetting (TeX that MathJax
could not even delimit, such as an unbalanced brace, would otherwise reach the reader raw).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from line_worker import LineWorker

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "typeset.mjs"
# The site-wide stylesheet of the typeset math, relative to the site directory.
CSS_PATH = "assets/stylesheets/mathjax.css"
# The CommonHTML font's woff2 files (scripts/vendor.py), relative to the stylesheet.
FONT_URL = "../vendor/mathjax-newcm-font/chtml/woff2"
# TeX input options for every page, e.g. {"macros": {"R": "\\mathbb{R}"}}.
TEX_OPTIONS: dict[str, object] = {}

_START = re.compile(
    r'<(?P<tag>span|div)\b[^>]*\bclass="(?P<cls>[^"]*)"[^>]*>',
)
_TAG = re.compile(r"<(/?)(span|div)\b[^>]*>")


class TypesetError(RuntimeError):
    """A formula that cannot be typeset; the message names the page and the formula."""


@dataclass(frozen=True)
class Fragment:
    """The inner HTML of one element that holds TeX: ``html[start:end]``."""

    start: int
    end: int
    kind: str  # "arithmatex" (exactly one formula) or "notebook" (any number)


def _close(html: str, tag: str, pos: int) -> int:
    """Offset of the ``</tag>`` that closes the element whose content starts at `pos`."""
    depth = 1
    for m in _TAG.finditer(html, pos):
        if m.group(2) != tag:
            continue
        depth += -1 if m.group(1) else 1
        if depth == 0:
            return m.start()
    raise TypesetError(f"unclosed <{tag}> at offset {pos}")


def fragments(html: str) -> list[Fragment]:
    """Every arithmatex element and notebook Markdown cell in `html`, in document order."""
    found: list[Fragment] = []
    pos = 0
    while True:
        m = _START.search(html, pos)
        if m is None:
            return found
        classes = m.group("cls").split()
        kind = (
            "arithmatex"
            if "arithmatex" in classes
            else "notebook"
            if "jp-MarkdownOutput" in classes
            else None
        )
        if kind is None:
            pos = m.end()
            continue
        end = _close(html, m.group("tag"), m.end())
        found.append(Fragment(m.end(), end, kind))
        pos = end


def splice(html: str, found: Sequence[Fragment], typeset: Sequence[str]) -> str:
    """`html` with each fragment's inner HTML replaced by its typeset form."""
    out, last = [], 0
    for frag, new in zip(found, typeset, strict=True):
        out += [html[last : frag.start], new]
        last = frag.end
    out.append(html[last:])
    return "".join(out)


# V8's optimizing compiler (TurboFan) compiles MathJax's hot functions on background threads. A
# build's MathJax runs for two or three seconds, too short for that to pay back: without it, the
# site's math took about 0.85 s less CPU time in Node (2.3 s instead of 3.1 s; 2026-12-03), in
# the same time, and typeset to the same bytes. Sparkplug, the quick baseline compiler, stays on.
NODE_FLAGS = ["--no-turbofan"]


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        raise TypesetError(
            "Node.js is not installed; it typesets the math (apt-get install nodejs)"
        )
    if not (ROOT / "node_modules" / "mathjax" / "package.json").is_file():
        raise TypesetError("node_modules/mathjax is missing: run `make vendor`")
    return node


class Typesetter:
    """One MathJax process (scripts/typeset.mjs) that typesets the pages of one build.

    `add` returns at once: a thread writes the page to Node, which typesets it while the build
    goes on. `finish` waits for Node and checks every page; `close` stops Node early (a build
    that failed). Node answers only after the last page, when the stylesheet is known."""

    def __init__(self) -> None:
        node = _node()
        # name -> the inner HTML and kind of each math element last sent for that page
        self._sent: dict[str, list[tuple[str, str]]] = {}
        # What was sent, in order, as Node answers: (name, its math elements).
        self._order: list[tuple[str, list[tuple[str, str]]]] = []
        self._worker = LineWorker([node, *NODE_FLAGS, str(SCRIPT)], cwd=ROOT, name="typeset")
        self._send({"fontURL": FONT_URL, "tex": TEX_OPTIONS})

    def _send(self, message: dict[str, object]) -> None:
        self._worker.send(message)

    def add(self, name: str, html: str, *, again: bool = False) -> None:
        """Typeset the math of the page `html`; `name` (e.g. its source path) names it in error
        messages and in `finish`'s answer. A page without math is not sent. With `again`, the
        page replaces what was added under `name` before (its HTML changed since)."""
        if name in self._sent and not again:
            raise ValueError(f"typeset_math: the page {name} was added twice")
        found = fragments(html)
        self._sent[name] = [(html[f.start : f.end], f.kind) for f in found]
        if found:
            self._order.append((name, self._sent[name]))
            self._send({"name": name, "fragments": [raw for raw, _ in self._sent[name]]})

    def sent(self, name: str) -> list[str]:
        """The inner HTML of the math elements of page `name`, as `add` sent them, in order."""
        return [raw for raw, _ in self._sent[name]]

    def finish(self) -> tuple[dict[str, list[str]], str]:
        """Wait for Node. Returns ({name: the typeset inner HTML of each of its math elements}
        for each page that holds math, the site's math CSS); raises `TypesetError` on a TeX
        error or a formula MathJax did not find. `splice` puts a page's answer in its HTML."""
        returncode, out, err = self._worker.finish()
        if returncode != 0:
            raise TypesetError(f"scripts/typeset.mjs failed:\n{err.strip()[-4000:]}")
        answer = json.loads(out)
        typeset: dict[str, list[str]] = {}
        problems: list[str] = []
        for (name, sent), page in zip(self._order, answer["pages"], strict=True):
            if sent is not self._sent[name]:
                continue  # sent again later: that answer counts
            for error in page["errors"]:
                problems.append(f"{name}: TeX error in {error['tex']!r}: {error['message']}")
            for (raw, kind), result in zip(sent, page["fragments"], strict=True):
                if kind == "arithmatex" and result["formulas"] != 1:
                    problems.append(
                        f"{name}: MathJax found {result['formulas']} formulas in {raw!r}, which "
                        "should hold exactly one (unbalanced braces or delimiters?)"
                    )
            typeset[name] = [result["html"] for result in page["fragments"]]
        if problems:
            raise TypesetError("cannot typeset the math:\n  " + "\n  ".join(problems))
        return typeset, str(answer["css"])

    def close(self) -> None:
        """Stop Node if it still runs (the build failed before `finish`)."""
        self._worker.close()


def typeset_pages(pages: dict[str, str]) -> tuple[dict[str, str], str]:
    """Typeset the math of every page; `pages` maps a page's name (used in error messages,
    e.g. its source path) to its HTML. Returns ({name: typeset HTML}, the site's math CSS).
    Pages without math come back unchanged."""
    typesetter = Typesetter()
    try:
        for name, html in pages.items():
            typesetter.add(name, html)
        typeset, css = typesetter.finish()
    finally:
        typesetter.close()
    out = dict(pages)
    for name, new in typeset.items():
        out[name] = splice(pages[name], fragments(pages[name]), new)
    return out, css


def write_site(site_dir: Path, pages: dict[Path, str], css: str) -> None:
    """Write the typeset `pages` ({HTML file: its HTML}) and the site's math stylesheet."""
    for path, html in pages.items():
        path.write_text(html, "utf-8")
    css_file = site_dir / CSS_PATH
    css_file.parent.mkdir(parents=True, exist_ok=True)
    css_file.write_text(css, "utf-8")
