"""The parsed formula: a small tree of frozen dataclasses, built from lark's parse tree.

Nothing here knows what a symbol means; `mathcheck.evaluate` binds names to values.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    """Base class of every node."""


@dataclass(frozen=True)
class Layer:
    """A layer superscript such as ``(k+1)``: ``var`` is "k", "L" or "" (a number), plus ``offset``."""

    var: str
    offset: int

    def tex(self) -> str:
        sign = "" if not self.offset else f"{self.offset:+d}"
        return f"({self.var or ''}{sign})" if self.var else f"({self.offset})"


@dataclass(frozen=True)
class Symbol(Node):
    """A name with its scripts: ``W_{ij}^{(k)}``, ``\\sigma'``, ``\\ell_s``, ``m_{k+1}``.

    ``sub`` holds the subscript's items as written ("i", "j", "+", "1", "\\max").
    ``post`` holds what follows in order: "T" (transpose), "'" (prime) or a power ``Node``.
    """

    name: str
    sub: tuple[str, ...] = ()
    layer: Layer | None = None
    post: tuple[str | Node, ...] = ()


@dataclass(frozen=True)
class Number(Node):
    """A number as written: ``2`` (exact, ``decimals`` 0) or ``0.593269992`` (9 decimals shown)."""

    value: int | float
    decimals: int = 0


@dataclass(frozen=True)
class Matrix(Node):
    """``\\begin{bmatrix} a & b \\\\ c & d \\end{bmatrix}``: rows of cells."""

    rows: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Group(Node):
    """``( e )`` or ``( e1, e2 )`` with the scripts written after the closing parenthesis."""

    items: tuple[Node, ...]
    sub: tuple[str, ...] = ()
    post: tuple[str | Node, ...] = ()


@dataclass(frozen=True)
class Frac(Node):
    num: Node
    den: Node


@dataclass(frozen=True)
class Deriv(Node):
    """``\\frac{\\partial num}{\\partial den}`` or ``\\partial num / \\partial den``."""

    num: Symbol
    den: Symbol


@dataclass(frozen=True)
class Iverson(Node):
    """``[c = i]``: 1 when the two indices are equal, else 0."""

    lhs: Node
    rhs: Node


@dataclass(frozen=True)
class Norm(Node):
    arg: Node


@dataclass(frozen=True)
class Product(Node):
    """Juxtaposition, left to right; a function symbol applies to the factor after it."""

    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Sum(Node):
    """``\\sum_{index=lo}^{hi} body``; ``lo``/``hi`` are None for ``\\sum_i``."""

    index: str
    lo: Node | None
    hi: Node | None
    body: Node


@dataclass(frozen=True)
class Hadamard(Node):
    factors: tuple[Node, ...]


@dataclass(frozen=True)
class Additive(Node):
    """``signs[i] terms[i]`` summed; ``signs`` are +1 or -1."""

    signs: tuple[int, ...]
    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Shape(Node):
    """A claimed shape: ``rows \\times cols`` (``cols`` None for the code shape ``(m,)``)."""

    rows: Node
    cols: Node | None


@dataclass(frozen=True)
class Statement:
    """``members[0] rel[0] members[1] ...`` (``rels``: "=", "approx", or "assign" for
    ``\\leftarrow``), optionally ``\\in \\mathbb{R}^{shape}`` and ``(l \\ne i)``."""

    members: tuple[Node, ...]
    rels: tuple[str, ...]
    space: Shape | None = None
    unequal: tuple[str, str] | None = None


@dataclass(frozen=True)
class Equation:
    statements: tuple[Statement, ...]
    tag: str | None = None
    extra: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
