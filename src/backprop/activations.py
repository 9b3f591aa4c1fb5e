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
from .module import Module, as_grad


class Activation(Module):
    """Shape-preserving element-wise map; subclasses define ``_sigma`` and ``_sigma_prime``.

    ``forward``: ``Z`` (N, m) -> ``A`` (N, m). ``backward``: dL/dA (N, m) -> dL/dZ (N, m).
    Integer inputs are cast to float64; float inputs keep their dtype.
    """

    def __init__(self) -> None:
        self.cache: NDArray[Any] | None = None
        self.dtype: np.dtype[Any] = np.dtype(np.float64)

    def forward(self, Z: ArrayLike) -> NDArray[Any]:
        """``Z`` (N, m) -> ``A = sigma(Z)`` (N, m); caches what sigma' needs."""
        Z = as_float_array(Z, None, self, "input")
        self.dtype = Z.dtype
        A, self.cache = self._sigma(Z)
        return A

    def backward(self, grad: ArrayLike) -> NDArray[Any]:
        """dL/dA (N, m) -> ``delta`` = dL/dZ (N, m)."""
        self._require_cache(self.cache)
        assert self.cache is not None
        grad = as_grad(grad, self.dtype)
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
