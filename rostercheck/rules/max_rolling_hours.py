"""No more than so many hours of work in any stretch of so many consecutive hours, not day-aligned.

A sliding window of `window-hours` (168: a week) is placed at every moment, not only at midnight,
and the work inside it (elapsed work, call and night time; overlapping shifts once) must stay
within `limit`. The heaviest window always starts where some work starts (moving a window's start
from inside a gap forward, or from inside work back to its start, never loses hours), so checking
the windows that start at each work start is exact. Work before or after the roster is unknown
and counts as none. Home call's stated hours have no place in time and are not counted here (the
averaged `max-hours` rule counts them). The limit is inclusive.

Example: `[rules.uk-hours-168]` with `limit = 72`, `window-hours = 168`
  PASS: 3 x 12.5 h long days and 3 x 8 h days in one week (61.5 h in 168 h)
  FAIL: 7 x 12.5 h long days in a row (87.5 h in 168 h)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.legend import WORK_KINDS
from rostercheck.rules.base import Hit, Option, fmt
from rostercheck.rules.period_facts import cells_overlapping_many
from rostercheck.timeline import Timeline, searchsorted_sorted

KIND = "max-rolling-hours"
OPTIONS = (
    Option("limit", "number", 72, "hours of work allowed in any window", minimum=0),
    Option("window-hours", "number", 168, "length of the sliding window in hours (168: any seven days)",
           minimum=1),
)


def window_totals(tl: Timeline, window: int) -> tuple[np.ndarray, np.ndarray]:
    """For each union work interval (``tl.work`` order): minutes of work in the window starting at its
    start, and the index one past the last interval the window reaches."""
    u = tl.work
    n = len(u.start)
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    dur = u.end - u.start
    P = np.r_[0, np.cumsum(dur)]
    t = u.lane_start + window  # the window's end, on the same resident's lane
    k = searchsorted_sorted(u.lane_start, t, side="left")  # intervals starting before the end: i..k-1
    i = np.arange(n)
    over = np.maximum(u.lane_end[k - 1] - t, 0)  # the last one may run past the window's end
    return P[k] - P[i] - over, k


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    W = int(round(p["window-hours"] * 60))
    total, _ = window_totals(tl, W)
    if not len(total):
        return
    u = tl.work
    limit = p["limit"] * 60
    bad = (total > limit + 1e-6) & scope[u.resident] & (u.start + W > tl.checked_start)
    idx = np.flatnonzero(bad)
    if not len(idx):
        return
    # one finding per run of overlapping bad windows of a resident, for the heaviest window in it
    new = np.ones(len(idx), dtype=bool)
    new[1:] = (u.resident[idx[1:]] != u.resident[idx[:-1]]) | (u.start[idx[1:]] >= u.start[idx[:-1]] + W)
    bounds = np.r_[np.flatnonzero(new), len(idx)]
    picks = [(int(idx[lo + np.argmax(total[idx[lo:hi]])]), hi - lo) for lo, hi in itertools.pairwise(bounds.tolist())]
    best_all = np.array([b for b, _ in picks], dtype=np.int64)
    cells = cells_overlapping_many(tl, u.resident[best_all], u.start[best_all], u.start[best_all] + W, WORK_KINDS)
    for (best, members), c in zip(picks, cells):
        r, s = int(u.resident[best]), int(u.start[best])
        hours = total[best] / 60.0
        more = f"; {members} overlapping windows exceed it" if members > 1 else ""
        yield Hit(
            resident=r,
            start=s,
            end=s + W,
            value=round(float(hours), 2),
            limit=float(p["limit"]),
            unit=f"hours in {fmt(p['window-hours'])} h",
            message=(
                f"{fmt(hours)} h of work in the {fmt(p['window-hours'])} h from "
                f"{tl.iso(s).replace('T', ' ')} (maximum {fmt(p['limit'])} h){more}"
            ),
            cells=c,
        )
