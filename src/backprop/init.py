"""Weight initialisation for a ``Linear`` layer with ``W`` of shape (out, in).

* He (Kaiming) normal, for ReLU: $W_{ij} \\sim \\mathcal{N}(0,\\, 2/n_{in})$,
  which keeps the variance of $z$ roughly constant across ReLU layers.
* Xavier/Glorot uniform, for sigmoid and tanh:
  $W_{ij} \\sim \\mathcal{U}(-r, r)$, $r = \\sqrt{6/(n_{in} + n_{out})}$.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import DTypeLike, NDArray

InitName = Literal["he", "xavier"]


def he_normal(
    rng: np.random.Generator, fan_in: int, fan_out: int, dtype: DTypeLike = np.float64
) -> NDArray[Any]:
    """He normal init: shape (fan_out, fan_in), std ``sqrt(2 / fan_in)``."""
    std = np.sqrt(2.0 / fan_in)
    return (rng.standard_normal((fan_out, fan_in)) * std).astype(dtype)


def xavier_uniform(
    rng: np.random.Generator, fan_in: int, fan_out: int, dtype: DTypeLike = np.float64
) -> NDArray[Any]:
    """Xavier/Glorot uniform init: shape (fan_out, fan_in), bound ``sqrt(6 / (fan_in + fan_out))``."""
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(dtype)


INITIALIZERS = {"he": he_normal, "xavier": xavier_uniform}
