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
