"""Repair: the fewest cell changes that make a roster pass ``check``, with coverage kept.

The checker stays the single source of truth: whatever the solver proposes is written into a
copy of the read roster and checked again, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rostercheck.check import CheckResult, check_raw
from rostercheck.config import Config
from rostercheck.model import RawRoster
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
    """Repair ``raw``; rosters longer than two months are repaired month by month (``decompose``)."""
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
    before = check_raw(raw, cfg, previous)
    pb = build_problem(raw, before.timeline, settings, previous, domain_from=domain_from)
    outcome = solve(pb, cfg, progress=progress, before=before)
    if outcome.status in ("infeasible", "unknown"):
        return RepairResult(before, None, outcome, None)
    repaired = apply_changes(raw, outcome.changes, pb.cells)
    after = check_raw(repaired, cfg, previous)
    return RepairResult(before, after, outcome, repaired)
