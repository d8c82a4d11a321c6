"""Fair shares: residents of one group carry counts of a kind (calls) within `max-spread` of each other.

Among the residents the rule applies to, grouped by team and PGY (`group-by` says otherwise), the
shifts of `kinds` or `codes` over the checked roster are counted on the date they start and
prorated by on-service days: a count times the roster's days over the resident's days not on
leave, so a resident away for a week is compared as if present throughout. The most and the least
loaded residents of a group may differ by at most `max-spread`. A resident on leave for the whole
roster is left out, and a group of one has nothing to compare.

Example: `[rules.fair-calls]` with `kind = "fair-share"`, `kinds = ["call"]`, `max-spread = 2`,
on a 31-day roster with one team and PGY
  PASS: the residents hold 5, 4 and 3 calls (spread 2)
  FAIL: the residents hold 6, 4 and 3 calls (spread 3)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from rostercheck.model import Resident
from rostercheck.rules.base import Hit, Option, fmt
from rostercheck.timeline import Timeline
from rostercheck.wording import plural

if TYPE_CHECKING:
    from fractions import Fraction  # imported where used: only configs with a fair-share rule pay for it

KIND = "fair-share"
#: Compares residents with each other: checked on the whole roster, never on a few rows.
ACROSS_RESIDENTS = True
GROUP_BY = ("team-pgy", "team", "pgy", "role", "all")
OPTIONS = (
    Option("kinds", "kinds", ["call"], "shift kinds counted"),
    Option("codes", "codes", [], "shift codes counted (in addition to `kinds`)"),
    Option("max-spread", "number", 2, "most the prorated counts of a group's residents may differ", minimum=0),
    Option("group-by", "choice", "team-pgy", "who is compared with whom: residents of one team and PGY, "
           "one team, one PGY, one role, or everyone in scope", choices=GROUP_BY),
)


def group_key(r: Resident, by: str) -> tuple:
    """The group a resident is compared within (``group-by``); shared with ``rostercheck fairness``."""
    if by == "team-pgy":
        return ((r.team or "").casefold(), r.pgy if r.pgy is not None else -1)
    if by == "team":
        return ((r.team or "").casefold(),)
    if by == "pgy":
        return (r.pgy if r.pgy is not None else -1,)
    if by == "role":
        return ((r.role or "").casefold(),)
    return ()


def group_label(r: Resident, by: str) -> str:
    """A group as people name it: "Ward A PGY-2", "PGY-1", "(no team)", "everyone"."""
    team = r.team or "(no team)"
    pgy = f"PGY-{r.pgy}" if r.pgy is not None else "(no PGY)"
    return {"team-pgy": f"{team} {pgy}", "team": team, "pgy": pgy, "role": r.role or "(no role)",
            "all": "everyone"}[by]


def on_service(tl: Timeline) -> tuple[np.ndarray, int]:
    """Per resident, the checked days not on leave; and the checked days."""
    n = tl.n_days - tl.first
    return n - tl.leave[:, tl.first:].sum(axis=1).astype(np.int64), n


def counts(tl: Timeline, kinds: list[str], codes: list[str]) -> np.ndarray:
    """Per resident, shifts of these kinds/codes starting on a checked date (as count rules count)."""
    return tl.day_counts(kinds, codes)[:, tl.first:].sum(axis=1).astype(np.int64)


def spread_limit(p: dict[str, Any]) -> Fraction:
    """``max-spread`` as an exact fraction, so the checker and the repair model draw the same line."""
    from fractions import Fraction

    return Fraction(str(p["max-spread"]))


def groups(tl: Timeline, scope: np.ndarray, by: str) -> list[np.ndarray]:
    """Residents in scope and on service at some point, by group, in roster order."""
    on, _ = on_service(tl)
    out: dict[tuple, list[int]] = {}
    for r in np.flatnonzero(scope & (on > 0)).tolist():
        out.setdefault(group_key(tl.residents[r], by), []).append(r)
    return [np.array(v, dtype=np.int64) for v in out.values() if len(v) > 1]


def check(tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]:
    from fractions import Fraction

    count = counts(tl, p["kinds"], p["codes"])
    on, n = on_service(tl)
    limit = spread_limit(p)
    what = "/".join(list(p["kinds"]) + list(p["codes"]))
    for members in groups(tl, scope, p["group-by"]):
        share = [Fraction(int(count[r]) * n, int(on[r])) for r in members.tolist()]
        hi, lo = max(share), min(share)
        if hi - lo <= limit:
            continue
        top, low = int(members[share.index(hi)]), int(members[share.index(lo)])

        def who(r: int, s: Fraction) -> str:
            note = "" if on[r] == n else f" ({int(count[r])} in {plural(int(on[r]), 'on-service day')})"
            return f"{tl.residents[r].name} {fmt(float(s))}{note}"

        label = group_label(tl.residents[top], p["group-by"])
        yield Hit(
            resident=None,
            start=int(tl.day_start[tl.first]),
            end=int(tl.day_start[tl.n_days]),
            value=float(hi - lo),
            limit=float(limit),
            unit=f"{what} shifts",
            message=(f"{what} shifts in {label} ({plural(len(members), 'resident')}, prorated to {plural(n, 'day')}): "
                     f"{who(top, hi)} and {who(low, lo)}, a spread of {fmt(float(hi - lo))} "
                     f"(maximum {fmt(float(limit))})"),
            cells=tl.cells_in_days(top, tl.first, tl.n_days, p["kinds"], p["codes"]),
        )
