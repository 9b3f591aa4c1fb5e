"""Arithmetic on the numbers a page shows, to the rounding shown.

A number written with decimals (``0.593269992``) is a rounded value. A page rounds its numbers to
a fixed number of decimals and drops trailing zeros (``0.15`` is ``0.150000000``), so every
number of one display equation is read as rounded to the most decimals that equation shows:
with D decimals, a shown number v stands for some value in [v - u, v + u], u = 0.5 * 10^-D. A
number without a decimal point (the 1 of ``1 - 0.59``, the 2 of ``\\frac{2}{2}``, an exponent) is
exact, and so is a constant the page states (its learning rate).

Each side is evaluated in interval arithmetic: a sum adds the bounds, a product, a quotient, a
power or e^x takes the extreme values over the intervals of its factors, so the bounds of a side
hold whichever values the rounded numbers stood for. Two sides agree when their intervals meet
(with a margin of 1e-12 of their size for the floating-point evaluation of the bounds).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import ast
from .bind import FUNCTIONS, CheckError, walk
from .functions import sigmoid

Array = NDArray[np.float64]
SLACK = 1e-12


@dataclass(frozen=True)
class Interval:
    """[lo, hi], entry by entry: 0-d arrays for a number, 2-D for a matrix."""

    lo: Array
    hi: Array

    @staticmethod
    def exact(value: Any) -> Interval:
        v = np.asarray(value, dtype=np.float64)
        return Interval(v, v)

    @property
    def mid(self) -> Array:
        result: Array = (self.lo + self.hi) / 2
        return result

    @property
    def rad(self) -> Array:
        result: Array = (self.hi - self.lo) / 2
        return result

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.lo.shape)

    def __add__(self, other: Interval) -> Interval:
        _same_shape(self, other)
        return Interval(self.lo + other.lo, self.hi + other.hi)

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __mul__(self, other: Interval) -> Interval:
        if self.shape and other.shape:
            raise CheckError("a product of two matrices of shown numbers")
        ends = [self.lo * other.lo, self.lo * other.hi, self.hi * other.lo, self.hi * other.hi]
        return Interval(np.minimum.reduce(ends), np.maximum.reduce(ends))

    def reciprocal(self) -> Interval:
        if np.any((self.lo <= 0) & (self.hi >= 0)):
            raise CheckError("a division by a number that may be 0")
        return Interval(1 / self.hi, 1 / self.lo)

    def power(self, n: int) -> Interval:
        if n < 0:
            return self.reciprocal().power(-n)
        lo, hi = self.lo**n, self.hi**n
        if n % 2:
            return Interval(lo, hi)
        low = np.where((self.lo <= 0) & (self.hi >= 0), 0.0, np.minimum(lo, hi))
        return Interval(low, np.maximum(lo, hi))

    def monotone(self, f: Callable[[Array], Array]) -> Interval:
        """f of an increasing function, entry by entry."""
        return Interval(f(self.lo), f(self.hi))


def _same_shape(x: Interval, y: Interval) -> None:
    if x.shape != y.shape:
        raise CheckError(f"a sum of shapes {x.shape or 'scalar'} and {y.shape or 'scalar'}")


_MONOTONE: dict[str, Callable[[Array], Array]] = {
    "\\exp": np.exp,
    "\\log": np.log,
    "\\tanh": np.tanh,
    "sigmoid": sigmoid,
}


def decimals(node: Any) -> int:
    """The most decimals of any number written in ``node`` (0: every number is exact)."""
    return max((n.decimals for n in walk(node) if isinstance(n, ast.Number)), default=0)


def is_constant(node: Any, consts: dict[str, float]) -> bool:
    """Whether ``node`` holds numbers only (and e, functions, the page's constants)."""
    for n in walk(node):
        if isinstance(n, ast.Symbol):
            if n.name == "e" and not n.sub and n.layer is None:
                continue
            if n.name in _MONOTONE and not n.sub and n.layer is None:
                continue  # sigma, softmax, diag, max: bound by the network, not arithmetic
            if n.name in consts and not n.sub and n.layer is None:
                continue
            return False
        if isinstance(n, ast.Deriv | ast.Sum | ast.Iverson | ast.Norm):
            return False
    return True


def _exponent(node: ast.Node) -> int:
    value = _exact_number(node)
    if value is None or value != int(value):
        raise CheckError("a power whose exponent is not a whole number")
    return int(value)


def _exact_number(node: ast.Node) -> float | None:
    if isinstance(node, ast.Number) and not node.decimals:
        return float(node.value)
    if isinstance(node, ast.Additive) and len(node.terms) == 1:
        inner = _exact_number(node.terms[0])
        return None if inner is None else node.signs[0] * inner
    if isinstance(node, ast.Group) and len(node.items) == 1 and not node.post:
        return _exact_number(node.items[0])
    return None


class Shown:
    """Evaluates shown numbers as intervals: ``unit`` is the half unit u of the display."""

    def __init__(self, unit: float, consts: dict[str, float]) -> None:
        self.unit = unit
        self.consts = consts

    def __call__(self, node: ast.Node) -> Interval:
        if isinstance(node, ast.Number):
            if node.decimals:
                return Interval(
                    np.asarray(node.value - self.unit, dtype=np.float64),
                    np.asarray(node.value + self.unit, dtype=np.float64),
                )
            return Interval.exact(node.value)
        if isinstance(node, ast.Symbol):
            return self._symbol(node)
        if isinstance(node, ast.Group):
            if len(node.items) != 1 or node.sub:
                raise CheckError("a list of shown numbers")
            return self._post(self(node.items[0]), node.post)
        if isinstance(node, ast.Frac):
            return self(node.num) * self(node.den).reciprocal()
        if isinstance(node, ast.Additive):
            out = Interval.exact(0.0)
            parts = [self(t) for t in node.terms]
            if any(p.shape for p in parts):
                out = Interval.exact(np.zeros(next(p.shape for p in parts if p.shape)))
            for sign, part in zip(node.signs, parts, strict=True):
                out = out + (part if sign > 0 else -part)
            return out
        if isinstance(node, ast.Product):
            return self._product(node.factors)
        if isinstance(node, ast.Matrix):
            rows = [[self(cell) for cell in row] for row in node.rows]
            if len({len(row) for row in rows}) != 1:
                raise CheckError("a matrix whose rows have different lengths")
            if any(cell.shape for row in rows for cell in row):
                raise CheckError("a matrix entry that is not a number")
            lo = np.array([[float(c.lo) for c in row] for row in rows])
            hi = np.array([[float(c.hi) for c in row] for row in rows])
            return Interval(lo, hi)
        raise CheckError(f"cannot evaluate a {type(node).__name__} of shown numbers")

    def _symbol(self, sym: ast.Symbol) -> Interval:
        if sym.name in self.consts:
            return self._post(Interval.exact(self.consts[sym.name]), sym.post)
        if sym.name == "e":
            if len(sym.post) != 1 or not isinstance(sym.post[0], ast.Node):
                raise CheckError("e without an exponent")
            return self(sym.post[0]).monotone(np.exp)
        raise CheckError(f"{sym.name} without an argument")

    def _post(self, value: Interval, post: tuple[str | ast.Node, ...]) -> Interval:
        for p in post:
            if p == "T":
                value = Interval(value.lo.T, value.hi.T)
            elif isinstance(p, ast.Node):
                value = value.power(_exponent(p))
            else:
                raise CheckError("a prime on a number")
        return value

    def _product(self, factors: tuple[ast.Node, ...]) -> Interval:
        out = Interval.exact(1.0)
        i = 0
        while i < len(factors):
            value, i = self._factor(factors, i)
            out = out * value
        return out

    def _factor(self, factors: tuple[ast.Node, ...], i: int) -> tuple[Interval, int]:
        node = factors[i]
        if isinstance(node, ast.Symbol) and node.name in FUNCTIONS:
            f = _MONOTONE.get(node.name)
            if f is None or node.sub or node.layer is not None:
                raise CheckError(f"cannot evaluate {node.name} of shown numbers")
            if any(p == "'" for p in node.post):
                raise CheckError(f"{node.name}' of shown numbers")
            if i + 1 == len(factors):
                raise CheckError(f"{node.name} without an argument")
            arg, j = self._factor(factors, i + 1)
            out = arg.monotone(f)
            powers = [p for p in node.post if isinstance(p, ast.Node)]
            for p in powers:
                out = out.power(_exponent(p))
            return out, j
        return self(node), i + 1


def agree(x: Interval, y: Interval) -> bool:
    """Whether the two intervals meet (with the floating-point margin)."""
    if x.shape != y.shape:
        return False
    scale = max(1.0, float(np.abs(x.mid).max(initial=0)), float(np.abs(y.mid).max(initial=0)))
    margin = SLACK * scale
    return bool(np.all(x.lo <= y.hi + margin) and np.all(y.lo <= x.hi + margin))


def show(x: Interval, at: tuple[int, ...] = ()) -> str:
    """The interval as ``mid ± rad``; for a matrix, its entry ``at`` (1-based in the text)."""
    if x.shape:
        where = ", ".join(str(i + 1) for i in at)
        return f"entry ({where}) {show(Interval(x.lo[at], x.hi[at]))}"
    mid, rad = float(x.mid), float(x.rad)
    return f"{mid:.10g}" + (f" ± {rad:.2g}" if rad else "")


def worst(x: Interval, y: Interval) -> tuple[int, ...]:
    """The entry where the two intervals are farthest apart (() for numbers)."""
    if not x.shape:
        return ()
    gap = np.maximum(x.lo - y.hi, y.lo - x.hi)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))
