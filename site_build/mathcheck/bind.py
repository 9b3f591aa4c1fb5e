"""The binding table of the notation: what each symbol, layer and derivative of the page means
on a recorded network.

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
* subscripts index entries: a letter is an index the formula runs over, a digit a fixed entry
  (``x_1``, ``W^{(2)}_{21}``: row 2, column 1), 1-based as on the page; ``m, n`` are the current layer's widths,
  ``m_k`` any layer's, ``N`` the batch size, ``C`` the number of classes.

There is no broadcasting: ``+``, ``-`` and ``\\odot`` need equal shapes, a product of arrays is
a matrix product with matching inner sizes, and a scalar scales anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from . import ast
from .functions import activation, complex_jacobian, softmax
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
    consts: dict[str, float] = field(default_factory=dict)  # numbers the page states: \eta


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
    """The indices in a symbol's subscript, in order: index names (``i``, ``s``) and fixed
    entries (``1``); not the layer subscripts of m_k."""
    if sym.name in DIMENSIONS:
        return []
    return [
        item
        for item in sym.sub
        if len(item) == 1 and ((item.isalpha() and item.islower()) or item.isdigit())
    ]


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


class Fixed(int):
    """A fixed entry written as a digit (``x_3``): a network without it does not have the
    quantity (like a missing layer), rather than the formula being wrong."""


def index_values(sym: ast.Symbol, env: Env, items: list[str]) -> list[int]:
    out: list[int] = []
    for item in items:
        if item.isdigit():
            out.append(Fixed(int(item) - 1))
            continue
        if item not in env.idx:
            raise CheckError(f"index {item} of {sym.name} is not bound")
        out.append(env.idx[item])
    return out


def _sample_split(sym: ast.Symbol, env: Env) -> tuple[int, list[str]]:
    """For one-sample symbols: (sample number, the remaining index names)."""
    letters = index_letters(sym)
    if letters and letters[0] == "s":
        return index_values(sym, env, ["s"])[0], letters[1:]
    if env.batch and sym.name in VECTORS | {"\\ell"}:
        raise CheckError(
            f"{sym.name} without a sample index s in a batch formula "
            "(it uses \\mathcal{L} or a capital, so it is read as a batch; one sample's loss is \\ell)"
        )
    return env.s, letters


def entry(value: Array, where: list[int], sym: ast.Symbol) -> Value:
    if not where:
        return value
    if value.ndim == 2 and value.shape[1] == 1 and len(where) == 1:
        where = [where[0], 0]
    if len(where) != value.ndim:
        raise CheckError(f"{sym.name} of shape {value.shape} indexed by {len(where)} indices")
    for i, n in zip(where, value.shape, strict=True):
        if not 0 <= i < n:
            error = AbsentError if isinstance(i, Fixed) else CheckError
            raise error(f"index {i + 1} out of range 1..{n} in {sym.name}")
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
            s = index_values(den, env, ["s"])[0]
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
        return entry(grad, index_values(den, env, letters), den)
    if env.batch:
        raise CheckError("a derivative other than the loss's in a batch formula")
    J = local_jacobian(_node_of(num, env), _node_of(den, env), env)
    where = index_values(num, env, index_letters(num)) + index_values(den, env, index_letters(den))
    if not where:
        if J.ndim != 2:
            raise CheckError(f"d{num.name}/d{den.name} is a tensor of shape {J.shape}")
        return J
    if len(where) != J.ndim:
        raise CheckError(f"d{num.name}/d{den.name} of shape {J.shape} needs {J.ndim} indices")
    for i, n in zip(where, J.shape, strict=True):
        if not 0 <= i < n:
            error = AbsentError if isinstance(i, Fixed) else CheckError
            raise error(f"index {i + 1} out of range 1..{n}")
    return float(J[tuple(where)])
