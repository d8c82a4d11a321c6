"""Transposed grids: dates down the first column, one column per resident, codes in the cells.

Read exactly like a grid turned on its side: every (date, resident) cell is an entry with its
own address, blank cells included, so checks, annotations and repairs work unchanged.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import CELL_STRIDE, Resident, RosterOptions, Source
from rostercheck.read.cells import collapse, column_letters, has_letter, text_array
from rostercheck.read.detect import Plan
from rostercheck.read.duty import _columns, body_rows
from rostercheck.read.grid import EmptyRoster
from rostercheck.read.result import ReadWarning, SheetInfo, SheetRoster, SkippedRow, nones
from rostercheck.read.source import Sheet


def read_transposed(sheet: Sheet, plan: Plan, options: RosterOptions) -> SheetRoster:
    """A transposed sheet -> residents (the header's names, left to right) and one entry per cell."""
    texts = text_array(sheet.values)
    h = plan.header
    found = _columns(sheet, texts, h)
    if found is None:
        raise InputError(
            f"row {sheet.row_number(h)} is not the header of a transposed grid: expected a date column "
            "with dates below it and one column per resident",
            **sheet.where(h, 0),
        )
    dcol, cols = found
    for j in cols:
        if not has_letter(texts[h, j]):
            raise InputError(f"expected a resident's name in the header, got {texts[h, j]!r}", **sheet.where(h, j))
    skipped: list[SkippedRow] = []
    rows, dates = body_rows(sheet, texts, h, dcol, cols, options, skipped)
    if rows.size == 0:
        raise EmptyRoster("empty roster: no dated rows below the header", **sheet.where(h, dcol))
    residents: list[Resident] = []
    seen: dict[str, int] = {}  # casefolded name -> the column that first held it
    warnings: list[ReadWarning] = []
    for j in cols:
        name = collapse(texts[h, j])
        if name.casefold() in seen:  # one person in two columns: keep both, told apart by column
            first = seen[name.casefold()]
            renamed = f"{name} (column {column_letters(sheet.col0 + j)})"
            warnings.append(
                ReadWarning(
                    sheet.name, sheet.address(h, j),
                    f"{name!r} heads columns {column_letters(sheet.col0 + first)} ({sheet.address(h, first)}) and "
                    f"{column_letters(sheet.col0 + j)} ({sheet.address(h, j)}): read as two residents, the second "
                    f"as {renamed!r} (one person twice? merge the columns)",
                )
            )  # fmt: skip
            name = renamed
        seen.setdefault(name.casefold(), j)
        residents.append(Resident(name, source=Source(sheet.file, sheet.name, sheet.address(h, j))))
    c = np.asarray(cols, dtype=np.int64)
    n, m = c.size, rows.size
    info = SheetInfo(
        sheet=sheet.name, layout="transposed", header_row=sheet.row_number(h),
        columns={"date": (column_letters(sheet.col0 + dcol), collapse(texts[h, dcol]))},
        dates=(dates.min().astype(dt.date), dates.max().astype(dt.date)),
    )
    # resident-major order, as a grid's entries are: each resident's dates in a run
    roster = SheetRoster(
        sheet=sheet.name,
        layout="transposed",
        residents=residents,
        resident=np.repeat(np.arange(n, dtype=np.int64), m),
        date=np.tile(dates, n),
        slot=np.full(n * m, "", dtype=object),
        text=texts[np.ix_(rows, c)].T.ravel(),
        start=nones(n * m),
        end=nones(n * m),
        cell=((rows + sheet.row0)[None, :] * CELL_STRIDE + (c + sheet.col0)[:, None]).ravel(),
        info=info,
        rows=[sheet.row_number(h)] * n,  # a resident's name is in the header row, in their column
    )
    info.skipped = skipped  # "Week 2" rows without codes
    info.warnings.extend(warnings)
    return roster
