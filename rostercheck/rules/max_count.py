"""No more than so many shifts of a kind in every window: call no more often than every third night.

Each shift counts on the date it starts (a call from Monday 07:00 to Tuesday 07:00 is Monday's).
The limit is `max` per `per` days, or with `every = N` one in N days, scaled to the window's
on-service days (leave days leave the window) and rounded down: 28 days allow 9 calls one in three.
A window with no on-service day (all leave) requires nothing.

Example: `[rules.call-frequency]` with `every = 3`, `average-days = 28`, on a 28-day roster
  PASS: 9 calls in the 28 days
  FAIL: 10 calls in the 28 days
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import (
    WINDOW_OPTIONS,
    Hit,
    Option,
    floor_div,
    window_cells,
    window_sums,
    windows,
    worst_windows,
)
from rostercheck.timeline import Timeline
from rostercheck.wording import plural

KIND = "max-count"
OPTIONS = (
    Option("kinds", "kinds", ["call"], "shift kinds counted"),
    Option("codes", "codes", [], "shift codes counted (in addition to `kinds`)"),
    Option("every", "int", None, "one in this many days (alternative to `max`)", minimum=1),
    Option("max", "number", None, "shifts allowed per `per` days (alternative to `every`)", minimum=0),
    Option("per", "int", None, "days `max` is stated per (default: `average-days`)", minimum=1),
    Option("average-days", "int", 28, "window length in days", minimum=1),
    *WINDOW_OPTIONS,
)


def _what(tl: Timeline, p: dict[str, Any]) -> str:
    names = list(p["kinds"]) + [tl.written(c) for c in p["codes"]]
    return "/".join(names) + " shifts" if names != ["call"] else "calls"


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"], p)
    count = window_sums(tl.day_counts(p["kinds"], p["codes"]), w, np.int32)
    # limits depend on a window's on-service days only: worked out per value, then looked up
    if p["every"] is not None:
        limit = w.per_on(lambda on: floor_div(on, p["every"]))
        rule_txt = f"one in {plural(p['every'], 'day')}"
    else:
        per = p["per"] or p["average-days"]
        limit = w.per_on(lambda on: floor_div(p["max"] * on, per))
        rule_txt = f"{p['max']:g} per {plural(per, 'day')}"
    bad = count > limit
    if w.on_range[0] == 0:
        bad &= w.on > 0  # a window with no on-service day (all leave) requires nothing
    what = _what(tl, p)

    def make(r: int, wi: int, n: int, cells: list[int]) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows exceed it" if n > 1 else ""
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(count[r, wi]),
            limit=float(limit[r, wi]),
            unit=what,
            message=(
                f"{plural(int(count[r, wi]), what[:-1], what)} in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"({plural(int(w.on[r, wi]), 'on-service day')}; maximum {int(limit[r, wi])}: {rule_txt}){more}"
            ),
            cells=cells,
        )

    picks = worst_windows(bad, lambda r: (count[r] - limit[r]).astype(float), w, scope)
    for (r, wi, n), c in zip(picks, window_cells(tl, picks, w, p["kinds"], p["codes"])):
        yield make(r, wi, n, c)
