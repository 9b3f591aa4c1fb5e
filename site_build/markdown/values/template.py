"""Fill a Markdown template's ``{{ name }}`` placeholders with numbers computed at build time.

``{{ name }}`` becomes ``values[name]``: a float is written with ``DECIMALS`` decimals and its
trailing zeros dropped (0.37749999999999995 -> ``0.3775``), a string is inserted as it is (for
example a figure's HTML). ``{{ name | p }}`` wraps a negative number in parentheses, for a
factor in a product: ``0.5 \\cdot (-0.0226)``. An unknown name, a malformed placeholder or a
``{{`` left over is an error, so a typo in the template fails the build instead of showing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping

DECIMALS = 9
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]\w*)\s*(?:\|\s*(\w+)\s*)?\}\}")


class TemplateError(ValueError):
    """A placeholder names no value, or is malformed."""


def number(value: float, decimals: int = DECIMALS) -> str:
    """``value`` with ``decimals`` decimals, trailing zeros dropped; ``-0`` is written ``0``."""
    if not math.isfinite(value):
        raise TemplateError(f"cannot show the non-finite value {value!r}")
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# A value, or a function that computes it when a page asks for it.
Value = float | str | Callable[[], float | str]


def fill(template: str, values: Mapping[str, Value], where: str = "template") -> str:
    """``template`` with every placeholder replaced; raises ``TemplateError`` naming ``where``."""

    def replace(match: re.Match[str]) -> str:
        name, flag = match.group(1), match.group(2)
        if name not in values:
            line = template.count("\n", 0, match.start()) + 1
            raise TemplateError(f"{where}:{line}: no value named {name!r} for {match.group(0)}")
        value = values[name]
        value = value() if callable(value) else value
        if isinstance(value, str):
            if flag:
                raise TemplateError(f"{where}: {match.group(0)}: flags apply to numbers only")
            return value
        text = number(float(value))
        if flag == "p":
            return f"({text})" if text.startswith("-") else text
        if flag is not None:
            raise TemplateError(f"{where}: {match.group(0)}: unknown flag {flag!r} (only 'p')")
        return text

    for m in re.finditer(r"\{\{", template):
        if not PLACEHOLDER.match(template, m.start()):
            line = template.count("\n", 0, m.start()) + 1
            snippet = template[m.start() : m.start() + 30].splitlines()[0]
            raise TemplateError(f"{where}:{line}: malformed placeholder {snippet!r}")
    # Each value is inserted once and never scanned again.
    return PLACEHOLDER.sub(replace, template)
