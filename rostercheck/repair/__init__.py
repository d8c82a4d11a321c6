"""Repair: the fewest cell changes that make a roster pass ``check``, with coverage kept.

The checker stays the single source of truth: whatever the solver proposes is written into a
copy of the read roster and checked again, and the report says so.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass

from rostercheck.check import CheckResult, check_raw
from rostercheck.config import Config
from rostercheck.model import RawRoster
from rostercheck.repair.links import link
from rostercheck.repair.problem import Settings, apply_changes, build_problem
from rostercheck.repair.solve import Change, Outcome, solve

__all__ = ["Change", "Outcome", "RepairResult", "Settings", "apply_changes", "repair", "repair_whole"]


@dataclass
class RepairResult:
    before: CheckResult
    after: CheckResult | None
    outcome: Outcome
    repaired: RawRoster | None


def repair(
    raw: RawRoster,
    cfg: Config,
    settings: Settings,
    *,
    previous: RawRoster | None = None,
    progress: Callable[[str], None] | None = None,
) -> RepairResult:
    """Repair ``raw``; rosters longer than two months are repaired month by month (``decompose``).

    With ``allow_remaining``, a compliant roster is the best answer there is (no rule unmet), so it
    is looked for first, as without the option, in half the time; only when there is none (or none
    was found) does the relaxed model minimise unmet rules. Whatever the relaxed model returns is
    judged by the checker against the roster as it stands: an answer is kept only when it leaves
    fewer errors; otherwise, and when no answer came in time, the roster is returned unchanged,
    which is always a valid answer of the relaxed problem.
    """
    if settings.allow_remaining:
        return _repair_allowing_remaining(raw, cfg, settings, previous=previous, progress=progress)
    if settings.max_changes is not None:
        return _repair_capped(raw, cfg, settings, previous=previous, progress=progress)
    return _repair(raw, cfg, settings, previous=previous, progress=progress)


def _repair_capped(
    raw: RawRoster,
    cfg: Config,
    settings: Settings,
    *,
    previous: RawRoster | None,
    progress: Callable[[str], None] | None,
) -> RepairResult:
    """``--max-changes``: when the cap is what makes a roster impossible, the coordinator needs the
    number of changes a repair takes, not a list of rules. So the uncapped repair runs first, in half
    the time: proven within the cap, it is the answer; proven above it, the cap is the whole reason;
    impossible without the cap, its explanation stands. Otherwise the capped repair gets the rest."""
    started = settings.started if settings.started is not None else time.monotonic()
    cap = int(settings.max_changes)  # type: ignore[arg-type]
    free = _repair(raw, cfg, dataclasses.replace(settings, max_changes=None, started=started,
                                                 time_limit=settings.time_limit / 2),
                   previous=previous, progress=progress)
    o = free.outcome
    if o.status == "infeasible":
        return free
    compliant = free.after is not None and not free.after.errors
    if compliant and len(o.changes) <= cap:
        return free
    if compliant and o.status == "optimal":
        n = len(o.changes)
        out = Outcome("infeasible", unencoded=o.unencoded, model_stats=o.model_stats)
        out.wall = time.monotonic() - started
        out.explanation = [f"No compliant roster within --max-changes {cap}: the fewest changes that make it "
                           f"compliant are {n} (proven minimal).",
                           f"To relax it: --max-changes {n} (or [repair] max-changes = {n})."]
        return RepairResult(free.before, None, out, None)
    return _repair(raw, cfg, dataclasses.replace(settings, started=started), previous=previous, progress=progress)


def _repair_allowing_remaining(
    raw: RawRoster,
    cfg: Config,
    settings: Settings,
    *,
    previous: RawRoster | None,
    progress: Callable[[str], None] | None,
) -> RepairResult:
    started = settings.started if settings.started is not None else time.monotonic()
    strict = dataclasses.replace(settings, allow_remaining=False, explain=False, started=started,
                                 time_limit=settings.time_limit / 2)
    first = _repair(raw, cfg, strict, previous=previous, progress=progress)
    if first.after is not None and not first.after.errors:
        first.outcome.allow_remaining = True
        return first
    relaxed = _repair(raw, cfg, dataclasses.replace(settings, started=started), previous=previous,
                      progress=progress)
    before = relaxed.before
    candidates = [r for r in (first, relaxed)
                  if r.after is not None and (r.after.errors < before.errors or not r.outcome.changes)]
    if candidates:
        return min(candidates, key=lambda r: (r.after.errors, len(r.outcome.changes)))  # type: ignore[union-attr]
    outcome = Outcome("feasible", unencoded=relaxed.outcome.unencoded, allow_remaining=True)
    outcome.objective, outcome.bound, outcome.touched = 0, None, 0
    outcome.wall = time.monotonic() - started
    outcome.model_stats = relaxed.outcome.model_stats
    outcome.explanation = ["No change found within the time limit leaves fewer errors than the roster has now; "
                           "--allow-remaining returns it unchanged."]
    outcome.warnings_left = before.warnings
    return RepairResult(before, before, outcome, raw)


def _repair(
    raw: RawRoster,
    cfg: Config,
    settings: Settings,
    *,
    previous: RawRoster | None,
    progress: Callable[[str], None] | None,
) -> RepairResult:
    from rostercheck.repair.decompose import repair_by_blocks, should_decompose

    if should_decompose(raw):
        result = repair_by_blocks(raw, cfg, settings, previous=previous, progress=progress)
    else:
        result = repair_whole(raw, cfg, settings, previous=previous, progress=progress)
    if raw.duties is not None and result.repaired is not None:
        # a duty list: the changes are names in (date, duty) cells; check the cells as written back
        from rostercheck.repair.duty import duty_repair

        assignments = result.outcome.objective
        result.outcome.changes, result.repaired = duty_repair(raw, result.repaired, result.before.timeline.legend)
        result.after = check_raw(result.repaired, cfg, previous)
        result.outcome.objective = assignments
        link(result.outcome.changes, result.before.findings, result.after.findings)
        _checked_counts(result.outcome, result.after)
    return result


def repair_whole(
    raw: RawRoster,
    cfg: Config,
    settings: Settings,
    *,
    previous: RawRoster | None = None,
    progress: Callable[[str], None] | None = None,
    domain_from: RawRoster | None = None,
) -> RepairResult:
    """One model for the whole roster (``domain_from``: see ``build_problem``)."""
    t0 = time.monotonic()
    before = check_raw(raw, cfg, previous)
    if progress:
        progress("building the model")
    pb = build_problem(raw, before.timeline, settings, previous, domain_from=domain_from)
    # keep back what checking the answer will take after the last solve: the check of its candidate
    # for lazily encoded rules, then the final check (each about what the first check took)
    check_s = time.monotonic() - t0
    pb.settings = dataclasses.replace(settings, reserve=min(2.5 * check_s + 0.2, 0.3 * settings.time_limit))
    outcome = solve(pb, cfg, progress=progress, before=before)
    if outcome.status in ("infeasible", "unknown"):
        return RepairResult(before, None, outcome, None)
    repaired = apply_changes(raw, outcome.changes, pb.cells)
    after = check_raw(repaired, cfg, previous)
    _checked_counts(outcome, after)
    link(outcome.changes, before.findings, after.findings)
    return RepairResult(before, after, outcome, repaired)


def _checked_counts(outcome: Outcome, after: CheckResult) -> None:
    """The stage table states what the checker counts, not the model's count of rule instances
    (a rolling window breached on five consecutive days is five instances in the model, one
    finding for the checker); the model's own count stays beside it as ``model_value``."""
    checked = {"warnings left": after.warnings, "remaining errors": after.errors}
    for stage in outcome.stages:
        if stage["stage"] in checked and "value" in stage:
            stage["model_value"] = stage["value"]
            stage["value"] = checked[stage["stage"]]
    outcome.warnings_left = after.warnings
