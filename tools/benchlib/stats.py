"""Percentiles and the numbers reported for one scenario run."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (0..100) with linear interpolation.

    Uses the same definition as numpy's default ("linear") so that the
    numbers can be checked against other tools. Returns None for no data.
    """
    data = sorted(values)
    if not data:
        return None
    if not 0 <= q <= 100:
        raise ValueError(f"percentile out of range: {q}")
    rank = (len(data) - 1) * q / 100.0
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(data[low])
    weight = rank - low
    return data[low] * (1.0 - weight) + data[high] * weight


def spread(values: Sequence[float]) -> dict:
    """min, p50, p95 and max of ``values`` (all None when empty)."""
    if not values:
        return {"min": None, "p50": None, "p95": None, "max": None}
    return {
        "min": float(min(values)),
        "p50": percentile(values, 50),
        "p95": percentile(values, 95),
        "max": float(max(values)),
    }


def rate(count: float, seconds: float | None) -> float | None:
    """``count`` per second, or None when the duration is unusable."""
    if seconds is None or seconds <= 0:
        return None
    return count / seconds


def summarize(
    *,
    name: str,
    shape: str,
    executions: int,
    concurrency: int,
    actions: int | None,
    wall_s: float | None,
    durations: Sequence[float],
    finish_offsets: Sequence[float],
    errors: int,
    timeouts: int,
    setup_s: float | None = None,
) -> dict:
    """Build the result record of one scenario.

    ``durations`` are per-execution times from its own start to its end;
    ``finish_offsets`` are end times measured from the start of the scenario.
    ``actions`` is the number of actions one execution runs, or None when
    actions/s is not a meaningful number for the scenario. Only executions
    that succeeded count towards the rates, so a partially failed or
    timed-out run does not report inflated throughput.
    """
    finished = len(durations)
    ok = finished - errors
    per_exec = spread(durations)
    return {
        "scenario": name,
        "shape": shape,
        "executions": executions,
        "concurrency": concurrency,
        "finished": finished,
        "actions": actions,
        "wall_s": wall_s,
        "setup_s": setup_s,
        "actions_per_s": rate(actions * ok, wall_s) if actions is not None else None,
        "executions_per_s": rate(ok, wall_s),
        "p50_s": per_exec["p50"],
        "p95_s": per_exec["p95"],
        "max_s": per_exec["max"],
        "finish_from_start": spread(finish_offsets),
        "errors": errors,
        "timeouts": timeouts,
    }
