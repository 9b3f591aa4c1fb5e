"""Optimizers that update parameters in place, keeping each parameter's dtype.

Both read ``p.grad`` at ``step()`` time, i.e. the gradient written by the latest
``backward``. Hyper-parameters are cast to the parameter dtype, so a float32 model
is never promoted to float64.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .module import Parameter


class Optimizer:
    """Base class: holds the parameters and validates hyper-parameters."""

    def __init__(self, params: Iterable[Parameter], lr: float) -> None:
        name = type(self).__name__
        if callable(params):
            raise TypeError(
                f"{name}: got the method {getattr(params, '__qualname__', params)!r} itself, "
                f"not its result. Call it: {name}(net.parameters(), ...)."
            )
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got no parameters to optimize.")
        for p in self.params:
            if not isinstance(p, Parameter):
                raise TypeError(
                    f"{type(self).__name__}: expected Parameter handles from net.parameters(), "
                    f"got {type(p).__name__}."
                )
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: lr must be > 0, got {lr}.")
        self.lr = lr

    def step(self) -> None:
        """Update every parameter in place from its current gradient."""
        raise NotImplementedError

    def _grads(self) -> list[NDArray[Any]]:
        """Every parameter's gradient, read before any update, so a missing one (its error
        says why) leaves all parameters unchanged."""
        return [p.grad for p in self.params]


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (PyTorch's rule).

    $g \\leftarrow \\nabla_W\\mathcal{L} + \\lambda W$, $v \\leftarrow \\mu v + g$
    ($v = g$ on the first step), $W \\leftarrow W - \\eta v$.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 0.01,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must be in [0, 1), got {momentum}.")
        if weight_decay < 0:
            raise ValueError(f"SGD: weight_decay must be >= 0, got {weight_decay}.")
        self.momentum, self.weight_decay = momentum, weight_decay
        self.velocity: list[NDArray[Any] | None] = [None] * len(self.params)

    def step(self) -> None:
        """One update of every parameter, in place."""
        grads = self._grads()
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            W = p.value
            dtype = W.dtype.type
            if self.weight_decay:
                g = g + dtype(self.weight_decay) * W
            if self.momentum:
                v = self.velocity[i]
                if v is None:
                    v = self.velocity[i] = g.copy()
                else:
                    v *= dtype(self.momentum)
                    v += g
                g = v
            # --8<-- [start:sgd]
            W -= dtype(self.lr) * g  # in place; lr cast to W's dtype
            # --8<-- [end:sgd]


class Adam(Optimizer):
    """Adam (Kingma & Ba), with PyTorch's defaults and L2 ``weight_decay``.

    $m \\leftarrow \\beta_1 m + (1-\\beta_1) g$, $v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2$,
    $W \\leftarrow W - \\eta\\, \\hat m / (\\sqrt{\\hat v} + \\epsilon)$ with bias-corrected
    $\\hat m = m/(1-\\beta_1^t)$, $\\hat v = v/(1-\\beta_2^t)$.
    """

    def __init__(
        self,
        params: Iterable[Parameter],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not all(0 <= beta < 1 for beta in betas):
            raise ValueError(f"Adam: betas must be in [0, 1), got {betas}.")
        if not eps > 0:
            raise ValueError(f"Adam: eps must be > 0, got {eps}.")
        if weight_decay < 0:
            raise ValueError(f"Adam: weight_decay must be >= 0, got {weight_decay}.")
        self.betas, self.eps, self.weight_decay = betas, eps, weight_decay
        self.t = 0
        self.m = [np.zeros_like(p.value) for p in self.params]
        self.v = [np.zeros_like(p.value) for p in self.params]

    def step(self) -> None:
        """One Adam update of every parameter, in place."""
        grads = self._grads()
        self.t += 1
        b1, b2 = self.betas
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            W = p.value
            dtype = W.dtype.type
            if self.weight_decay:
                g = g + dtype(self.weight_decay) * W
            # --8<-- [start:adam]
            m *= dtype(b1)
            m += dtype(1 - b1) * g
            v *= dtype(b2)
            v += dtype(1 - b2) * (g * g)
            step_size = dtype(self.lr / (1 - b1**self.t))
            denom = np.sqrt(v / dtype(1 - b2**self.t))
            denom += dtype(self.eps)
            W -= step_size * (m / denom)
            # --8<-- [end:adam]
