"""The worked example's computational graph as inline SVG, drawn from the computed numbers.

Each node shows its value (upright, class ``cg-value``) above a rule and its gradient
$\\partial\\ell/\\partial \\text{node}$ below it (italic, ``cg-grad``), so colour is not needed.
Screen readers get the ``<title>`` and a ``<desc>`` listing every number; a table follows.
Vectors are drawn as columns (one sample, column vectors), matrices in their (m, n) layout.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIGITS = 4  # significant digits in the figure; the page's equations show more
NODE_WS = (164, 122, 122)  # the left column holds the matrices
NODE_H = 112
GAP = 10
COLS = (8, 8 + NODE_WS[0] + GAP, 8 + NODE_WS[0] + NODE_WS[1] + 2 * GAP)  # left edges
ENTRY_PITCH = 80  # between a matrix's two columns
ROW_PITCH = 140
TOP = 50  # room for the legend
LINE = 14
ELL, MINUS = "\u2113", "\u2212"  # script l (the loss), minus sign
# The fills are the light palette's; docs/javascripts/extra.css sets them per palette.
VALUE_STYLE = 'class="cg-value" fill="#1d4ed8"'
GRAD_STYLE = 'class="cg-grad" font-style="italic" fill="#b91c1c"'


@dataclass(frozen=True)
class Node:
    """One node: its label, the operation that made it, its value and gradient."""

    key: str  # id part and name in the table: "W1"
    label: str  # drawn: "W⁽¹⁾"
    op: str  # "= W⁽¹⁾x + b⁽¹⁾" for a computed node; what it is ("input", "bias") for a leaf
    col: int
    row: int
    value: NDArray[Any]
    grad: NDArray[Any] | None  # None: a constant (the target y)
    spoken: str  # how the text alternative names it


def nodes(step: Any) -> list[Node]:
    """The graph's nodes, placed on a 3-column grid (rows top to bottom)."""
    l1, l2 = step.layers
    loss = np.array([step.loss])
    return [
        Node("W1", "W⁽¹⁾", "weights", 0, 0, l1.W, l1.dW, "W 1"),
        Node("x", "x = a⁽⁰⁾", "input", 1, 0, step.x, step.grad_x, "x"),
        Node("b1", "b⁽¹⁾", "bias", 2, 0, l1.b, l1.db, "b 1"),
        Node("z1", "z⁽¹⁾", "= W⁽¹⁾x + b⁽¹⁾", 1, 1, l1.z, l1.delta, "z 1"),
        Node("W2", "W⁽²⁾", "weights", 0, 2, l2.W, l2.dW, "W 2"),
        Node("a1", "a⁽¹⁾", "= sigmoid(z⁽¹⁾)", 1, 2, l1.a, l1.grad_a, "a 1"),
        Node("b2", "b⁽²⁾", "bias", 2, 2, l2.b, l2.db, "b 2"),
        Node("z2", "z⁽²⁾", "= W⁽²⁾a⁽¹⁾ + b⁽²⁾", 1, 3, l2.z, l2.delta, "z 2"),
        Node("a2", "a⁽²⁾", "= sigmoid(z⁽²⁾)", 1, 4, l2.a, l2.grad_a, "a 2"),
        Node("y", "y", "target", 2, 4, step.y, None, "y"),
        Node("loss", ELL, "= MSE(a⁽²⁾, y)", 1, 5, loss, np.ones(1), "The loss"),
    ]


INPUTS = {"z1": "W1 x b1", "a1": "z1", "z2": "W2 a1 b2", "a2": "z2", "loss": "a2 y"}
EDGES = [(src, dst) for dst, srcs in INPUTS.items() for src in srcs.split()]


def figure_number(value: float) -> str:
    """``value`` to ``DIGITS`` significant digits, zeros kept: 0.15 -> ``0.1500``."""
    text = f"{float(value):#.{DIGITS}g}"
    return "0" if float(text) == 0 else text


def _rows(array: NDArray[Any]) -> list[list[str]]:
    """Entries by drawn row: a vector is a column (one entry a row), a matrix its rows."""
    rows = array[:, None] if array.ndim == 1 else array
    return [[figure_number(v).replace("-", MINUS) for v in row] for row in rows]


def _spoken(array: NDArray[Any]) -> str:
    if array.ndim == 1:
        return ", ".join(figure_number(v) for v in array)
    return "; ".join("row " + ", ".join(figure_number(v) for v in row) for row in array)


def _xy(node: Node) -> tuple[int, int]:
    return COLS[node.col], TOP + node.row * ROW_PITCH


def _text_rows(rows: list[list[str]], cx: int, ty: int, style: str) -> list[str]:
    """One ``<text>`` per entry: rows LINE apart from ``ty``, columns ENTRY_PITCH apart around cx."""
    return [
        f'<text {style} x="{cx + (j - (len(row) - 1) / 2) * ENTRY_PITCH:g}" y="{ty + i * LINE}" '
        f'text-anchor="middle">{html.escape(entry)}</text>'
        for i, row in enumerate(rows)
        for j, entry in enumerate(row)
    ]


def _node_svg(node: Node) -> str:
    x, y = _xy(node)
    w = NODE_WS[node.col]
    cx = x + w // 2
    values = _rows(node.value)
    grads = [["none: a constant"]] if node.grad is None else _rows(node.grad)
    rule = y + 29 + max(len(values) + 1, 3) * LINE + 2  # below the values, at least 2 rows down
    parts = [
        f'<g class="cg-node" id="cg-{node.key}">',
        f'<rect class="cg-box" x="{x}" y="{y}" width="{w}" height="{NODE_H}" rx="8" '
        'fill="none" stroke="currentColor" stroke-width="1.2"/>',
        f'<text x="{cx}" y="{y + 16}" text-anchor="middle" font-weight="bold" font-size="13" '
        f'fill="currentColor">{html.escape(node.label)}</text>',
        f'<text x="{cx}" y="{y + 29}" text-anchor="middle" font-size="10.5" '
        f'fill="currentColor">{html.escape(node.op)}</text>',
        *_text_rows(values, cx, y + 29 + LINE + 2, VALUE_STYLE),
        f'<line x1="{x + 10}" x2="{x + w - 10}" y1="{rule - 10}" y2="{rule - 10}" '
        'stroke="currentColor" stroke-width="0.6" stroke-dasharray="3 3"/>',
        *_text_rows(grads, cx, rule + 6, GRAD_STYLE),
        "</g>",
    ]
    return "".join(parts)


def _edge_svg(src: Node, dst: Node) -> str:
    if dst.row != src.row + 1:
        raise ValueError(f"edge {src.key} -> {dst.key} must go down one row")
    (sx, sy), (dx, dy) = _xy(src), _xy(dst)
    x1, y1 = sx + NODE_WS[src.col] // 2, sy + NODE_H
    x2 = dx + NODE_WS[dst.col] // 2 + (src.col - dst.col) * 36  # side inputs land off centre
    return (
        f'<line class="cg-edge" x1="{x1}" y1="{y1}" x2="{x2}" y2="{dy - 2}" '
        'stroke="currentColor" stroke-width="1.2" marker-end="url(#cg-arrow)"/>'
    )


_PLAIN = str.maketrans({"⁽": "(", "⁾": ")", "⁰": "0", "¹": "1", "²": "2"})


def description(step: Any) -> str:
    """The text alternative: every node with its value and its gradient, in reading order."""
    parts = [
        "Computational graph of the worked example, read from top to bottom. "
        "Each node shows its forward value and, below it, the gradient of the loss with "
        "respect to it, to 4 significant digits."
    ]
    for node in nodes(step):
        op = node.op.translate(_PLAIN)
        made = f", computed as {op[2:]}" if op.startswith("= ") else f", the {op}"
        grad = "no gradient, it is a constant"
        if node.grad is not None:
            grad = f"gradient {_spoken(node.grad)}"
        parts.append(f"{node.spoken}{made}: value {_spoken(node.value)}; {grad}.")
    parts.append(
        "Edges: W 1, x and b 1 feed z 1; z 1 feeds a 1; W 2, a 1 and b 2 feed z 2; "
        "z 2 feeds a 2; a 2 and y feed the loss."
    )
    return " ".join(parts)


def svg(step: Any) -> str:
    """The figure: an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``, one line per element."""
    by_key = {n.key: n for n in nodes(step)}
    width = COLS[-1] + NODE_WS[-1] + 8
    height = TOP + 5 * ROW_PITCH + NODE_H + 8
    parts = [
        f'<svg class="compgraph-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} '
        f'{height}" width="{width}" height="{height}" role="img" '
        'aria-labelledby="cg-title cg-desc" font-family="system-ui, sans-serif" font-size="13">',
        '<title id="cg-title">The worked example as a computational graph</title>',
        f'<desc id="cg-desc">{html.escape(description(step))}</desc>',
        '<defs><marker id="cg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" '
        'fill="currentColor"/></marker></defs>',
        f'<text x="8" y="20" {VALUE_STYLE}>value (upright, above the line)</text>',
        f'<text x="8" y="37" {GRAD_STYLE}>gradient ∂{ELL}/∂node (italic, below the line)</text>',
        *[_edge_svg(by_key[a], by_key[b]) for a, b in EDGES],
        *[_node_svg(n) for n in by_key.values()],
        "</svg>",
    ]
    return "\n".join(parts)


def table(step: Any) -> str:
    """The figure's numbers as an HTML table, on one line (it sits inside Markdown)."""
    head = (
        "<thead><tr><th>Node</th><th>Computed as</th><th>Value</th>"
        f"<th>Gradient ∂{ELL}/∂node</th></tr></thead>"
    )
    rows = [
        f"<tr><td>{html.escape(n.label)}</td><td>{html.escape(n.op.removeprefix('= '))}</td>"
        f"<td>{_spoken(n.value)}</td>"
        f"<td>{'none (a constant)' if n.grad is None else _spoken(n.grad)}</td></tr>"
        for n in nodes(step)
    ]
    return f"<table>{head}<tbody>{''.join(rows)}</tbody></table>"


def figure_html(step: Any) -> str:
    """The SVG in a figure that scrolls sideways on a narrow screen, then its table. The figure
    stays out of the search index: its 130 numbers would be noise there."""
    return (
        '<figure class="compgraph" data-search-exclude>\n'
        '<div class="compgraph-scroll" role="region" tabindex="0" '
        'aria-label="Computational graph (scrolls sideways on a narrow screen)">\n'
        f"{svg(step)}\n</div>\n"
        "<figcaption>The worked example's graph: the forward pass runs down, the gradients "
        "come back up.</figcaption>\n"
        '<details class="note"><summary>The graph\'s numbers as a table</summary>\n'
        f"{table(step)}\n</details>\n"
        "</figure>"
    )
