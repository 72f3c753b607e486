"""Timing helpers shared by the benchmarks (run.py puts this folder on sys.path)."""

from __future__ import annotations

import time

import numpy as np


def interleaved_medians(*fns, repeats: int = 3) -> tuple[list[float], list[object]]:
    """Median wall time of each function over ``repeats`` rounds, run in turns (ours, ref,
    ours, ...) so that a busy moment on the machine hits both sides alike; and the last
    result of each."""
    times = [[] for _ in fns]
    results = [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - start)
    return [float(np.median(t)) for t in times], results


def median_seconds(fn, repeats: int = 3) -> float:
    """Median wall time of ``fn()`` over ``repeats`` runs."""
    return interleaved_medians(fn, repeats=repeats)[0][0]


def best_seconds(fn, repeats: int = 3) -> float:
    """Fastest wall time of ``fn()`` over ``repeats`` runs (the least disturbed one)."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
