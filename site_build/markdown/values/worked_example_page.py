"""Fill docs/worked_example.md: the package's numbers, the code that made them, the graph.

The numbers come from the page's own program, ``docs/worked_example.py``, which the page shows
in excerpts and which runs the example with the package (`program`).
"""

from __future__ import annotations

import re
import sys
import textwrap
from functools import cache
from pathlib import Path
from types import ModuleType

from . import compgraph
from .template import fill

PROGRAM = Path(__file__).resolve().parents[3] / "docs" / "worked_example.py"


def program() -> ModuleType:
    """``docs/worked_example.py`` as a module, run again whenever its text changed."""
    return _run(PROGRAM.read_text("utf-8"))


@cache
def _run(text: str) -> ModuleType:
    module = ModuleType("worked_example")
    module.__file__ = str(PROGRAM)
    sys.modules[module.__name__] = module  # its dataclasses look their module up
    exec(compile(text, PROGRAM, "exec"), module.__dict__)
    return module


def section(source: str, name: str) -> str:
    """The lines between ``# --8<-- [start:name]`` and ``# --8<-- [end:name]``, dedented."""
    match = re.search(
        rf"^[ \t]*# --8<-- \[start:{name}\]\n(.*?)^[ \t]*# --8<-- \[end:{name}\]",
        source,
        flags=re.S | re.M,
    )
    if match is None:
        raise ValueError(f"no section {name!r} in docs/worked_example.py")
    return textwrap.dedent(match.group(1)).strip("\n")


def code_shown() -> str:
    """What the page shows of worked_example.py: the recorder, the network and the step."""
    source = PROGRAM.read_text("utf-8")
    return "\n\n\n".join(section(source, name) for name in ("recorder", "network", "step"))


def values() -> dict[str, float | str]:
    """Every placeholder of the page: numbers, the code block and the figure's HTML."""
    return _values(program())


@cache
def _values(worked_example: ModuleType) -> dict[str, float | str]:
    example = worked_example.compute()
    out: dict[str, float | str] = dict(worked_example.page_values(example))
    out["code_one_step"] = code_shown()
    out["compgraph_figure"] = compgraph.figure_html(example.full)
    return out


def render(markdown: str, where: str = "worked_example.md") -> str:
    """The page's Markdown with every placeholder filled."""
    return fill(markdown, values(), where)
