"""Enough whole days free of work in every window, averaged over the window.

A free day is 24 continuous hours free of work, call and home call: each maximal free stretch of
length L, clipped to the window, counts floor(L / 24 h), so a night ending at 07:00 followed by a
day shift at 07:00 the next day leaves exactly one free day. Leave is neither work nor free time:
it does not count as a day off, and leave days leave the window (the requirement scales with the
days that remain, rounded up). `day-definition = "calendar"` counts whole dates with nothing on
them instead.

Example: `[rules.days-off]` with `min = 1`, `per = 7`, `average-days = 28`, on a 28-day roster
  PASS: four free stretches of 24 h or more in the 28 days
  FAIL: three free stretches of 24 h or more, and one of 23 h
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.legend import BUSY_KINDS
from rostercheck.rules.base import (
    WINDOW_OPTIONS,
    Hit,
    Option,
    Windows,
    ceil_div,
    fmt,
    window_hits,
    window_sums,
    windows,
)
from rostercheck.timeline import _LANE, FAR, Timeline

KIND = "min-free-days"
OPTIONS = (
    Option("min", "number", 1, "free days required per `per` days", minimum=0),
    Option("per", "int", 7, "days the minimum is stated per", minimum=1),
    Option("average-days", "int", 28, "window length in days over which free days are averaged", minimum=1),
    Option("day-definition", "choice", "continuous", "`continuous`: 24 h free in a row; `calendar`: a "
           "whole date with nothing on it", choices=("continuous", "calendar")),
    Option("block-hours", "number", 24, "length of free time that makes one free day", minimum=1),
    *WINDOW_OPTIONS,
)


def free_blocks(tl: Timeline, w: Windows, block_minutes: int) -> np.ndarray:
    """Free blocks per resident per window [R, W], exact and without a loop over windows.

    Gaps between busy intervals are disjoint and sorted per resident, so for a window only the
    first and last gaps it touches are clipped; the ones between count in full (prefix sums).
    """
    R, W = tl.n_residents, len(w.start)
    b = tl.busy
    res = np.arange(R, dtype=np.int64)
    cnt = np.bincount(b.resident, minlength=R).astype(np.int64) if len(b.resident) else np.zeros(R, np.int64)
    bfirst = np.r_[0, np.cumsum(cnt)[:-1]]
    # resident r has cnt[r] + 1 gaps: (-FAR, start_0), (end_0, start_1), ..., (end_last, FAR)
    gr = np.repeat(res, cnt + 1)
    k = np.arange(len(gr)) - np.repeat(np.r_[0, np.cumsum(cnt + 1)[:-1]], cnt + 1)
    gs = np.full(len(gr), -FAR, dtype=np.int64)
    ge = np.full(len(gr), FAR, dtype=np.int64)
    inner = k > 0
    gs[inner] = b.end[bfirst[gr[inner]] + k[inner] - 1]
    before = k < cnt[gr]
    ge[before] = b.start[bfirst[gr[before]] + k[before]]
    lane = gr * _LANE
    ls, le = gs + lane, ge + lane
    full = np.where((gs <= -FAR) | (ge >= FAR), 0, (ge - gs) // block_minutes)
    P = np.r_[0, np.cumsum(full)]
    a = tl.day_start[w.start][None, :] + (res * _LANE)[:, None]  # [R, W]
    z = tl.day_start[w.end][None, :] + (res * _LANE)[:, None]
    i0 = np.searchsorted(le, a, side="right")  # first gap ending after a
    i1 = np.searchsorted(ls, z, side="left") - 1  # last gap starting before z
    out = np.zeros((R, W), dtype=np.int64)
    one = i0 == i1
    out[one] = (np.minimum(le[i1[one]], z[one]) - np.maximum(ls[i0[one]], a[one])) // block_minutes
    many = i0 < i1
    out[many] = (
        (le[i0[many]] - np.maximum(ls[i0[many]], a[many])) // block_minutes
        + (P[i1[many]] - P[i0[many] + 1])
        + (np.minimum(le[i1[many]], z[many]) - ls[i1[many]]) // block_minutes
    )
    return out


def free_calendar_days(tl: Timeline) -> np.ndarray:
    """[R, D] True where the date has no work, call or home call touching it and no leave."""
    busy = tl.leave.copy()
    s = tl.shifts
    s = s[s["kind"].isin(BUSY_KINDS) & (s["end"] > s["start"])]
    d0 = np.searchsorted(tl.day_start, s["start"].to_numpy(), side="right") - 1
    d1 = np.searchsorted(tl.day_start, s["end"].to_numpy(), side="left")  # exclusive
    r = s["resident"].to_numpy()
    span = int((d1 - d0).max()) if len(d0) else 0
    for k in range(span):
        d = d0 + k
        ok = (d < d1) & (d >= 0) & (d < tl.n_days)
        busy[r[ok], d[ok]] = True
    return ~busy


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"], p)
    if p["day-definition"] == "calendar":
        free = window_sums(free_calendar_days(tl).astype(np.int64), w)
    else:
        free = free_blocks(tl, w, round(p["block-hours"] * 60))
    need = ceil_div(p["min"] * w.on, p["per"])
    bad = free < need

    def make(r: int, wi: int, n: int) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows fall short" if n > 1 else ""
        what = "free days" if p["block-hours"] == 24 else f"free periods of {fmt(p['block-hours'])} h"
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(free[r, wi]),
            limit=float(need[r, wi]),
            unit="days",
            message=(
                f"{int(free[r, wi])} {what} in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"({int(w.on[r, wi])} on-service days; minimum {int(need[r, wi])}: "
                f"{fmt(p['min'])} per {p['per']} days){more}"
            ),
            cells=tl.cells_in_days(r, d0, d1, BUSY_KINDS),
        )

    yield from window_hits(tl, bad, (need - free).astype(float), w, scope, make)

