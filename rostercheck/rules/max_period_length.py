"""No work period longer than the limit plus the transition time.

A work period is a run of work, call and night shifts with no gap of `period-gap` (2 h) or more
between them, so a day shift 07:00-19:00 followed by a night 19:00-07:00 is one 24-hour period.
Its length is its span, from first start to last end. The limit is inclusive. With `kinds` or
`codes`, only periods holding such a shift are limited (New York: emergency-department shifts).

Example: `[rules.shift-length]` with `limit = 24`, `transition-hours = 4`
  PASS: call 07:00 to 07:00 the next day, then rounds until 11:00 (28 h)
  FAIL: call 07:00 to 07:00, then a clinic 08:00-12:00 the same morning (29 h)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import Hit, Option, fmt
from rostercheck.rules.period_facts import holding
from rostercheck.timeline import Timeline, flatnonzero

KIND = "max-period-length"
OPTIONS = (
    Option("limit", "number", 24, "hours of continuous work allowed", minimum=0),
    Option("transition-hours", "number", 0, "hours of hand-over allowed on top of the limit", minimum=0),
    Option("kinds", "kinds", [], "only periods holding a shift of one of these kinds (empty: all)"),
    Option("codes", "codes", [], "only periods holding a shift with one of these codes (with `kinds`: "
           "either; both empty: all)"),
)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    merged = tl.period_intervals[0]
    span = tl.period_span
    cap = p["limit"] + p["transition-hours"]
    ids = flatnonzero(span > cap + 1e-6)  # few periods are too long: test the rest on those only
    ids = ids[scope[merged.resident[ids]]]
    if p["kinds"] or p["codes"]:
        ids = ids[holding(tl, p["kinds"], p["codes"])[ids]]
    ids = ids[merged.end[ids] > tl.checked_start]  # periods ending in the history are context
    extra = f" + {fmt(p['transition-hours'])} h transition" if p["transition-hours"] else ""
    # Python numbers per finding: a finding costs microseconds, numpy scalars cost several each
    rows = zip(merged.resident[ids].tolist(), merged.start[ids].tolist(), merged.end[ids].tolist(),
               span[ids].tolist(), tl.period_cells(ids))
    for r, start, end, hours, cells in rows:
        yield Hit(
            resident=r,
            start=start,
            end=end,
            value=round(hours, 2),
            limit=float(cap),
            unit="hours",
            message=(
                f"{fmt(hours)} h of continuous work from {tl.iso(start).replace('T', ' ')} "
                f"to {tl.iso(end).replace('T', ' ')} (maximum {fmt(p['limit'])} h{extra})"
            ),
            cells=cells,
        )
