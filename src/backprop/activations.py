"""Element-wise activations $a = \\sigma(z)$ and their derivatives $\\sigma'(z)$.

Every activation's backward is the same Hadamard product,
$\\delta = \\partial\\mathcal{L}/\\partial a \\odot \\sigma'(z)$ (BP1 at the output layer,
the second half of BP2 elsewhere). The activations differ only in how they get
$\\sigma'(z)$ from what ``forward`` cached:

* ``ReLU`` caches the mask $z > 0$, since $\\sigma'(z) = [z > 0]$ (0 at z = 0).
* ``Sigmoid`` caches its output $a$, since $\\sigma'(z) = a(1 - a)$.
* ``Tanh`` caches its output $a$, since $\\sigma'(z) = 1 - a^2$.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._checks import as_float_array
from ._saved import caller_can_write, copy_into
from .module import Module, as_grad


class Activation(Module):
    """Shape-preserving element-wise map; subclasses define ``_sigma`` and ``_sigma_prime``.

    ``forward``: ``Z`` (N, m) -> ``A`` (N, m). ``backward``: dL/dA (N, m) -> dL/dZ (N, m).
    Float inputs keep their dtype; integer and bool inputs are cast to float64.

    A cache that the caller could still edit, because it shares memory with ``A`` (as
    ``Sigmoid``'s and ``Tanh``'s does) or with the input, is kept as a read-only copy
    (``_saved.py``): editing the output or the input never changes ``backward``.

    A subclass implements two methods, and ``forward`` checks what the first returns:

    * ``_sigma(self, Z: NDArray) -> tuple[NDArray, NDArray]``: ``Z`` (N, m) -> ``(A, cache)``,
      ``A = sigma(Z)`` of shape (N, m) and whatever ``_sigma_prime`` needs (``Z``, ``A`` or
      a mask);
    * ``_sigma_prime(self, cache: NDArray) -> NDArray``: sigma'(Z), shape (N, m), from the
      cache only.

    A subclass with parameters of its own (a slope, say) takes them in ``__init__`` and calls
    ``super().__init__()`` first.
    """

    def __init__(self) -> None:
        super().__init__()
        self.cache: NDArray[Any] | None = None
        self._copy: NDArray[Any] | None = None  # the buffer of forward's copies of the cache
        self.dtype: np.dtype[Any] = np.dtype(np.float64)

    def forward(self, Z: ArrayLike) -> NDArray[Any]:
        """``Z`` (N, m) -> ``A = sigma(Z)`` (N, m); caches what sigma' needs."""
        Z = as_float_array(Z, None, self, "input")
        self.dtype = Z.dtype
        out = self._sigma(Z)
        if not (isinstance(out, tuple) and len(out) == 2 and np.shape(out[0]) == Z.shape):
            self._bad_sigma(out, Z.shape)
        A, cache = out
        if isinstance(cache, np.ndarray) and caller_can_write(cache, A, Z):
            cache = self._copy = copy_into(cache, self._copy)  # the caller holds Z and gets A
        self.cache = cache
        return A

    def _bad_sigma(self, out: Any, shape: tuple[int, ...]) -> None:
        pair = isinstance(out, tuple) and len(out) == 2
        if pair:
            got = f"a tuple with A of shape {np.shape(out[0])}"
        else:
            got = type(out).__name__ + (f" of shape {np.shape(out)}" if np.ndim(out) else "")
        raise (ValueError if pair else TypeError)(
            f"{self!r}: _sigma(Z) must return a tuple (A, cache) with A = sigma(Z) of the "
            f"input's shape {shape}; it returned {got}."
        )

    def _forward_ran(self) -> bool:
        return self.cache is not None

    def _kept(self) -> tuple[NDArray[Any] | None, ...]:
        return (self.cache,)

    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        """dL/dA (N, m) -> ``delta`` = dL/dZ (N, m)."""
        self._require_cache(self.cache)
        assert self.cache is not None
        grad = as_grad(grad, self.dtype, self)
        self._check_grad_shape(grad, self.cache.shape)
        # --8<-- [start:bp1]
        delta = grad * self._sigma_prime(self.cache)  # dL/da ⊙ σ'(z), element-wise
        # --8<-- [end:bp1]
        return delta

    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        """Return ``(A, cache)``."""
        raise NotImplementedError

    def _sigma_prime(self, cache: NDArray[Any]) -> NDArray[Any]:
        """Return sigma'(Z) computed from the cache only."""
        raise NotImplementedError


class ReLU(Activation):
    """$\\sigma(z) = \\max(z, 0)$, $\\sigma'(z) = [z > 0]$, using 0 at z = 0."""

    # --8<-- [start:relu]
    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        mask = Z > 0  # cache the mask: it *is* sigma'(z), as booleans
        return np.maximum(Z, 0), mask

    def _sigma_prime(self, mask: NDArray[Any]) -> NDArray[Any]:
        return mask  # grad * mask: 1 where z > 0, else 0 (z = 0 too)

    # --8<-- [end:relu]


class Sigmoid(Activation):
    """$\\sigma(z) = 1/(1 + e^{-z})$, $\\sigma'(z) = \\sigma(z)(1 - \\sigma(z))$.

    Computed without overflow for any finite z: only $e^{-|z|} \\le 1$ is evaluated.
    """

    # --8<-- [start:sigmoid]
    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        e = np.exp(-np.abs(Z))  # in (0, 1]: never overflows, even for |z| = 1e3
        A = np.where(Z >= 0, 1 / (1 + e), e / (1 + e))
        return A, A  # cache the output a: sigma'(z) = a (1 - a)

    def _sigma_prime(self, A: NDArray[Any]) -> NDArray[Any]:
        return A * (1 - A)

    # --8<-- [end:sigmoid]


class Tanh(Activation):
    """$\\sigma(z) = \\tanh z$, $\\sigma'(z) = 1 - \\tanh^2 z$."""

    # --8<-- [start:tanh]
    def _sigma(self, Z: NDArray[Any]) -> tuple[NDArray[Any], NDArray[Any]]:
        A = np.tanh(Z)
        return A, A  # cache the output a: sigma'(z) = 1 - a^2

    def _sigma_prime(self, A: NDArray[Any]) -> NDArray[Any]:
        return 1 - A * A

    # --8<-- [end:tanh]
