"""Finite-difference gradient checking, in float64.

Central differences, $\\frac{f(x + \\epsilon e_i) - f(x - \\epsilon e_i)}{2\\epsilon}$, have
truncation error $O(\\epsilon^2)$ and rounding error about $u\\,|f|/\\epsilon$ (u = 1.1e-16 in
float64). The default $\\epsilon = 10^{-5}$ sits near the balance point $u^{1/3}$: a correct
backward lands near 1e-10 relative error, and still below 1e-8 when the loss is tiny after
training, far below the 1e-7 threshold. In float32 the rounding error alone swamps the check,
hence float64 only.

Checking a layer you wrote yourself:

```python
import numpy as np
import backprop as bp

rng = np.random.default_rng(0)
layer = bp.Tanh()
Z = rng.standard_normal((4, 3))
G = rng.standard_normal((4, 3))  # an arbitrary upstream gradient dL/dA

def f(Z):                        # L = sum(G * layer(Z)), so dL/dZ = layer.backward(G)
    return float((G * layer.forward(Z)).sum())

numeric = bp.numerical_gradient(f, Z)
layer.forward(Z)
assert bp.relative_error(layer.backward(G), numeric) < 1e-7
```
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .losses import Loss
from .network import Sequential


def numerical_gradient(
    f: Callable[[NDArray[Any]], float], x: NDArray[Any], eps: float = 1e-5
) -> NDArray[Any]:
    """Central-difference gradient of scalar ``f`` at ``x`` (any shape, float64), same shape.

    ``x`` is perturbed in place one entry at a time and restored exactly afterwards, so
    ``f`` may read it through a reference (e.g. a layer's ``W``).
    """
    if x.dtype != np.float64:
        raise TypeError(f"numerical_gradient: x must be float64, got {x.dtype}.")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    if not np.shares_memory(flat, x):
        raise ValueError(
            "numerical_gradient: x must be contiguous so it can be perturbed in place."
        )
    f = _scalar_valued(f)
    # --8<-- [start:central_difference]
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = f(x)
        flat[i] = old - eps
        f_minus = f(x)
        flat[i] = old  # restore exactly
        gflat[i] = (f_plus - f_minus) / (2 * eps)  # error O(eps^2)
    # --8<-- [end:central_difference]
    return grad


def _scalar_valued(f: Callable[[NDArray[Any]], float]) -> Callable[[NDArray[Any]], float]:
    """``f``, checked at every call to return one number (a loss), not an array."""

    def checked(x: NDArray[Any]) -> float:
        value = f(x)
        if np.ndim(value) != 0 or not np.isrealobj(value):
            shape = f" of shape {np.shape(value)}" if np.ndim(value) else ""
            raise TypeError(
                f"numerical_gradient: f must return a scalar, the loss as one real number; it "
                f"returned {type(value).__name__}{shape}. Reduce it to a number, e.g. "
                "lambda x: float((G * layer.forward(x)).sum())."
            )
        return float(value)

    return checked


def relative_error(analytic: ArrayLike, numeric: ArrayLike) -> float:
    """$\\|g_a - g_n\\| / (\\|g_a\\| + \\|g_n\\|)$, and 0 when both are 0.

    Scale-free, so one threshold (1e-7) works for large and tiny gradients alike.
    """
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {n.shape}.")
    # --8<-- [start:relative_error]
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)
    # --8<-- [end:relative_error]


def check_gradients(
    net: Sequential, loss_fn: Loss, X: ArrayLike, y: ArrayLike, eps: float = 1e-5
) -> dict[str, float]:
    """Relative error of backprop's gradients against central differences, per parameter.

    Returns ``{"0.W": err, "0.b": err, ..., "input": err}``; a correct implementation gives
    values below 1e-7. The network must be float64. Leaves the weights unchanged.
    """
    X = np.array(X, dtype=np.float64)
    params = net.parameters()
    for p in params:
        if p.value.dtype != np.float64:
            raise TypeError(
                f"check_gradients: parameter {p.name} is {p.value.dtype}; finite differences need "
                "float64 (build the layers with dtype=np.float64)."
            )

    def loss_at(_: NDArray[Any]) -> float:
        return loss_fn.forward(net.forward(X), y)

    loss_at(X)
    dX = net.backward(loss_fn.backward())
    assert dX is not None
    arrays = {p.name: p.value for p in params} | {"input": X}
    analytic = {p.name: p.grad.copy() for p in params} | {"input": dX}
    return {
        name: relative_error(analytic[name], numerical_gradient(loss_at, x, eps))
        for name, x in arrays.items()
    }
