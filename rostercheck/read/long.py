"""Long rosters: one row per assignment (resident, date, code, maybe start/end times).

Exports from scheduling systems come this way, often as CSV with hundreds of thousands of rows,
so every column is converted once per *distinct* value (``map_unique``): a year of dates is 365
parses however many rows there are.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from rostercheck.errors import InputError
from rostercheck.model import CELL_STRIDE, Resident, RosterOptions, Source
from rostercheck.read import headers as H
from rostercheck.read.attributes import parse_label, parse_pgy, time_text
from rostercheck.read.cells import (
    collapse,
    column_letters,
    factorize,
    filled,
    first_true,
    has_letter,
    map_unique,
    text_array,
)
from rostercheck.read.dates import HeaderDate, parse_date_value, slot_label
from rostercheck.read.detect import Plan
from rostercheck.read.grid import EmptyRoster, column_for
from rostercheck.read.result import SheetInfo, SheetRoster, nones
from rostercheck.read.rows import compile_patterns, describe
from rostercheck.read.source import Sheet

_BAD = object()  # a value that failed to parse; the first one found is reported with its cell


class _ColumnTexts:
    """``cell_text`` of whole columns, each converted the first time it is needed.

    A long export may have columns nobody reads (IDs, comments); converting only the used ones
    keeps a half-million-row file fast. Indexed like the 2-D array it stands for.
    """

    def __init__(self, values: np.ndarray) -> None:
        self._values = values
        self._columns: dict[int, np.ndarray] = {}

    def column(self, j: int) -> np.ndarray:
        if j not in self._columns:
            self._columns[j] = text_array(self._values[:, j])
        return self._columns[j]

    def __getitem__(self, key: tuple) -> object:
        rows, j = key
        return self.column(int(j))[rows]


_EXAMPLES = {"name": "'Resident' or 'Name'", "date": "'Date'", "code": "'Code', 'Shift' or 'Assignment'"}


def _required(sheet: Sheet, keys: list[str], words: frozenset[str], taken: set[int], h: int, what: str) -> int:
    col = H.find(keys, words, taken)
    if col is None:
        raise InputError(
            f"no {what} column found: expected a header like {_EXAMPLES[what]} in row {sheet.row_number(h)}",
            **sheet.where(h, 0),
        )
    taken.add(col)
    return col


def read_long(sheet: Sheet, plan: Plan, options: RosterOptions, *, lenient: bool = False) -> SheetRoster:
    """A long sheet -> residents (in order of first appearance) and one entry per data row.

    ``lenient``: an unreadable PGY cell is "no level" rather than an error (``init`` only).
    """
    h = plan.header
    texts = _ColumnTexts(sheet.values)
    keys = [H.header_key(t) for t in text_array(sheet.values[h])]
    taken: set[int] = set()
    if options.name_column:
        name_col = column_for(sheet, options.name_column, [h], text_array(sheet.values[: h + 1]))
        taken.add(name_col)
    else:
        name_col = _required(sheet, keys, H.NAME, taken, h, "name")
    date_col = _required(sheet, keys, H.DATE, taken, h, "date")
    code_col = _required(sheet, keys, H.CODE, taken, h, "code")
    optional: dict[str, int | None] = {}
    for what, words in (
        ("start", H.START), ("end", H.END), ("slot", H.SLOT), ("pgy", H.PGY), ("team", H.TEAM), ("role", H.ROLE)
    ):  # fmt: skip
        optional[what] = H.find(keys, words, taken)
        if optional[what] is not None:
            taken.add(optional[what])
    filter_col = None
    if options.rows is not None:
        filter_col = column_for(
            sheet, options.rows.column, [h], text_array(sheet.values[: h + 1]),
            key="[roster] rows.column", what="rows column", holding="the role that tells residents from others",
        )  # fmt: skip
    found = {"name": name_col, "date": date_col, "code": code_col, **optional, "rows": filter_col}
    info = SheetInfo(
        sheet=sheet.name,
        layout="long",
        header_row=sheet.row_number(h),
        columns={
            k: (column_letters(sheet.col0 + j), collapse(text_array(sheet.values[h, j : j + 1])[0]))
            for k, j in found.items()
            if j is not None
        },
    )

    body = np.arange(h + 1, sheet.nrows, dtype=np.int64)
    names = map_unique(texts[body, name_col], collapse)
    footer = first_true(map_unique(names, H.is_footer).astype(bool))
    if footer is not None:
        body, names = body[:footer], names[:footer]
    repeat = map_unique(names, lambda t: H.header_key(t) in H.NAME).astype(bool)  # a header pasted again
    keep = map_unique(names, has_letter).astype(bool) & ~repeat
    if filter_col is not None and options.rows is not None:  # dropped before anything is read from them
        values = map_unique(texts[body, filter_col], collapse)
        wanted = map_unique(values, compile_patterns(options.rows.match)).astype(bool)
        out = keep & ~wanted
        info.dropped = [(sheet.row_number(int(i)), str(v)) for i, v in zip(body[out], values[out], strict=True)]
        keep &= wanted
    rows, names = body[keep], names[keep]
    if rows.size == 0 and info.dropped and options.rows is not None:
        raise EmptyRoster(
            f"empty roster: no row matches {describe(options.rows.match)} in column {info.columns['rows'][0]} "
            "([roster] rows)",
            **sheet.where(h, filter_col),
        )
    if rows.size == 0:
        raise EmptyRoster(
            f"empty roster: no rows with a resident name below the header in column "
            f"{column_letters(sheet.col0 + name_col)}",
            **sheet.where(h, name_col),
        )

    dates = _dates(sheet, texts, rows, date_col, options)
    starts = _times(sheet, rows, optional["start"])
    ends = _times(sheet, rows, optional["end"])
    slots = _slots(sheet, texts, rows, optional["slot"])
    codes, uniques = pd.factorize(names)
    residents = _residents(sheet, rows, codes, list(uniques), name_col, optional, lenient)
    dates_seen = dates.astype("datetime64[D]")
    if dates_seen.size:
        info.dates = (dates_seen.min().astype(dt.date), dates_seen.max().astype(dt.date))
    return SheetRoster(
        sheet=sheet.name,
        layout="long",
        residents=residents,
        resident=codes.astype(np.int64),
        date=dates,
        slot=slots,
        text=texts[rows, code_col],
        start=starts,
        end=ends,
        cell=(rows + sheet.row0) * CELL_STRIDE + (code_col + sheet.col0),
        info=info,
    )


def _dates(sheet: Sheet, texts: _ColumnTexts, rows: np.ndarray, col: int, options: RosterOptions) -> np.ndarray:
    """Each distinct date cell parsed once; errors point at the first row holding a bad one."""
    codes, uniques = factorize(sheet.values[rows, col])
    parsed: list[HeaderDate | None] = [parse_date_value(u) for u in uniques]

    def first_row(bad_unique: list[bool]) -> int | None:
        hit = first_true(np.asarray(bad_unique, dtype=bool)[codes])
        return None if hit is None else int(rows[hit])

    bad = first_row([p is None for p in parsed])
    if bad is not None:
        text = texts[bad, col]
        raise InputError(
            f"expected a date like 2026-07-01 or 7/1/2026, got {text!r}"
            if text
            else "expected a date, the cell is blank",
            **sheet.where(bad, col),
        )
    yearless = first_row([p.year is None for p in parsed])  # type: ignore[union-attr]
    base_month = 0
    if yearless is not None:
        if options.year is None:
            raise InputError(
                f"date {texts[yearless, col]!r} has no year; expected a full date like 7/1/2026, "
                "or give the year of the first date (--year / [roster] year)",
                **sheet.where(yearless, col),
            )
        base_month = parse_date_value(sheet.values[yearless, col]).month  # type: ignore[union-attr]

    def day(p: HeaderDate) -> dt.date | None:
        year = p.year if p.year is not None else options.year + (1 if p.month < base_month else 0)  # type: ignore[operator]
        try:
            return dt.date(year, p.month, p.day)
        except ValueError:
            return None

    days = np.array([day(p) for p in parsed], dtype="datetime64[D]")  # type: ignore[arg-type]
    bad = first_row(list(np.isnat(days)))
    if bad is not None:
        raise InputError(f"{texts[bad, col]!r} is not a real date", **sheet.where(bad, col))
    return days[codes]


def _times(sheet: Sheet, rows: np.ndarray, col: int | None) -> np.ndarray:
    if col is None:
        return nones(rows.size)

    def convert(value: object) -> object:
        try:
            return time_text(value, {})
        except InputError:
            return _BAD

    out = map_unique(sheet.values[rows, col], convert)
    bad = first_true(map_unique(out, lambda v: v is _BAD).astype(bool))
    if bad is not None:
        time_text(sheet.values[rows[bad], col], sheet.where(int(rows[bad]), col))  # raises, with the cell
    return out


def _slots(sheet: Sheet, texts: _ColumnTexts, rows: np.ndarray, col: int | None) -> np.ndarray:
    if col is None:
        return filled(rows.size, "")
    out = map_unique(texts[rows, col], lambda t: "" if not t else (slot_label(t) or "?"))
    bad = first_true(out == "?")
    if bad is not None:
        raise InputError(
            f"expected AM or PM (or blank for a whole day), got {texts[rows[bad], col]!r}",
            **sheet.where(int(rows[bad]), col),
        )
    return out


def _residents(
    sheet: Sheet,
    rows: np.ndarray,
    codes: np.ndarray,
    names: list[str],
    name_col: int,
    optional: dict[str, int | None],
    lenient: bool = False,
) -> list[Resident]:
    """One Resident per distinct name; attributes from the first row that fills them in."""
    _, first_rows = np.unique(codes, return_index=True)
    attrs: dict[str, list] = {}
    for what in ("pgy", "team", "role"):
        col = optional[what]
        found: list = [None] * len(names)
        if col is not None:
            filled = np.flatnonzero(text_array(sheet.values[rows, col]) != "")
            if filled.size:
                firsts = pd.Series(filled).groupby(codes[filled]).first()
                for r, k in firsts.items():
                    i = int(rows[k])
                    value = sheet.values[i, col]
                    if what != "pgy":
                        found[int(r)] = parse_label(value)
                    elif lenient:
                        found[int(r)] = _pgy_or_none(value)
                    else:
                        found[int(r)] = parse_pgy(value, sheet.where(i, col))
        attrs[what] = found
    return [
        Resident(
            name,
            attrs["pgy"][r],
            attrs["team"][r],
            attrs["role"][r],
            Source(sheet.file, sheet.name, sheet.address(int(rows[first_rows[r]]), name_col)),
        )
        for r, name in enumerate(names)
    ]


def _pgy_or_none(value: object) -> int | None:
    try:
        return parse_pgy(value, {})
    except InputError:
        return None
