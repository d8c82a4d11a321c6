"""The check stage: configured rules over a timeline -> findings.

The engine, not the rule, stamps the rule id and severity and resolves scope (``applies-to``),
so rule modules stay pure functions of a timeline.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from rostercheck import rules as registry
from rostercheck.config import Config, RuleConfig, check_codes
from rostercheck.legend import Shift, builtin_legend, normalise_code, sheet_legend, split_parts
from rostercheck.model import Finding, RawRoster, Source
from rostercheck.read.result import ReadReport, ReadWarning
from rostercheck.table import Table, filled
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
    #: how the roster was read (every resident's row, skipped rows and sheets, warnings)
    read: ReadReport | None = None
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
        return dataclasses.replace(self, timeline=None)

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)


def legend_for(raw: RawRoster, cfg: Config) -> dict[str, Shift]:
    """Built-in codes, then the workbook's legend sheet, then the config's ``[shifts]``, key by key.

    A legend-sheet row that cannot be used is a warning on ``raw.read`` (naming its cell), never an
    error: the config decides what codes mean, the sheet only fills in what it does not say.
    """
    legend: dict[str, Shift] = builtin_legend() if cfg.builtin_legend else {}
    from_sheet, problems = sheet_legend(raw.legend, legend, cfg.shifts)
    legend.update(from_sheet)
    legend.update(cfg.shifts)
    if problems and raw.read is not None:
        # only about codes the roster holds: a legend sheet lists the codes of every block
        texts = dict.fromkeys(raw.entries["text"].tolist())  # a few dozen distinct cells, however big the roster
        used = {p for t in texts if t for p in [normalise_code(t), *split_parts(t)]}
        raw.read = raw.read.with_warnings(
            ReadWarning(src.sheet, src.cell, message) for src, code, message in problems if code in used
        )
    return legend


def scope(tl: Timeline, applies_to: dict[str, list]) -> np.ndarray:
    """Which residents a rule applies to (all, when ``applies-to`` is empty: one read-only mask per
    timeline, shared by every rule that applies to all)."""
    if not applies_to:
        every = tl.memo("scope")
        if "all" not in every:
            every["all"] = np.ones(tl.n_residents, dtype=bool)
            every["all"].flags.writeable = False
        return every["all"]
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
    path, report = raw.path, raw.read
    if raw.duties is None:
        del raw, previous  # see the docstring: the rules allocate after the entries are gone
        findings = run_rules(tl, cfg.rules)
    else:  # a duty list: name every (date, duty) cell the person holds
        from rostercheck.read.duty import expand_cells

        findings = expand_cells(raw, run_rules(tl, cfg.rules))
    return CheckResult(path, tl, findings, cfg.enabled_rules, report)


def subroster(raw: RawRoster, residents: list[int]) -> RawRoster:
    """The rows of some residents, on the very same day axis as ``raw``.

    A long file leaves blank days out, so a few residents' rows alone could span fewer dates than
    the roster; a blank cell on the roster's first and last date (a blank is off) keeps the axis,
    and with it every window a rule looks at, identical.
    """
    e = raw.entries
    keep = np.asarray(residents, dtype=np.int64)
    remap = np.full(len(raw.residents), -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    rid = remap[e["resident"].astype(np.int64, copy=False)]
    sub = e.take(rid >= 0)
    sub = sub.assign(resident=rid[rid >= 0])
    dates = e["date"]
    lo, hi = dates.min(), dates.max()
    pad = sorted(d for d in {lo, hi} if not (sub["date"] == d).any())
    if pad:
        n = len(pad)
        blank = Table({"resident": np.zeros(n, dtype=np.int64), "date": np.array(pad, dtype=dates.dtype),
                       "slot": filled(n, sub["slot"][0] if len(sub) else ""), "text": filled(n, ""),
                       "start": filled(n, None), "end": filled(n, None), "sheet": filled(n, None),
                       "cell": np.full(n, -1, dtype=np.int64)})
        sub = Table.concat([sub, Table({k: blank[k] for k in sub.columns})])
    # how the file was read and a duty list's cells describe the whole roster, not these rows
    return dataclasses.replace(raw, residents=[raw.residents[i] for i in residents],
                               entries=sub, read=None, duties=None)


def across_residents(rc: RuleConfig) -> bool:
    """Whether a rule compares residents with each other (coverage, fair shares) rather than
    judging each resident alone: only the latter can be checked on a few residents' rows."""
    return bool(getattr(registry.get(rc.kind), "ACROSS_RESIDENTS", False))


def check_residents(raw: RawRoster, cfg: Config, residents: list[int], previous: RawRoster | None = None,
                    legend: dict[str, Shift] | None = None) -> CheckResult:
    """The findings of the rules that judge each resident alone, for some residents only.

    Exactly what ``check_raw`` finds for those residents under those rules (same legend, same
    history, same day axis: ``subroster``), for the cost of their rows: a trade touches two
    residents, and re-checking thirty per candidate partner would be fifteen times the work.
    """
    return check_each(subroster(raw, residents), cfg, previous, legend or legend_for(raw, cfg))


def check_each(raw: RawRoster, cfg: Config, previous: RawRoster | None, legend: dict[str, Shift]) -> CheckResult:
    """``check_raw`` with only the rules that judge each resident alone (``across_residents``);
    on a ``subroster`` these find what the whole roster's check finds for its residents."""
    check_codes(cfg, legend)
    tl = build(raw, legend, tz=cfg.timezone, period_gap_hours=cfg.period_gap, previous=previous)
    rules = [rc for rc in cfg.rules if not across_residents(rc)]
    return CheckResult(raw.path, tl, run_rules(tl, rules), [r for r in rules if r.enabled])
