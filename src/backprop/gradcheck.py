"""Finite-difference gradient checking, in float64.

**The central difference.** Along entry $i$ of an array $x$,
$\\hat g_i(\\epsilon) = \\frac{f(x + \\epsilon e_i) - f(x - \\epsilon e_i)}{2\\epsilon}$ misses the
derivative $g_i$ by two errors:

* **truncation**, $\\frac{\\epsilon^2}{6} f'''_i + O(\\epsilon^4)$, with $f'''_i$ the third
  derivative of $f$ along $e_i$;
* **rounding**, up to $\\delta_f / \\epsilon$, where $\\delta_f$ is the absolute rounding error of
  computing $f$. It is at least $u\\,|f|$ (the unit roundoff $u = 2^{-53} \\approx 1.1 \\times
  10^{-16}$ in float64) and often far more: $u$ times the size of the terms that $f$ adds up.
  The small loss of a trained network is a difference of log-sum-exps of large logits.

The default $\\epsilon = 10^{-5}$ sits near the balance point $u^{1/3}$.

**The step error.** Neither error is known in advance, so ``check_gradients`` measures them:
it computes every entry with the step doubled too. Doubling multiplies the truncation error by 4
and halves the rounding error, so
$d_i = \\hat g_i(\\epsilon) - \\hat g_i(2\\epsilon) = -\\frac{\\epsilon^2}{2} f'''_i + \\ldots$ is three
times the truncation error of $\\hat g_i(\\epsilon)$, plus a rounding error of the size of its own.
Rounding comes from $f$, alike in every entry, so each $|d_i|$ is raised to at least $r$, the
median of the nonzero $|d|$ over all the entries checked (the rounding seen where $f$ changed),
and to at least $u \\max(|f|, 1) / \\epsilon$, one rounding unit of the loss over the step (for
when $f$ changed nowhere). The step error of an array $\\theta$ is the norm over its entries,
$\\nu_\\theta = \\lVert \\max(|d|,\\ r,\\ u \\max(|f|, 1) / \\epsilon) \\rVert$.

**The number** ``check_gradients`` reports for $\\theta$ is the relative error with a floor:

$$
\\mathrm{err}_\\theta = \\frac{\\lVert g - \\hat g \\rVert}
{\\max\\big(\\lVert g \\rVert + \\lVert \\hat g \\rVert,\\ K \\nu_\\theta / \\tau\\big)},
\\qquad \\tau = 10^{-7}\\ (\\texttt{TOLERANCE}),\\quad K = 10\\ (\\texttt{NOISE\\_MARGIN}).
$$

So $\\mathrm{err}_\\theta > \\tau$ exactly when backprop and finite differences disagree by more
than $\\tau$ times the gradients' size **and** by more than $K$ times the finite differences' own
error $\\nu_\\theta$. A correct backward pass differs from $\\hat g$ only by that error, so it stays
near $\\tau / K$, below the line, on trained and untrained networks alike, and where a gradient is
tiny next to the loss (behind saturated units). While the gradients are large next to
$K \\nu_\\theta / \\tau$, as in an untrained network, the floor plays no part: the number is the
plain relative error, and $\\kappa g$ against $g$ gives $|1 - \\kappa| / (1 + \\kappa)$. A
disagreement smaller than $K \\nu_\\theta$ is invisible: where $f$ has a kink within $2\\epsilon$ of
$x$ (a ReLU unit with $|z| < 2\\epsilon$) the step error is large, and so is the floor. Within
about $\\epsilon / 6$ of a kink, though, both steps straddle it alike, $d_i$ misses their error,
and the check fails although the code is right. In float32 the rounding error swamps the check,
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

import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .losses import Loss
from .network import Sequential

TOLERANCE = 1e-7
"""The line: a ``check_gradients`` error above it means the backward pass has a bug."""

UNIT_ROUNDOFF = 2.0**-53
"""$u$, the largest relative rounding error of one float64 operation (about 1.1e-16)."""

NOISE_MARGIN = 10.0
"""How many times its own step error a disagreement must exceed to count (K above)."""


def numerical_gradient(
    f: Callable[[NDArray[Any]], float], x: NDArray[Any], eps: float = 1e-5
) -> NDArray[Any]:
    """Central-difference gradient of scalar ``f`` at ``x`` (any shape, float64), same shape.

    ``x`` is perturbed in place one entry at a time and restored exactly afterwards, so
    ``f`` may read it through a reference (e.g. a layer's ``W``). Any memory layout works
    (C or Fortran order, a transposed view, a strided slice); ``x`` must be writeable.
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        got = x.dtype if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(
            f"numerical_gradient: x must be float64, got {got}. Finite differences need "
            "float64: make the array f reads float64, e.g. build layers with "
            "dtype=np.float64 or pass np.asarray(x, dtype=np.float64) to an f that reads its argument."
        )
    if not x.flags.writeable:
        raise ValueError(
            "numerical_gradient: x is read-only, and it is perturbed in place so that f may read "
            "it through a reference. Pass a writeable array: x.copy(), if f reads its argument."
        )
    if not (isinstance(eps, int | float | np.floating) and 0 < eps < math.inf):
        raise ValueError(f"numerical_gradient: eps must be a positive float, got {eps!r}.")
    grad = np.zeros(x.shape)
    f = _scalar_valued(f)
    # --8<-- [start:central_difference]
    for i in np.ndindex(x.shape):  # every entry, whatever the memory layout
        old = x[i]
        x[i] = old + eps
        f_plus = f(x)
        x[i] = old - eps
        f_minus = f(x)
        x[i] = old  # restore exactly
        grad[i] = (f_plus - f_minus) / (2 * eps)  # error O(eps^2)
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


def relative_error(analytic: ArrayLike, numeric: ArrayLike, *, floor: float = 0.0) -> float:
    """$\\|g_a - g_n\\| / \\max(\\|g_a\\| + \\|g_n\\|, \\text{floor})$, and 0 when that is 0/0.

    With ``floor=0`` (the default) this is the plain relative error, scale-free: $\\kappa g$
    against $g$ gives $|1 - \\kappa| / (1 + \\kappa)$ whatever $g$ is. It is then only as good
    as ``numeric``: when the gradient is tiny next to the finite differences' own error, a
    correct gradient can show a large value. ``check_gradients`` passes a floor measured from
    that error (see the module docstring), so its numbers stay meaningful.
    """
    a, n = np.asarray(analytic, dtype=np.float64), np.asarray(numeric, dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: shapes differ, {a.shape} vs {n.shape}.")
    if not 0 <= floor < math.inf:
        raise ValueError(f"relative_error: floor must be a finite number >= 0, got {floor!r}.")
    # --8<-- [start:relative_error]
    scale = max(float(np.linalg.norm(a) + np.linalg.norm(n)), floor)  # floor: check_gradients
    return 0.0 if scale == 0 else float(np.linalg.norm(a - n) / scale)
    # --8<-- [end:relative_error]


def step_errors(
    numeric: Mapping[str, NDArray[Any]],
    doubled: Mapping[str, NDArray[Any]],
    resolution: float = 0.0,
) -> dict[str, float]:
    """The step error $\\nu_\\theta$ of each array: central differences at ``eps`` (``numeric``)
    against the same at ``2 * eps`` (``doubled``), as the module docstring derives.

    $d = \\hat g(\\epsilon) - \\hat g(2\\epsilon)$ per entry. Each $|d_i|$ is raised to $r$, the
    median of the nonzero $|d|$ over every array (the rounding error of $f$, seen where $f$
    changed at all), and to ``resolution`` ($u \\max(|f|, 1) / \\epsilon$ in ``check_gradients``);
    $\\nu_\\theta$ is the norm over $\\theta$'s entries.
    """
    change = {name: np.abs(numeric[name] - doubled[name]) for name in numeric}
    seen = np.concatenate([c[c > 0] for c in change.values()])
    least = max(float(np.median(seen)) if seen.size else 0.0, resolution)
    return {name: float(np.linalg.norm(np.maximum(c, least))) for name, c in change.items()}


def check_gradients(
    net: Sequential,
    loss_fn: Loss,
    X: ArrayLike,
    y: ArrayLike,
    eps: float = 1e-5,
    *,
    noise_floor: bool = True,
) -> dict[str, float]:
    """Backprop's gradients against central differences: one number per array.

    Returns ``{"0.W": err, "0.b": err, ..., "input": err}``, each the relative error of the
    array's gradient with a floor of ``NOISE_MARGIN`` times its step error over ``TOLERANCE``
    (the module docstring defines it). A correct backward pass gives values below
    ``TOLERANCE`` (1e-7), trained or not, unless a ReLU unit sits within a small fraction of
    ``eps`` of its kink; above it, backprop and finite differences disagree
    by more than 1e-7 of the gradient's size and by more than ten times the finite differences'
    own error: the backward pass has a bug. While the gradients are large next to that error,
    as in an untrained network, the value is the plain relative error.

    Every entry is evaluated at ``eps`` and at ``2 * eps``: four forward passes per entry.
    ``noise_floor=False`` skips the second step and reports the plain relative error, which a
    correct backward pass can push above the line (a trained network, a saturated unit, a poor
    ``eps``): use it to see why the floor is there, not to test. The network must be float64;
    ``X`` may have any memory layout (it is copied). Leaves the weights unchanged.
    """
    X = np.array(X, dtype=np.float64, order="C")  # our own copy, perturbed in place
    params = net.parameters()
    for p in params:
        if p.value.dtype != np.float64:
            raise TypeError(
                f"check_gradients: parameter {p.name} is {p.value.dtype}; finite differences need "
                "float64 (build the layers with dtype=np.float64)."
            )

    def loss_at(_: NDArray[Any]) -> float:
        return loss_fn.forward(net.forward(X), y)

    loss = loss_at(X)
    dX = net.backward(loss_fn.backward())
    assert dX is not None
    arrays = {p.name: p.value for p in params} | {"input": X}
    analytic = {p.name: p.grad.copy() for p in params} | {"input": dX}
    numeric = {name: numerical_gradient(loss_at, x, eps) for name, x in arrays.items()}
    if not noise_floor:
        return {name: relative_error(analytic[name], numeric[name]) for name in arrays}
    doubled = {name: numerical_gradient(loss_at, x, 2 * eps) for name, x in arrays.items()}
    resolution = UNIT_ROUNDOFF * max(abs(loss), 1.0) / eps  # one rounding unit of the loss
    nu = step_errors(numeric, doubled, resolution)
    return {
        name: relative_error(
            analytic[name], numeric[name], floor=NOISE_MARGIN * nu[name] / TOLERANCE
        )
        for name in arrays
    }
