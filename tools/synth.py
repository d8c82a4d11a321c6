"""Synthetic rosters: seeded, realistic internal-medicine rosters that break no rule, and planted
violations that a repair can undo.

Benchmarks need rosters of any size (30 to 1,500 residents, a month to a year) and the repair needs
rosters whose minimal fix is known. A random roster is neither realistic nor compliant, so the
generator builds rosters the way a chief resident does: from a handful of weekly patterns that are
compliant by construction, rotated so that every rolling window stays compliant too.

How a roster is built (why it is compliant):

* Residents come in *units* of six that rotate together through a ten-week cycle of two-week blocks:
  ward (4 weeks), clinic (2), night float (2), elective (2). Units are staggered by two weeks, so
  with five or more units every block has ward teams, a night team, a clinic and an elective.
  Residents left over (fewer than six) do research: elective-style weekdays.
* A unit is two *lanes* of three. Each service has three week patterns per lane; the resident in
  slot ``j`` plays pattern ``(j + week) mod 3``, so the three residents of a lane always cover the
  three patterns between them: daily coverage per code depends only on the weekday (one 24-hour
  call per ward team every day, four night-float residents every night per night team).
* Pattern 0 of every service keeps Saturday and Sunday free, so each resident has a golden weekend
  every third week, whatever the service: any 28-day window holds one (every fourth week would not:
  the window starting the Sunday after one ends on the Saturday of the next).
* Ward: 24-hour call (``C`` 07:00-07:00) at least four days apart, always followed by a post-call
  day (``PC``); about 72 h a week, and never more than 300 h in 28 days. Night float: at most five
  nights in a row, 56 h a week. Clinic and elective: weekdays 08:00-17:00.
* Block changes happen on Mondays and never go from nights straight to the ward: a Sunday call is
  followed by a post-call Monday and a Sunday night by a free Monday whatever the next block says.
* Vacation weeks (``V``, Monday to Friday) fall only in the second week of a clinic or elective
  block, so the weekends on both sides are free. A wellness half-day (``W``) replaces a working
  weekday at most 28 days after the previous one, so every 28-day window holds one.

The roster itself is a slice of this endless schedule starting at ``start``; rosters shorter than
28 days are refused, because the rules then judge them as one scaled window that a slice of a
compliant schedule need not pass.

``plant`` then breaks rules by swapping codes between residents on one date (so every date keeps
its count of residents per code), each plant verified with the checker itself; undoing the swaps
restores the compliant roster. ``write_xlsx`` and ``write_long_csv`` write rosters as a chief
resident would (title rows, weekday row, fills, legend sheet) or as a scheduling system exports them.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rostercheck.model import CELL_STRIDE, ENTRY_COLUMNS, LegendRow, RawRoster, Resident, Source

__all__ = [
    "KINDS",
    "Change",
    "Plant",
    "Synth",
    "generate",
    "plant",
    "save_reproducibly",
    "undo",
    "write_long_csv",
    "write_xlsx",
]

# ------------------------------------------------------------------------------------------ codes
#: Cell codes, indexed by the small integers the generator works in ("" is a blank cell).
CODES = ("", "D", "C", "PC", "NF", "CL", "EL", "OFF", "V", "W")
BLANK, D, C, PC, NF, CL, EL, OFF, V, W = range(len(CODES))
_ID = {c: i for i, c in enumerate(CODES)}

#: The program's ``[shifts]``: every code the generator writes, with its times and kind.
SHIFTS: dict[str, dict[str, Any]] = {
    "D": {"start": "07:00", "end": "19:00", "kind": "work", "description": "ward day"},
    "C": {"start": "07:00", "end": "07:00", "kind": "call", "description": "24-hour in-house call"},
    "PC": {"kind": "off", "description": "post-call (off)"},
    "NF": {"start": "19:00", "end": "07:00", "kind": "night", "description": "night float"},
    "CL": {"start": "08:00", "end": "17:00", "kind": "work", "description": "continuity clinic"},
    "EL": {"start": "08:00", "end": "17:00", "kind": "work", "description": "elective"},
    "OFF": {"kind": "off", "description": "day off"},
    "V": {"kind": "leave", "description": "vacation"},
    "W": {"start": "13:00", "end": "17:00", "kind": "wellness", "description": "wellness half-day"},
}

#: Hours a code puts on its own date and on the next (for the 28-day sums the planter needs).
_SAME_DAY = np.zeros(len(CODES))
_NEXT_DAY = np.zeros(len(CODES))
_SAME_DAY[[D, C, NF, CL, EL]] = [12, 17, 5, 9, 9]
_NEXT_DAY[[C, NF]] = [7, 7]
_WORK = (D, C, NF, CL, EL)

# ------------------------------------------------------------------------------------- patterns
WARD, CLINIC, NIGHT, ELECTIVE, RESEARCH = range(5)
SERVICE_NAMES = {WARD: "Ward", CLINIC: "Clinic", NIGHT: "Night Float", ELECTIVE: "Elective", RESEARCH: "Research"}
#: Order of teams on the sheet: inpatient first, as chiefs list them.
_SERVICE_ORDER = {WARD: 0, NIGHT: 1, CLINIC: 2, ELECTIVE: 3, RESEARCH: 4}

UNIT = 6  # residents per unit: two lanes of three
#: The ten-week cycle a unit rotates through, one service per week.
CYCLE = np.array([WARD, WARD, WARD, WARD, CLINIC, CLINIC, NIGHT, NIGHT, ELECTIVE, ELECTIVE])
#: Cycle weeks that may hold a vacation week: the second week of clinic and of elective, whose
#: Monday follows a free Sunday and whose weekends are free.
_VACATION_WEEKS = (5, 9)
#: Chances that none, one or two residents of a unit take an eligible week as vacation (about
#: two and a half weeks a year each).
VACATIONERS = (0.1, 0.4, 0.5)

# Week patterns, Monday to Sunday: [lane][pattern][weekday]. Pattern 0 holds the golden weekend.
# Ward lane P calls Tue, Sat, Thu (5, 5 and 11 days apart); lane Q Wed, Mon, Sun, Fri (5, 6, 5, 5):
# together exactly one call every day, and weeks of 60, 72 and 84 h.
_WARD_WEEKS = [
    [[D, C, PC, D, D, OFF, OFF], [D, D, D, D, OFF, C, PC], [D, D, D, C, PC, D, D]],
    [[D, D, C, PC, D, OFF, OFF], [C, PC, D, D, D, OFF, C], [PC, D, D, D, C, PC, D]],
]
# Night float: two residents per lane every night, runs of at most five nights, 56 h a week.
NIGHT_WEEKS = [[OFF, NF, NF, NF, OFF, OFF, OFF], [NF, NF, OFF, OFF, NF, NF, NF], [NF, OFF, NF, NF, NF, NF, NF]]
_CLINIC_WEEK = [CL, CL, CL, CL, CL, OFF, OFF]
_ELECTIVE_WEEK = [EL, EL, EL, EL, EL, OFF, OFF]

_TABLE = np.zeros((5, 2, 3, 7), dtype=np.int8)  # [service, lane, pattern, weekday]
_TABLE[WARD] = _WARD_WEEKS
_TABLE[NIGHT] = [NIGHT_WEEKS, NIGHT_WEEKS]
_TABLE[CLINIC] = _CLINIC_WEEK
_TABLE[ELECTIVE] = _ELECTIVE_WEEK
_TABLE[RESEARCH] = _ELECTIVE_WEEK

MIN_DAYS = 28
PROGRAMS = ("im",)

# ----------------------------------------------------------------------------------- workbook
#: Where the xlsx writer puts things (1-based rows and columns), which ``Synth.raw`` mirrors so that
#: reading the workbook and calling ``raw`` address the same cells.
TITLE_ROW, SUBTITLE_ROW, WEEKDAY_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 4, 5, 6
FIRST_DATE_COL = 4  # column D: after Resident, PGY, Team
ROSTER_SHEET = "Roster"
LEGEND_SHEET = "Legend"
#: Above this many residents the workbook skips per-cell fills (openpyxl styles cost time and memory).
FILL_LIMIT = 200

_FIRST_NAMES = (
    "Aaliyah", "Aarav", "Abigail", "Adebayo", "Aisha", "Alejandro", "Alexei", "Amara", "Amir", "Ana", "Andre",
    "Anika", "Arjun", "Ava", "Beatriz", "Benjamin", "Bianca", "Caleb", "Camila", "Carlos", "Chen", "Chidi", "Chloe",
    "Daniel", "Deepa", "Diego", "Dmitri", "Elena", "Elijah", "Emeka", "Emily", "Ethan", "Farah", "Fatima", "Gabriel",
    "Grace", "Hana", "Hannah", "Hiro", "Ibrahim", "Imani", "Isaac", "Isabel", "Jamal", "Javier", "Jin", "Jonah",
    "Julia", "Kai", "Kavya", "Keisha", "Kenji", "Laila", "Leah", "Liam", "Lucas", "Luisa", "Maya", "Mateo", "Mei",
    "Miguel", "Nadia", "Naomi", "Nikhil", "Noah", "Olivia", "Omar", "Priya", "Rafael", "Rania", "Rohan", "Sakura",
    "Samuel", "Sara", "Sofia", "Tariq", "Tomas", "Wei", "Yara", "Yusuf", "Zara", "Zoe",
)
_LAST_NAMES = (
    "Abbott", "Adeyemi", "Aguilar", "Ahmed", "Alvarez", "Andersen", "Baker", "Banerjee", "Bauer", "Bennett",
    "Brooks", "Castillo", "Chang", "Chowdhury", "Cohen", "Costa", "Cruz", "Das", "Delgado", "Diaz", "Dubois",
    "Edwards", "Evans", "Fischer", "Flores", "Foster", "Garcia", "Gomez", "Gupta", "Haddad", "Hansen", "Hernandez",
    "Hoang", "Hughes", "Ibrahim", "Ito", "Jackson", "Jensen", "Kaur", "Kim", "Kowalski", "Kumar", "Larsen", "Lee",
    "Lopez", "Martin", "Mehta", "Mendoza", "Meyer", "Morales", "Murphy", "Nakamura", "Nguyen", "Novak", "Okafor",
    "Olsen", "Ortiz", "Park", "Patel", "Perez", "Petrov", "Price", "Quinn", "Ramirez", "Reddy", "Reyes", "Rivera",
    "Romero", "Rossi", "Sato", "Schmidt", "Shah", "Silva", "Singh", "Sokolov", "Suzuki", "Tanaka", "Torres", "Tran",
    "Turner", "Walker", "Wang", "Weber", "Williams", "Wong", "Yamamoto", "Young", "Zhang",
)


# ==================================================================================== the roster
@dataclass
class Synth:
    """A generated roster: codes by resident and date, plus who the residents are.

    ``codes`` is indexed by resident name with one column per date (``Timestamp``) and holds code
    strings, ``""`` for a blank cell. ``pgy`` and ``team`` are Series on the same index.
    """

    codes: pd.DataFrame
    pgy: pd.Series
    team: pd.Series
    seed: int = 0
    program: str = "im"
    shifts: dict[str, dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(SHIFTS))

    @property
    def residents(self) -> list[str]:
        return list(self.codes.index)

    @property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(self.codes.columns)

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.codes.columns[0])

    def config(self) -> dict[str, Any]:
        """The rostercheck.toml for this roster, as a dict: ``acgme`` + ``wellness`` and the codes."""
        return {"preset": ["acgme", "wellness"], "shifts": copy.deepcopy(self.shifts)}

    def raw(self, path: str = "synthetic.xlsx", *, sheet: str = ROSTER_SHEET) -> RawRoster:
        """The roster as the reader would return it for ``write_xlsx``'s workbook: header in row
        ``HEADER_ROW``, names in column A, dates from column D, a legend of the codes used."""
        return _raw(self.codes, self.pgy, self.team, path, sheet, legend=_legend_rows(self, path))

    def with_codes(self, codes: pd.DataFrame) -> Synth:
        return replace(self, codes=codes)

    def copy(self) -> Synth:
        return replace(self, codes=self.codes.copy(), pgy=self.pgy.copy(), team=self.team.copy())

    def used_codes(self) -> list[str]:
        """Codes present in the roster, in the legend's order (known codes first)."""
        present = set(pd.unique(self.codes.to_numpy().ravel())) - {""}
        known = [c for c in self.shifts if c in present]
        return known + sorted(present - set(known))


def _raw(
    codes: pd.DataFrame,
    pgy: pd.Series,
    team: pd.Series,
    path: str,
    sheet: str,
    legend: list[LegendRow] | None = None,
) -> RawRoster:
    """A grid RawRoster for a codes frame, cells addressed as ``write_xlsx`` lays them out."""
    n, m = codes.shape
    # packed positions, as the reader stores them (FIRST_ROW and FIRST_DATE_COL are 1-based)
    rows, cols = FIRST_ROW - 1 + np.arange(n), FIRST_DATE_COL - 1 + np.arange(m)
    cells = (rows[:, None] * CELL_STRIDE + cols[None, :]).ravel()
    names = list(codes.index)
    residents = [
        Resident(str(name), int(pgy[name]), str(team[name]), None, Source(path, sheet, f"A{FIRST_ROW + i}"))
        for i, name in enumerate(names)
    ]
    data = {
        "resident": pd.Series(np.repeat(np.arange(n, dtype=np.int64), m)),
        "date": pd.Series(np.tile(pd.DatetimeIndex(codes.columns).values.astype("datetime64[ns]"), n)),
        "slot": np.full(n * m, "", dtype=object),
        "text": codes.to_numpy(dtype=object).ravel(),
        "start": np.full(n * m, None, dtype=object),
        "end": np.full(n * m, None, dtype=object),
        "sheet": np.full(n * m, sheet, dtype=object),
        "cell": cells,
    }
    # object columns as the reader makes them (pandas would otherwise infer its string dtype)
    entries = pd.DataFrame({c: pd.Series(data[c], dtype=None if c in ("resident", "date", "cell") else object)
                            for c in ENTRY_COLUMNS})
    return RawRoster(path, residents, entries, "grid", [sheet], list(legend or []))


def _legend_rows(synth: Synth, path: str) -> list[LegendRow]:
    out = []
    for k, code in enumerate(synth.used_codes()):
        spec = synth.shifts.get(code, {})
        out.append(
            LegendRow(
                code=code,
                description=str(spec.get("description", "")),
                start=spec.get("start"),
                end=spec.get("end"),
                kind=spec.get("kind", "work"),
                hours=spec.get("hours"),
                source=Source(path, LEGEND_SHEET, f"A{k + 2}"),
            )
        )
    return out


# ==================================================================================== generation
def generate(
    residents: int,
    days: int,
    *,
    start: str | dt.date | pd.Timestamp = "2026-07-01",
    seed: int = 0,
    program: str = "im",
) -> Synth:
    """A compliant internal-medicine roster of ``residents`` people over ``days`` days from ``start``.

    ``check_raw(s.raw(), parse(s.config(), path=...))`` reports no error and no warning for any
    size, seed and start (see the module docstring for why). The same arguments always give the
    same roster. ``program`` names the program shape; only ``"im"`` exists so far. Everything is
    array arithmetic over (resident, day); only the wellness placement loops, once per four weeks,
    so 1,500 residents by 365 days take well under a second.
    """
    if program not in PROGRAMS:
        raise ValueError(f"unknown program {program!r}; expected one of {', '.join(PROGRAMS)}")
    if residents < 1:
        raise ValueError(f"residents must be at least 1, got {residents}")
    if days < MIN_DAYS:
        raise ValueError(
            f"days must be at least {MIN_DAYS}: a shorter roster is judged as one scaled window, which the "
            f"generator does not guarantee (got {days})"
        )
    rng = np.random.default_rng(seed)
    first = pd.Timestamp(start).normalize()
    # Compute from the Monday a week before the roster's first week, so that block changes and
    # calls just before the first day shape it exactly as they would in the endless schedule.
    lead = 7 + first.weekday()
    span = lead + days
    gday = np.arange(span) - 7  # days since the Monday of the roster's first week
    week, wday = gday // 7, gday % 7

    n_units, n_extra = divmod(residents, UNIT)
    shift = int(rng.integers(5))
    pos0 = 2 * ((np.arange(n_units) + shift) % 5)  # cycle week of each unit in week 0
    phase = rng.integers(3, size=n_units)
    unit = np.repeat(np.arange(n_units), UNIT)
    lane = np.tile([0, 0, 0, 1, 1, 1], n_units)
    slot = np.tile([0, 1, 2, 0, 1, 2], n_units)
    pos = (pos0[unit][:, None] + week[None, :]) % len(CYCLE)  # [R_units, span]
    service = CYCLE[pos]
    pattern = (slot[:, None] + phase[unit][:, None] + week[None, :]) % 3
    ids_units = _TABLE[service, lane[:, None], pattern, wday[None, :]]

    service_x = np.full((n_extra, span), RESEARCH)
    ids_extra = _TABLE[RESEARCH, 0, 0, wday][None, :].repeat(n_extra, axis=0)
    ids = np.vstack([ids_units, ids_extra]).astype(np.int8)
    service = np.vstack([service, service_x])
    R = ids.shape[0]

    _mend_block_changes(ids)

    # Vacation: whole weeks (Mon-Fri) in the second week of clinic or elective, none, one or two
    # residents of the unit at a time; research residents are offered one week in five.
    weeks = np.unique(week)
    monday = np.searchsorted(gday, weeks * 7).clip(max=span - 1)
    take = np.zeros((R, len(weeks)), dtype=bool)
    if n_units:
        eligible = np.isin(pos[::UNIT, monday], _VACATION_WEEKS)  # [unit, week]
        away = rng.choice(len(VACATIONERS), p=VACATIONERS, size=eligible.shape)
        turn = np.argsort(rng.random((n_units, UNIT, len(weeks))), axis=1)  # who goes first
        take[: n_units * UNIT] = ((turn < away[:, None, :]) & eligible[:, None, :]).reshape(-1, len(weeks))
    if n_extra:
        eligible_x = ((weeks[None, :] + np.arange(n_extra)[:, None]) % 5) == 4
        take[n_units * UNIT :] = eligible_x & (rng.random((n_extra, len(weeks))) < 0.7)
    week_index = np.searchsorted(weeks, week)
    vac = take[:, week_index] & (wday < 5)[None, :] & np.isin(ids, (CL, EL))
    ids[vac] = V

    ids = np.ascontiguousarray(ids[:, lead:])
    service = service[:, lead]
    _place_wellness(ids, rng)

    # Who is who: PGY levels mixed in every unit, teams named after their service on day one.
    pgy = np.empty(R, dtype=np.int64)
    if n_units:
        perm = np.argsort(rng.random((n_units, UNIT)), axis=1)
        pgy[: n_units * UNIT] = np.array([1, 1, 2, 2, 3, 3])[perm].ravel()
    pgy[n_units * UNIT :] = rng.integers(1, 4, size=n_extra)
    pos_day0 = pos[:, lead] if n_units else np.zeros(0, dtype=np.int64)
    team, rank = _teams(service, n_units, n_extra, pos_day0)
    within = np.r_[lane * 3 + slot, np.zeros(n_extra, dtype=np.int64)]
    order = np.lexsort((within, -pgy, rank))  # by team, seniors first
    names = _names(R, rng)
    dates = pd.date_range(first, periods=days, freq="D", name="Date")
    table = np.asarray(CODES, dtype=object)
    index = pd.Index(names, name="Resident")
    codes = pd.DataFrame(table[ids[order]], index=index, columns=dates)
    return Synth(
        codes=codes,
        pgy=pd.Series(pgy[order], index=index, name="PGY"),
        team=pd.Series(np.asarray(team, dtype=object)[order], index=index, name="Team"),
        seed=seed,
        program=program,
    )


def _mend_block_changes(ids: np.ndarray) -> None:
    """A call or a night never runs into the next block's Monday: post-call day or a free day instead.

    Inside a service the patterns already follow these rules; only the day after a block change
    can break them (a Sunday call before clinic, a Sunday night before elective).
    """
    prev, cur = ids[:, :-1], ids[:, 1:]
    after_call = (prev == C) & np.isin(cur, _WORK)
    cur[after_call] = PC
    after_night = (prev == NF) & np.isin(cur, (D, C, CL, EL))
    cur[after_night] = OFF


def _place_wellness(ids: np.ndarray, rng: np.random.Generator) -> None:
    """One ``W`` replacing a working weekday at most every 28 days, so every 28-day window has one.

    The first lands on a random day of the first four weeks, each next one on the latest working
    day at most 28 days after the last: as few as the rule allows, vectorised over residents.
    """
    R, days = ids.shape
    if R == 0:
        return
    ok = np.isin(ids, (D, CL, EL))
    idx = np.arange(days)
    last = np.maximum.accumulate(np.where(ok, idx, -1), axis=1)
    nxt = np.minimum.accumulate(np.where(ok, idx, days)[:, ::-1], axis=1)[:, ::-1]
    rows = np.arange(R)
    target = rng.integers(7, MIN_DAYS, size=R)
    w = last[rows, target]
    w = np.where(w >= 0, w, nxt[rows, target])
    if (w >= MIN_DAYS).any():
        raise RuntimeError("no working day for a wellness half-day in the first four weeks")
    ids[rows, w] = W
    while True:
        need = w < days - MIN_DAYS
        if not need.any():
            break
        r = rows[need]
        nw = last[r, np.minimum(w[need] + MIN_DAYS, days - 1)]
        if (nw <= w[need]).any():
            raise RuntimeError("no working day for a wellness half-day within 28 days")
        ids[r, nw] = W
        w[need] = nw


def _letters(i: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: team letters that never run out."""
    out = ""
    i += 1
    while i:
        i, rem = divmod(i - 1, 26)
        out = chr(65 + rem) + out
    return out


def _teams(service: np.ndarray, n_units: int, n_extra: int, pos: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Each unit is a team named after its service on the roster's first day ("Ward A", "Night Float").

    Returns every resident's team and the team's rank on the sheet (wards, nights, clinic,
    elective, research; within a service, the team that has just started first).
    """
    first = service[: n_units * UNIT : UNIT]
    units = sorted(range(n_units), key=lambda u: (_SERVICE_ORDER[int(first[u])], int(pos[u * UNIT]), u))
    count: dict[int, int] = {}
    for u in units:
        count[int(first[u])] = count.get(int(first[u]), 0) + 1
    label: dict[int, str] = {}
    seen: dict[int, int] = {}
    for u in units:
        s = int(first[u])
        k = seen.get(s, 0)
        seen[s] = k + 1
        label[u] = f"{SERVICE_NAMES[s]} {_letters(k)}" if s == WARD or count[s] > 1 else SERVICE_NAMES[s]
    rank_of = {u: k for k, u in enumerate(units)}
    teams = [label[u] for u in range(n_units) for _ in range(UNIT)] + [SERVICE_NAMES[RESEARCH]] * n_extra
    rank = np.r_[np.repeat([rank_of[u] for u in range(n_units)], UNIT), np.full(n_extra, n_units)]
    return teams, rank.astype(np.int64)


def _names(n: int, rng: np.random.Generator) -> list[str]:
    """Distinct fictional names, first and last drawn from many cultures."""
    total = len(_FIRST_NAMES) * len(_LAST_NAMES)
    picks = rng.choice(total, size=min(n, total), replace=False)
    names = [f"{_FIRST_NAMES[p % len(_FIRST_NAMES)]} {_LAST_NAMES[p // len(_FIRST_NAMES)]}" for p in picks]
    for k in range(len(names), n):  # more residents than name pairs: number the rest
        names.append(f"{names[k % total]} {k // total + 1}")
    return names


# ====================================================================================== planting
#: Rules ``plant`` knows how to break, each with one error-severity rule of the ``acgme`` preset.
KINDS = ("shift-length", "post-call-rest", "weekly-hours", "days-off", "call-frequency")


@dataclass(frozen=True, slots=True)
class Change:
    """One cell changed by a plant: undoing it writes ``old`` back."""

    resident: str
    date: pd.Timestamp
    old: str
    new: str


@dataclass(frozen=True)
class Plant:
    """One planted violation: the cells swapped, and the rule ``resident`` now breaks."""

    rule: str
    resident: str
    changes: tuple[Change, ...]
    note: str = ""

    @property
    def residents(self) -> list[str]:
        return list(dict.fromkeys(c.resident for c in self.changes))

    @property
    def dates(self) -> list[pd.Timestamp]:
        return sorted({c.date for c in self.changes})


def plant(
    synth: Synth, n: int, *, seed: int, kinds: Sequence[str] | None = None, tries: int = 6
) -> tuple[Synth, list[Plant]]:
    """Plant ``n`` violations by swapping codes between residents on the same date.

    Each plant makes ``check`` report at least one error of ``Plant.rule`` for ``Plant.resident``
    (verified with the checker on the residents involved). Plants touch different residents'
    rule-relevant rows, so their errors do not mask each other, and every date keeps its count of
    residents per code; undoing the changes (``undo``) gives back ``synth`` exactly. Among up to
    ``tries`` verified candidates the first whose only errors are the intended ones is preferred.
    ``kinds`` picks rules from ``KINDS``, used in turn; the default cycles through all of them.
    """
    order = list(kinds) if kinds is not None else list(KINDS)
    for k in order:
        if k not in KINDS:
            raise ValueError(f"unknown plant kind {k!r}; expected one of {', '.join(KINDS)}")
    if n < 0:
        raise ValueError("n must be at least 0")
    planter = _Planter(synth, np.random.default_rng(seed), tries)
    plants: list[Plant] = []
    for i in range(n):
        for j in range(len(order)):
            kind = order[(i + j) % len(order)]
            p = planter.plant(kind)
            if p is not None:
                plants.append(p)
                break
        else:
            raise ValueError(f"could not plant violation {i + 1} of {n}: no room left in this roster for "
                             f"{', '.join(order)}")
    return planter.result(), plants


def undo(synth: Synth, plants: Sequence[Plant]) -> Synth:
    """Write every plant's old codes back (the repair that is known to be minimal)."""
    codes = synth.codes.copy()
    rows = {name: i for i, name in enumerate(codes.index)}
    cols = {d: j for j, d in enumerate(codes.columns)}
    arr = codes.to_numpy(dtype=object, copy=True)
    for p in plants:
        for c in p.changes:
            arr[rows[c.resident], cols[c.date]] = c.old
    return synth.with_codes(pd.DataFrame(arr, index=codes.index, columns=codes.columns))


Swap = tuple[int, int, int]  # (day, resident a, resident b): a and b exchange their codes that day

#: Minutes (start, end) after the date's midnight that each code keeps busy for the free-day count.
_BUSY: dict[int, tuple[int, int]] = {D: (420, 1140), C: (420, 1860), NF: (1140, 1860), CL: (480, 1020),
                                     EL: (480, 1020), V: (0, 1440)}
_DAY = 1440
#: Candidates a plant kind looks at, at most: a few verified ones suffice, and big rosters stay fast.
_SAMPLE = 300


@dataclass
class _Candidate:
    """A proposed plant: new codes for some rows, the resident who should break ``kind``."""

    victim: int
    rows: list[int]
    ids: np.ndarray  # new codes of ``rows`` over the whole roster
    note: str
    extra: tuple[str, ...] = ()  # other rules the victim may break as well and still count as clean
    reserve: tuple[int, ...] = ()  # rows nobody else may touch afterwards


class _Planter:
    """State of a planting run: the codes so far, who is spoken for, and the checker for proofs."""

    def __init__(self, synth: Synth, rng: np.random.Generator, tries: int) -> None:
        from rostercheck.config import parse

        self.synth = synth
        self.rng = rng
        self.tries = tries
        values = synth.codes.to_numpy(dtype=object)
        uniq, inv = np.unique(values.ravel().astype(str), return_inverse=True)
        extra = [u for u in uniq if u not in _ID]
        self.table = np.asarray([*CODES, *extra], dtype=object)
        lookup = {**_ID, **{u: len(CODES) + k for k, u in enumerate(extra)}}
        self.ids = np.asarray([lookup[u] for u in uniq], dtype=np.int16)[inv].reshape(values.shape)
        self.names = list(synth.codes.index)
        self.team = synth.team.reindex(synth.codes.index).to_numpy(dtype=object)
        self.members = {t: np.flatnonzero(self.team == t) for t in pd.unique(self.team)}
        self.weekday = pd.DatetimeIndex(synth.codes.columns).day_of_week.to_numpy()
        self.R, self.D = self.ids.shape
        self.victims: set[int] = set()  # rows whose violations a plant relies on: nobody else touches them
        self.changed: set[int] = set()  # rows with any change
        self.touched: set[tuple[int, int]] = set()  # (row, day) cells changed
        self.cfg = parse(synth.config(), path="synth")

    # ------------------------------------------------------------------ bookkeeping
    def result(self) -> Synth:
        codes = pd.DataFrame(self.table[self.ids], index=self.synth.codes.index, columns=self.synth.codes.columns)
        return self.synth.with_codes(codes)

    def free_victim(self, r: int) -> bool:
        return r not in self.changed and r not in self.victims

    def free_donor(self, r: int, d: int) -> bool:
        return r not in self.victims and (r, d) not in self.touched

    def donor(
        self, d: int, codes: tuple[int, ...], prefer: int | None = None, exclude: Sequence[int] = ()
    ) -> int | None:
        """A resident holding one of ``codes`` on day ``d`` who may give it up (a teammate of
        ``prefer`` if one can), picked at random; None if nobody can.

        A donor only ever gives work away (it receives a day off or a post-call day), which can
        break no rule, so donors may serve several plants on different days.
        """
        rows = np.flatnonzero(np.isin(self.ids[:, d], codes))
        if not len(rows):
            return None
        rows = np.roll(rows, -int(self.rng.integers(len(rows))))
        if prefer is not None:
            rows = rows[np.argsort(self.team[rows] != self.team[prefer], kind="stable")]
        for r in rows.tolist():
            if self.free_donor(r, d) and r not in exclude:
                return r
        return None

    def swapped(self, victim: int, swaps: list[Swap], note: str, extra: tuple[str, ...] = ()) -> _Candidate:
        rows = sorted({victim, *(r for _, a, b in swaps for r in (a, b))})
        at = {r: k for k, r in enumerate(rows)}
        ids = self.ids[rows].copy()
        for d, a, b in swaps:
            ids[at[a], d], ids[at[b], d] = ids[at[b], d], ids[at[a], d]
        return _Candidate(victim, rows, ids, note, extra)

    # ------------------------------------------------------------------ proof
    def findings(self, rows: Sequence[int], ids: np.ndarray, lo: int, hi: int) -> set[tuple[str, str, str]]:
        """(rule, resident, severity) of every finding on these rows' codes over days [lo, hi).

        Residents are independent for every rule but coverage, so checking the few rows involved
        over the days whose 28-day windows the plant touches is as good as checking the roster.
        """
        from rostercheck.check import check_raw

        names = [self.names[r] for r in rows]
        codes = pd.DataFrame(self.table[ids[:, lo:hi]], index=names, columns=self.synth.codes.columns[lo:hi])
        raw = _raw(codes, self.synth.pgy, self.synth.team, "plant.xlsx", ROSTER_SHEET)
        result = check_raw(raw, self.cfg)
        return {(f.rule, f.resident or "", f.severity) for f in result.findings}

    def plant(self, kind: str) -> Plant | None:
        """The first candidate whose only error is the intended one and that leaves everyone else
        without even a warning; else the best of ``tries`` verified ones (intended error alone,
        then with its expected side effects, then anything)."""
        best: tuple[int, _Candidate] | None = None
        valid = 0
        for cand in getattr(self, "_" + kind.replace("-", "_"))():
            diff = cand.ids != self.ids[cand.rows]
            if not diff.any():
                continue
            days = np.flatnonzero(diff.any(axis=0))
            lo, hi = max(0, int(days[0]) - MIN_DAYS), min(self.D, int(days[-1]) + MIN_DAYS + 1)
            found = self.findings(cand.rows, cand.ids, lo, hi)
            victim = self.names[cand.victim]
            errs = {(rule, who) for rule, who, sev in found if sev == "error"}
            if (kind, victim) not in errs:
                continue
            others_warned = any(who != victim for _, who, _ in found)
            if errs == {(kind, victim)}:
                rank = 1 if others_warned else 0
            else:
                rank = 2 if errs <= {(kind, victim)} | {(x, victim) for x in cand.extra} else 3
            if rank == 0:
                return self._commit(kind, cand)
            if best is None or rank < best[0]:
                best = (rank, cand)
            valid += 1
            if valid >= self.tries:
                break
        return self._commit(kind, best[1]) if best is not None else None

    def _commit(self, kind: str, cand: _Candidate) -> Plant:
        dates = self.synth.codes.columns
        changes = []
        for k, r in enumerate(cand.rows):
            for d in np.flatnonzero(cand.ids[k] != self.ids[r]).tolist():
                changes.append(Change(self.names[r], pd.Timestamp(dates[d]), str(self.table[self.ids[r, d]]),
                                      str(self.table[cand.ids[k, d]])))
                self.touched.add((r, d))
                self.changed.add(r)
            self.ids[r] = cand.ids[k]
        self.victims.add(cand.victim)
        self.victims.update(cand.reserve)
        changes.sort(key=lambda c: (c.date, c.resident))
        return Plant(kind, self.names[cand.victim], tuple(changes), cand.note)

    # ------------------------------------------------------------------ measures
    def _day(self, d: int) -> str:
        return f"{pd.Timestamp(self.synth.codes.columns[d]):%a %b %-d}"

    def _window_hours(self, row: np.ndarray, s: int) -> float:
        known = np.clip(row, 0, len(CODES) - 1)
        same = _SAME_DAY[known[s : s + MIN_DAYS]].sum()
        return float(same + _NEXT_DAY[known[max(0, s - 1) : s + MIN_DAYS - 1]].sum())

    def _free_days(self, row: np.ndarray, s: int) -> int:
        """Free days in [s, s+28) as the days-off rule counts them: each free stretch clipped to the
        window gives floor(length / 24 h)."""
        lo, hi = s * _DAY, (s + MIN_DAYS) * _DAY
        spans = sorted((t * _DAY + _BUSY[k][0], t * _DAY + _BUSY[k][1])
                       for t in range(max(0, s - 1), min(len(row), s + MIN_DAYS)) if (k := int(row[t])) in _BUSY)
        free, at = 0, lo
        for a, b in spans:
            if a > at:
                free += (min(a, hi) - at) // _DAY if at < hi else 0
            at = max(at, b)
        if at < hi:
            free += (hi - at) // _DAY
        return int(free)

    def _on_service(self, row: np.ndarray, s: int) -> int:
        return MIN_DAYS - int((row[s : s + MIN_DAYS] == V).sum())

    # ------------------------------------------------------------------ candidates
    def _calls(self) -> list[tuple[int, int]]:
        """(resident, day) of calls followed by a post-call day, in random order."""
        r, d = np.nonzero((self.ids[:, :-1] == C) & (self.ids[:, 1:] == PC))
        pick = self.rng.permutation(len(r))[:_SAMPLE]
        return [(int(r[k]), int(d[k])) for k in pick if self.free_victim(int(r[k]))]

    def _shift_length(self) -> Iterator[_Candidate]:
        """A call followed by clinic the next morning (else an elective or a ward day) instead of the
        post-call day."""
        calls = self._calls()
        for codes, extra in (((CL,), ()), ((EL,), ()), ((D,), ("post-call-rest",))):
            for x, d in calls:
                y = self.donor(d + 1, codes, prefer=x, exclude=[x])
                if y is not None:
                    code = CODES[self.ids[y, d + 1]]
                    note = f"24-hour call on {self._day(d)} followed by {code} the next morning"
                    yield self.swapped(x, [(d + 1, x, y)], note, extra)

    def _post_call_rest(self) -> Iterator[_Candidate]:
        """A call followed by a night shift the evening it ended: 12 h off after 24 h.

        Calls whose night would not run into a ward day come first (that day would make a second,
        24-hour period with its own short rest).
        """
        calls = self._calls()
        calls.sort(key=lambda xd: xd[1] + 2 < self.D and self.ids[xd[0], xd[1] + 2] in (D, C))
        for x, d in calls:
            y = self.donor(d + 1, (NF,), exclude=[x])
            if y is not None:
                note = f"24-hour call on {self._day(d)}, then night float the evening after"
                yield self.swapped(x, [(d + 1, x, y)], note)

    def _starts(self, k: int) -> list[int]:
        return self.rng.permutation(self.D - MIN_DAYS + 1).tolist()[:k]

    def _weekly_hours(self) -> Iterator[_Candidate]:
        """A ward resident works teammates' ward days on days off until 80 h a week is broken.

        Residents on the ward for the whole window and without leave in it come first.
        """
        callers = self.rng.permutation(np.flatnonzero((self.ids == C).any(axis=1)))[:_SAMPLE].tolist()
        windows = [(x, s) for x in callers if self.free_victim(x) for s in self._starts(4)]
        calls = [int((self.ids[x, s : s + MIN_DAYS] == C).sum()) for x, s in windows]
        leave = [bool((self.ids[x, s : s + MIN_DAYS] == V).any()) for x, s in windows]
        for k in sorted(range(len(windows)), key=lambda k: (leave[k] or calls[k] < 5, k)):
            x, s = windows[k]
            row = self.ids[x]
            short = 80.0 * self._on_service(row, s) / 7 - self._window_hours(row, s)
            if short < 0:
                continue
            n = int(short // 12) + 1
            # days off whose loss costs fewest whole free days, so that days-off still holds
            work = row.copy()
            base_free = self._free_days(work, s)
            options: list[tuple[int, int, int]] = []
            for t in range(s, s + MIN_DAYS):
                if self._extra_shift(work, t, nights=False) is None:
                    continue
                y = self.donor(t, (D,), prefer=x, exclude=[x])
                if y is not None:
                    work[t] = D
                    options.append((base_free - self._free_days(work, s), t, y))
                    work[t] = OFF
            if len(options) < n:
                continue
            chosen = sorted(options)[:n]
            for _, t, _ in chosen:
                work[t] = D
            if self._free_days(work, s) < -(-self._on_service(row, s) // 7):
                continue
            note = f"{n} extra ward days on days off between {self._day(s)} and {self._day(s + MIN_DAYS - 1)}"
            yield self.swapped(x, [(t, x, y) for _, t, y in sorted(chosen, key=lambda c: c[1])], note, ("days-off",))

    def _days_off(self) -> Iterator[_Candidate]:
        """A resident off call works on days off (a ward day, or a night after a night) until too
        few whole days are free.

        Callers are left out: their post-call days count as free days, so it would take too many.
        """
        pairs = [(x, s) for x in self.rng.permutation(self.R)[:_SAMPLE].tolist() for s in self._starts(10)]
        for nights in (False, True):  # ward days first; extra nights only where days cannot do it
            yield from self._days_off_with(pairs, nights)

    def _days_off_with(self, pairs: list[tuple[int, int]], nights: bool) -> Iterator[_Candidate]:
        """Greedy: take the day off whose loss costs most free days until the window falls short."""
        done: set[int] = set()
        for x, s in pairs:
            if x in done or not self.free_victim(x):
                continue
            row = self.ids[x].copy()
            if (row[max(0, s - 1) : s + MIN_DAYS] == C).any():
                continue
            need = -(-self._on_service(row, s) // 7)
            free = self._free_days(row, s)
            givers: dict[tuple[int, int], int | None] = {}
            swaps: list[Swap] = []
            while free >= need:
                best: tuple[int, int, int] | None = None
                for t in range(s, s + MIN_DAYS):  # the day whose loss costs the most free days
                    code = self._extra_shift(row, t, nights=nights)
                    if code is None:
                        continue
                    if (t, code) not in givers:
                        givers[t, code] = self.donor(t, (code,), prefer=x, exclude=[x])
                    if givers[t, code] is None:
                        continue
                    row[t] = code
                    f = self._free_days(row, s)
                    row[t] = OFF
                    if best is None or f < best[0]:
                        best = (f, t, code)
                if best is None:
                    break
                free, t, code = best
                row[t] = code
                swaps.append((t, x, int(givers[t, code] or 0)))
            if free < need:
                what = "extra shifts" if nights else "ward days"
                note = f"{what} on {len(swaps)} days off between {self._day(s)} and {self._day(s + MIN_DAYS - 1)}"
                done.add(x)
                yield self.swapped(x, swaps, note, ("weekly-hours",))

    def _extra_shift(self, row: np.ndarray, t: int, *, nights: bool) -> int | None:
        """The shift a day off at ``t`` can take without breaking another rule: a ward day (never
        right after a call or a night), or with ``nights`` a night after a night if no day work
        follows."""
        if row[t] != OFF:
            return None
        prev = row[t - 1] if t > 0 else OFF
        nxt = row[t + 1] if t + 1 < len(row) else OFF
        if prev == C:
            return None
        if prev == NF:
            return NF if nights and nxt not in (D, C, CL, EL) else None
        return D

    def _call_frequency(self) -> Iterator[_Candidate]:
        """A ward resident takes the call every third day for four weeks (ten calls in 28 days).

        The calls come from the resident's team and, on days it has none, from the ward team that
        has; those teams are re-dealt day by day (``_every_third``). Their other members end up with
        no error (the proof checks them too) and may later only give work away as donors. Windows
        in which the team is on the ward longest come first.
        """
        names = list(self.members)
        holds = np.array([(self.ids[self.members[t]] == C).any(axis=0) for t in names]).reshape(len(names), self.D)
        free = np.array([all(self.free_victim(int(r)) for r in self.members[t]) for t in names], dtype=bool)
        options = [(i, s) for i in self.rng.permutation(np.flatnonzero(holds.any(axis=1) & free)).tolist()
                   for s in self.rng.permutation(self.D - MIN_DAYS + 1).tolist()[:6]]
        options.sort(key=lambda o: -int(holds[o[0], o[1] : o[1] + MIN_DAYS].sum()))
        for i, s in options:
            span = slice(s, s + MIN_DAYS)
            teams, covered = [i], holds[i, span].copy()
            while not covered.all():
                day = s + int(np.argmin(covered))
                others = [j for j in np.flatnonzero(holds[:, day] & free).tolist() if j not in teams]
                if not others:
                    break
                teams.append(others[0])
                covered |= holds[others[0], span]
            if not covered.all():
                continue
            rows = [int(r) for j in teams for r in self.members[names[j]]]
            for x in self.rng.permutation(self.members[names[i]]).tolist():
                ids = self._every_third(rows, rows.index(int(x)), s)
                if ids is not None:
                    note = f"call every third day from {self._day(s)}: 10 calls in 28 days"
                    yield _Candidate(int(x), rows, ids, note, ("weekly-hours",))

    def _every_third(self, rows: list[int], k: int, s: int) -> np.ndarray | None:
        """The rows' codes re-dealt day by day so that row ``k`` has the call on s, s+3, ..., s+27.

        Each day is a permutation of that day's codes among the rows (coverage is untouched), the
        one changing fewest cells (an assignment problem) in which ``k`` has, or has not, the call
        as required, whoever had yesterday's call is post-call, nobody starts a day after a night,
        and wellness and leave stay put. Days after the window follow until the rows are back on
        their roster.
        """
        from ortools.graph.python import linear_sum_assignment as lsa

        base = self.ids[rows]
        m = len(rows)
        new = base.copy()
        fixed = np.isin(base, (W, V))
        same = np.eye(m, dtype=bool)
        team = self.team[rows]
        move = np.where(same, 0, np.where(team[:, None] == team[None, :], 2, 5))  # codes stay in their team
        for t in range(max(0, s - 2), self.D):
            if t >= s + MIN_DAYS and np.array_equal(new[:, t - 1], base[:, t - 1]):
                break
            codes = base[:, t]
            allowed = ~fixed[:, t][:, None] & ~fixed[:, t][None, :] | same  # [member, slot]
            if t >= s and (t - s) % 3 == 0 and t < s + MIN_DAYS:
                allowed[k] &= codes == C
            elif t < s + MIN_DAYS:
                allowed[k] &= codes != C
            if t > 0:
                prev = new[:, t - 1]
                allowed[prev == C] &= np.isin(codes, (PC, OFF, V, W))[None, :]
                allowed[prev == NF] &= ~np.isin(codes, (D, C, CL, EL))[None, :]
            cost = move.copy()
            if s <= t < s + MIN_DAYS and (t - s) % 3 == 2:
                cost[k] += codes == D  # rather off than on the ward between calls
            if not (allowed.any(axis=1).all() and allowed.any(axis=0).all()):
                return None  # someone has no code they may take (or a code nobody may): no permutation
            solver = lsa.SimpleLinearSumAssignment()
            left, right = np.nonzero(allowed)
            solver.add_arcs_with_cost(left, right, cost[left, right])
            if solver.solve() != solver.OPTIMAL:
                return None
            new[:, t] = codes[[solver.right_mate(i) for i in range(m)]]
        if (new[k, s : s + MIN_DAYS] == C).sum() < 10:
            return None
        return new


# ====================================================================================== writing
_FILLS = {
    "work": "DDEBF7",
    "call": "F8CBAD",
    "night": "B4C6E7",
    "home-call": "FCE4D6",
    "off": "EDEDED",
    "leave": "FFF2CC",
    "wellness": "C6E0B4",
}
_CLINIC_FILL = "E2EFDA"


def _fill_color(code: str, spec: dict[str, Any]) -> str | None:
    kind = spec.get("kind", "work")
    if kind == "work" and spec.get("start") in ("08:00", None) and code != "D":
        return _CLINIC_FILL  # daytime sessions (clinic, elective) apart from ward days
    return _FILLS.get(kind)


def _title(dates: pd.DatetimeIndex) -> str:
    a, b = dates[0], dates[-1]
    if (a.year, a.month) == (b.year, b.month):
        return f"{a:%B %Y}"
    return f"{a:%B %-d, %Y} to {b:%B %-d, %Y}"


def write_xlsx(
    synth: Synth,
    path: str | Path,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    legend_sheet: bool = True,
    sheet: str = ROSTER_SHEET,
) -> Path:
    """Write the roster as a chief resident's workbook; the file is byte-for-byte reproducible.

    Layout: title and version rows, a blank row, a weekday row, the header (``Resident``, ``PGY``,
    ``Team``, then real dates shown ``m/d``), one row per resident, and a footer pointing at the
    ``Legend`` sheet (Code, Description, Start, End, Kind). Cells are filled by kind of shift up to
    ``FILL_LIMIT`` residents; bigger rosters are written plain (openpyxl styles are slow).
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    path = Path(path)
    dates = synth.dates
    title = title or f"Internal Medicine Residency - {_title(dates)}"
    subtitle = subtitle or f"Version 3, updated {dates[0] - pd.Timedelta(days=9):%B %-d, %Y}"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.freeze_panes = f"{get_column_letter(FIRST_DATE_COL)}{FIRST_ROW}"
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 7
    ws.column_dimensions["C"].width = 14
    for j in range(len(dates)):
        ws.column_dimensions[get_column_letter(FIRST_DATE_COL + j)].width = 6.5

    def cell(value: Any, **style: Any) -> WriteOnlyCell:
        c = WriteOnlyCell(ws, value=value)
        for k, v in style.items():
            setattr(c, k, v)
        return c

    bold = Font(bold=True)
    center = Alignment(horizontal="center")
    line = Border(bottom=Side(style="thin"))
    weekend_fill = PatternFill("solid", fgColor="D9D9D9")
    ws.append([cell(title, font=Font(bold=True, size=14))])
    ws.append([cell(subtitle, font=Font(italic=True, color="595959"))])
    ws.append([])
    weekend = dates.day_of_week >= 5
    ws.append([None, None, None] + [
        cell(f"{d:%a}", font=bold, alignment=center, **({"fill": weekend_fill} if we else {}))
        for d, we in zip(dates, weekend)
    ])
    ws.append(
        [cell(h, font=bold, border=line) for h in ("Resident", "PGY", "Team")]
        + [cell(d.to_pydatetime(), number_format="m/d", font=bold, alignment=center, border=line,
                **({"fill": weekend_fill} if we else {})) for d, we in zip(dates, weekend)]
    )
    styled = len(synth.codes) <= FILL_LIMIT
    fills = {code: PatternFill("solid", fgColor=color) for code in synth.used_codes()
             if (color := _fill_color(code, synth.shifts.get(code, {})))}
    values = synth.codes.to_numpy(dtype=object)
    for i, name in enumerate(synth.codes.index):
        head = [name, f"PGY-{int(synth.pgy[name])}", synth.team[name]]
        row = values[i]
        if styled:
            body = [cell(v, alignment=center, **({"fill": fills[v]} if v in fills else {})) if v else None
                    for v in row]
        else:
            body = [v or None for v in row]
        ws.append(head + body)
    if legend_sheet:
        ws.append([])
        ws.append([cell('Legend: see sheet "Legend"', font=Font(italic=True))])
        lg = wb.create_sheet(LEGEND_SHEET)
        for col, width in zip("ABCDE", (8, 30, 8, 8, 10)):
            lg.column_dimensions[col].width = width
        lg.append([cell(h, font=bold, border=line) for h in ("Code", "Description", "Start", "End", "Kind")])
        for code in synth.used_codes():
            spec = synth.shifts.get(code, {})
            end = spec.get("end")
            if end is None and spec.get("hours") is not None and spec.get("start"):
                h0, m0 = (int(x) for x in str(spec["start"]).split(":"))
                total = h0 * 60 + m0 + round(float(spec["hours"]) * 60)
                end = f"{total // 60 % 24:02d}:{total % 60:02d}"
            lg.append([cell(code, **({"fill": fills[code]} if code in fills else {})),
                       spec.get("description", ""), spec.get("start"), end, spec.get("kind", "work")])
    save_reproducibly(wb, path)
    return path


def save_reproducibly(wb: Any, path: str | Path, when: dt.datetime = dt.datetime(2026, 6, 1)) -> None:
    """Save an openpyxl workbook with fixed timestamps, so regenerating a sample changes no bytes.

    openpyxl stamps the save time into docProps/core.xml and into every zip entry; committed
    samples would otherwise differ on every run.
    """
    from openpyxl.writer.excel import ExcelWriter

    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "rostercheck"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).save()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            out.writestr(fixed, src.read(info.filename))


def write_long_csv(synth: Synth, path: str | Path) -> Path:
    """Write ``Resident,PGY,Team,Date,Code`` rows, one per non-blank cell, dates ISO: an export."""
    path = Path(path)
    codes = synth.codes
    n, m = codes.shape
    text = codes.to_numpy(dtype=object).ravel()
    keep = text != ""
    names = np.repeat(np.asarray(codes.index, dtype=object), m)
    frame = pd.DataFrame(
        {
            "Resident": names[keep],
            "PGY": np.repeat(synth.pgy.reindex(codes.index).to_numpy(), m)[keep],
            "Team": np.repeat(synth.team.reindex(codes.index).to_numpy(dtype=object), m)[keep],
            "Date": np.tile(pd.DatetimeIndex(codes.columns).strftime("%Y-%m-%d").to_numpy(dtype=object), n)[keep],
            "Code": text[keep],
        }
    )
    frame.to_csv(path, index=False, lineterminator="\n")
    return path
