"""max-rolling-hours: the work of every chosen option inside each sliding window, summed, stays under
the limit.

The checker's heaviest window starts where some work starts; every start any option of the
resident could have is a candidate, so the windows of the final roster are among those constrained
and every constraint is one the rule itself imposes: exact, except that two cells whose shifts
overlap in time are summed where the checker counts the overlap once (stricter, never weaker).
"""

from __future__ import annotations

import math

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel
from rostercheck.repair.encoders.periods import _group
from rostercheck.rules.base import fmt


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    pb, tl, p = m.pb, m.pb.tl, rc.params
    W = int(round(p["window-hours"] * 60))
    limit = math.floor(p["limit"] * 60 + 1e-9)
    checked = tl.checked_start
    for r in np.flatnonzero(scope).tolist():
        starts: list[int] = []
        ends: list[int] = []
        lits: list[Lit] = []
        for row in m.rows_of(r):
            d, s = int(m.d[row]), str(m.slot[row])
            for o, x in m.x[row].items():
                if isinstance(x, int) and x == 0:
                    continue
                for a, b in pb.fact(d, s, o).work:
                    starts.append(a)
                    ends.append(b)
                    lits.append(x)
        if not starts:
            continue
        order = np.argsort(np.array(starts, dtype=np.int64), kind="stable")
        st = np.array(starts, dtype=np.int64)[order]
        en = np.array(ends, dtype=np.int64)[order]
        li = [lits[i] for i in order.tolist()]
        longest = int((en - st).max())
        for t in np.unique(st).tolist():
            if t + W <= checked:
                continue
            lo = int(np.searchsorted(st, t - longest, "left"))
            hi = int(np.searchsorted(st, t + W, "left"))
            ov = np.minimum(en[lo:hi], t + W) - np.maximum(st[lo:hi], t)
            terms = [(int(v), li[lo + i]) for i, v in enumerate(ov.tolist()) if v > 0]
            if sum(v for v, _ in terms) <= limit:
                continue  # even every option at once stays within the limit
            d = int(np.searchsorted(tl.day_start, t, side="right") - 1)
            g = _group(m, rc, r, d, f"at most {fmt(p['limit'])} h of work in the {fmt(p['window-hours'])} h "
                       f"from a start on {tl.date_of(d)}")
            m.linear(terms, None, limit, g)
    return True
