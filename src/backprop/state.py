"""Saving and loading parameters: ``state_dict()`` and ``load_state_dict(mapping)``.

A state dict maps each parameter's name (``"0.W"``, ``"0.b"``, ... for a ``Sequential``, the
names ``check_gradients`` reports; ``"W"``, ``"b"`` for a single layer) to a copy of its array.
It holds parameters only, never forward caches or gradients, so saving it needs no pickle:
``np.savez(path, **net.state_dict())``, then ``net.load_state_dict(np.load(path))``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from numpy.typing import NDArray

from ._checks import as_float_array, check_finite

if TYPE_CHECKING:
    from .module import Parameter


class Stateful:
    """``state_dict`` and ``load_state_dict`` for anything with ``parameters()``."""

    def parameters(self) -> list[Parameter]:
        """Trainable parameters (none by default)."""
        return []

    def state_dict(self) -> dict[str, NDArray[Any]]:
        """``{name: copy of the array}`` for every parameter, e.g. ``"0.W"`` (out, in)."""
        return {p.name: p.value.copy() for p in self.parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Copy ``state[name]`` into every parameter, in place, cast to the parameter's dtype.

        ``state`` is any mapping with exactly this object's parameter names, for instance
        ``np.load("weights.npz")``. A missing key, an unexpected key, a wrong shape, a
        non-numeric array or NaN/inf raises before anything is copied, so on error no
        parameter has changed.
        """
        where = f"{type(self).__name__}.load_state_dict"
        params = self.parameters()
        names = [p.name for p in params]
        keys = list(state.keys())
        missing = [n for n in names if n not in keys]
        unexpected = [k for k in keys if k not in names]
        if missing:
            raise ValueError(f"{where}: missing key {missing[0]!r}; expected the keys {names}.")
        if unexpected:
            raise ValueError(
                f"{where}: unexpected key {unexpected[0]!r}; expected the keys {names}."
            )
        new = []
        for p in params:
            value = as_float_array(state[p.name], p.value.dtype, where, repr(p.name))
            if value.shape != p.value.shape:
                raise ValueError(
                    f"{where}: {p.name!r} has shape {value.shape}, but the parameter has shape "
                    f"{p.value.shape}. Was the state saved from a network of other sizes?"
                )
            check_finite(value, where, repr(p.name))
            new.append(value)
        for p, value in zip(params, new, strict=True):
            p.value[...] = value  # in place: optimizers and views keep the same array
