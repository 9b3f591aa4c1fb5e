"""``Sequential``: a chain of modules, run forward in order and backward in reverse."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._saved import NETWORK_BACKWARD, NETWORK_INPUT
from .layers import Linear
from .module import Module, Parameter, check_gradient
from .state import Stateful


class Sequential(Stateful):
    """The network $a^{(L)} = \\sigma(W^{(L)} \\cdots \\sigma(W^{(1)} x + b^{(1)}) \\cdots + b^{(L)})$.

    ``layers`` is a plain list. ``forward``: X (N, n_0) -> output (N, n_L).
    ``backward(grad)``: dL/d(output) (N, n_L) -> dL/dX (N, n_0), setting every
    ``Linear``'s ``dW`` and ``db`` on the way (BP2 is this loop in reverse).
    ``state_dict()`` and ``load_state_dict(mapping)`` save and restore the parameters.

    Each position needs its own module object: a layer given twice would have its cache and
    gradients overwritten by its second use, so it is a ``ValueError``.

    ``forward`` returns an array no module keeps (a copy if the last module keeps its output,
    as ``Sigmoid`` and ``Tanh`` do), and the first ``Linear`` keeps a copy of ``X`` unless ``X``
    was cast or is read-only (``_saved.py``): the caller may edit both before ``backward``.
    ``backward`` checks the gradient it is given (real and finite); the modules inside trust the
    gradients they pass each other.
    """

    def __init__(self, *layers: Module) -> None:
        if not layers:
            raise ValueError("Sequential: give at least one layer, e.g. Sequential(Linear(2, 1)).")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Module):
                raise TypeError(f"Sequential: layers[{i}] is {layer!r}, not a backprop Module.")
        first_seen: dict[int, int] = {}
        for i, layer in enumerate(layers):
            j = first_seen.setdefault(id(layer), i)
            if j != i:
                raise ValueError(
                    f"Sequential: layers[{j}] and layers[{i}] are the same {layer!r} object. "
                    "A module used twice has its forward cache and its gradients overwritten "
                    "by the second use, not summed, so backward would be wrong (and the "
                    "optimizer would update its parameters twice). Create a separate module "
                    "for each position."
                )
        self.layers: list[Module] = list(layers)

    def __repr__(self) -> str:
        inner = "".join(f"\n  ({i}): {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({inner}\n)"

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    def forward(self, X: ArrayLike) -> NDArray[Any]:
        """X (N, n_0) -> output (N, n_L); every layer caches for ``backward``."""
        A = np.asarray(X)
        inside = NETWORK_INPUT.set(A)  # the arrays between modules never reach the caller
        try:
            # --8<-- [start:forward_loop]
            for layer in self.layers:
                A = layer.forward(A)  # Linear: z = W a + b; activation: a = sigma(z)
            # --8<-- [end:forward_loop]
        finally:
            NETWORK_INPUT.reset(inside)
        if isinstance(self.layers[-1], Linear):  # its output is new: no module keeps it
            return A
        for layer in reversed(self.layers):  # does a module keep the output (a final Tanh)?
            for kept in layer._kept():
                if kept is not None and np.may_share_memory(A, kept):
                    return A.copy()  # then the caller gets a copy, free to edit
            if isinstance(layer, Linear):
                break
        return A

    def backward(self, grad: ArrayLike, need_input_grad: bool = True) -> NDArray[Any] | None:
        """dL/d(output) (N, n_L) -> dL/dX (N, n_0); sets each ``Linear``'s ``dW``, ``db``.

        With ``need_input_grad=False`` the first layer, if it is a ``Linear``, computes only
        ``dW`` and ``db``, and ``None`` is returned: training never needs dL/dX.
        """
        g = np.asarray(grad)
        check_gradient(g, "Sequential.backward")  # the modules inside trust each other
        first = self.layers[0] if self.layers else None
        skip_first = not need_input_grad and isinstance(first, Linear)
        rest = self.layers[1:] if skip_first else self.layers
        inside = NETWORK_BACKWARD.set(True)
        try:
            # --8<-- [start:bp2]
            for layer in reversed(rest):
                g = layer.backward(g)  # Linear: delta @ W, i.e. W^T delta; activation: g ⊙ σ'(z)
            # --8<-- [end:bp2]
            if skip_first:
                assert isinstance(first, Linear)
                first.backward_params(g)
        finally:
            NETWORK_BACKWARD.reset(inside)
        return g if need_input_grad else None

    def predict(self, X: ArrayLike) -> NDArray[Any]:
        """Network output for X (N, n_0) -> (N, n_L). For a classifier, ``.argmax(axis=1)``
        gives the labels. This runs ``forward``, so it replaces the cached activations."""
        return self.forward(X)

    def parameters(self) -> list[Parameter]:
        """Every trainable parameter, named ``"<layer index>.<attr>"`` (``"0.W"``, ``"0.b"``, ...)."""
        return [
            Parameter(p.owner, p.attr, f"{i}.{p.name}")
            for i, layer in enumerate(self.layers)
            for p in layer.parameters()
        ]

    def shapes(self, input_shape: tuple[int, ...]) -> list[tuple[str, tuple[int, ...]]]:
        """The shape of every activation for an input of ``input_shape``, without computing.

        Returns ``[("input", (N, n_0)), ("0: Linear(...)", (N, n_1)), ...]``.
        """
        shape = tuple(input_shape)
        out = [("input", shape)]
        for i, layer in enumerate(self.layers):
            shape = layer.output_shape(shape)
            out.append((f"{i}: {layer!r}", shape))
        return out
