"""Shared pieces of the encoders: per-day sums and window constraints over them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model as cp

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Group, Lit, RepairModel
from rostercheck.rules.base import Windows

Terms = list[tuple[int, Lit]]


def day_sums(m: RepairModel, r: int, value: Callable[[int, str, int], dict[int, int]]) -> dict[int, Terms]:
    """For resident r: day -> terms, where ``value(d, slot, o)`` says how much option o of the cell
    on (d, slot) puts on each day."""
    out: dict[int, Terms] = defaultdict(list)
    for row in m.rows_of(r):
        d, s = int(m.d[row]), str(m.slot[row])
        for o, x in m.x[row].items():
            for k, v in value(d, s, o).items():
                if v:
                    out[k].append((v, x))
    return out


def window_constraints(
    m: RepairModel,
    rc: RuleConfig,
    r: int,
    w: Windows,
    per_day: dict[int, Terms],
    lo: np.ndarray | None,
    hi: np.ndarray | None,
    text: Callable[[int], str],
) -> None:
    """lo[wi] <= sum over the window's days <= hi[wi], one group per window that holds an
    on-service day.

    With many windows (a year, rolling) each day's sum becomes one integer variable first, so a
    window constraint has one term per day instead of one per cell option.
    """
    many = len(w.start) > 3
    day_expr: dict[int, Terms] = {}
    if many:
        for k, terms in per_day.items():
            const = sum(c * x for c, x in terms if isinstance(x, int))
            live = [(c, x) for c, x in terms if not isinstance(x, int)]
            if not live:
                day_expr[k] = [(const, 1)] if const else []
                continue
            lo_b = const + sum(c for c, _ in live if c < 0)
            hi_b = const + sum(c for c, _ in live if c > 0)
            v = m.m.new_int_var(lo_b, hi_b, f"day_{rc.id}_{r}_{k}")
            m.m.add(v == const + cp.LinearExpr.weighted_sum([x for _, x in live], [c for c, _ in live]))
            day_expr[k] = [(1, v)]  # an IntVar with coefficient 1; handled by window_linear
    for wi in range(len(w.start)):
        if w.on[r, wi] == 0:
            continue  # a window with no on-service day (all leave) requires nothing, as in the rules
        a, b = int(w.start[wi]), int(w.end[wi])
        g: Group = m.group(rc.id, rc.severity, r, a, b, text(wi), rc.kind,
                           at_least=None if lo is None else int(lo[wi]), at_most=None if hi is None else int(hi[wi]))
        if many:
            terms = [t for k in range(a, b) for t in day_expr.get(k, [])]
            _int_linear(m, terms, None if lo is None else int(lo[wi]), None if hi is None else int(hi[wi]), g)
        else:
            terms = [t for k in range(a, b) for t in per_day.get(k, [])]
            m.linear(terms, None if lo is None else int(lo[wi]), None if hi is None else int(hi[wi]), g)


def _int_linear(m: RepairModel, terms: Terms, lo: int | None, hi: int | None, g: Group) -> None:
    const = sum(c * x for c, x in terms if isinstance(x, int))
    live = [(c, x) for c, x in terms if not isinstance(x, int)]
    if not live:
        if (lo is not None and const < lo) or (hi is not None and const > hi):
            m._false(g)
        return
    expr = cp.LinearExpr.weighted_sum([x for _, x in live], [c for c, _ in live])
    if hi is not None:
        m.m.add(expr <= hi - const).only_enforce_if(g.lit)
    if lo is not None:
        m.m.add(expr >= lo - const).only_enforce_if(g.lit)
