"""Who carries the load: per-resident counts and per-group spreads, for ``rostercheck fairness``.

Chief residents are asked "why do I have three calls and she has none?" more often than about any
duty-hour limit. The counts here come from the same timeline the checker reads, so they mean what
the rules mean: a call counts on the date it starts, a weekend day is worked when a work, call or
night shift starts on it, a golden weekend is a Saturday and Sunday free of work, call and home
call and not on leave (as ``golden-weekend`` counts them), and hours are work hours inside the
checked days. Group figures are prorated by on-service days (days not on leave): a resident away
for a week is compared as if present throughout, which is how the ``fair-share`` rule compares.

``fairness(result)`` returns plain records, so other renderings (the HTML report) can show them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from rostercheck.legend import WORK_KINDS
from rostercheck.rules.fair_share import GROUP_BY, group_key, group_label, on_service
from rostercheck.rules.min_free_weekends import free_saturdays, saturdays
from rostercheck.table import factorize
from rostercheck.timeline import Timeline
from rostercheck.wording import noun, plural

#: The counts compared across residents, in display order (``codes`` are listed apart).
MEASURES = ("calls", "nights", "weekend_days", "golden_weekends", "hours")
HEADERS = {"calls": "calls", "nights": "nights", "weekend_days": "weekend days", "golden_weekends": "golden wknds",
           "hours": "hours"}


@dataclass
class ResidentShare:
    """One resident's load over the checked days (not prorated: these are the cells)."""

    resident: str
    pgy: int | None
    team: str | None
    role: str | None
    group: str
    on_service_days: int
    calls: int
    nights: int
    weekend_days: int
    golden_weekends: int
    hours: float
    codes: dict[str, int] = field(default_factory=dict)

    def value(self, measure: str) -> float:
        return float(getattr(self, measure))

    def as_dict(self) -> dict[str, Any]:
        return {"resident": self.resident, "pgy": self.pgy, "team": self.team, "role": self.role,
                "group": self.group, "on_service_days": self.on_service_days, "calls": self.calls,
                "nights": self.nights, "weekend_days": self.weekend_days, "golden_weekends": self.golden_weekends,
                "hours": self.hours, "codes": dict(self.codes)}


@dataclass
class Stat:
    mean: float
    min: float
    max: float
    spread: float

    def as_dict(self) -> dict[str, float]:
        return {"mean": self.mean, "min": self.min, "max": self.max, "spread": self.spread}


@dataclass
class GroupShare:
    """A group's prorated figures per measure (residents on leave throughout are left out)."""

    group: str
    residents: list[str]
    stats: dict[str, Stat]

    def as_dict(self) -> dict[str, Any]:
        return {"group": self.group, "residents": list(self.residents),
                **{m: s.as_dict() for m, s in self.stats.items()}}


@dataclass
class Fairness:
    path: str
    days: int  # checked days: what counts are prorated to
    first: str
    last: str
    by: str
    residents: list[ResidentShare]
    groups: list[GroupShare]


def loads(tl: Timeline) -> np.ndarray:
    """[R, len(MEASURES)]: each resident's calls, nights, weekend days worked, golden weekends and
    hours over the checked days (``swap`` compares two residents' before and after a trade)."""
    f = tl.first
    calls = tl.day_counts(["call"])[:, f:].sum(axis=1)
    nights = tl.day_counts(["night"])[:, f:].sum(axis=1)
    weekend = (tl.weekday >= 5)[f:]
    weekend_days = (tl.days_with(WORK_KINDS)[:, f:] & weekend[None, :]).sum(axis=1)
    sat = saturdays(tl)
    golden = free_saturdays(tl)[:, sat >= f].sum(axis=1)
    hours = np.round(tl.hours_by_day()[:, f:].sum(axis=1), 2)
    return np.stack([calls, nights, weekend_days, golden, hours], axis=1).astype(float)


def shares(tl: Timeline, by: str = "team-pgy") -> list[ResidentShare]:
    """Every resident's counts over the checked days, in roster order."""
    L = loads(tl)
    on, _ = on_service(tl)
    # cells per code: one per (resident, date, slot) cell holding it, checked days only
    sh = tl.shifts
    live = sh.take(sh["day"] >= tl.first)
    cid, names = factorize(live.named("code"))
    order = sorted(range(len(names)), key=lambda k: str(names[k]))  # codes by name, as people scan them
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    key, count = np.unique(live["resident"].astype(np.int64) * max(len(names), 1) + rank[cid], return_counts=True)
    codes: list[dict[str, int]] = [{} for _ in range(tl.n_residents)]
    for k, n in zip(key.tolist(), count.tolist()):
        r, c = divmod(k, max(len(names), 1))
        codes[r][str(names[order[c]])] = n
    return [
        ResidentShare(r.name, r.pgy, r.team, r.role, group_label(r, by), int(on[i]), int(L[i, 0]), int(L[i, 1]),
                      int(L[i, 2]), int(L[i, 3]), float(L[i, 4]), codes[i])
        for i, r in enumerate(tl.residents)
    ]


def group_shares(tl: Timeline, records: list[ResidentShare], by: str) -> list[GroupShare]:
    """Per group, each measure prorated to the checked days, then its mean, min, max and spread."""
    n = tl.n_days - tl.first
    members: dict[tuple, list[int]] = {}
    for i, r in enumerate(tl.residents):
        if records[i].on_service_days > 0:
            members.setdefault(group_key(r, by), []).append(i)
    out = []
    for rows in members.values():
        stats = {}
        for m in MEASURES:
            v = np.array([records[i].value(m) * n / records[i].on_service_days for i in rows])
            stats[m] = Stat(round(float(v.mean()), 2), round(float(v.min()), 2), round(float(v.max()), 2),
                            round(float(v.max() - v.min()), 2))
        out.append(GroupShare(records[rows[0]].group, [records[i].resident for i in rows], stats))
    return sorted(out, key=lambda g: g.group)


def fairness(tl: Timeline, path: str, by: str = "team-pgy") -> Fairness:
    """The fairness records of a checked roster (``CheckResult.timeline``), for any rendering."""
    if by not in GROUP_BY:
        raise ValueError(f"group by one of {', '.join(GROUP_BY)}")
    records = shares(tl, by)
    return Fairness(path, tl.n_days - tl.first, tl.date_of(tl.first), tl.date_of(tl.n_days - 1), by, records,
                    group_shares(tl, records, by))


# ------------------------------------------------------------------------------------ rendering
def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def render_text(fa: Fairness) -> str:
    out = [f"{fa.path}: {plural(len(fa.residents), 'resident')}, {plural(fa.days, 'day')} ({fa.first} to {fa.last}); "
           f"groups by {fa.by}, prorated by on-service days", ""]
    nw = max([len("resident")] + [len(r.resident) for r in fa.residents])
    gw = max([len("group")] + [len(r.group) for r in fa.residents])
    head = f"  {'resident':<{nw}}  {'group':<{gw}}  {'on':>3}" + "".join(f"  {HEADERS[m]:>{len(HEADERS[m])}}"
                                                                         for m in MEASURES) + "  codes"
    out.append(head)
    for r in sorted(fa.residents, key=lambda r: (r.group, r.resident)):
        codes = ", ".join(f"{c} {n}" for c, n in sorted(r.codes.items(), key=lambda kv: (-kv[1], kv[0])))
        out.append(f"  {r.resident:<{nw}}  {r.group:<{gw}}  {r.on_service_days:>3}"
                   + "".join(f"  {_num(r.value(m)):>{len(HEADERS[m])}}" for m in MEASURES) + f"  {codes}")
    out += ["", f"  per group, prorated to {plural(fa.days, 'day')}: mean (min-max, spread)"]
    gw = max([len("group")] + [len(g.group) for g in fa.groups])
    cw = {m: max(len(HEADERS[m]), *(len(_stat(g.stats[m])) for g in fa.groups)) for m in MEASURES}
    out.append(f"  {'group':<{gw}}  {'n':>2}" + "".join(f"  {HEADERS[m]:<{cw[m]}}" for m in MEASURES))
    for g in fa.groups:
        out.append(f"  {g.group:<{gw}}  {len(g.residents):>2}" + "".join(f"  {_stat(g.stats[m]):<{cw[m]}}"
                                                                       for m in MEASURES))
    widest = max(fa.groups, key=lambda g: g.stats["calls"].spread, default=None)
    if widest is not None and widest.stats["calls"].spread > 0:
        spread = _num(widest.stats["calls"].spread)
        out += ["", f"widest call spread: {widest.group}, {spread} {noun(float(spread), 'call')} between the "
                "most and the least loaded resident"]
    return "\n".join(x.rstrip() for x in out) + "\n"


def _stat(s: Stat) -> str:
    return f"{_num(s.mean)} ({_num(s.min)}-{_num(s.max)}, {_num(s.spread)})"


def document(fa: Fairness) -> dict[str, Any]:
    return {"version": 1, "roster": fa.path, "days": fa.days, "first": fa.first, "last": fa.last, "by": fa.by,
            "residents": [r.as_dict() for r in fa.residents], "groups": [g.as_dict() for g in fa.groups]}


def render_json(fa: Fairness) -> str:
    return json.dumps(document(fa), indent=2, ensure_ascii=False) + "\n"


def render_csv(fa: Fairness) -> str:
    """One row per resident, a column per measure and per code (Excel filters and pivots)."""
    from rostercheck.workbook import safe_cell

    codes = sorted({c for r in fa.residents for c in r.codes})
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["resident", "team", "pgy", "role", "group", "on_service_days", *MEASURES,
                *(f"code {c}" for c in codes)])
    for r in fa.residents:
        w.writerow([safe_cell(r.resident), safe_cell(r.team or ""), "" if r.pgy is None else r.pgy,
                    safe_cell(r.role or ""), safe_cell(r.group), r.on_service_days,
                    *(_num(r.value(m)) for m in MEASURES), *(r.codes.get(c, 0) for c in codes)])
    return buf.getvalue()
