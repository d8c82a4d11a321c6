"""Solving a repair: one model, lexicographic objectives by successive solves, honest status.

Stage 1 minimises changed cells (with ``--allow-remaining``, unmet rule instances first). If it is
proven, stage 2 keeps that count and picks the *canonical* answer among those with it: the one
minimising fixed pseudo-random weights of the changed cells (``_canonical_order``). Proven too, the
answer is the same on every run and whatever ``--workers``; the report says whether it was. Earlier
versions broke ties by warnings left, residents touched and hours moved, but those stages were
rarely proven within the limit, so their answers changed from run to run. The original roster is
the first hint, so an already compliant roster comes back unchanged at once.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model as cp

from rostercheck.check import scope as rule_scope
from rostercheck.config import Config
from rostercheck.legend import BUSY_KINDS
from rostercheck.model import cell_name
from rostercheck.repair.cpmodel import BuildTimeout, Group, RepairModel
from rostercheck.repair.encoders import ENCODERS
from rostercheck.repair.problem import Problem


@dataclass
class Change:
    resident: str
    date: str
    slot: str
    old: str
    new: str
    sheet: str | None
    cell: str | None
    row: int
    #: duty lists: the duty (column header) whose cell changed; ``resident`` is then its new holder(s)
    duty: str | None = None
    #: the findings of the roster before the repair this change fixes (``repair.links``)
    fixes: list[dict] = field(default_factory=list)
    #: "fixes" (its resident's findings), "coverage" (a swap partner keeping a date's staffing), or ""
    role: str = ""

    def as_dict(self) -> dict:
        out = {"resident": self.resident, "date": self.date, "slot": self.slot, "old": self.old,
               "new": self.new, "sheet": self.sheet, "cell": self.cell, "role": self.role, "fixes": self.fixes}
        if self.duty is not None:
            out["duty"] = self.duty
        return out


@dataclass
class Outcome:
    """What the solver found, before the checker re-verifies it."""

    status: str  # "optimal", "feasible", "infeasible", "unknown"
    changes: list[Change] = field(default_factory=list)
    choice: dict[int, int] = field(default_factory=dict)  # cell row -> option
    objective: int | None = None
    bound: int | None = None
    warnings_left: int | None = None
    touched: int | None = None
    stages: list[dict] = field(default_factory=list)
    unencoded: list[str] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    remaining_groups: list[Group] = field(default_factory=list)
    wall: float = 0.0
    model_stats: dict = field(default_factory=dict)
    #: the answer is the canonical one among the optimal answers (the same whatever --workers)
    canonical: bool = False
    #: --allow-remaining was on: an answer may leave rules unmet (the report says how many)
    allow_remaining: bool = False


#: Rule kinds encoded lazily: only for residents whose candidate rosters break them. Their exact
#: encodings are large (free-day blocks per window), and most residents never come near the limit.
LAZY_KINDS = frozenset({"min-free-days"})


#: Rule kinds whose encodings walk chains of shifts, and the parameters naming what a chain must hold.
_CHAIN_TAGS = {"max-period-length": ("kinds", "codes"), "min-rest": ("after-kinds", "codes")}


def build_model(pb: Problem, cfg: Config, lazy_start: dict[str, set[int]] | None = None, *,
                deadline: float | None = None, progress: Callable[[str], None] | None = None) -> RepairModel:
    """The model with every enabled rule encoded; lazy kinds only for ``lazy_start`` residents.

    Raises ``BuildTimeout`` once ``deadline`` (time.monotonic()) has passed."""
    m = RepairModel(pb, deadline)
    m.lazy = {}  # rule id -> (rule config, residents in scope, residents encoded so far)
    kinds: set[str] = set()
    codes: set[str] = set()
    for rc in cfg.enabled_rules:
        k_key, c_key = _CHAIN_TAGS.get(rc.kind, ("", ""))
        kinds.update(rc.params.get(k_key) or [])
        codes.update(rc.params.get(c_key) or [])
    m.chain_tags = (frozenset(kinds), frozenset(codes))
    coverage_rules = False
    t0 = time.monotonic()
    for rc in cfg.enabled_rules:
        m.tick(f"encoding {rc.id}")
        if progress:
            progress(f"building the model: {rc.id} ({time.monotonic() - t0:.1f} s)")
        if rc.kind == "coverage":
            coverage_rules = True
        enc = ENCODERS.get(rc.kind)
        if enc is None:
            m.unencoded.append(rc.id)
            continue
        sc = rule_scope(pb.tl, rc.applies_to)
        if rc.kind in LAZY_KINDS and lazy_start is not None:
            first = {r for r in (lazy_start.get(rc.id) or set()) if sc[r]}
            m.lazy[rc.id] = (rc, sc, set())
            encode_lazy(m, rc.id, first)
            continue
        enc(m, rc, sc)
    if not coverage_rules or pb.raw.layout == "duty-list":  # a duty list's cells stay held as they were
        _keep_coverage(m)
    return m


def encode_lazy(m: RepairModel, rule_id: str, residents: set[int]) -> int:
    """Add a lazy rule's constraints for more residents; returns how many were new."""
    rc, sc, done = m.lazy[rule_id]
    new = {r for r in residents if sc[r] and r not in done}
    if new:
        mask = np.zeros(len(sc), dtype=bool)
        mask[list(new)] = True
        ENCODERS[rc.kind](m, rc, mask)
        done |= new
    return len(new)


def lazy_violations(pb: Problem, cfg: Config, m: RepairModel, choice: dict[int, int]) -> dict[str, set[int]]:
    """Ask the checker which residents break a lazy rule in this candidate roster."""
    from rostercheck.check import check_raw
    from rostercheck.repair.problem import apply_changes

    if not m.lazy:
        return {}
    changes = _changes(m, choice)
    result = check_raw(apply_changes(pb.raw, changes, pb.cells), cfg, pb.previous)
    index = {r.name: i for i, r in enumerate(pb.tl.residents)}
    out: dict[str, set[int]] = {}
    for f in result.findings:
        if f.rule in m.lazy and f.resident in index:
            out.setdefault(f.rule, set()).add(index[f.resident])
    return out


def _keep_coverage(m: RepairModel) -> None:
    """Without coverage rules, every date keeps its count of residents on each working code."""
    pb, tl = m.pb, m.pb.tl
    legend = tl.legend
    working = {c for c, sh in legend.items() if sh.kind in BUSY_KINDS}
    live = np.flatnonzero(m.d >= tl.first)
    by: dict[tuple[int, str], list[int]] = {}
    for i in live.tolist():
        by.setdefault((int(m.d[i]), str(m.slot[i])), []).append(i)
    for (d, s), rows in sorted(by.items()):
        codes = {c for i in rows for o in m.x[i] for c in pb.options[o] if c in working}
        for c in sorted(codes):
            orig = sum(c in pb.options[int(m.orig[i])] for i in rows)
            g = m.group("coverage", "coverage", None, d, d + 1,
                        f"{c} on {tl.date_of(d)}{' ' + s if s else ''} keeps its {orig} resident(s)",
                        "coverage", codes=[c], need=orig, slot=s)
            terms = [(1, x) for i in rows for o, x in m.x[i].items() if c in pb.options[o]]
            m.linear(terms, orig, orig, g)


class _Progress(cp.CpSolverSolutionCallback):
    """A live line on a terminal: elapsed time, best change count, proven bound."""

    def __init__(self, show: Callable[[str], None] | None, label: str) -> None:
        super().__init__()
        self.show, self.label, self.t0 = show, label, time.monotonic()

    def on_solution_callback(self) -> None:
        if self.show:
            self.show(f"{self.label}: {time.monotonic() - self.t0:5.1f} s, best {int(self.ObjectiveValue())}, "
                      f"bound {int(self.BestObjectiveBound())}")


def _solver(pb: Problem, seconds: float, *, workers: int | None = None) -> cp.CpSolver:
    """A solver bounded by wall time (the --time-limit promise). Sameness of answers does not come
    from the search (a wall-clock limit and the thread count both change its path) but from the
    canonical stage (``_canonical_order``); ``--seed`` only seeds the search."""
    s = cp.CpSolver()
    st = pb.settings
    s.parameters.max_time_in_seconds = max(seconds, 0.05)
    s.parameters.num_workers = workers if workers is not None else (st.workers or os.cpu_count() or 1)
    s.parameters.random_seed = st.seed if st.seed is not None else 0
    return s


#: The last stage: among answers equal on every earlier stage, the canonical one.
CANONICAL = "canonical order"


def _canonical_order(m: RepairModel) -> object:
    """A weighted sum of the non-original (cell, option) choices with fixed pseudo-random weights.

    With the change count fixed at its proven minimum, the answer minimising this is a function of
    the roster and options alone: the weights depend only on the cells' order in the roster (a
    fixed seed), and are spread widely enough (up to 2**24) that two answers summing to the same
    weight are vanishingly unlikely. Proven optimal, it is the same answer whatever ``--workers``
    or the search's luck, so ``report --repair`` shows what ``repair`` writes.
    """
    weights = np.random.default_rng(20260701).integers(1, 2**24, size=(len(m.x), len(m.pb.options)))
    lits, coefs = [], []
    for i, dom in enumerate(m.x):
        if len(dom) < 2:
            continue
        for o, x in dom.items():
            if o != int(m.orig[i]):
                lits.append(x)
                coefs.append(int(weights[i, o]))
    return cp.LinearExpr.weighted_sum(lits, coefs) if lits else 0


#: From this many residents, stage 1 starts from a neighbourhood answer (``_warm_start``).
WARM_START_RESIDENTS = 120


def _warm_start(m: RepairModel, pb: Problem, before: object, seconds: float) -> dict[int, int] | None:
    """A first answer from a small neighbourhood: only the residents who break a rule and the few
    colleagues each could best swap with (``decompose._neighbourhoods``) may change; everyone
    else keeps their cells. On a large month the full model's first answers are far from the
    optimum within the limit (300 residents: 75 changes against a bound of 20), while the
    neighbourhood's optimum, found in seconds, is usually within a few cells of it. Only a hint:
    the full model still decides, and proves what it can."""
    from rostercheck.repair.decompose import _neighbourhoods

    errors = [f for f in before.findings if f.severity == "error"]  # type: ignore[attr-defined]
    if not errors or any(f.resident is None for f in errors):
        return None
    rows = np.arange(len(pb.raw.entries))
    try:
        groups = _neighbourhoods(pb.raw, rows, errors, None, 4, pb.raw)
    except (KeyError, IndexError, ValueError):  # shapes the ranking does not know (duty lists): no warm start
        return None
    free = {n for g in groups for n in g}
    index = {r.name: i for i, r in enumerate(pb.tl.residents)}
    keep = {index[n] for n in free if n in index}
    c = m.m.clone()
    c.clear_objective()
    for i, lits in enumerate(m.x):
        if len(lits) > 1 and int(m.r[i]) not in keep:
            o = int(m.orig[i])
            for opt, x in lits.items():
                var = c.proto.variables[x.index]
                var.domain.clear()
                var.domain.extend([int(opt == o)] * 2)
    changed = [1 - x for i, lits in enumerate(m.x) if len(lits) > 1 and int(m.r[i]) in keep
               for o, x in lits.items() if o == int(m.orig[i])]
    if changed:
        c.minimize(sum(changed))
    solver = _solver(pb, seconds)
    if solver.solve(c) not in (cp.OPTIMAL, cp.FEASIBLE):
        return None
    # a complete hint (every variable, the model's own auxiliaries included): CP-SAT then starts
    # from this answer; with the cells alone it must complete the rest and often gives up
    values = solver.response_proto.solution
    m.m.clear_hints()
    for i in range(len(m.m.proto.variables)):
        m.m.add_hint(m.m.get_int_var_from_proto_index(i), int(values[i]))
    return _choice(m, solver)


def _force(mm: cp.CpModel, groups: list[Group]) -> None:
    """Make groups hard by fixing their literal's domain, so a clone can lift it again."""
    for g in groups:
        var = mm.proto.variables[g.lit.index]
        var.domain.clear()
        var.domain.extend([1, 1])


def _hint(m: RepairModel, choice: dict[int, int] | None) -> None:
    m.m.clear_hints()
    for i, lits in enumerate(m.x):
        if len(lits) > 1:
            want = int(m.orig[i]) if choice is None else choice[i]
            for o, x in lits.items():
                m.m.add_hint(x, int(o == want))


def solve(
    pb: Problem,
    cfg: Config,
    *,
    progress: Callable[[str], None] | None = None,
    before: object | None = None,
) -> Outcome:
    """Solve the staged objectives, then pick the canonical answer among the optimal ones.

    Everything runs before ``deadline``: the command's start (``Settings.started``, set by the CLI
    before reading) plus ``--time-limit``, less ``Settings.reserve`` (the time the checker needs to
    verify the answer afterwards). Model building checks the same deadline.
    """
    t0 = time.monotonic()
    st = pb.settings
    start = st.started if st.started is not None else t0
    budget = st.time_limit
    deadline = start + budget - st.reserve
    lazy_start: dict[str, set[int]] | None = None
    if not st.allow_remaining and before is not None:
        index = {r.name: i for i, r in enumerate(pb.tl.residents)}
        lazy_start = {}
        for f in before.findings:  # type: ignore[attr-defined]
            if f.resident in index:
                lazy_start.setdefault(f.rule, set()).add(index[f.resident])
        lazy_ids = {rc.id for rc in cfg.enabled_rules if rc.kind in LAZY_KINDS and rc.severity == "error"}
        lazy_start = {k: v for k, v in lazy_start.items() if k in lazy_ids} | {
            k: set() for k in lazy_ids if k not in lazy_start
        }
    try:
        m = build_model(pb, cfg, lazy_start, deadline=deadline, progress=progress)
    except BuildTimeout as e:
        out = Outcome("unknown")
        out.wall = time.monotonic() - start  # the command's time so far: what the limit counted
        out.explanation = [f"The repair model was still being built ({e}) when the time limit of {budget:.1f} s "
                           "ran out: raise --time-limit, or repair fewer residents (--only-residents)."]
        out.model_stats = {"build_seconds": round(out.wall, 3), "build_finished": False}
        return out
    build_s = time.monotonic() - t0
    out = Outcome("unknown", unencoded=list(m.unencoded), allow_remaining=st.allow_remaining)
    mm = m.m

    def is_hard(g: Group) -> bool:
        return g.severity in ("error", "coverage") or (st.fix_warnings and g.severity == "warning")

    hard = [g for g in m.groups if is_hard(g)]

    changed = []
    for i, lits in enumerate(m.x):
        if len(lits) > 1:
            changed.append((i, 1 - lits[int(m.orig[i])] if int(m.orig[i]) in lits else 1))
    changed_expr = sum(c for _, c in changed) if changed else 0
    if st.max_changes is not None and changed:
        # a group like a rule's, so an explanation can name it; forced like coverage, never relaxed
        g = m.group("--max-changes", "coverage", None, 0, pb.tl.n_days,
                    f"at most {st.max_changes} changed cells", "max-changes")
        mm.add(changed_expr <= st.max_changes).only_enforce_if(g.lit)
        hard.append(g)
    if st.allow_remaining:
        # rules may go unmet (fewest first); coverage and locks may not
        _force(mm, [g for g in hard if g.severity == "coverage"])
        relaxable = [g for g in hard if g.severity != "coverage"]
        remaining = sum(1 - g.lit for g in relaxable) if relaxable else 0
    else:
        _force(mm, hard)
        remaining = 0
    _hint(m, None)  # the original roster: already compliant means zero changes at once

    def left() -> float:
        return max(deadline - time.monotonic(), 0.05)

    if pb.tl.n_residents >= WARM_START_RESIDENTS and before is not None and not st.allow_remaining:
        _warm_start(m, pb, before, left() * 0.3)  # hints a good first answer: the search improves on it

    stages: list[tuple[str, object]] = []
    if st.allow_remaining and hard:
        stages.append(("remaining errors", remaining))
    stages.append(("changed cells", changed_expr))
    stages.append((CANONICAL, _canonical_order(m)))
    main_stages = {"changed cells", "remaining errors"}

    solver = None
    first = True
    proven = True  # every main stage so far proven optimal
    lazy_rounds = 0
    unmet: list[Group] = []
    for name, expr in stages:
        is_main = name in main_stages
        constant = isinstance(expr, int)
        if constant and not (is_main and first):
            out.stages.append({"stage": name, "value": expr, "status": "fixed"})
            out.canonical = out.canonical or (name == CANONICAL and proven)  # nothing left to choose
            continue
        if deadline - time.monotonic() < 0.1:
            break
        if not is_main and not proven:
            break  # the canonical order may not trade away an unproven change count
        if constant:
            mm.clear_objective()  # nothing may change: is the roster as it stands allowed?
        else:
            mm.minimize(expr)
        t_stage = time.monotonic()
        while True:
            # unmet rules first (--allow-remaining): leave time to minimise the changes too
            solver = _solver(pb, left() * (0.5 if name == "remaining errors" else 1.0))
            status = solver.solve(mm, _Progress(progress if is_main else None, name))
            if status == cp.INFEASIBLE and first:
                out.status = "infeasible"
                out.wall = time.monotonic() - t0
                if st.explain:  # month-by-month repairs try again instead (decompose)
                    out.explanation = explain(m, [g for g in m.groups if is_hard(g)], deadline)
                out.model_stats = _stats(m, build_s, lazy_rounds)
                return out
            if status not in (cp.OPTIMAL, cp.FEASIBLE):
                break
            candidate = _choice(m, solver)
            viol = lazy_violations(pb, cfg, m, candidate)
            n_before = len(m.groups)
            added = sum(encode_lazy(m, rid, rs) for rid, rs in viol.items())
            if not added:
                break
            # the candidate broke a rule encoded only for some residents: add it for these, solve again
            lazy_rounds += 1
            _force(mm, m.groups[n_before:])
            _hint(m, candidate)
            if deadline - time.monotonic() < 0.1:
                status = cp.UNKNOWN
                break
        stage_s = round(time.monotonic() - t_stage, 3)
        if status not in (cp.OPTIMAL, cp.FEASIBLE):
            if first:
                out.status = "unknown"
                out.wall = time.monotonic() - t0
                out.model_stats = _stats(m, build_s, lazy_rounds)
                return out
            out.stages.append({"stage": name, "status": "stopped by the time limit", "seconds": stage_s})
            break  # keep the previous stage's solution
        value = expr if constant else int(round(solver.objective_value))
        bound = expr if constant else int(round(solver.best_objective_bound))
        row = {"stage": name, "value": value, "bound": bound, "status": solver.status_name(status).lower(),
               "seconds": stage_s}
        if name == CANONICAL:
            del row["value"], row["bound"]  # the weights mean nothing to a reader
        if name == CANONICAL and status != cp.OPTIMAL:
            row["status"] = "stopped by the time limit"
            out.stages.append(row)
            break  # an unproven canonical stage is only another answer: keep the first one
        out.stages.append(row)
        out.choice = candidate
        if st.allow_remaining:
            unmet = [g for g in m.groups if is_hard(g) and g.severity != "coverage" and not _value(solver, g.lit)]
        if name == "changed cells":
            out.objective, out.bound = value, bound
        if is_main:
            proven = proven and status == cp.OPTIMAL
            out.status = "optimal" if proven else "feasible"
        if name == CANONICAL:
            out.canonical = True
        first = False
        if status != cp.OPTIMAL:
            if is_main and name != "changed cells":
                # unmet rules: at most as many as found, then the fewest changes for that
                mm.add(expr <= value)
                _hint(m, out.choice)
                continue
            break  # a later stage may not trade away an unproven earlier one
        mm.add(expr == value)  # keep this stage's value while improving the next
        _hint(m, out.choice)
    out.changes = _changes(m, out.choice)
    out.touched = len({c.resident for c in out.changes})
    if out.objective is None:  # --allow-remaining stopped before the change count was minimised
        out.objective, out.bound = len(out.changes), None
    if st.allow_remaining and out.choice:
        out.remaining_groups = unmet
    out.wall = time.monotonic() - t0
    out.model_stats = _stats(m, build_s, lazy_rounds)
    return out


def _stats(m: RepairModel, build_s: float, lazy_rounds: int) -> dict:
    return {"variables": len(m.m.proto.variables), "constraints": len(m.m.proto.constraints),
            "groups": len(m.groups), "build_seconds": round(build_s, 3), "lazy_rounds": lazy_rounds,
            "lazy_residents": {rid: len(done) for rid, (_, _, done) in getattr(m, "lazy", {}).items()}}


def _choice(m: RepairModel, solver: cp.CpSolver) -> dict[int, int]:
    out = {}
    for i, lits in enumerate(m.x):
        if len(lits) == 1:
            out[i] = next(iter(lits))
        else:
            out[i] = next(o for o, x in lits.items() if solver.boolean_value(x))
    return out


def _value(solver: cp.CpSolver, lit: object) -> int:
    return int(lit) if isinstance(lit, int) else int(solver.boolean_value(lit))


def _changes(m: RepairModel, choice: dict[int, int]) -> list[Change]:
    pb, tl = m.pb, m.pb.tl
    cells = pb.cells
    out = []
    for i, o in sorted(choice.items(), key=lambda kv: (int(m.d[kv[0]]), tl.residents[int(m.r[kv[0]])].name)):
        if o == int(m.orig[i]):
            continue
        sheet = cells.at[i, "sheet"]
        out.append(Change(
            resident=tl.residents[int(m.r[i])].name,
            date=tl.date_of(int(m.d[i])),
            slot=str(m.slot[i]),
            old=str(cells.at[i, "text"]),
            new=pb.option_text[o],
            sheet=sheet if isinstance(sheet, str) else None,
            cell=cell_name(cells.at[i, "cell"]),
            row=i,
        ))
    return out


# ---------------------------------------------------------------------------------- explanation
def explain(m: RepairModel, hard: list[Group], deadline: float) -> list[str]:
    """Why no compliant roster exists, in words (``repair.explain``)."""
    from rostercheck.repair.explain import explain as in_words

    return in_words(m, hard, deadline)


def print_progress() -> Callable[[str], None] | None:
    """A carriage-return progress line, only on an interactive terminal."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(text: str) -> None:
        sys.stderr.write("\r" + text.ljust(70))
        sys.stderr.flush()

    return show
