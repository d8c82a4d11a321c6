"""Enough whole days free of work in every window, averaged over the window.

A free day is 24 continuous hours free of work, call and home call: each maximal free stretch of
length L, clipped to the window, counts floor(L / 24 h), so a night ending at 07:00 followed by a
day shift at 07:00 the next day leaves exactly one free day. Leave is neither work nor free time:
it does not count as a day off, and leave days leave the window (the requirement scales with the
days that remain, rounded up; none when no day remains). `day-definition = "calendar"` counts
whole dates with nothing on them instead.

Example: `[rules.days-off]` with `min = 1`, `per = 7`, `average-days = 28`, on a 28-day roster
  PASS: four free stretches of 24 h or more in the 28 days
  FAIL: three free stretches of 24 h or more, and one of 23 h
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
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
    window_cells,
    window_sums,
    windows,
    worst_windows,
)
from rostercheck.timeline import FAR, Intervals, Timeline, flatnonzero
from rostercheck.wording import plural

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


#: Residents are handled in blocks of about this many midnights: a block's arrays stay in the
#: processor's cache, and the year's are never all held at once (fresh memory is slow to touch).
BLOCK = 1 << 16


def free_blocks(tl: Timeline, w: Windows, block_minutes: int) -> np.ndarray:
    """Free blocks per resident per window [R, W], exact and without a loop over windows.

    Gaps between busy intervals are disjoint and sorted per resident, so for a window only the
    first and last gaps it touches are clipped; the ones between count in full (prefix sums).
    Windows start and end at midnights, so what a window's edges contribute is worked out once per
    resident and midnight (``_edges``) and a window is a couple of look-ups.
    """
    R, D = tl.n_residents, tl.n_days
    # gaps shorter than a block hold no block however they are clipped: leave them out
    b = tl.busy_within(block_minutes)
    if (len(b.start) + R) * len(w.start) <= DENSE:
        return _free_blocks_dense(tl, b, w, block_minutes)
    out = np.empty((R, len(w.start)), dtype=np.int64)
    first = np.r_[0, np.cumsum(np.bincount(b.resident, minlength=R))] if len(b.start) else np.zeros(R + 1, np.int64)
    k = tl.day_index(b.start, side="left")  # first midnight at or after each busy start
    z = tl.day_start[w.end]
    step = max(1, BLOCK // (D + 2))
    for r0 in range(0, R, step):
        r1 = min(R, r0 + step)
        lo, hi = int(first[r0]), int(first[r1])
        e = _edges(tl, b.start[lo:hi], b.end[lo:hi], k[lo:hi], first[r0:r1 + 1] - lo, block_minutes)
        # its first gap comes before its last gap exactly when the first busy time starting after
        # the window's start also ends before the window's end
        many = w.at_start(e.next_end) < z
        part = np.add(w.at_start(e.head), w.at_end(e.tail), out=out[r0:r1])
        part *= many
        if not many.all():  # at most one gap (rare): clipped at both ends, or none at all
            i0 = e.gap_index()
            i1 = i0 - (e.gap_start >= tl.day_start)
            rr, wi = np.nonzero(~many)
            g0, g1 = w.at_start(i0)[rr, wi], w.at_end(i1)[rr, wi]
            a_, z_ = tl.day_start[w.start[wi]], z[wi]
            one = np.minimum(e.ge[g0], z_) - np.maximum(e.gs[g0], a_)
            part[rr, wi] = np.where(g0 == g1, one // block_minutes, 0)
    return out


#: Up to this many (gap, window) pairs ``free_blocks`` clips every gap to every window: a small
#: roster's few hundred gaps and handful of windows, a dozen numpy calls in all.
DENSE = 1 << 15


def _free_blocks_dense(tl: Timeline, b: Intervals, w: Windows, block_minutes: int) -> np.ndarray:
    """``free_blocks`` by the definition: each gap between busy intervals (before the first and
    after the last, open) clipped to each window, whole blocks counted and summed per resident."""
    R, n = tl.n_residents, len(b.start)
    # resident r's gaps: (-FAR, start_0), (end_0, start_1), ..., (end_last, FAR) from first[r] + r on
    per = np.bincount(b.resident, minlength=R) + 1 if n else np.ones(R, dtype=np.int64)
    at = np.arange(n) + b.resident  # the gap before interval i; the one after it is at + 1
    gs = np.full(n + R, -FAR, dtype=np.int64)
    ge = np.full(n + R, FAR, dtype=np.int64)
    ge[at] = b.start
    gs[at + 1] = b.end
    a, z = tl.day_start[w.start], tl.day_start[w.end]
    blocks = np.minimum(ge[:, None], z) - np.maximum(gs[:, None], a)
    blocks //= block_minutes
    np.maximum(blocks, 0, out=blocks)  # a gap outside the window holds nothing
    return np.add.reduceat(blocks, np.cumsum(per) - per, axis=0)


@dataclass
class _Edges:
    """What windows of a block of residents need at each midnight [r, D + 1] (see ``_edges``)."""

    head: np.ndarray
    tail: np.ndarray
    next_end: np.ndarray
    gap_start: np.ndarray
    gs: np.ndarray
    ge: np.ndarray
    per_gap: np.ndarray

    def gap_index(self) -> np.ndarray:
        """The first gap ending after each midnight (only for windows holding at most one gap)."""
        return np.repeat(np.arange(len(self.gs)), self.per_gap).reshape(self.head.shape)


def _edges(
    tl: Timeline, start: np.ndarray, end: np.ndarray, k: np.ndarray, first: np.ndarray, block_minutes: int,
) -> _Edges:
    """For a block of residents (their busy intervals ``start``/``end``, the first midnight at or
    after each start ``k``, and where each resident's intervals begin, ``first``), per resident
    and midnight: ``head``, the free blocks a window starting there has in its first gap less the
    whole gaps up to and including it; ``tail``, the whole gaps before a window's last gap plus the
    blocks in that gap up to the window's end; ``next_end``, the end of the first busy time
    starting after the midnight; ``gap_start``, the start of the gap holding it (or of the gap
    after the busy time holding it); and every gap's start and end.

    A window [a, z) whose first gap comes before its last has ``head[a] + tail[z]`` free blocks:
    its first gap clipped at a, the gaps between in full, its last gap clipped at z, exactly as a
    sum over its gaps would count them.

    Each gap holds a run of midnights, in order, so per-midnight values are per-gap values
    repeated (``np.repeat``), with no search and no gather.
    """
    D = tl.n_days
    nr = len(first) - 1
    cnt = np.diff(first)
    # resident r has cnt[r] + 1 gaps: (-FAR, start_0), (end_0, start_1), ..., (end_last, FAR), stored
    # from base[r] on
    base = first[:-1] + np.arange(nr)
    ge = np.insert(start, first[1:], FAR)  # after each resident's last start, the open end
    gs = np.insert(end, first[:-1], -FAR)  # before each resident's first end, the open start
    full = (ge - gs) // block_minutes
    full[base] = 0  # the gaps before the first and after the last busy time never count in full
    full[base + cnt] = 0
    P = np.zeros(len(full) + 1, dtype=np.int64)
    np.cumsum(full, out=P[1:])
    # the midnights d in gap g (those with start_(j-1) <= midnight < start_j) are k_(j-1) <= d < k_j
    per_gap = np.insert(k, first[1:], D + 1) - np.insert(k, first[:-1], 0)
    shape = (nr, D + 1)

    def rep(x: np.ndarray) -> np.ndarray:
        return np.repeat(x, per_gap).reshape(shape)

    a = tl.day_start[None, :]
    g0, e0 = rep(gs), rep(ge)
    # head: (end of gap - later of its start and a) // block - whole gaps up to and including it
    head = np.maximum(g0, a)
    np.subtract(e0, head, out=head)
    head //= block_minutes
    head -= rep(P[1:])
    # tail: whole gaps before it + (a - its start) // block, nothing when a lies in busy time
    tail = np.subtract(a, g0, out=e0)
    np.maximum(tail, 0, out=tail)
    tail //= block_minutes
    tail += rep(P[:-1])
    next_end = rep(np.insert(end, first[1:], FAR))
    return _Edges(head, tail, next_end, g0, gs, ge, per_gap)


def free_calendar_days(tl: Timeline) -> np.ndarray:
    """[R, D] True where the date has no work, call or home call touching it and no leave."""
    busy = tl.leave.copy()
    sel = flatnonzero(tl.shift_mask(BUSY_KINDS) & (tl.col("end") > tl.col("start")))
    start, end = tl.col("start")[sel], tl.col("end")[sel]
    d0 = tl.day_index(start) - 1
    d1 = tl.day_index(end, side="left")  # exclusive
    r = tl.col("resident")[sel]
    span = int((d1 - d0).max()) if len(d0) else 0
    for k in range(span):
        d = d0 + k
        ok = (d < d1) & (d >= 0) & (d < tl.n_days)
        busy[r[ok], d[ok]] = True
    return ~busy


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"], p)
    if p["day-definition"] == "calendar":
        free = window_sums(free_calendar_days(tl), w, np.int32)
    else:
        free = free_blocks(tl, w, round(p["block-hours"] * 60))
    need = w.per_on(lambda on: ceil_div(p["min"] * on, p["per"]))
    bad = free < need

    def make(r: int, wi: int, n: int, cells: list[int]) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows fall short" if n > 1 else ""
        what = ("free day", "free days") if p["block-hours"] == 24 else (
            f"free period of {fmt(p['block-hours'])} h", f"free periods of {fmt(p['block-hours'])} h")
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(free[r, wi]),
            limit=float(need[r, wi]),
            unit="days",
            message=(
                f"{plural(int(free[r, wi]), *what)} in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"({plural(int(w.on[r, wi]), 'on-service day')}; minimum {int(need[r, wi])}: "
                f"{fmt(p['min'])} per {plural(p['per'], 'day')}){more}"
            ),
            cells=cells,
        )

    picks = worst_windows(bad, lambda r: (need[r] - free[r]).astype(float), w, scope)
    for (r, wi, n), c in zip(picks, window_cells(tl, picks, w, BUSY_KINDS)):
        yield make(r, wi, n, c)

