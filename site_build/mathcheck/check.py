"""Check a page: every display equation, and the inline formulas of the tables that state
equations (a table with "equation" and "shape" columns, the shape ledger with "column form" and
"batch form" columns), on every network and layer where they hold.

A display equation is a chain of sides ``s1 = s2 = ...``; each ``=`` is checked by what its two
sides hold:

* formulas (symbols of the notation, or exact numbers such as the 0 of a derivative): evaluated
  on networks built with the package, exactly (relative error below 1e-12);
* a formula and shown numbers (decimals, such as the worked example's filled-in lines): the
  formula is evaluated on the network the page shows (`mathcheck.page`), and must lie within
  the interval the rounded numbers allow (`mathcheck.arith`);
* shown numbers on both sides: arithmetic to the rounding shown (`mathcheck.arith`).

``x \\leftarrow e`` is an update: with the update rule the page states (``\\theta \\leftarrow
\\theta - \\eta \\partial\\ell/\\partial\\theta``), ``e`` must equal the rule applied to ``x``.
A display that is one expression alone continues the sentence before it: it is compared with the
left side of the last inline equation of that paragraph (``\\ell = ...`` ... equals $$ e $$).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np

from . import arith, ast
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
from .extract import Display, Table, inline_formulas, notebook_markdown, scan_all
from .networks import Network, has_bce, networks, with_classes
from .page import PageFacts, read, section_classes, substitute
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

NO_FACTS = PageFacts(shown=None, shown_missing="", twin=None)


@dataclass
class Result:
    """One display equation or table formula: evaluated (ok or not), or skipped with a reason."""

    label: str  # its \\tag and lines, or "line N"
    line: int
    tex: str
    evaluated: bool = False
    errors: list[str] = field(default_factory=list)
    reason: str = ""  # why it was not evaluated (or which of its parts were not)
    checks: int = 0  # comparisons made: (network, sample, k) combinations, and arithmetic


@dataclass
class PageReport:
    page: str
    displays: list[Result]
    tables: list[Result]

    @property
    def failures(self) -> list[Result]:
        return [r for r in self.displays + self.tables if r.errors]

    @property
    def evaluated(self) -> int:
        return sum(r.evaluated for r in self.displays)

    def summary(self) -> list[str]:
        n = self.evaluated
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
    """Sides to compare on networks, with how to read them."""

    statement: ast.Statement
    context: ast.Equation | None  # the whole equation (decides the reading of bare symbols)
    losses: tuple[str, ...] | None  # restrict to networks with these losses
    batch: bool | None = None  # force the form (ledger columns)
    shape_of_first: ast.Shape | None = None  # a table's shape column
    equal_to: ast.Node | None = None  # a ledger row's quantity
    first_side: int = 1  # the number of the first member among the display's sides
    second_side: int = 0  # of the second member, when it does not follow the first
    shown: tuple[bool, ...] = ()  # which members are shown numbers (compared as intervals)
    unit: float = 0.0  # half a unit of the display's last shown decimal
    consts: tuple[tuple[str, float], ...] = ()
    where: str = ""  # how to name the network in messages


@dataclass(frozen=True)
class Context:
    """How a page's displays are read: the networks for formulas, and what the page states."""

    nets: tuple[Network, ...]
    facts: PageFacts = NO_FACTS
    classes: int | None = None  # the number of classes the section states


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
    shape = v.shape if isinstance(v, arith.Interval) else np.shape(v)
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
            if letter.isalpha() and letter not in bound and letter not in free:
                free.append(letter)
    return free


def _unknown(statement: ast.Statement, consts: tuple[tuple[str, float], ...] = ()) -> list[str]:
    names = {name for name, _ in consts}
    out = []
    for sym in symbols(statement):
        if (
            sym.name not in KNOWN
            and sym.name not in names
            and sym.name not in out
            and sym.name != "T"
        ):
            out.append(sym.name)
    return out


# Unbound names a formula may define (the reason it is not evaluated): Greek letters and
# \\mathrm{...} words. Any other unknown command is a typo (\\detla) and fails the check.
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


def _value(member: ast.Node, shown: bool, claim: Claim, env: Env) -> Any:
    if shown:
        return arith.Shown(claim.unit, dict(claim.consts))(member)
    return evaluate(member, env)


def _compare(lv: Any, rv: Any, left: int, right: int, where: str) -> str | None:
    """The error of one link of a chain, or None."""
    if isinstance(lv, arith.Interval) or isinstance(rv, arith.Interval):
        li = lv if isinstance(lv, arith.Interval) else arith.Interval.exact(lv)
        ri = rv if isinstance(rv, arith.Interval) else arith.Interval.exact(rv)
        if li.shape != ri.shape:
            return f"side {left} is {_shape_str(li)} but side {right} is {_shape_str(ri)} ({where})"
        if not arith.agree(li, ri):
            at = arith.worst(li, ri)
            return (
                f"sides {left} and {right} differ beyond the rounding shown: "
                f"{arith.show(li, at)} against {arith.show(ri, at)} ({where})"
            )
        return None
    if np.shape(lv) != np.shape(rv):
        return f"side {left} is {_shape_str(lv)} but side {right} is {_shape_str(rv)} ({where})"
    err = _rel_error(lv, rv)
    if not err < RTOL:
        return f"sides {left} and {right} differ: relative error {err:.2e} ({where})"
    return None


def _check_once(claim: Claim, env: Env) -> list[str]:
    """Evaluate a claim at one (network, sample, k, current layer): its errors."""
    st = claim.statement
    members = list(st.members)
    shown = list(claim.shown) or [False] * len(members)
    if claim.equal_to is not None:
        members.append(claim.equal_to)
        shown.append(False)
    free = _free_indices(st)
    env.idx = {}
    ranges = [range(index_range(i, st, env)) for i in free]
    values: list[list[Any]] = [[] for _ in members]
    for combo in itertools.product(*ranges):
        env.idx = dict(zip(free, combo, strict=True))
        if st.unequal and env.idx.get(st.unequal[0]) == env.idx.get(st.unequal[1]):
            continue
        for slot, member, is_shown in zip(values, members, shown, strict=True):
            slot.append(_value(member, is_shown, claim, env))
    env.idx = {}
    where = claim.where or f"network {env.net.name}"
    where += f", k = {env.k}" if env.k is not None else ""
    if not env.batch and env.net.N > 1:
        where += f", sample {env.s + 1}"
    errors = []
    first = claim.first_side
    for j in range(len(members) - 1):
        left, right = values[j], values[j + 1]
        for lv, rv in zip(left, right, strict=True):
            right_side = claim.second_side if claim.second_side and j == 0 else first + j + 1
            found = _compare(lv, rv, first + j, right_side, where)
            if found:
                errors.append(found)
                break
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
    consts = dict(claim.consts)
    for net in candidates:
        # one-sample formulas on the first and the last sample (each network has N > 1)
        samples = [0] if batch else sorted({0, net.N - 1})
        ks: list[int | None] = list(range(1, net.L + 1)) if uses_k else [None]
        for k, s in itertools.product(ks, samples):
            kappas = [k] if k is not None else ([net.L] if pinned else range(1, net.L + 1))
            for kappa in kappas:
                env = Env(net, batch, s=s, k=k, kappa=kappa, a_out=a_out, consts=consts)
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
    """The statements of a table formula that make a checkable claim, and reasons for those
    that do not (formulas only: a table's formulas hold no shown numbers)."""
    claims, reasons = [], []
    for st in equation.statements:
        reason = _unreadable(st, ())
        if reason:
            reasons.append(reason)
            continue
        if len(st.members) < 2 and st.space is None and not standalone:
            reasons.append("states nothing to compare")
            continue
        claims.append(Claim(st, equation, losses))
    return claims, reasons


def _unreadable(st: ast.Statement, consts: tuple[tuple[str, float], ...]) -> str:
    """Why a statement is not evaluated ("" if it is); raises CheckError for a typo."""
    unknown = _unknown(st, consts)
    elided = [name for name in ELISIONS if name in unknown]
    if elided:
        return f"leaves terms out ({elided[0]}), so it has no value to compare"
    if "approx" in st.rels:
        return "an approximation (\\approx), not an identity"
    first = st.members[0]
    if unknown and isinstance(first, ast.Symbol) and _may_define(first.name, unknown):
        return f"defines {first.name}, a quantity the networks do not have"
    if unknown:
        raise CheckError(f"unknown symbols {', '.join(unknown)}")
    return ""


def check_display(
    display: Display, ctx: Context, fill: Callable[[str], str] | None = None
) -> Result:
    where = (
        f"line {display.line}"
        if display.end == display.line
        else f"lines {display.line}-{display.end}"
    )
    tex = display.tex
    result = Result(where, display.line, tex)
    if "{{" in tex:
        if fill is None:
            result.errors.append("holds {{ }} placeholders, and no values were given to fill them")
            return result
        try:
            tex = fill(tex)
        except (ValueError, KeyError) as error:
            result.errors.append(f"its placeholders cannot be filled: {error}")
            return result
    tag, errors, evaluated, reason, checks = _check_tex(
        tex, section_losses(display.headings), ctx, display.lead
    )
    label = f"({tag}) at {where}" if tag else where
    return Result(label, display.line, tex, evaluated, list(errors), reason, checks)


def _lead(formulas: tuple[str, ...]) -> ast.Node | None:
    """The left side of the last inline equation of the lead-in paragraph, if it is a symbol."""
    for tex in reversed(formulas):
        try:
            equation = parse_equation(tex)
        except TexSyntaxError:
            continue
        for st in reversed(equation.statements):
            if len(st.members) > 1 and set(st.rels) == {"="}:
                first = st.members[0]
                if isinstance(first, ast.Symbol):
                    return first
    return None


@cache
def _check_tex(
    tex: str, losses: tuple[str, ...] | None, ctx: Context, lead_in: tuple[str, ...]
) -> tuple[str | None, tuple[str, ...], bool, str, int]:
    """(tag, errors, evaluated, reason, checks) of one display equation; memoized, as it
    depends only on its TeX, section and page facts (planted-fault tests re-check pages)."""
    try:
        equation = parse_equation(tex)
    except TexSyntaxError as error:
        return None, (f"does not parse: {error}",), False, "", 0
    statements = list(equation.statements)
    if len(statements) == 1 and len(statements[0].members) == 1 and statements[0].space is None:
        lead = _lead(lead_in)
        if lead is not None:
            only = statements[0]
            statements = [replace(only, members=(lead, only.members[0]), rels=("=",))]
    unit = 0.5 * 10.0 ** -arith.decimals(equation) if arith.decimals(equation) else 0.0
    errors: list[str] = []
    reasons: list[str] = []
    checks = 0
    for st in statements:
        try:
            count, found, why = _check_statement(st, equation, losses, ctx, unit)
        except CheckError as error:
            errors.append(str(error))
            continue
        checks += count
        errors.extend(found)
        reasons.extend(why)
    evaluated = not reasons and not errors and checks > 0
    return equation.tag, tuple(errors), evaluated, "; ".join(dict.fromkeys(reasons)), checks


def _kind(node: ast.Node, consts: dict[str, float]) -> str:
    """What a side holds: "formula" (symbols of the notation), "shown" (rounded numbers) or
    "exact" (numbers without decimals, the page's constants)."""
    if not arith.is_constant(node, consts):
        return "formula"
    return "shown" if arith.decimals(node) else "exact"


def _check_statement(
    st: ast.Statement,
    equation: ast.Equation,
    losses: tuple[str, ...] | None,
    ctx: Context,
    unit: float,
) -> tuple[int, list[str], list[str]]:
    """(comparisons, errors, reasons for links not compared) of one chain."""
    facts = ctx.facts
    reason = _unreadable(st, facts.consts)
    if reason:
        return 0, [], [reason]
    consts = dict(facts.consts)
    members = st.members
    kinds = [_kind(m, consts) for m in members]
    nets, claim_losses = _formula_networks(ctx, losses)
    base = Claim(st, equation, claim_losses, unit=unit, consts=facts.consts)
    if len(members) == 1:
        if st.space is None or kinds[0] != "formula":
            return 0, [], ["states nothing to compare"]
        count, errors, why = check_claim(base, nets)
        return count, errors, [why] if why else []
    count, errors, reasons = 0, [], []
    run: list[int] = []  # members joined by "=" that are compared on the networks
    # the formula a chain's shown numbers stand for: (side, node), the nearest one to the left
    anchor: tuple[int, ast.Node] | None = None

    def flush() -> None:
        nonlocal count, run
        if len(run) > 1:
            sub = replace(st, members=tuple(members[i] for i in run), rels=("=",) * (len(run) - 1))
            n, found, why = check_claim(replace(base, statement=sub, first_side=run[0] + 1), nets)
            count += n
            errors.extend(found)
            if why:
                reasons.append(why)
        run = []

    def pair(left: ast.Node, right: ast.Node, kl: str, kr: str, sides: tuple[int, int]) -> None:
        nonlocal count
        sub_st = ast.Statement((left, right), ("=",))
        n, found, why = _pair(sub_st, kl, kr, sides, base, nets, ctx)
        count += n
        errors.extend(found)
        reasons.extend(why)

    for j, rel in enumerate(st.rels):
        left, right = members[j], members[j + 1]
        kl, kr = kinds[j], kinds[j + 1]
        if kl == "formula":
            anchor = (j + 1, left)
        if rel == "assign":
            flush()
            if j != 0:
                raise CheckError("an update (\\leftarrow) after the first side")
            if facts.rule is None:
                reasons.append(
                    "an update (\\leftarrow), and the page states no update rule "
                    "(such as $\\theta \\leftarrow \\theta - \\eta\\, \\partial\\ell/\\partial\\theta$)"
                )
                anchor = None
                continue
            if not isinstance(left, ast.Symbol):
                raise CheckError("an update (\\leftarrow) of something that is not a symbol")
            rule = substitute(facts.rule[1], facts.rule[0], left)
            anchor = (1, rule)
            pair(rule, right, "formula", kr, (1, 2))
            continue
        if "shown" in (kl, kr) or kl == kr == "exact":
            flush()
            pair(left, right, kl, kr, (j + 1, j + 2))
            if kr == "shown" and kl != "formula" and anchor is not None:
                # the chain claims every side equal: each shown side against the formula
                pair(anchor[1], right, "formula", kr, (anchor[0], j + 2))
            continue
        if not run:
            run = [j]
        run.append(j + 1)
    flush()
    return count, errors, reasons


def _pair(
    st: ast.Statement,
    kl: str,
    kr: str,
    sides: tuple[int, int],
    base: Claim,
    nets: tuple[Network, ...],
    ctx: Context,
) -> tuple[int, list[str], list[str]]:
    """One link of a chain that involves shown numbers (or an update)."""
    shown = (kl != "formula", kr != "formula")
    claim = replace(base, statement=st, first_side=sides[0], shown=shown, second_side=sides[1])
    if "formula" not in (kl, kr):  # arithmetic: no network
        try:
            with np.errstate(all="ignore"):
                value = arith.Shown(base.unit, dict(base.consts))
                left, right = value(st.members[0]), value(st.members[1])
        except (ArithmeticError, ValueError, TypeError) as error:
            return 0, [f"cannot evaluate: {type(error).__name__}: {error}"], []
        found = _compare(left, right, sides[0], sides[1], "the numbers as shown")
        return 1, [found] if found else [], []
    if "shown" not in (kl, kr):  # an update compared with formulas
        count, errors, why = check_claim(claim, nets)
        return count, errors, [why] if why else []
    net = ctx.facts.shown
    if net is None:
        missing = ctx.facts.shown_missing or "the page's tables state no network's numbers"
        return 0, [], [f"compares a formula with shown numbers, and {missing}"]
    claim = replace(claim, losses=None, where="the network the page shows")
    count, errors, why = check_claim(claim, (net,))
    return count, errors, [why] if why else []


def _formula_networks(
    ctx: Context, losses: tuple[str, ...] | None
) -> tuple[tuple[Network, ...], tuple[str, ...] | None]:
    """The networks a page's formulas are read on, and the losses to keep."""
    if ctx.facts.twin is not None:
        return (ctx.facts.twin,), None
    return ctx.nets, losses


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


def check_page(text: str, page: str, fill: Callable[[str], str] | None = None) -> PageReport:
    """Check every display equation and equation-table formula of a Markdown page (or of the
    Markdown cells of a jupytext notebook, if ``page`` ends in ``.py``), as written.

    ``fill`` fills the ``{{ name }}`` placeholders of a display's TeX (and of the inline
    formulas that state the page's numbers) before they are read. Every equation that parses,
    binds and evaluates must hold; one that cannot be evaluated (an approximation, a name with
    no binding, an elision) is listed with the reason; TeX that does not parse fails.
    """
    if page.endswith(".py"):
        text = notebook_markdown(text)
    displays, tables, inline = scan_all(text)
    nets = networks()
    try:
        facts = read(page, text, inline, fill) if displays else NO_FACTS
    except CheckError as error:
        failed = Result("stating the page's numbers", 0, "", errors=[str(error)])
        return PageReport(page, [failed], [])
    results = []
    for display in displays:
        classes = section_classes(inline, display.headings)
        ctx = Context(_with_classes(nets, classes), facts, classes)
        results.append(check_display(display, ctx, fill))
    return PageReport(page, results, check_tables(tables, nets))


def _with_classes(nets: tuple[Network, ...], classes: int | None) -> tuple[Network, ...]:
    """A section that states $C = n$: its softmax has n classes."""
    if classes is None:
        return nets
    return tuple(with_classes(classes) if net.loss == "ce" else net for net in nets)
