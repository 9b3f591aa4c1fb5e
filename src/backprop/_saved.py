"""Arrays a module keeps for ``backward``: never changed behind its back.

``Linear`` keeps its input $A$ for $dW = \\Delta^\\top A$; ``Sigmoid`` and ``Tanh`` keep their
output $a$ for $\\sigma'(z)$; ``BCEWithLogitsLoss`` keeps its logits. If the caller can still
write to such an array, because it passed it in or got it back, the module keeps a read-only
copy of its own (``keep``, ``copy_into``), so an edit by the caller between ``forward`` and
``backward`` changes no gradient. An array the module made itself (a cast, a mask), or one
nobody can write to (read-only and owning its memory, as the batches ``fit`` draws), is kept as
it is: a copy is a pass over the batch that also pushes the weights out of the CPU cache.

Inside a network the arrays passed from module to module never reach the caller, so the network
guards its boundary instead: in ``Sequential.forward`` only the network's input can be the
caller's, and the output is a copy if a module keeps it (a network ending in ``Sigmoid`` or
``Tanh``); ``Sequential.backward`` checks the gradient it is given once, and its modules trust
the gradients they pass each other (``NETWORK_BACKWARD``). A training step thus copies at most
its batch, into a buffer the first ``Linear`` reuses, and ``fit``, whose batches are read-only,
copies nothing.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import numpy as np
from numpy.typing import NDArray

NETWORK_INPUT: ContextVar[object] = ContextVar("network_input", default=None)
"""The input of the ``Sequential.forward`` that is running, if one is (set around its loop)."""

NETWORK_BACKWARD: ContextVar[bool] = ContextVar("network_backward", default=False)
"""Whether a ``Sequential.backward`` is running, on a gradient it checked (set around its loop)."""


def caller_can_write(x: NDArray[Any], *held: object) -> bool:
    """Whether the caller of a module's ``forward`` can still change ``x`` in place.

    ``held`` are the arrays of that ``forward`` which its caller holds: the input it passed, the
    output it got back. Inside ``Sequential.forward`` the caller of a module is the network, so
    only the network's input counts. ``x`` can be changed if it may share memory with one of
    them and is writeable, or a view whose base may be.
    """
    net_input = NETWORK_INPUT.get()
    if net_input is None:  # a module called directly
        if not any(np.may_share_memory(x, h) for h in held):
            return False
    elif x is not net_input and (x.base is None or not np.may_share_memory(x, net_input)):
        return False  # inside a network: an array a module made (it owns its memory)
    return bool(x.flags.writeable or not x.flags.owndata)


def copy_into(x: NDArray[Any], buffer: NDArray[Any] | None) -> NDArray[Any]:
    """A read-only copy of ``x``, written into ``buffer`` (the module's previous copy) when its
    shape and dtype fit, so that a training step allocates nothing."""
    if buffer is None or buffer.shape != x.shape or buffer.dtype != x.dtype:
        buffer = np.empty(x.shape, x.dtype)
    buffer.setflags(write=True)
    np.copyto(buffer, x)
    buffer.setflags(write=False)
    return buffer


def keep(x: NDArray[Any], *held: object) -> NDArray[Any]:
    """``x`` as ``forward`` keeps it for ``backward``: ``x`` itself if the caller cannot change
    it (``caller_can_write``), otherwise a read-only copy."""
    return copy_into(x, None) if caller_can_write(x, *held) else x
