"""Transposed grids: dates down the first column, one column per resident, codes in the cells.

Read exactly like a grid turned on its side: every (date, resident) cell is an entry with its
own address, blank cells included, so checks, annotations and repairs work unchanged.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import CELL_STRIDE, Resident, RosterOptions, Source
from rostercheck.read import headers as H
from rostercheck.read.cells import collapse, column_letters, has_letter, map_unique, text_array
from rostercheck.read.detect import Plan
from rostercheck.read.duty import body_rows, header_columns
from rostercheck.read.grid import EmptyRoster
from rostercheck.read.result import ReadWarning, SheetInfo, SheetRoster, SkippedRow, nones
from rostercheck.read.source import Sheet


def read_transposed(sheet: Sheet, plan: Plan, options: RosterOptions) -> SheetRoster:
    """A transposed sheet -> residents (the header's names, left to right) and one entry per cell."""
    texts = text_array(sheet.values)
    h = plan.header
    dcol, cols = header_columns(sheet, texts, h, "the header of a transposed grid", "resident")
    for j in cols:
        if not has_letter(texts[h, j]):
            raise InputError(f"expected a resident's name in the header, got {texts[h, j]!r}", **sheet.where(h, j))
    skipped: list[SkippedRow] = []
    rows, dates = body_rows(sheet, texts, h, dcol, cols, options, skipped)
    if rows.size == 0:
        raise EmptyRoster("empty roster: no dated rows below the header", **sheet.where(h, dcol))
    cols, free = _free_text_columns(sheet, texts, h, rows, cols)
    for j, why in free:
        letter = column_letters(sheet.col0 + j)
        skipped.append(SkippedRow(sheet.name, sheet.row_number(h), collapse(texts[h, j]), "free text", why, letter))
    if not cols:
        raise EmptyRoster("empty roster: no resident columns beside the dates, only free text", **sheet.where(h, dcol))
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


def _free_text(text: str) -> bool:
    """Words, not a code: two or more words with letters ("swap approved"), or a long text."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    return len(words) >= 2 or len(text) > 20


def _free_text_columns(
    sheet: Sheet, texts: np.ndarray, h: int, rows: np.ndarray, cols: list[int]
) -> tuple[list[int], list[tuple[int, str]]]:
    """Split the header's columns into residents and free-text columns (``Notes``, ``Comments``).

    A column is free text when its header is a free-text label and most of its cells are not codes
    other columns use, or when most of its cells are words no other column holds. A resident whose
    rotation nobody else has (``VAC`` all month) stays a resident: a code is one word. Work is per
    column and per distinct value, never per cell in Python.
    """
    if not rows.size:
        return cols, []
    body = texts[np.ix_(rows, np.asarray(cols, dtype=np.int64))]
    filled = body != ""
    uniques = [np.unique(body[filled[:, k], k].astype(str)) for k in range(len(cols))]
    everything = np.concatenate(uniques) if uniques else np.empty(0, dtype=str)
    values, in_columns = np.unique(everything, return_counts=True)
    shared_of = dict(zip(values.tolist(), (in_columns >= 2).tolist(), strict=True))
    wordy = map_unique(body, _free_text).astype(bool)
    keep: list[int] = []
    free: list[tuple[int, str]] = []
    for k, j in enumerate(cols):
        cells = body[filled[:, k], k]
        shared = np.fromiter((shared_of[v] for v in uniques[k].tolist()), dtype=bool, count=len(uniques[k]))
        common = np.isin(cells.astype(str), uniques[k][shared])  # codes other columns use too
        share = float(common.mean()) if cells.size else 0.0
        words = float((wordy[filled[:, k], k] & ~common).mean()) if cells.size else 0.0
        if H.header_key(texts[h, j]) in H.FREE_TEXT and share < 0.5:
            free.append((j, "a notes column, not a resident"))
        elif words > 0.5:
            free.append((j, "its cells are words, not shift codes"))
        else:
            keep.append(j)
    return keep, free
