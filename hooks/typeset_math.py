"""Build step: typeset every page's math when the site builds, so readers run no MathJax.

Where the TeX is, in the HTML that MkDocs writes:

* ``pymdownx.arithmatex`` (``generic: true``) puts each formula of a Markdown page, and of the
  API reference's docstrings, in ``<span class="arithmatex">\\(...\\)</span>`` or
  ``<div class="arithmatex">\\[...\\]</div>``: exactly one formula per element;
* mkdocs-jupyter keeps a notebook's Markdown cell as ``<div class="... jp-MarkdownOutput" ...>``
  with the author's ``$...$`` and ``$$...$$`` in its text.

`fragments` finds these elements; `typeset_pages` hands the inner HTML of all of them, for all
pages at once, to ``scripts/typeset.mjs`` (MathJax 4 in Node: one process per build, since
starting MathJax costs more than typesetting a page), and `splice` puts the typeset HTML back.
The typeset formulas need one stylesheet, written once for the whole site (`CSS_PATH`) and
linked from every page (``extra_css`` in mkdocs.yml).

The build fails (`TypesetError`) on a TeX error, naming the page and the formula, and when an
arithmatex element does not hold exactly one formula after typesetting (TeX that MathJax
could not even delimit, such as an unbalanced brace, would otherwise reach the reader raw).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

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


def run_node(request: dict[str, object]) -> dict[str, object]:
    """Run scripts/typeset.mjs on `request`; return its answer."""
    node = shutil.which("node")
    if node is None:
        raise TypesetError(
            "Node.js is not installed; it typesets the math (apt-get install nodejs)"
        )
    if not (ROOT / "node_modules" / "mathjax" / "package.json").is_file():
        raise TypesetError("node_modules/mathjax is missing: run `make vendor`")
    proc = subprocess.run(
        [node, str(SCRIPT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise TypesetError(f"scripts/typeset.mjs failed:\n{proc.stderr.strip()[-4000:]}")
    answer: dict[str, object] = json.loads(proc.stdout)
    return answer


def typeset_pages(pages: dict[str, str]) -> tuple[dict[str, str], str]:
    """Typeset the math of every page; `pages` maps a page's name (used in error messages,
    e.g. its source path) to its HTML. Returns ({name: typeset HTML}, the site's math CSS).
    Pages without math come back unchanged."""
    found = {name: fragments(html) for name, html in pages.items()}
    with_math = [name for name in pages if found[name]]
    request = {
        "fontURL": FONT_URL,
        "tex": TEX_OPTIONS,
        "pages": [
            {"name": name, "fragments": [pages[name][f.start : f.end] for f in found[name]]}
            for name in with_math
        ],
    }
    answer = run_node(request)
    out = dict(pages)
    problems: list[str] = []
    for page in answer["pages"]:  # type: ignore[attr-defined]
        name = page["name"]
        for err in page["errors"]:
            problems.append(f"{name}: TeX error in {err['tex']!r}: {err['message']}")
        typeset = page["fragments"]
        for frag, result in zip(found[name], typeset, strict=True):
            if frag.kind == "arithmatex" and result["formulas"] != 1:
                raw = pages[name][frag.start : frag.end]
                problems.append(
                    f"{name}: MathJax found {result['formulas']} formulas in {raw!r}, which "
                    "should hold exactly one (unbalanced braces or delimiters?)"
                )
        out[name] = splice(pages[name], found[name], [r["html"] for r in typeset])
    if problems:
        raise TypesetError("cannot typeset the math:\n  " + "\n  ".join(problems))
    return out, str(answer["css"])


def typeset_site(site_dir: Path, names: dict[Path, str]) -> int:
    """Typeset the math of the built pages `names` ({HTML file: name for messages}) in place
    and write the site's math stylesheet. Returns the number of pages that hold math."""
    pages = {name: path.read_text("utf-8") for path, name in names.items()}
    typeset, css = typeset_pages(pages)
    changed = 0
    for path, name in names.items():
        if typeset[name] != pages[name]:
            path.write_text(typeset[name], "utf-8")
            changed += 1
    css_file = site_dir / CSS_PATH
    css_file.parent.mkdir(parents=True, exist_ok=True)
    css_file.write_text(css, "utf-8")
    return changed
