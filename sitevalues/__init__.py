"""Numbers about the code that a page states, computed when the site builds.

A page writes ``{{ name }}`` in its prose; :func:`fill` replaces it with ``VALUES[name]()``,
computed once per build from the package itself (see :mod:`sitevalues.measures`). An unknown
name is an error, so a typo never reaches a reader as a literal ``{{ ... }}``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .measures import VALUES

TOKEN = re.compile(r"\{\{\s*([a-z][a-z0-9_]*)\s*\}\}")

__all__ = ["TOKEN", "VALUES", "UnknownValueError", "fill"]


class UnknownValueError(KeyError):
    """A page asks for a value that :data:`VALUES` does not define."""


def fill(markdown: str, page: str, values: dict[str, Callable[[], str]] | None = None) -> str:
    """Return ``markdown`` with every ``{{ name }}`` replaced by its computed value.

    ``page`` only names the page in the error message. Each value is computed once per
    process (the functions in :mod:`sitevalues.measures` cache their results).
    """
    table = VALUES if values is None else values

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in table:
            line = markdown.count("\n", 0, match.start()) + 1
            raise UnknownValueError(
                f"{page}:{line}: unknown computed value {{{{ {name} }}}}; "
                f"known values: {', '.join(sorted(table))}"
            )
        return table[name]()

    return TOKEN.sub(one, markdown)
