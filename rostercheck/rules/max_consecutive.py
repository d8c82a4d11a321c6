"""No more than so many shifts of a kind on consecutive dates, optionally with rest after a run.

A run is a sequence of consecutive dates each holding a counted shift. What counts is set by
`shifts`: `by-kind` counts shifts of `kinds` or `codes` on the date of their cell; `long` counts
work periods lasting more than `long-hours` and `night` work periods with at least `night-hours`
of work inside `night-window` (the UK 2016 contract's definitions), each on the date it starts.
With `rest-after-hours`, every run of at least `rest-after-run` shifts must be followed by that
much free time, from the end of the run's last shift to the start of the next work of any kind.
Rest past the end of the roster is unknown and never reported.

Example: `[rules.consecutive-nights]` with `max = 6`
  PASS: night float Monday to Saturday (6 nights), Sunday off
  FAIL: night float Monday to Sunday (7 nights)
Example: `[rules.uk-nights]` with `shifts = "night"`, `max = 4`, `rest-after-hours = 46`
  PASS: nights 20:00-08:00 Monday to Thursday (ending Friday 08:00), next shift Sunday 06:00 (46 h)
  FAIL: the same nights, next shift Saturday 08:00 (24 h)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.legend import WORK_KINDS
from rostercheck.rules.base import Hit, Option, fmt
from rostercheck.rules.period_facts import clock_range, night_minutes, start_day
from rostercheck.timeline import LANE, Timeline, flatnonzero, searchsorted_sorted
from rostercheck.wording import plural

KIND = "max-consecutive"
OPTIONS = (
    Option("kinds", "kinds", ["night"], "shift kinds counted (with `shifts = \"by-kind\"`)"),
    Option("codes", "codes", [], "shift codes counted (in addition to `kinds`)"),
    Option("shifts", "choice", "by-kind", "what counts: shifts of `kinds`/`codes` (`by-kind`), or work "
           "periods that are `long` or `night` by the options below", choices=("by-kind", "long", "night")),
    Option("max", "int", 6, "longest run allowed", minimum=1),
    Option("rest-after-hours", "number", None, "free hours required after a run (none: no requirement)",
           minimum=0),
    Option("rest-after-run", "int", 1, "runs at least this long need `rest-after-hours` after them", minimum=1),
    Option("long-hours", "number", 10, "`shifts = \"long\"`: a period lasting more than this is long", minimum=0),
    Option("night-hours", "number", 3, "`shifts = \"night\"`: hours of work inside `night-window` that make "
           "a night", minimum=0),
    Option("night-window", "clock-range", "23:00-06:00", "`shifts = \"night\"`: the night, local time "
           "(an end before the start is the next day)"),
)


def _runs(X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All runs of True along days: (resident, first day, last day), vectorised over residents."""
    R, D = X.shape
    # rows end to end, each after a False: no run crosses from one resident into the next
    flat = np.zeros(R * (D + 1) + 1, dtype=bool)
    flat[1:].reshape(R, D + 1)[:, :D] = X
    starts = flatnonzero(flat[1:] > flat[:-1])  # position (in flat[1:]) of each run's first day
    ends = flatnonzero(flat[:-1] > flat[1:]) - 1  # ... and of its last day; both in row order
    return starts // (D + 1), starts % (D + 1), ends % (D + 1)


def classified(tl: Timeline, p: dict[str, Any]) -> np.ndarray:
    """For ``shifts = "long"`` or ``"night"``: which work periods (``tl.periods`` order) count."""
    if p["shifts"] == "long":
        return tl.period_span > p["long-hours"] + 1e-9
    return night_minutes(tl, clock_range(p["night-window"])) >= round(p["night-hours"] * 60)


def counted_days(tl: Timeline, p: dict[str, Any], ends: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """[R, D] dates holding a counted shift and, if ``ends``, [R, D] the latest end of a counted
    shift on each (where the rest after a run is measured from)."""
    R, D = tl.n_residents, tl.n_days
    if p["shifts"] == "by-kind":
        X = tl.days_with(p["kinds"], p["codes"])
        if not ends:
            return X, None
        sel = flatnonzero(tl.shift_mask(p["kinds"], p["codes"]))
        r, d, e = (tl.col(c)[sel] for c in ("resident", "day", "end"))
    else:
        merged = tl.period_intervals[0]
        keep = flatnonzero(classified(tl, p))
        r, e = merged.resident[keep], merged.end[keep]
        d = start_day(tl, merged.start[keep])
        ok = (d >= 0) & (d < D)
        r, d, e = r[ok], d[ok], e[ok]
        X = np.zeros((R, D), dtype=bool)
        X[r, d] = True
    return X, latest_by_day(r, d, e.astype(np.int64), R, D)


def latest_by_day(r: np.ndarray, d: np.ndarray, e: np.ndarray, R: int, D: int) -> np.ndarray:
    """[R, D] the largest ``e`` on each resident's date (int64 minimum where none): one maximum per
    run of equal (resident, date) keys, instead of ``np.maximum.at`` over every row."""
    E = np.full(R * D, np.iinfo(np.int64).min, dtype=np.int64)
    if not len(e):
        return E.reshape(R, D)
    key = r.astype(np.int64) * D + d
    if len(key) > 1 and not bool((key[1:] >= key[:-1]).all()):
        order = np.argsort(key, kind="stable")
        key, e = key[order], e[order]
    first = np.r_[0, flatnonzero(key[1:] != key[:-1]) + 1]
    E[key[first]] = np.maximum.reduceat(e, first) if len(first) < len(key) else e
    return E.reshape(R, D)


def _split(values: list[int], cut: list[int]) -> list[list[int]]:
    """``values[cut[i]:cut[i + 1]]`` for each i."""
    return [values[cut[i]:cut[i + 1]] for i in range(len(cut) - 1)]


def _names(tl: Timeline, p: dict[str, Any]) -> str:
    if p["shifts"] == "long":
        return f"long (over {fmt(p['long-hours'])} h)"
    if p["shifts"] == "night":
        return "night"
    return "/".join(list(p["kinds"]) + [tl.written(c) for c in p["codes"]])


def _cells(tl: Timeline, p: dict[str, Any], r: np.ndarray, d0: np.ndarray, d1: np.ndarray) -> list[list[int]]:
    """The cells of each run (resident r, dates d0 to d1 - 1): its counted shifts, or its work."""
    if p["shifts"] == "by-kind":
        return tl.cells_in_days_many(r, d0, d1, p["kinds"], p["codes"])
    return tl.cells_in_days_many(r, d0, d1, WORK_KINDS)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    by_kind = p["shifts"] == "by-kind"
    X, E = counted_days(tl, p, ends=p["rest-after-hours"] is not None or not by_kind)
    r, d0, d1 = _runs(X)
    length = d1 - d0 + 1
    names = _names(tl, p)
    checked = tl.checked_start
    # runs lying wholly in the history are context, not findings
    long = flatnonzero((length > p["max"]) & scope[r] & (tl.day_start[d1 + 1] > checked))
    midnight = tl.day_start.tolist()  # Python ints: findings come by the ten thousand
    ends = E[r[long], d1[long]].tolist() if E is not None else None
    cells = _cells(tl, p, r[long], d0[long], d1[long] + 1)
    for k, (ri, a, b) in enumerate(zip(r[long].tolist(), d0[long].tolist(), d1[long].tolist())):
        n = b - a + 1
        yield Hit(
            resident=ri,
            start=midnight[a],
            end=tl.latest_end(ri, a, b + 1, p["kinds"], p["codes"]) if ends is None else ends[k],
            value=float(n),
            limit=float(p["max"]),
            unit=f"consecutive {names} shifts",
            message=(
                f"{plural(n, f'{names} shift')} on consecutive dates {tl.date_of(a)} to {tl.date_of(b)} "
                f"(maximum {p['max']})"
            ),
            cells=cells[k],
        )
    if E is None or p["rest-after-hours"] is None or not len(r):
        return
    need = float(p["rest-after-hours"])
    u = tl.work
    n = len(u.lane_end)
    if not n:
        return
    run_end = E[r, d1]
    q = run_end + r.astype(np.int64) * LANE
    j = searchsorted_sorted(u.lane_end, q, side="left")  # the union interval holding the run's last shift
    jj = np.minimum(j, n - 1)
    goes_on = (j < n) & (u.lane_end[jj] > q) & (u.lane_start[jj] <= q)  # work continues without a break
    nj = np.minimum(j + 1, n - 1)
    after = ~goes_on & (j + 1 < n) & (u.resident[nj] == r)
    nxt = np.where(goes_on, run_end, np.where(after, u.start[nj], 0))
    gap = (nxt - run_end) / 60.0
    bad = flatnonzero(
        (length >= p["rest-after-run"]) & scope[r] & (goes_on | after) & (gap < need - 1e-6) & (nxt > checked)
    )
    if not len(bad):
        return
    _, _, _, _, cell_col, start_col, end_col = tl.by_resident_day
    # the cells of the shift that ends the rest: those holding its first minute, on its day or the one before
    nx_all = nxt[bad]
    nxt_day = tl.day_index(nx_all) - 1
    pos, cut = tl.rows_in_days_many(r[bad], np.maximum(nxt_day - 1, 0), nxt_day + 1)
    owner = np.repeat(np.arange(len(bad)), np.diff(cut))
    holds = (start_col[pos] <= nx_all[owner]) & (end_col[pos] > nx_all[owner])
    nxt_cells = _split(cell_col[pos[holds]].tolist(), np.r_[0, np.cumsum(holds)][cut].tolist())
    run_cells = _cells(tl, p, r[bad], d0[bad], d1[bad] + 1)
    rows = zip(r[bad].tolist(), d0[bad].tolist(), d1[bad].tolist(), nx_all.tolist(), gap[bad].tolist(),
               run_end[bad].tolist(), run_cells, nxt_cells)
    for ri, a, b, nx, g, re, rc, nc in rows:
        yield Hit(
            resident=ri,
            start=midnight[a],
            end=nx,
            value=round(g, 2),
            limit=need,
            unit="hours",
            message=(
                f"{g:.1f} h free after {plural(b - a + 1, f'{names} shift')} ending "
                f"{tl.iso(re).replace('T', ' ')} (minimum {fmt(need)} h after a run)"
            ),
            cells=sorted(set(rc) | set(nc)),
        )
