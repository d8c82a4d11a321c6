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

from rostercheck.timeline import Timeline, local_to_abs, searchsorted_sorted


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
    base = (tl.days[0] + np.arange(-1, tl.n_days + 1)).astype("datetime64[m]")
    end_day = 1 if b <= a else 0
    ws = local_to_abs(base + np.timedelta64(a, "m"), tl.tz)
    we = local_to_abs(base + np.timedelta64(end_day * 1440 + b, "m"), tl.tz)
    return np.asarray(ws, dtype=np.int64), np.asarray(we, dtype=np.int64)


def minutes_inside(tl: Timeline, start: np.ndarray, end: np.ndarray, rng: tuple[int, int]) -> np.ndarray:
    """For each interval [start, end): minutes inside the daily window ``rng`` (summed over days).

    One numpy pass per day an interval reaches (a handful), never a loop over intervals; an
    interval leaves the passes at the first window opening after its end.
    """
    out = np.zeros(len(start), dtype=np.int64)
    if not len(start):
        return out
    ws, we = clock_windows(tl, rng)
    n = len(ws)
    # the window opening on the day before the interval's start day may still be open at its start
    k = np.clip(tl.day_index(start) - 1, -1, tl.n_days)  # windows entry k opens on axis day k - 1
    idx = np.arange(len(start))
    s, e = start, end
    while len(idx):
        kk = np.clip(k, 0, n - 1)
        inside = np.minimum(e, we[kk]) - np.maximum(s, ws[kk])
        out[idx] += np.where((k >= 0) & (k < n) & (inside > 0), inside, 0)
        k = k + 1
        more = k < n
        more[more] = ws[k[more]] < e[more]  # windows open in order: one opening after the end ends it
        idx, k, s, e = idx[more], k[more], s[more], e[more]
    return out


def night_minutes(tl: Timeline, rng: tuple[int, int]) -> np.ndarray:
    """Minutes of work inside the daily window ``rng`` for each work period (``tl.periods`` order).

    Counted over the union of work intervals, so a lunch hour or a gap between two shifts of one
    period is not work inside the window.
    """
    merged, _ = tl.period_intervals
    n = len(merged.start)
    if not n:
        return np.zeros(0, dtype=np.int64)
    u = tl.work
    inside = minutes_inside(tl, u.start, u.end, rng)
    if u is merged:  # no period joins two union intervals: each is its own period
        return inside
    ug = searchsorted_sorted(merged.lane_start, u.lane_start, side="right") - 1
    return np.bincount(ug, weights=inside, minlength=n).astype(np.int64)


def holding(tl: Timeline, kinds: Iterable[str], codes: Iterable[str]) -> np.ndarray:
    """Which work periods hold a shift of one of ``kinds`` or one of ``codes`` (both empty: all)."""
    kinds, codes = list(kinds), list(codes)
    merged, group = tl.period_intervals
    n = len(merged.start)
    if not kinds and not codes:
        return np.ones(n, dtype=bool)
    hit = tl.shift_mask(kinds, codes)[tl.work_index]
    out = np.zeros(n, dtype=bool)
    out[group[hit]] = True
    return out


def rest_minutes(tl: Timeline) -> np.ndarray:
    """Minutes free between work period i and i + 1 (``tl.periods`` order, int32 capped at its
    largest value), made once per timeline.

    Across two residents the rest is the largest int32, so "less rest than X" never pairs one
    resident's last period with the next one's first.
    """
    cache = tl.memo("rest_minutes")
    if "rest" not in cache:
        merged = tl.period_intervals[0]
        rest = merged.start[1:] - merged.end[:-1]
        # int32, capped: rules only ask whether a rest is shorter than some hours, so across two
        # residents (what lanes made ~2**42 minutes) it is the largest int32, and within one
        # resident every rest fits int32 minutes (4,000 years)
        rest[merged.resident[1:] != merged.resident[:-1]] = np.iinfo(np.int32).max
        np.minimum(rest, np.iinfo(np.int32).max, out=rest)
        rest = rest.astype(np.int32)
        rest.flags.writeable = False
        cache["rest"] = rest
    return cache["rest"]


def start_day(tl: Timeline, t: np.ndarray) -> np.ndarray:
    """Axis day holding each instant (local date, via the day starts)."""
    return tl.day_index(t) - 1


def cells_overlapping_many(
    tl: Timeline, r: np.ndarray, a: np.ndarray, b: np.ndarray, kinds: Iterable[str]
) -> list[list[int]]:
    """``cells_overlapping`` for many (r, a, b) at once: the numpy calls shared by every finding."""
    if not len(r):
        return []
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    d0 = np.maximum(tl.day_index(a) - 4, 0)  # shifts last up to 72 h
    d1 = np.minimum(tl.day_index(b, side="left") + 1, tl.n_days)
    pos, cut = tl.rows_in_days_many(r, d0, d1, kinds)
    _, _, _, _, cell, start, end = tl.by_resident_day
    owner = np.repeat(np.arange(len(r)), np.diff(cut))
    s, e = start[pos], end[pos]
    keep = (s < b[owner]) & (e > a[owner]) & (e > s)
    cut = np.r_[0, np.cumsum(keep)][cut].tolist()
    cells = cell[pos[keep]].tolist()
    return [sorted(set(cells[cut[i]:cut[i + 1]])) for i in range(len(cut) - 1)]


def cells_overlapping(tl: Timeline, r: int, a: int, b: int, kinds: Iterable[str]) -> list[int]:
    """Cells of resident r's shifts of ``kinds`` with time inside [a, b): what a finding points at."""
    d0 = max(int(np.searchsorted(tl.day_start, a, side="right")) - 4, 0)  # shifts last up to 72 h
    d1 = min(int(np.searchsorted(tl.day_start, b, side="left")) + 1, tl.n_days)
    idx = tl.rows_in_days(r, d0, d1, kinds)
    cell, start, end = (tl.by_resident_day[k][idx] for k in (4, 5, 6))
    return sorted(set(cell[(start < b) & (end > a) & (end > start)].tolist()))
