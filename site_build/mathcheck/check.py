"""Check a page: every display equation, and the inline formulas of the tables that state
equations (a table with "equation" and "shape" columns, the shape ledger with "column form" and
"batch form" columns), on every network and layer where they hold."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from . import ast
from .bind import (
    BATCH_NAMES,
    KNOWN,
    OUTPUT_NAMES,
    RTOL,
    AbsentError,
    CheckError,
    Env,
    index_letters,
    symbols,
    walk,
)
from .evaluate import evaluate, index_range
from .extract import Display, Table, inline_formulas, notebook_markdown, scan
from .networks import Network, has_bce, networks
from .parse import TexSyntaxError, parse_equation, parse_shape

# Which losses a section is about, from its heading (innermost first): the binding of sections.
SECTION_LOSSES = (
    (("binary cross-entropy", "bce", "with logits"), ("bce",)),
    (("softmax", "cross-entropy"), ("ce",)),
    (("squared error", "mse"), ("mse",)),
)

# The shape ledger's rows: what its column-form and batch-form cells must equal.
LEDGER = {
    "input": ("a^{(k-1)}", "A^{(k-1)}"),
    "weights": ("W^{(k)}", "W^{(k)}"),
    "bias": ("b^{(k)}", "b^{(k)}"),
    "pre-activation": ("z^{(k)}", "Z^{(k)}"),
    "error": ("\\delta^{(k)}", "\\Delta^{(k)}"),
    "bp3": ("\\partial\\ell/\\partial W^{(k)}", "\\partial\\mathcal{L}/\\partial W^{(k)}"),
    "bp4, bias": ("\\partial\\ell/\\partial b^{(k)}", "\\partial\\mathcal{L}/\\partial b^{(k)}"),
    "bp4, input": (
        "\\partial\\ell/\\partial a^{(k-1)}",
        "\\partial\\mathcal{L}/\\partial A^{(k-1)}",
    ),
}


@dataclass
class Result:
    """One display equation or table formula: evaluated (ok or not), or skipped with a reason."""

    label: str  # its \tag, or "line N"
    line: int
    tex: str
    evaluated: bool = False
    errors: list[str] = field(default_factory=list)
    reason: str = ""  # why it was not evaluated
    checks: int = 0  # (network, sample, k) combinations evaluated


@dataclass
class PageReport:
    page: str
    displays: list[Result]
    tables: list[Result]

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.displays + self.tables if r.errors]

    def summary(self) -> list[str]:
        n = sum(r.evaluated for r in self.displays)
        t = sum(r.evaluated for r in self.tables)
        line = f"math check: {self.page}: {n} of {len(self.displays)} display equations evaluated"
        if self.tables:
            line += f" (and {t} of {len(self.tables)} formulas of its equation tables)"
            if not self.displays:
                line = f"math check: {self.page}: no display equations; {t} of {len(self.tables)} formulas of its equation tables evaluated"
        out = [line]
        for r in self.displays + self.tables:
            if not r.evaluated and not r.errors:
                out.append(f"  not evaluated: {r.label}: {r.reason}")
        return out

    def failure_text(self) -> str:
        parts = []
        for r in self.failures:
            parts.append(f"math check: {self.page}, equation {r.label}: " + "; ".join(r.errors))
        return "\n".join(parts)


@dataclass
class Claim:
    """A statement to check, with how to read it."""

    statement: ast.Statement
    context: ast.Equation | None  # the whole equation (decides the reading of bare symbols)
    losses: tuple[str, ...] | None  # restrict to networks with these losses
    batch: bool | None = None  # force the form (ledger columns)
    shape_of_first: ast.Shape | None = None  # a table's shape column
    equal_to: ast.Node | None = None  # a ledger row's quantity


def section_losses(headings: tuple[str, ...]) -> tuple[str, ...] | None:
    for heading in reversed(headings):
        text = heading.lower()
        for words, losses in SECTION_LOSSES:
            if any(w in text for w in words):
                return losses
    return None


def _rel_error(x: Any, y: Any) -> float:
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    scale = max(float(np.abs(x).max(initial=0)), float(np.abs(y).max(initial=0)))
    if scale == 0:
        return 0.0
    return float(np.abs(x - y).max()) / scale


def _shape_str(v: Any) -> str:
    shape = np.shape(v)
    return " x ".join(map(str, shape)) if shape else "a scalar"


def _is_batch(statement: ast.Statement) -> bool:
    return any(sym.name in BATCH_NAMES or "s" in index_letters(sym) for sym in symbols(statement))


def _uses_k(node: Any) -> bool:
    for sym in symbols(node):
        if sym.layer is not None and sym.layer.var == "k":
            return True
        if sym.name in {"m", "n"} and "k" in sym.sub:
            return True
    return False


def _uses_output(node: Any) -> bool:
    for sym in symbols(node):
        if sym.name in OUTPUT_NAMES:
            return True
        if sym.layer is not None and sym.layer.var == "L":
            return True
        if sym.name in {"m", "n"} and "L" in sym.sub:
            return True
    return False


def _applies_sigma(node: Any) -> bool:
    return any(s.name == "\\sigma" for s in symbols(node))


@cache
def _free_indices(statement: ast.Statement) -> list[str]:
    bound = {n.index for n in walk(statement) if isinstance(n, ast.Sum)}
    free: list[str] = []
    for sym in symbols(statement):
        for letter in index_letters(sym):
            if letter not in bound and letter not in free:
                free.append(letter)
    return free


def _unknown(statement: ast.Statement) -> list[str]:
    out = []
    for sym in symbols(statement):
        if sym.name not in KNOWN and sym.name not in out and sym.name != "T":
            out.append(sym.name)
    return out


# Unbound names a formula may define (the reason it is not evaluated): Greek letters and
# \mathrm{...} words. Any other unknown command is a typo (\detla) and fails the check.
GREEK = {
    "\\alpha",
    "\\beta",
    "\\gamma",
    "\\epsilon",
    "\\varepsilon",
    "\\eta",
    "\\theta",
    "\\lambda",
    "\\mu",
    "\\nu",
    "\\rho",
    "\\tau",
    "\\phi",
    "\\psi",
    "\\omega",
}


ELISIONS = ("\\cdots", "\\dots", "\\ldots", "\\vdots", "\\ddots")


def _may_define(name: str, unknown: list[str]) -> bool:
    if name not in unknown:
        return False
    return name in GREEK or not name.startswith("\\")


def _dims(shape: ast.Shape, env: Env) -> tuple[int, ...]:
    rows = int(evaluate(shape.rows, env))
    cols = 1 if shape.cols is None else int(evaluate(shape.cols, env))
    return (rows, cols)


def _check_once(claim: Claim, env: Env) -> list[str]:
    """Evaluate a claim at one (network, sample, k, current layer): its errors."""
    st = claim.statement
    members = list(st.members)
    if claim.equal_to is not None:
        members.append(claim.equal_to)
    free = _free_indices(st)
    env.idx = {}
    ranges = [range(index_range(i, st, env)) for i in free]
    values: list[list[Any]] = [[] for _ in members]
    for combo in itertools.product(*ranges):
        env.idx = dict(zip(free, combo, strict=True))
        if st.unequal and env.idx.get(st.unequal[0]) == env.idx.get(st.unequal[1]):
            continue
        for slot, member in zip(values, members, strict=True):
            slot.append(evaluate(member, env))
    env.idx = {}
    where = f"network {env.net.name}" + (f", k = {env.k}" if env.k is not None else "")
    if not env.batch:
        where += f", sample {env.s + 1}"
    errors = []
    for j in range(len(members) - 1):
        left, right = values[j], values[j + 1]
        for lv, rv in zip(left, right, strict=True):
            if np.shape(lv) != np.shape(rv):
                errors.append(
                    f"side {j + 1} is {_shape_str(lv)} but side {j + 2} is {_shape_str(rv)} ({where})"
                )
                break
        else:
            err = _rel_error(left, right)
            if not err < RTOL:
                errors.append(
                    f"sides {j + 1} and {j + 2} differ: relative error {err:.2e} ({where})"
                )
    for shape, targets in ((st.space, values), (claim.shape_of_first, values[:1])):
        if shape is None:
            continue
        want = _dims(shape, env)
        for slot in targets:
            got = np.shape(slot[0])
            if got != want:
                errors.append(
                    f"claimed shape {want[0]} x {want[1]}, but it is {_shape_str(slot[0])} ({where})"
                )
    return errors


def check_claim(claim: Claim, nets: tuple[Network, ...]) -> tuple[int, list[str], str]:
    """(evaluated combinations, errors, reason it was not evaluated)."""
    st = claim.statement
    context: Any = claim.context if claim.context is not None else st
    batch = _is_batch(st) if claim.batch is None else claim.batch
    uses_k = _uses_k(st) or claim.equal_to is not None
    a_out = _applies_sigma(context)
    pinned = _uses_output(context)
    candidates = [n for n in nets if claim.losses is None or n.loss in claim.losses]
    if not candidates:
        if claim.losses == ("bce",) and not has_bce():
            return 0, [], "needs bp.BCEWithLogitsLoss, which the package does not have yet"
        return 0, [], f"no network with the loss {claim.losses}"
    count, errors, reasons = 0, [], []
    for net in candidates:
        # one-sample formulas on the first and the last sample (each network has N > 1)
        samples = [0] if batch else sorted({0, net.N - 1})
        ks: list[int | None] = list(range(1, net.L + 1)) if uses_k else [None]
        for k, s in itertools.product(ks, samples):
            kappas = [k] if k is not None else ([net.L] if pinned else range(1, net.L + 1))
            for kappa in kappas:
                env = Env(net, batch, s=s, k=k, kappa=kappa, a_out=a_out)
                try:
                    with np.errstate(all="ignore"):  # a nan or inf is a disagreement below
                        found = _check_once(claim, env)
                except AbsentError as why:
                    reasons.append(str(why))
                    continue
                except CheckError as error:
                    at = f"network {net.name}" + ("" if k is None else f", k = {k}")
                    errors.append(f"{error} ({at})")
                    return count, errors, ""
                except (ArithmeticError, ValueError, TypeError, IndexError) as error:
                    # TeX the evaluator has no reading for; reported, never a crash of the build
                    errors.append(f"cannot evaluate: {type(error).__name__}: {error}")
                    return count, errors, ""
                count += 1
                if found:
                    return count, found[:1], ""
    if not count:
        # no layer of any network has what it names: a wrong layer index, not a skip
        return 0, [f"holds nowhere: {reasons[0] if reasons else 'nothing to evaluate'}"], ""
    return count, errors, ""


def _claims_of(
    equation: ast.Equation, losses: tuple[str, ...] | None, standalone: bool
) -> tuple[list[Claim], list[str]]:
    """The statements that make a checkable claim, and reasons for those that do not."""
    claims, reasons = [], []
    for st in equation.statements:
        unknown = _unknown(st)
        elided = [name for name in ELISIONS if name in unknown]
        if elided:
            reasons.append(f"leaves terms out ({elided[0]}), so it has no value to compare")
            continue
        if "approx" in st.rels:
            reasons.append("an approximation (\\approx), not an identity")
            continue
        first = st.members[0]
        if unknown and isinstance(first, ast.Symbol) and _may_define(first.name, unknown):
            reasons.append(f"defines {first.name}, a quantity the networks do not have")
            continue
        if unknown:
            raise CheckError(f"unknown symbols {', '.join(unknown)}")
        if len(st.members) < 2 and st.space is None and not standalone:
            reasons.append("states nothing to compare")
            continue
        claims.append(Claim(st, equation, losses))
    return claims, reasons


def check_display(display: Display, nets: tuple[Network, ...]) -> Result:
    where = (
        f"line {display.line}"
        if display.end == display.line
        else f"lines {display.line}-{display.end}"
    )
    tag, errors, evaluated, reason, checks = _check_tex(
        display.tex, section_losses(display.headings), nets
    )
    label = f"({tag}) at {where}" if tag else where
    return Result(label, display.line, display.tex, evaluated, list(errors), reason, checks)


@cache
def _check_tex(
    tex: str, losses: tuple[str, ...] | None, nets: tuple[Network, ...]
) -> tuple[str | None, tuple[str, ...], bool, str, int]:
    """(tag, errors, evaluated, reason, checks) of one display equation; memoized, as it
    depends only on its TeX and section (planted-fault tests re-check unchanged pages)."""
    result = Result("", 0, tex)
    if "{{" in tex:
        return None, (), False, "a template: its {{ }} fields are filled in when the site builds", 0
    try:
        equation = parse_equation(tex)
    except TexSyntaxError as error:
        return None, (f"does not parse: {error}",), False, "", 0
    _run_claims(result, equation, losses, nets)
    return equation.tag, tuple(result.errors), result.evaluated, result.reason, result.checks


def _run_claims(
    result: Result,
    equation: ast.Equation,
    losses: tuple[str, ...] | None,
    nets: tuple[Network, ...],
    **extra: Any,
) -> None:
    try:
        standalone = extra.get("equal_to") is not None or extra.get("shape_of_first") is not None
        claims, reasons = _claims_of(equation, losses, standalone)
    except CheckError as error:
        result.errors.append(str(error))
        return
    for claim in claims:
        for key, value in extra.items():
            setattr(claim, key, value)
        count, errors, reason = check_claim(claim, nets)
        result.errors.extend(errors)
        result.checks += count
        if not count and not errors:
            reasons.append(reason)
    result.evaluated = not reasons and bool(claims) and not result.errors
    result.reason = "; ".join(dict.fromkeys(reasons))


def _is_column(header: str) -> bool:
    return "column form" in header or header.startswith("one sample")


def check_tables(tables: list[Table], nets: tuple[Network, ...]) -> list[Result]:
    out: list[Result] = []
    for table in tables:
        header = [h.lower() for h in table.header]
        losses = section_losses(table.headings)
        if "equation" in header and "shape" in header:
            eq_col, shape_col = header.index("equation"), header.index("shape")
            for line, cells in table.rows:
                formulas = inline_formulas(cells[eq_col])
                shapes = inline_formulas(cells[shape_col])
                for n, tex in enumerate(formulas):
                    label = f"{cells[0]} in the table at line {line}"
                    shape_tex = shapes[n] if n < len(shapes) else None
                    out.append(_table_formula(label, line, tex, shape_tex, losses, nets))
        elif any(_is_column(h) for h in header) and any(h.startswith("batch") for h in header):
            col = next(i for i, h in enumerate(header) if _is_column(h))
            bat = next(i for i, h in enumerate(header) if h.startswith("batch"))
            for line, cells in table.rows:
                quantity = LEDGER.get(cells[0].lower())
                for column, batch in ((col, False), (bat, True)):
                    for tex in inline_formulas(cells[column]):
                        label = f"{cells[0]}, {'batch' if batch else 'column'} form, in the ledger at line {line}"
                        has_shape = column + 1 < len(header) and "shape" in header[column + 1]
                        shapes = inline_formulas(cells[column + 1]) if has_shape else []
                        target = None if quantity is None else quantity[int(batch)]
                        out.append(
                            _table_formula(
                                label,
                                line,
                                tex,
                                shapes[0] if shapes else None,
                                losses,
                                nets,
                                batch=batch,
                                target=target,
                            )
                        )
    return out


def _table_formula(
    label: str,
    line: int,
    tex: str,
    shape_tex: str | None,
    losses: tuple[str, ...] | None,
    nets: tuple[Network, ...],
    batch: bool | None = None,
    target: str | None = None,
) -> Result:
    result = Result(label, line, tex)
    try:
        equation = parse_equation(tex)
        shape = parse_shape(shape_tex) if shape_tex else None
        equal_to = None
        if target is not None:
            (st,) = parse_equation(target).statements
            equal_to = st.members[0]
    except TexSyntaxError as error:
        result.errors.append(f"does not parse: {error}")
        return result
    is_equation = all(len(st.members) > 1 for st in equation.statements)
    if target is None and batch is not None and not is_equation:
        result.reason = "a ledger row this checker has no binding for"
        return result
    _run_claims(
        result, equation, losses, nets, batch=batch, shape_of_first=shape, equal_to=equal_to
    )
    return result


def check_page(text: str, page: str, strict: bool = True) -> PageReport:
    """Check every display equation and equation-table formula of a Markdown page (or of the
    Markdown cells of a jupytext notebook, if ``page`` ends in ``.py``).

    ``strict``: the page uses the derivation's notation throughout, so anything that does not
    parse, bind or hold is a failure. Otherwise (a page that may give symbols a meaning of its
    own, or fill numbers in with a template), such an equation is listed as not evaluated, with
    what went wrong as the reason.
    """
    if page.endswith(".py"):
        text = notebook_markdown(text)
    displays, tables = scan(text)
    nets = networks()
    report = PageReport(
        page,
        [check_display(d, nets) for d in displays],
        check_tables(tables, nets),
    )
    if not strict:
        for r in report.displays + report.tables:
            if r.errors:
                r.reason = "does not hold in the derivation's notation: " + r.errors[0]
                r.errors, r.evaluated = [], False
    return report
