"""Work hours in every window stay under a weekly limit, averaged over the window.

Counts the elapsed time of work, call and night shifts that overlaps the window (a night from
Sunday into Monday counts on both sides of midnight) plus the stated `hours` of home call. Leave
days leave the window and the limit scales with the days that remain: 80 h/week over a 28-day
window holding 7 leave days allows 240 h. The limit is inclusive. With `codes`, only the hours of
shifts with those codes count (emergency medicine: 60 h of ED shifts, 72 h of everything).

Example: `[rules.weekly-hours]` with `limit = 80`, `average-days = 28`, on a 28-day roster
  PASS: 320.0 h of work in the 28 days (80.0 h/week)
  FAIL: 322.0 h of work in the 28 days (80.5 h/week)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.legend import WORK_KINDS
from rostercheck.rules.base import WINDOW_OPTIONS, Hit, Option, fmt, window_hits, window_sums, windows
from rostercheck.timeline import Timeline

KIND = "max-hours"
OPTIONS = (
    Option("limit", "number", 80, "hours allowed per `per` days", minimum=0),
    Option("per", "int", 7, "days the limit is stated per (7: a weekly limit)", minimum=1),
    Option("average-days", "int", 28, "window length in days over which hours are averaged", minimum=1),
    Option("codes", "codes", [], "only hours of shifts with these codes count (empty: all work, call, night "
           "and home call's stated hours)"),
    *WINDOW_OPTIONS,
)


def hours_by_day(tl: Timeline, codes: list[str]) -> np.ndarray:
    """[R, D] hours counted by the rule: everything, or only shifts with ``codes``.

    A timeline of just those shifts measures them exactly as the full one measures all work
    (overlaps once, split at local midnight), with no second implementation to drift.
    """
    if not codes:
        return tl.hours_by_day()
    s = tl.shifts
    sub = dataclasses.replace(tl, shifts=s[s["code"].isin(codes).to_numpy()].reset_index(drop=True))
    return sub.hours_by_day()


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"], p)
    hours = window_sums(hours_by_day(tl, p["codes"]), w)
    limit = p["limit"] * w.on / p["per"]
    bad = hours > limit + 1e-6
    avg = hours * p["per"] / np.maximum(w.on, 1)
    unit = "hours/week" if p["per"] == 7 else f"hours/{p['per']} days"
    of = f" of {'/'.join(p['codes'])}" if p["codes"] else ""

    def make(r: int, wi: int, n: int) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows exceed it" if n > 1 else ""
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=round(float(avg[r, wi]), 2),
            limit=float(p["limit"]),
            unit=unit,
            message=(
                f"{fmt(avg[r, wi])} h{of} per {p['per']} days averaged over {tl.date_of(d0)} to "
                f"{tl.date_of(d1 - 1)} ({fmt(hours[r, wi])} h in {int(w.on[r, wi])} on-service days; "
                f"limit {fmt(p['limit'])} h){more}"
            ),
            cells=tl.cells_in_days(r, d0, d1, None if p["codes"] else WORK_KINDS, p["codes"] or None),
        )

    yield from window_hits(tl, bad, avg - p["limit"], w, scope, make)
