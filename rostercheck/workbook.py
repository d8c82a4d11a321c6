"""Writing copies of a roster file: repaired cells and (later) annotations.

openpyxl is used for writing because it keeps a workbook's formatting, other sheets, column widths
and colours; only the cells we touch change. The input is never opened for writing: the copy is
saved to a temporary file beside the target and renamed into place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from rostercheck.errors import InputError
from rostercheck.output import atomic_write

CHANGED_FILL = "FFF2CC"  # pale amber: visible, still readable in print
AUTHOR = "rostercheck"


def write_changes(src: str, dst: str, changes: Iterable, *, keep_macros: bool = False, what: str = "repair") -> int:
    """Copy ``src`` to ``dst`` with each change written, highlighted and commented ("rostercheck
    ``what``: was X"). Returns how many cells were written; changes without a cell address (days a
    long file left out) are skipped."""
    changes = [c for c in changes if c.cell]
    suffix = Path(src).suffix.lower()
    if suffix == ".csv":
        return _write_csv(src, dst, changes)
    if suffix not in (".xlsx", ".xlsm"):
        raise InputError("repaired copies can be written for .xlsx, .xlsm and .csv rosters", file=src)
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    keep_vba = suffix == ".xlsm" and keep_macros
    try:
        wb = load_workbook(src, keep_vba=keep_vba, rich_text=False)
    except Exception as e:
        raise InputError(f"could not reopen the workbook to write a copy ({type(e).__name__})", file=src) from None
    fill = PatternFill(start_color=CHANGED_FILL, end_color=CHANGED_FILL, fill_type="solid")
    for ch in changes:
        ws = wb[ch.sheet] if ch.sheet else wb.active
        cell = ws[ch.cell]
        cell.value = ch.new if ch.new != "" else None
        cell.fill = fill
        old = ch.old if ch.old else "(blank)"
        cell.comment = Comment(f"rostercheck {what}: was {old}", AUTHOR, width=220, height=60)

    def save(tmp: str) -> None:
        wb.save(tmp)

    atomic_write(dst, save)
    return len(changes)


def _write_csv(src: str, dst: str, changes: list) -> int:
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    raw = Path(src).read_bytes()
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    for ch in changes:
        col, row = coordinate_from_string(ch.cell)
        r, c = row - 1, column_index_from_string(col) - 1
        while len(rows) <= r:
            rows.append([])
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = ch.new
    buf = io.StringIO()
    csv.writer(buf, dialect, lineterminator="\n").writerows(rows)
    atomic_write(dst, buf.getvalue().encode("utf-8"))
    return len(changes)


def changes_csv(changes: Iterable) -> str:
    """The change list for people who filter in Excel (formula-like text escaped); the last column
    says which finding(s) each change fixes."""
    from rostercheck.repair.links import describe

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["resident", "date", "slot", "old", "new", "sheet", "cell", "fixes"])
    for c in changes:
        w.writerow([safe_cell(v) for v in (c.resident, c.date, c.slot, c.old, c.new, c.sheet or "", c.cell or "",
                                           describe(c))])
    return buf.getvalue()


def safe_cell(value: object) -> str:
    """Text a spreadsheet would evaluate (=, +, -, @, tab, CR) gets a leading apostrophe."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s
