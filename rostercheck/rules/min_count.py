"""At least so many shifts of a kind in every window: protected wellness time every four weeks.

Each entry counts on the date it starts. The minimum is `min` per `per` days, scaled to the
window's on-service days and rounded up, so a window made entirely of leave needs nothing.

Example: `[rules.wellness-time]` with `kinds = ["wellness"]`, `min = 1`, `per = 28`
  PASS: one wellness half-day in the 28 days
  FAIL: no wellness entry in the 28 days
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import (
    WINDOW_OPTIONS,
    Hit,
    Option,
    ceil_div,
    fmt,
    window_hits,
    window_sums,
    windows,
)
from rostercheck.timeline import Timeline
from rostercheck.wording import plural

KIND = "min-count"
OPTIONS = (
    Option("kinds", "kinds", ["wellness"], "shift kinds counted"),
    Option("codes", "codes", [], "shift codes counted (in addition to `kinds`)"),
    Option("min", "number", 1, "entries required per `per` days", minimum=0),
    Option("per", "int", 28, "days the minimum is stated per", minimum=1),
    Option("average-days", "int", None, "window length in days (default: `per`)", minimum=1),
    *WINDOW_OPTIONS,
)


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    w = windows(tl, p["average-days"] or p["per"], p)
    count = window_sums(tl.day_counts(p["kinds"], p["codes"]), w, np.int32)
    need = w.per_on(lambda on: ceil_div(p["min"] * on, p["per"]))
    bad = count < need
    names = "/".join(list(p["kinds"]) + [tl.written(c) for c in p["codes"]])

    def make(r: int, wi: int, n: int) -> Hit:
        d0, d1 = int(w.start[wi]), int(w.end[wi])
        more = f"; {n} overlapping windows fall short" if n > 1 else ""
        return Hit(
            resident=r,
            start=int(tl.day_start[d0]),
            end=int(tl.day_start[d1]),
            value=float(count[r, wi]),
            limit=float(need[r, wi]),
            unit=f"{names} entries",
            message=(
                f"{plural(int(count[r, wi]), f'{names} entry', f'{names} entries')} "
                f"in {tl.date_of(d0)} to {tl.date_of(d1 - 1)} "
                f"(minimum {int(need[r, wi])}: {fmt(p['min'])} per {plural(p['per'], 'day')}){more}"
            ),
        )

    yield from window_hits(tl, bad, lambda r: (need[r] - count[r]).astype(float), w, scope, make)
