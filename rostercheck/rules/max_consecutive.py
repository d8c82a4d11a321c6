"""No more than so many shifts of a kind on consecutive dates, optionally with rest after a run.

A run is a sequence of consecutive dates each holding a shift of the counted kinds or codes,
attributed to the date the shift starts. With `rest-after-hours`, every run of at least
`rest-after-run` shifts must be followed by that much free time before the next work.

Example: `[rules.consecutive-nights]` with `max = 6`
  PASS: night float Monday to Saturday (6 nights), Sunday off
  FAIL: night float Monday to Sunday (7 nights)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import Hit, Option, fmt, in_checked
from rostercheck.timeline import _LANE, Timeline

KIND = "max-consecutive"
OPTIONS = (
    Option("kinds", "kinds", ["night"], "shift kinds counted"),
    Option("codes", "codes", [], "shift codes counted (in addition to `kinds`)"),
    Option("max", "int", 6, "longest run allowed", minimum=1),
    Option("rest-after-hours", "number", None, "free hours required after a run (none: no requirement)",
           minimum=0),
    Option("rest-after-run", "int", 1, "runs at least this long need `rest-after-hours` after them", minimum=1),
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


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    X = tl.count_by_day(p["kinds"], p["codes"]) > 0
    r, d0, d1 = _runs(X)
    length = d1 - d0 + 1
    kinds, codes = p["kinds"], p["codes"]
    names = "/".join(list(p["kinds"]) + list(p["codes"]))
    for i in np.flatnonzero((length > p["max"]) & scope[r]):
        ri, a, b = int(r[i]), int(d0[i]), int(d1[i])
        if not in_checked(tl, int(tl.day_start[b + 1])):
            continue
        yield Hit(
            resident=ri,
            start=int(tl.day_start[a]),
            end=tl.latest_end(ri, a, b + 1, kinds, codes),
            value=float(length[i]),
            limit=float(p["max"]),
            unit=f"consecutive {names} shifts",
            message=(
                f"{int(length[i])} {names} shifts on consecutive dates {tl.date_of(a)} to {tl.date_of(b)} "
                f"(maximum {p['max']})"
            ),
            cells=tl.cells_in_days(ri, a, b + 1, kinds, codes),
        )
    if p["rest-after-hours"] is None:
        return
    need = float(p["rest-after-hours"])
    u = tl.work
    for i in np.flatnonzero((length >= p["rest-after-run"]) & scope[r]):
        ri, a, b = int(r[i]), int(d0[i]), int(d1[i])
        run_end = tl.latest_end(ri, b, b + 1, kinds, codes)
        q = run_end + ri * int(_LANE)
        j = int(np.searchsorted(u.lane_end, q, side="left"))
        # j is the union interval holding the run's last shift (its end is at or after the run's)
        if j < len(u.lane_end) and u.lane_end[j] > q:
            nxt = run_end  # work goes on without a break
        elif j + 1 < len(u.lane_end) and u.resident[j + 1] == ri:
            nxt = int(u.start[j + 1])
        else:
            continue
        gap = (nxt - run_end) / 60.0
        if gap >= need - 1e-6 or not in_checked(tl, nxt):
            continue
        nxt_day = int(np.searchsorted(tl.day_start, nxt, side="right") - 1)
        idx = tl.rows_in_days(ri, max(nxt_day - 1, 0), nxt_day + 1)
        _, _, _, _, cell_col, start_col, _ = tl._by_resident_day
        nxt_cells = cell_col[idx][start_col[idx] == nxt].tolist()
        yield Hit(
            resident=ri,
            start=int(tl.day_start[a]),
            end=nxt,
            value=round(gap, 2),
            limit=need,
            unit="hours",
            message=(
                f"{gap:.1f} h free after {b - a + 1} {names} shifts ending "
                f"{tl.iso(run_end).replace('T', ' ')} (minimum {fmt(need)} h after a run)"
            ),
            cells=sorted(set(tl.cells_in_days(ri, a, b + 1, kinds, codes)) | set(nxt_cells)),
        )
