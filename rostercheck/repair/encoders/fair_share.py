"""fair-share: within each group, prorated counts differ by at most ``max-spread``.

Each resident's count over the checked days becomes one integer variable (the checker's count:
distinct matching codes per start date). Prorating divides by on-service days, which leave fixes
(leave cells never change), so "count_i * n / on_i - count_j * n / on_j <= max-spread" is, after
multiplying out, a linear constraint with integer coefficients for every ordered pair: the exact
comparison the checker makes with fractions.
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
        count: dict[int, cp.LinearExpr | int] = {}
        for r in members.tolist():
            terms = [t for d, ts in per_day_counts(m, r, match).items() if d >= tl.first for t in ts]
            const = sum(c * x for c, x in terms if isinstance(x, int))
            live = [(c, x) for c, x in terms if not isinstance(x, int)]
            if not live:
                count[r] = const
                continue
            v = m.m.new_int_var(const, const + sum(c for c, _ in live), f"fair_{rc.id}_{r}")
            m.m.add(v == const + cp.LinearExpr.weighted_sum([x for _, x in live], [c for c, _ in live]))
            count[r] = v
        label = group_label(tl.residents[int(members[0])], p["group-by"])
        g = m.group(rc.id, rc.severity, None, tl.first, tl.n_days,
                    f"{what} shifts in {label} within {float(limit):g} of each other (prorated)", rc.kind)
        rs = members.tolist()
        for i in rs:
            for j in rs:
                if i == j:
                    continue
                # count_i * n * on_j - count_j * n * on_i <= limit * on_i * on_j, scaled to integers
                a, b = limit.denominator * n * int(on[j]), limit.denominator * n * int(on[i])
                rhs = limit.numerator * int(on[i]) * int(on[j])
                ci, cj = count[i], count[j]
                if isinstance(ci, int) and isinstance(cj, int):
                    if a * ci - b * cj > rhs:
                        m._false(g)
                    continue
                m.m.add(a * ci - b * cj <= rhs).only_enforce_if(g.lit)
    return True
