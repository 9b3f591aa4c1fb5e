"""sigma, sigma' and softmax written from the math (not taken from the package), and derivatives
of the checker's own forward graph by the complex step, exact to rounding.

Complex step: for a function f that is real on real inputs and analytic,
f(x + i h) = f(x) + i h f'(x) + O(h^2), so Im f(x + i h) / h is f'(x) with no cancellation;
with h = 1e-30 the O(h^2) term is far below rounding. ReLU is written as z * [Re z > 0], exact
in the same way away from its kink.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

H = 1e-30


def sigmoid(z: Any) -> Any:
    """sigmoid(z) = 1 / (1 + e^{-z})."""
    return 1.0 / (1.0 + np.exp(-z))


def activation(name: str, z: Any) -> Any:
    """sigma(z) for the named activation, element by element (also on complex arrays)."""
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "relu":
        return z * (np.real(z) > 0)
    if name == "identity":
        return z * 1.0
    raise ValueError(name)


def activation_prime(name: str, z: Any) -> Any:
    """sigma'(z): 1 - tanh^2 z, sigmoid(z) (1 - sigmoid(z)), [z > 0] (0 at the kink), 1."""
    if name == "tanh":
        return 1.0 - np.tanh(z) ** 2
    if name == "sigmoid":
        return sigmoid(z) * (1.0 - sigmoid(z))
    if name == "relu":
        return (np.real(z) > 0) * 1.0
    if name == "identity":
        return np.ones_like(z) * 1.0
    raise ValueError(name)


def softmax(z: Any) -> Any:
    """softmax(z)_c = e^{z_c} / sum_j e^{z_j} of a column vector (shifted by max_j Re z_j)."""
    e = np.exp(z - np.max(np.real(z)))
    return e / e.sum()


def bce(a: Any, y: Any) -> Any:
    """Binary cross-entropy of one sample's probabilities a: the mean over its m entries of
    -y log a - (1 - y) log(1 - a) (what ``BCEWithLogitsLoss`` computes from the logits)."""
    return (-y * np.log(a) - (1 - y) * np.log(1 - a)).sum(keepdims=True) / a.size


def complex_jacobian(
    f: Any, x: NDArray[np.float64], out_shape: tuple[int, ...]
) -> NDArray[np.float64]:
    """d f(x) / d x by the complex step: shape ``out_shape + x.shape`` (numerator layout)."""
    J = np.zeros((*out_shape, *x.shape))
    base = x.astype(np.complex128)
    for pos in np.ndindex(*x.shape):
        probe = base.copy()
        probe[pos] += 1j * H
        J[(..., *pos)] = np.imag(np.asarray(f(probe))).reshape(out_shape) / H
    return J
