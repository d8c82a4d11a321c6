"""The check stage: configured rules over a timeline -> findings.

The engine, not the rule, stamps the rule id and severity and resolves scope (``applies-to``),
so rule modules stay pure functions of a timeline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from rostercheck import rules as registry
from rostercheck.config import Config, RuleConfig, check_codes
from rostercheck.legend import Shift, builtin_legend, legend_from_rows
from rostercheck.model import Finding, RawRoster, Source
from rostercheck.timeline import Timeline, build


@dataclass
class CheckResult:
    """Everything a report needs about one checked roster.

    The summary fields (``n_residents``, ``first_date``, ``last_date``, ``days``) are taken from the
    timeline when one is given, so reports never need the timeline itself: a batch worker sends
    back ``detached()`` results, a few kilobytes of findings, instead of pickling a whole timeline
    (about 170 KB for 30 residents x 31 days, more than checking the roster costs to rebuild).
    """

    path: str
    timeline: Timeline | None
    findings: list[Finding]
    rules: list[RuleConfig] = field(default_factory=list)
    n_residents: int = 0
    first_date: str = ""
    last_date: str = ""
    days: int = 0

    def __post_init__(self) -> None:
        tl = self.timeline
        if tl is not None:
            self.n_residents = tl.n_residents
            self.first_date = tl.date_of(tl.first)
            self.last_date = tl.date_of(tl.n_days - 1)
            self.days = tl.n_days - tl.first

    def detached(self) -> CheckResult:
        """The same result without its timeline: all the text, JSON, CI and annotate reports read."""
        return replace(self, timeline=None)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


def legend_for(raw: RawRoster, cfg: Config) -> dict[str, Shift]:
    """Built-in codes, then the workbook's legend sheet, then the config's ``[shifts]``."""
    legend: dict[str, Shift] = builtin_legend() if cfg.builtin_legend else {}
    legend.update(legend_from_rows(raw.legend))
    legend.update(cfg.shifts)
    return legend


def scope(tl: Timeline, applies_to: dict[str, list]) -> np.ndarray:
    """Which residents a rule applies to (all, when ``applies-to`` is empty)."""
    mask = np.ones(tl.n_residents, dtype=bool)
    res = tl.residents
    if "pgy" in applies_to:
        mask &= np.array([r.pgy in applies_to["pgy"] for r in res])
    if "teams" in applies_to:
        want = {t.casefold() for t in applies_to["teams"]}
        mask &= np.array([(r.team or "").casefold() in want for r in res])
    if "roles" in applies_to:
        want = {t.casefold() for t in applies_to["roles"]}
        mask &= np.array([(r.role or "").casefold() in want for r in res])
    if "residents" in applies_to:
        want = {t.casefold() for t in applies_to["residents"]}
        mask &= np.array([r.name.casefold() in want for r in res])
    return mask


def run_rules(tl: Timeline, rules: list[RuleConfig]) -> list[Finding]:
    findings: list[Finding] = []
    for rc in rules:
        if not rc.enabled:
            continue
        sc = scope(tl, rc.applies_to)
        for hit in registry.get(rc.kind).check(tl, rc.params, sc):
            cells = [tl.cells[c] for c in hit.cells]
            resident = tl.residents[hit.resident] if hit.resident is not None else None
            if not cells and resident is not None and resident.source is not None:
                cells = [resident.source]  # nothing to point at but the resident's row
            findings.append(
                Finding(
                    rule=rc.id,
                    kind=rc.kind,
                    severity=rc.severity,
                    resident=resident.name if resident is not None else None,
                    start=tl.iso(hit.start),
                    end=tl.iso(hit.end),
                    value=float(hit.value),
                    limit=float(hit.limit),
                    unit=hit.unit,
                    message=hit.message,
                    cells=_dedupe(cells),
                )
            )
    findings.sort(key=lambda f: (f.resident or "", f.severity != "error", f.start, f.rule))
    return findings


def _dedupe(cells: list[Source]) -> list[Source]:
    seen: dict[tuple, Source] = {}
    for c in cells:
        seen.setdefault((c.file, c.sheet, c.cell), c)
    return list(seen.values())


def check_raw(raw: RawRoster, cfg: Config, previous: RawRoster | None = None) -> CheckResult:
    """Normalise and check a read roster.

    The read roster is let go before the rules run: the timeline keeps what it needs (cell
    positions), and when the caller holds no other reference (``pipeline.check_path``) the rest of
    the entries table, about 25 MB at 1,500 x 365, is freed before the rules allocate theirs.
    """
    legend = legend_for(raw, cfg)
    check_codes(cfg, legend)
    tl = build(raw, legend, tz=cfg.timezone, period_gap_hours=cfg.period_gap, previous=previous)
    path = raw.path
    del raw, previous
    return CheckResult(path, tl, run_rules(tl, cfg.rules), cfg.enabled_rules)
