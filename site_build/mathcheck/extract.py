"""Find the formulas of a Markdown page, exactly as written: display equations (``$$ ... $$``
blocks, also indented inside tabs and admonitions), the headings above them, the tables whose
cells hold inline formulas, and the inline formulas of the prose (``$ ... $``), which may state
what the page's symbols are (`mathcheck.page`). Fenced code blocks and code spans are skipped."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Display:
    line: int  # 1-based line of the opening $$
    tex: str
    end: int  # 1-based line of the closing $$
    headings: tuple[str, ...]  # the headings it sits under, outermost first
    lead: tuple[str, ...] = ()  # the inline formulas of the paragraph that leads into it


@dataclass(frozen=True)
class Inline:
    """An inline formula of the prose or of a table cell."""

    line: int
    tex: str
    headings: tuple[str, ...]
    in_table: bool


@dataclass(frozen=True)
class Table:
    line: int  # 1-based line of the header row
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, cells)
    headings: tuple[str, ...]


def _is_fence(stripped: str) -> bool:
    return stripped.startswith("```") or stripped.startswith("~~~")


def _cells(stripped: str) -> tuple[str, ...]:
    inner = stripped.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") else inner
    return tuple(cell.strip() for cell in inner.split("|"))


def inline_formulas(cell: str) -> list[str]:
    """The ``$...$`` formulas of a table cell, in order."""
    parts = cell.split("$")
    return [parts[i] for i in range(1, len(parts) - 1, 2)]


_RULE = re.compile(r"\|\s*:?-+")  # a table's header rule: |---| or | --- | or |:--|
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_INLINE = re.compile(r"(?<![$\\])\$(?!\$)((?:[^$\\]|\\.)+?)\$(?!\$)", re.S)


def prose_formulas(text: str) -> list[str]:
    """The ``$...$`` formulas of some prose, in order (not inside code spans)."""
    return [m.group(1) for m in _INLINE.finditer(_CODE_SPAN.sub("", text))]


def scan(text: str) -> tuple[list[Display], list[Table]]:
    displays, tables, _ = scan_all(text)
    return displays, tables


def scan_all(text: str) -> tuple[list[Display], list[Table], list[Inline]]:
    """The display equations, the tables and the inline formulas of a Markdown page."""
    displays: list[Display] = []
    tables: list[Table] = []
    inline: list[Inline] = []
    headings: dict[int, str] = {}
    lines = text.splitlines()
    in_fence = False
    paragraph: list[tuple[int, str]] = []  # (line, text) of the current paragraph
    lead: tuple[str, ...] = ()  # the formulas of the last paragraph

    def close_paragraph() -> None:
        nonlocal paragraph, lead
        if not paragraph:
            return
        joined = "\n".join(t for _, t in paragraph)
        clean = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), joined)
        found = []
        for m in _INLINE.finditer(clean):
            line = paragraph[0][0] + clean.count("\n", 0, m.start())
            inline.append(Inline(line, m.group(1), context, False))
            found.append(m.group(1))
        lead = tuple(found)
        paragraph = []

    context: tuple[str, ...] = ()
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if _is_fence(stripped):
            close_paragraph()
            lead = ()
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            i += 1
            continue
        if raw.startswith("#"):
            close_paragraph()
            lead = ()
            level = len(raw) - len(raw.lstrip("#"))
            headings = {lv: h for lv, h in headings.items() if lv < level}
            headings[level] = raw[level:].strip()
        context = tuple(headings[lv] for lv in sorted(headings))
        if raw.startswith("#"):
            i += 1
            continue
        if stripped.startswith("$$"):
            close_paragraph()
            start = i
            body = stripped[2:]
            if body.rstrip().endswith("$$"):
                displays.append(Display(start + 1, body.rstrip()[:-2], start + 1, context, lead))
                lead = ()
                i += 1
                continue
            chunk = [body]
            i += 1
            while i < len(lines) and not lines[i].strip().endswith("$$"):
                chunk.append(lines[i])
                i += 1
            if i < len(lines):
                chunk.append(lines[i].strip()[:-2])
            displays.append(Display(start + 1, "\n".join(chunk), i + 1, context, lead))
            lead = ()
            i += 1
            continue
        if (
            stripped.startswith("|")
            and i + 1 < len(lines)
            and _RULE.match(lines[i + 1].strip()) is not None
        ):
            close_paragraph()
            lead = ()
            header = _cells(stripped)
            start = i
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                cells = _cells(lines[i].strip())
                rows.append((i + 1, cells))
                for cell in cells:
                    for tex in inline_formulas(_CODE_SPAN.sub("", cell)):
                        inline.append(Inline(i + 1, tex, context, True))
                i += 1
            tables.append(Table(start + 1, header, tuple(rows), context))
            continue
        if stripped:
            paragraph.append((i + 1, raw))
        else:
            close_paragraph()
        i += 1
    close_paragraph()
    return displays, tables, inline


def notebook_markdown(text: str) -> str:
    """The Markdown cells of a jupytext percent notebook (``# %% [markdown]``, lines ``# ...``),
    with every other line blank, so line numbers stay those of the ``.py`` file."""
    out = []
    in_markdown = False
    for line in text.splitlines():
        if line.startswith("# %%"):
            in_markdown = "[markdown]" in line
            out.append("")
        elif in_markdown and (line == "#" or line.startswith("# ")):
            out.append(line[2:])
        else:
            out.append("")
    return "\n".join(out)
