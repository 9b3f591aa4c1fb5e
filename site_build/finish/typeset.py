"""Build step: typeset every page's math when the site builds, so readers run no MathJax.

The TeX is in ``pymdownx.arithmatex`` elements (``<span class="arithmatex">\\(...\\)</span>``,
``<div class="arithmatex">\\[...\\]</div>``: one formula each) and in notebook Markdown cells
(``<div class="... jp-MarkdownOutput">`` with the author's ``$...$`` and ``$$...$$``).
`fragments` finds them; `typeset_pages` typesets every page's fragments in one run of
``typeset.mjs`` (MathJax 4 in Node), cached under the key of what was sent; `splice_page` puts
the result into each page as MkDocs writes it, after Material's search has indexed the TeX.
The formulas share one stylesheet (`CSS_PATH`, in ``extra_css``).

`TypesetError` names the page and the formula: a TeX error, or an arithmatex element that does
not hold exactly one formula (unbalanced TeX that MathJax could not even delimit).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from site_build import BuildError
from site_build.cache import CACHE, ROOT, digest, environment, fresh, store

SCRIPT = Path(__file__).with_name("typeset.mjs")
# The site-wide stylesheet of the typeset math, relative to the site directory.
CSS_PATH = "assets/stylesheets/mathjax.css"
# The CommonHTML font's woff2 files (scripts/vendor.py), relative to the stylesheet.
FONT_URL = "../vendor/mathjax-newcm-font/chtml/woff2"
# TeX input options for every page, e.g. {"macros": {"R": "\\mathbb{R}"}}.
TEX_OPTIONS: dict[str, object] = {}

# The start tag of a math element: its tag, and the class that makes it one.
_START = re.compile(
    r'<(span|div)\b[^>]*\bclass="[^"]*(?<![\w-])(arithmatex|jp-MarkdownOutput)(?![\w-])[^"]*"[^>]*>'
)
_TAG = re.compile(r"<(/?)(span|div)\b[^>]*>")


class TypesetError(BuildError):
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
    while (m := _START.search(html, pos)) is not None:
        pos = _close(html, m.group(1), m.end())
        found.append(
            Fragment(m.end(), pos, "arithmatex" if m.group(2) == "arithmatex" else "notebook")
        )
    return found


def splice(html: str, found: Sequence[Fragment], typeset: Sequence[str]) -> str:
    """`html` with each fragment's inner HTML replaced by its typeset form."""
    out, last = [], 0
    for frag, new in zip(found, typeset, strict=True):
        out += [html[last : frag.start], new]
        last = frag.end
    out.append(html[last:])
    return "".join(out)


# A run of a few seconds is too short for V8's optimizing compiler to pay back its CPU time.
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


def _run_node(message_lines: list[dict[str, object]]) -> dict[str, object]:
    node = _node()
    text = "".join(json.dumps(m) + "\n" for m in message_lines)
    proc = subprocess.run(
        [node, *NODE_FLAGS, str(SCRIPT)],
        input=text.encode(),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        err = proc.stderr.decode("utf-8", "replace").strip()[-4000:]
        raise TypesetError(f"{SCRIPT.name} failed:\n{err}")
    answer: dict[str, object] = json.loads(proc.stdout)
    return answer


@dataclass(frozen=True)
class PageMath:
    """One page's math elements: their inner HTML as found (`raw`) and as typeset (`html`)."""

    raw: list[str]
    html: list[str]


def typeset_pages(
    pages: dict[str, str], cache_file: Path = CACHE / "typeset.json"
) -> tuple[dict[str, PageMath], str]:
    """Typeset the math of every page in one run of MathJax. `pages` maps a page's name (used
    in error messages, e.g. its source path) to its HTML. Returns ({name: its PageMath} for
    each page that holds math, the site's math CSS); `splice_page` puts a page's math in."""
    _node()  # a clear message if Node or MathJax is missing, cached or not
    sent: dict[str, list[tuple[str, str]]] = {}
    for name, html in pages.items():
        found = fragments(html)
        if found:
            sent[name] = [(html[f.start : f.end], f.kind) for f in found]
    messages: list[dict[str, object]] = [{"fontURL": FONT_URL, "tex": TEX_OPTIONS}]
    messages += [{"name": n, "fragments": [raw for raw, _ in frags]} for n, frags in sent.items()]
    version = (ROOT / "node_modules" / "mathjax" / "package.json").read_bytes()
    key = digest("typeset v1", json.dumps(messages), SCRIPT, version, environment())
    if fresh(cache_file, key):
        answer = json.loads(cache_file.read_text("utf-8"))
    else:
        answer = _run_node(messages)
        _check(sent, answer)
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        cache_file.write_text(json.dumps(answer), "utf-8")
        store(cache_file, key)
    math = {
        name: PageMath([raw for raw, _ in frags], [r["html"] for r in page["fragments"]])
        for (name, frags), page in zip(sent.items(), answer["pages"], strict=True)
    }
    return math, str(answer["css"])


def splice_page(html: str, math: PageMath | None, where: str) -> str:
    """The page `html` as MkDocs writes it, with its typeset math in place of the TeX. Its math
    elements must be those that were typeset (the theme adds no math of its own)."""
    found = fragments(html)
    raw = [html[f.start : f.end] for f in found]
    if raw != (math.raw if math is not None else []):
        raise TypesetError(
            f"{where}: the math elements of the page as written are not those of its content "
            "that were typeset; did a step or the theme add or change math after on_env?"
        )
    return splice(html, found, math.html) if math is not None else html


def _check(sent: dict[str, list[tuple[str, str]]], answer: dict[str, object]) -> None:
    """Raise `TypesetError` listing every TeX error and every arithmatex element that does not
    hold exactly one formula."""
    problems: list[str] = []
    for (name, frags), page in zip(sent.items(), answer["pages"], strict=True):  # type: ignore[call-overload]
        for error in page["errors"]:
            problems.append(f"{name}: TeX error in {error['tex']!r}: {error['message']}")
        for (raw, kind), result in zip(frags, page["fragments"], strict=True):
            if kind == "arithmatex" and result["formulas"] != 1:
                problems.append(
                    f"{name}: MathJax found {result['formulas']} formulas in {raw!r}, which "
                    "should hold exactly one (unbalanced braces or delimiters?)"
                )
    if problems:
        raise TypesetError("cannot typeset the math:\n  " + "\n  ".join(problems))
