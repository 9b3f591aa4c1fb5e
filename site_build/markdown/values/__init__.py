"""Build step: the numbers a page states about the code, computed from the package at build time.

A page writes ``{{ name }}`` (``{{ name | p }}`` wraps a negative number in parentheses) and
`fill_page` replaces it, with one grammar for every page (`template.fill`):

* every page: the measurements of :mod:`.measures` (error ranges, counts), cached under the
  key of the package's and this folder's code (`measured`), and ``wheel``, the file name of
  the package's wheel that the site offers;
* ``worked_example.md`` also: the about 130 numbers of its one training step, the code that
  made them and its computational graph (:mod:`.worked_example_page`).

An unknown name is an error naming the page and line, so a typo never reaches a reader.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path

from site_build.cache import CACHE, ROOT, code_files, digest, environment, fresh, store

from . import worked_example_page
from .measures import VALUES
from .template import TemplateError, fill

__all__ = ["VALUES", "TemplateError", "fill_page", "page_values"]

WORKED_EXAMPLE = "worked_example.md"


class _Lazy(Mapping[str, float | str]):
    """A mapping whose values are computed when a page asks for them."""

    def __init__(self, table: dict[str, Callable[[], float | str]]) -> None:
        self.table = table

    def __getitem__(self, name: str) -> float | str:
        return self.table[name]()

    def __contains__(self, name: object) -> bool:
        return name in self.table

    def __iter__(self) -> Iterator[str]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


@cache
def measured(cache_file: Path = CACHE / "values.json") -> dict[str, str]:
    """Every value of :data:`VALUES`, measured again only when the code changed."""
    here = Path(__file__).parent
    key = digest("values v1", code_files(ROOT / "src"), code_files(here), environment())
    if fresh(cache_file, key):
        values: dict[str, str] = json.loads(cache_file.read_text("utf-8"))
        return values
    values = {name: measure() for name, measure in VALUES.items()}
    cache_file.parent.mkdir(parents=True, exist_ok=True)
    cache_file.write_text(json.dumps(values), "utf-8")
    store(cache_file, key)
    return values


def page_values(src_uri: str, wheel: str) -> Mapping[str, float | str]:
    """Every value the page `src_uri` may use."""
    table: dict[str, Callable[[], float | str]] = {
        name: lambda name=name: measured()[name]  # type: ignore[misc]
        for name in VALUES
    }
    table["wheel"] = lambda: wheel
    if src_uri == WORKED_EXAMPLE:
        for name, value in worked_example_page.values().items():
            table[name] = lambda value=value: value  # type: ignore[misc]
    return _Lazy(table)


def fill_page(markdown: str, src_uri: str, wheel: str) -> str:
    """`markdown` with every placeholder filled; raises `TemplateError` naming the page."""
    return fill(markdown, page_values(src_uri, wheel), src_uri)
