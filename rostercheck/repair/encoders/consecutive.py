"""max-consecutive: runs of dates holding a counted shift, and the rest owed after a run.

``X[d]`` is a literal equal to "date d holds a counted shift", exactly as the checker decides it:

- `by-kind`: the OR of the options of d's cells that hold a counted code;
- `long`/`night`: the OR, over chains of segments (``periods.Universe``) that are long or night,
  of "the chain is chosen and starts a work period on d" (no work within `period-gap` before it).
  Minimal such chains suffice: a classified period's shortest classified prefix is one of them,
  and a longer period only adds span and night hours, so any chosen one makes a classified period.

No run longer than `max`: sliding sums of ``max + 1`` days. Rest after a run of at least
`rest-after-run` ending on date b: a literal forced true when ``X[b-k+1..b]`` hold and ``X[b+1]``
does not (the run is maximal, as the checker reads it), and one forced true when the resident
works anywhere in an interval. Then, for `by-kind`, with the run's last counted shift ending at E,
the run end and work in (E, E + rest) are forbidden together; for `long`/`night`, so are a chosen
classified chain that is the whole period (nothing within `period-gap` before or after it), the
run end, and work before its end + rest. Both are exact with two exceptions that only make the
model stricter: two classified periods starting on one date (the rest is then owed after each),
and two cells whose shifts overlap in time (their night hours are summed). One exception is
weaker: the rest after a classified period longer than ``MAX_SPAN`` (72 h of shifts joined end to
end) is beyond the chains; when the roster's options could make one, the rule is reported as
re-checked only for those periods, unless a hard `max-period-length` rule encoded before this one
caps every period of the residents concerned (as in every preset). Chains longer than such a cap
are left out everywhere: they can never be chosen.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Lit, RepairModel
from rostercheck.repair.encoders.counts import _matching
from rostercheck.repair.encoders.filtered import facts_of
from rostercheck.repair.encoders.periods import (
    MAX_SPAN,
    Chain,
    Seg,
    Universe,
    _group,
    _holders,
    _universe,
    holders,
    no_chains,
)
from rostercheck.rules.base import fmt
from rostercheck.rules.period_facts import clock_range, minutes_inside


def encode(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    tl, p = m.pb.tl, rc.params
    n = p["max"] + 1
    if p["shifts"] != "by-kind" and _universe(m)[1] is None:
        return not no_chains(m, rc)
    indicators = _by_kind if p["shifts"] == "by-kind" else _by_class
    X = indicators(m, rc, scope)
    for r in np.flatnonzero(scope).tolist():
        for a in range(0, tl.n_days - n + 1):
            if a + n - 1 < tl.first:
                continue
            g = m.group(rc.id, rc.severity, r, a, a + n, f"at most {p['max']} in a row from {tl.date_of(a)}",
                        rc.kind)
            m.linear([(1, X[r][d]) for d in range(a, a + n)], None, p["max"], g)
    if p["rest-after-hours"] is not None:
        if p["shifts"] == "by-kind":
            _rest_by_kind(m, rc, scope, X)
        else:
            _rest_by_class(m, rc, scope, X)
    return True


# ------------------------------------------------------------------------------------ indicators
def _by_kind(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> dict[int, dict[int, Lit]]:
    match = _matching(m, rc.params)
    out: dict[int, dict[int, Lit]] = {}
    for r in np.flatnonzero(scope).tolist():
        X: dict[int, Lit] = {}
        for d in range(m.pb.tl.n_days):
            lits: list[Lit] = []
            for s in m.pb.slots:
                row = m.row_of.get((r, d, s))
                if row is not None:
                    lits += [x for o, x in m.x[row].items() if match[o]]
            X[d] = m.or_var(lits, f"run_{rc.id}_{r}_{d}")
        out[r] = X
    return out


def _night_of(m: RepairModel, rng: tuple[int, int]) -> dict[tuple[int, int, int, int, int], int]:
    """Minutes of work inside the night window for every segment of every option (by its key)."""
    cache = m.__dict__.setdefault("_night_minutes", {})
    if rng in cache:
        return cache[rng]
    pb = m.pb
    keys: list[tuple[int, int, int, int, int]] = []
    st: list[int] = []
    en: list[int] = []
    for (d, s, o), f in pb.facts.items():
        for a, b in f.segments:
            for wa, wb in f.work:
                if wa < b and wb > a:
                    keys.append((d, pb.slots.index(s), o, a, b))
                    st.append(max(wa, a))
                    en.append(min(wb, b))
    mins = minutes_inside(pb.tl, np.array(st, dtype=np.int64), np.array(en, dtype=np.int64), rng)
    out: dict[tuple[int, int, int, int, int], int] = {}
    for k, v in zip(keys, mins.tolist()):
        out[k] = out.get(k, 0) + v
    cache[rng] = out
    return out


def _classifier(m: RepairModel, p: dict) -> Callable[[tuple[Seg, ...]], bool]:
    """A test of a tuple of links: is the period they make long (or a night)?"""
    if p["shifts"] == "long":
        cap = p["long-hours"] * 60

        def is_long(links: tuple[Seg, ...]) -> bool:
            return max(x.end for x in links) - links[0].start > cap + 1e-6

        return is_long
    night = _night_of(m, clock_range(p["night-window"]))
    need = round(p["night-hours"] * 60)

    def is_night(links: tuple[Seg, ...]) -> bool:
        return sum(night.get((x.d, x.s, x.o, x.start, x.end), 0) for x in links) >= need

    return is_night


def _period_start(u: Universe, ch: Chain) -> list[Seg]:
    """Segments that would put work within `period-gap` before the chain (so it starts no period)."""
    mine = ch.cells()
    return [b for b in u.overlapping(ch.start - u.gap, ch.start) if (b.d, b.s, b.o) not in mine]


def _by_class(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> dict[int, dict[int, Lit]]:
    tl, p = m.pb.tl, rc.params
    u, chains = _universe(m)
    is_cls = _classifier(m, p)
    ys: dict[int, dict[int, list[Lit]]] = {r: {} for r in np.flatnonzero(scope).tolist()}
    for ch in chains:
        if not is_cls(ch.links) or (len(ch.links) > 1 and is_cls(ch.links[:-1])):
            continue  # only minimal classified chains
        d = int(np.searchsorted(tl.day_start, ch.start, side="right") - 1)
        if not 0 <= d < tl.n_days:
            continue
        prior = _period_start(u, ch)
        for r in holders(m, ch, scope).tolist():
            links = [m.lit(r, x.d, m.pb.slots[x.s], x.o) for x in ch.links]
            before = [m.lit(r, b.d, m.pb.slots[b.s], b.o) for b in prior]
            y = _and_not(m, links, before, f"cls_{rc.id}_{r}_{ch.start}")
            if not (isinstance(y, int) and y == 0):
                ys[r].setdefault(d, []).append(y)
    return {r: {d: m.or_var(by_day.get(d, []), f"run_{rc.id}_{r}_{d}") for d in range(tl.n_days)}
            for r, by_day in ys.items()}


def _and_not(m: RepairModel, pos: list[Lit], neg: list[Lit], name: str) -> Lit:
    """A literal equal to AND(pos) and not OR(neg), folding constants."""
    if any(isinstance(x, int) and x == 0 for x in pos) or any(isinstance(x, int) and x == 1 for x in neg):
        return 0
    pos_v = [x for x in pos if not isinstance(x, int)]
    neg_v = [x for x in neg if not isinstance(x, int)]
    if not pos_v and not neg_v:
        return 1
    if len(pos_v) == 1 and not neg_v:
        return pos_v[0]
    y = m.m.new_bool_var(name)
    for x in pos_v:
        m.m.add_implication(y, x)
    for x in neg_v:
        m.m.add_implication(y, ~x)
    m.m.add_bool_or([y, *(~x for x in pos_v), *neg_v])
    return y


# ------------------------------------------------------------------------------------ rest after
def _run_end(m: RepairModel, rc: RuleConfig, r: int, X: dict[int, Lit], b: int, k: int) -> Lit:
    """A literal forced true when date b ends a run of at least k (``X[b-k+1..b]`` and not
    ``X[b+1]``), cached per resident and date.

    It only appears negated in the rest clauses, so the solver never sets it without need: one
    direction of the equivalence keeps the encoding exact, in one clause instead of k + 1 literals
    repeated in every rest clause.
    """
    cache = m.__dict__.setdefault("_run_end", {})
    key = (rc.id, r, b)
    if key not in cache:
        if b - k + 1 < 0:
            cache[key] = 0  # the axis starts later: no run that long can end here
        else:
            run = [X[d] for d in range(b - k + 1, b + 1)]
            nxt = X.get(b + 1, 0)
            if any(isinstance(x, int) and x == 0 for x in run) or (isinstance(nxt, int) and nxt == 1):
                cache[key] = 0
            else:
                live = [x for x in run if not isinstance(x, int)]
                if not live and isinstance(nxt, int):
                    cache[key] = 1
                else:
                    z = m.m.new_bool_var(f"runend_{rc.id}_{r}_{b}")
                    m.m.add_bool_or([z, *(~x for x in live), *([] if isinstance(nxt, int) else [nxt])])
                    cache[key] = z
    return cache[key]


def _rest_by_kind(m: RepairModel, rc: RuleConfig, scope: np.ndarray, X: dict[int, dict[int, Lit]]) -> None:
    pb, tl, p = m.pb, m.pb.tl, rc.params
    need = int(np.ceil(p["rest-after-hours"] * 60 - 1e-6))
    k = p["rest-after-run"]
    checked = tl.checked_start
    match = _matching(m, p)
    counted = facts_of(m, p["kinds"], p["codes"])
    for r in np.flatnonzero(scope).tolist():
        for b in range(tl.n_days):
            run = _run_end(m, rc, r, X[r], b, k)
            if isinstance(run, int) and run == 0:
                continue
            ends: list[tuple[int, Lit]] = []  # (end of the option's counted shifts, its literal)
            for s in pb.slots:
                row = m.row_of.get((r, b, s))
                if row is None:
                    continue
                for o, x in m.x[row].items():
                    if match[o]:
                        busy = counted[(b, s, o)].busy
                        ends.append((max((e for _, e in busy), default=int(tl.day_start[b])), x))
            for i, (E, x) in enumerate(ends):
                if E + need <= checked:
                    continue
                later = [y for i2, (E2, y) in enumerate(ends) if E2 > E and i2 != i]
                history = _work_lits(m, r, E, checked + 1) if checked > E else []
                g = _group(m, rc, r, b, f"at least {fmt(need / 60)} h free after the run ending {tl.date_of(b)}")
                m.forbid([x, _work_in(m, r, E, E + need), run], g, unless=[*later, *history])


def _work_lits(m: RepairModel, r: int, a: int, b: int) -> list[Lit]:
    """Literals of r's options with work inside (a, b)."""
    pb, tl = m.pb, m.pb.tl
    d_lo = max(int(np.searchsorted(tl.day_start, a, side="right") - 1) - 3, 0)
    d_hi = min(int(np.searchsorted(tl.day_start, b, side="left")) + 1, tl.n_days)
    out: list[Lit] = []
    for d in range(d_lo, d_hi):
        for s in pb.slots:
            row = m.row_of.get((r, d, s))
            if row is None:
                continue
            for o, x in m.x[row].items():
                if any(s0 < b and e0 > a for s0, e0 in pb.fact(d, s, o).work):
                    out.append(x)
    return out


def _work_in(m: RepairModel, r: int, a: int, b: int) -> Lit:
    """A literal forced true when r works somewhere in (a, b), shared by every clause that asks.

    Like the run-end literal it only appears negated, so one direction is exact.
    """
    cache = m.__dict__.setdefault("_work_in", {})
    key = (r, a, b)
    if key not in cache:
        lits = _work_lits(m, r, a, b)
        live = [x for x in lits if not isinstance(x, int)]
        if any(isinstance(x, int) and x == 1 for x in lits):
            cache[key] = 1
        elif len(live) <= 1:
            cache[key] = live[0] if live else 0
        else:
            w = m.m.new_bool_var(f"work_{r}_{a}_{b}")
            for x in live:
                m.m.add_implication(x, w)
            cache[key] = w
    return cache[key]


def _rest_by_class(m: RepairModel, rc: RuleConfig, scope: np.ndarray, X: dict[int, dict[int, Lit]]) -> None:
    tl, p = m.pb.tl, rc.params
    u, chains = _universe(m)
    is_cls = _classifier(m, p)
    need = int(np.ceil(p["rest-after-hours"] * 60 - 1e-6))
    if need <= u.gap:
        return  # a shorter gap would join the next work into the same period
    k = p["rest-after-run"]
    checked = tl.checked_start
    # could a resident in scope work a classified period longer than MAX_SPAN? Not if a hard
    # shift-length rule (encoded before this one) caps every period of theirs
    open_ended = scope & ~(m.__dict__.get("_cap", np.full(len(scope), np.inf)) < MAX_SPAN)
    longer = False
    for ch in chains:
        if ch.span > MAX_SPAN:
            longer = longer or (ch.end > checked and is_cls(ch.links) and len(_holders(m, ch.cells(), open_ended)) > 0)
            continue
        if not is_cls(ch.links):
            continue
        b = int(np.searchsorted(tl.day_start, ch.start, side="right") - 1)
        if not 0 <= b < tl.n_days:
            continue
        if ch.end + need <= checked:
            continue
        # the chain is the whole period when nothing lies within `period-gap` before or after it;
        # then any work before end + rest is too soon (unless it starts in the history, unjudged)
        cells = ch.cells()
        unless = [*_period_start(u, ch), *(x for x in u.overlapping(ch.end, ch.end + u.gap)
                                           if (x.d, x.s, x.o) not in cells)]
        for r in holders(m, ch, scope).tolist():
            run = _run_end(m, rc, r, X[r], b, k)
            if isinstance(run, int) and run == 0:
                continue
            g = _group(m, rc, r, b, f"at least {fmt(need / 60)} h free after the run ending {tl.date_of(b)}")
            lits = [m.lit(r, x.d, m.pb.slots[x.s], x.o) for x in ch.links]
            free = [m.lit(r, x.d, m.pb.slots[x.s], x.o) for x in unless]
            history = _work_lits(m, r, ch.end, checked + 1) if checked > ch.end else []
            m.forbid([*lits, run, _work_in(m, r, ch.end, ch.end + need)], g, unless=[*free, *history])
    if longer:
        # the end of such a period is beyond the chains; other rules (a shift-length limit) usually
        # forbid it, but alone this rule is then only re-checked there
        m.unencoded.append(f"{rc.id} (rest after work periods over {MAX_SPAN // 60} h)")
