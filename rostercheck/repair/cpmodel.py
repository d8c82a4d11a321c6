"""The CP-SAT model of a repair, built once.

One Boolean per (cell, option) the cell may take; fixed cells are Python constants, so
constraints over them simplify before they reach the solver. Every rule instance is added under
a named *group* with its own enforcement literal, kept in a table next to its description: the
normal solve fixes hard groups to true, soft groups (warnings) are penalised, and when no
compliant roster exists the same table turns an unsatisfiable core back into words.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model as cp

from rostercheck.repair.problem import Problem

Lit = cp.IntVar | int  # a Boolean variable (or its negation) or a constant 0/1


class BuildTimeout(Exception):
    """Model building passed the deadline of ``--time-limit``: the command must still return in time."""


@dataclass
class Group:
    """One rule instance (or coverage requirement) in the model, with what it means in words."""

    rule: str
    severity: str  # "error", "warning", or "coverage"
    resident: int | None
    d0: int
    d1: int
    text: str
    lit: cp.IntVar
    kind: str = ""
    extra: dict = field(default_factory=dict)


class RepairModel:
    def __init__(self, pb: Problem, deadline: float | None = None) -> None:
        self.pb = pb
        #: time.monotonic() past which building gives up (``tick``), so --time-limit bounds the build
        self.deadline = deadline
        self.m = cp.CpModel()
        cells = pb.cells
        self.r = cells["r"].to_numpy()
        self.d = cells["d"].to_numpy()
        self.slot = cells["slot"].to_numpy()
        self.orig = cells["opt"].to_numpy()
        self.fixed = cells["fixed"].to_numpy()
        self.row_of = {(int(r), int(d), str(s)): i for i, (r, d, s) in enumerate(zip(self.r, self.d, self.slot))}
        self.x: list[dict[int, Lit]] = []
        for i, dom in enumerate(pb.domains):
            if self.fixed[i] or len(dom) == 1:
                self.x.append({dom[0]: 1})
            else:
                lits = {o: self.m.new_bool_var(f"x_r{self.r[i]}_d{self.d[i]}_{self.slot[i]}_o{o}") for o in dom}
                self.m.add_exactly_one(lits.values())
                self.x.append(lits)
        self.groups: list[Group] = []
        self.unencoded: list[str] = []
        self.trivially_false: list[Group] = []
        n_r, n_d, n_s, n_o = pb.tl.n_residents, pb.tl.n_days, len(pb.slots), len(pb.options)
        self.slot_ix = {s: i for i, s in enumerate(pb.slots)}
        #: allowed[r, d, s, o]: can cell (r, d, s) take option o (fixed cells: only their own)
        self.allowed = np.zeros((n_r, n_d, n_s, n_o), dtype=bool)
        for i, dom in enumerate(pb.domains):
            self.allowed[self.r[i], self.d[i], self.slot_ix[self.slot[i]], dom] = True

    def tick(self, what: str) -> None:
        """Give up building (``BuildTimeout``) once the deadline has passed; cheap, call it often."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise BuildTimeout(what)

    # ------------------------------------------------------------------ literals
    def lit(self, r: int, d: int, slot: str, o: int) -> Lit:
        row = self.row_of.get((r, d, slot))
        if row is None:
            return 0
        return self.x[row].get(o, 0)

    def rows_of(self, r: int) -> list[int]:
        return [i for i in np.flatnonzero(self.r == r).tolist()]

    # ------------------------------------------------------------------ groups
    def group(self, rule: str, severity: str, resident: int | None, d0: int, d1: int, text: str,
              kind: str = "", **extra: object) -> Group:
        g = Group(rule, severity, resident, d0, d1, text,
                  self.m.new_bool_var(f"g{len(self.groups)}_{rule}"), kind, dict(extra))
        self.groups.append(g)
        return g

    # ------------------------------------------------------------------ constraints
    def forbid(self, lits: Iterable[Lit], g: Group, unless: Iterable[Lit] = ()) -> None:
        """Not all of ``lits`` together, unless one of ``unless`` holds (under group g)."""
        clause: list[cp.IntVar] = []
        for x in lits:
            if isinstance(x, int):
                if x == 0:
                    return  # a member can never be chosen: nothing to forbid
                continue
            clause.append(~x)
        for u in unless:
            if isinstance(u, int):
                if u == 1:
                    return
                continue
            clause.append(u)
        if not clause:
            self._false(g)
            return
        self.m.add_bool_or(clause).only_enforce_if(g.lit)

    def linear(self, terms: Iterable[tuple[int, Lit]], lo: int | None, hi: int | None, g: Group) -> None:
        """lo <= sum(coef * lit) <= hi under group g; constants folded, impossible bounds noted."""
        const = 0
        coefs: list[int] = []
        lits: list[cp.IntVar] = []
        for c, x in terms:
            if c == 0:
                continue
            if isinstance(x, int):
                const += c * x
            else:
                coefs.append(c)
                lits.append(x)
        if not lits:
            if (lo is not None and const < lo) or (hi is not None and const > hi):
                self._false(g)
            return
        expr = cp.LinearExpr.weighted_sum(lits, coefs)
        pos = sum(c for c in coefs if c > 0)
        neg = sum(c for c in coefs if c < 0)
        if (hi is not None and const + neg > hi) or (lo is not None and const + pos < lo):
            self._false(g)
            return
        if hi is not None and const + pos > hi:
            self.m.add(expr <= hi - const).only_enforce_if(g.lit)
        if lo is not None and const + neg < lo:
            self.m.add(expr >= lo - const).only_enforce_if(g.lit)

    def _false(self, g: Group) -> None:
        """The group cannot hold whatever the solver does (fixed cells already break it)."""
        self.m.add_bool_or([]).only_enforce_if(g.lit)  # i.e. not g.lit
        self.trivially_false.append(g)

    def or_var(self, lits: list[Lit], name: str) -> Lit:
        """A literal equal to OR(lits), folding constants."""
        live = [x for x in lits if not isinstance(x, int)]
        if any(isinstance(x, int) and x == 1 for x in lits):
            return 1
        if not live:
            return 0
        if len(live) == 1:
            return live[0]
        y = self.m.new_bool_var(name)
        self.m.add_max_equality(y, live)
        return y
