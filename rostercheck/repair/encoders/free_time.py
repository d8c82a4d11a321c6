"""min-free-days, min-free-evenings and min-free-weekends: free time as literals.

A free day is encoded exactly: a 24 h block can be free only if no chosen option's busy time
overlaps it; blocks that count in a window must not overlap each other. Every maximal free stretch
of the checker starts where something busy ends (or where the window starts), so blocks starting
at those instants, chained every 24 h, can realise every count the checker would make.
"""

from __future__ import annotations

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel
from rostercheck.rules.base import ceil_div, windows
from rostercheck.timeline import local_to_abs


def _busy_rows(m: RepairModel, r: int, a: int, b: int, what: str = "busy") -> tuple[bool, list[list[Lit]]]:
    """Options of r's cells whose ``what`` intervals ("busy": work, call, home call and leave days;
    "work": work only) fall somewhere in [a, b).

    Returns (dead, per-row literal lists): dead when a fixed cell (or leave, for busy time) makes
    [a, b) taken anyway.
    """
    pb, tl = m.pb, m.pb.tl
    d_lo = max(int(np.searchsorted(tl.day_start, a, side="right") - 1) - 3, 0)
    d_hi = min(int(np.searchsorted(tl.day_start, b, side="left")) + 1, tl.n_days)
    if what == "busy":
        for d in range(d_lo, d_hi):
            if tl.leave[r, d] and tl.day_start[d] < b and tl.day_start[d + 1] > a:
                return True, []
    rows: list[list[Lit]] = []
    for d in range(d_lo, d_hi):
        for s in pb.slots:
            row = m.row_of.get((r, d, s))
            if row is None:
                continue
            lits: list[Lit] = []
            for o, x in m.x[row].items():
                if any(s0 < b and e0 > a for s0, e0 in getattr(pb.fact(d, s, o), what)):
                    if isinstance(x, int):
                        if x == 1:
                            return True, []
                        continue
                    lits.append(x)
            if lits:
                rows.append(lits)
    return False, rows


def _free_lit(m: RepairModel, r: int, a: int, b: int, name: str, what: str = "busy") -> Lit:
    """A literal that can be true only if [a, b) holds none of r's ``what`` time (0 if it never can)."""
    cache = m.__dict__.setdefault("_free", {})
    key = (r, a, b, what)
    if key in cache:
        return cache[key]
    dead, rows = _busy_rows(m, r, a, b, what)
    if dead:
        lit: Lit = 0
    elif not rows:
        lit = 1
    else:
        lit = m.m.new_bool_var(name)
        for lits in rows:
            m.m.add_at_most_one([lit, *lits])
    cache[key] = lit
    return lit


def encode_days(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    pb, tl, p = m.pb, m.pb.tl, rc.params
    w = windows(tl, p["average-days"], p)
    need = ceil_div(p["min"] * w.on.astype(np.int64), p["per"])
    block = int(round(p["block-hours"] * 60))
    calendar = p["day-definition"] == "calendar"
    for r in np.flatnonzero(scope).tolist():
        if calendar:
            free = {d: _free_lit(m, r, int(tl.day_start[d]), int(tl.day_start[d + 1]), f"cal_{r}_{d}")
                    for d in range(int(w.start.min()), int(w.end.max()))}
            for wi in range(len(w.start)):
                a, b = int(w.start[wi]), int(w.end[wi])
                g = m.group(rc.id, rc.severity, r, a, b, f"at least {int(need[r, wi])} free dates in "
                            f"{tl.date_of(a)} to {tl.date_of(b - 1)}", rc.kind)
                m.linear([(1, free[d]) for d in range(a, b)], int(need[r, wi]), None, g)
            continue
        # candidate block starts: ends of anything r could be busy with, midnights, and +24 h chains
        lo, hi = int(tl.day_start[int(w.start.min())]), int(tl.day_start[int(w.end.max())])
        ends = [int(tl.day_start[d]) for d in range(tl.n_days + 1)]
        for row in m.rows_of(r):
            d, s = int(m.d[row]), str(m.slot[row])
            for o in m.x[row]:
                ends.extend(e for _, e in pb.fact(d, s, o).busy)
        base = np.unique(np.array(ends, dtype=np.int64))
        base = base[(base >= lo) & (base + block <= hi)]
        k = np.arange(0, (hi - lo) // block + 1, dtype=np.int64)
        starts = np.unique((base[:, None] + k[None, :] * block).ravel())
        starts = starts[starts + block <= hi]
        free = [_free_lit(m, r, int(t), int(t) + block, f"free_{r}_{t}") for t in starts.tolist()]
        for wi in range(len(w.start)):
            if need[r, wi] <= 0:
                continue
            a, b = int(tl.day_start[int(w.start[wi])]), int(tl.day_start[int(w.end[wi])])
            g = m.group(rc.id, rc.severity, r, int(w.start[wi]), int(w.end[wi]),
                        f"at least {int(need[r, wi])} free days in {tl.date_of(int(w.start[wi]))} to "
                        f"{tl.date_of(int(w.end[wi]) - 1)}", rc.kind, at_least=int(need[r, wi]))
            inside = np.flatnonzero((starts >= a) & (starts + block <= b))
            sel: list[tuple[int, Lit]] = []
            picked: list[tuple[int, Lit]] = []
            for i in inside.tolist():
                f = free[i]
                if isinstance(f, int) and f == 0:
                    continue
                v = m.m.new_bool_var(f"sel_{rc.id}_{r}_{wi}_{i}")
                if not isinstance(f, int):
                    m.m.add_implication(v, f)
                picked.append((int(starts[i]), v))
                sel.append((1, v))
            # chosen blocks must not overlap: at most one starting in any 24 h
            times = np.array([t for t, _ in picked], dtype=np.int64)
            for t, _ in picked:
                near = np.flatnonzero((times >= t) & (times < t + block))
                if len(near) > 1:
                    m.m.add_at_most_one([picked[q][1] for q in near.tolist()])
            m.linear(sel, int(need[r, wi]), None, g)
    return True


def encode_evenings(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    """As the checker counts: an evening is free when no work overlaps it, a leave evening too
    (its cells are fixed, so its literal is a constant), and the window keeps its length."""
    from rostercheck.rules.min_free_evenings import evenings_needed

    tl, p = m.pb.tl, rc.params
    w = windows(tl, p["average-days"] or p["per"], p)
    need = evenings_needed(w, p)
    base = tl.days.astype("datetime64[m]")
    es = local_to_abs(base + np.timedelta64(p["evening"][0], "m"), tl.tz)
    ee = local_to_abs(base + np.timedelta64(p["evening"][1], "m"), tl.tz)
    for r in np.flatnonzero(scope).tolist():
        free = {}
        for d in range(int(w.start.min()), int(w.end.max())):
            if tl.leave[r, d] and not p["exclude-leave"]:
                free[d] = 0
            else:
                free[d] = _free_lit(m, r, int(es[d]), int(ee[d]), f"eve_{r}_{d}", "work")
        for wi in range(len(w.start)):
            if need[r, wi] <= 0:
                continue
            a, b = int(w.start[wi]), int(w.end[wi])
            g = m.group(rc.id, rc.severity, r, a, b, f"at least {int(need[r, wi])} free evenings in "
                        f"{tl.date_of(a)} to {tl.date_of(b - 1)}", rc.kind)
            m.linear([(1, free[d]) for d in range(a, b)], int(need[r, wi]), None, g)
    return True


def encode_weekends(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    from rostercheck.rules.min_free_weekends import weekend_need

    tl, p = m.pb.tl, rc.params
    w = windows(tl, p["average-days"] or p["per"], p)
    need = weekend_need(tl, w, p)
    sats = [d for d in range(tl.n_days - 1) if tl.weekday[d] == 5]
    for r in np.flatnonzero(scope).tolist():
        free = {d: _free_lit(m, r, int(tl.day_start[d]), int(tl.day_start[d + 2]), f"wkd_{r}_{d}") for d in sats}
        for wi in range(len(w.start)):
            a, b = int(w.start[wi]), int(w.end[wi])
            g = m.group(rc.id, rc.severity, r, a, b, f"at least {int(need[r, wi])} free weekends in "
                        f"{tl.date_of(a)} to {tl.date_of(b - 1)}", rc.kind)
            m.linear([(1, free[d]) for d in sats if a <= d and d + 1 < b], int(need[r, wi]), None, g)
    return True
