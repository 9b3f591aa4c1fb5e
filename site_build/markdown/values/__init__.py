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
from functools import cache, partial
from pathlib import Path

from site_build.cache import CACHE, ROOT, code_files, digest, environment, fresh, store

from . import worked_example_page
from .measures import VALUES
from .template import TemplateError, Value, fill

__all__ = ["VALUES", "TemplateError", "fill_page", "page_values"]

WORKED_EXAMPLE = "worked_example.md"


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


def page_values(src_uri: str, wheel: str) -> dict[str, Value]:
    """Every value the page `src_uri` may use; a measurement is made when a page asks for it."""
    table: dict[str, Value] = {name: partial(lambda n: measured()[n], name) for name in VALUES}
    table["wheel"] = wheel
    if src_uri == WORKED_EXAMPLE:
        table |= worked_example_page.values()
    return table


def fill_page(markdown: str, src_uri: str, wheel: str) -> str:
    """`markdown` with every placeholder filled; raises `TemplateError` naming the page."""
    return fill(markdown, page_values(src_uri, wheel), src_uri)
