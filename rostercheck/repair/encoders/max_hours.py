"""max-hours: per window, the minutes of work of every chosen option, summed, stay under the limit.

Summing cells over-counts only where two cells' shifts overlap in time, which the checker counts
once; the encoding is therefore never weaker than the rule. With `codes`, only those codes' minutes
count, measured through the same normalisation with every other code made a day off.
"""

from __future__ import annotations

import math

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import RepairModel
from rostercheck.repair.encoders.base import day_sums, window_constraints
from rostercheck.repair.encoders.filtered import facts_of
from rostercheck.rules.base import fmt, windows


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    w = windows(tl, p["average-days"], p)
    facts = facts_of(m, [], p["codes"]) if p["codes"] else m.pb.facts
    for r in np.flatnonzero(scope).tolist():
        limit = np.array([math.floor(p["limit"] * on * 60 / p["per"] + 1e-9) for on in w.on[r].tolist()])
        per_day = day_sums(m, r, lambda d, s, o: facts[(d, s, o)].hours_by_day)
        window_constraints(
            m, rc, r, w, per_day, None, limit,
            lambda wi, r=r: f"at most {fmt(p['limit'])} h per {p['per']} days averaged over "
            f"{tl.date_of(int(w.start[wi]))} to {tl.date_of(int(w.end[wi]) - 1)}",
        )
    return True
