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


#: roster kinds whose cells a copy can be written back into, by extension
WRITABLE = (".xlsx", ".xlsm", ".csv")


def check_copy_target(dst: str, src: str, *, option: str = "--output", keep_macros: bool = False,
                      workbook: bool = False) -> None:
    """Refuse an output name whose extension cannot hold the copy, before any work is done.

    A copy is written in the roster's own format (``workbook``: always an Excel workbook, as an
    annotated copy is). A workbook saved under ``x.csv`` is a file that ``check x.csv`` then cannot
    read, and Excel checks that the extension matches the content: a macro-free workbook named
    .xlsm (or a macro workbook named .xlsx) is refused with "file format or extension is not valid".
    One check for ``repair -o``, ``swap -o`` and ``--annotate``, so they refuse alike.
    """
    out, kind = Path(dst).suffix.lower(), Path(src).suffix.lower()
    named = f"not {out}" if out else "it has no extension"
    if not workbook:
        if kind not in WRITABLE:
            raise InputError(f"{option}: copies can be written only for .xlsx, .xlsm and .csv rosters, "
                             f"not {kind or 'a file without an extension'}", file=src)
        if kind == ".csv":
            if out != ".csv":
                raise InputError(f"{option}: the roster is csv, so its copy is csv: name it .csv ({named})",
                                 file=dst)
            return
    macros = keep_macros and kind == ".xlsm"
    what = "an annotated copy" if workbook else "the copy of a workbook roster"
    if out not in (".xlsx", ".xlsm"):
        raise InputError(f"{option}: {what} is an Excel workbook: name it {'.xlsm' if macros else '.xlsx'} "
                         f"({named})", file=dst)
    if macros and out != ".xlsm":
        raise InputError(f"{option}: --keep-macros keeps VBA, which Excel opens only from a .xlsm file: "
                         "name it .xlsm", file=dst)
    if out == ".xlsm" and not macros:
        raise InputError(f"{option}: a copy without macros must be named .xlsx (use --keep-macros with a .xlsm "
                         "roster to keep them)", file=dst)


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

    from rostercheck.read.source import csv_text

    text, delimiter = csv_text(Path(src).read_bytes(), Path(src).suffix.lower())
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    for ch in changes:
        col, row = coordinate_from_string(ch.cell)
        r, c = row - 1, column_index_from_string(col) - 1
        while len(rows) <= r:
            rows.append([])
        while len(rows[r]) <= c:
            rows[r].append("")
        rows[r][c] = ch.new
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
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
