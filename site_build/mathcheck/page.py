"""What a page states about its own symbols, read from its inline formulas (``$ ... $``).

* **The network it shows.** A page whose tables state every entry of its network's input,
  target and parameters (``$x_1 = 0.05$``, ``$y_2 = 0.99$``, ``$W^{(1)}_{12} = 0.2$``,
  ``$b^{(2)}_1 = 0.6$``), one activation for every layer (``$\\sigma = \\operatorname{sigmoid}$``)
  and, in its prose, one loss of the package (``bp.MSELoss``, ``bp.SoftmaxCrossEntropyLoss`` or
  ``bp.BCEWithLogitsLoss``) shows one network. The checker builds that network with the package,
  so a formula written next to shown numbers is evaluated on the values they were rounded from.
  The page's other formulas are evaluated on a network of the same sizes, activations and loss
  with random values (`networks.twin`), as the derivation's are.
* **Constants.** On a page that shows its network, ``$\\eta = 0.5$``: a name that is not in the
  notation, given one number in the page's text (two different numbers: not a constant).
* **An update rule.** ``$\\theta \\leftarrow \\theta - \\eta\\, \\frac{\\partial \\ell}{\\partial
  \\theta}$``: a display ``W^{(2)} \\leftarrow ...`` then claims the rule with W^{(2)} for theta.
* **A number of classes**, ``$C = 2$``, holds in the section where it is stated (and below it):
  its cross-entropy formulas are read on a softmax with that many classes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from functools import cache
from typing import Any

import numpy as np

from . import ast
from .bind import KNOWN, CheckError, walk
from .extract import Inline
from .networks import Network, shown, twin
from .parse import TexSyntaxError, parse_equation

LOSS_CLASSES = {
    "MSELoss": "mse",
    "SoftmaxCrossEntropyLoss": "ce",
    "BCEWithLogitsLoss": "bce",
}
ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "\\tanh": "tanh", "ReLU": "relu"}
PARAMETERS = {"x", "y", "W", "b"}


@dataclass(frozen=True)
class PageFacts:
    """What the page states (hashable, so that checks of unchanged displays are memoized)."""

    shown: Network | None  # the network the page shows the numbers of
    shown_missing: str  # why there is none, when the page states some of its numbers
    twin: Network | None  # the shown network's sizes, activations and loss, random values
    consts: tuple[tuple[str, float], ...] = ()
    rule: tuple[str, ast.Node] | None = None  # (placeholder, right side)


@dataclass(frozen=True)
class Statement:
    """One inline formula, parsed: a single statement with its line."""

    line: int
    st: ast.Statement
    in_table: bool
    headings: tuple[str, ...]


# The inline formulas that may state something (the others are not parsed, for speed): an entry
# of the network in a table, sigma, a name given a number, an update rule.
_ENTRY = re.compile(r"^\s*[xybW][_^].*=")
_ACTIVATION = re.compile(r"^\s*\\sigma\s*=\s*\\(operatorname|mathrm)\{\w+\}\s*$")
_CONSTANT = re.compile(r"^\s*(\\[a-zA-Z]+|[a-zA-Z])\s*=\s*[-(\d.{][^=]*$")
_RULE = re.compile(r"\\leftarrow.*\\partial", re.S)


def _may_state(tex: str, in_table: bool) -> bool:
    if in_table and _ENTRY.match(tex):
        return True
    return bool(_ACTIVATION.match(tex) or _CONSTANT.match(tex) or _RULE.search(tex))


def _statements(inline: list[Inline], fill: Callable[[str], str] | None) -> list[Statement]:
    out = []
    for item in inline:
        tex = item.tex
        if "{{" in tex:
            if fill is None:
                continue
            try:
                tex = fill(tex)
            except (ValueError, KeyError):
                continue  # the page's own fill step reports a placeholder it cannot fill
        if not _may_state(tex, item.in_table):
            continue
        try:
            equation = parse_equation(tex)
        except TexSyntaxError:
            continue  # prose formulas are not checked; only clear statements are read
        if len(equation.statements) == 1:
            out.append(Statement(item.line, equation.statements[0], item.in_table, item.headings))
    return out


def _number(node: ast.Node) -> float | None:
    """The value of a plain number, ``-0.5`` and ``(-0.5)`` included."""
    if isinstance(node, ast.Number):
        return float(node.value)
    if isinstance(node, ast.Additive) and len(node.terms) == 1:
        inner = _number(node.terms[0])
        return None if inner is None else node.signs[0] * inner
    if isinstance(node, ast.Group) and len(node.items) == 1 and not node.sub and not node.post:
        return _number(node.items[0])
    return None


def _plain(sym: ast.Symbol) -> bool:
    return not sym.sub and sym.layer is None and not sym.post


def read(
    name: str, text: str, inline: list[Inline], fill: Callable[[str], str] | None
) -> PageFacts:
    statements = _statements(inline, fill)
    consts: dict[str, float | None] = {}
    rule: tuple[str, ast.Node] | None = None
    activations: set[str] = set()
    entries: dict[tuple[str, int, tuple[int, ...]], tuple[float, int]] = {}
    for item in statements:
        st = item.st
        members = st.members
        if st.rels == ("=",) and isinstance(members[0], ast.Symbol):
            sym, value = members[0], _number(members[1])
            if sym == ast.Symbol("\\sigma") and isinstance(members[1], ast.Symbol):
                act = ACTIVATION_NAMES.get(members[1].name)
                if act and _plain(members[1]):
                    activations.add(act)
            if value is not None and _plain(sym) and sym.name not in KNOWN:
                if consts.get(sym.name, value) != value:
                    consts[sym.name] = None  # two values: the name is not a constant
                else:
                    consts.setdefault(sym.name, value)
            if value is not None and item.in_table and sym.name in PARAMETERS:
                key = _entry(sym)
                if key is not None:
                    if key in entries and entries[key][0] != value:
                        raise CheckError(
                            f"the tables at lines {entries[key][1]} and {item.line} state two "
                            f"values for {_entry_name(key)}"
                        )
                    entries[key] = (value, item.line)
        if st.rels == ("assign",) and isinstance(members[0], ast.Symbol):
            placeholder = members[0]
            if (
                _plain(placeholder)
                and placeholder.name not in KNOWN
                and _has_gradient_by(members[1], placeholder.name)
            ):
                rule = (placeholder.name, members[1])
    bound = tuple(sorted((k, v) for k, v in consts.items() if v is not None))
    losses = {LOSS_CLASSES[m] for m in re.findall(r"\bbp\.(\w+Loss)\b", text) if m in LOSS_CLASSES}
    net, missing = None, ""
    if entries:
        net, missing = _shown_network(
            tuple(sorted((k, v) for k, (v, _) in entries.items())),
            tuple(sorted(activations)),
            tuple(sorted(losses)),
        )
    if net is None:  # constants and the update rule are the settings of a network shown
        return PageFacts(shown=None, shown_missing=missing, twin=None)
    return PageFacts(
        shown=net,
        shown_missing=missing,
        twin=twin(net.loss, _sizes(net), _acts(net)),
        consts=bound,
        rule=rule,
    )


def _has_gradient_by(node: ast.Node, name: str) -> bool:
    return any(isinstance(n, ast.Deriv) and n.den == ast.Symbol(name) for n in walk(node))


def _entry(sym: ast.Symbol) -> tuple[str, int, tuple[int, ...]] | None:
    """("W", 2, (1, 0)) for W^{(2)}_{21}; x and y are layer 0 and L; None if not an entry."""
    if not sym.sub or not all(item.isdigit() for item in sym.sub) or sym.post:
        return None
    index = tuple(int(item) - 1 for item in sym.sub)
    if sym.name in {"W", "b"}:
        if sym.layer is None or sym.layer.var or len(index) != (2 if sym.name == "W" else 1):
            return None
        return (sym.name, sym.layer.offset, index)
    if sym.layer is not None or len(index) != 1:
        return None
    return (sym.name, 0, index)


def _entry_name(key: tuple[str, int, tuple[int, ...]]) -> str:
    name, layer, index = key
    sub = "".join(str(i + 1) for i in index)
    return f"{name}^({layer})_{sub}" if name in {"W", "b"} else f"{name}_{sub}"


def _sizes(net: Network) -> tuple[int, ...]:
    return tuple(net.width(k) for k in range(net.L + 1))


def _acts(net: Network) -> tuple[str, ...]:
    return tuple(net.activations[k] for k in range(1, net.L + 1))


@cache
def _shown_network(
    entries: tuple[tuple[tuple[str, int, tuple[int, ...]], float], ...],
    activations: tuple[str, ...],
    losses: tuple[str, ...],
) -> tuple[Network | None, str]:
    """The network whose every number the page states, or None and what is missing."""
    table = dict(entries)
    L = max((layer for (name, layer, _) in table if name == "W"), default=0)
    if L == 0:
        return None, "the page's tables state no weights W^{(k)}"

    def array(name: str, layer: int) -> np.ndarray[Any, Any] | str:
        keys = [key for key in table if key[0] == name and key[1] == layer]
        if not keys:
            return f"no entries of {_entry_name((name, layer, ()))[:-1].rstrip('_')}"
        rank = len(keys[0][2])
        shape = tuple(max(key[2][d] for key in keys) + 1 for d in range(rank))
        out = np.full(shape, np.nan)
        for key in keys:
            out[key[2]] = table[key]
        if np.isnan(out).any():
            return f"a missing entry of {name}" + (f"^({layer})" if name in {"W", "b"} else "")
        return out

    parts: dict[str, Any] = {}
    for name, layer in [("x", 0), ("y", 0)] + [(n, k) for k in range(1, L + 1) for n in "Wb"]:
        value = array(name, layer)
        if isinstance(value, str):
            return None, f"the page's tables state {value}"
        parts[f"{name}{layer}"] = value
    W = tuple(parts[f"W{k}"] for k in range(1, L + 1))
    b = tuple(parts[f"b{k}"] for k in range(1, L + 1))
    sizes = [len(parts["x0"])] + [len(v) for v in b]
    if (
        any(W[k].shape != (sizes[k + 1], sizes[k]) for k in range(L))
        or len(parts["y0"]) != sizes[-1]
    ):
        return None, "the sizes of the x, W, b and y the page's tables state do not fit"
    if len(activations) != 1:
        return None, "the page states no single activation ($\\sigma = \\operatorname{sigmoid}$)"
    if len(losses) != 1:
        return None, "the page names no single loss of the package (bp.MSELoss, ...)"
    (kind,) = losses
    acts = [activations[0]] * L
    if kind != "mse":
        acts[-1] = "identity"  # the logits: the loss applies the softmax or the sigmoid
    net = shown(kind, tuple(acts), W, b, parts["x0"], parts["y0"])
    return net, ""


def substitute(node: Any, name: str, by: ast.Node) -> Any:
    """``node`` with every plain symbol ``name`` replaced by ``by`` (a derivative's variable too)."""
    if isinstance(node, ast.Symbol) and node.name == name and not node.sub and node.layer is None:
        if not node.post:
            return by
        return ast.Group((by,), (), node.post)
    if isinstance(node, ast.Deriv):
        den = substitute(node.den, name, by)
        if not isinstance(den, ast.Symbol):
            raise CheckError("an update rule's variable replaced by something that is not a symbol")
        return ast.Deriv(node.num, den)
    if isinstance(node, tuple):
        return tuple(substitute(item, name, by) for item in node)
    if isinstance(node, ast.Node) and not isinstance(node, ast.Symbol):
        changes = {f.name: substitute(getattr(node, f.name), name, by) for f in fields(node)}
        return replace(node, **changes)
    return node


SECTION_CLASSES = re.compile(r"^\s*C\s*=\s*(\d+)\s*$")


def section_classes(inline: list[Inline], headings: tuple[str, ...]) -> int | None:
    """The number of classes stated in the section ``headings`` or the nearest section above
    it that states one (the last statement of that section)."""
    found: tuple[int, int] | None = None  # (depth of the stating section, classes)
    for item in inline:
        m = SECTION_CLASSES.match(item.tex)
        inside = m is not None and headings[: len(item.headings)] == item.headings
        if m and inside and (found is None or len(item.headings) >= found[0]):
            found = (len(item.headings), int(m.group(1)))
    return None if found is None else found[1]
