"""max-count and min-count: shifts of some kinds or codes counted on their start date, per window."""

from __future__ import annotations

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel
from rostercheck.repair.encoders.base import Terms, window_constraints
from rostercheck.rules.base import ceil_div, floor_div, windows


def _matching(m: RepairModel, p: dict) -> list[set[str]]:
    """For each option: the codes in it that count."""
    legend = m.pb.tl.legend
    kinds, codes = set(p["kinds"]), set(p["codes"])
    return [{c for c in opt if legend[c].kind in kinds or c in codes} for opt in m.pb.options]


def per_day_counts(m: RepairModel, r: int, match: list[set[str]]) -> dict[int, Terms]:
    """day -> terms counting distinct matching codes held that day (as the checker counts)."""
    out: dict[int, Terms] = {}
    by_day: dict[int, list[int]] = {}
    for row in m.rows_of(r):
        by_day.setdefault(int(m.d[row]), []).append(row)
    for d, rows in by_day.items():
        if len(rows) == 1:
            row = rows[0]
            out[d] = [(len(match[o]), x) for o, x in m.x[row].items() if match[o]]
            continue
        codes = set().union(*(match[o] for row in rows for o in m.x[row]))
        terms: Terms = []
        for c in sorted(codes):
            lits: list[Lit] = [x for row in rows for o, x in m.x[row].items() if c in match[o]]
            terms.append((1, m.or_var(lits, f"has_{c}_{r}_{d}")))
        out[d] = terms
    return out


def encode_max(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    w = windows(tl, p["average-days"], p)
    if p["every"] is not None:
        limit = floor_div(w.on.astype(np.int64), p["every"])
    else:
        limit = floor_div(p["max"] * w.on.astype(np.int64), p["per"] or p["average-days"])
    match = _matching(m, p)
    for r in np.flatnonzero(scope).tolist():
        window_constraints(
            m, rc, r, w, per_day_counts(m, r, match), None, limit[r],
            lambda wi, r=r: f"at most {int(limit[r, wi])} {'/'.join(p['kinds'] + p['codes'])} shifts in "
            f"{tl.date_of(int(w.start[wi]))} to {tl.date_of(int(w.end[wi]) - 1)}",
        )
    return True


def encode_min(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    w = windows(tl, p["average-days"] or p["per"], p)
    need = ceil_div(p["min"] * w.on.astype(np.int64), p["per"])
    match = _matching(m, p)
    for r in np.flatnonzero(scope).tolist():
        window_constraints(
            m, rc, r, w, per_day_counts(m, r, match), need[r], None,
            lambda wi, r=r: f"at least {int(need[r, wi])} {'/'.join(p['kinds'] + p['codes'])} entries in "
            f"{tl.date_of(int(w.start[wi]))} to {tl.date_of(int(w.end[wi]) - 1)}",
        )
    return True
