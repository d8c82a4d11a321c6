"""Enough free time between two work periods, after every period or after long or kind-specific ones.

The free time after a period is measured from its end to the start of the resident's next work
period (leave and wellness time in between are not work, so they do not shorten it). A period
triggers the rule when it lasts at least `after-hours` and, if `after-kinds` is set, holds a shift
of one of those kinds (or, with `codes`, a shift with one of those codes). The rest required is
`min-hours`, or `ratio` times the period's length if that is more (emergency medicine: rest at
least as long as the shift). With `side = "both"` the rest is also required before a triggering
period (New York: 10 hours free before and after an emergency-department shift). The minimum is
inclusive. Rest past the end of the roster is unknown and never reported.

Example: `[rules.post-call-rest]` with `min-hours = 14`, `after-hours = 24`
  PASS: call 07:00 to 07:00, next shift at 21:00 that evening (14 h free)
  FAIL: call 07:00 to 07:00, next shift at 19:00 that evening (12 h free)
Example: `[rules.rest-between-shifts]` with `min-hours = 8`
  PASS: day shift ends 19:00, next starts 03:00 (8 h)
  FAIL: day shift ends 19:00, next starts 02:30 (7.5 h)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import Hit, Option, fmt
from rostercheck.rules.period_facts import holding, rest_minutes
from rostercheck.timeline import Timeline, flatnonzero

KIND = "min-rest"
OPTIONS = (
    Option("min-hours", "number", 8, "free hours required after a triggering period", minimum=0),
    Option("ratio", "number", 0, "also require rest of at least this many times the period's length", minimum=0),
    Option("after-hours", "number", 0, "only periods lasting at least this many hours trigger the rule", minimum=0),
    Option("after-kinds", "kinds", [], "only periods holding a shift of one of these kinds trigger it"),
    Option("codes", "codes", [], "only periods holding a shift with one of these codes trigger it (with "
           "`after-kinds`: either)"),
    Option("side", "choice", "after", "`after`: rest after a triggering period; `both`: before it too",
           choices=("after", "both")),
)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    merged = tl.period_intervals[0]
    if len(merged.start) < 2:
        return
    r, start, end, span = merged.resident, merged.start, merged.end, tl.period_span
    # Only a pair (i, i + 1) with less free time between than any period could require can fall
    # short: the arithmetic below runs on those pairs, not on every one of the year's periods.
    most = max(p["min-hours"], p["ratio"] * float(span.max()))
    i = flatnonzero(rest_minutes(tl) < most * 60 + 60)
    if p["side"] != "both" and p["after-hours"] > 0:
        i = i[span[i] >= p["after-hours"] - 1e-9]  # rest is owed only after a period long enough to trigger
    if not len(i):  # no rest short enough to fall short of any requirement
        return
    j = i + 1
    same = r[j] == r[i]
    nxt_start = start[j]
    gap = (nxt_start - end[i]) / 60.0
    holds = holding(tl, p["after-kinds"], p["codes"]) if p["after-kinds"] or p["codes"] else None

    def need_of(k: np.ndarray) -> np.ndarray:
        return np.maximum(p["min-hours"], p["ratio"] * span[k])

    def trig(k: np.ndarray) -> np.ndarray:
        t = (span[k] >= p["after-hours"] - 1e-9) & scope[r[k]]
        return t if holds is None else t & holds[k]

    # pair (i, i + 1): the rest after period i, owed to i (after) and, with side = both, to i + 1
    need_i, trig_i = need_of(i), trig(i)
    need = np.where(same & trig_i, need_i, -np.inf)
    if p["side"] == "both":
        need = np.maximum(need, np.where(trig(j) & same, need_of(j), -np.inf))
    owed_after = same & trig_i & (gap < need_i - 1e-6)
    bad = np.isfinite(need) & (gap < need - 1e-6)
    found = flatnonzero(bad & (nxt_start > tl.checked_start))  # rest ending in the history is context
    if not len(found):
        return
    ids = i[found]
    cells = dict(zip(np.r_[ids, ids + 1].tolist(), tl.period_cells(np.r_[ids, ids + 1])))
    has_call, has_night = tl.period_flags
    # Python numbers per finding: a finding costs microseconds, numpy scalars cost several each
    rows = zip(ids.tolist(), r[ids].tolist(), start[ids].tolist(), end[ids].tolist(), nxt_start[found].tolist(),
               gap[found].tolist(), need[found].tolist(), owed_after[found].tolist(), span[ids].tolist(),
               span[ids + 1].tolist(), has_call[ids].tolist(), has_night[ids].tolist())
    for a, res, st, en, nx, g, nd, after, sp, sp_next, call, night in rows:
        what = "call period" if call else ("night period" if night else "work period")
        yield Hit(
            resident=res,
            start=st,
            end=nx,
            value=round(g, 2),
            limit=round(nd, 2),
            unit="hours",
            message=(
                f"{g:.1f} h free after a {sp:.1f} h {what} ending {tl.iso(en).replace('T', ' ')} "
                f"(minimum {fmt(nd)} h)" if after else
                f"{g:.1f} h free before a {sp_next:.1f} h period starting "
                f"{tl.iso(nx).replace('T', ' ')} (minimum {fmt(nd)} h)"
            ),
            cells=sorted(set(cells[a]) | set(cells[a + 1])),
        )
