"""Repair: the fewest cell changes that make a roster pass ``check``, with coverage kept.

The checker stays the single source of truth: whatever the solver proposes is written into a
copy of the read roster and checked again, and the report says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rostercheck.check import CheckResult, check_raw, legend_for
from rostercheck.config import Config, check_codes
from rostercheck.model import RawRoster
from rostercheck.repair.problem import Settings, apply_changes, build_problem
from rostercheck.repair.solve import Change, Outcome, solve
from rostercheck.timeline import build

__all__ = ["Change", "Outcome", "RepairResult", "Settings", "apply_changes", "repair"]


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
    before = check_raw(raw, cfg, previous)
    legend = legend_for(raw, cfg)
    check_codes(cfg, legend)
    tl = build(raw, legend, tz=cfg.timezone, period_gap_hours=cfg.period_gap, previous=previous)
    pb = build_problem(raw, tl, settings, previous)
    outcome = solve(pb, cfg, progress=progress, before=before)
    if outcome.status in ("infeasible", "unknown"):
        return RepairResult(before, None, outcome, None)
    repaired = apply_changes(raw, outcome.changes, pb.cells)
    after = check_raw(repaired, cfg, previous)
    return RepairResult(before, after, outcome, repaired)
