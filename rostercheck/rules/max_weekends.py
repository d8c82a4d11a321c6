"""No more than so many worked weekends in so many: at most one weekend in two.

A weekend runs from `from` to `to` inclusive (UK 2016 contract: Saturday 00:01 to Sunday 23:59)
and is worked when any work, call or night shift touches it (and home call, unless `home-call =
false`). Only weekends lying wholly inside the roster count. Over every run of `average-weekends`
consecutive weekends (none: all of the roster's weekends, read as one rota cycle) the worked ones
may be at most `max` per `per`, rounded down: one in two allows 2 of 4 weekends, and 2 of 5. With
`exclude-leave`, a weekend whose every date is leave leaves the count.

Example: `[rules.uk-weekends]` with `max = 1`, `per = 2`, on a 4-weekend roster
  PASS: alternate weekends worked (2 of 4)
  FAIL: a Saturday shift on 3 of the 4 weekends
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.legend import BUSY_KINDS, WORK_KINDS
from rostercheck.rules.base import Hit, Option, Windows, fmt, leave_prefix, window_hits
from rostercheck.rules.period_facts import cells_overlapping_many
from rostercheck.timeline import Timeline, local_to_abs, searchsorted_small
from rostercheck.wording import plural

KIND = "max-weekends"
OPTIONS = (
    Option("max", "number", 1, "worked weekends allowed per `per` weekends", minimum=0),
    Option("per", "int", 2, "weekends the maximum is stated per", minimum=1),
    Option("average-weekends", "int", None, "window length in weekends (none: all the roster's weekends)",
           minimum=1),
    Option("from", "weekday-time", "sat 00:01", "when a weekend starts, local time"),
    Option("to", "weekday-time", "sun 23:59", "when a weekend ends, local time (inclusive)"),
    Option("home-call", "bool", True, "home call on a weekend makes it a worked weekend"),
    Option("exclude-leave", "bool", True, "a weekend made only of leave days leaves the count"),
)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _parse(text: str) -> tuple[int, int]:
    day, hhmm = text.split()
    h, m = hhmm.split(":")
    return _DAYS.index(day), int(h) * 60 + int(m)


def weekends(tl: Timeline, p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every weekend wholly on the day axis: first day, last day (inclusive), and [start, end) in
    absolute minutes, the end one minute after `to` so that work at `to` itself counts."""
    (wf, tf), (wt, tt) = _parse(p["from"]), _parse(p["to"])
    span = (wt - wf) % 7
    if span == 0 and tt < tf:
        span = 7
    first = np.flatnonzero(tl.weekday == wf)
    first = first[first + span < tl.n_days]
    base = tl.days[first].astype("datetime64[m]")
    s = local_to_abs(base + np.timedelta64(tf, "m"), tl.tz)
    e = local_to_abs(base + np.timedelta64(span * 1440 + tt + 1, "m"), tl.tz)
    return first, first + span, np.asarray(s, dtype=np.int64), np.asarray(e, dtype=np.int64)


def worked(tl: Timeline, p: dict[str, Any], ws: np.ndarray, we: np.ndarray) -> np.ndarray:
    """[R, K] True where resident r works (or is on home call) somewhere in weekend k."""
    R, K = tl.n_residents, len(ws)
    if not K:
        return np.zeros((R, 0), dtype=bool)
    kinds = BUSY_KINDS if p["home-call"] else WORK_KINDS
    start, end = tl.col("start"), tl.col("end")
    rows = np.flatnonzero(tl.shift_mask(kinds) & (end > start))
    out = np.zeros((R, K), dtype=bool)
    r, a, b = tl.col("resident")[rows], start[rows], end[rows]
    # weekends are disjoint and sorted: the first one ending after a shift's start is the only
    # candidate unless the shift is long enough to reach the next
    k = searchsorted_small(we, a, "right")
    for _ in range(3):  # a shift of up to 72 h reaches at most three weekends' worth of time
        hit = k < K
        hit[hit] = ws[k[hit]] < b[hit]
        r, b, k = r[hit], b[hit], k[hit]  # a shift that misses one weekend misses the later ones
        out[r, k] = True
        k = k + 1
    return out


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    d0, d1, ws, we = weekends(tl, p)
    K = len(d0)
    if not K:
        return
    W = worked(tl, p, ws, we).astype(np.int64)
    R = tl.n_residents
    if p["exclude-leave"]:
        L = leave_prefix(tl)
        counted = (L[:, d1 + 1] - L[:, d0]) < (d1 + 1 - d0)[None, :]
    else:
        counted = np.ones((R, K), dtype=bool)
    W = W * counted
    n = p["average-weekends"] or K
    n = min(n, K)
    first = np.arange(K - n + 1)
    Pw = np.concatenate([np.zeros((R, 1), np.int64), np.cumsum(W, axis=1)], axis=1)
    Pc = np.concatenate([np.zeros((R, 1), np.int64), np.cumsum(counted, axis=1)], axis=1)
    count = Pw[:, first + n] - Pw[:, first]
    on = Pc[:, first + n] - Pc[:, first]
    limit = np.floor(np.round(p["max"] * on / p["per"], 9)).astype(np.int64)
    w = Windows(d0[first].astype(np.int64), (d1[first + n - 1] + 1).astype(np.int64), on)
    touches = we[first + n - 1] > tl.checked_start
    bad = (count > limit) & touches[None, :]

    def make(r: int, wi: int, m: int) -> Hit:
        a, b = int(w.start[wi]), int(w.end[wi])
        more = f"; {m} overlapping windows exceed it" if m > 1 else ""
        ks = np.arange(first[wi], first[wi] + n)
        hit_ks = ks[W[r, ks] > 0]
        kinds = BUSY_KINDS if p["home-call"] else WORK_KINDS
        per_weekend = cells_overlapping_many(tl, np.full(len(hit_ks), r), ws[hit_ks], we[hit_ks], kinds)
        cells = sorted({c for x in per_weekend for c in x})
        return Hit(
            resident=r,
            start=int(tl.day_start[a]),
            end=int(tl.day_start[b]),
            value=float(count[r, wi]),
            limit=float(limit[r, wi]),
            unit="weekends",
            message=(
                f"{int(count[r, wi])} of {plural(int(on[r, wi]), 'weekend')} worked from {tl.date_of(a)} to "
                f"{tl.date_of(b - 1)} (maximum {int(limit[r, wi])}: {fmt(p['max'])} in {p['per']}){more}"
            ),
            cells=cells,
        )

    yield from window_hits(tl, bad, (count - limit).astype(float), w, scope, make)
