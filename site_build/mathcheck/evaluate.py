"""Evaluate a parsed formula on a recorded network (`mathcheck.bind` says what names mean).

There is no broadcasting: ``+``, ``-`` and ``\\odot`` need equal shapes, a product of arrays is
a matrix product with matching inner sizes, and a scalar scales anything. A function symbol
applies to the factor after it (``\\sigma'(z)``, ``\\log p_c``), composing to the right.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from . import ast
from .bind import (
    DIMENSIONS,
    FUNCTIONS,
    INDICES,
    LOSSES,
    QUANTITIES,
    VECTORS,
    AbsentError,
    CheckError,
    Env,
    Func,
    Value,
    base_value,
    derivative,
    dimension,
    entry,
    index_letters,
    index_values,
    symbol_layer,
    symbols,
    walk,
)
from .functions import activation, activation_prime, softmax


def _shape(v: Value) -> tuple[int, ...]:
    return np.shape(v) if isinstance(v, np.ndarray) else ()


def _is_scalar(v: Value) -> bool:
    return isinstance(v, float | int) or (isinstance(v, np.ndarray) and v.ndim == 0)


def _plain(v: Value, what: str) -> Value:
    if isinstance(v, Func):
        raise CheckError(f"{v.name} without an argument in {what}")
    if isinstance(v, tuple):
        raise CheckError(f"a list in {what}")
    return v


def mul(x: Value, y: Value) -> Value:
    x, y = _plain(x, "a product"), _plain(y, "a product")
    if _is_scalar(x) or _is_scalar(y):
        return x * y
    if x.shape[1] != y.shape[0]:
        raise CheckError(f"matrix product of shapes {x.shape} and {y.shape}")
    return x @ y


def same_shape(values: list[Value], op: str) -> None:
    shapes = {_shape(_plain(v, op)) for v in values}
    if len(shapes) > 1:
        listed = " and ".join(str(s) if s else "a scalar" for s in sorted(shapes))
        raise CheckError(f"{op} of {listed} (no broadcasting)")


def post_scripts(v: Value, post: tuple[str | ast.Node, ...], env: Env) -> Value:
    for p in post:
        if p == "T":
            v = _plain(v, "a transpose")
            v = v if _is_scalar(v) else v.T
        elif p == "'":
            raise CheckError("a prime on something that is not a function")
        else:
            assert isinstance(p, ast.Node)
            power = evaluate(p, env)
            if not _is_scalar(v) or not _is_scalar(power):
                raise CheckError("a power of an array")
            v = v**power
    return v


def apply(f: Func, arg_node: ast.Node, env: Env) -> Value:
    """f applied to the factor ``arg_node``; ``f(z)_c`` indexes (and transposes) the result."""
    inner = arg_node
    if isinstance(arg_node, ast.Group) and (arg_node.sub or arg_node.post):
        inner = ast.Group(arg_node.items)
    out = apply_value(f, evaluate(inner, env), inner, env)
    if inner is not arg_node:
        assert isinstance(arg_node, ast.Group)
        if arg_node.sub:
            col = np.asarray(out)
            out = entry(
                col, index_values(ast.Symbol("()"), env, list(arg_node.sub)), ast.Symbol("()")
            )
        out = post_scripts(out, arg_node.post, env)
    return out


def apply_value(f: Func, x: Value, arg_node: ast.Node, env: Env) -> Value:
    if isinstance(x, Func):
        raise CheckError(f"{f.name} applied to a function")
    if f.name == "\\max":
        items = x if isinstance(x, tuple) else (x,)
        out: Value = max(float(i) for i in items)
    else:
        if isinstance(x, tuple):
            raise CheckError(f"{f.name} of a list")
        out = _apply_one(f, x, arg_node, env)
    if f.power is not None:
        out = post_scripts(out, (f.power,), env)
    return out


def _apply_one(f: Func, x: Value, arg_node: ast.Node, env: Env) -> Value:
    if f.primes and f.name != "\\sigma":
        raise CheckError(f"{f.name}' is not bound")
    if f.name == "\\sigma":
        layer = _argument_layer(arg_node, env)
        name = env.net.activations[layer]
        return activation_prime(name, x) if f.primes == 1 else activation(name, x)
    if f.name == "\\tanh":
        return np.tanh(x)
    if f.name in {"\\log", "\\exp"}:
        return np.log(x) if f.name == "\\log" else np.exp(x)
    if f.name == "sigmoid":
        return activation("sigmoid", x)
    if f.name == "ReLU":
        return activation("relu", x)
    if _is_scalar(x) or x.shape[1] != 1:
        raise CheckError(f"{f.name} of something that is not a column vector")
    if f.name == "softmax":
        return softmax(x)
    if f.name == "diag":
        return np.diag(x[:, 0])
    raise CheckError(f"unknown function {f.name}")


def _argument_layer(arg: ast.Node, env: Env) -> int:
    """sigma of layer l is the activation of the layer its argument belongs to."""
    for sym in symbols(arg):
        if sym.name in {"z", "a", "Z", "A"}:
            layer = symbol_layer(sym, env)
            assert layer is not None
            if layer == 0:
                raise CheckError("sigma applied to the input a^(0)")
            return layer
    return env.kappa


def _factor(factors: tuple[ast.Node, ...], i: int, env: Env) -> tuple[Value, int]:
    """The value of factor i, a function applied to what follows it included; the next i.
    Functions compose to the right: ``\\log \\mathrm{softmax}(z)_c`` is log(softmax(z)_c)."""
    v = evaluate(factors[i], env)
    if not isinstance(v, Func):
        return v, i + 1
    if i + 1 == len(factors):
        raise CheckError(f"{v.name} without an argument")
    if isinstance(evaluate_head(factors[i + 1], env), Func):
        inner, j = _factor(factors, i + 1, env)
        return apply_value(v, inner, factors[i + 1], env), j
    return apply(v, factors[i + 1], env), i + 2


def evaluate_head(node: ast.Node, env: Env) -> Value:
    """A function symbol evaluates to its Func without looking further; anything else is None."""
    if isinstance(node, ast.Symbol) and node.name in FUNCTIONS:
        return _symbol(node, env)
    return None


def product(node: ast.Product, env: Env) -> Value:
    values: list[Value] = []
    i = 0
    while i < len(node.factors):
        v, i = _factor(node.factors, i, env)
        values.append(v)
    out = values[0]
    for v in values[1:]:
        out = mul(out, v)
    return out


def index_range(index: str, node: Any, env: Env) -> int:
    """How many values an index takes: the size of an axis it indexes somewhere in ``node``."""
    missing: AbsentError | None = None
    for n in walk(node):
        pairs: list[tuple[ast.Symbol, ast.Symbol]] = []
        if isinstance(n, ast.Symbol):
            pairs = [(n, n)]
        elif isinstance(n, ast.Deriv):
            pairs = [(n.num, n.num), (n.den, n.den)]
        for sym, _ in pairs:
            letters = index_letters(sym)
            if index not in letters:
                continue
            try:
                sizes = _axis_sizes(sym, env, n)
            except AbsentError as why:
                missing = why
                continue
            return sizes[letters.index(index)]
    if missing is not None:
        raise missing
    raise CheckError(f"cannot tell the range of index {index}")


def _axis_sizes(sym: ast.Symbol, env: Env, where: Any) -> list[int]:
    letters = index_letters(sym)
    if sym.name == "\\ell" or (sym.name in VECTORS and letters[:1] == ["s"]):
        if sym.name == "\\ell":
            return [env.net.N]
        stripped = replace(sym, sub=tuple(x for x in sym.sub if x != "s"))
        probe = replace(env, batch=False)
        value, _ = base_value(stripped, probe)
        return [env.net.N, *np.shape(value)[:1]]
    if isinstance(where, ast.Deriv) and where.num.name in LOSSES and sym is where.den:
        return _axis_sizes(sym, env, None)
    value, _ = base_value(replace(sym, sub=()), env)
    shape = np.shape(value)
    if len(shape) == 2 and shape[1] == 1 and len(letters) == 1:
        return [shape[0]]
    return list(shape)


def evaluate(node: ast.Node, env: Env) -> Value:
    """The value of ``node`` on ``env``'s network (float, 2-D array, tuple or Func)."""
    if isinstance(node, ast.Number):
        return float(node.value)
    if isinstance(node, ast.Symbol):
        return _symbol(node, env)
    if isinstance(node, ast.Group):
        items = tuple(evaluate(i, env) for i in node.items)
        v: Value = items[0] if len(items) == 1 else items
        if node.sub:
            v = entry(
                np.asarray(v), index_values(ast.Symbol("()"), env, list(node.sub)), ast.Symbol("()")
            )
        return post_scripts(v, node.post, env)
    if isinstance(node, ast.Product):
        return product(node, env)
    if isinstance(node, ast.Frac):
        num, den = evaluate(node.num, env), evaluate(node.den, env)
        if not _is_scalar(_plain(den, "a fraction")):
            raise CheckError("a fraction whose denominator is not a scalar")
        return _plain(num, "a fraction") / den
    if isinstance(node, ast.Deriv):
        return derivative(node, env)
    if isinstance(node, ast.Additive):
        terms = [evaluate(t, env) for t in node.terms]
        terms = _ones_like_partner(node.terms, node.signs, terms)
        same_shape(terms, "a sum")
        out = 0.0 * terms[0]
        for sign, t in zip(node.signs, terms, strict=True):
            out = out + sign * t
        return out
    if isinstance(node, ast.Hadamard):
        factors = [evaluate(f, env) for f in node.factors]
        same_shape(factors, "a Hadamard product")
        out = factors[0]
        for f in factors[1:]:
            out = out * f
        return out
    if isinstance(node, ast.Sum):
        return _sum(node, env)
    if isinstance(node, ast.Iverson):
        return float(evaluate(node.lhs, env) == evaluate(node.rhs, env))
    if isinstance(node, ast.Norm):
        return float(np.linalg.norm(evaluate(node.arg, env)))
    if isinstance(node, ast.Matrix):
        return matrix([[evaluate(cell, env) for cell in row] for row in node.rows])
    raise CheckError(f"cannot evaluate {type(node).__name__}")


def matrix(rows: list[list[Value]]) -> Value:
    """A bmatrix of scalars as a 2-D array; its rows must have equal lengths."""
    if len({len(row) for row in rows}) != 1:
        raise CheckError("a matrix whose rows have different lengths")
    for row in rows:
        for cell in row:
            if not _is_scalar(_plain(cell, "a matrix")):
                raise CheckError("a matrix entry that is not a number")
    return np.array([[float(cell) for cell in row] for row in rows])


def _ones_like_partner(
    nodes: tuple[ast.Node, ...], signs: tuple[int, ...], terms: list[Value]
) -> list[Value]:
    """``1 - a`` or ``-a + 1`` (a literal 1 and one array, with opposite signs): the 1 is the
    vector of ones of a's shape, the one convention the page uses (``a \\odot (1 - a)``).
    Nothing else is broadcast: ``a + 1`` and ``2 - a`` are shape errors."""
    if len(terms) == 2 and signs[0] != signs[1]:
        for one, other in ((0, 1), (1, 0)):
            if nodes[one] == ast.Number(1) and isinstance(terms[other], np.ndarray):
                out = list(terms)
                out[one] = np.ones_like(terms[other])
                return out
    return terms


def _sum(node: ast.Sum, env: Env) -> Value:
    if node.hi is not None:
        lo = 1 if node.lo is None else int(evaluate(node.lo, env))
        count = int(evaluate(node.hi, env)) - lo + 1
        start = lo - 1
    else:
        count, start = index_range(node.index, node.body, env), 0
    if node.index in env.idx:
        raise CheckError(f"index {node.index} summed inside a formula that already uses it")
    terms = []
    for value in range(start, start + count):
        env.idx[node.index] = value
        terms.append(evaluate(node.body, env))
    del env.idx[node.index]
    if not terms:
        raise CheckError(f"an empty sum over {node.index}")
    same_shape(terms, "a sum")
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    return out


def _symbol(sym: ast.Symbol, env: Env) -> Value:
    name = sym.name
    if name in FUNCTIONS:
        primes = sum(1 for p in sym.post if p == "'")
        powers = [p for p in sym.post if isinstance(p, ast.Node)]
        if primes > 1 or len(powers) > 1 or sym.sub or sym.layer:
            raise CheckError(f"cannot read {name} with these scripts")
        return Func(name, primes, powers[0] if powers else None)
    if name in env.consts and not sym.sub and sym.layer is None:
        return post_scripts(env.consts[name], sym.post, env)
    if name in INDICES and not sym.sub and sym.layer is None and name in env.idx:
        return float(env.idx[name])
    if name in DIMENSIONS:
        return post_scripts(float(dimension(sym, env)), sym.post, env)
    if name == "e" and not sym.sub:
        if len(sym.post) != 1 or not isinstance(sym.post[0], ast.Node):
            raise CheckError("e without an exponent")
        return np.exp(evaluate(sym.post[0], env))
    if name not in QUANTITIES:
        raise CheckError(f"unknown symbol {name}")
    value, rest = base_value(sym, env)
    if isinstance(value, np.ndarray):
        value = entry(value, index_values(sym, env, rest), sym)
    elif rest:
        raise CheckError(f"a scalar {name} with indices")
    return post_scripts(value, sym.post, env)
