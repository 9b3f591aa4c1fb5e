"""``bp.check_gradients`` on a 3-layer, 20-unit float64 network: how long one full check takes."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

import backprop as bp

N_SAMPLES, WIDTH, N_CLASSES = 16, 20, 10


def one_check(seed: int = 0) -> tuple[float, float, float]:
    """CPU seconds and wall-clock seconds of one ``check_gradients`` call, and the largest
    relative error it reported."""
    rng = np.random.default_rng(seed)
    net = bp.Sequential(
        bp.Linear(WIDTH, WIDTH, rng=rng, init="xavier"),
        bp.Tanh(),
        bp.Linear(WIDTH, WIDTH, rng=rng, init="xavier"),
        bp.Tanh(),
        bp.Linear(WIDTH, N_CLASSES, rng=rng, init="xavier"),
    )
    X = rng.standard_normal((N_SAMPLES, WIDTH))
    y = rng.integers(0, N_CLASSES, size=N_SAMPLES)
    cpu, wall = time.process_time(), time.perf_counter()
    errors = bp.check_gradients(net, bp.SoftmaxCrossEntropyLoss(), X, y)
    return time.process_time() - cpu, time.perf_counter() - wall, max(errors.values())


def benchmark(repeats: int = 7) -> dict[str, Any]:
    one_check()  # warm-up
    runs = [one_check(seed) for seed in range(repeats)]
    worst = max(err for *_, err in runs)
    if not worst < 1e-7:
        raise AssertionError(f"check_gradients reported a relative error of {worst:.1e} >= 1e-7")
    n_params = WIDTH * WIDTH * 2 + WIDTH * N_CLASSES + 2 * WIDTH + N_CLASSES
    return {
        "seconds": [cpu for cpu, _, _ in runs],
        "wall_seconds": [wall for _, wall, _ in runs],
        "max_relative_error": worst,
        "network": f"{WIDTH}-{WIDTH}-{WIDTH}-{N_CLASSES}, tanh, softmax cross-entropy, "
        f"batch {N_SAMPLES}, float64",
        "perturbed_entries": n_params + N_SAMPLES * WIDTH,
    }
