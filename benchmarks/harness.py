"""Round-robin timing and the statistics of per-round ratios.

Timings on a shared machine drift: another process starts, the CPU clock changes. Running the
implementations in turn, one block each per round, exposes them to the same drift, so the ratio
of their times within a round is far steadier than either time. We report the median of the
per-round ratios and their interquartile range.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np


def calls_per_block(fn: Callable[[], object], block_seconds: float) -> int:
    """How many calls of ``fn`` take about ``block_seconds`` of CPU time (at least 1)."""
    n = 1
    while True:
        start = time.process_time()
        for _ in range(n):
            fn()
        elapsed = time.process_time() - start
        if elapsed >= block_seconds / 4 or n >= 1 << 20:
            return max(1, round(n * block_seconds / max(elapsed, 1e-9)))
        n *= 2


@dataclass(frozen=True)
class Timings:
    """Seconds per call of each case, one value per round, by two clocks."""

    cpu: dict[str, list[float]]  # the process's CPU time: what the targets use
    wall: dict[str, list[float]]  # wall-clock time: recorded for comparison


def round_robin(
    cases: Mapping[str, Callable[[], object]],
    rounds: int,
    block_seconds: float = 0.05,
    warmup_calls: int = 10,
) -> Timings:
    """Time every case once per round, in turn, by CPU time and by wall-clock time.

    With one thread per library, the process's CPU time is the time a step takes on a core
    of its own: unlike wall-clock time, it leaves out the time slices that other jobs on a
    shared machine take from us (their effect on the caches remains).
    Every case first runs ``warmup_calls`` times. The order within a round alternates
    (forward, then reversed) so that no case always runs right after the same neighbour.
    The garbage collector is paused while timing, for every case alike.
    """
    for fn in cases.values():
        for _ in range(warmup_calls):
            fn()
    n_calls = {name: calls_per_block(fn, block_seconds) for name, fn in cases.items()}
    cpu: dict[str, list[float]] = {name: [] for name in cases}
    wall: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            for name in names if r % 2 == 0 else reversed(names):
                fn, n = cases[name], n_calls[name]
                start_cpu, start_wall = time.process_time(), time.perf_counter()
                for _ in range(n):
                    fn()
                cpu[name].append((time.process_time() - start_cpu) / n)
                wall[name].append((time.perf_counter() - start_wall) / n)
            gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return Timings(cpu, wall)


@dataclass(frozen=True)
class Stat:
    """Median and interquartile range (q1, q3) of a sample."""

    median: float
    q1: float
    q3: float
    n: int

    @classmethod
    def of(cls, values: list[float] | np.ndarray) -> Stat:
        v = np.asarray(values, dtype=np.float64)
        q1, median, q3 = np.percentile(v, [25, 50, 75])
        return cls(float(median), float(q1), float(q3), int(v.size))


def ratio_stat(numerator: list[float], denominator: list[float]) -> Stat:
    """Statistics of the per-round ratios ``numerator[r] / denominator[r]``."""
    num, den = np.asarray(numerator), np.asarray(denominator)
    if num.shape != den.shape:
        raise ValueError(f"ratio_stat: {num.shape} rounds vs {den.shape} rounds.")
    return Stat.of(num / den)
