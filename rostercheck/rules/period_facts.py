"""Facts about work periods that several rule kinds derive (not a rule kind itself).

The timeline knows each period's span and whether it holds call or night shifts; some regimes
classify shifts by other facts: the UK 2016 contract calls a shift *long* when it lasts more than
10 hours and a *night* when at least 3 of its hours fall inside 23:00-06:00, and New York's ED
limits apply to periods holding an emergency-department code. These are computed here, per
period and vectorised, so that the timeline stays lean and every rule reads them the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from rostercheck.timeline import Timeline, _local_to_abs


def clock_range(text: str) -> tuple[int, int]:
    """A validated "HH:MM-HH:MM" (config type ``clock-range``) as minutes after midnight."""
    a, b = (int(x[:2]) * 60 + int(x[3:]) for x in text.split("-"))
    return a, b


def clock_windows(tl: Timeline, rng: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """A daily local-time window (e.g. 23:00-06:00, crossing midnight) as absolute minutes.

    Returns (starts, ends) for the window opening on each day from the day before the axis to
    the day after it: entry ``k`` opens on axis day ``k - 1``.
    """
    a, b = rng
    base = pd.date_range(tl.days[0] - pd.Timedelta(days=1), periods=tl.n_days + 2, freq="D")
    end_day = 1 if b <= a else 0
    ws = _local_to_abs(pd.DatetimeIndex(base + pd.Timedelta(minutes=a)), tl.tz)
    we = _local_to_abs(pd.DatetimeIndex(base + pd.Timedelta(days=end_day, minutes=b)), tl.tz)
    return np.asarray(ws, dtype=np.int64), np.asarray(we, dtype=np.int64)


def minutes_inside(tl: Timeline, start: np.ndarray, end: np.ndarray, rng: tuple[int, int]) -> np.ndarray:
    """For each interval [start, end): minutes inside the daily window ``rng`` (summed over days).

    One numpy pass per day an interval can reach (a handful), never a loop over intervals.
    """
    out = np.zeros(len(start), dtype=np.int64)
    if not len(start):
        return out
    ws, we = clock_windows(tl, rng)
    # the window opening on the day before the interval's start day may still be open at its start
    k0 = np.searchsorted(tl.day_start, start, side="right") - 1  # axis day of the start (-1: before)
    k0 = np.clip(k0, -1, tl.n_days)  # index k0 + 1 - 1 into ws (which starts one day early)
    longest = int(((end - start).max() // 1440) + 3)
    for j in range(longest + 1):
        k = k0 + j  # windows entry k (opens on axis day k - 1)
        ok = (k >= 0) & (k < len(ws))
        if not ok.any():
            continue
        lo = np.maximum(start[ok], ws[k[ok]])
        hi = np.minimum(end[ok], we[k[ok]])
        out[ok] += np.maximum(hi - lo, 0)
    return out


def night_minutes(tl: Timeline, rng: tuple[int, int]) -> np.ndarray:
    """Minutes of work inside the daily window ``rng`` for each work period (``tl.periods`` order).

    Counted over the union of work intervals, so a lunch hour or a gap between two shifts of one
    period is not work inside the window.
    """
    merged, _ = tl._periods
    n = len(merged.start)
    if not n:
        return np.zeros(0, dtype=np.int64)
    u = tl.work
    ug = np.searchsorted(merged.lane_start, u.lane_start, side="right") - 1
    inside = minutes_inside(tl, u.start, u.end, rng)
    return np.bincount(ug, weights=inside, minlength=n).astype(np.int64)


def holding(tl: Timeline, kinds: Iterable[str], codes: Iterable[str]) -> np.ndarray:
    """Which work periods hold a shift of one of ``kinds`` or one of ``codes`` (both empty: all)."""
    kinds, codes = list(kinds), list(codes)
    merged, group = tl._periods
    n = len(merged.start)
    if not kinds and not codes:
        return np.ones(n, dtype=bool)
    w = tl.work_rows
    hit = np.zeros(len(w), dtype=bool)
    if kinds:
        hit |= w["kind"].isin(kinds).to_numpy()
    if codes:
        hit |= w["code"].isin(codes).to_numpy()
    out = np.zeros(n, dtype=bool)
    out[np.asarray(group)[hit]] = True
    return out


def start_day(tl: Timeline, t: np.ndarray) -> np.ndarray:
    """Axis day holding each instant (local date, via the day starts)."""
    return np.searchsorted(tl.day_start, t, side="right") - 1


def cells_overlapping(tl: Timeline, r: int, a: int, b: int, kinds: Iterable[str]) -> list[int]:
    """Cells of resident r's shifts of ``kinds`` with time inside [a, b): what a finding points at."""
    d0 = max(int(np.searchsorted(tl.day_start, a, side="right")) - 4, 0)  # shifts last up to 72 h
    d1 = min(int(np.searchsorted(tl.day_start, b, side="left")) + 1, tl.n_days)
    idx = tl.rows_in_days(r, d0, d1, kinds)
    cell, start, end = (tl._by_resident_day[k][idx] for k in (4, 5, 6))
    return sorted(set(cell[(start < b) & (end > a) & (end > start)].tolist()))
