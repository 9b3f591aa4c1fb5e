"""Build step: the display math of one source file, checked against the package.

`check_source` reads a file exactly as written (a Markdown page, an exercise fragment, or the
Markdown cells of a jupytext percent notebook), parses each display equation with the grammar of
`site_build.mathcheck`, and checks every ``=`` of it:

* **Formulas** (the notation's symbols: ``\\delta^{(k)}``, ``W^{(2)}_{21}``, ``\\partial\\ell /
  \\partial a^{(1)}``) are evaluated on small networks built with the package, from its own
  forward values, gradients and deltas, at every layer where they hold; both sides must agree to
  a relative error below 1e-12, and shapes must fit with no broadcasting. A page whose tables
  state all the numbers of its own network (the worked example) is read on a network of the same
  sizes, activations and loss with random values.
* **A formula and shown numbers** (``\\delta^{(2)}_1 = 0.74 \\cdot 0.75 \\cdot (1 - 0.75) =
  0.1385``): the formula is evaluated on the network the page shows, built with the package from
  the numbers its tables state, and each shown side must allow that value.
* **Shown numbers on both sides** are arithmetic that must hold to the rounding shown.

**The rounding shown.** A page rounds its numbers to a fixed number of decimals and drops the
trailing zeros (the worked example: 9 decimals, so ``0.15`` is 0.150000000). In one display
equation, every number written with a decimal point is therefore read as rounded to the most
decimals that equation shows, D: the value v stands for the interval [v - u, v + u] with
u = 0.5 * 10^-D. Numbers without a decimal point (the 1 of ``1 - 0.75``, the 2 of
``\\frac{2}{2}``, an exponent) and constants the page states (``$\\eta = 0.5$``) are exact. A
side is evaluated in interval arithmetic (sums add bounds; products, quotients, powers and e^x
take the extremes over their factors' intervals), and two sides agree when their intervals meet,
so a side agrees within its own half unit plus what its rounded factors allow. A formula's exact
value must lie in the interval of every shown side of its chain.

An equation that parses and evaluates but disagrees raises `MathCheckError`, naming the file and
the equation (its ``\\tag`` and lines). One that cannot be evaluated (an approximation, a name the
notation does not have, an elision such as ``\\cdots``) is listed by `Report.log_lines` with the
reason. TeX that does not parse is an error: the grammar reads all of the site's math.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from site_build import BuildError
from site_build.mathcheck.check import PageReport, Result, check_page


class MathCheckError(BuildError):
    """Display equations of one file disagree; the message names the file and each equation."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class Report:
    """The outcome for one file: each display equation, each equation-table formula."""

    name: str
    displays: list[Result]
    tables: list[Result] = field(default_factory=list)
    cpu_seconds: float = 0.0

    @property
    def evaluated(self) -> int:
        """How many display equations were evaluated (every side compared, all holding)."""
        return sum(r.evaluated for r in self.displays)

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.displays + self.tables if r.errors]

    def log_lines(self) -> list[str]:
        """The coverage summary and every equation not evaluated, with its reason; nothing for a
        file without display math or equation tables."""
        if not self.displays and not self.tables:
            return []
        return PageReport(self.name, self.displays, self.tables).summary()

    def failure_text(self) -> str:
        return PageReport(self.name, self.displays, self.tables).failure_text()


def check_source(name: str, text: str, fill: Callable[[str], str] | None = None) -> Report:
    """Check the display math of one source file, read exactly as written.

    name: the path shown in messages, e.g. "docs/worked_example.md"; a name ending in .py is a
        jupytext percent notebook (only its Markdown cells are read; line numbers stay those of
        the .py file).
    fill: applied to each display equation's TeX (and to the inline formulas that state the
        page's numbers) before it is parsed, to fill its ``{{ name }}`` placeholders. Line numbers
        in messages are those of ``text``.
    Raises MathCheckError listing every failing equation of this file.
    """
    start = time.process_time()
    page = check_page(text, name, fill)
    report = Report(name, page.displays, page.tables, time.process_time() - start)
    if report.failures:
        raise MathCheckError(report.failure_text(), report)
    return report
