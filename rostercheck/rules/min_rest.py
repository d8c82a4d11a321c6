"""Enough free time between two work periods, after every period or after long or kind-specific ones.

The free time after a period is measured from its end to the start of the resident's next work
period (leave and wellness time in between are not work, so they do not shorten it). A period
triggers the rule when it lasts at least `after-hours` and, if `after-kinds` is set, holds a shift
of one of those kinds. The rest required is `min-hours`, or `ratio` times the period's length
if that is more (emergency medicine: rest at least as long as the shift). The minimum is inclusive.
Rest past the end of the roster is unknown and never reported.

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
from rostercheck.timeline import Timeline

KIND = "min-rest"
OPTIONS = (
    Option("min-hours", "number", 8, "free hours required after a triggering period", minimum=0),
    Option("ratio", "number", 0, "also require rest of at least this many times the period's length", minimum=0),
    Option("after-hours", "number", 0, "only periods lasting at least this many hours trigger the rule", minimum=0),
    Option("after-kinds", "kinds", [], "only periods holding a shift of one of these kinds trigger it"),
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
    need = np.maximum(p["min-hours"], p["ratio"] * span)
    trig = same & (span >= p["after-hours"] - 1e-9) & scope[r]
    if p["after-kinds"]:
        kinds = np.zeros(len(per), dtype=bool)
        for k in p["after-kinds"]:
            col = {"call": "has_call", "night": "has_night"}.get(k)
            kinds |= per[col].to_numpy() if col else (k == "work")
        trig &= kinds
    bad = trig & (gap < need - 1e-6)
    ids = np.array([i for i in np.flatnonzero(bad) if in_checked(tl, int(nxt_start[i]))], dtype=np.int64)
    if not len(ids):
        return
    pairs = np.r_[ids, ids + 1]
    cells = dict(zip(pairs.tolist(), tl.period_cells(pairs)))
    for i in ids.tolist():
        row = per.iloc[i]
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
                f"(minimum {fmt(need[i])} h)"
            ),
            cells=sorted(set(cells[i]) | set(cells[i + 1])),
        )
