"""mathcheck: evaluate a page's own TeX equations on values recorded from the package.

`check_page(text, page, fill)` reads a Markdown page exactly as written, parses each display
equation (and the formulas of its equation tables) with the grammar in ``tex.lark``, evaluates
every side on real networks built with `backprop` (float64), checks filled-in numbers as
arithmetic to the rounding shown, and reports each disagreement, each shape that does not fit,
and each equation it does not evaluate, with the reason.
"""

from .check import PageReport, Result, check_page

__all__ = ["PageReport", "Result", "check_page"]
