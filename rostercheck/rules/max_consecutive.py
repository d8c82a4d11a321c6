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
from rostercheck.rules.base import Hit, Option, fmt, in_checked
from rostercheck.rules.period_facts import clock_range, night_minutes, start_day
from rostercheck.timeline import _LANE, Timeline

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
    padded = np.zeros((R, D + 2), dtype=np.int8)
    padded[:, 1:-1] = X
    d = np.diff(padded, axis=1)
    rs, ds = np.nonzero(d == 1)
    _, de = np.nonzero(d == -1)
    return rs, ds, de - 1  # np.nonzero is row-major, so starts and ends pair up in order


def classified(tl: Timeline, p: dict[str, Any]) -> np.ndarray:
    """For ``shifts = "long"`` or ``"night"``: which work periods (``tl.periods`` order) count."""
    per = tl.periods
    if p["shifts"] == "long":
        return per["span"].to_numpy() > p["long-hours"] + 1e-9
    return night_minutes(tl, clock_range(p["night-window"])) >= round(p["night-hours"] * 60)


def counted_days(tl: Timeline, p: dict[str, Any], ends: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """[R, D] dates holding a counted shift and, if ``ends``, [R, D] the latest end of a counted
    shift on each (where the rest after a run is measured from)."""
    R, D = tl.n_residents, tl.n_days
    if p["shifts"] == "by-kind":
        X = tl.count_by_day(p["kinds"], p["codes"]) > 0
        if not ends:
            return X, None
        s = tl.shifts
        mask = np.zeros(len(s), dtype=bool)
        if p["kinds"]:
            mask |= s["kind"].isin(p["kinds"]).to_numpy()
        if p["codes"]:
            mask |= s["code"].isin(p["codes"]).to_numpy()
        r, d, e = (s[c].to_numpy()[mask] for c in ("resident", "day", "end"))
    else:
        per = tl.periods
        keep = classified(tl, p)
        r = per["resident"].to_numpy()[keep]
        e = per["end"].to_numpy()[keep]
        d = start_day(tl, per["start"].to_numpy()[keep])
        ok = (d >= 0) & (d < D)
        r, d, e = r[ok], d[ok], e[ok]
        X = np.zeros((R, D), dtype=bool)
        X[r, d] = True
    E = np.full((R, D), np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(E, (r, d), e.astype(np.int64))
    return X, E


def _names(p: dict[str, Any]) -> str:
    if p["shifts"] == "long":
        return f"long (over {fmt(p['long-hours'])} h)"
    if p["shifts"] == "night":
        return "night"
    return "/".join(list(p["kinds"]) + list(p["codes"]))


def _cells(tl: Timeline, p: dict[str, Any], r: int, d0: int, d1: int) -> list[int]:
    if p["shifts"] == "by-kind":
        return tl.cells_in_days(r, d0, d1, p["kinds"], p["codes"])
    return tl.cells_in_days(r, d0, d1, WORK_KINDS)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    by_kind = p["shifts"] == "by-kind"
    X, E = counted_days(tl, p, ends=p["rest-after-hours"] is not None or not by_kind)
    r, d0, d1 = _runs(X)
    length = d1 - d0 + 1
    names = _names(p)
    checked = tl.checked_start
    for i in np.flatnonzero((length > p["max"]) & scope[r]):
        ri, a, b = int(r[i]), int(d0[i]), int(d1[i])
        if not in_checked(tl, int(tl.day_start[b + 1])):
            continue  # the run lies in the history
        yield Hit(
            resident=ri,
            start=int(tl.day_start[a]),
            end=tl.latest_end(ri, a, b + 1, p["kinds"], p["codes"]) if E is None else int(E[ri, b]),
            value=float(length[i]),
            limit=float(p["max"]),
            unit=f"consecutive {names} shifts",
            message=(
                f"{int(length[i])} {names} shifts on consecutive dates {tl.date_of(a)} to {tl.date_of(b)} "
                f"(maximum {p['max']})"
            ),
            cells=_cells(tl, p, ri, a, b + 1),
        )
    if E is None or p["rest-after-hours"] is None or not len(r):
        return
    need = float(p["rest-after-hours"])
    u = tl.work
    n = len(u.lane_end)
    if not n:
        return
    run_end = E[r, d1]
    q = run_end + r.astype(np.int64) * _LANE
    j = np.searchsorted(u.lane_end, q, side="left")  # the union interval holding the run's last shift
    jj = np.minimum(j, n - 1)
    goes_on = (j < n) & (u.lane_end[jj] > q) & (u.lane_start[jj] <= q)  # work continues without a break
    nj = np.minimum(j + 1, n - 1)
    after = ~goes_on & (j + 1 < n) & (u.resident[nj] == r)
    nxt = np.where(goes_on, run_end, np.where(after, u.start[nj], 0))
    gap = (nxt - run_end) / 60.0
    bad = (length >= p["rest-after-run"]) & scope[r] & (goes_on | after) & (gap < need - 1e-6) & (nxt > checked)
    for i in np.flatnonzero(bad).tolist():
        ri, a, b = int(r[i]), int(d0[i]), int(d1[i])
        nx = int(nxt[i])
        nxt_day = int(np.searchsorted(tl.day_start, nx, side="right") - 1)
        idx = tl.rows_in_days(ri, max(nxt_day - 1, 0), nxt_day + 1)
        _, _, _, _, cell_col, start_col, end_col = tl._by_resident_day
        nxt_cells = cell_col[idx][(start_col[idx] <= nx) & (end_col[idx] > nx)].tolist()
        yield Hit(
            resident=ri,
            start=int(tl.day_start[a]),
            end=nx,
            value=round(float(gap[i]), 2),
            limit=need,
            unit="hours",
            message=(
                f"{gap[i]:.1f} h free after {b - a + 1} {names} shifts ending "
                f"{tl.iso(int(run_end[i])).replace('T', ' ')} (minimum {fmt(need)} h after a run)"
            ),
            cells=sorted(set(_cells(tl, p, ri, a, b + 1)) | set(nxt_cells)),
        )
