"""Regenerate the sample rosters in this folder: ``python sample_rosters/make_samples.py [OUT]``.

The samples are fictional but shaped like real ones, so that a new user can run
``rostercheck check`` on something familiar and the tests can pin what it finds. Everything is
deterministic: running the script again rewrites the same bytes (workbooks are saved with fixed
timestamps). Each roster is read back with the real reader and the config beside it, and the
script stops if a sample does not break exactly the rules its README paragraph says it breaks.

* ``internal-medicine/july-2026.xlsx``: 30 residents in July 2026 from ``tools.synth``
  with five planted errors (swaps of codes between residents on one date) and two warnings made
  by hand; ``july-2026-compliant.xlsx`` is the same month before the changes.
* ``family-medicine/block-3.xlsx``: a four-week half-day (AM/PM) block, one post-call clinic.
* ``night-float/august-2026.csv``: a night-float team's month as a long export with times.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from rostercheck.check import CheckResult, check_raw
from rostercheck.config import load
from rostercheck.read import read_roster

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tools.synth: the generator lives beside the package, not in it
from tools.synth import CODES, NIGHT_WEEKS, SHIFTS, Synth, generate, plant, save_reproducibly, write_xlsx  # noqa: E402

# ================================================================================ internal medicine
IM_SEED = 8
#: Order matters: the call-frequency plant needs whole ward teams, the others only a few cells.
IM_PLANTS = ("call-frequency", "days-off", "weekly-hours", "post-call-rest", "shift-length")
PM = {"start": "13:00", "end": "17:00", "kind": "work", "description": "afternoon continuity clinic (half day)"}

IM_TOML = """\
# rostercheck configuration for the internal medicine sample rosters in this folder
# (july-2026.xlsx and july-2026-compliant.xlsx). `rostercheck check july-2026.xlsx` finds it
# because it sits beside the roster.

# The ACGME duty-hour rules (80 hours, days off, 24+4 shift length, post-call rest, call
# frequency, rest between shifts, consecutive nights) plus the program's protected time
# (a wellness half-day every four weeks, a free evening every week, a golden weekend every
# four weeks). `rostercheck rules` lists them with their limits.
preset = ["acgme", "wellness"]

# Hours are local time; a night across a daylight-saving change counts its real length.
timezone = "America/Chicago"

# Every code on the roster. Times are local; an end at or before the start is the next day.
# The workbook's "Legend" sheet says the same; this table wins where they differ.
[shifts]
# Ward teams: day shifts and 24-hour in-house call, the day after a call is post-call (off).
D = { start = "07:00", end = "19:00", kind = "work", description = "Ward day (rounds, admissions)" }
C = { start = "07:00", hours = 24, kind = "call", description = "24-hour in-house call" }
PC = { kind = "off", description = "Post-call day (off)" }
# Night float: 19:00 to 07:00 the next morning.
NF = { start = "19:00", end = "07:00", kind = "night", description = "Night float" }
# Ambulatory and elective blocks.
CL = { start = "08:00", end = "17:00", kind = "work", description = "Continuity clinic" }
EL = { start = "08:00", end = "17:00", kind = "work", description = "Elective" }
PM = { start = "13:00", end = "17:00", kind = "work", description = "Afternoon continuity clinic (half day)" }
# Time away: days off and vacation are not work; vacation leaves the averaging windows.
OFF = { kind = "off", description = "Day off" }
V = { kind = "leave", description = "Vacation" }
# Protected wellness half-day (appointments, self-care): counts for the wellness rule.
W = { start = "13:00", end = "17:00", kind = "wellness", description = "Wellness half-day" }
"""


def internal_medicine(out: Path) -> None:
    """July 2026 for 30 residents: the compliant month, and the month with seven violations."""
    base = generate(30, 31, start="2026-07-01", seed=IM_SEED)
    planted, plants = plant(base, len(IM_PLANTS), seed=IM_SEED, kinds=IM_PLANTS)
    codes = planted.codes.copy()
    busy = {r for p in plants for r in p.residents}
    # Warnings a chief makes by hand: a night-float resident covers a colleague's night off (seven
    # or more nights in a row), another has afternoon clinic after the last night of a run.
    x, y, day = _extra_night(planted, busy)
    codes.loc[x, day], codes.loc[y, day] = codes.loc[y, day], codes.loc[x, day]
    z, day2 = _clinic_after_night(planted, busy | {x, y})
    codes.loc[z, day2] = "PM"
    shifts = {**SHIFTS, "PM": PM}
    bad = dataclasses.replace(planted, codes=codes, shifts=shifts)

    folder = out / "internal-medicine"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rostercheck.toml").write_text(IM_TOML, encoding="utf-8")
    write_xlsx(bad, folder / "july-2026.xlsx", subtitle="Version 3, updated June 22, 2026", sheet="July 2026")
    write_xlsx(base, folder / "july-2026-compliant.xlsx", sheet="July 2026",
               subtitle="Version 4, updated June 29, 2026 (duty-hour fixes)")

    expected = {(p.rule, p.resident) for p in plants}
    found = check_file(folder / "july-2026.xlsx")
    _expect(found, "error", expected, "internal-medicine/july-2026.xlsx")
    warned = {(f.rule, f.resident) for f in found.findings if f.severity == "warning"}
    missing = {("consecutive-nights", x), ("rest-between-shifts", z)} - warned
    if missing:
        raise SystemExit(f"internal-medicine/july-2026.xlsx: expected warnings missing: {missing}")
    clean = check_file(folder / "july-2026-compliant.xlsx")
    if clean.findings:
        raise SystemExit(f"internal-medicine/july-2026-compliant.xlsx is not clean: {clean.findings[:3]}")


def _check_rows(synth: Synth, codes: pd.DataFrame, rows: Iterable[str]) -> CheckResult:
    from rostercheck.config import parse

    rows = list(rows)
    sub = dataclasses.replace(synth, codes=codes.loc[rows])
    return check_raw(sub.raw(), parse({**sub.config(), "shifts": {**SHIFTS, "PM": PM}}, path="sample"))


def _extra_night(synth: Synth, busy: set[str]) -> tuple[str, str, pd.Timestamp]:
    """(x, y, date): x takes teammate y's night on x's night off between two nights.

    The shortest such run is kept (seven nights, if there is one): a warning, with the protected
    evening that a week of nights cannot have, and no error.
    """
    codes = synth.codes
    best: tuple[float, str, str, pd.Timestamp] | None = None
    for x in codes.index:
        if x in busy:
            continue
        row = codes.loc[x].to_numpy()
        for t in range(1, len(row) - 1):
            if not (row[t] == "OFF" and row[t - 1] == "NF" and row[t + 1] == "NF"):
                continue
            day = codes.columns[t]
            for y in codes.index:
                if y in busy or y == x or codes.at[y, day] != "NF" or synth.team[y] != synth.team[x]:
                    continue
                trial = codes.copy()
                trial.loc[x, day], trial.loc[y, day] = "NF", "OFF"
                found = _check_rows(synth, trial, [x, y]).findings
                rules = {(f.rule, f.resident) for f in found}
                allowed = {("consecutive-nights", x), ("protected-evening", x)}
                if ("consecutive-nights", x) in rules and rules <= allowed:
                    run = min(f.value for f in found if f.rule == "consecutive-nights")
                    if best is None or run < best[0]:
                        best = (run, x, y, day)
                break
    if best is None:
        raise SystemExit("no place for the consecutive-nights example")
    return best[1], best[2], best[3]


def _clinic_after_night(synth: Synth, busy: set[str]) -> tuple[str, pd.Timestamp]:
    """(z, date): afternoon clinic on the free weekday after z's last night of a run."""
    codes = synth.codes
    for z in codes.index:
        if z in busy:
            continue
        row = codes.loc[z].to_numpy()
        for t in range(1, len(row)):
            day = codes.columns[t]
            if row[t] == "OFF" and row[t - 1] == "NF" and day.weekday() < 5:
                trial = codes.copy()
                trial.loc[z, day] = "PM"
                rules = {(f.rule, f.resident) for f in _check_rows(synth, trial, [z]).findings}
                if rules == {("rest-between-shifts", z)}:
                    return z, day
    raise SystemExit("no place for the rest-between-shifts example")


# ================================================================================= family medicine
FM_START = pd.Timestamp("2026-08-24")  # Monday; Labor Day is Monday 2026-09-07
FM_DAYS = 28
FM_RESIDENTS = [  # name, PGY, rotation
    ("Grace Okafor", 3, "FMS"),
    ("Luis Herrera", 2, "FMS"),
    ("Mina Park", 1, "FMS"),
    ("Tom Becker", 1, "FMS"),
    ("Sara Lindqvist", 3, "Clinic"),
    ("Kwame Mensah", 2, "Clinic"),
    ("Priya Raman", 2, "Clinic"),
    ("Jonas Weber", 1, "Clinic"),
    ("Hannah Cole", 2, "OB"),
    ("Ade Bello", 1, "OB"),
    ("Rosa Jimenez", 3, "Elective"),
    ("Ethan Shaw", 3, "Elective"),
]
#: The one violation in the block: post-call continuity clinic (a 29-hour shift).
FM_VIOLATION = ("Mina Park", 3, "CL")  # resident, day index (Thursday Aug 27), AM code

FM_TOML = """\
# rostercheck configuration for the family medicine half-day block (block-3.xlsx).
# On a half-day (AM/PM) grid, working codes take their session's times: AM 08:00-12:00 and
# PM 13:00-17:00. Call keeps its own times (07:00 to 07:00 the next morning), whichever
# session it is written in.
preset = ["acgme", "wellness"]
timezone = "America/Denver"

[shifts]
# Sessions: no times needed, the AM/PM column gives them.
CL = { kind = "work", description = "Continuity clinic (FMC)" }
IP = { kind = "work", description = "Inpatient family medicine service (FMS)" }
OB = { kind = "work", description = "Labor and delivery" }
HOSP = { kind = "work", description = "Hospital medicine elective" }
DID = { kind = "work", description = "Didactics (Wednesday afternoon)" }
# 24-hour in-house call, written in both sessions of its first day.
C = { start = "07:00", end = "07:00", kind = "call", description = "24-hour in-house call" }
PC = { kind = "off", description = "Post-call (off)" }
OFF = { kind = "off", description = "Day off or holiday" }
V = { kind = "leave", description = "Vacation" }
W = { kind = "wellness", description = "Wellness half-day" }
"""


def fm_codes() -> dict[str, list[tuple[str, str]]]:
    """(AM, PM) codes per resident per day of the block."""
    days = pd.date_range(FM_START, periods=FM_DAYS)
    out: dict[str, list[tuple[str, str]]] = {}
    for i, (name, _, rotation) in enumerate(FM_RESIDENTS):
        cells: list[tuple[str, str]] = []
        for d, day in enumerate(days):
            weekend, wed, labor = day.weekday() >= 5, day.weekday() == 2, day == pd.Timestamp("2026-09-07")
            if rotation == "FMS":  # q4 24-hour call; the Thursday caller gets the weekend off
                if d % 4 == i:
                    cell = ("C", "C")
                elif (d - 1) % 4 == i:
                    cell = ("PC", "PC")
                elif weekend and (d - day.weekday() + 3) % 4 == i:
                    cell = ("OFF", "OFF")
                else:
                    cell = ("IP", "IP")
            elif weekend or (labor and rotation != "OB"):
                cell = ("OFF", "OFF")
            else:
                work = {"Clinic": "CL", "OB": "OB", "Elective": "HOSP"}[rotation]
                cell = (work, "DID" if wed else work)
            cells.append(cell)
        out[name] = cells
    # OB weekend call, one Saturday each; a wellness afternoon for everyone; a vacation week
    for name, sat in (("Hannah Cole", 5), ("Ade Bello", 19)):
        out[name][sat], out[name][sat + 1] = ("C", "C"), ("PC", "PC")
    # the first ordinary working weekday (not Wednesday: didactics) on or after each target day
    targets = {"Grace Okafor": 8, "Luis Herrera": 10, "Mina Park": 15, "Tom Becker": 17, "Sara Lindqvist": 1,
               "Kwame Mensah": 8, "Priya Raman": 11, "Jonas Weber": 22, "Hannah Cole": 9, "Ade Bello": 16,
               "Rosa Jimenez": 4, "Ethan Shaw": 25}
    work = ("IP", "CL", "OB", "HOSP")
    for name, target in targets.items():
        d = next(d for d in range(target, FM_DAYS) if days[d].weekday() in (0, 1, 3, 4)
                 and out[name][d][0] in work and out[name][d][1] in work)
        out[name][d] = (out[name][d][0], "W")
    for d in range(21, 26):  # Mon Sep 14 to Fri Sep 18
        out["Priya Raman"][d] = ("V", "V")
    name, d, code = FM_VIOLATION
    assert out[name][d] == ("PC", "PC")
    out[name][d] = (code, "PC")
    return out


def family_medicine(out: Path) -> None:
    folder = out / "family-medicine"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rostercheck.toml").write_text(FM_TOML, encoding="utf-8")
    codes = fm_codes()
    days = pd.date_range(FM_START, periods=FM_DAYS)
    wb = Workbook()
    ws = wb.active
    ws.title = "Block 3"
    bold, center = Font(bold=True), Alignment(horizontal="center")
    line = Border(bottom=Side(style="thin"))
    ws["A1"] = "Family Medicine Residency Program - Block 3"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Half-day schedule, August 24 - September 20, 2026 (posted August 14, 2026)"
    ws["A2"].font = Font(italic=True, color="595959")
    for j, head in enumerate(("Resident", "PGY", "Rotation"), start=1):
        ws.cell(4, j, head).font = bold
        ws.cell(5, j).border = line
    fills = {"C": "F8CBAD", "PC": "EDEDED", "OFF": "EDEDED", "V": "FFF2CC", "W": "C6E0B4", "DID": "FCE4D6",
             "IP": "DDEBF7", "CL": "E2EFDA", "OB": "E4DFEC", "HOSP": "DDEBF7"}
    fill = {k: PatternFill("solid", fgColor=v) for k, v in fills.items()}
    for k, day in enumerate(days):
        col = 4 + 2 * k
        ws.cell(4, col, day.to_pydatetime()).number_format = "ddd m/d"
        ws.cell(4, col).font, ws.cell(4, col).alignment = bold, center
        ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + 1)
        for dj, label in enumerate(("AM", "PM")):
            c = ws.cell(5, col + dj, label)
            c.font, c.alignment, c.border = bold, center, line
        ws.column_dimensions[get_column_letter(col)].width = 5.5
        ws.column_dimensions[get_column_letter(col + 1)].width = 5.5
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["C"].width = 10
    for i, (name, pgy, rotation) in enumerate(FM_RESIDENTS):
        r = 6 + i
        ws.cell(r, 1, name)
        ws.cell(r, 2, f"PGY-{pgy}")
        ws.cell(r, 3, rotation)
        for k, (am, pm) in enumerate(codes[name]):
            for dj, code in enumerate((am, pm)):
                c = ws.cell(r, 4 + 2 * k + dj, code)
                c.alignment = center
                if code in fill:
                    c.fill = fill[code]
    ws.cell(6 + len(FM_RESIDENTS) + 1, 1, "Key: CL clinic, IP inpatient (FMS), C 24-hour call, PC post-call, "
            "OB labor and delivery, HOSP hospital medicine, DID didactics, W wellness, V vacation").font = \
        Font(italic=True)
    ws.freeze_panes = "D6"
    save_reproducibly(wb, folder / "block-3.xlsx")
    found = check_file(folder / "block-3.xlsx")
    _expect(found, "error", {("shift-length", FM_VIOLATION[0])}, "family-medicine/block-3.xlsx")
    if found.warnings:
        raise SystemExit(f"family-medicine/block-3.xlsx has warnings: {found.findings}")


# ===================================================================================== night float
NF_START = pd.Timestamp("2026-08-01")  # Saturday
NF_DAYS = 31
NF_TEAMS = {
    "Nights - Wards": [("Owen Fraser", 2), ("Lena Vogel", 1), ("Marcus Reid", 1)],
    "Nights - ICU": [("Ayesha Karim", 3), ("Diego Navarro", 2), ("Sun-Hee Kang", 1)],
}
#: A night that ran late (stayed for a rapid response): explicit times override the legend's.
NF_LATE = ("Diego Navarro", "2026-08-11", "09:30")

NF_TOML = """\
# rostercheck configuration for the night-float sample (august-2026.csv).
# The csv is a long export: one row per resident and date, with optional Start/End columns
# that override the times below for that row (a night that ran late, for example).
preset = ["acgme", "wellness"]
timezone = "America/New_York"

[shifts]
NF = { start = "19:00", end = "07:00", kind = "night", description = "Night float (19:00 to 07:00)" }
OFF = { kind = "off", description = "Day off" }
W = { start = "13:00", end = "17:00", kind = "wellness", description = "Wellness half-day" }
"""


def nf_codes() -> pd.DataFrame:
    """The night team's month: three week patterns per team, rotated weekly, wellness on a free weekday."""
    days = pd.date_range(NF_START, periods=NF_DAYS)
    gday = np.arange(NF_DAYS) + NF_START.weekday()  # days since Monday 2026-07-27
    week, wday = gday // 7, gday % 7
    names = [n for team in NF_TEAMS.values() for n, _ in team]
    rows = []
    for lane, team in enumerate(NF_TEAMS.values()):
        for j, _ in enumerate(team):
            pattern = (j + lane + week) % 3
            rows.append(np.array(NIGHT_WEEKS, dtype=np.int64)[pattern, wday])
    table = np.asarray(CODES, dtype=object)
    codes = pd.DataFrame(table[np.array(rows)], index=names, columns=days)
    for i in range(len(names)):  # wellness on the latest free weekday <= day 27, then every <= 28 days
        free = [t for t in range(NF_DAYS) if codes.iat[i, t] == "OFF" and days[t].weekday() < 5]
        last = max(t for t in free if t <= 16 + i)
        codes.iat[i, last] = "W"
        while last < NF_DAYS - 28:
            last = max(t for t in free if last < t <= last + 28)
            codes.iat[i, last] = "W"
    return codes


def _long_run(codes: pd.DataFrame) -> tuple[str, str, pd.Timestamp]:
    """(x, y, date): filling x's night off between two runs with teammate y's night; the shortest
    such run of seven or more nights."""
    team_of = {n: t for t, team in NF_TEAMS.items() for n, _ in team}
    best: tuple[int, str, str, pd.Timestamp] | None = None
    for x in codes.index:
        row = codes.loc[x].to_numpy()
        for t in range(1, len(row) - 1):
            if row[t] != "OFF":
                continue
            a, b = t, t
            while a > 0 and row[a - 1] == "NF":
                a -= 1
            while b + 1 < len(row) and row[b + 1] == "NF":
                b += 1
            day = codes.columns[t]
            mates = [y for y in codes.index if y != x and team_of[y] == team_of[x] and codes.at[y, day] == "NF"]
            if b - a + 1 >= 7 and mates and (best is None or b - a + 1 < best[0]):
                best = (b - a + 1, x, mates[0], day)
    if best is None:
        raise SystemExit("no place for a long run of nights")
    return best[1], best[2], best[3]


def night_float(out: Path) -> None:
    folder = out / "night-float"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rostercheck.toml").write_text(NF_TOML, encoding="utf-8")
    codes = nf_codes()
    # The violation: a resident covers a teammate's night off, making a run of more than six nights.
    x, y, day = _long_run(codes)
    codes.at[x, day], codes.at[y, day] = "NF", "OFF"
    pgy = {n: p for team in NF_TEAMS.values() for n, p in team}
    team_of = {n: t for t, team in NF_TEAMS.items() for n, _ in team}
    times = {"NF": ("19:00", "07:00"), "W": ("13:00", "17:00")}
    lines = ["Resident,PGY,Team,Date,Code,Start,End"]
    for name in codes.index:
        for d in codes.columns:
            code = codes.at[name, d]
            start, end = times.get(code, ("", ""))
            if (name, f"{d:%Y-%m-%d}") == NF_LATE[:2]:
                assert code == "NF", NF_LATE
                end = NF_LATE[2]
            lines.append(f"{name},{pgy[name]},{team_of[name]},{d:%Y-%m-%d},{code},{start},{end}")
    (folder / "august-2026.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = check_file(folder / "august-2026.csv")
    _expect(found, "error", set(), "night-float/august-2026.csv")
    warned = {(f.rule, f.resident) for f in found.findings}
    if warned != {("consecutive-nights", x), ("protected-evening", x)}:
        raise SystemExit(f"night-float/august-2026.csv: unexpected findings {warned}")


# ========================================================================================= helpers
def check_file(path: Path) -> CheckResult:
    """What ``rostercheck check`` sees: the real reader, the config found beside the roster."""
    cfg = load(path)
    return check_raw(read_roster(path, cfg.roster), cfg)


def _expect(result: CheckResult, severity: str, expected: set[tuple[str, str]], what: str) -> None:
    found = {(f.rule, f.resident) for f in result.findings if f.severity == severity}
    if found != expected:
        raise SystemExit(f"{what}: expected {severity}s {sorted(expected)}, found {sorted(found)}")


def main(out: Path = HERE) -> None:
    internal_medicine(out)
    family_medicine(out)
    night_float(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
