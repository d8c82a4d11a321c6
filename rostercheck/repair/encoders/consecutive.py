"""max-consecutive: no max+1 consecutive dates all holding a counted shift (sliding sums)."""

from __future__ import annotations

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel
from rostercheck.repair.encoders.counts import _matching


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    match = _matching(m, p)
    n = p["max"] + 1
    for r in np.flatnonzero(scope).tolist():
        X: dict[int, Lit] = {}
        for d in range(tl.n_days):
            lits: list[Lit] = []
            for s in m.pb.slots:
                row = m.row_of.get((r, d, s))
                if row is not None:
                    lits += [x for o, x in m.x[row].items() if match[o]]
            X[d] = m.or_var(lits, f"run_{rc.id}_{r}_{d}")
        for a in range(0, tl.n_days - n + 1):
            if a + n - 1 < tl.first:
                continue
            g = m.group(rc.id, rc.severity, r, a, a + n, f"at most {p['max']} in a row from {tl.date_of(a)}",
                        rc.kind)
            m.linear([(1, X[d]) for d in range(a, a + n)], None, p["max"], g)
    if p["rest-after-hours"] is not None:
        m.unencoded.append(f"{rc.id} (rest after a run)")
    return True
