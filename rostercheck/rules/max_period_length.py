"""No work period longer than the limit plus the transition time.

A work period is a run of work, call and night shifts with no gap of `period-gap` (2 h) or more
between them, so a day shift 07:00-19:00 followed by a night 19:00-07:00 is one 24-hour period.
Its length is its span, from first start to last end. The limit is inclusive.

Example: `[rules.shift-length]` with `limit = 24`, `transition-hours = 4`
  PASS: call 07:00 to 07:00 the next day, then rounds until 11:00 (28 h)
  FAIL: call 07:00 to 07:00, then a clinic 08:00-12:00 the same morning (29 h)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import Hit, Option, fmt, in_checked
from rostercheck.timeline import Timeline

KIND = "max-period-length"
OPTIONS = (
    Option("limit", "number", 24, "hours of continuous work allowed", minimum=0),
    Option("transition-hours", "number", 0, "hours of hand-over allowed on top of the limit", minimum=0),
    Option("kinds", "kinds", [], "only periods holding a shift of one of these kinds (empty: all)"),
)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    per = tl.periods
    cap = p["limit"] + p["transition-hours"]
    bad = (per["span"].to_numpy() > cap + 1e-6) & scope[per["resident"].to_numpy()]
    if p["kinds"]:
        want = np.zeros(len(per), dtype=bool)
        for k in p["kinds"]:
            col = {"call": "has_call", "night": "has_night"}.get(k)
            want |= per[col].to_numpy() if col else (k == "work")
        bad &= want
    ids = np.flatnonzero(bad)
    ids = np.array([i for i in ids if in_checked(tl, int(per.at[i, "end"]))], dtype=np.int64)
    for i, cells in zip(ids, tl.period_cells(ids)):
        row = per.iloc[int(i)]
        extra = f" + {fmt(p['transition-hours'])} h transition" if p["transition-hours"] else ""
        yield Hit(
            resident=int(row["resident"]),
            start=int(row["start"]),
            end=int(row["end"]),
            value=round(float(row["span"]), 2),
            limit=float(cap),
            unit="hours",
            message=(
                f"{fmt(row['span'])} h of continuous work from {tl.iso(int(row['start'])).replace('T', ' ')} "
                f"to {tl.iso(int(row['end'])).replace('T', ' ')} (maximum {fmt(p['limit'])} h{extra})"
            ),
            cells=cells,
        )
