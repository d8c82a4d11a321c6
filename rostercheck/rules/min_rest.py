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

from rostercheck.rules.base import Hit, Option, fmt, in_checked
from rostercheck.rules.period_facts import holding
from rostercheck.timeline import Timeline

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
    per = tl.periods
    if len(per) < 2:
        return
    r = per["resident"].to_numpy()
    span = per["span"].to_numpy()
    same = np.r_[r[1:] == r[:-1], False]
    nxt_start = np.r_[per["start"].to_numpy()[1:], 0]
    gap = (nxt_start - per["end"].to_numpy()) / 60.0
    need_of = np.maximum(p["min-hours"], p["ratio"] * span)
    trig = (span >= p["after-hours"] - 1e-9) & scope[r]
    if p["after-kinds"] or p["codes"]:
        trig &= holding(tl, p["after-kinds"], p["codes"])
    # pair (i, i + 1): the rest after period i, owed to i (after) and, with side = both, to i + 1
    need = np.where(same & trig, need_of, -np.inf)
    if p["side"] == "both":
        nxt_trig = np.r_[trig[1:], False] & same
        need = np.maximum(need, np.where(nxt_trig, np.r_[need_of[1:], 0.0], -np.inf))
    owed_after = same & trig & (gap < need_of - 1e-6)
    bad = np.isfinite(need) & (gap < need - 1e-6)
    ids = np.array([i for i in np.flatnonzero(bad) if in_checked(tl, int(nxt_start[i]))], dtype=np.int64)
    if not len(ids):
        return
    pairs = np.r_[ids, ids + 1]
    cells = dict(zip(pairs.tolist(), tl.period_cells(pairs)))
    columns = {c: per[c].to_numpy() for c in ("resident", "start", "end", "has_call", "has_night")}
    for i in ids.tolist():
        row = {c: v[i] for c, v in columns.items()}  # not per.iloc: a pandas row per finding costs ~50 us
        what = "call period" if row["has_call"] else ("night period" if row["has_night"] else "work period")
        end_txt = tl.iso(int(row["end"])).replace("T", " ")
        yield Hit(
            resident=int(row["resident"]),
            start=int(row["start"]),
            end=int(nxt_start[i]),
            value=round(float(gap[i]), 2),
            limit=round(float(need[i]), 2),
            unit="hours",
            message=(
                f"{gap[i]:.1f} h free after a {span[i]:.1f} h {what} ending {end_txt} "
                f"(minimum {fmt(need[i])} h)" if owed_after[i] else
                f"{gap[i]:.1f} h free before a {span[i + 1]:.1f} h period starting "
                f"{tl.iso(int(nxt_start[i])).replace('T', ' ')} (minimum {fmt(need[i])} h)"
            ),
            cells=sorted(set(cells[i]) | set(cells[i + 1])),
        )
