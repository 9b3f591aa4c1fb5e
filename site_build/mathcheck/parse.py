"""TeX source of one formula -> `mathcheck.ast` tree, with the grammar in ``tex.lark`` (LALR)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError

from . import ast

GRAMMAR = Path(__file__).with_name("tex.lark")


class TexSyntaxError(ValueError):
    """The formula does not parse: a typo, or TeX that the grammar does not know."""


@cache
def _parser() -> Lark:
    return Lark(
        GRAMMAR.read_text("utf-8"),
        start=["equation", "shape"],
        parser="lalr",
        lexer="contextual",
        maybe_placeholders=True,
        cache=True,  # the LALR tables, pickled in the temp directory: 0.3 s -> 0.02 s
    )


RELATIONS = {"=": "=", "\\approx": "approx", "\\leftarrow": "assign"}

_MATRIX = re.compile(r"(\\begin\{([bp])matrix\})(.*?)(\\end\{\2matrix\})", re.S)


def _matrices(tex: str) -> str:
    """A matrix's ``&`` and ``\\\\`` as ``\\matcol`` and ``\\matrow``: outside a matrix they align
    and break rows, which the grammar ignores or reads as a separator."""

    def one(m: re.Match[str]) -> str:
        body = m.group(3).replace("&", " \\matcol ").replace("\\\\", " \\matrow ")
        return m.group(1) + body + m.group(4)

    return _MATRIX.sub(one, tex)


_LAYER = re.compile(r"\(\s*(k|L|\d+)\s*(?:([+-])\s*(\d+))?\s*\)")


def _layer(token: str) -> ast.Layer:
    m = _LAYER.fullmatch(token)
    assert m is not None, token
    head, sign, num = m.groups()
    offset = int(num) * (1 if sign == "+" else -1) if sign else 0
    if head.isdigit():
        return ast.Layer("", int(head) + offset)
    return ast.Layer(head, offset)


def _number(text: str) -> ast.Number:
    """``2`` is exact; ``0.5933`` is a value shown to 4 decimals."""
    if "." in text:
        return ast.Number(float(text), len(text) - text.index(".") - 1)
    return ast.Number(int(text))


def _name(token: Token) -> str:
    """The name of an atom token: a letter, ``\\sigma``, ``\\mathcal{L}``, ``softmax``."""
    text = str(token)
    if token.type == "NAMED":
        return text[text.index("{") + 1 : -1].strip()
    return text


@v_args(inline=True)
class _ToAst(Transformer[Token, Any]):
    def equation(self, *items: Any) -> ast.Equation:
        statements = tuple(i for i in items if isinstance(i, ast.Statement))
        tags = [str(i) for i in items if isinstance(i, Token) and i.type == "TAG"]
        tag = tags[0][len("\\tag{") : -1] if tags else None
        return ast.Equation(statements, tag)

    def statement(self, *items: Any) -> ast.Statement:
        members: list[ast.Node] = []
        rels: list[str] = []
        space = None
        unequal = None
        for item in items:
            if isinstance(item, ast.Shape):
                space = item
            elif isinstance(item, Token) and item.type == "REL":
                rels.append(RELATIONS[str(item)])
            elif isinstance(item, Token) and item.type == "COND":
                left, right = str(item)[1:-1].split("\\ne")
                unequal = (left.strip(), right.strip())
            elif item is not None:
                members.append(item)
        return ast.Statement(tuple(members), tuple(rels), space, unequal)

    def space(self, _in: Token, _r: Token, rows: ast.Node, _t: Token, cols: ast.Node) -> ast.Shape:
        return ast.Shape(rows, cols)

    def shape(self, *items: Any) -> ast.Shape:
        nodes = [i for i in items if isinstance(i, ast.Node)]
        if len(nodes) == 2:
            return ast.Shape(nodes[0], nodes[1])
        return ast.Shape(nodes[0], None)

    def additive(self, *items: Any) -> ast.Node:
        signs: list[int] = []
        terms: list[ast.Node] = []
        sign = 1
        for item in items:
            if isinstance(item, Token):
                sign = -1 if str(item) == "-" else 1
            elif item is not None:
                signs.append(sign)
                terms.append(item)
                sign = 1
        if signs == [1]:
            return terms[0]
        return ast.Additive(tuple(signs), tuple(terms))

    def hadamard(self, *items: Any) -> ast.Hadamard:
        return ast.Hadamard(tuple(i for i in items if isinstance(i, ast.Node)))

    def product(self, *items: Any) -> ast.Node:
        factors = tuple(i for i in items if i is not None)
        return factors[0] if len(factors) == 1 else ast.Product(factors)

    def bigsum(self, _sum: Token, limits: tuple[str, Any, Any], body: ast.Node) -> ast.Sum:
        index, lo, hi = limits
        return ast.Sum(index, lo, hi, body)

    def limits(self, index: Token, *rest: Any) -> tuple[str, Any, Any]:
        items = [r for r in rest if not isinstance(r, Token)]
        lo, hi = ([*items, None, None])[:2]
        if isinstance(hi, tuple):  # the ^{...} of a sum is a sup_arg
            hi = hi[1]
        return (str(index), lo, hi)

    def factor(self, atom: Any, *scripts: tuple[str, Any]) -> ast.Node:
        sub: tuple[str, ...] = ()
        layer: ast.Layer | None = None
        post: list[str | ast.Node] = []
        for kind, value in scripts:
            if kind == "sub":
                if sub:
                    raise TexSyntaxError("two subscripts on one symbol")
                sub = value
            elif kind == "layer":
                if layer is not None or post:
                    raise TexSyntaxError("a layer superscript must come first")
                layer = value
            elif kind == "layer_T":
                layer = value
                post.append("T")
            else:
                post.append(value)
        if isinstance(atom, Token):
            if atom.type == "NUMBER" and not (sub or layer or post):
                return _number(str(atom))
            return ast.Symbol(_name(atom), sub, layer, tuple(post))
        if isinstance(atom, ast.Group):
            if layer is not None:
                raise TexSyntaxError("a layer superscript on a parenthesis")
            return ast.Group(atom.items, sub, tuple(post))
        if sub or layer or post:
            if all(p == "T" or isinstance(p, ast.Node) for p in post) and not sub and not layer:
                return ast.Group((atom,), (), tuple(post))
            raise TexSyntaxError(f"scripts on a {type(atom).__name__}")
        assert isinstance(atom, ast.Node)
        return atom

    def matrix(self, *items: Any) -> ast.Matrix:
        return ast.Matrix(tuple(i for i in items if isinstance(i, tuple)))

    def matrow(self, *items: Any) -> tuple[ast.Node, ...]:
        return tuple(i for i in items if isinstance(i, ast.Node))

    def group(self, *items: Any) -> ast.Group:
        return ast.Group(tuple(i for i in items if isinstance(i, ast.Node)))

    def frac(self, _frac: Token, num: Any, den: Any) -> ast.Frac:
        return ast.Frac(num, den)

    def single(self, token: Token) -> ast.Node:
        if token.type == "DIGIT":
            return ast.Number(int(token))
        return ast.Symbol(str(token))

    def deriv(self, *items: Any) -> ast.Deriv:
        num, den = (i for i in items if isinstance(i, ast.Node))
        if not isinstance(num, ast.Symbol) or not isinstance(den, ast.Symbol):
            raise TexSyntaxError("a derivative of or by something that is not a symbol")
        return ast.Deriv(num, den)

    def iverson(self, lhs: ast.Node, _rel: Token, rhs: ast.Node) -> ast.Iverson:
        return ast.Iverson(lhs, rhs)

    def norm(self, _l: Token, arg: ast.Node, _r: Token) -> ast.Norm:
        return ast.Norm(arg)

    def sub(self, items: tuple[str, ...]) -> tuple[str, Any]:
        return ("sub", items)

    def sub_arg(self, *items: Any) -> tuple[str, ...]:
        out: list[str] = []
        for item in items:
            if isinstance(item, ast.Number):
                out.append(str(item.value))
            elif isinstance(item, ast.Symbol):
                out.append(item.name)
            elif isinstance(item, Token):
                out.append(_name(item))
        return tuple(out)

    def sup(self, value: tuple[str, Any]) -> tuple[str, Any]:
        return value

    def sup_arg(self, *items: Any) -> tuple[str, Any]:
        tokens = [i for i in items if isinstance(i, Token)]
        if tokens and tokens[0].type == "LAYER":
            if len(tokens) > 1 and str(tokens[1]) not in {"T", "\\top"}:
                raise TexSyntaxError(f"a layer superscript followed by {tokens[1]!s}")
            return ("layer_T" if len(tokens) > 1 else "layer", _layer(str(tokens[0])))
        if tokens and tokens[0].type == "TOP":
            return ("post", "T")
        (node,) = items
        if isinstance(node, ast.Symbol) and node == ast.Symbol("T"):
            return ("post", "T")
        return ("post", node)

    def prime(self, _token: Token) -> tuple[str, Any]:
        return ("post", "'")


def parse_equation(tex: str) -> ast.Equation:
    """Parse one display equation (or one inline formula) into statements."""
    try:
        tree = _parser().parse(_matrices(tex), start="equation")
        result = _ToAst().transform(tree)
    except LarkError as error:
        raise TexSyntaxError(_short(error)) from None
    assert isinstance(result, ast.Equation)
    return result


def parse_shape(tex: str) -> ast.Shape:
    """Parse a shape cell such as ``m \\times 1`` or ``(m,)``."""
    try:
        result = _ToAst().transform(_parser().parse(tex, start="shape"))
    except LarkError as error:
        raise TexSyntaxError(_short(error)) from None
    assert isinstance(result, ast.Shape)
    return result


def _short(error: LarkError) -> str:
    text = str(error).strip().splitlines()
    return " ".join(line.strip() for line in text[:3])
