"""Annotated copies of a roster workbook: the findings shown where chief residents already look.

A chief resident fixes a roster in Excel, so the most useful report is the roster itself with each
offending cell filled (errors red, warnings amber), a first sheet "Violations" that lists every
finding once with a link to its cell, and a comment on each finding's first cell (its anchor) naming
the rule, the value against the limit and the finding's span. The other cells of a finding (the 56
worked cells of a failing days-off window) get the fill only: a comment on each of them, once per
overlapping window, buried a real block under hundreds of notes.

.xlsx and .xlsm rosters are copied with openpyxl, which keeps formatting, other sheets, column
widths and comments; only the flagged cells change their fill. Other inputs (.csv, .tsv, .xls,
.ods) cannot be copied that way, so a new .xlsx is written with the values of each sheet at the
same addresses, which keeps every cell address a finding names valid in the new file.

The input is never opened for writing: the copy goes through ``atomic_write``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rostercheck.errors import InputError
from rostercheck.model import REPORT_SHEET_HEADERS, Finding, Source
from rostercheck.output import atomic_write
from rostercheck.report.cellrange import condense, describe
from rostercheck.wording import plural
from rostercheck.workbook import AUTHOR, CHANGED_FILL, safe_cell

#: Red and amber strong enough to stand out from the pastel fills rosters use for shift codes, with
#: black text still readable; amber is far from the pale ``CHANGED_FILL`` of repaired cells.
ERROR_FILL = "FF7C80"
WARNING_FILL = "FFC000"
FILLS = {"error": ERROR_FILL, "warning": WARNING_FILL}
#: A medium border in a darker shade, so a flagged cell is unmistakable even where a roster already
#: uses a red or orange fill for some code, and still visible on a black-and-white printout.
BORDERS = {"error": "C00000", "warning": "9C5700"}
SEVERITY_RANK = {"error": 0, "warning": 1}

#: Sheet that holds a csv (or other non-openpyxl) roster's values in the new workbook.
GRID_SHEET = "Roster"
VIOLATIONS_SHEET = "Violations"
CHANGES_SHEET = "Changes"
COLUMNS = REPORT_SHEET_HEADERS[VIOLATIONS_SHEET]
#: Excel's limit for one cell's text; long cell lists are cut below it.
_MAX_CELL_TEXT = 32000
_COPYABLE = (".xlsx", ".xlsm")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Annotated:
    """What an annotated copy holds, for the CLI's one-line message and for tests."""

    path: str
    findings: int
    cells: int
    changed: int = 0
    comments: int = 0
    sheets: list[str] = field(default_factory=list)


def check_target(dst: str, src: str, *, keep_macros: bool = False) -> None:
    """Refuse an output name that would give a file Excel will not open, before any work is done.

    Excel checks that the extension matches the content: a macro-free workbook named .xlsm (or a
    macro workbook named .xlsx) is refused with "file format or extension is not valid".
    """
    from rostercheck.workbook import check_copy_target

    check_copy_target(dst, src, option="--annotate", keep_macros=keep_macros, workbook=True)


def annotate_check(result: Any, dst: str, *, keep_macros: bool = False) -> Annotated:
    """An annotated copy of a checked roster (``result`` is a ``CheckResult``)."""
    return annotate(result.path, dst, result.findings, keep_macros=keep_macros,
                    note=_summary(result.path, result.findings, "check"))


def annotate_repair(result: Any, dst: str, *, keep_macros: bool = False) -> Annotated:
    """An annotated copy of a repaired roster (``result`` is a ``RepairResult``).

    Changed cells carry their new value, the pale fill and "was ..." comment of a repaired copy;
    findings left after the repair are marked on top. When no repair was found the findings
    before repair are marked instead, and the Violations sheet says so.
    """
    from rostercheck.repair.report import status_line

    path = result.before.path
    if result.after is not None:
        changes = [c for c in result.outcome.changes if c.cell]
        findings = result.after.findings
        note = _summary(path, findings, "after repair") + f"; repair: {status_line(result)}"
    else:
        changes, findings = [], result.before.findings
        note = _summary(path, findings, "check") + f"; no repair written: {status_line(result)}"
    return annotate(path, dst, findings, changes=changes, keep_macros=keep_macros, note=note)


def annotate(
    src: str,
    dst: str,
    findings: Sequence[Finding],
    *,
    changes: Sequence[Any] = (),
    keep_macros: bool = False,
    note: str = "",
) -> Annotated:
    """Write ``dst``: ``src`` with findings (and repair ``changes``) marked and a Violations sheet first."""
    check_target(dst, src, keep_macros=keep_macros)
    from openpyxl.comments import Comment
    from openpyxl.styles import Border, PatternFill, Side

    wb, sheet_of = _open(src, keep_macros=keep_macros)
    by_cell = _findings_by_cell(src, findings)
    anchored = _findings_by_anchor(src, findings)
    changed = {(c.sheet, c.cell): c for c in changes if c.cell}
    fills = {k: PatternFill(start_color=v, end_color=v, fill_type="solid") for k, v in FILLS.items()}
    changed_fill = PatternFill(start_color=CHANGED_FILL, end_color=CHANGED_FILL, fill_type="solid")
    borders = {k: Border(*(Side(style="medium", color=v),) * 4) for k, v in BORDERS.items()}
    marked = comments = 0
    for key in sorted(set(by_cell) | set(changed), key=lambda k: (k[0] or "", k[1])):
        sheet, address = key
        ws = wb[sheet_of(sheet)]
        cell = ws[address]
        lines: list[str] = []
        ch = changed.get(key)
        hits = sorted(by_cell.get(key, []), key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.start, f.rule))
        notes = sorted(anchored.get(key, []), key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.start, f.rule))
        if ch is not None:
            cell.value = ch.new if ch.new != "" else None
            _literal(cell)
            cell.fill = changed_fill
            lines.append(f"rostercheck repair: was {ch.old or '(blank)'}")
        if hits:
            sev = hits[0].severity if hits[0].severity in FILLS else "warning"  # an error wins over a warning
            cell.fill, cell.border = fills[sev], borders[sev]
        if notes:
            if not lines:
                lines.append(f"rostercheck: {plural(len(notes), 'finding')}")
            lines += [_comment_line(f, src, sheet_of) for f in notes]
        marked += 1
        if not lines:
            continue  # a finding's background cell: the fill says it, its anchor's comment explains it
        text = "\n".join(lines)
        if cell.comment is not None and not cell.comment.text.startswith("rostercheck"):
            text = f"{cell.comment.text.rstrip()}\n---\n{text}"  # keep the roster's own note
        longest = max(map(len, text.splitlines()), default=20)
        cell.comment = Comment(text, AUTHOR, width=min(520, max(240, 6 * longest)),
                               height=min(600, 24 + 16 * sum(1 + len(x) // 80 for x in text.splitlines())))
        comments += 1
    _violations_sheet(wb, src, findings, sheet_of, note)
    if changes:
        _changes_sheet(wb, changes, sheet_of)
    wb.active = 0
    for i, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = i == 0

    def save(tmp: str) -> None:
        wb.save(tmp)

    atomic_write(dst, save)
    return Annotated(dst, len(findings), marked, len(changed), comments, list(wb.sheetnames))


# ------------------------------------------------------------------------------------ helpers


def _open(src: str, *, keep_macros: bool) -> tuple[Any, Any]:
    """The workbook to annotate and a function from a finding's sheet (None for csv) to a title."""
    suffix = Path(src).suffix.lower()
    if suffix in _COPYABLE:
        from openpyxl import load_workbook

        try:
            wb = load_workbook(src, keep_vba=suffix == ".xlsm" and keep_macros, rich_text=False)
        except Exception as e:
            raise InputError(f"could not reopen the workbook to write a copy ({type(e).__name__})", file=src) from None
        first = wb.worksheets[0].title
        return wb, lambda sheet: sheet or first
    return _values_workbook(src)


def _values_workbook(src: str) -> tuple[Any, Any]:
    """A new workbook holding every sheet's values at their original addresses.

    Cells are written as text or numbers, never as formulas: a value such as ``=HYPERLINK(..)``
    in a csv becomes literal text, so opening the copy never evaluates a roster's content.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    from rostercheck.read.source import open_book

    book = open_book(src)
    wb = Workbook()
    wb.remove(wb.active)
    titles: dict[str | None, str] = {}
    for name in book.names:
        sheet = book.sheet(name)
        title = _unique_title(wb, GRID_SHEET if name is None else name)
        titles[name] = title
        ws = wb.create_sheet(title)
        widths = [4] * sheet.ncols
        for i, row in enumerate(sheet.values.tolist()):  # openpyxl writes cell by cell anyway
            for j, value in enumerate(row):
                if value is None or value == "":
                    continue
                cell = ws.cell(sheet.row0 + i + 1, sheet.col0 + j + 1)
                cell.value = _typed(value)
                _literal(cell)
                widths[j] = max(widths[j], min(40, len(str(value)) + 2))
        for j, w in enumerate(widths):
            ws.column_dimensions[get_column_letter(sheet.col0 + j + 1)].width = w
    first = titles[book.names[0]]
    return wb, lambda sheet: titles.get(sheet, first)


def _typed(value: object) -> object:
    """Numbers in csv text become numbers (no "number stored as text" marks); the rest stays text."""
    if isinstance(value, str) and _NUMBER.match(value.strip()):
        v = float(value)
        return int(v) if v.is_integer() and "." not in value else v
    return value


def _literal(cell: Any) -> None:
    """openpyxl reads a string starting with '=' as a formula; a roster's text must stay text."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def _unique_title(wb: Any, wanted: str) -> str:
    base = _BAD_TITLE.sub("_", wanted)[:31] or "Sheet"
    title, n = base, 2
    taken = {t.casefold() for t in wb.sheetnames}
    while title.casefold() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    return title


def _findings_by_cell(src: str, findings: Iterable[Finding]) -> dict[tuple[str | None, str], list[Finding]]:
    """Findings grouped by the cell of this file they name (cells of a previous roster are skipped)."""
    out: dict[tuple[str | None, str], list[Finding]] = {}
    for f in findings:
        for key in dict.fromkeys((c.sheet, c.cell) for c in f.cells if c.cell and c.file == src):
            out.setdefault(key, []).append(f)
    return out


def _anchor(src: str, f: Finding) -> tuple[str | None, str] | None:
    """The cell of this file where a finding's comment goes: the top-left of its first range."""
    ranges = condense([c for c in f.cells if c.cell and c.file == src])
    return (ranges[0].sheet, ranges[0].first) if ranges else None


def _findings_by_anchor(src: str, findings: Iterable[Finding]) -> dict[tuple[str | None, str], list[Finding]]:
    """Findings grouped by their anchor cell: each finding is explained in exactly one comment."""
    out: dict[tuple[str | None, str], list[Finding]] = {}
    for f in findings:
        key = _anchor(src, f)
        if key is not None:
            out.setdefault(key, []).append(f)
    return out


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _comment_line(f: Finding, src: str, sheet_of: Any) -> str:
    """Short: rule, value against limit, when, and the cells the finding spans."""
    unit = f" {f.unit}" if f.unit else ""
    cells = _cell_names(src, f.cells, sheet_of)
    return (f"{f.rule} ({f.severity}): {_num(f.value)}{unit}, limit {_num(f.limit)}{unit}; {f.when()}"
            + (f"; cells {cells}" if cells else ""))


def _summary(path: str, findings: Sequence[Finding], what: str) -> str:
    e = sum(f.severity == "error" for f in findings)
    w = sum(f.severity == "warning" for f in findings)
    return f"rostercheck {what} of {Path(path).name}: {plural(e, 'error')}, {plural(w, 'warning')}"


def _ref(title: str, address: str) -> str:
    """A same-workbook reference, quoted as Excel writes it ('It''s'!A1)."""
    return "'" + title.replace("'", "''") + "'!" + address


def _cell_names(src: str, cells: Sequence[Source], sheet_of: Any) -> str:
    """The cells as ranges, under the sheet titles of this copy (a csv roster's sheet is ``Roster``)."""
    here = [Source(c.file, sheet_of(c.sheet) if c.file == src else c.sheet, c.cell) for c in cells if c.cell]
    text = describe(here, home=src)
    if len(text) > _MAX_CELL_TEXT:
        text = text[:_MAX_CELL_TEXT].rsplit(" ", 1)[0] + " ..."
    return text


def _when(iso: str) -> dt.datetime | str:
    try:
        return dt.datetime.fromisoformat(iso)
    except ValueError:
        return iso


def _header(ws: Any, columns: Sequence[str], widths: Sequence[int]) -> None:
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(list(columns))
    head = PatternFill(start_color="D9E1F2", end_color="D9E1F2", fill_type="solid")
    for j, w in enumerate(widths, start=1):
        c = ws.cell(1, j)
        c.font = Font(bold=True)
        c.fill = head
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.freeze_panes = "A2"


def _link(cell: Any, title: str, address: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=_ref(title, address), display=str(cell.value or ""))
    cell.font = Font(color="0563C1", underline="single")


def _violations_sheet(wb: Any, src: str, findings: Sequence[Finding], sheet_of: Any, note: str) -> None:
    """The first sheet: one row per finding, errors first, each linked to its first cell."""
    from openpyxl.styles import PatternFill

    ws = wb.create_sheet(_unique_title(wb, VIOLATIONS_SHEET), 0)
    _header(ws, COLUMNS, (22, 9, 24, 17, 17, 9, 9, 12, 90, 40))
    fills = {k: PatternFill(start_color=v, end_color=v, fill_type="solid") for k, v in FILLS.items()}
    ordered = sorted(findings, key=lambda f: (SEVERITY_RANK.get(f.severity, 9), f.resident or "", f.start, f.rule))
    for i, f in enumerate(ordered, start=2):
        ws.append([safe_cell(f.rule), safe_cell(f.severity), safe_cell(f.resident or ""), _when(f.start),
                   _when(f.end), f.value, f.limit, safe_cell(f.unit), safe_cell(f.message),
                   safe_cell(_cell_names(src, f.cells, sheet_of))])
        ws.cell(i, 2).fill = fills.get(f.severity, fills["warning"])
        for j in (4, 5):
            ws.cell(i, j).number_format = "yyyy-mm-dd hh:mm"
        anchor = _anchor(src, f)
        if anchor is not None:
            _link(ws.cell(i, len(COLUMNS)), sheet_of(anchor[0]), anchor[1])
    last = max(2, len(ordered) + 1)
    ws.auto_filter.ref = f"A1:J{last}"
    ws.cell(1, len(COLUMNS) + 2, safe_cell(note or _summary(src, findings, "check")))


def _changes_sheet(wb: Any, changes: Sequence[Any], sheet_of: Any) -> None:
    """After Violations: every changed cell, old and new, linked to the cell."""
    ws = wb.create_sheet(_unique_title(wb, CHANGES_SHEET), 1)
    _header(ws, REPORT_SHEET_HEADERS[CHANGES_SHEET], (24, 12, 6, 10, 10, 16))
    for i, c in enumerate(changes, start=2):
        title = sheet_of(c.sheet)
        ws.append([safe_cell(c.resident), safe_cell(c.date), safe_cell(c.slot), safe_cell(c.old), safe_cell(c.new),
                   f"{title}!{c.cell}"])
        _link(ws.cell(i, 6), title, c.cell)
