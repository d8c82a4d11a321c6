"""coverage: residents in scope holding the codes on each date stay within [min, max]."""

from __future__ import annotations

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def holders(m: RepairModel, r: int, d: int, codes: set[str]) -> Lit:
    lits: list[Lit] = []
    for s in m.pb.slots:
        row = m.row_of.get((r, d, s))
        if row is not None:
            lits += [x for o, x in m.x[row].items() if codes & set(m.pb.options[o])]
    return m.or_var(lits, f"cov_{r}_{d}_{'_'.join(sorted(codes))}")


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    codes = set(p["codes"])
    days = range(tl.first, tl.n_days)
    if p["weekdays"]:
        want = {_DAYS.index(x) for x in p["weekdays"]}
        days = [d for d in days if int(tl.weekday[d]) in want]
    for d in days:
        g = m.group(rc.id, rc.severity, None, d, d + 1,
                    f"{'/'.join(sorted(codes))} on {tl.date_of(d)} needs at least {p['min']}"
                    + (f" and at most {p['max']}" if p["max"] is not None else "") + " residents",
                    rc.kind, codes=sorted(codes), need=p["min"])
        terms = [(1, holders(m, r, d, codes)) for r in np.flatnonzero(scope).tolist()]
        m.linear(terms, p["min"], p["max"], g)
    return True
