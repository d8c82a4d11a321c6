"""Long rosters: one row per assignment (resident, date, code, maybe start/end times).

Exports from scheduling systems come this way, often as CSV with hundreds of thousands of rows,
so every column is converted once per *distinct* value (``map_unique``): a year of dates is 365
parses however many rows there are.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import CELL_STRIDE, Resident, RosterOptions, Source
from rostercheck.read import headers as H
from rostercheck.read.attributes import parse_label, parse_pgy, time_text
from rostercheck.read.cells import (
    cell_text,
    collapse,
    column_letters,
    factorize,
    factorize_ids,
    filled,
    first_true,
    object_array,
    text_array,
)
from rostercheck.read.date_order import header_dates
from rostercheck.read.dates import HeaderDate, parse_date_value, slot_label
from rostercheck.read.detect import Plan
from rostercheck.read.grid import EmptyRoster, column_for
from rostercheck.read.result import SheetInfo, SheetRoster, SkippedRow, nones
from rostercheck.read.rows import compile_patterns, describe
from rostercheck.read.source import Sheet

_BAD = object()  # a value that failed to parse; the first one found is reported with its cell


_EXAMPLES = {"name": "'Resident' or 'Name'", "date": "'Date'", "code": "'Code', 'Shift' or 'Assignment'"}


def _required(
    sheet: Sheet, keys: list[str], words: frozenset[str], taken: set[int], h: int, what: str,
    ranked: tuple[str, ...] | None = None,
) -> int:  # fmt: skip
    col = H.find_ranked(keys, ranked, taken) if ranked else H.find(keys, words, taken)
    if col is None:
        raise InputError(
            f"no {what} column found: expected a header like {_EXAMPLES[what]} in row {sheet.row_number(h)}, "
            f"or name it with --{what}-column ([roster] {what}-column)",
            **sheet.where(h, 0),
        )
    taken.add(col)
    return col


def read_long(sheet: Sheet, plan: Plan, options: RosterOptions, *, lenient: bool = False) -> SheetRoster:
    """A long sheet -> residents (in order of first appearance) and one entry per data row.

    ``lenient``: an unreadable PGY cell is "no level" rather than an error (``init`` only).
    """
    h = plan.header
    header = text_array(sheet.row(h))
    head = text_array(sheet.head(h + 1))  # a csv sheet is columns: never build the whole grid
    keys = [H.header_key(t) for t in header]
    taken: set[int] = set()

    def named(spec: str, key: str, what: str) -> int:
        col = column_for(sheet, spec, [h], head, key=key, what=what, holding=f"the {what.split()[0]}s")
        taken.add(col)
        return col

    if options.name_column:
        name_col = named(options.name_column, "name-column", "name column")
    else:
        name_col = _required(sheet, keys, H.NAME, taken, h, "name")
    if options.date_column:
        date_col = named(options.date_column, "date-column", "date column")
    else:
        date_col = _required(sheet, keys, H.DATE, taken, h, "date")
    if options.code_column:
        code_col = named(options.code_column, "code-column", "code column")
    else:
        code_col = _required(sheet, keys, H.CODE, taken, h, "code", H.CODE_RANKED)
    optional: dict[str, int | None] = {}
    if options.session_column:
        optional["slot"] = named(options.session_column, "session-column", "session column")
    for what, words in (
        ("slot", H.SLOT), ("start", H.START), ("end", H.END), ("pgy", H.PGY), ("team", H.TEAM), ("role", H.ROLE)
    ):  # fmt: skip
        if what in optional:
            continue
        optional[what] = H.find(keys, words, taken)
        if optional[what] is not None:
            taken.add(optional[what])
    filter_col = None
    if options.rows is not None:
        filter_col = column_for(
            sheet, options.rows.column, [h], head,
            key="[roster] rows.column", what="rows column", holding="the role that tells residents from others",
        )  # fmt: skip
    found = {"name": name_col, "date": date_col, "code": code_col, **optional, "rows": filter_col}
    info = SheetInfo(
        sheet=sheet.name,
        layout="long",
        header_row=sheet.row_number(h),
        columns={k: (column_letters(sheet.col0 + j), collapse(header[j])) for k, j in found.items() if j is not None},
    )

    # every test below runs once per distinct name, then spreads over the rows by code
    body = np.arange(h + 1, sheet.nrows, dtype=np.int64)
    names = sheet.column(name_col)
    name_of = object_array([collapse(t) for t in names.texts().tolist()])
    flags = np.array(
        [(H.is_footer(t), H.header_key(t) in H.NAME, bool(t)) for t in name_of.tolist()], dtype=bool
    ).reshape(-1, 3)
    # A footer label ends the table, but a row with a date and a code is a person's whatever the
    # name (issue 13: "Total Care", or a notes line between people); only the rest is the footer.
    dates_col, codes_col = sheet.column(date_col), sheet.column(code_col)
    # blank or not once per distinct text, spread by code (never half a million string compares)
    entry = (dates_col.texts() != "")[dates_col.codes[body]] & (codes_col.texts() != "")[codes_col.codes[body]]
    footer = first_true(flags[names.codes[body], 0] & ~entry)
    if footer is not None:
        after = body[footer:]
        gone = after[~entry[footer:]]
        info.skipped.extend(_skipped(sheet, gone[_nonblank(sheet, gone)], "footer", name_of, names.codes, name_col))
        body = np.concatenate([body[:footer], after[entry[footer:]]])
    code = names.codes[body]
    # a row with any name is a person's ("12" and "-1+1" included); a header pasted again is not
    keep = flags[code, 2] & ~flags[code, 1]
    repeated = body[flags[code, 1]]
    if repeated.size:
        info.skipped.extend(_skipped(sheet, repeated, "sub-header", name_of, names.codes, name_col))
    nameless = body[~flags[code, 2]]
    if nameless.size:
        nameless = nameless[_nonblank(sheet, nameless)]
        info.skipped.extend(_skipped(sheet, nameless, "no name", name_of, names.codes, name_col))
    if filter_col is not None and options.rows is not None:  # dropped before anything is read from them
        column = sheet.column(filter_col)
        match = compile_patterns(options.rows.match)
        wanted_of = np.array([bool(match(collapse(t))) for t in column.texts().tolist()], dtype=bool)
        wanted = wanted_of[column.codes[body]]
        out = np.flatnonzero(keep & ~wanted)
        values = object_array([collapse(t) for t in column.texts().tolist()])
        header_text = info.columns["rows"][1] or info.columns["rows"][0]
        info.dropped = [(sheet.row_number(int(body[k])), values[column.codes[body[k]]]) for k in out.tolist()]
        info.skipped.extend(
            SkippedRow(sheet.name, row, name_of[names.codes[body[k]]], "rows filter", f"{header_text}={value}")
            for k, (row, value) in zip(out.tolist(), info.dropped, strict=True)
        )
        keep &= wanted
    info.skipped.sort(key=lambda r: r.row)
    rows = body[keep]
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

    dates, date_slots = _dates(sheet, rows, date_col, options)
    starts = _times(sheet, rows, optional["start"])
    ends = _times(sheet, rows, optional["end"])
    # a date cell written with its session ("2026-03-12 AM") says the slot when no column does
    slots = _slots(sheet, rows, optional["slot"]) if optional["slot"] is not None or date_slots is None else date_slots
    # residents in order of first appearance: distinct raw names collapse onto people first
    person_of, people = factorize(name_of)
    person_of = np.asarray(person_of, dtype=np.int64)
    codes, first_seen = factorize_ids(person_of[names.codes[rows]])
    residents = _residents(sheet, rows, codes, [people[k] for k in first_seen.tolist()], name_col, optional, lenient)
    code_column = sheet.column(code_col)
    # the cell texts as codes over distinct texts, in order of first appearance: what the normaliser
    # would factorize half a million texts for, from the column's codes (``Table.factors``)
    same_text, distinct = factorize(code_column.texts())
    text_codes, first = factorize_ids(np.asarray(same_text, dtype=np.int64)[code_column.codes[rows]])
    text_uniques = [distinct[k] for k in first.tolist()]
    dates_seen = dates.astype("datetime64[D]")
    if dates_seen.size:
        info.dates = (dates_seen.min().astype(dt.date), dates_seen.max().astype(dt.date))
    return SheetRoster(
        sheet=sheet.name,
        layout="long",
        residents=residents,
        resident=codes.astype(np.int64, copy=False),
        date=dates,
        slot=slots,
        text=object_array(text_uniques)[text_codes] if text_uniques else code_column.text_at(rows),
        start=starts,
        end=ends,
        cell=(rows + sheet.row0) * CELL_STRIDE + (code_col + sheet.col0),
        info=info,
        rows=[sheet.row_number(int(rows[k])) for k in _first_positions(codes).tolist()],
        # codes per resident, blank test once per distinct cell text (a csv has a few dozen)
        filled=(code_column.texts() != "")[code_column.codes[rows]],
        text_factors=(text_codes, text_uniques),
    )


def _nonblank(sheet: Sheet, rows: np.ndarray) -> np.ndarray:
    """Which of ``rows`` hold anything (asked only of the few rows without a name)."""
    return np.array([any(cell_text(v) for v in sheet.row(i)) for i in rows.tolist()], dtype=bool)


def _skipped(
    sheet: Sheet, rows: np.ndarray, reason: str, name_of: np.ndarray, codes: np.ndarray, name_col: int
) -> list[SkippedRow]:
    out = []
    for i in rows.tolist():
        text = name_of[codes[i]] or " ".join(t for v in sheet.row(i) if (t := cell_text(v)))
        out.append(SkippedRow(sheet.name, sheet.row_number(i), text[:60], reason))
    return out


def _dates(sheet: Sheet, rows: np.ndarray, col: int, options: RosterOptions) -> tuple[np.ndarray, np.ndarray | None]:
    """Each distinct date cell parsed once; errors point at the first row holding a bad one.

    Returns the dates, and the session written with each date (``2026-03-12 AM``) when any is.
    """
    column = sheet.column(col)
    codes = column.codes[rows]
    used = np.zeros(len(column.uniques), dtype=bool)
    used[codes] = True
    parsed: list[HeaderDate | None] = header_dates(
        [u if ok else None for u, ok in zip(column.uniques.tolist(), used.tolist(), strict=True)],
        options.date_order, lambda k: sheet.where(int(rows[int(np.flatnonzero(codes == k)[0])]), col),
    )

    def first_row(bad_unique: list[bool]) -> int | None:
        hit = first_true(np.asarray(bad_unique, dtype=bool)[codes])
        return None if hit is None else int(rows[hit])

    bad = first_row([p is None for p in parsed])
    if bad is not None:
        text = column.text_at(bad)
        raise InputError(
            f"expected a date like 2026-07-01 or 7/1/2026, got {text!r}"
            if text
            else "expected a date, the cell is blank",
            **sheet.where(bad, col),
        )
    yearless = first_row([p is not None and p.year is None for p in parsed])
    base_month = 0
    if yearless is not None:
        if options.year is None:
            raise InputError(
                f"date {column.text_at(yearless)!r} has no year; expected a full date like 7/1/2026, "
                "or give the year of the first date (--year / [roster] year)",
                **sheet.where(yearless, col),
            )
        base_month = parse_date_value(sheet.value(yearless, col)).month  # type: ignore[union-attr]

    def day(p: HeaderDate | None) -> dt.date | None:
        if p is None:
            return None
        year = p.year if p.year is not None else options.year + (1 if p.month < base_month else 0)  # type: ignore[operator]
        try:
            return dt.date(year, p.month, p.day)
        except ValueError:
            return None

    days = np.array([day(p) for p in parsed], dtype="datetime64[D]")  # type: ignore[arg-type]
    bad = first_row(list(np.isnat(days) & used))
    if bad is not None:
        raise InputError(f"{column.text_at(bad)!r} is not a real date", **sheet.where(bad, col))
    written = [p.slot if p is not None else None for p in parsed]
    slots = object_array([w or "" for w in written])[codes] if any(written) else None
    return days[codes], slots


def _times(sheet: Sheet, rows: np.ndarray, col: int | None) -> np.ndarray:
    if col is None:
        return nones(rows.size)

    def convert(value: object) -> object:
        try:
            return time_text(value, {})
        except InputError:
            return _BAD

    out = sheet.column(col).map(convert, rows)
    bad = first_true(np.fromiter((v is _BAD for v in out.tolist()), dtype=bool, count=len(out)))
    if bad is not None:
        time_text(sheet.value(int(rows[bad]), col), sheet.where(int(rows[bad]), col))  # raises, with the cell
    return out


def _slots(sheet: Sheet, rows: np.ndarray, col: int | None) -> np.ndarray:
    if col is None:
        return filled(rows.size, "")
    column = sheet.column(col)
    label = object_array(["" if not t else (slot_label(t) or "?") for t in column.texts().tolist()])
    out = label[column.codes[rows]]
    bad = first_true(out == "?")
    if bad is not None:
        raise InputError(
            f"expected AM or PM (or blank for a whole day), got {column.text_at(int(rows[bad]))!r}",
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
    first_rows = _first_index(codes, len(names))
    attrs: dict[str, list] = {}
    for what in ("pgy", "team", "role"):
        col = optional[what]
        found: list = [None] * len(names)
        if col is not None:
            column = sheet.column(col)
            filled = np.flatnonzero((column.texts() != "")[column.codes[rows]])
            firsts = _first_index(codes[filled], len(names))
            for r in np.flatnonzero(firsts >= 0).tolist():
                i = int(rows[filled[firsts[r]]])
                value = sheet.value(i, col)
                if what != "pgy":
                    found[r] = parse_label(value)
                elif lenient:
                    found[r] = _pgy_or_none(value)
                else:
                    found[r] = parse_pgy(value, sheet.where(i, col))
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


def _first_positions(codes: np.ndarray) -> np.ndarray:
    """Where each code first appears, for codes numbered in order of first appearance (``factorize``):
    exactly where their running maximum grows, one vectorised pass."""
    if codes.size == 0:
        return np.empty(0, dtype=np.int64)
    running = np.maximum.accumulate(codes)
    return np.flatnonzero(np.diff(running, prepend=-1) > 0)


def _first_index(codes: np.ndarray, n: int) -> np.ndarray:
    """Per code 0..n-1, the first position holding it (-1 if none), without sorting the rows."""
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes), dtype=np.int64))
    first[first == len(codes)] = -1
    return first


def _pgy_or_none(value: object) -> int | None:
    try:
        return parse_pgy(value, {})
    except InputError:
        return None
