"""At least so many free weekends in every window: a golden weekend every four weeks.

A weekend is free (golden) when nothing of work, call, night or home call touches Saturday 00:00
to Monday 00:00, so a Friday night ending Saturday 07:00 spoils it, and neither day is leave. A
weekend counts in a window when both its days lie inside it. The requirement is `min` per `per`
days, scaled to the weekends the window holds (neither day on leave) and rounded up, so a window
with no weekend in it needs none.

Example: `[rules.golden-weekend]` with `min = 1`, `per = 28`
  PASS: four weeks in which one Saturday and Sunday are both off
  FAIL: four weeks in which every weekend has a shift on Saturday or Sunday
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import WINDOW_OPTIONS, Hit, Option, Windows, ceil_div, fmt, window_hits, windows
from rostercheck.timeline import Timeline

KIND = "min-free-weekends"
OPTIONS = (
    Option("min", "number", 1, "free weekends required per `per` days", minimum=0),
    Option("per", "int", 28, "days the minimum is stated per", minimum=1),
    Option("average-days", "int", None, "window length in days (default: `per`)", minimum=1),
    *WINDOW_OPTIONS,
)


def free_weekends(tl: Timeline) -> np.ndarray:
    """[R, D] True on a Saturday whose weekend (to Monday 00:00) is free; False elsewhere."""
    R, D = tl.n_residents, tl.n_days
    sat = np.flatnonzero((tl.days.day_of_week == 5)[: D - 1])  # its Sunday must be on the axis
    out = np.zeros((R, D), dtype=bool)
    if not len(sat):
        return out
    r = np.repeat(np.arange(R, dtype=np.int64), len(sat))
    s = np.tile(tl.day_start[sat], R)
    e = np.tile(tl.day_start[sat + 2], R)
    busy = tl.busy.overlaps(r, s, e).reshape(R, len(sat))  # tl.busy includes leave days
    out[:, sat] = ~busy
    return out


def weekend_need(tl: Timeline, w: Windows, p: dict[str, Any]) -> np.ndarray:
    """Free weekends required per resident and window [R, W].

    Scaled by the weekends a window holds (both days inside, neither on leave), not by its days:
    `min` per `per` days is `min * 7 / per` per weekend, rounded up, so a 28-day window with four
    weekends needs one and a window holding no weekend needs none.
    """
    R, D = tl.n_residents, tl.n_days
    sat = np.zeros(D, dtype=bool)
    sat[: D - 1] = tl.days.day_of_week[: D - 1] == 5
    avail = np.zeros((R, D), dtype=np.int64)
    idx = np.flatnonzero(sat)
    if p.get("exclude-leave", True):
        avail[:, idx] = ~(tl.leave[:, idx] | tl.leave[:, idx + 1])
    else:
        avail[:, idx] = 1
    P = np.concatenate([np.zeros((R, 1), np.int64), np.cumsum(avail, axis=1)], axis=1)
    last_sat = np.maximum(w.end - 1, w.start)
    weekends = P[:, last_sat] - P[:, w.start]
    return ceil_div(p["min"] * weekends * 7, p["per"])


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"] or p["per"], p)
    F = free_weekends(tl).astype(np.int64)
    P = np.concatenate([np.zeros((F.shape[0], 1), np.int64), np.cumsum(F, axis=1)], axis=1)
    last_sat = np.maximum(w.end - 1, w.start)  # a Saturday on the window's last day has no Sunday in it
    free = P[:, last_sat] - P[:, w.start]
    need = weekend_need(tl, w, p)
    bad = free < need

    weekend = (tl.days.day_of_week >= 5).tolist()  # once, not a pandas Timestamp per day per finding

    def make(r: int, wi: int, n: int) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows fall short" if n > 1 else ""
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(free[r, wi]),
            limit=float(need[r, wi]),
            unit="weekends",
            message=(
                f"{int(free[r, wi])} free weekends in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"(minimum {int(need[r, wi])}: {fmt(p['min'])} per {p['per']} days){more}"
            ),
            cells=[c for d in range(d0, d1) if weekend[d]
                   for c in tl.cells_in_days(r, d, d + 1, frozenset({"work", "call", "night", "home-call"}))],
        )

    yield from window_hits(tl, bad, (need - free).astype(float), w, scope, make)
