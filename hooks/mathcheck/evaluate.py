"""Evaluate a parsed formula on a recorded network: the binding table of the notation.

Binding (notation-v2.md):

* one sample, column vectors: ``a, z, \\delta, y, p`` are the current sample's (m, 1) columns,
  ``\\ell`` its loss; ``W, b`` the layer's parameters; ``J`` the softmax Jacobian.
* a batch, rows are samples: ``A, Z, \\Delta, X, Y, P, \\mathbf{1}``, ``\\mathcal{L}`` the mean
  loss; ``a_s, \\delta_s, \\ell_s`` (index ``s``) belong to sample s, unscaled.
* a layer superscript ``(k+1)`` is looked up for the chosen k, so a wrong index reads another
  array. A symbol without one belongs to the current layer: ``a`` is its input ``a^{(k-1)}``,
  or its output ``a^{(k)}`` in a formula that applies sigma.
* ``\\partial \\ell / \\partial v`` and ``\\partial \\mathcal{L} / \\partial V`` are the
  package's recorded gradients (``dW``, ``db``, deltas); any other derivative (``\\partial z_i /
  \\partial W_{lj}``, ``\\partial p / \\partial z``) is the complex step through the checker's
  own forward graph (`mathcheck.functions`), in numerator layout.
* subscripts index entries (0-based internally); ``m, n`` are the current layer's widths,
  ``m_k`` any layer's, ``N`` the batch size, ``C`` the number of classes.

There is no broadcasting: ``+``, ``-`` and ``\\odot`` need equal shapes, a product of arrays is
a matrix product with matching inner sizes, and a scalar scales anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import ast
from .functions import activation, activation_prime, complex_jacobian, softmax
from .networks import Network

Array = NDArray[np.float64]
Value = Any  # float, a 2-D float64 array, a tuple of values, or a Func


class CheckError(Exception):
    """The formula is wrong: a shape that does not fit, an index out of range, an unknown name."""


class AbsentError(Exception):
    """This network or layer does not have the quantity (W^{(L+1)}, p without a softmax)."""


@dataclass(frozen=True)
class Func:
    name: str
    primes: int = 0
    power: Any = None


FUNCTIONS = {"\\sigma", "\\tanh", "\\log", "\\exp", "softmax", "sigmoid", "diag", "ReLU", "\\max"}
DIMENSIONS = {"m", "n", "N", "C", "L"}
INDICES = {"i", "j", "l", "c", "s"}
VECTORS = {"a", "z", "\\delta", "y", "p", "x"}  # one sample's columns
MATRICES = {"A", "Z", "\\Delta", "X", "Y", "P"}  # a batch, rows are samples
LAYERED = {"W", "b", "z", "\\delta", "Z", "\\Delta"}  # layers 1..L
INPUTS = {"a", "A"}  # layers 0..L
LOSSES = {"\\ell", "\\mathcal{L}"}
QUANTITIES = VECTORS | MATRICES | LAYERED | INPUTS | LOSSES | {"\\mathbf{1}", "J", "e"}
KNOWN = QUANTITIES | FUNCTIONS | DIMENSIONS | INDICES
BATCH_NAMES = MATRICES | {"\\mathcal{L}", "\\mathbf{1}"}
OUTPUT_NAMES = {"p", "y", "J", "softmax", "P", "Y", "\\ell", "\\mathcal{L}"}

RTOL = 1e-12


@dataclass
class Env:
    """Where a formula is evaluated: which network, form, sample, k, current layer, indices."""

    net: Network
    batch: bool
    s: int = 0
    k: int | None = None
    kappa: int = 1
    a_out: bool = False
    idx: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------------- tree walking


def walk(node: Any) -> Any:
    """Every node below ``node`` (dataclass fields, tuples), ``node`` included."""
    yield node
    if isinstance(node, tuple):
        for item in node:
            yield from walk(item)
    elif isinstance(node, (ast.Node, ast.Statement, ast.Equation)):
        for f in fields(node):
            yield from walk(getattr(node, f.name))


@cache
def symbols(node: Any) -> tuple[ast.Symbol, ...]:
    """Every symbol in ``node`` (memoized: nodes are frozen)."""
    return tuple(n for n in walk(node) if isinstance(n, ast.Symbol))


@cache
def index_letters(sym: ast.Symbol) -> list[str]:
    """The index names in a symbol's subscript (not the layer subscripts of m_k)."""
    if sym.name in DIMENSIONS:
        return []
    return [item for item in sym.sub if len(item) == 1 and item.isalpha() and item.islower()]


# ----------------------------------------------------------------------------- lookups


def _layer_number(layer: ast.Layer, env: Env) -> int:
    if layer.var == "k":
        if env.k is None:
            raise CheckError("layer k used where k is not defined")
        return env.k + layer.offset
    if layer.var == "L":
        return env.net.L + layer.offset
    return layer.offset


def _sub_layer(sub: tuple[str, ...], env: Env) -> int:
    """The layer number of a width subscript: m_k, m_{k+1}, m_L, m_0."""
    text = "".join(sub)
    head, offset = text[0], 0
    if len(text) > 1:
        if text[1] not in "+-" or not text[2:].isdigit():
            raise CheckError(f"cannot read the width subscript {text!r}")
        offset = int(text[1:])
    if head.isdigit():
        return int(text)
    return _layer_number(ast.Layer(head, offset), env)


def symbol_layer(sym: ast.Symbol, env: Env) -> int | None:
    """The layer a symbol belongs to (explicit superscript, or the current layer)."""
    if sym.name in {"x", "X"}:
        return 0
    if sym.name in {"y", "p", "Y", "P", "J"}:
        return None
    if sym.layer is not None:
        layer = _layer_number(sym.layer, env)
    elif sym.name in INPUTS:
        layer = env.kappa if env.a_out else env.kappa - 1
    elif sym.name in LAYERED:
        layer = env.kappa
    else:
        return None
    low = 0 if sym.name in INPUTS else 1
    if not low <= layer <= env.net.L:
        raise AbsentError(f"{sym.name}^({layer}) does not exist in a {env.net.L}-layer network")
    return layer


def _index(sym: ast.Symbol, env: Env, items: list[str]) -> list[int]:
    out = []
    for item in items:
        if item not in env.idx:
            raise CheckError(f"index {item} of {sym.name} is not bound")
        out.append(env.idx[item])
    return out


def _sample_split(sym: ast.Symbol, env: Env) -> tuple[int, list[str]]:
    """For one-sample symbols: (sample number, the remaining index names)."""
    letters = index_letters(sym)
    if letters and letters[0] == "s":
        return _index(sym, env, ["s"])[0], letters[1:]
    if env.batch and sym.name in VECTORS | {"\\ell"}:
        raise CheckError(
            f"{sym.name} without a sample index s in a batch formula "
            "(it uses \\mathcal{L} or a capital, so it is read as a batch; one sample's loss is \\ell)"
        )
    return env.s, letters


def _entry(value: Array, where: list[int], sym: ast.Symbol) -> Value:
    if not where:
        return value
    if value.ndim == 2 and value.shape[1] == 1 and len(where) == 1:
        where = [where[0], 0]
    if len(where) != value.ndim:
        raise CheckError(f"{sym.name} of shape {value.shape} indexed by {len(where)} indices")
    for i, n in zip(where, value.shape, strict=True):
        if not 0 <= i < n:
            raise CheckError(f"index {i + 1} out of range 1..{n} in {sym.name}")
    return float(value[tuple(where)])


def _need_ce(env: Env, name: str) -> None:
    if env.net.loss != "ce":
        raise AbsentError(f"{name} is the softmax's, and network {env.net.name} has none")


def base_value(sym: ast.Symbol, env: Env) -> tuple[Array | float, list[str]]:
    """The unindexed value a symbol names, and the index names still to apply."""
    net, name = env.net, sym.name
    layer = symbol_layer(sym, env)
    if name in VECTORS:
        s, rest = _sample_split(sym, env)
        sample = net.samples[s]
        if name == "p":
            _need_ce(env, name)
            assert sample.p is not None
            return sample.p, rest
        if name == "y":
            return sample.y, rest
        assert layer is not None
        table = {"a": sample.a, "x": sample.a, "z": sample.z, "\\delta": sample.delta}[name]
        vec = table[layer]
        if name == "z" and sym.sub == ("\\max",):
            return float(vec.max()), []
        return vec, rest
    letters = index_letters(sym)
    if name in {"W", "b"}:
        assert layer is not None
        return (net.W if name == "W" else net.b)[layer], letters
    if name in MATRICES:
        if not env.batch:
            raise CheckError(f"{name} (a batch) in a one-sample formula")
        batch = net.batch
        if name == "P":
            _need_ce(env, name)
            assert batch.P is not None
            return batch.P, letters
        if name == "Y":
            return batch.Y, letters
        assert layer is not None
        return {"A": batch.A, "X": batch.A, "Z": batch.Z, "\\Delta": batch.Delta}[name][
            layer
        ], letters
    if name == "\\ell":
        s, rest = _sample_split(sym, env)
        return net.samples[s].loss, rest
    if name == "\\mathcal{L}":
        return net.batch.loss, letters
    if name == "\\mathbf{1}":
        return np.ones((net.N, 1)), letters
    if name == "J":
        _need_ce(env, name)
        return local_jacobian(("p",), ("z", net.L), env), letters
    raise CheckError(f"unknown symbol {name}")


def dimension(sym: ast.Symbol, env: Env) -> int:
    net, name = env.net, sym.name
    if name == "N":
        return net.N
    if name == "L":
        return net.L
    if name == "C":
        _need_ce(env, "C")
        return net.width(net.L)
    if sym.sub:
        k = _sub_layer(sym.sub, env)
        if not 0 <= k <= net.L:
            raise AbsentError(f"{name}_{k} does not exist")
        return net.width(k if name == "m" else k - 1)
    return net.width(env.kappa if name == "m" else env.kappa - 1)


# ----------------------------------------------------------------------------- derivatives


def _node_of(sym: ast.Symbol, env: Env) -> tuple[Any, ...]:
    if sym.name == "p":
        _need_ce(env, "p")
        return ("p",)
    if sym.name in {"a", "x", "z", "W", "b"}:
        layer = symbol_layer(sym, env)
        return ({"x": "a"}.get(sym.name, sym.name), layer)
    raise CheckError(f"no derivative with respect to {sym.name} in one sample's graph")


def local_forward(net: Network, s: int, over: dict[tuple[Any, ...], Any]) -> dict[Any, Any]:
    """The checker's own forward pass of sample s, with some nodes replaced by ``over``."""
    a = over.get(("a", 0), net.samples[s].a[0])
    vals: dict[Any, Any] = {("a", 0): a}
    z = a
    for k in range(1, net.L + 1):
        W = over.get(("W", k), net.W[k])
        b = over.get(("b", k), net.b[k])
        z = over.get(("z", k), W @ a + b)
        a = over.get(("a", k), activation(net.activations[k], z))
        vals.update({("W", k): W, ("b", k): b, ("z", k): z, ("a", k): a})
    if net.loss == "ce":
        vals[("p",)] = over.get(("p",), softmax(z))
    return vals


def local_jacobian(num: tuple[Any, ...], den: tuple[Any, ...], env: Env) -> Array:
    """d num / d den for the current sample: shape (num entries) + (den shape), columns
    flattened, so d z / d W is (m, m, n) and d p / d z is (C, C)."""
    key = ("jac", env.s, num, den)
    cache = env.net.cache
    if key not in cache:
        base = local_forward(env.net, env.s, {})
        x = np.asarray(base[den], dtype=np.float64)
        out_shape = (np.asarray(base[num]).shape[0],)

        def f(probe: Any) -> Any:
            return local_forward(env.net, env.s, {den: probe})[num]

        J = complex_jacobian(f, x, out_shape)
        if x.ndim == 2 and x.shape[1] == 1:
            J = J[..., 0]
        cache[key] = J
    result: Array = cache[key]
    return result


def loss_gradient(den: ast.Symbol, env: Env, batch_loss: bool) -> tuple[Array, list[str]]:
    """The package's gradient of the loss by ``den``, and ``den``'s index names to apply."""
    net, name = env.net, den.name
    layer = symbol_layer(den, env)
    if batch_loss:
        if not env.batch:
            raise CheckError("the batch loss in a one-sample formula")
        b = net.batch
        letters = index_letters(den)
        if name in {"W", "b"}:
            assert layer is not None
            return (b.dW if name == "W" else b.db)[layer], letters
        if name in {"A", "X", "Z"}:
            assert layer is not None
            return (b.Delta if name == "Z" else b.dA)[layer], letters
        if name in {"a", "z", "x"} and letters and letters[0] == "s":
            assert layer is not None
            s = _index(den, env, ["s"])[0]
            rows = b.Delta if name == "z" else b.dA
            return rows[layer][s].reshape(-1, 1), letters[1:]
        raise CheckError(f"no gradient of the batch loss by {name} here")
    s, letters = _sample_split(den, env) if name in VECTORS else (env.s, index_letters(den))
    sample = net.samples[s]
    if name == "p":
        _need_ce(env, "p")
        y = sample.y

        def ell(p: Any) -> Any:
            return -(y * np.log(p)).sum(keepdims=True)

        assert sample.p is not None
        return complex_jacobian(ell, sample.p, (1,))[0], letters
    assert layer is not None or name not in LAYERED | INPUTS
    if name in {"W", "b"}:
        assert layer is not None
        return (sample.dW if name == "W" else sample.db)[layer], letters
    if name in {"a", "x", "z"}:
        assert layer is not None
        return (sample.delta if name == "z" else sample.da)[layer], letters
    raise CheckError(f"no gradient of the loss by {name}")


def derivative(node: ast.Deriv, env: Env) -> Value:
    num, den = node.num, node.den
    if num.name in LOSSES:
        if num.sub:
            raise CheckError(f"the derivative of {num.name}_{''.join(num.sub)} is not bound")
        grad, letters = loss_gradient(den, env, num.name == "\\mathcal{L}")
        return _entry(grad, _index(den, env, letters), den)
    if env.batch:
        raise CheckError("a derivative other than the loss's in a batch formula")
    J = local_jacobian(_node_of(num, env), _node_of(den, env), env)
    where = _index(num, env, index_letters(num)) + _index(den, env, index_letters(den))
    if not where:
        if J.ndim != 2:
            raise CheckError(f"d{num.name}/d{den.name} is a tensor of shape {J.shape}")
        return J
    if len(where) != J.ndim:
        raise CheckError(f"d{num.name}/d{den.name} of shape {J.shape} needs {J.ndim} indices")
    for i, n in zip(where, J.shape, strict=True):
        if not 0 <= i < n:
            raise CheckError(f"index {i + 1} out of range 1..{n}")
    return float(J[tuple(where)])


# ----------------------------------------------------------------------------- arithmetic


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
            out = _entry(col, _index(ast.Symbol("()"), env, list(arg_node.sub)), ast.Symbol("()"))
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
            v = _entry(
                np.asarray(v), _index(ast.Symbol("()"), env, list(node.sub)), ast.Symbol("()")
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
        terms = _ones_like_partner(node.terms, terms)
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
    raise CheckError(f"cannot evaluate {type(node).__name__}")


def _ones_like_partner(nodes: tuple[ast.Node, ...], terms: list[Value]) -> list[Value]:
    """``1 - a`` (exactly a literal 1, then one array): the 1 is the vector of ones of a's shape,
    the one convention the page uses (``a \\odot (1 - a)``). Nothing else is broadcast."""
    if len(terms) == 2 and nodes[0] == ast.Number(1) and isinstance(terms[1], np.ndarray):
        return [np.ones_like(terms[1]), terms[1]]
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
        value = _entry(value, _index(sym, env, rest), sym)
    elif rest:
        raise CheckError(f"a scalar {name} with indices")
    return post_scripts(value, sym.post, env)
