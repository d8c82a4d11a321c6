"""Small roster workbooks built in code, so every test shows the exact sheet it reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.utils import get_column_letter

JULY_1 = dt.date(2026, 7, 1)


def days(n: int, start: dt.date = JULY_1) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range(n)]


def write_rows(ws, rows: Sequence[Sequence[object]], top: int = 1, left: int = 1) -> None:
    """Write ``rows`` with their first cell at (top, left), 1-based; None leaves a cell empty."""
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is not None:
                ws.cell(top + i, left + j, value)


def make_xlsx(
    path: Path,
    sheets: dict[str, Sequence[Sequence[object]]],
    *,
    top: int = 1,
    left: int = 1,
    hidden: Sequence[str] = (),
    very_hidden: Sequence[str] = (),
    merges: dict[str, Sequence[str]] | None = None,
) -> Path:
    """A workbook with one sheet per entry of ``sheets`` (rows written at ``top``/``left``)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        write_rows(ws, rows, top, left)
        if name in hidden:
            ws.sheet_state = "hidden"
        if name in very_hidden:
            ws.sheet_state = "veryHidden"
        for rng in (merges or {}).get(name, ()):
            ws.merge_cells(rng)
    wb.save(path)
    return path


def make_csv(path: Path, rows: Sequence[Sequence[object]], delimiter: str = ",", encoding: str = "utf-8") -> Path:
    text = "\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in rows) + "\n"
    path.write_bytes(text.encode(encoding))
    return path


def col(n: int) -> str:
    """1-based column number -> letters, for building expected addresses."""
    return get_column_letter(n)


# ------------------------------------------------------------------------------ family medicine
# A family-medicine block sheet as programs make them for people, not machines: title rows, weekday
# names on one row and dates on another (each date merged over an AM and a PM column), the column
# names (TEMPLATE, ROLE, PROVIDER) three rows below the dates, residents, faculty, a pharmacist and
# students in one grid told apart only by ROLE, section-title rows, a holiday marker row without a
# name, count columns right of the last date, non-breaking spaces in empty cells, and about fifty
# codes, some of them ambiguous (C, W) or unknown to rostercheck (FQHC, TELE, GRP).

FM_DAYS = days(28)  # Wednesday 2026-07-01 to Tuesday 2026-07-28
FM_FIRST_COL = 4  # D: July 1 AM
FM_HEADER_ROW = 8
FM_DATE_ROW = 5
NBSP = "\u00a0"
#: Mina Park has continuity clinic the morning after her call of Wednesday July 1: 29 h of work.
FM_VIOLATION = ("Mina Park", dt.date(2026, 7, 2))

_OUTPATIENT_PM = ["DERM", "SPORTS", "ENT", "URO", "CARD", "GERI", "NH", "BH", "QI", "PROC", "US", "HV", "COMM", "POP"]
_UNKNOWN = ["FQHC", "TELE", "GRP"]  # codes no dictionary knows: init must list them as TODO work


def _sessions(kind: str, k: int, weekend_code: str | None) -> list[tuple[str, str]]:
    """28 (AM, PM) pairs for one resident on one rotation; ``k`` varies the pattern between people."""
    out: list[tuple[str, str]] = []
    for i, day in enumerate(FM_DAYS):
        wd = day.weekday()  # 0 Monday
        weekend = wd >= 5
        if day == dt.date(2026, 7, 3) and kind != "IP":
            out.append(("HOL", "HOL"))
        elif kind == "IP":  # inpatient service: 24-hour call every fourth day, then post-call
            phase = (i + k) % 4
            out.append([("C", "C"), ("PC", "PC"), ("IP", "IP"), ("IP", "IP" if not weekend else "")][phase])
        elif kind == "NF":  # night float Sunday to Thursday
            out.append(("NF", "NF") if wd in (6, 0, 1, 2, 3) else ("OFF", "OFF"))
        elif kind == "OB":
            out.append((weekend_code or NBSP, weekend_code or "") if weekend else ("L&D", "OB"))
        else:  # outpatient: continuity clinic, electives, didactics, wellness
            if weekend:
                out.append((weekend_code or NBSP, weekend_code or NBSP))
            elif wd == 2:
                out.append(("CL", "DID") if i % 14 else ("CL/DID", "DID"))
            else:
                pm = _OUTPATIENT_PM[(i + k) % len(_OUTPATIENT_PM)]
                if (i + k) % 9 == 0:
                    pm = _UNKNOWN[(i + k) // 9 % len(_UNKNOWN)]
                if (i + 3 * k) % 10 == 0:
                    pm = "W"
                am = ("CL", "cl", "CL" + NBSP, "FMC", "EL", "ED", "ICU", "PEDS", "NB", "ADMIN", "SIM")[(i + k) % 11]
                out.append((am, pm))
    if kind == "VAC":
        for i in range(5, 12):
            out[i] = ("VAC", "VAC") if FM_DAYS[i].weekday() < 5 else out[i]
    return out


FM_RESIDENTS: dict[str, tuple[str, str, int]] = {  # name: (role, rotation, pattern)
    "Mina Park": ("PGY 1", "IP", 0),
    "Luis Ortega": ("PGY 1", "IP", 2),
    "Hana Sato": ("PGY 1", "OB", 0),
    "Omar Haddad": ("PGY 1", "CL", 1),
    "Grace Liu": ("PGY 2", "NF", 0),
    "Tomas Varga": ("PGY 2", "CL", 2),
    "Ivy Chen": ("PGY 2", "VAC", 3),
    "Ben Okafor": ("PGY 2", "IP", 1),
    "Sara Novak": ("PGY 3", "CL", 4),
    "Dev Patel": ("PGY 3", "IP", 3),
    "Nora Kim": ("PGY 3", "CL", 5),
    "Eli Brooks": ("PGY 3", "LV", 6),
}
FM_OTHERS: dict[str, tuple[str, list[str]]] = {  # name: (role, weekday AM/PM codes in turn)
    "Dr. Ruth Adler": ("FAC", ["ATT", "PRECEPT", "ADMIN", "CL"]),
    "Dr. Sam Wolfe": ("FAC", ["PRECEPT", "SUPV", "ATT", "OFF"]),
    "Dr. Kay Moreno": ("FAC", ["CL", "ATT", "SUPV", "PRECEPT"]),
    "Pat Lee, PharmD": ("PharmD", ["RPH", "ACU"]),
    "Jo Rivera": ("MS3", ["MS-CL", "SHADOW", "ORIENT"]),
    "Max Stone": ("MS3", ["MS-CL", "DID", "SHADOW"]),
}


def fm_block_sheet(
    path: Path,
    *,
    labels_in_header: bool = False,
    weekend_code: str | None = "WKND",
    violation: bool = True,
    yearless: bool = False,
) -> Path:
    """The family-medicine block sheet described above, as ``path`` (sheet 'Block 1', plus a
    'Notes' sheet). ``labels_in_header`` writes AM/PM in the TEMPLATE/ROLE/PROVIDER row instead of
    a row of their own; ``weekend_code`` fills weekend cells of outpatient rotations (W makes W
    mean "weekend" in this program); ``yearless`` writes the dates as text like "7/1", so only the
    title says the year."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Block 1"
    ws["A1"] = "Lakeside Family Medicine Residency"
    ws["A2"] = "Block 1 Schedule: July 1 - July 28, 2026"
    ws["E2"] = "Updated"
    ws["F2"] = dt.datetime(2026, 6, 20)
    ws["A3"] = NBSP
    last = FM_FIRST_COL + 2 * len(FM_DAYS) - 1
    for k, day in enumerate(FM_DAYS):
        c = FM_FIRST_COL + 2 * k
        ws.cell(4, c, day.strftime("%A"))
        ws.cell(FM_DATE_ROW, c, f"{day.month}/{day.day}" if yearless else dt.datetime(day.year, day.month, day.day))
        ws.merge_cells(start_row=4, start_column=c, end_row=4, end_column=c + 1)
        ws.merge_cells(start_row=FM_DATE_ROW, start_column=c, end_row=FM_DATE_ROW, end_column=c + 1)
        label_row = FM_HEADER_ROW if labels_in_header else 6
        ws.cell(label_row, c, "AM")
        ws.cell(label_row, c + 1, "PM")
    for c in range(1, last + 1, 7):
        ws.cell(7, c, NBSP)  # a blank-looking row that is not blank
    for c, text in enumerate(["TEMPLATE", "ROLE", "PROVIDER"], start=1):
        ws.cell(FM_HEADER_ROW, c, text)
    counts = ["# CL", "# IP", "Calls", "Total"]
    for k, text in enumerate(counts):
        ws.cell(FM_HEADER_ROW, last + 2 + k, text)

    row = FM_HEADER_ROW + 1
    # a holiday marker: codes, no name
    ws.cell(row, FM_FIRST_COL + 4, "HOL")
    ws.cell(row, FM_FIRST_COL + 5, "HOL")
    row += 1

    def section(title: str, merged: bool) -> None:
        nonlocal row
        if merged:
            ws.cell(row, 1, title)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        else:
            ws.cell(row, 3, title)
        row += 1

    def person(name: str, role: str, template: str, cells: list[tuple[str, str]]) -> None:
        nonlocal row
        ws.cell(row, 1, template)
        ws.cell(row, 2, role)
        ws.cell(row, 3, name)
        for k, (am, pm) in enumerate(cells):
            for off, code in ((0, am), (1, pm)):
                if code:
                    ws.cell(row, FM_FIRST_COL + 2 * k + off, code)
        flat = [c.strip() for pair in cells for c in pair if c.strip()]
        for k, n in enumerate([sum(c.upper().startswith("CL") for c in flat), flat.count("IP"), flat.count("C")]):
            ws.cell(row, last + 2 + k, n)
        ws.cell(row, last + 5, len(flat))
        row += 1

    for level, merged in (("PGY 1", True), ("PGY 2", False), ("PGY 3", True)):
        section(f"{level} Rotations", merged)
        for name, (role, rotation, k) in FM_RESIDENTS.items():
            if role != level:
                continue
            kind = {"VAC": "CL", "LV": "CL"}.get(rotation, rotation)
            cells = _sessions(kind, k, weekend_code)
            if rotation == "VAC":
                cells = _sessions("VAC", k, weekend_code)
            if rotation == "LV":  # a week of leave, one sick day
                cells = [("LV", "LV") if 14 <= i < 19 else c for i, c in enumerate(cells)]
                cells[20] = ("SL", "SL")
            if name == FM_VIOLATION[0] and violation:
                i = FM_DAYS.index(FM_VIOLATION[1])
                cells[i] = ("CL", "PC")  # clinic the morning after a call
            person(name, role, f"T{len(name) % 4 + 1}", cells)
    for title, merged, roles in (("Faculty", False, ("FAC",)), ("Pharmacy", True, ("PharmD",)),
                                 ("Students", False, ("MS3",))):  # fmt: skip
        section(title, merged)
        for name, (role, codes) in FM_OTHERS.items():
            if role not in roles:
                continue
            cells = [
                ("", "") if d.weekday() >= 5 else (codes[i % len(codes)], codes[(i + 1) % len(codes)])
                for i, d in enumerate(FM_DAYS)
            ]
            person(name, role, "", cells)
    row += 1
    ws.cell(row, 3, "Notes: swaps need the chief resident's approval")
    ws.cell(row + 1, 1, "CL = continuity clinic, C = call, W = wellness")
    wb.create_sheet("Notes")["A1"] = "Call swaps: email the chiefs."
    wb.save(path)
    return path


# ------------------------------------------------------------------------------ a real-sized block
# A 28-day half-day block as programs write them (Block 9, Monday 2026-02-02 to Sunday 2026-03-01):
# 17 residents, each date over an AM and a PM column, codes in their own mixed case (`PedW`,
# `C/LEC`, `Call`, `FMIT`). Two residents break rules: Rafael Ortiz works every session of the
# block (days-off: one finding naming all 56 cells of his row) and Priya Shah has clinic the
# morning after a 24-hour call (shift-length).

BLOCK_DAYS = days(28, dt.date(2026, 2, 2))
BLOCK_SHEET = "Block 9"
BLOCK_FIRST_COL = 3  # C: February 2 AM
BLOCK_CONFIG = """\
preset = ["acgme"]
[shifts]
FMIT = { kind = "work", description = "Family medicine inpatient team" }
PedW = { kind = "work", description = "Pediatric ward" }
"C/LEC" = { kind = "work", description = "Continuity clinic, then lecture" }
Clinic = { kind = "work", description = "Continuity clinic" }
ObGyn = { kind = "work", description = "Obstetrics and gynecology" }
EM = { kind = "work", description = "Emergency medicine" }
Call = { start = "07:00", end = "07:00", kind = "call", description = "24-hour in-house call" }
Post = { kind = "off", description = "Post-call" }
Off = { kind = "off", description = "Day off" }
Vac = { kind = "leave", description = "Vacation" }
"""
BLOCK_NAMES = [
    "Rafael Ortiz", "Priya Shah", "Amelia Brooks", "Noah Kim", "Layla Haddad", "Mateo Silva", "Chloe Dubois",
    "Ethan Park", "Zara Ahmed", "Lucas Weber", "Maya Patel", "Oliver Chen", "Sofia Rossi", "Daniel Cohen",
    "Aisha Bello", "Henry Novak", "Isla Murphy",
]


def _block_sessions(k: int) -> list[tuple[str, str]]:
    """28 (AM, PM) pairs for resident ``k``: a rotation with weekends off, varied by ``k``."""
    rotation = ["FMIT", "PedW", "C/LEC", "ObGyn", "EM"][k % 5]
    out: list[tuple[str, str]] = []
    for i, day in enumerate(BLOCK_DAYS):
        if day.weekday() >= 5:
            out.append(("Off", "Off"))
        elif rotation == "C/LEC":
            out.append(("Clinic", "C/LEC") if day.weekday() == 2 else ("Clinic", "Clinic"))
        elif rotation == "PedW" and (i + k) % 7 == 3:
            out.append(("PedW", "C/LEC"))
        else:
            out.append((rotation, rotation))
    if k in (6, 13):  # a vacation week
        out[14:19] = [("Vac", "Vac")] * 5
    return out


def half_day_block(path: Path, *, violations: bool = True) -> Path:
    """The block above as ``path`` (xlsx), with its ``rostercheck.toml`` beside it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = BLOCK_SHEET
    ws.cell(1, 1, "Block 9 schedule")
    ws.cell(2, 1, "Name")
    ws.cell(2, 2, "PGY")
    for k, day in enumerate(BLOCK_DAYS):
        c = BLOCK_FIRST_COL + 2 * k
        ws.cell(2, c, dt.datetime(day.year, day.month, day.day))
        ws.merge_cells(start_row=2, start_column=c, end_row=2, end_column=c + 1)
        ws.cell(3, c, "AM")
        ws.cell(3, c + 1, "PM")
    for k, name in enumerate(BLOCK_NAMES):
        cells = _block_sessions(k)
        if violations and name == "Rafael Ortiz":
            cells = [("FMIT", "FMIT")] * len(BLOCK_DAYS)
        if violations and name == "Priya Shah":
            cells[9] = ("Call", "Call")  # Wednesday 02-11, 24-hour call
            cells[10] = ("Clinic", "Post")  # clinic the morning after
        row = 4 + k
        ws.cell(row, 1, name)
        ws.cell(row, 2, 1 + k % 3)
        for j, (am, pm) in enumerate(cells):
            ws.cell(row, BLOCK_FIRST_COL + 2 * j, am)
            ws.cell(row, BLOCK_FIRST_COL + 2 * j + 1, pm)
    wb.save(path)
    (path.parent / "rostercheck.toml").write_text(BLOCK_CONFIG)
    return path
