"""From a workbook nobody has configured to a first useful check: ``rostercheck init`` and ``codes``.

A coordinator's first roster is a sheet made for people: a role column mixing residents with
faculty and students, fifty codes, some of which mean different things in different programs.
``init`` reads it with the same detection ``check`` uses, then writes down what it found as a
commented ``rostercheck.toml``: the layout, a ``rows`` filter when the role column mixes people,
and every code with a guessed meaning. The draft is valid as written (unknown codes count as
work), so the next step is ``check``; the comments say which guesses to confirm.

``codes`` answers the question every unknown-code error raises: which codes are in this file,
how often, where, and what each means under the config in force.

Nothing here prints; the CLI does.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from rostercheck.errors import InputError
from rostercheck.legend import (
    WHOLE_DAY_DEFAULT,
    Guess,
    Shift,
    guess_code,
    guess_kind,
    guessed_codes,
    legend_from_rows,
    normalise_code,
    split_codes,
    unknown_parts,
)
from rostercheck.model import LegendRow, RawRoster, RosterOptions, RowFilter, cell_name
from rostercheck.read import Inspection, inspect_roster, read_roster
from rostercheck.read import headers as H
from rostercheck.read.attributes import level_from_label
from rostercheck.read.result import SheetInfo
from rostercheck.read.rows import compile_patterns
from rostercheck.wording import noun, plural

CONFIG_NAME = "rostercheck.toml"
#: Codes that mean clinic; when one is in use, a bare ``C`` is more likely call.
_CLINIC_CODES = frozenset({"CL", "CLINIC", "CLIN", "FMC", "CC", "CONT"})
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ATTR_WORDS = {"pgy": "PGY level", "team": "team", "role": "role"}


# ================================================================================== codes in use
@dataclass
class CodeUse:
    """One code as the roster uses it: how many cells hold it and where it first appears."""

    code: str
    cells: int
    sheet: str | None
    cell: str
    weekend: float = 0.0  # share of its cells on a Saturday or Sunday

    @property
    def where(self) -> str:
        return f"{self.sheet}!{self.cell}" if self.sheet else self.cell


def cell_codes(texts: Iterable[str], known: Collection[str]) -> dict[str, list[str]]:
    """The codes in each distinct cell text, as the check will see them.

    A text that is a known code is one code; a text made of known codes (``CL/DID``) is those.
    Otherwise a text is split only where every part is a code of its own elsewhere in the roster
    (``CL/XYZ`` when ``XYZ`` appears alone), so ``L&D`` stays one code rather than becoming an
    ``L`` and a ``D``.
    """
    texts = [t for t in dict.fromkeys(texts)]
    norms = {t: normalise_code(t) for t in texts}
    alone = {n for n in norms.values() if n and len(unknown_parts(n, {})) == 1}
    vocab = alone | set(known)
    out: dict[str, list[str]] = {}
    for t, n in norms.items():
        if not n:
            out[t] = []
            continue
        found = split_codes(n, dict.fromkeys(vocab))  # type: ignore[arg-type]
        out[t] = found if found is not None else [n]
    return out


def code_uses(raw: RawRoster, known: Collection[str]) -> list[CodeUse]:
    """Every code in the roster's cells, most used first (then by first appearance).

    Per distinct text, then spread with numpy: a year-long sheet has half a million cells and a
    few dozen texts.
    """
    if raw.entries.empty:
        return []
    e = raw.entries.frame()
    tid, uniq = pd.factorize(e["text"].fillna("").astype(str).to_numpy(dtype=object))
    per_text = cell_codes([str(u) for u in uniq], known)
    lists = [per_text[str(u)] for u in uniq]
    count = np.array([len(c) for c in lists], dtype=np.int64)[tid]
    entry = np.repeat(np.arange(len(e), dtype=np.int64), count)
    if entry.size == 0:
        return []
    flat = np.array([c for codes in lists for c in codes], dtype=object)
    starts = np.cumsum([len(c) for c in lists]) - np.array([len(c) for c in lists])
    offsets = np.cumsum(count) - count
    k = np.arange(entry.size) - np.repeat(offsets, count)
    code = flat[starts[tid[entry]] + k]
    weekend = (pd.to_datetime(e["date"]).dt.day_of_week.to_numpy() >= 5)[entry]
    frame = pd.DataFrame({"code": code, "entry": entry, "weekend": weekend})
    g = frame.groupby("code", sort=False)
    stats = pd.DataFrame({"cells": g.size(), "first": g["entry"].min(), "weekend": g["weekend"].mean()})
    stats = stats.sort_values(["cells", "first"], ascending=[False, True])
    sheets = e["sheet"].to_numpy(dtype=object)
    cells = e["cell"].to_numpy()
    return [
        CodeUse(str(c), int(n), sheets[f] if isinstance(sheets[f], str) else None, cell_name(cells[f]) or "", float(w))
        for c, n, f, w in zip(stats.index, stats["cells"], stats["first"], stats["weekend"], strict=True)
    ]


# ======================================================================================== codes
@dataclass
class CodeRow:
    """One line of ``rostercheck codes``: a code in use and its meaning in force (None: undefined)."""

    use: CodeUse
    shift: Shift | None
    times: str = ""

    def as_dict(self) -> dict:
        s = self.shift
        return {
            "code": self.use.code,
            "cells": self.use.cells,
            "first": {"sheet": self.use.sheet, "cell": self.use.cell},
            "defined": s is not None,
            "kind": s.kind if s else None,
            "times": self.times or None,
            "description": s.description if s else None,
            "origin": s.origin if s else None,
        }


@dataclass
class CodesReport:
    path: str
    config: str | None
    layout: str
    rows: list[CodeRow]

    @property
    def undefined(self) -> list[CodeRow]:
        return [r for r in self.rows if r.shift is None]


def codes_report(raw: RawRoster, legend: dict[str, Shift], config: str | None) -> CodesReport:
    """Every code in ``raw`` with its meaning under ``legend`` (built-in, legend sheet, config)."""
    rows = []
    for use in code_uses(raw, legend):
        shift = legend.get(use.code)
        rows.append(CodeRow(use, shift, _times(shift, raw.layout, legend) if shift else ""))
    return CodesReport(raw.path, config, raw.layout, rows)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _times(s: Shift, layout: str, legend: dict[str, Shift]) -> str:
    """The times a check gives this code on this layout, in words."""
    if layout == "half-day" and s.kind in ("work", "wellness"):
        from rostercheck.timeline import slot_times

        (a0, a1), (p0, p1) = slot_times(legend)["AM"], slot_times(legend)["PM"]
        return f"AM {_hhmm(a0)}-{_hhmm(a1)} / PM {_hhmm(p0)}-{_hhmm(p1)}"
    if s.start is not None and s.length is not None:
        end = s.start + s.length
        nxt = " next day" if end > 1440 or s.length == 1440 else ""
        return f"{_hhmm(s.start)}-{_hhmm(end)}{nxt}"
    if s.kind == "work":
        return f"{_hhmm(WHOLE_DAY_DEFAULT[0])}-{_hhmm(sum(WHOLE_DAY_DEFAULT))} (untimed work)"
    if s.kind == "home-call" and s.counted_hours:
        return f"counts {s.counted_hours:g} h"
    return "whole day"


def render_codes_text(report: CodesReport) -> str:
    head = f"{report.path}: {plural(len(report.rows), 'code')} in use"
    head += f" (config: {report.config})" if report.config else " (no config: built-in legend)"
    if not report.rows:
        return head + "\n"
    width = max(4, *(len(r.use.code) for r in report.rows))
    where_w = max(8, *(len(r.use.where) for r in report.rows))
    lines = [head, "", f"{'code':<{width}}  {'cells':>6}  {'first at':<{where_w}}  meaning"]
    for r in report.rows:
        s = r.shift
        if s is None:
            meaning = "NOT DEFINED"
        else:
            desc = f" {s.description}," if s.description else ""
            meaning = f"{s.kind},{desc} {r.times} [{s.origin}]"
        lines.append(f"{r.use.code:<{width}}  {r.use.cells:>6}  {r.use.where:<{where_w}}  {meaning}")
    bad = report.undefined
    lines.append("")
    if bad:
        names = ", ".join(r.use.code for r in bad)
        lines.append(
            f"{plural(len(bad), 'code')} not defined: {names}. Define "
            f"{'them' if len(bad) > 1 else 'it'} under [shifts] in {CONFIG_NAME} (`rostercheck init` drafts one "
            "with every code)."
        )
    else:
        lines.append("Every code is defined.")
    return "\n".join(lines) + "\n"


def render_codes_json(report: CodesReport) -> str:
    doc = {
        "roster": report.path,
        "config": report.config,
        "layout": report.layout,
        "codes": [r.as_dict() for r in report.rows],
        "undefined": [r.use.code for r in report.undefined],
    }
    return json.dumps(doc, indent=2) + "\n"


# ========================================================================================= init
@dataclass
class Entry:
    """One code in the draft's ``[shifts]``: its guessed entry and what the user must know."""

    use: CodeUse
    spec: dict[str, str] | None  # None: the workbook's legend sheet defines it
    status: str  # "sure", "confirm", "todo", "legend"
    note: str = ""
    other: dict[str, str] | None = None


@dataclass
class Suggestion:
    """A ``rows`` filter for a role column that mixes residents with others."""

    column: str  # as written in the config: the header text, else the letter
    letter: str
    header: str
    match: list[str]
    kept: dict[str, int]  # value -> rows kept
    left: dict[str, int]  # value -> rows left out ("" for blank)


@dataclass
class Draft:
    """Everything ``init`` found, and the config it writes."""

    roster: str
    inspection: Inspection  # before any suggested filter: every section title and marker row
    options: RosterOptions
    raw: RawRoster
    entries: list[Entry]
    filter: Suggestion | None = None
    left_out_codes: list[CodeUse] = field(default_factory=list)
    legend_codes: dict[str, Shift] = field(default_factory=dict)
    year_from: str = ""  # the title text the year was read from, when the dates have none

    @property
    def sheets(self) -> list[SheetInfo]:
        return self.inspection.sheets

    def by_status(self, status: str) -> list[Entry]:
        return [e for e in self.entries if e.status == status]


def init_target(roster: str, output: str | None) -> Path:
    """Where ``init`` writes: ``--output``, else ``rostercheck.toml`` beside the roster; never over a file."""
    target = Path(output) if output else Path(roster).resolve().parent / CONFIG_NAME
    if target.exists():
        if Path(roster).exists() and target.resolve() == Path(roster).resolve():
            raise InputError("--output must not be an input file; rostercheck never overwrites an input",
                             file=str(output))  # fmt: skip
        raise InputError(
            "already exists; init never overwrites a config (edit it, or give --output for a new file)",
            file=str(output) if output else os.path.relpath(target) if _inside_cwd(target) else str(target),
        )
    return target


def _inside_cwd(p: Path) -> bool:
    try:
        p.resolve().relative_to(Path.cwd().resolve())
        return True
    except ValueError:
        return False


def draft(roster: str, options: RosterOptions) -> Draft:
    """Read ``roster`` as a first-time user's file and work out the config that reads it."""
    year_from = ""
    try:
        first = inspect_roster(roster, options)
    except InputError as exc:  # "7/1" dates: the title row usually says the year
        found = _title_year(roster, exc.sheet) if options.year is None and "has no year" in exc.message else None
        if found is None:
            raise
        options = replace(options, year=found[0])
        year_from = found[1]
        first = inspect_roster(roster, options)
    inferred = next((i for i in first.sheets if i.inferred_year is not None), None)
    if options.year is None and inferred is not None:
        # the reader inferred the year from weekday labels, which only works near today: write it down,
        # from the title if it says the same year
        found = _title_year(roster, inferred.sheet)
        if found is not None and found[0] == inferred.inferred_year:
            year_from = found[1]
        else:
            year_from = f"the weekday labels of sheet {inferred.sheet!r}" if inferred.sheet else "the weekday labels"
        options = replace(options, year=inferred.inferred_year)
        first = inspect_roster(roster, options)
    suggestion = None if options.rows is not None else suggest_filter(first.sheets)
    final = replace(options, rows=RowFilter(suggestion.column, tuple(suggestion.match))) if suggestion else options
    raw = read_roster(roster, final)  # strictly, as check will: any error is the user's to see now
    sheet_rows = [r for r in raw.legend if r.source is not None and r.source.cell]  # not [roster] am/pm
    legend_codes, described = _legend_meanings(sheet_rows)
    known = {*guessed_codes(), *legend_codes}
    uses = code_uses(raw, known)
    entries = [_entry(u, uses, raw.layout, legend_codes, described) for u in uses]
    kept = {u.code for u in uses}
    left_out = [u for u in code_uses(first.roster, known) if u.code not in kept] if suggestion else []
    return Draft(roster, first, final, raw, entries, suggestion, left_out, legend_codes, year_from)


_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _year_source(year_from: str) -> str:
    """Where the year came from, as the summary and the config comment say it."""
    return year_from if year_from.startswith("the weekday labels") else repr(year_from)


def _title_year(roster: str, sheet_name: str | None) -> tuple[int, str] | None:
    """The first year written in the title rows of the sheet whose dates lack one: (year, the text)."""
    from rostercheck.read.cells import cell_text
    from rostercheck.read.source import open_book

    sheet = open_book(roster).sheet(sheet_name, 12)
    for row in sheet.values:
        for value in row:
            if isinstance(value, str) and (m := _YEAR.search(text := cell_text(value))):
                return int(m.group(1)), text
    return None


def suggest_filter(sheets: list[SheetInfo]) -> Suggestion | None:
    """A ``rows`` filter when a role-like column holds training levels and other roles.

    The ROLE column of a program sheet says ``PGY 1``, ``FAC``, ``MS3``: only the levels are
    residents. The patterns are built from the level values (``PGY 1`` -> ``PGY*``) and checked to
    match none of the other values; if a pattern would, the exact values are used instead.
    """
    best: Suggestion | None = None
    for info in sheets:
        columns = dict(info.labels)
        for letter, header in (info.columns.get(k, (None, "")) for k in ("role", "pgy")):
            if letter is not None and letter not in columns:
                columns[letter] = (header, [])
        for letter, (header, values) in columns.items():
            key = H.header_key(header)
            pgy_header = key in H.PGY
            levels = [v for v in values if _is_level(v, pgy_header)]
            others = [v for v in values if not _is_level(v, pgy_header)]
            if not levels or not [v for v in others if v]:
                continue
            rank = (key in H.ROLE or pgy_header, len(levels))
            if best is not None and (H.header_key(best.header) in H.ROLE | H.PGY, sum(best.kept.values())) >= rank:
                continue
            match = _patterns(levels, others)
            usable = header and sum(H.header_key(h) == key for h, _ in columns.values()) == 1
            best = Suggestion(
                column=header if usable else letter,
                letter=letter,
                header=header,
                match=match,
                kept=_tally(levels),
                left=_tally(others),
            )
    return best


#: Role values that mark a resident without naming a level (a ``type`` column of ``RES``/``FAC``).
_RESIDENT_WORDS = frozenset({"res", "resident", "residents", "housestaff", "house staff", "trainee"})


def _is_level(value: str, pgy_header: bool) -> bool:
    return (
        level_from_label(value) is not None
        or (pgy_header and value.isdigit() and 1 <= int(value) <= 12)
        or value.strip().lower() in _RESIDENT_WORDS
    )


def _tally(values: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def _patterns(levels: list[str], others: list[str]) -> list[str]:
    pats: list[str] = []
    for v in levels:
        m = re.match(r"[A-Za-z]+", v)
        if m is None:
            p = "[0-9]*"
        elif m.group().lower().startswith("intern"):
            p = "Intern*"
        elif len(m.group()) >= 2:
            p = f"{m.group().upper()}*"
        else:
            p = f"{m.group().upper()}[0-9]*"
        if p not in pats:
            pats.append(p)
    matches = compile_patterns(pats)
    if any(matches(v) for v in others) or not all(matches(v) for v in levels):
        pats = list(dict.fromkeys(levels))
    return pats


def _legend_meanings(rows: list[LegendRow]) -> tuple[dict[str, Shift], dict[str, tuple[str, str]]]:
    """What a workbook's legend sheet says: meanings where a row gives a kind or times (a row that
    cannot be used is left to the draft, never an abort), and every description as evidence:
    code -> (description, cell). ``C = Clinic`` is a description, not a meaning: it decides which
    of C's two common readings the draft defaults to."""
    meanings: dict[str, Shift] = {}
    described: dict[str, tuple[str, str]] = {}
    for row in rows:
        code = normalise_code(row.code)
        where = f"{row.source.sheet}!{row.source.cell}" if row.source and row.source.sheet else (
            row.source.cell if row.source else "")  # fmt: skip
        if row.description:
            described[code] = (row.description, where or "")
        if row.kind is None and row.start in (None, "") and row.end in (None, "") and row.hours is None:
            continue
        try:
            meanings.update(legend_from_rows([row]))
        except InputError:
            continue  # the draft gives the code a [shifts] entry instead
    return meanings, described


def _entry(
    use: CodeUse, uses: list[CodeUse], layout: str, legend_codes: dict[str, Shift],
    described: dict[str, tuple[str, str]] | None = None,
) -> Entry:  # fmt: skip
    if use.code in legend_codes:
        return Entry(use, None, "legend")
    said = (described or {}).get(use.code)
    guess = guess_code(use.code)
    if guess is None:
        if said is not None:
            kind, _ = guess_kind("", said[0])
            spec = {"kind": kind if kind not in ("call", "night") else "work", "description": said[0]}
            note = f"the legend sheet calls it {said[0]!r} ({said[1]}), counted as {spec['kind']} until you confirm"
            return Entry(use, spec, "todo", note)
        return Entry(use, {"kind": "work"}, "todo", "unknown code, counted as work until you say what it is")
    if not guess.doubt:
        return Entry(use, dict(guess.spec), "sure")
    spec, other, why = _disambiguate(use, guess, {u.code for u in uses}, layout, said)
    return Entry(use, spec, "confirm", f"{guess.doubt}; {why}", other)


def _disambiguate(
    use: CodeUse, guess: Guess, in_use: set[str], layout: str, said: tuple[str, str] | None = None
) -> tuple[dict, dict | None, str]:
    """Pick one meaning of an ambiguous code from the roster itself (the workbook's own legend
    first); say why, with the evidence both ways."""
    first, other = dict(guess.spec), dict(guess.other) if guess.other else None
    code = use.code
    if said is not None and other is not None:
        picked = _legend_pick(said[0], first, other)
        if picked is not None:
            chosen, rest = picked
            fact = _c_evidence(code, in_use, layout)
            also = f"; other evidence: {fact}" if fact else ""
            return chosen, rest, f"defaulted to what the workbook's legend sheet says, {said[0]!r} ({said[1]}){also}"
    if code == "C" and other is not None:
        if in_use & _CLINIC_CODES or {"PC", "POST"} & in_use:
            near = sorted(in_use & (_CLINIC_CODES | {"PC", "POST"}))
            return first, other, f"guessed call because {', '.join(near)} {'is' if len(near) == 1 else 'are'} in use"
        if layout == "half-day":
            return other, first, "guessed clinic: a half-day grid without another clinic code"
        return first, other, "guessed call"
    if code == "W" and other is not None:
        # most of its cells (over half) on a Saturday or Sunday, as docs/onboarding.md promises; a
        # program marking Fri-Sun weekends (67%) means weekend, wellness half-days fall on weekdays
        share = round(use.weekend * 100)
        if use.weekend > 0.5:
            return other, first, (f"guessed weekend: {share}% of its cells are on a Saturday or Sunday "
                                  f"({100 - share}% on weekdays)")
        return first, other, (f"guessed wellness: {100 - share}% of its cells are on weekdays "
                              f"({share}% on a Saturday or Sunday)")
    if code == "LD" and other is not None and layout == "half-day":
        return other, first, "guessed labor and delivery: a half-day grid"
    return first, other, f"guessed {first.get('description', first.get('kind', 'work'))}"


def _legend_pick(description: str, first: dict, other: dict) -> tuple[dict, dict] | None:
    """Which of two meanings a legend description names ("Clinic" -> clinic), or None."""
    text = description.lower()
    for chosen, rest in ((first, other), (other, first)):
        words = {str(chosen.get("description", "")).lower(), str(chosen.get("kind", ""))}
        key_words = {w for phrase in words for w in re.findall(r"[a-z]{4,}", phrase)} - {"hour", "house"}
        if any(w in text for w in key_words):
            return dict(chosen), dict(rest)
    return None


def _c_evidence(code: str, in_use: set[str], layout: str) -> str:
    """What the roster itself says about ``C``, whichever way it points, so CONFIRM shows both sides."""
    if code != "C":
        return ""
    facts = []
    post = sorted(in_use & {"PC", "POST"})
    facts.append(f"{', '.join(post)} (post-call) in use, as after call" if post else "no post-call code in use")
    clinic = sorted(in_use & _CLINIC_CODES)
    if clinic:
        facts.append(f"{', '.join(clinic)} already mean{'s' if len(clinic) == 1 else ''} clinic")
    if layout == "half-day":
        facts.append("a half-day grid")
    return ", ".join(facts)


# ---------------------------------------------------------------------------------- the toml file
def _key(code: str) -> str:
    return code if _BARE_KEY.match(code) else json.dumps(code, ensure_ascii=False)


def _table(spec: dict[str, str]) -> str:
    if set(spec) == {"kind"}:
        return json.dumps(spec["kind"])
    order = [k for k in ("start", "end", "hours", "kind", "description") if k in spec]
    return "{ " + ", ".join(f"{k} = {json.dumps(spec[k], ensure_ascii=False)}" for k in order) + " }"


def _where(use: CodeUse, several_sheets: bool) -> str:
    return f"{plural(use.cells, 'cell')}, first at {use.where if several_sheets else use.cell}"


def _rows_text(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows[:6]) + (f" and {len(rows) - 6} more" if len(rows) > 6 else "")


def render_config(d: Draft, given: RosterOptions) -> str:
    """The commented ``rostercheck.toml``: valid as written, every guess explained."""
    name = os.path.basename(d.roster)
    info = d.sheets[0] if d.sheets else None
    several = len(d.sheets) > 1
    out = [
        f"# rostercheck configuration drafted by `rostercheck init` from {name}.",
        "#",
        "# It is valid as written: `rostercheck check` runs with it now. Before trusting the results:",
        "#   1. Read every line marked CONFIRM: a code that means different things in different programs.",
        "#   2. Read every line marked TODO: a code rostercheck does not know. It counts as ordinary work",
        "#      (the session's times on a half-day grid, else 08:00-17:00) until you give its kind.",
        "#   3. Check the [roster] values below; they describe this file.",
        "# Every key is explained in docs/config.md; `rostercheck codes ROSTER` lists the codes in use.",
        "",
        "# Rule sets: \"acgme\" (duty hours), \"wellness\" (protected time), or both: [\"acgme\", \"wellness\"].",
        'preset = "acgme"',
        "",
        "[roster]",
        "# How to read the workbook, as detected. A line you delete is detected again on each run, which",
        "# suits a next block laid out differently; a line you keep must match every roster in this folder.",
    ]
    if info is not None:
        sheets = [s.sheet for s in d.sheets if s.sheet is not None]
        if sheets:
            value = json.dumps(sheets[0]) if len(sheets) == 1 else json.dumps(sheets)
            if given.sheet:
                out.append(f"sheet = {value}")
            else:
                out.append(f"# sheet = {value}        # detected; name it if a workbook has several")
        layout_words = {"grid": "one column per date", "half-day": "two columns (AM and PM) per date",
                        "long": "one row per assignment", "duty-list": "one row per date, one column per duty",
                        "transposed": "one row per date, one column per resident"}  # fmt: skip
        out.append(f'layout = "{info.layout}"        # {layout_words[info.layout]}')
        if info.layout in ("duty-list", "transposed"):
            out += _date_first_lines(d, info)
        elif info.layout != "long":
            extras = []
            if info.weekday_row:
                extras.append(f"weekday names in row {info.weekday_row}")
            if info.slot_row and info.slot_row != info.header_row:
                extras.append(f"AM/PM in row {info.slot_row}")
            tail = f" ({', '.join(extras)})" if extras else ""
            if info.date_row and info.date_row != info.header_row:
                out.append(f"date-row = {info.date_row}        # the dates{tail}")
                tail = ""
            heads = _header_names(info)
            out.append(f"header-row = {info.header_row}        # the column names: {heads or 'names'}{tail}")
        else:
            out.append(f"header-row = {info.header_row}")
        if "name" in info.columns:
            letter, header = info.columns["name"]
            out.append(f"name-column = {json.dumps(header or letter)}        # column {letter}")
        attrs = [f"{_ATTR_WORDS[what]} in column {info.columns[what][0]} ({info.columns[what][1]})"
                 for what in _ATTR_WORDS if what in info.columns]  # fmt: skip
        if attrs:
            out.append(f"# Read as attributes (for applies-to in rules): {'; '.join(attrs)}.")
        if d.year_from:
            source = _year_source(d.year_from)
            out.append(f"year = {d.options.year}        # CONFIRM: the dates have no year; read from {source}")
        elif d.options.year is not None:
            out.append(f"year = {d.options.year}        # the year of the first date")
        if d.filter is not None:
            f = d.filter
            kept = ", ".join(f"{v} ({n})" for v, n in f.kept.items())
            left = ", ".join(f"{v or 'blank'} ({n})" for v, n in f.left.items())
            out += [
                f"# Column {f.letter} ({f.header or 'no header'}) mixes residents with others. Only rows matching",
                "# `match` are read (globs, case-blind; \"re:...\" for a regular expression):",
                f"#   kept: {kept}",
                f"#   left out: {left}",
                f"rows = {{ column = {json.dumps(f.column)}, match = {json.dumps(f.match)} }}",
            ]
        elif given.rows is not None:
            rows = given.rows
            out.append(f"rows = {{ column = {json.dumps(rows.column)}, match = {json.dumps(list(rows.match))} }}")
        if info.layout == "half-day":
            am = f"{given.am[0]}-{given.am[1]}" if given.am else None
            pm = f"{given.pm[0]}-{given.pm[1]}" if given.pm else None
            out += [
                "# Times of the AM and PM columns, given to work and wellness codes (call, night and home",
                "# call keep their own):",
                f'am = "{am}"' if am else '# am = "08:00-12:00"',
                f'pm = "{pm}"' if pm else '# pm = "13:00-17:00"',
            ]
        skipped = _skipped(d.sheets)
        if skipped:
            out.append("# Skipped while reading (nothing to set):")
            out += [f"#   {s}" for s in skipped]
    out = _align(out, "        # ")
    out += [
        "",
        "[shifts]",
        "# Every code in the rows read, most used first, with its count and first cell.",
        "# kind: work, call (in-house), night, home-call, off, leave, wellness; start/end \"HH:MM\" (an end",
        "# at or before the start is the next day). A cell may hold several codes (CL/DID).",
    ]
    if d.raw.layout == "half-day":
        out.append("# On this half-day grid, work and wellness codes take the AM/PM times, whatever their own.")
    if d.raw.duties is not None:
        out += ["# One entry per duty column, named as its header: give each duty's start, end and kind",
                "# (a duty split \"A (AM) B (PM)\" gives each half its session, [roster] am/pm)."]
    width = min(72, max((len(f"{_key(e.use.code)} = {_table(e.spec)}") for e in d.entries if e.spec), default=0))
    for e in d.entries:
        where = _where(e.use, several)
        if e.status == "legend":
            s = d.legend_codes[e.use.code]
            out.append(f"# {_key(e.use.code)}: from the workbook's legend sheet ({s.kind}"
                       f"{', ' + s.description if s.description else ''}); {where}")  # fmt: skip
            continue
        assert e.spec is not None
        if e.status == "confirm":
            out.append(f"# CONFIRM {e.use.code}: {e.note}.")
            if e.other is not None:
                out.append(f"#   if it means {e.other.get('description', e.other['kind'])}: "
                           f"{_key(e.use.code)} = {_table(e.other)}")  # fmt: skip
        line = f"{_key(_written(d, e.use.code))} = {_table(e.spec)}"
        tag = "  TODO: what is it? give its kind" if e.status == "todo" else ""
        if e.status == "todo" and e.note.startswith("the legend sheet"):
            tag = f"  TODO: confirm its kind ({e.note.split(' (')[0].replace('the legend sheet calls it', 'legend:')})"
        out.append(f"{line:<{width}}  # {where}{tag}")
    if d.left_out_codes:
        shown = ", ".join(f"{u.code} ({u.cells})" for u in d.left_out_codes[:20])
        more = f" and {len(d.left_out_codes) - 20} more" if len(d.left_out_codes) > 20 else ""
        out += [
            "",
            "# Codes only in rows the `rows` filter leaves out (faculty, students); not needed while it stays:",
            f"# {shown}{more}",
        ]
    return "\n".join(out) + "\n"


def _written(d: Draft, code: str) -> str:
    """A duty list's duty as its header is written ("Night float"), else the code."""
    if d.raw.duties is None:
        return code
    return next((h for h in dict.fromkeys(d.raw.duties["duty"].tolist()) if normalise_code(h) == code), code)


def _date_first_lines(d: Draft, info: SheetInfo) -> list[str]:
    """``[roster]`` lines of a duty list or transposed grid: the header row, and people to add."""
    heads = " | ".join([info.columns["date"][1] or "(dates)", *(h for h, _ in info.labels.values())])
    out = [f"header-row = {info.header_row}        # the column names: {heads}"]
    if d.raw.layout == "duty-list":
        out += [
            "# Everyone named in a duty cell is a resident. To add a training year, team or role, or people",
            "# who hold no duty this month (a repair may give them duties), list them (or give the path of",
            "# a people sheet or csv with Name, PGY and Team columns):",
            '# people = [{ name = "Avery Chen", pgy = 2, team = "A" }]',
        ]
    return out


def _align(lines: list[str], gap: str) -> list[str]:
    """Line up the trailing comments of the lines holding ``gap`` (the keys of ``[roster]``)."""
    width = max((len(ln.split(gap)[0]) for ln in lines if gap in ln), default=0)
    return [f"{ln.split(gap)[0]:<{width}}  # {ln.split(gap, 1)[1]}" if gap in ln else ln for ln in lines]


def _header_names(info: SheetInfo) -> str:
    """``TEMPLATE | ROLE | PROVIDER``: the named columns left of the dates, in sheet order."""
    named = {letter: header for letter, (header, _) in info.labels.items()}
    named[info.columns["name"][0]] = info.columns["name"][1]
    order = sorted(named, key=lambda letter: (len(letter), letter))
    return " | ".join(named[k] for k in order if named[k])


def _skipped(sheets: list[SheetInfo]) -> list[str]:
    out: list[str] = []
    for info in sheets:
        at = f"sheet {info.sheet!r}: " if len(sheets) > 1 and info.sheet else ""
        if info.sections:
            titles = ", ".join(repr(t) for _, t in info.sections[:4]) + (", ..." if len(info.sections) > 4 else "")
            out.append(f"{at}{plural(len(info.sections), 'section title')} ({titles})")
        if info.nameless:
            out.append(f"{at}{noun(len(info.nameless), 'row')} {_rows_text(info.nameless)} with codes but no name")
        placeholders = [r for r in info.skipped if r.reason == "placeholder"]
        if placeholders:
            names = ", ".join(repr(r.text) for r in placeholders[:4]) + (", ..." if len(placeholders) > 4 else "")
            n = len(placeholders)
            out.append(f"{at}{plural(n, 'placeholder row')} without codes ({names})")
        if info.after_dates:
            heads = ", ".join(h for _, h in info.after_dates if h)
            letters = f"{info.after_dates[0][0]}-{info.after_dates[-1][0]}" if len(info.after_dates) > 1 else (
                info.after_dates[0][0])
            out.append(f"{at}columns {letters} after the last date" + (f" ({heads})" if heads else ""))
    return out


def check_draft(text: str, roster: str, given: RosterOptions) -> None:
    """The draft must load and define every code it reads: ``init`` promises ``check`` runs."""
    import tomllib

    from rostercheck.check import legend_for
    from rostercheck.config import parse

    cfg = parse(tomllib.loads(text), path=CONFIG_NAME)
    raw = read_roster(roster, cfg.roster)
    legend = legend_for(raw, cfg)
    missing = [u.code for u in code_uses(raw, legend) if u.code not in legend]
    if missing:  # a bug in init, not in the user's file
        raise AssertionError(f"the drafted config leaves codes undefined: {missing}")


def render_summary(d: Draft, target: str, then: str) -> str:
    """What ``init`` found and what the user must still decide, for the terminal."""
    lines = [f"rostercheck init: read {d.roster}"]
    for info in d.sheets:
        span = f", {info.dates[0].isoformat()} to {info.dates[1].isoformat()}" if info.dates else ""
        words = {"grid": "a whole-day grid", "half-day": "a half-day grid (AM and PM columns under each date)",
                 "long": "a long table (one row per assignment)",
                 "duty-list": "a duty list (one row per date, a name under each duty)",
                 "transposed": "a transposed grid (dates down, residents across)"}[info.layout]  # fmt: skip
        lines.append(f"  sheet {info.sheet!r}: {words}{span}" if info.sheet else f"  {words}{span}")
        if info.layout in ("duty-list", "transposed"):
            lines.append(f"    dates in column {info.columns['date'][0]}, column names in row {info.header_row}")
        elif info.layout != "long":
            parts = [f"dates in row {info.date_row}"]
            if info.weekday_row:
                parts.append(f"weekday names in row {info.weekday_row}")
            if info.slot_row and info.slot_row != info.header_row:
                parts.append(f"AM/PM in row {info.slot_row}")
            parts.append(f"column names in row {info.header_row}")
            lines.append("    " + ", ".join(parts))
        cols = [f"names in column {info.columns['name'][0]} ({info.columns['name'][1] or 'no header'})"] if (
            "name" in info.columns) else []
        cols += [f"{_ATTR_WORDS[w]} in column {info.columns[w][0]} ({info.columns[w][1]})"
                 for w in _ATTR_WORDS if w in info.columns]  # fmt: skip
        if cols:
            lines.append("    " + ", ".join(cols))
        for s in _skipped([info]):
            lines.append(f"    skipped: {s}")
    if d.inspection.other_sheets:
        shown = ", ".join(repr(s) for s in d.inspection.other_sheets)
        lines.append(f"  also roster-like, not read: {shown} (not named by --sheet, or no residents yet)")
    n = len(d.raw.residents)
    if d.filter is not None:
        f = d.filter
        left = sum(f.left.values())
        lines.append(
            f"  {plural(n, 'resident')} kept by rows = {{ column = {json.dumps(f.column)}, match = "
            f"{json.dumps(f.match)} }}; {plural(left, 'other row')} ("
            + ", ".join(v or "blank" for v in f.left) + ") left out"
        )
    else:
        lines.append(f"  {plural(n, 'resident')}")
    cells = sum(e.use.cells for e in d.entries)
    sure, confirm, todo, legend = (d.by_status(s) for s in ("sure", "confirm", "todo", "legend"))
    counts = [f"{len(sure)} known"]
    if legend:
        counts.append(f"{len(legend)} from the legend sheet")
    counts += [f"{len(confirm)} to confirm", f"{len(todo)} unknown"]
    lines.append(f"  {plural(len(d.entries), 'code')} in {plural(cells, 'cell')}: " + ", ".join(counts))
    lines.append(f"wrote {target}")
    decide: list[str] = []
    for e in confirm:
        decide.append(f"  {e.use.code} ({plural(e.use.cells, 'cell')}): {e.note}")
    if todo:
        kinds = {str((e.spec or {}).get("kind", "work")) for e in todo}
        shown = ", ".join(f"{e.use.code} ({e.use.cells})" + (f" as {(e.spec or {}).get('kind')}" if kinds != {"work"}
                          else "") for e in todo)  # fmt: skip
        decide.append(
            f"  {plural(len(todo), 'unknown code')} "
            + ("counted as work: " if kinds == {"work"} else "given a kind from their legend-sheet description: ")
            + shown
            + "; say what each is under [shifts] (marked TODO)"
        )
    for w in d.raw.read.warnings if d.raw.read is not None else ():
        if "looks like a placeholder" in w.message:
            decide.append(f"  {w.sheet + '!' if w.sheet else ''}{w.cell}: {w.message}")
    if d.year_from:
        source = _year_source(d.year_from)
        decide.append(f"  year: {d.options.year}, read from {source} (the dates have none); check it")
    if d.filter is not None:
        kept = ", ".join(d.filter.kept)
        decide.append(f"  rows: only {kept} rows are checked; widen `match` if others are residents too")
    if decide:
        lines.append("You still need to decide:")
        lines += decide
    lines.append(f"Then: {then}")
    return "\n".join(lines) + "\n"
