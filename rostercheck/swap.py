"""Trades: check a swap before it is approved, and suggest partners for whom it is compliant.

Most changes to a published roster are trades between two residents, and nobody checks them until
the next monthly report. ``rostercheck swap`` exchanges two residents' cells (every slot of each
date given) and says what the trade introduces and fixes, matched exactly as ``diff`` matches
findings. ``--suggest`` looks for partners: a same-date exchange, or that exchange plus one
payback date on which the resident takes back the partner's cell holding the code they gave away.

Every exchange is two cells of one date and slot trading places, so each date keeps its coverage
by construction. What a trade may move is what ``repair`` may change (``repair.problem``: leave,
wellness, locked and history cells stay, and a resident only takes codes they are eligible for).
Candidates are screened by re-checking only the two residents touched (``check.check_residents``:
the rules that judge each resident alone find on two residents' rows what they find on the whole
roster); rules that compare residents (coverage, fair shares) and every suggestion shown are
checked on the whole roster, by the checker itself.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rostercheck.check import across_residents, check_each, check_raw, legend_for, subroster
from rostercheck.config import Config
from rostercheck.diff import Change, RosterDiff, compare, unmatched
from rostercheck.diff import render_text as diff_text
from rostercheck.errors import InputError
from rostercheck.fairness import MEASURES, loads
from rostercheck.model import Finding, RawRoster
from rostercheck.repair.problem import Problem, Settings, build_problem
from rostercheck.wording import plural

VERSION = 1
COUNTED = tuple(m for m in MEASURES if m != "hours")  # fair-share change: these counts, then hours


# ------------------------------------------------------------------------------------ inputs
def find_resident(raw: RawRoster, name: str) -> int:
    """The resident called ``name`` (case and spacing aside); unknown: the nearest name suggested.
    The error names the roster file, not the usage placeholder (``NAME_A``) the name was given as."""
    names = [r.name for r in raw.residents]
    folded = {" ".join(n.split()).casefold(): i for i, n in enumerate(names)}
    i = folded.get(" ".join(name.split()).casefold())
    if i is None:
        near = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.0)
        hint = f" (nearest: {names[folded[near[0]]]!r})" if near else ""
        raise InputError(f"swap: no resident {name!r} in the roster{hint}", file=raw.path)
    return i


def roster_days(raw: RawRoster) -> tuple[pd.Timestamp, pd.Timestamp]:
    dates = pd.to_datetime(raw.entries["date"])
    return dates.min(), dates.max()


def find_day(raw: RawRoster, text: str) -> pd.Timestamp:
    """A date of the roster, written YYYY-MM-DD; outside it, the error names the roster's range."""
    lo, hi = roster_days(raw)
    try:
        day = pd.Timestamp(dt.date.fromisoformat(text.strip()))
    except ValueError:
        raise InputError(f"swap: expected a date like {lo.date().isoformat()}, got {text!r}",
                         file=raw.path) from None
    if not lo <= day <= hi:
        raise InputError(f"swap: {day.date().isoformat()} is not a date of the roster ({lo.date().isoformat()} "
                         f"to {hi.date().isoformat()})", file=raw.path)
    return day


# ------------------------------------------------------------------------------------ exchanging
def exchange(raw: RawRoster, a: int, b: int, days: list[pd.Timestamp]) -> tuple[RawRoster, list[str]]:
    """A copy of ``raw`` in which residents a and b trade every cell of each of ``days``.

    Where each holds one cell of a date and slot (every grid), the texts (and a long file's
    times) trade places and each cell stays in its row, so the copy can be written cell by cell.
    Otherwise (a long file with a row on one side only, or several) the rows themselves move to
    the other resident: checked the same, but no cell edit writes that, which the second result
    says, one line per place.
    """
    e = raw.entries.frame()
    res = e["resident"].to_numpy(dtype=np.int64).copy()
    date = pd.to_datetime(e["date"]).dt.normalize().to_numpy()
    slot = e["slot"].fillna("").astype(str).to_numpy()
    cols = {c: e[c].to_numpy(dtype=object).copy() for c in ("text", "start", "end")}
    problems: list[str] = []
    names = (raw.residents[a].name, raw.residents[b].name)
    pair = (res == a) | (res == b)
    for day in days:
        on = pair & (date == np.datetime64(day))
        for s in sorted(set(slot[on].tolist())):
            here = on & (slot == s)
            ia, ib = np.flatnonzero(here & (res == a)), np.flatnonzero(here & (res == b))
            where = f"{names[0]} and {names[1]} on {day.date().isoformat()}{' ' + s if s else ''}"
            if len(ia) == 1 and len(ib) == 1:
                i, j = int(ia[0]), int(ib[0])
                for col in cols.values():
                    col[i], col[j] = col[j], col[i]
                times = [(cols[c][i], cols[c][j]) for c in ("start", "end")]
                if any(not (pd.isna(x) and pd.isna(y)) and (pd.isna(x) or pd.isna(y) or x != y) for x, y in times):
                    problems.append(f"{where}: the cells carry their own start and end times, which a copy "
                                    "written cell by cell would not move")
            else:
                res[ia], res[ib] = b, a
                problems.append(f"{where}: {len(ia)} and {len(ib)} rows; the rows change hands, which no cell "
                                "edit writes")
    return dataclasses.replace(raw, entries=e.assign(resident=res, **cols)), problems


# ------------------------------------------------------------------------------------ what repair allows
@dataclass
class Cells:
    """The repair problem's cells as [R, D, S] grids: row, option, fixed; and who may take what."""

    pb: Problem
    row: np.ndarray
    opt: np.ndarray
    fixed: np.ndarray
    takes: np.ndarray  # [R, O]: resident may receive option o in any cell of theirs not fixed

    @classmethod
    def of(cls, pb: Problem) -> Cells:
        c = pb.cells
        R, D, S = pb.tl.n_residents, pb.tl.n_days, len(pb.slots)
        r, d = c["r"].to_numpy(dtype=np.int64), c["d"].to_numpy(dtype=np.int64)
        s = c["slot"].map({x: i for i, x in enumerate(pb.slots)}).to_numpy(dtype=np.int64)
        row = np.full((R, D, S), -1, dtype=np.int64)
        row[r, d, s] = np.arange(len(c))
        opt = np.full((R, D, S), -1, dtype=np.int64)
        opt[r, d, s] = c["opt"].to_numpy(dtype=np.int64)
        fixed = np.ones((R, D, S), dtype=bool)
        fixed[r, d, s] = c["fixed"].to_numpy(dtype=bool)
        # A row's domain is the resident's eligible options plus its own; over a resident's free
        # rows, an option in every domain is eligible or the one option all of them hold, which
        # an exchange can only hand them where they hold it already.
        free = np.flatnonzero(~c["fixed"].to_numpy(dtype=bool))
        sizes = np.array([len(pb.domains[i]) for i in free.tolist()], dtype=np.int64)
        flat = np.fromiter((o for i in free.tolist() for o in pb.domains[i]), dtype=np.int64, count=int(sizes.sum()))
        n_opt = len(pb.options)
        seen = np.bincount(np.repeat(r[free], sizes) * n_opt + flat, minlength=R * n_opt).reshape(R, n_opt)
        rows = np.bincount(r[free], minlength=R)
        takes = (seen == rows[:, None]) & (rows[:, None] > 0)
        return cls(pb, row, opt, fixed, takes)

    def why_not(self, a: int, b: int, d: int) -> list[str]:
        """Why repair would not make this exchange on day d (empty: it could)."""
        pb, out = self.pb, []
        for k, s in enumerate(pb.slots):
            for x, y in ((a, b), (b, a)):
                i = int(self.row[x, d, k])
                name = pb.tl.residents[x].name
                at = f"{pb.tl.date_of(d)}{' ' + s if s else ''}"
                if i < 0:
                    continue
                text = pb.option_text[int(self.opt[x, d, k])] or "(blank)"
                if self.fixed[x, d, k]:
                    out.append(f"{name}'s {text} on {at} is {pb.cells.at[i, 'reason']}; repair never changes it")
                    continue
                o = int(self.opt[y, d, k])
                if o >= 0 and o != self.opt[x, d, k] and not self.takes[x, o]:
                    out.append(f"{name} is not eligible for {pb.option_text[o] or '(blank)'} (on {at}): nobody of "
                               "the same team and PGY holds it, and [repair] eligibility does not allow it")
        return out

    def exchangeable(self, a: int, b: int, days: np.ndarray) -> np.ndarray:
        """For each day: could repair make a and b exchange every slot, and would that change something?"""
        oa, ob = self.opt[a][days], self.opt[b][days]  # [n, S]
        free = ~(self.fixed[a][days] | self.fixed[b][days])
        same = oa == ob
        ok_a = same | self.takes[a][np.maximum(ob, 0)]
        ok_b = same | self.takes[b][np.maximum(oa, 0)]
        return (free & ok_a & ok_b).all(axis=1) & ~same.all(axis=1)


# ------------------------------------------------------------------------------------ a trade
@dataclass
class TradeResult:
    diff: RosterDiff
    residents: tuple[str, str]
    dates: list[str]
    notes: list[str] = field(default_factory=list)  # what repair would not do (the trade is checked anyway)
    unwritable: list[str] = field(default_factory=list)
    traded: RawRoster | None = None

    def fails(self, strict: bool = False) -> bool:
        return self.diff.fails(strict)


def trade(raw: RawRoster, cfg: Config, name_a: str, name_b: str, dates: list[str], *,
          previous: RawRoster | None = None, settings: Settings | None = None) -> TradeResult:
    """Check the trade of ``name_a``'s and ``name_b``'s cells on ``dates``, against the roster as it is."""
    a, b = find_resident(raw, name_a), find_resident(raw, name_b)
    if a == b:
        raise InputError("NAME_A and NAME_B are the same resident; a trade needs two", file=raw.path, key="NAME_B")
    days = sorted({find_day(raw, t) for t in dates})
    before = check_raw(raw, cfg, previous)
    traded, unwritable = exchange(raw, a, b, days)
    d = compare(raw, traded, cfg, old_label=raw.path, new_label=raw.path, previous=previous,
                old_findings=before.findings)
    d.noun = "trade"
    cells = Cells.of(build_problem(raw, before.timeline, settings or Settings(), previous))
    notes = [n for day in days for n in cells.why_not(a, b, before.timeline.date_index(day.date()))]
    return TradeResult(d, (raw.residents[a].name, raw.residents[b].name), [x.date().isoformat() for x in days],
                       notes, unwritable, traded)


def write_trade(t: TradeResult, src: str, dst: str, cfg: Config, *, previous: RawRoster | None = None,
                keep_macros: bool = False) -> int:
    """Write the traded copy of ``src`` to ``dst`` (changed cells highlighted and commented, as
    ``repair`` writes), after reading it back and checking it: it is written only if it reads as
    the trade's assignments and the checker finds in it exactly what it found in the trade. A long
    file's own start and end times, or rows on one side only, may not survive a cell-by-cell edit;
    then nothing is written and the error says why. Returns the cells written."""
    import tempfile
    from pathlib import Path

    from rostercheck.output import atomic_write
    from rostercheck.read import read_roster
    from rostercheck.workbook import write_changes

    if t.traded is not None and t.traded.duties is not None:
        raise InputError("cannot write the traded copy of a duty list (a trade there moves names between duty "
                         "cells); the trade is checked, not written", file=src)
    missing = [c for c in t.diff.changes if not c.cell]
    if missing:
        c = missing[0]
        raise InputError(f"cannot write the traded copy: {c.resident} has no cell on {c.date} in the file to "
                         "write to (a long file leaves blank days out)", file=src)
    with tempfile.TemporaryDirectory(prefix="rostercheck-swap-") as tmp:
        staged = str(Path(tmp) / Path(dst).name)
        n = write_changes(src, staged, t.diff.changes, keep_macros=keep_macros, what="swap")
        why = "its findings differ"
        try:
            # the copy against the trade as checked: the same assignments and the same findings
            back = compare(t.traded, read_roster(staged, cfg.roster), cfg, old_label=src, new_label=dst,
                           previous=previous, old_findings=t.diff.result.findings)
            same = not (back.changes or back.introduced or back.fixed or back.residents_added
                        or back.residents_removed)
            if back.changes:
                c = back.changes[0]
                why = f"{c.resident} on {c.date} would read {c.new or '(blank)'}, not {c.old or '(blank)'}"
        except InputError as e:
            same, why = False, e.message
        if not same:
            reason = t.unwritable[0] if t.unwritable else why
            raise InputError(f"not written: the traded copy would not read back as the trade was checked ({reason})",
                             file=dst)
        atomic_write(dst, Path(staged).read_bytes())
    return n


def render_trade_text(t: TradeResult) -> str:
    title = f"trade: {t.residents[0]} <-> {t.residents[1]} on {', '.join(t.dates)}"
    text = diff_text(t.diff, title=title)
    lines = text.splitlines()
    extra = [f"note: {n}" for n in t.notes]
    if not t.diff.changes:
        extra.append("note: the two residents hold the same codes on these dates; nothing changes hands")
    return "\n".join([lines[0], *extra, *lines[1:]]) + "\n"


def trade_document(t: TradeResult, strict: bool = False) -> dict[str, Any]:
    d = t.diff
    return {
        "version": VERSION,
        "ok": not d.fails(strict),
        "residents": list(t.residents),
        "dates": t.dates,
        "introduced": [f.as_dict() for f in d.introduced],
        "fixed": [f.as_dict() for f in d.fixed],
        "changes": [c.as_dict() for c in d.changes],
        "notes": t.notes,
        "summary": {
            "introduced-errors": sum(f.severity == "error" for f in d.introduced),
            "introduced-warnings": sum(f.severity != "error" for f in d.introduced),
            "fixed-errors": sum(f.severity == "error" for f in d.fixed),
            "fixed-warnings": sum(f.severity != "error" for f in d.fixed),
        },
    }


def render_trade_json(t: TradeResult, strict: bool = False) -> str:
    return json.dumps(trade_document(t, strict), indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------ suggestions
@dataclass
class Suggestion:
    partner: str
    dates: list[str]  # the date given, then the payback date if any
    introduced: list[Finding]
    fixed: list[Finding]
    changes: list[Change]
    fairness: dict[str, Any]
    rank: tuple = ()

    def as_dict(self) -> dict[str, Any]:
        return {"partner": self.partner, "dates": self.dates, "introduced": [f.as_dict() for f in self.introduced],
                "fixed": [f.as_dict() for f in self.fixed], "changes": [c.as_dict() for c in self.changes],
                "fairness": self.fairness}


@dataclass
class Suggestions:
    path: str
    resident: str
    date: str
    holds: str  # the text of the resident's cell(s) on the date
    considered: int = 0  # exchanges repair could make (same date, and with each payback date)
    compliant: int = 0  # of those, how many introduce no error
    suggestions: list[Suggestion] = field(default_factory=list)
    note: str | None = None  # why nothing could be considered, when so
    rejected_by_full_check: int = 0  # screened compliant on two residents, refused on the whole roster


def _fairness(before: np.ndarray, after: np.ndarray, names: tuple[str, str]) -> dict[str, Any]:
    """The change in both residents' loads (``fairness.MEASURES``); ``change`` sums the counts moved."""
    delta = after - before
    residents = [{"resident": n, **{m: (round(float(delta[i, k]), 2) if m == "hours" else int(delta[i, k]))
                                    for k, m in enumerate(MEASURES)}} for i, n in enumerate(names)]
    counted = [MEASURES.index(m) for m in COUNTED]
    return {"change": int(np.abs(delta[:, counted]).sum()),
            "hours_change": round(float(np.abs(delta[:, MEASURES.index("hours")]).sum()), 2),
            "residents": residents}


def suggest(raw: RawRoster, cfg: Config, name: str, date: str, *, previous: RawRoster | None = None,
            settings: Settings | None = None, limit: int = 10) -> Suggestions:
    """Trades that take ``name``'s cell(s) on ``date`` away, none introducing an error, best first:
    fewest new warnings, then the smallest change in fair shares (counts, then hours), then the
    nearest payback date (a same-date exchange has none, so it comes first on ties)."""
    a = find_resident(raw, name)
    day = find_day(raw, date)
    before = check_raw(raw, cfg, previous)
    tl = before.timeline
    legend = legend_for(raw, cfg)
    pb = build_problem(raw, tl, settings or Settings(), previous)
    cells = Cells.of(pb)
    d0 = tl.date_index(day.date())
    holds = " / ".join(pb.option_text[int(o)] or "(blank)" for o in cells.opt[a, d0] if o >= 0)
    out = Suggestions(raw.path, raw.residents[a].name, day.date().isoformat(), holds)
    if d0 < tl.first:
        out.note = f"{out.date} is history (before the roster checked); nothing to trade"
        return out
    if cells.fixed[a, d0].any():
        out.note = "; ".join(dict.fromkeys(cells.why_not(a, a, d0))) or f"{out.resident}'s cell on {out.date} is fixed"
        return out

    across = [rc for rc in cfg.enabled_rules if across_residents(rc)]
    checked = np.arange(tl.first, tl.n_days)
    partners = [b for b in range(tl.n_residents) if b != a]
    ranked: list[tuple[tuple, int, tuple[int, ...], list[Finding], dict[str, Any], RosterDiff | None]] = []
    for b in partners:
        if not cells.exchangeable(a, b, np.array([d0]))[0]:
            continue
        # payback: a date on which b holds, slot by slot, what a gives away, and a may take it back
        gives = cells.opt[a, d0]
        same = (cells.opt[b][checked] == gives[None, :]).all(axis=1) & (checked != d0)
        paybacks = checked[same]
        paybacks = paybacks[cells.exchangeable(a, b, paybacks)] if len(paybacks) else paybacks
        trades = [(d0,), *((d0, int(p)) for p in paybacks.tolist())]
        out.considered += len(trades)
        sub = subroster(raw, [a, b] if a < b else [b, a])
        ia, ib = (0, 1) if a < b else (1, 0)
        base = check_each(sub, cfg, previous, legend)
        base_load = loads(base.timeline)[[ia, ib]]
        for days in trades:
            stamps = [pd.Timestamp(tl.days[x]) for x in days]
            traded_sub, _ = exchange(sub, ia, ib, stamps)
            new = check_each(traded_sub, cfg, previous, legend)
            intro = unmatched(new.findings, base.findings)
            if any(f.severity == "error" for f in intro):
                continue
            full = None
            if across:  # rules comparing residents: the whole traded roster, by the checker
                full = compare(raw, exchange(raw, a, b, stamps)[0], cfg, old_label=raw.path, new_label=raw.path,
                               previous=previous, old_findings=before.findings)
                intro = full.introduced
                if any(f.severity == "error" for f in intro):
                    continue
            out.compliant += 1
            fair = _fairness(base_load, loads(new.timeline)[[ia, ib]], (tl.residents[a].name, tl.residents[b].name))
            payback = abs(days[1] - d0) if len(days) > 1 else 0
            key = (sum(f.severity != "error" for f in intro), fair["change"], fair["hours_change"], payback, b,
                   days[1:])
            ranked.append((key, b, days, intro, fair, full))
    ranked.sort(key=lambda t: t[0])
    for key, b, days, _intro, fair, full in ranked:
        if len(out.suggestions) >= limit:
            break
        stamps = [pd.Timestamp(tl.days[x]) for x in days]
        if full is None:  # every suggestion shown is checked on the whole roster
            full = compare(raw, exchange(raw, a, b, stamps)[0], cfg, old_label=raw.path, new_label=raw.path,
                           previous=previous, old_findings=before.findings)
        if any(f.severity == "error" for f in full.introduced):
            out.rejected_by_full_check += 1
            continue
        out.suggestions.append(Suggestion(tl.residents[b].name, [tl.date_of(x) for x in days], full.introduced,
                                          full.fixed, full.changes, fair, key))
    return out


def suggestions_document(s: Suggestions) -> dict[str, Any]:
    return {"version": VERSION, "roster": s.path, "resident": s.resident, "date": s.date, "holds": s.holds,
            "considered": s.considered, "compliant": s.compliant, "note": s.note,
            "suggestions": [x.as_dict() for x in s.suggestions]}


def render_suggestions_json(s: Suggestions) -> str:
    return json.dumps(suggestions_document(s), indent=2, ensure_ascii=False) + "\n"


def _moves(x: Suggestion) -> str:
    by: dict[str, list[str]] = {}
    for c in x.changes:
        by.setdefault(c.date, []).append(f"{c.resident} {c.old or '(blank)'} -> {c.new or '(blank)'}")
    return "; ".join(f"{d}: {', '.join(v)}" for d, v in sorted(by.items()))


def _fair_text(f: dict[str, Any]) -> str:
    parts = []
    for r in f["residents"]:
        moved = [f"{m.replace('_', ' ')} {r[m]:+g}" for m in MEASURES if r[m]]
        parts.append(f"{r['resident']} " + (", ".join(moved) if moved else "unchanged"))
    return "; ".join(parts)


def render_suggestions_text(s: Suggestions) -> str:
    head = f"{s.path}: trades that take {s.resident}'s {s.holds} on {s.date} away"
    if s.note:
        return f"{head}\nnone: {s.note}\n"
    out = [head + f" ({s.compliant} of {s.considered} possible exchanges introduce no error; "
           f"{len(s.suggestions)} shown, best first)"]
    if not s.suggestions:
        out.append("none: every exchange repair could make introduces an error" if s.considered else
                   "none: nobody could take the cell (locks, leave, wellness or eligibility)")
    if s.rejected_by_full_check:  # never expected: the two-resident screen and the full check agree
        out.append(f"note: {plural(s.rejected_by_full_check, 'trade')} passed the two-resident check but not the whole "
                   "roster's, and are not shown")
    pw = max((len(x.partner) for x in s.suggestions), default=0)
    for i, x in enumerate(s.suggestions, 1):
        when = x.dates[0] + (f" + payback {x.dates[1]}" if len(x.dates) > 1 else "")
        warn = (f"{plural(len(x.introduced), 'new warning')}: "
                + ", ".join(sorted({f.rule for f in x.introduced}))) if x.introduced else "no new findings"
        fixed = f"; fixes {len(x.fixed)}" if x.fixed else ""
        out.append(f"{i:>3}. {x.partner:<{pw}}  {when:<30} {warn}{fixed}")
        out.append(f"       {_moves(x)}")
        out.append(f"       load: {_fair_text(x.fairness)}")
    return "\n".join(out) + "\n"

