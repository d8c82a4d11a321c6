"""Enough (and not too many) residents on a code each date: the staffing a roster must keep.

Counts, for each date, the residents in scope (see `applies-to`, e.g. only PGY-2 and PGY-3 may
count toward senior call) holding one of `codes` on that date. For one code, `code = "C"` says the
same as `codes = ["C"]`.

Example: `[rules.call-coverage]` with `kind = "coverage"`, `codes = ["C"]`, `min = 2`
  PASS: two residents on C every date
  FAIL: one resident on C on 2026-07-24
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from rostercheck.rules.base import Hit, Option, in_checked
from rostercheck.timeline import Timeline
from rostercheck.wording import plural

KIND = "coverage"
#: Counts residents against each other: checked on the whole roster, never on a few rows (``check.across_residents``).
ACROSS_RESIDENTS = True
OPTIONS = (
    Option("codes", "codes", [], "codes that count toward this coverage (required, or `code`)"),
    Option("code", "code", None, "one code that counts: `code = \"C\"` is `codes = [\"C\"]` (give one of the two)"),
    Option("min", "int", 0, "fewest residents on these codes each date", minimum=0),
    Option("max", "int", None, "most residents on these codes each date", minimum=0),
    Option("weekdays", "weekdays", [], "only these weekdays (mon..sun); empty: every date"),
)

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    C = tl.count_by_day(None, p["codes"]) > 0
    count = (C & scope[:, None]).sum(axis=0)
    dates = np.arange(tl.first, tl.n_days)
    if p["weekdays"]:
        wd = np.isin(tl.weekday, [_DAYS.index(d) for d in p["weekdays"]])
        dates = dates[wd[dates]]
    codes = "/".join(map(tl.written, p["codes"]))
    for d in dates.tolist():
        n = int(count[d])
        lo, hi = p["min"], p["max"]
        if n < lo:
            limit, word = lo, "at least"
        elif hi is not None and n > hi:
            limit, word = hi, "at most"
        else:
            continue
        if not in_checked(tl, int(tl.day_start[d + 1])):
            continue
        holders = np.flatnonzero(C[:, d] & scope)
        yield Hit(
            resident=None,
            start=int(tl.day_start[d]),
            end=int(tl.day_start[d + 1]),
            value=float(n),
            limit=float(limit),
            unit="residents",
            message=f"{plural(n, 'resident')} on {codes} on {tl.date_of(d)} (needs {word} {limit})",
            cells=[c for r in holders.tolist() for c in tl.cells_in_days(r, d, d + 1, codes=p["codes"])],
        )
