"""Work hours in every window stay under a weekly limit, averaged over the window.

Counts the elapsed time of work, call and night shifts that overlaps the window (a night from
Sunday into Monday counts on both sides of midnight) plus the stated `hours` of home call. Leave
days leave the window and the limit scales with the days that remain: 80 h/week over a 28-day
window holding 7 leave days allows 240 h; a window with no on-service day (all leave, a night
before it reaching in) requires nothing. Hours are elapsed time (a shift given by `hours` lasts
that long across a daylight-saving change) and overlapping shifts of one resident count once (the
length of their union). The limit is inclusive. With `codes`, only the hours of shifts with those
codes count (emergency medicine: 60 h of ED shifts, 72 h of everything).

Example: `[rules.weekly-hours]` with `limit = 80`, `average-days = 28`, on a 28-day roster
  PASS: 320.0 h of work in the 28 days (80.0 h/week)
  FAIL: 322.0 h of work in the 28 days (80.5 h/week)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.legend import WORK_KINDS
from rostercheck.rules.base import (
    WINDOW_OPTIONS,
    Hit,
    Option,
    at_picks,
    day_major_sums,
    fmt,
    window_cells,
    window_sums,
    windows,
    worst_windows,
)
from rostercheck.timeline import Timeline
from rostercheck.wording import plural

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

    Only those shifts are measured exactly as all work is (overlaps once, split at local
    midnight), by the one implementation in the timeline, so nothing can drift.
    """
    return tl.hours_by_day(codes=codes or None)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"], p)
    H = hours_by_day(tl, p["codes"])
    hours = day_major_sums(H.T, w) if H.T.flags.c_contiguous else window_sums(H, w)
    del H  # [R, D] float64, 14.6 MB at 5,000 x 365: gone before the limits are worked out
    # the limit depends on a window's on-service days only: worked out per value, then looked up
    bad = hours > w.per_on(lambda on: p["limit"] * on / p["per"] + 1e-6)
    if w.on_range[0] == 0:
        bad &= w.on > 0  # a window with no on-service day (all leave) requires nothing
    averages: dict[int, np.ndarray] = {}

    def avg(r: int) -> np.ndarray:
        """Resident r's weekly averages, worked out only for residents with a finding."""
        if r not in averages:
            averages[r] = hours[r] * p["per"] / np.maximum(w.on[r], 1)
        return averages[r]

    unit = "hours/week" if p["per"] == 7 else f"hours/{p['per']} days"
    of = f" of {'/'.join(map(tl.written, p['codes']))}" if p["codes"] else ""

    picks = worst_windows(bad, lambda r: avg(r) - p["limit"], w, scope)
    if not picks:
        return
    h, on = (np.array(x) for x in at_picks(picks, hours, w.on))
    averages_at = (h * p["per"] / np.maximum(on, 1)).tolist()  # as avg(r)[wi], for every pick at once
    cells = window_cells(tl, picks, w, None if p["codes"] else WORK_KINDS, p["codes"] or None)
    midnight = tl.day_start.tolist()
    for (r, wi, n), a, hv, onv, c in zip(picks, averages_at, h.tolist(), on.tolist(), cells):
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows exceed it" if n > 1 else ""
        yield Hit(
            resident=r,
            start=midnight[d0],
            end=midnight[d1],
            value=round(a, 2),
            limit=float(p["limit"]),
            unit=unit,
            message=(
                f"{fmt(a)} h{of} per {plural(p['per'], 'day')} averaged over {tl.date_of(d0)} to "
                f"{tl.date_of(d1 - 1)} ({fmt(hv)} h in {plural(onv, 'on-service day')}; "
                f"limit {fmt(p['limit'])} h){more}"
            ),
            cells=c,
        )
