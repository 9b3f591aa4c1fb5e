"""Find the formulas of a Markdown page, exactly as written: display equations (``$$ ... $$``
blocks, also indented inside tabs and admonitions), the headings above them, and the tables
whose cells hold inline formulas. Fenced code blocks are skipped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Display:
    line: int  # 1-based line of the opening $$
    tex: str
    end: int  # 1-based line of the closing $$
    headings: tuple[str, ...]  # the headings it sits under, outermost first


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


def scan(text: str) -> tuple[list[Display], list[Table]]:
    displays: list[Display] = []
    tables: list[Table] = []
    headings: dict[int, str] = {}
    lines = text.splitlines()
    in_fence = False
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if _is_fence(stripped):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence:
            i += 1
            continue
        if raw.startswith("#"):
            level = len(raw) - len(raw.lstrip("#"))
            headings = {lv: h for lv, h in headings.items() if lv < level}
            headings[level] = raw[level:].strip()
        context = tuple(headings[lv] for lv in sorted(headings))
        if stripped.startswith("$$"):
            start = i
            body = stripped[2:]
            if body.rstrip().endswith("$$"):
                displays.append(Display(start + 1, body.rstrip()[:-2], start + 1, context))
                i += 1
                continue
            chunk = [body]
            i += 1
            while i < len(lines) and not lines[i].strip().endswith("$$"):
                chunk.append(lines[i])
                i += 1
            if i < len(lines):
                chunk.append(lines[i].strip()[:-2])
            displays.append(Display(start + 1, "\n".join(chunk), i + 1, context))
            i += 1
            continue
        if (
            stripped.startswith("|")
            and i + 1 < len(lines)
            and lines[i + 1].strip().startswith("|-")
        ):
            header = _cells(stripped)
            start = i
            rows = []
            i += 2
            while i < len(lines) and lines[i].strip().startswith("|"):
                rows.append((i + 1, _cells(lines[i].strip())))
                i += 1
            tables.append(Table(start + 1, header, tuple(rows), context))
            continue
        i += 1
    return displays, tables


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
