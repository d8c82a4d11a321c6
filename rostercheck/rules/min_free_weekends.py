"""At least so many free weekends in every window: a golden weekend every four weeks.

A weekend is free (golden) when nothing of work, call, night or home call touches Saturday 00:00
to Monday 00:00, so a Friday night ending Saturday 07:00 spoils it. A weekend counts in a window
when both its days lie inside it. A weekend touching leave is not counted either way: it is not a
free weekend, and it leaves the requirement. The requirement is `min` per `per` days, scaled to the
weekends left and rounded up (1 per 4 weekends by default), so a window with no weekend left in it
(none in it, or all touching leave) needs none.

Example: `[rules.golden-weekend]` with `min = 1`, `per = 28`
  PASS: four weeks in which one Saturday and Sunday are both off
  FAIL: four weeks in which every weekend has a shift on Saturday or Sunday
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import (
    WINDOW_OPTIONS,
    Hit,
    Option,
    Windows,
    between,
    by_value,
    ceil_div,
    fmt,
    prefix,
    windows,
    worst_windows,
)
from rostercheck.timeline import LANE, Timeline, flatnonzero
from rostercheck.wording import plural

KIND = "min-free-weekends"
OPTIONS = (
    Option("min", "number", 1, "free weekends required per `per` days", minimum=0),
    Option("per", "int", 28, "days the minimum is stated per", minimum=1),
    Option("average-days", "int", None, "window length in days (default: `per`)", minimum=1),
    *(o for o in WINDOW_OPTIONS if o.name != "exclude-leave"),
    Option("exclude-leave", "bool", True, "a weekend touching leave leaves the requirement; false: it counts "
           "as a weekend that is not free"),
)


def saturdays(tl: Timeline) -> np.ndarray:
    """Axis days that are a Saturday whose Sunday is on the axis too (made once per timeline)."""
    cache = tl.memo("saturdays")
    if "sat" not in cache:
        sat = flatnonzero((tl.weekday == 5)[: tl.n_days - 1])
        sat.flags.writeable = False
        cache["sat"] = sat
    return cache["sat"]


def free_saturdays(tl: Timeline) -> np.ndarray:
    """[R, S] True where the weekend of ``saturdays(tl)[k]`` (to Monday 00:00) is free."""
    R = tl.n_residents
    sat = saturdays(tl)
    if not len(sat):
        return np.zeros((R, 0), dtype=bool)
    # every resident's weekends on its lane, resident after resident: (resident, weekend) in order
    lane = np.arange(R, dtype=np.int64)[:, None] * LANE
    s = (lane + tl.day_start[sat]).ravel()
    e = (lane + tl.day_start[sat + 2]).ravel()
    # A free weekend lies in a gap at least as long as it, so gaps shorter than the shortest
    # weekend may be filled in first: use busy time merged that way if a rule made it already.
    span = int((tl.day_start[sat + 2] - tl.day_start[sat]).min())
    made = [g for g in tl.busy_gaps_made() if g <= span]
    busy = tl.busy_within(max(made) if made else span)  # includes leave days
    return ~busy.overlaps_lanes(s, e).reshape(R, len(sat))


def free_weekends(tl: Timeline) -> np.ndarray:
    """[R, D] True on a Saturday whose weekend (to Monday 00:00) is free; False elsewhere."""
    out = np.zeros((tl.n_residents, tl.n_days), dtype=bool)
    out[:, saturdays(tl)] = free_saturdays(tl)
    return out


def _in_windows(tl: Timeline, w: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ranges [j0, j1) of ``saturdays(tl)`` whose weekend lies inside a window (a Saturday on
    the window's last day has no Sunday in it), each distinct range once, and for each window the
    index of its range: rolling windows a day apart mostly hold the same weekends."""
    sat = saturdays(tl)
    last_sat = np.maximum(w.end - 1, w.start)
    j0, j1 = np.searchsorted(sat, w.start, side="left"), np.searchsorted(sat, last_sat, side="left")
    key = j0 * (len(sat) + 1) + j1
    if len(key) and bool((key[1:] >= key[:-1]).all()):
        # windows in order (rolling or blocks: always) hold ranges in order: np.unique without its sort
        new = np.empty(len(key), dtype=bool)
        new[0] = True
        np.not_equal(key[1:], key[:-1], out=new[1:])
        pairs, which = key[new], np.cumsum(new) - 1
    else:
        pairs, which = np.unique(key, return_inverse=True)
    return pairs // (len(sat) + 1), pairs % (len(sat) + 1), which.ravel()


#: Up to this many (window, Saturday) pairs a window's weekends are counted by a product with the
#: [W, S] table of which weekends each window holds: a small roster's handful of each, two numpy
#: calls instead of running counts, distinct ranges and their look-ups.
DENSE = 1 << 12


def _per_window(tl: Timeline, w: Windows) -> tuple[Callable[[np.ndarray], np.ndarray], np.ndarray]:
    """How to count [R, S] weekend flags per window: a function giving the counts per distinct range
    of Saturdays (``_in_windows``; per window when the windows are few), and each window's range."""
    sat = saturdays(tl)
    if len(sat) * len(w.start) <= DENSE:
        # the same weekends as _in_windows's ranges: Saturdays from the start, their Sunday inside
        held = (sat[None, :] >= w.start[:, None]) & (sat[None, :] < np.maximum(w.end - 1, w.start)[:, None])
        HT = held.T.astype(np.int32)
        return (lambda X: X.astype(np.int32) @ HT), np.arange(len(w.start))
    j0, j1, which = _in_windows(tl, w)
    return (lambda X: between(prefix(X, np.int32), j0, j1)), which


def _need(tl: Timeline, count: Callable[[np.ndarray], np.ndarray], p: dict[str, Any]) -> np.ndarray:
    """Free weekends required per resident and range of Saturdays (``count`` counts per range)."""
    R = tl.n_residents
    sat = saturdays(tl)
    if p.get("exclude-leave", True):
        avail = ~(tl.leave[:, sat] | tl.leave[:, sat + 1])
    else:
        avail = np.ones((R, len(sat)), dtype=bool)
    return by_value(count(avail), lambda k: ceil_div(p["min"] * k * 7, p["per"]))


def weekend_need(tl: Timeline, w: Windows, p: dict[str, Any]) -> np.ndarray:
    """Free weekends required per resident and window [R, W].

    Scaled by the weekends a window holds (both days inside, neither on leave), not by its days:
    `min` per `per` days is `min * 7 / per` per weekend, rounded up, so a 28-day window with four
    weekends needs one and a window holding no weekend needs none.
    """
    count, which = _per_window(tl, w)
    return _need(tl, count, p)[:, which]


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"] or p["per"], p)
    # weekends counted per Saturday, not per day, and per distinct range of Saturdays, not per
    # window: a window's free weekends are a difference of running counts over the Saturdays
    count, which = _per_window(tl, w)
    free_by = count(free_saturdays(tl))
    need_by = _need(tl, count, p)
    bad = (free_by < need_by)[:, which]

    def free(r: int, wi: int) -> int:
        return int(free_by[r, which[wi]])

    def need(r: int, wi: int) -> int:
        return int(need_by[r, which[wi]])

    def make(r: int, wi: int, n: int, cells: list[int]) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows fall short" if n > 1 else ""
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(free(r, wi)),
            limit=float(need(r, wi)),
            unit="weekends",
            message=(
                f"{plural(free(r, wi), 'free weekend')} in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"(minimum {need(r, wi)}: {fmt(p['min'])} per {plural(p['per'], 'day')}){more}"
            ),
            cells=cells,
        )

    picks = worst_windows(bad, lambda r: (need_by[r] - free_by[r]).astype(float)[which], w, scope)
    if not picks:
        return
    weekend = (tl.weekday >= 5).tolist()  # once, not a pandas Timestamp per day per finding
    # a window's cells: each weekend date's busy shifts, date by date, all windows' dates at once
    days = [[d for d in range(int(w.start[wi]), int(w.end[wi])) if weekend[d]] for _, wi, _ in picks]
    r = np.repeat(np.array([p[0] for p in picks], dtype=np.int64), [len(x) for x in days])
    d = np.array([d for x in days for d in x], dtype=np.int64)
    per_day = tl.cells_in_days_many(r, d, d + 1, frozenset({"work", "call", "night", "home-call"}))
    k = 0
    for (r_, wi, n), x in zip(picks, days):
        yield make(r_, wi, n, [c for cells in per_day[k:k + len(x)] for c in cells])
        k += len(x)
