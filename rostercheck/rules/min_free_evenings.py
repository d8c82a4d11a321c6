"""At least so many evenings free of work in every window: a protected evening each week.

An evening (18:00-23:00 by default) is free when no work, call or night shift overlaps it. An
evening on leave is free (the resident is not at work): leave neither shrinks this window nor fails
it, so the requirement is `min` per `per` days of the whole window, rounded up, and a week of leave
passes. With `exclude-leave = false` a leave day's evening is not counted as free (the window still
keeps its length).

Example: `[rules.protected-evening]` with `min = 1`, `per = 7`, `evening = "18:00-23:00"`
  PASS: a week of 07:00-19:00 days with one day ending at 17:00
  FAIL: a week in which every day runs to 19:00 or later
Example: the same rule on a two-day roster
  PASS: leave, then a day shift 07:00-19:00 (the leave evening is free)
  FAIL: a day shift 07:00-19:00, then a night 19:00-07:00
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import (
    WINDOW_OPTIONS,
    Hit,
    Option,
    Windows,
    ceil_div,
    fmt,
    window_cells,
    window_sums,
    windows,
    worst_windows,
)
from rostercheck.timeline import Timeline, local_to_abs, searchsorted_small
from rostercheck.wording import plural

KIND = "min-free-evenings"
OPTIONS = (
    Option("min", "number", 1, "free evenings required per `per` days", minimum=0),
    Option("per", "int", 7, "days the minimum is stated per", minimum=1),
    Option("average-days", "int", None, "window length in days (default: `per`)", minimum=1),
    Option("evening", "hhmm-range", "18:00-23:00", "the evening to keep free, local time"),
    *(o for o in WINDOW_OPTIONS if o.name != "exclude-leave"),
    Option("exclude-leave", "bool", True, "an evening on leave counts as free and leave days keep the window's "
           "length; false: a leave evening is not free"),
)


def free_evenings(tl: Timeline, evening: tuple[int, int], leave: bool = True) -> np.ndarray:
    """[R, D] True where the date's evening has no work; with ``leave`` false, and the date is not
    leave (``exclude-leave = false``: only evenings on service are protected time)."""
    R, D = tl.n_residents, tl.n_days
    base = tl.days.astype("datetime64[m]")
    # both edges of every evening in one conversion (a time zone's offsets are looked up once)
    edges = local_to_abs(np.concatenate([base + np.timedelta64(evening[0], "m"),
                                         base + np.timedelta64(evening[1], "m")]), tl.tz)
    es, ee = edges[:D], edges[D:]
    # Each work interval marks the evenings it overlaps (most overlap none or one), instead of
    # asking, for every resident and date, whether some interval overlaps that evening.
    busy = np.zeros(R * D, dtype=bool)
    u = tl.work
    d = searchsorted_small(ee, u.start, "right")  # first evening ending after the interval starts
    r, end = u.resident, u.end
    while len(d):
        hit = es[np.minimum(d, D - 1)] < end  # evenings end in order, so a miss ends this interval's run
        if d.max() >= D:
            hit &= d < D
        r, end, d = r[hit], end[hit], d[hit]  # a mask, not positions: no int64 index of every interval
        busy[r * D + d] = True
        d += 1
    free = ~busy.reshape(R, D)
    return free if leave else free & ~tl.leave


def evenings_needed(w: Windows, p: dict[str, Any]) -> np.ndarray:
    """[R, W] free evenings each window needs: `min` per `per` days of the whole window (leave does
    not shrink it), and none in a window without an on-service day (all leave requires nothing)."""
    need = ceil_div(p["min"] * w.length, p["per"])[None, :]
    if need.size and need.max() < 1 << 31:  # a count of evenings: [R, W] as int32 is half the bytes
        need = need.astype(np.int32)
    if w.on_range[0] > 0:  # every window has an on-service day: the same row for every resident
        return np.broadcast_to(need, w.on.shape)
    return np.where(w.on > 0, need, need.dtype.type(0))


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"] or p["per"], p)
    free = window_sums(free_evenings(tl, p["evening"], p["exclude-leave"]), w, np.int32)
    need = evenings_needed(w, p)
    bad = free < need
    h0, h1 = (f"{m // 60:02d}:{m % 60:02d}" for m in p["evening"])

    def make(r: int, wi: int, n: int, cells: list[int]) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows fall short" if n > 1 else ""
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(free[r, wi]),
            limit=float(need[r, wi]),
            unit="evenings",
            message=(
                f"{plural(int(free[r, wi]), 'free evening')} ({h0}-{h1}) in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"(minimum {int(need[r, wi])}: {fmt(p['min'])} per {plural(p['per'], 'day')}){more}"
            ),
            cells=cells,
        )

    picks = worst_windows(bad, lambda r: (need[r] - free[r]).astype(float), w, scope)
    for (r, wi, n), c in zip(picks, window_cells(tl, picks, w, frozenset({"work", "call", "night"}))):
        yield make(r, wi, n, c)
