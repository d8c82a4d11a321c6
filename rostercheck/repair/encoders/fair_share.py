"""fair-share: within each group, prorated counts differ by at most ``max-spread``.

Each resident's count over the checked days becomes one integer variable (the checker's count:
distinct matching codes per start date). Prorating divides by on-service days, which leave fixes
(leave cells never change), so "count_i * n / on_i - count_j * n / on_j <= max-spread" is, after
multiplying out, a linear constraint with integer coefficients: the exact comparison the checker
makes with fractions. Residents with the same on-service days share a floor and a ceiling variable
(every count between them), and the constraint is stated between the ceiling of each class and the
floor of each class: a group of 1,500 residents costs 3,000 bounds and a handful of pairs, not two
million pairwise constraints.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model as cp

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import RepairModel
from rostercheck.repair.encoders.counts import _matching, per_day_counts
from rostercheck.rules.fair_share import group_label, groups, on_service, spread_limit


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    on, n = on_service(tl)
    limit = spread_limit(p)
    match = _matching(m, p)
    what = "/".join(list(p["kinds"]) + list(p["codes"]))
    for members in groups(tl, scope, p["group-by"]):
        count: dict[int, cp.IntVar | int] = {}
        top = 0  # the most any count can reach: the domain of the floors and ceilings
        for r in members.tolist():
            terms = [t for d, ts in per_day_counts(m, r, match).items() if d >= tl.first for t in ts]
            const = sum(c * x for c, x in terms if isinstance(x, int))
            live = [(c, x) for c, x in terms if not isinstance(x, int)]
            most = const + sum(c for c, _ in live if c > 0)
            top = max(top, most)
            if not live:
                count[r] = const
                continue
            v = m.m.new_int_var(const, most, f"fair_{rc.id}_{r}")
            m.m.add(v == const + cp.LinearExpr.weighted_sum([x for _, x in live], [c for c, _ in live]))
            count[r] = v
        label = group_label(tl.residents[int(members[0])], p["group-by"])
        g = m.group(rc.id, rc.severity, None, tl.first, tl.n_days,
                    f"{what} shifts in {label} within {float(limit):g} of each other (prorated)", rc.kind)
        classes: dict[int, list[int]] = {}
        for r in members.tolist():
            classes.setdefault(int(on[r]), []).append(r)
        bounds: dict[int, tuple[cp.IntVar | int, cp.IntVar | int]] = {}
        for days, rs in classes.items():
            if len(rs) == 1:
                bounds[days] = (count[rs[0]], count[rs[0]])
                continue
            lo = m.m.new_int_var(0, top, f"fair_lo_{rc.id}_{days}_{rs[0]}")
            hi = m.m.new_int_var(0, top, f"fair_hi_{rc.id}_{days}_{rs[0]}")
            for r in rs:
                m.m.add(lo <= count[r])
                m.m.add(count[r] <= hi)
            bounds[days] = (lo, hi)
        for oi, (_, hi_i) in bounds.items():
            for oj, (lo_j, _) in bounds.items():
                # hi_i * n / on_i - lo_j * n / on_j <= limit, times on_i * on_j and limit's denominator
                a, b = limit.denominator * n * oj, limit.denominator * n * oi
                rhs = limit.numerator * oi * oj
                if isinstance(hi_i, int) and isinstance(lo_j, int):
                    if a * hi_i - b * lo_j > rhs:
                        m._false(g)
                    continue
                m.m.add(a * hi_i - b * lo_j <= rhs).only_enforce_if(g.lit)
    return True
