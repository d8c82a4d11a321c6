"""max-weekends: a literal per weekend, true when a chosen option touches it, summed per window."""

from __future__ import annotations

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel
from rostercheck.rules.max_weekends import weekends


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    pb, tl, p = m.pb, m.pb.tl, rc.params
    d0, d1, ws, we = weekends(tl, p)
    K = len(d0)
    if not K:
        return True
    n = min(p["average-weekends"] or K, K)
    for r in np.flatnonzero(scope).tolist():
        if p["exclude-leave"]:
            counted = [not tl.leave[r, int(d0[k]):int(d1[k]) + 1].all() for k in range(K)]
        else:
            counted = [True] * K
        wk: list[Lit] = []
        for k in range(K):
            a, b = int(ws[k]), int(we[k])
            lits: list[Lit] = []
            for d in range(max(int(d0[k]) - 3, 0), min(int(d1[k]) + 1, tl.n_days)):
                for s in pb.slots:
                    row = m.row_of.get((r, d, s))
                    if row is None:
                        continue
                    for o, x in m.x[row].items():
                        f = pb.fact(d, s, o)
                        spans = f.busy if p["home-call"] else f.work
                        if any(s0 < b and e0 > a for s0, e0 in spans):
                            lits.append(x)
            wk.append(m.or_var(lits, f"wkd_{rc.id}_{r}_{k}") if counted[k] else 0)
        for i in range(K - n + 1):
            if we[i + n - 1] <= tl.checked_start:
                continue
            on = sum(counted[i:i + n])
            limit = int(np.floor(np.round(p["max"] * on / p["per"], 9)))
            a, b = int(d0[i]), int(d1[i + n - 1]) + 1
            g = m.group(rc.id, rc.severity, r, a, b, f"at most {limit} of {on} weekends worked from "
                        f"{tl.date_of(a)} to {tl.date_of(b - 1)}", rc.kind)
            m.linear([(1, wk[k]) for k in range(i, i + n)], None, limit, g)
    return True
