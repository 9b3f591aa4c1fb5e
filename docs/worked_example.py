"""The worked example's numbers: Mazur's 2-2-2 sigmoid network, one SGD step, all from the package.

One sample, column vectors: $x = a^{(0)} \\in \\mathbb{R}^{2 \\times 1}$,
$z^{(k)} = W^{(k)} a^{(k-1)} + b^{(k)}$, $a^{(k)} = \\operatorname{sigmoid}(z^{(k)})$ for $k = 1, 2$,
$\\ell = \\frac{1}{2}\\sum_{i=1}^{2} (a_i^{(2)} - y_i)^2$ (``bp.MSELoss``, $m = 2$). With $N = 1$ the
batch loss $\\mathcal{L}$ equals $\\ell$, so the package's ``dW`` and ``db`` are $\\partial\\ell/\\partial W^{(k)}$
and $\\partial\\ell/\\partial b^{(k)}$.

Nothing here re-derives a gradient: the package computes everything, and ``RecordingSigmoid``
keeps what passed through the sigmoids. The code runs a batch of one row; every vector is
returned with shape (m,), the column vector of the math, every matrix in the (out, in) layout.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

import backprop as bp

# The inputs that define the example (Mazur, "A Step by Step Backpropagation Example").
X = np.array([[0.05, 0.10]])  # (N, n) = (1, 2): the one sample as a row
Y = np.array([[0.01, 0.99]])  # (1, 2)
W1 = np.array([[0.15, 0.20], [0.25, 0.30]])  # (m, n) = (out, in)
B1 = np.array([0.35, 0.35])
W2 = np.array([[0.40, 0.45], [0.50, 0.55]])
B2 = np.array([0.60, 0.60])
LR = 0.5

# What the walk-through prints for its own step (biases fixed), shown beside the package's.
PUBLISHED_LOSS = 0.298371109
PUBLISHED_LOSS_AFTER = 0.291027924
PUBLISHED_W1 = np.array([[0.149780716, 0.19956143], [0.24975114, 0.29950229]])
PUBLISHED_W2 = np.array([[0.35891648, 0.408666186], [0.511301270, 0.561370121]])


# --8<-- [start:recorder]
class RecordingSigmoid(bp.Sigmoid):
    """A ``bp.Sigmoid`` that keeps z, a, dl/da and delta of one sample, each of shape (m,)."""

    def forward(self, Z: ArrayLike) -> NDArray[Any]:
        A = super().forward(Z)
        self.z, self.a = np.array(Z, dtype=float)[0], A[0].copy()
        return A

    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        delta = super().backward(grad)  # what bp.Activation.backward returns: delta
        self.grad_a, self.delta = np.array(grad, dtype=float)[0], delta[0].copy()
        return delta


# --8<-- [end:recorder]


@dataclass(frozen=True)
class Layer:
    """One layer $k$ of the step (one sample; vectors (m,), matrices (m, n))."""

    W: NDArray[Any]  # W^(k) before the step
    b: NDArray[Any]  # b^(k) before the step
    z: NDArray[Any]
    a: NDArray[Any]
    grad_a: NDArray[Any]  # dl/da^(k)
    delta: NDArray[Any]  # delta^(k) = dl/dz^(k)
    dW: NDArray[Any]  # noqa: N815  dl/dW^(k) = delta^(k) (a^(k-1))^T   (BP3)
    db: NDArray[Any]  # dl/db^(k) = delta^(k)               (BP4)
    W_new: NDArray[Any]  # after the SGD step
    b_new: NDArray[Any]


@dataclass(frozen=True)
class Step:
    """One forward pass, backward pass and SGD step of the example network."""

    x: NDArray[Any]
    y: NDArray[Any]
    layers: tuple[Layer, Layer]  # layers[0] is layer k = 1
    loss: float
    grad_x: NDArray[Any]  # dl/dx = (W^(1))^T delta^(1), returned by net.backward
    loss_after: float


# --8<-- [start:network]
def network() -> tuple[bp.Sequential, tuple[RecordingSigmoid, RecordingSigmoid]]:
    """The 2-2-2 network with the example's weights and biases (float64)."""
    sigmoids = (RecordingSigmoid(), RecordingSigmoid())
    net = bp.Sequential(bp.Linear(2, 2), sigmoids[0], bp.Linear(2, 2), sigmoids[1])
    set_weights(net, W1, W2)  # W1, B1, W2, B2: the inputs in the table above
    return net, sigmoids


# --8<-- [end:network]


def set_weights(net: bp.Sequential, W1_: ArrayLike, W2_: ArrayLike) -> None:
    """Write $W^{(1)}$, $W^{(2)}$ and the example's biases into the network, in place."""
    for lin, W, b in zip(net.layers[::2], (W1_, W2_), (B1, B2), strict=True):
        assert isinstance(lin, bp.Linear)
        lin.W[...], lin.b[...] = W, b


def recorded(
    linears: list[bp.Linear], sigmoids: tuple[RecordingSigmoid, RecordingSigmoid]
) -> list[tuple[NDArray[Any], ...]]:
    """Per layer, (z, a, dl/da, delta, dW, db) as forward and backward left them (copies)."""
    out: list[tuple[NDArray[Any], ...]] = []
    for lin, sig in zip(linears, sigmoids, strict=True):
        assert lin.dW is not None and lin.db is not None
        out.append((sig.z, sig.a, sig.grad_a, sig.delta, lin.dW.copy(), lin.db.copy()))
    return out


def one_step(update_biases: bool = True) -> Step:
    """Forward, backward and one ``bp.SGD(lr=0.5)`` step; ``update_biases=False`` hands SGD the
    weights only, as the walk-through does."""
    net, sigmoids = network()
    linears = [layer for layer in net.layers if isinstance(layer, bp.Linear)]
    before = [(lin.W.copy(), lin.b.copy()) for lin in linears]
    # --8<-- [start:step]
    loss_fn = bp.MSELoss()
    loss = loss_fn.forward(net.forward(X), Y)  # forward: the sigmoids record z and a
    grad_x = net.backward(loss_fn.backward())  # backward: each bp.Linear sets dW and db
    passes = recorded(linears, sigmoids)  # copies of z, a, dl/da, delta, dW, db
    params = net.parameters() if update_biases else [p for p in net.parameters() if p.attr == "W"]
    bp.SGD(params, lr=LR).step()
    after = [(lin.W.copy(), lin.b.copy()) for lin in linears]
    loss_after = loss_fn.forward(net.forward(X), Y)
    # --8<-- [end:step]
    assert grad_x is not None
    # Layer's fields in order: (W, b), then (z, a, grad_a, delta, dW, db), then (W_new, b_new).
    layers = [
        Layer(*(old + rec + new)) for old, rec, new in zip(before, passes, after, strict=True)
    ]
    return Step(X[0], Y[0], (layers[0], layers[1]), loss, grad_x[0], loss_after)


def forward_loss(W1_: ArrayLike, W2_: ArrayLike) -> float:
    """The package's loss for the example with other weights (the biases of the example)."""
    net, _ = network()
    set_weights(net, W1_, W2_)
    return bp.MSELoss().forward(net.forward(X), Y)


@dataclass(frozen=True)
class WorkedExample:
    """The step as the site shows it (``full``) and as the walk-through does it (``fixed_bias``)."""

    full: Step
    fixed_bias: Step
    published_weights_loss: float  # the package's loss with the walk-through's printed new weights


def compute() -> WorkedExample:
    """Both variants of the step and the loss of the walk-through's published weights."""
    return WorkedExample(
        full=one_step(update_biases=True),
        fixed_bias=one_step(update_biases=False),
        published_weights_loss=forward_loss(PUBLISHED_W1, PUBLISHED_W2),
    )


def _entries(prefix: str, array: NDArray[Any]) -> dict[str, float]:
    """``{"W1_11": ..., "W1_12": ...}`` for a matrix, ``{"z1_1": ...}`` for a vector; 1-based."""
    if array.ndim == 1:
        return {f"{prefix}_{i + 1}": float(v) for i, v in enumerate(array)}
    return {f"{prefix}_{i + 1}{j + 1}": float(array[i, j]) for i, j in np.ndindex(array.shape)}


# A Layer field's name on the page, {} standing for k; any other field f is "f{}".
_PAGE_NAMES = {"grad_a": "da{}", "W_new": "W{}new", "b_new": "b{}new"}


def step_values(step: Step, prefix: str = "") -> dict[str, float]:
    """Every number of ``step`` under a flat name for the page's template, ``prefix`` in front.

    Layer k gives ``W{k}_ij``, ``b{k}_i``, ``z{k}_i``, ``a{k}_i``, ``da{k}_i`` (dl/da),
    ``delta{k}_i``, ``dW{k}_ij``, ``db{k}_i``, ``W{k}new_ij``, ``b{k}new_i``; the step gives
    ``x_i``, ``y_i``, ``dx_i``, ``loss``, ``loss_after``.
    """
    out = _entries("x", step.x) | _entries("y", step.y) | _entries("dx", step.grad_x)
    out |= {"loss": step.loss, "loss_after": step.loss_after}
    for k, layer in enumerate(step.layers, start=1):
        for field in fields(layer):
            name = _PAGE_NAMES.get(field.name, field.name + "{}").format(k)
            out |= _entries(name, getattr(layer, field.name))
    return {prefix + name: value for name, value in out.items()}


def page_values(example: WorkedExample) -> dict[str, float]:
    """The numbers the worked-example page shows: the full step unprefixed, the walk-through's
    variant with prefix ``fixed_``, the walk-through's own printed figures ``published_*``."""
    out = step_values(example.full) | step_values(example.fixed_bias, "fixed_")
    out |= {"lr": LR, "m": float(Y.shape[1])}
    out |= {
        "published_loss": PUBLISHED_LOSS,
        "published_loss_after": PUBLISHED_LOSS_AFTER,
        "published_weights_loss": example.published_weights_loss,
        "loss_drop": example.full.loss - example.full.loss_after,
        "fixed_loss_drop": example.fixed_bias.loss - example.fixed_bias.loss_after,
    }
    out |= _entries("published_W1new", PUBLISHED_W1) | _entries("published_W2new", PUBLISHED_W2)
    return out
