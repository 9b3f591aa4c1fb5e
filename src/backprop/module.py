"""The layer contract that every building block follows.

A ``Module`` maps a batch ``X`` of shape (N, ...) to an output of shape (N, ...).

* ``forward(X)`` computes the output **and caches** what ``backward`` needs.
* ``backward(grad)`` takes dL/d(output), same shape as the output, and returns
  dL/d(input). Parameter gradients are *overwritten* (never accumulated), so
  there is no ``zero_grad``.
* ``parameters()`` lists the trainable arrays as ``Parameter`` handles.
* ``state_dict()`` / ``load_state_dict(mapping)`` save and restore them (``state.py``).

A subclass with its own ``__init__`` must call ``super().__init__()`` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._checks import check_finite
from ._saved import NETWORK_BACKWARD
from .state import Stateful


@dataclass(frozen=True)
class Parameter:
    """A handle to one trainable array of a module: ``owner.<attr>`` and its gradient ``owner.d<attr>``.

    The handle reads the arrays at access time, so optimizers always see the gradient
    written by the latest ``backward`` call.
    """

    owner: Module
    attr: str
    name: str

    @property
    def value(self) -> NDArray[Any]:
        """The parameter array (updated in place by optimizers)."""
        v: NDArray[Any] = getattr(self.owner, self.attr)
        return v

    @property
    def grad(self) -> NDArray[Any]:
        """dL/d(value), same shape; raises if ``backward`` has not run."""
        g: NDArray[Any] | None = getattr(self.owner, "d" + self.attr)
        if g is None:
            if self.owner._forward_ran():
                raise RuntimeError(
                    f"{self.owner!r}: no gradient for {self.attr!r} yet: forward ran, backward "
                    "did not. Call net.backward(...) after net.forward(...) before opt.step()."
                )
            raise RuntimeError(
                f"{self.owner!r}: no gradient for {self.attr!r} yet: this layer has run neither "
                "forward nor backward. Call net.forward(...) and net.backward(...) before "
                "opt.step(). If you did, they ran on another network: this optimizer was "
                "built for other parameters. Build it from the network you train, e.g. "
                "bp.SGD(net.parameters())."
            )
        return g


# --8<-- [start:contract]
class Module(Stateful):
    """Base class: ``forward`` caches, ``backward`` overwrites gradients and returns dL/d(input)."""

    def forward(self, x: NDArray[Any]) -> NDArray[Any]:
        """Compute the output for a batch ``x`` and cache what ``backward`` needs."""
        raise NotImplementedError

    def backward(self, grad: NDArray[Any]) -> NDArray[Any]:
        """Given dL/d(output), set parameter gradients and return dL/d(input)."""
        raise NotImplementedError

    def parameters(self) -> list[Parameter]:
        """Trainable parameters (none by default)."""
        return []

    # --8<-- [end:contract]

    def __init__(self) -> None:
        self._module_ready = True  # lets __getattr__ tell a skipped super().__init__()

    def __getattr__(self, name: str) -> Any:
        # Only called when normal lookup fails, so it costs nothing on the hot path.
        if name.startswith("__") or "_module_ready" in self.__dict__:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raise AttributeError(
            f"{type(self).__name__} has no attribute {name!r}: its __init__ did not call "
            "super().__init__(), which sets up the base class. Add super().__init__() as "
            "the first line of __init__."
        )

    def _forward_ran(self) -> bool:
        """Whether ``forward`` has cached something for ``backward`` (for error messages)."""
        return False

    def _kept(self) -> tuple[NDArray[Any] | None, ...]:
        """The arrays ``forward`` keeps for ``backward`` by reference (none by default)."""
        return ()

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        """Shape of the output for an input of ``input_shape`` (shape-preserving by default)."""
        return input_shape

    def _require_cache(self, cached: object) -> None:
        if cached is None:
            raise RuntimeError(
                f"{self!r}: backward() called before forward(). Run forward on a batch first; "
                "backward uses the values forward cached."
            )

    def _check_grad_shape(self, grad: NDArray[Any], expected: tuple[int, ...]) -> None:
        if grad.shape != expected:
            raise ValueError(
                f"{self!r}: backward expected a gradient of shape {expected} (the shape of "
                f"this layer's output), got {grad.shape}. Shapes are never broadcast."
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def as_grad(grad: object, dtype: np.dtype[Any], where: object) -> NDArray[Any]:
    """The gradient given to ``backward``, checked: an array of ``dtype`` (so a float32 model is
    never promoted to float64), real and finite, or an error naming ``where`` and the fix.

    A NaN or inf would flow into ``dW`` and then into the weights; a complex value would lose
    its imaginary part in the cast. Integer and bool gradients are cast, as inputs are. Inside
    ``Sequential.backward``, which checked the gradient it was given, the gradients that modules
    pass each other are trusted: only a cast is checked.
    """
    g = np.asarray(grad)
    if g.dtype == dtype and NETWORK_BACKWARD.get():  # from a module inside a network
        return g
    check_gradient(g, where)
    return g if g.dtype == dtype else g.astype(dtype)


def check_gradient(g: NDArray[Any], where: object) -> None:
    """Raise unless ``g``, a gradient given to ``backward``, is real and finite (any real dtype)."""
    if g.dtype.kind not in "fiub":
        if g.dtype.kind == "c":
            raise TypeError(
                f"{where}: backward got a gradient of dtype {g.dtype}, but the gradient of a real "
                "loss is real. Fix what made it complex (the loss or the module above); if its "
                "imaginary part is zero, pass np.real(grad)."
            )
        raise TypeError(
            f"{where}: the gradient given to backward must be a real numeric array, got "
            f"dtype {g.dtype}. Convert it with np.asarray(grad, dtype=np.float64)."
        )
    check_finite(
        g,
        where,
        "the gradient given to backward",
        "A NaN or inf would flow into dW and db and then into the weights. It comes from the "
        "loss or the module above: check that the loss is finite, and lower the learning rate "
        "if training diverged.",
    )
