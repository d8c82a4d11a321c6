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

from rostercheck.rules.base import Hit, Option, fmt, in_checked
from rostercheck.rules.period_facts import holding
from rostercheck.timeline import Timeline

KIND = "max-period-length"
OPTIONS = (
    Option("limit", "number", 24, "hours of continuous work allowed", minimum=0),
    Option("transition-hours", "number", 0, "hours of hand-over allowed on top of the limit", minimum=0),
    Option("kinds", "kinds", [], "only periods holding a shift of one of these kinds (empty: all)"),
    Option("codes", "codes", [], "only periods holding a shift with one of these codes (with `kinds`: "
           "either; both empty: all)"),
)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    per = tl.periods
    cap = p["limit"] + p["transition-hours"]
    bad = (per["span"].to_numpy() > cap + 1e-6) & scope[per["resident"].to_numpy()]
    if p["kinds"] or p["codes"]:
        bad &= holding(tl, p["kinds"], p["codes"])
    ids = np.flatnonzero(bad)
    columns = {c: per[c].to_numpy() for c in ("resident", "start", "end", "span")}
    ids = np.array([i for i in ids if in_checked(tl, int(columns["end"][i]))], dtype=np.int64)
    for i, cells in zip(ids, tl.period_cells(ids)):
        row = {c: v[i] for c, v in columns.items()}  # not per.iloc: a pandas row per finding costs ~50 us
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
