"""The network and data that every find-the-bug exercise checks (batch rows are samples).

A 4-5-5-3 network, ``Linear(4, 5), <activation>, <middle>(5, 5), Tanh, Linear(5, 3)``, with the
weights drawn from one seed whichever classes are passed in, so the buggy and the fixed network
start from the same numbers. The middle layer is square on purpose: a transposed matrix there
still has the right shape, so NumPy raises nothing and only the gradient check can tell.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

import backprop as bp

N = 8  # batch size, N > 1


def network(
    activation: type[bp.Module] = bp.Tanh, middle: type[bp.Linear] = bp.Linear
) -> bp.Sequential:
    """The 4-5-5-3 network with the given activation (module 1) and middle layer (module 2)."""
    rng = np.random.default_rng(0)
    return bp.Sequential(
        bp.Linear(4, 5, rng=rng),
        activation(),
        middle(5, 5, rng=rng),
        bp.Tanh(),
        bp.Linear(5, 3, rng=rng),
    )


def batch() -> tuple[NDArray[Any], NDArray[Any], NDArray[Any]]:
    """``X`` (N, 4), integer labels ``y`` (N,) in [0, 3), float targets ``Y`` (N, 3)."""
    rng = np.random.default_rng(1)
    return rng.standard_normal((N, 4)), rng.integers(0, 3, size=N), rng.standard_normal((N, 3))
