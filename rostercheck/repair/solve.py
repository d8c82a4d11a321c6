"""Solving a repair: one model, lexicographic objectives by successive solves, honest status.

Stage 1 minimises changed cells; if proven, stage 2 keeps that count and minimises warnings left,
stage 3 residents touched, stage 4 the distance of each resident's hours from the original. The
original roster is the first hint, so an already compliant roster comes back unchanged at once.
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
from rostercheck.repair.cpmodel import Group, RepairModel
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

    def as_dict(self) -> dict:
        out = {"resident": self.resident, "date": self.date, "slot": self.slot, "old": self.old,
               "new": self.new, "sheet": self.sheet, "cell": self.cell}
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


#: Rule kinds encoded lazily: only for residents whose candidate rosters break them. Their exact
#: encodings are large (free-day blocks per window), and most residents never come near the limit.
LAZY_KINDS = frozenset({"min-free-days"})


def build_model(pb: Problem, cfg: Config, lazy_start: dict[str, set[int]] | None = None) -> RepairModel:
    """The model with every enabled rule encoded; lazy kinds only for ``lazy_start`` residents."""
    m = RepairModel(pb)
    m.lazy = {}  # rule id -> (rule config, residents in scope, residents encoded so far)
    coverage_rules = False
    for rc in cfg.enabled_rules:
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
    s = cp.CpSolver()
    st = pb.settings
    s.parameters.max_time_in_seconds = max(seconds, 0.05)
    s.parameters.num_workers = workers if workers is not None else (st.workers or os.cpu_count() or 1)
    if st.seed is not None:
        # same seed, same answer: one worker searching with a deterministic time budget. (OR-Tools
        # 9.15's deterministic *parallel* search aborts the process on some models, and one worker
        # was also the fastest to prove these models optimal.)
        s.parameters.random_seed = st.seed
        s.parameters.num_workers = 1
        s.parameters.max_deterministic_time = max(seconds, 0.05)
        s.parameters.max_time_in_seconds = max(seconds, 0.05) * 4
    return s


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
    t0 = time.monotonic()
    st = pb.settings
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
    m = build_model(pb, cfg, lazy_start)
    build_s = time.monotonic() - t0
    out = Outcome("unknown", unencoded=list(m.unencoded))
    mm = m.m

    def is_hard(g: Group) -> bool:
        return g.severity in ("error", "coverage") or (st.fix_warnings and g.severity == "warning")

    hard = [g for g in m.groups if is_hard(g)]
    soft = [g for g in m.groups if not is_hard(g)]

    changed = []
    for i, lits in enumerate(m.x):
        if len(lits) > 1:
            changed.append((i, 1 - lits[int(m.orig[i])] if int(m.orig[i]) in lits else 1))
    changed_expr = sum(c for _, c in changed) if changed else 0
    if st.max_changes is not None and changed:
        mm.add(changed_expr <= st.max_changes)
    if st.allow_remaining:
        # rules may go unmet (fewest first); coverage and locks may not
        _force(mm, [g for g in hard if g.severity == "coverage"])
        relaxable = [g for g in hard if g.severity != "coverage"]
        remaining = sum(1 - g.lit for g in relaxable) if relaxable else 0
    else:
        _force(mm, hard)
        remaining = 0
    warn_expr = sum(1 - g.lit for g in soft) if soft else 0
    _hint(m, None)  # the original roster: already compliant means zero changes at once

    budget = st.time_limit
    deadline = t0 + budget

    def left() -> float:
        return max(deadline - time.monotonic(), 0.05)

    stages: list[tuple[str, object]] = []
    if st.allow_remaining and hard:
        stages.append(("remaining errors", remaining))
    stages += [("changed cells", changed_expr), ("warnings left", warn_expr)]
    touched_vars = []
    by_res: dict[int, list] = {}
    for i, c in changed:
        by_res.setdefault(int(m.r[i]), []).append(c)
    for r, cs in by_res.items():
        t = mm.new_bool_var(f"touched_{r}")
        for c in cs:
            mm.add(t >= c)
        touched_vars.append(t)
    stages.append(("residents touched", sum(touched_vars) if touched_vars else 0))
    stages.append(("hours moved", _hours_deviation(m)))

    solver = None
    first = True
    lazy_rounds = 0
    for name, expr in stages:
        if isinstance(expr, int):
            out.stages.append({"stage": name, "value": expr, "status": "fixed"})
            continue
        mm.minimize(expr)
        is_main = name in ("changed cells", "remaining errors")
        t_stage = time.monotonic()
        while True:
            solver = _solver(pb, left() if first else min(left(), max(budget * 0.1, 1.0)))
            status = solver.solve(mm, _Progress(progress if is_main else None, name))
            if status == cp.INFEASIBLE and first:
                out.status = "infeasible"
                out.wall = time.monotonic() - t0
                if getattr(st, "explain", True):  # month-by-month repairs try again instead (decompose)
                    out.explanation = explain(m, [g for g in m.groups if is_hard(g)], left())
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
            break  # keep the previous stage's solution
        value = int(round(solver.objective_value))
        bound = int(round(solver.best_objective_bound))
        out.stages.append({"stage": name, "value": value, "bound": bound,
                           "status": solver.status_name(status).lower(), "seconds": stage_s})
        out.choice = candidate
        if name == "changed cells":
            out.objective, out.bound = value, bound
            out.status = "optimal" if status == cp.OPTIMAL else "feasible"
        first = False
        if status != cp.OPTIMAL:
            break  # a later stage may not trade away an unproven earlier one
        if name != "hours moved":
            mm.add(expr == value)  # keep this stage's value while improving the next
        _hint(m, out.choice)
        if left() <= 0.06:
            break
    if solver is not None and soft:
        out.warnings_left = next((s["value"] for s in out.stages if s["stage"] == "warnings left"), None)
    out.touched = next((s["value"] for s in out.stages if s["stage"] == "residents touched"), None)
    if st.allow_remaining and solver is not None:
        out.remaining_groups = [g for g in m.groups if is_hard(g) and g.severity != "coverage"
                                and not _value(solver, g.lit)]
    out.changes = _changes(m, out.choice)
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


def _hours_deviation(m: RepairModel) -> object:
    """Sum over residents of |hours - original hours| (in minutes), as a linear expression."""
    pb = m.pb
    devs = []
    per_res: dict[int, list[tuple[int, object]]] = {}
    orig: dict[int, int] = {}
    for i, lits in enumerate(m.x):
        r = int(m.r[i])
        d, s = int(m.d[i]), str(m.slot[i])
        orig[r] = orig.get(r, 0) + pb.fact(d, s, int(m.orig[i])).minutes
        if len(lits) > 1:
            per_res.setdefault(r, []).extend((pb.fact(d, s, o).minutes, x) for o, x in lits.items())
        else:
            o = next(iter(lits))
            per_res.setdefault(r, []).append((pb.fact(d, s, o).minutes, 1))
    for r, terms in per_res.items():
        live = [(c, x) for c, x in terms if not isinstance(x, int)]
        if not live:
            continue
        const = sum(c for c, x in terms if isinstance(x, int))
        hi = sum(max(c, 0) for c, _ in live) + abs(const) + abs(orig[r])
        dev = m.m.new_int_var(0, hi, f"dev_{r}")
        expr = const + cp.LinearExpr.weighted_sum([x for _, x in live], [c for c, _ in live]) - orig[r]
        m.m.add(dev >= expr)
        m.m.add(dev >= -expr)
        devs.append(dev)
    return sum(devs) if devs else 0


# ---------------------------------------------------------------------------------- explanation
def explain(m: RepairModel, hard: list[Group], seconds: float) -> list[str]:
    """Why no compliant roster exists, in words, from an unsatisfiable core of rule instances."""
    core = _core(m.m, hard, seconds)
    if core is None:
        return ["No compliant roster exists within the rules, coverage and locks, but the solver could "
                "not isolate a reason in the time allowed."]
    by_lit = {g.lit.index: g for g in hard}
    groups = [by_lit[i] for i in core if i in by_lit]
    return [_sentence(m, g, groups) for g in sorted(groups, key=lambda g: (g.d0, g.rule, g.resident or -1))]


def _unforced(model: cp.CpModel, hard: list[Group], keep: list[int]) -> cp.CpModel:
    """A copy with hard groups free again, no objective, and ``keep`` as assumptions."""
    c = model.clone()
    c.clear_hints()
    c.clear_objective()
    for g in hard:
        var = c.proto.variables[g.lit.index]
        var.domain.clear()
        var.domain.extend([0, 1])
    c.add_assumptions([_lit_of(c, i) for i in keep])
    return c


def _core(model: cp.CpModel, hard: list[Group], seconds: float) -> list[int] | None:
    s = cp.CpSolver()
    s.parameters.num_workers = 1
    s.parameters.max_time_in_seconds = max(seconds, 2.0)
    status = s.solve(_unforced(model, hard, [g.lit.index for g in hard]))
    if status != cp.INFEASIBLE:
        return None
    core = list(s.sufficient_assumptions_for_infeasibility())
    # shrink the core: drop one assumption at a time while the rest stays infeasible
    if len(core) <= 40:
        t_end = time.monotonic() + max(seconds, 2.0)
        i = 0
        while i < len(core) and time.monotonic() < t_end:
            trial = core[:i] + core[i + 1:]
            s2 = cp.CpSolver()
            s2.parameters.num_workers = 1
            s2.parameters.max_time_in_seconds = 2.0
            if s2.solve(_unforced(model, hard, trial)) == cp.INFEASIBLE:
                core = trial
            else:
                i += 1
    return core


def _lit_of(model: cp.CpModel, index: int) -> object:
    return model.get_bool_var_from_proto_index(index)


def _sentence(m: RepairModel, g: Group, core: list[Group]) -> str:
    pb, tl = m.pb, m.pb.tl
    if g.kind == "coverage" and g.extra.get("codes"):
        codes = set(g.extra["codes"])
        d = g.d0
        eligible = [r for r in range(tl.n_residents)
                    if any(codes & set(pb.options[o]) for o in np.flatnonzero(m.allowed[r, d].any(axis=0)))
                    or any(codes & set(pb.options[o]) for s in pb.slots
                           for o in pb.domains[m.row_of[(r, d, s)]] if (r, d, s) in m.row_of)]
        # everyone who could ever hold the code, and why each cannot on this date
        ever = [r for r in range(tl.n_residents)
                if any(codes & set(pb.options[o]) for o in np.flatnonzero(m.allowed[r].any(axis=(0, 1))))]
        reasons: dict[str, list[str]] = {}
        for r in ever:
            row = m.row_of.get((r, d, pb.slots[0]))
            reason = pb.cells.at[row, "reason"] if row is not None else ""
            if reason:
                label = {"leave": "on leave", "wellness": "at wellness time", "locked": "locked"}.get(reason, reason)
                reasons.setdefault(label, []).append(tl.residents[r].name)
        for h in core:
            if h.resident is not None and h.resident in ever and h.d0 <= d + 1 and h.d1 >= d - 1 and h is not g:
                reasons.setdefault(f"kept off by {h.rule}", []).append(tl.residents[h.resident].name)
        parts = [f"{len(v)} {k} ({', '.join(sorted(set(v)))})" for k, v in reasons.items()]
        need = g.extra.get("need")
        what = "/".join(sorted(map(tl.written, codes)))
        return (f"No compliant roster: on {tl.date_of(d)} {what} needs {need} resident"
                f"{'s' * (need != 1)}, but of the {len(ever)} eligible"
                + (f" ({len(eligible)} free to move that day)" if len(eligible) != len(ever) else "")
                + (": " + "; ".join(parts) if parts else "") + ".")
    who = tl.residents[g.resident].name if g.resident is not None else "the roster"
    fixed = " (the cells that cannot change already break it)" if g in m.trivially_false else ""
    return f"No compliant roster: {who} needs {g.text} ({g.rule}){fixed}."


def print_progress() -> Callable[[str], None] | None:
    """A carriage-return progress line, only on an interactive terminal."""
    if not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(text: str) -> None:
        sys.stderr.write("\r" + text.ljust(70))
        sys.stderr.flush()

    return show
