"""max-period-length and min-rest, as forbidden combinations of options on nearby dates.

A work period is a chain of shift segments, each starting before the chain so far has been idle
for `period-gap`. Chains are enumerated once over every option any resident could hold (they
depend on dates and the legend, not on people), then instantiated for the residents who can hold
every link. A chain longer than a cap is forbidden outright. For rest, a chain ending at E
followed by a segment starting at s, too soon after E, is forbidden unless some work lies in
(E, s) — if it does, that work is itself part of a longer chain or the true next period, and
those combinations are enumerated too. Both encodings are exact for periods up to ``MAX_SPAN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import Group, RepairModel
from rostercheck.rules.base import fmt

MAX_SPAN = 72 * 60  # minutes; no period rule needs longer chains


@dataclass(frozen=True)
class Seg:
    start: int
    end: int
    kinds: frozenset[str]
    d: int
    s: int  # slot index
    o: int


@dataclass
class Chain:
    links: tuple[Seg, ...]
    start: int
    end: int
    kinds: frozenset[str]

    @property
    def span(self) -> int:
        return self.end - self.start

    def cells(self) -> set[tuple[int, int, int]]:
        return {(x.d, x.s, x.o) for x in self.links}


#: Chains enumerated at most, over all residents: beyond this the period rules are only re-checked
#: (reported as such) rather than let model building run for minutes. Real months need a few
#: thousand; a half-day block with wide-domain placeholder rows needed tens of millions before
#: the pruning in ``Universe.chains``.
MAX_CHAINS = 300_000


class ChainBudget(Exception):
    """More chains than ``MAX_CHAINS``: the period rules cannot be encoded exactly in bounded time."""


class Universe:
    """Every segment any cell could hold, sorted by start, with an overlap index for bridges."""

    def __init__(self, m: RepairModel) -> None:
        pb = m.pb
        can = m.allowed.any(axis=0)  # [D, S, O]: someone can hold it
        segs: list[Seg] = []
        for (d, s_ix, o) in zip(*np.nonzero(can)):
            f = pb.fact(int(d), pb.slots[s_ix], int(o))
            for (a, b), k in zip(f.segments, f.seg_kinds):
                segs.append(Seg(a, b, k, int(d), int(s_ix), int(o)))
        segs.sort(key=lambda x: (x.start, x.end, x.d, x.s, x.o))
        self.segs = segs
        self.starts = np.array([x.start for x in segs], dtype=np.int64)
        self.ends = np.array([x.end for x in segs], dtype=np.int64)
        # running max of ends lets "which segments overlap (a, b)" be a bounded scan
        self.gap = pb.tl.period_gap
        # who can hold each segment, as a bit set of residents: a chain nobody can hold is no constraint
        self.who: list[int] = []
        for x in segs:
            bits = 0
            for r in np.flatnonzero(m.allowed[:, x.d, x.s, x.o]).tolist():
                bits |= 1 << r
            self.who.append(bits)
        self.tags: tuple[frozenset[str], frozenset[str]] = getattr(m, "chain_tags", (frozenset(), frozenset()))
        self.deadline: float | None = getattr(m, "deadline", None)

    def starting_in(self, lo: int, hi: int) -> range:
        """Indices of segments with lo <= start < hi."""
        return range(int(np.searchsorted(self.starts, lo, "left")), int(np.searchsorted(self.starts, hi, "left")))

    def overlapping(self, a: int, b: int) -> list[Seg]:
        """Segments with work inside (a, b)."""
        hi = int(np.searchsorted(self.starts, b, "left"))
        idx = np.flatnonzero(self.ends[:hi] > a)
        return [self.segs[i] for i in idx.tolist()]

    def _useful(self, ch: Chain, nx: Seg, pb_options: list) -> bool:
        """Is a link that ends inside the chain (adds no time to it) worth a chain of its own?

        Links join in start order, so such a link lies wholly inside the span the chain already
        covers without a hole: the period's union, span, end and night minutes stay the same, and
        any clause over the longer chain is implied by the one over the shorter. It only matters
        when it brings a kind or code some period rule looks for (``m.chain_tags``).
        """
        kinds, codes = self.tags
        if kinds and (nx.kinds - ch.kinds) & kinds:
            return True
        if codes:
            have = {c for x in ch.links for c in pb_options[x.o]}
            return any(c in codes and c not in have for c in pb_options[nx.o])
        return False

    def chains(self, stop: int, options: list | None = None, limit: int = MAX_CHAINS) -> list[Chain]:
        """Chains (sub-periods) up to ``stop`` minutes of span, links in start order.

        Only chains someone can hold (every link in one resident's domains) and whose every link
        either extends the chain's end or brings a kind or code a rule needs: the others add no
        constraint (see ``_useful``) and, on a half-day grid with wide domains, are exponentially
        many. Raises ``ChainBudget`` past ``limit`` chains, and ``BuildTimeout`` past the deadline.
        """
        import time

        from rostercheck.repair.cpmodel import BuildTimeout

        options = options or []
        out: list[Chain] = []
        who = self.who
        for i, first in enumerate(self.segs):
            if not who[i]:
                continue
            stack = [(Chain((first,), first.start, first.end, first.kinds), i, who[i])]
            while stack:
                ch, last, mask = stack.pop()
                out.append(ch)
                if len(out) & 4095 == 0:
                    if len(out) > limit:
                        raise ChainBudget(f"more than {limit:,} chains of shifts")
                    if self.deadline is not None and time.monotonic() > self.deadline:
                        raise BuildTimeout("enumerating chains of shifts")
                if ch.span > stop:
                    continue
                used = {(x.d, x.s): x.o for x in ch.links}
                for j in self.starting_in(self.segs[last].start, ch.end + self.gap):
                    if j <= last:
                        continue
                    nx = self.segs[j]
                    both = mask & who[j]
                    if not both:
                        continue  # nobody can hold both
                    if used.get((nx.d, nx.s), nx.o) != nx.o:
                        continue  # one cell cannot hold two options
                    if nx.end <= ch.end and (nx in ch.links or not self._useful(ch, nx, options)):
                        continue
                    stack.append((Chain((*ch.links, nx), ch.start, max(ch.end, nx.end), ch.kinds | nx.kinds), j,
                                  both))
        return out


def _universe(m: RepairModel) -> tuple[Universe, list[Chain] | None]:
    """The segments and chains, built once per model; chains None past ``MAX_CHAINS``."""
    cache = m.__dict__.setdefault("_chains", {})
    if "u" not in cache:
        u = Universe(m)
        cache["u"] = u
        try:
            cache["chains"] = u.chains(MAX_SPAN, m.pb.options)
        except ChainBudget as e:
            cache["chains"] = None
            m.__dict__["_chain_budget"] = str(e)
    return cache["u"], cache["chains"]


def no_chains(m: RepairModel, rc: RuleConfig) -> bool:
    """Note a rule as re-checked only when the chains were over budget; True if so."""
    why = m.__dict__.get("_chain_budget")
    if why is None:
        return False
    m.unencoded.append(f"{rc.id} ({why}: re-checked only)")
    return True


def _holders(m: RepairModel, cells: set[tuple[int, int, int]], scope: np.ndarray) -> np.ndarray:
    ok = scope.copy()
    for d, s, o in cells:
        ok &= m.allowed[:, d, s, o]
    return np.flatnonzero(ok)


def holders(m: RepairModel, ch: Chain, scope: np.ndarray, extra: set[tuple[int, int, int]] = frozenset()) -> np.ndarray:
    """Residents in scope who can hold every link of ``ch`` (and ``extra``) *and* may work a period
    that long: a hard `max-period-length` rule encoded earlier already forbids longer chains, so a
    clause about them would be redundant (and on a long rota, most of the model)."""
    caps = m.__dict__.get("_cap")
    if caps is not None and ch.start >= m.pb.tl.checked_start:  # history is fixed, not forbidden
        scope = scope & (caps >= ch.span)
    return _holders(m, ch.cells() | set(extra), scope)


def _has(kinds: frozenset[str], want: list[str]) -> bool:
    return not want or any(k in kinds for k in want)


def _holds(m: RepairModel, links: tuple[Seg, ...], kinds: list[str], codes: list[str]) -> bool:
    """Does a chain hold a shift of one of ``kinds`` or ``codes`` (both empty: always)?

    A segment carries the codes of its whole cell option, so a multi-code cell whose codes fall in
    two separate periods counts both codes in each: the encoding is then stricter than the rule,
    never weaker.
    """
    if not kinds and not codes:
        return True
    if kinds and any(k in x.kinds for x in links for k in kinds):
        return True
    return bool(codes) and any(c in m.pb.options[x.o] for x in links for c in codes)


def _group(m: RepairModel, rc: RuleConfig, r: int, d: int, text: str) -> Group:
    cache = m.__dict__.setdefault("_period_groups", {})
    key = (rc.id, r, d)
    if key not in cache:
        cache[key] = m.group(rc.id, rc.severity, r, d, d + 1, text, rc.kind)
    return cache[key]


def _day(m: RepairModel, t: int) -> int:
    return int(np.searchsorted(m.pb.tl.day_start, t, side="right") - 1)


def encode_length(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    p = rc.params
    cap = int(round((p["limit"] + p["transition-hours"]) * 60))
    if cap >= MAX_SPAN:
        m.unencoded.append(rc.id)
        return False
    _, chains = _universe(m)
    if chains is None:
        return not no_chains(m, rc)
    checked = m.pb.tl.checked_start
    if rc.severity == "error" and not p["kinds"] and not p["codes"] and not m.pb.settings.allow_remaining:
        # a hard cap on every period of these residents: longer chains can never be chosen, so the
        # rules encoded after this one need no clauses about them (see ``holders``)
        caps = m.__dict__.setdefault("_cap", np.full(m.pb.tl.n_residents, np.inf))
        caps[scope] = np.minimum(caps[scope], cap)
    for ch in chains:
        if ch.span <= cap or not _holds(m, ch.links, p["kinds"], p["codes"]) or ch.end <= checked:
            continue
        # only minimal chains: dropping the last link must leave a chain that is within the rule
        if len(ch.links) > 1:
            prefix_end = max(x.end for x in ch.links[:-1])
            if prefix_end - ch.start > cap and _holds(m, ch.links[:-1], p["kinds"], p["codes"]):
                continue
        for r in _holders(m, ch.cells(), scope).tolist():
            d = _day(m, ch.start)
            g = _group(m, rc, r, d, f"no work period over {fmt(cap / 60)} h starting {m.pb.tl.date_of(d)}")
            m.forbid([m.lit(r, x.d, m.pb.slots[x.s], x.o) for x in ch.links], g)
    return True


def encode_rest(m: RepairModel, rc: RuleConfig, scope: np.ndarray) -> bool:
    p = rc.params
    u, chains = _universe(m)
    if chains is None:
        return not no_chains(m, rc)
    checked = m.pb.tl.checked_start
    after = p["after-hours"] * 60
    for ch in chains:
        if ch.span > MAX_SPAN or ch.span < after - 1e-6 or not _holds(m, ch.links, p["after-kinds"], p["codes"]):
            continue
        need = int(np.ceil(max(p["min-hours"], p["ratio"] * ch.span / 60) * 60 - 1e-6))
        if need <= u.gap:
            continue  # shorter gaps join the next shift into the same period
        if p["side"] == "both":
            _rest_before(m, rc, scope, u, ch, need)
        cells = ch.cells()
        for j in u.starting_in(ch.end + u.gap, ch.end + need):
            nx = u.segs[j]
            if nx.start <= checked:
                continue
            if any((nx.d, nx.s) == (d, s) and nx.o != o for d, s, o in cells):
                continue
            bridges = [b for b in u.overlapping(ch.end, nx.start) if (b.d, b.s, b.o) not in cells]
            for r in holders(m, ch, scope, {(nx.d, nx.s, nx.o)}).tolist():
                d = _day(m, ch.end)
                g = _group(m, rc, r, d, f"at least {fmt(need / 60)} h free after work ending {m.pb.tl.date_of(d)}")
                lits = [m.lit(r, x.d, m.pb.slots[x.s], x.o) for x in (*ch.links, nx)]
                unless = [m.lit(r, b.d, m.pb.slots[b.s], b.o) for b in bridges]
                m.forbid(lits, g, unless=unless)
    return True


def _ending_in(u: Universe, lo: int, hi: int) -> list[Seg]:
    """Segments with lo < end <= hi (an index by end, built once)."""
    if not hasattr(u, "_by_end"):
        order = np.argsort(u.ends, kind="stable")
        u._by_end = (order, u.ends[order])  # type: ignore[attr-defined]
    order, ends = u._by_end  # type: ignore[attr-defined]
    a, b = np.searchsorted(ends, lo, "right"), np.searchsorted(ends, hi, "right")
    return [u.segs[i] for i in order[a:b].tolist()]


def _rest_before(m: RepairModel, rc: RuleConfig, scope: np.ndarray, u: Universe, ch: Chain, need: int) -> None:
    """``side = "both"``: rest owed *before* a triggering period too.

    ``ch`` begins the next period (it is a prefix of it, so the real period triggers the rule and
    needs at least as much rest); a segment ending at E, too soon before it, is forbidden with it
    unless some work lies between them (then E is not where the previous period ends, or the chain
    is not where the next one begins).
    """
    if ch.start <= m.pb.tl.checked_start:
        return
    cells = ch.cells()
    for pv in _ending_in(u, ch.start - need, ch.start - u.gap):
        if any((pv.d, pv.s) == (d, s) and pv.o != o for d, s, o in cells):
            continue
        mine = cells | {(pv.d, pv.s, pv.o)}
        bridges = [b for b in u.overlapping(pv.end, ch.start) if (b.d, b.s, b.o) not in mine]
        for r in holders(m, ch, scope, {(pv.d, pv.s, pv.o)}).tolist():
            d = _day(m, ch.start)
            g = _group(m, rc, r, d, f"at least {fmt(need / 60)} h free before work starting {m.pb.tl.date_of(d)}")
            lits = [m.lit(r, x.d, m.pb.slots[x.s], x.o) for x in (pv, *ch.links)]
            unless = [m.lit(r, b.d, m.pb.slots[b.s], b.o) for b in bridges]
            m.forbid(lits, g, unless=unless)
