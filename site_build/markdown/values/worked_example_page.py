"""Fill docs/worked_example.md: the package's numbers, the code that made them, the graph."""

from __future__ import annotations

import inspect
import re
import textwrap
from functools import cache

from . import compgraph, worked_example
from .template import fill


def section(source: str, name: str) -> str:
    """The lines between ``# --8<-- [start:name]`` and ``# --8<-- [end:name]``, dedented."""
    match = re.search(
        rf"^[ \t]*# --8<-- \[start:{name}\]\n(.*?)^[ \t]*# --8<-- \[end:{name}\]",
        source,
        flags=re.S | re.M,
    )
    if match is None:
        raise ValueError(f"no section {name!r} in site_build/markdown/values/worked_example.py")
    return textwrap.dedent(match.group(1)).strip("\n")


def code_shown() -> str:
    """What the page shows of worked_example.py: the recorder, the network and the step."""
    source = inspect.getsource(worked_example)
    return "\n\n\n".join(section(source, name) for name in ("recorder", "network", "step"))


@cache
def values() -> dict[str, float | str]:
    """Every placeholder of the page: numbers, the code block and the figure's HTML."""
    example = worked_example.compute()
    out: dict[str, float | str] = dict(worked_example.page_values(example))
    out["code_one_step"] = code_shown()
    out["compgraph_figure"] = compgraph.figure_html(example.full)
    return out


def render(markdown: str, where: str = "worked_example.md") -> str:
    """The page's Markdown with every placeholder filled."""
    return fill(markdown, values(), where)
