"""Grid rosters: one row per resident, one column per date (or two, AM and PM, per date).

The header tells everything: which column holds names, which hold attributes, which hold dates
and whether dates come in AM/PM pairs. After that the body is sliced out in one numpy step;
Python only walks the rows (to read names), never the cells.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from rostercheck.errors import InputError, suggest
from rostercheck.model import Resident, RosterOptions, Source
from rostercheck.read import headers as H
from rostercheck.read.attributes import parse_label, parse_pgy
from rostercheck.read.cells import collapse, column_index, column_letters, grid_addresses, has_letter, text_array
from rostercheck.read.dates import (
    HeaderDate,
    is_weekday_label,
    looks_like_date,
    parse_date_value,
    resolve_years,
    slot_label,
)
from rostercheck.read.detect import MIN_DATES, Plan
from rostercheck.read.result import SheetRoster, nones
from rostercheck.read.source import Sheet

#: Rows sampled when guessing the name column of a grid without a name header.
_NAME_SAMPLE = 300


class EmptyRoster(InputError):
    """A sheet with a roster header but nobody on it (a template, or next month not filled in yet)."""


def column_for(sheet: Sheet, spec: str, rows: list[int], texts: np.ndarray) -> int:
    """``name_column`` from options: a header text in one of ``rows``, else a column letter."""
    want = H.header_key(spec)
    for i in rows:
        for j in range(sheet.ncols):
            if H.header_key(texts[i, j]) == want:
                return j
    idx = column_index(spec)
    if idx is not None:
        j = idx - sheet.col0
        if 0 <= j < sheet.ncols:
            return j
        raise InputError(
            f"name column {spec.strip().upper()} is empty; expected the column holding residents' names",
            file=sheet.file,
            sheet=sheet.name,
        )
    headers = [str(t) for i in rows for t in texts[i] if t]
    raise InputError(
        f"no column headed {spec!r} in the header{suggest(spec, headers)}; expected a header text "
        "or a column letter for name_column",
        **sheet.where(rows[0], 0),
    )


class _Columns:
    """The date columns of a grid: positions, dates, slots, and the layout they imply."""

    def __init__(self, cols: list[int], dates: list[dt.date], slots: list[str], layout: str, last_header: int):
        self.cols = np.asarray(cols, dtype=np.int64)
        self.dates = np.asarray(dates, dtype="datetime64[D]")
        self.slots = np.asarray(slots, dtype=object)
        self.layout = layout
        self.last_header = last_header  # last row that belongs to the header (weekday/AM-PM rows)
        self.spacers: list[int] = []  # blank-headed columns between dates
        self.date_row = 0


def _label_row(texts: np.ndarray, rows: range, d: int, first: int, end: int, ndates: int) -> int | None:
    """An AM/PM sub-header row: every filled cell over the dates is AM or PM, at least one per date.

    Strict on purpose: "AM"/"PM" are also shift codes, and a resident row of them must not turn a
    whole-day grid into a half-day one.
    """
    header_words = H.NAME | H.PGY | H.TEAM | H.ROLE | H.SUBHEADER
    for r in rows:
        if r == d:
            continue
        cells = [t for t in texts[r, first : end + 1] if t]
        if not (cells and len(cells) >= max(2, ndates) and all(slot_label(t) for t in cells)):
            continue
        # A resident's name left of the dates means a resident row, whatever its codes are.
        if all(not t or H.header_key(t) in header_words or slot_label(t) for t in texts[r, :first]):
            return r
    return None


def _date_columns(sheet: Sheet, texts: np.ndarray, h: int, d: int, skip: set[int], options: RosterOptions) -> _Columns:
    values = sheet.values
    parsed_row: list[HeaderDate | None] = [
        None if j in skip else parse_date_value(values[d, j]) for j in range(sheet.ncols)
    ]
    found = [j for j, p in enumerate(parsed_row) if p is not None]
    if not found:
        raise _no_dates(sheet, texts, d, skip)
    first, last = found[0], found[-1]

    top, bottom = min(h, d), max(h, d)
    label_row = _label_row(texts, range(max(0, top - 2), min(sheet.nrows, bottom + 2)), d, first, last + 1, len(found))
    gaps = np.diff(found)
    every_other = len(found) >= 2 and bool((gaps == 2).all()) and all(texts[d, j + 1] == "" for j in found[:-1])
    abs_d = sheet.row0 + d
    found_abs = {j + sheet.col0 for j in found}
    pairs = sum(1 for r1, c1, r2, c2 in sheet.merged if r1 <= abs_d <= r2 and c2 == c1 + 1 and c1 in found_abs)
    merged_pairs = pairs >= max(1, len(found) // 2)
    if options.layout in ("grid", "half-day"):
        half = options.layout == "half-day"
    else:
        half = label_row is not None or every_other or merged_pairs

    end = last
    if half and last + 1 < sheet.ncols and last + 1 not in skip and texts[d, last + 1] == "":
        if label_row is not None:
            if slot_label(texts[label_row, last + 1]):
                end = last + 1
        elif h == d or texts[h, last + 1] == "":
            end = last + 1

    cols: list[int] = []
    col_date: list[int] = []
    slots: list[str] = []
    parsed: list[HeaderDate] = []
    date_cells: list[int] = []
    spacers: list[int] = []
    pos = 0
    for j in range(first, end + 1):
        if j in skip:
            continue
        p = parsed_row[j]
        label = slot_label(texts[label_row, j]) if label_row is not None else None
        if p is not None:
            parsed.append(p)
            date_cells.append(j)
            pos = 0
        elif texts[d, j] == "":
            if not half or (label_row is not None and label is None):
                spacers.append(j)  # a spacer column between dates (checked for codes later)
                continue
            pos += 1
        else:
            raise InputError(
                f"expected a date like 2026-07-01, 7/1/2026 or 'Wed 7/1' in the date header, got {texts[d, j]!r}",
                **sheet.where(d, j),
            )
        if half:
            if label is None:
                if pos > 1:
                    raise InputError(
                        f"expected two columns (AM and PM) under the date {texts[d, date_cells[-1]]!r}, "
                        f"found a third in column {column_letters(sheet.col0 + j)}",
                        **sheet.where(d, date_cells[-1]),
                    )
                label = ("AM", "PM")[pos]
            slots.append(label)
        else:
            slots.append("")
        cols.append(j)
        col_date.append(len(parsed) - 1)

    for j in range(sheet.ncols):
        if (j < first or j > end) and j not in skip and parsed_row[j] is None and looks_like_date(texts[d, j]):
            raise InputError(f"{texts[d, j]!r} is not a real date; expected a date in the header", **sheet.where(d, j))
    dates = resolve_years(
        parsed, options.year, lambda k: sheet.where(d, date_cells[k]), [texts[d, j] for j in date_cells]
    )
    seen: dict[tuple[dt.date, str], tuple[int, int]] = {}
    for j, k, slot in zip(cols, col_date, slots, strict=True):
        key = (dates[k], slot)
        if key in seen:
            pk, pj = seen[key]
            if pk != k:
                at, a, b = (d, date_cells[k]), sheet.address(d, date_cells[pk]), sheet.address(d, date_cells[k])
            else:  # two AM (or PM) columns under one date
                row = label_row if label_row is not None else d
                at, a, b = (row, j), sheet.address(row, pj), sheet.address(row, j)
            what = f"{dates[k].isoformat()}{' ' + slot if slot else ''}"
            raise InputError(
                f"date {what} appears twice in the date header (cells {a} and {b}); expected each date once",
                **sheet.where(*at),
            )
        seen[key] = (k, j)
    last_header = max(h, d, label_row if label_row is not None else -1)
    out = _Columns(cols, [dates[k] for k in col_date], slots, "half-day" if half else "grid", last_header)
    out.spacers = spacers
    out.date_row = d
    return out


def _no_dates(sheet: Sheet, texts: np.ndarray, d: int, skip: set[int]) -> InputError:
    for j in range(sheet.ncols):
        if j not in skip and texts[d, j] and H.header_key(texts[d, j]) not in H.NAME:
            return InputError(
                f"expected a date like 2026-07-01, 7/1/2026 or 'Wed 7/1' in the date header, got {texts[d, j]!r}",
                **sheet.where(d, j),
            )
    return InputError(
        f"no date columns found in row {sheet.row_number(d)}: expected a row of dates over the grid",
        **sheet.where(d, 0),
    )


def _infer_name_column(sheet: Sheet, texts: np.ndarray, before: int, skip: set[int], start: int, h: int) -> int:
    """No name header: the column left of the dates with the most text in it."""
    sample = texts[start : start + _NAME_SAMPLE]
    best, best_count = None, 0
    for j in range(before):
        if j in skip:
            continue
        count = sum(1 for t in sample[:, j] if has_letter(t))
        if count > best_count:
            best, best_count = j, count
    if best is None:
        raise InputError(
            f"no name column found: expected a header like 'Resident' or 'Name' in row {sheet.row_number(h)} "
            "left of the dates, or set name_column",
            **sheet.where(h, 0),
        )
    return best


def read_grid(sheet: Sheet, plan: Plan, options: RosterOptions) -> SheetRoster:
    """A grid or half-day sheet -> residents and one entry per (resident, date, slot) cell."""
    texts = text_array(sheet.values)
    h = plan.header
    d = plan.date_row if plan.date_row is not None else h
    header_rows = [h] if h == d else [h, d]
    keys = {i: [H.header_key(t) for t in texts[i]] for i in header_rows}

    if options.name_column:
        name_col: int | None = column_for(sheet, options.name_column, header_rows, texts)
    else:
        name_col = next((c for i in header_rows if (c := H.find(keys[i], H.NAME)) is not None), None)
    taken: set[int] = {name_col} if name_col is not None else set()
    attr: dict[str, int | None] = {}
    for what, words in (("pgy", H.PGY), ("team", H.TEAM), ("role", H.ROLE)):
        col = next((c for i in header_rows if (c := H.find(keys[i], words, taken)) is not None), None)
        attr[what] = col
        if col is not None:
            taken.add(col)

    columns = _date_columns(sheet, texts, h, d, taken, options)
    start = columns.last_header + 1
    if name_col is None:
        name_col = _infer_name_column(sheet, texts, int(columns.cols[0]), taken, start, h)

    residents, rows = _resident_rows(sheet, texts, name_col, attr, columns, start)
    if not rows:
        raise EmptyRoster(
            f"empty roster: no resident names below the header in column {column_letters(sheet.col0 + name_col)}",
            **sheet.where(h, name_col),
        )

    r = np.asarray(rows, dtype=np.int64)
    _check_spacers(sheet, texts, r, columns)
    n, m = r.size, columns.cols.size
    body = texts[np.ix_(r, columns.cols)].ravel()
    cells = grid_addresses(r + sheet.row0, columns.cols + sheet.col0)
    return SheetRoster(
        sheet=sheet.name,
        layout=columns.layout,
        residents=residents,
        resident=np.repeat(np.arange(n, dtype=np.int64), m),
        date=np.tile(columns.dates, n),
        slot=np.tile(columns.slots, n),
        text=body,
        start=nones(n * m),
        end=nones(n * m),
        cell=cells,
    )


def _resident_rows(
    sheet: Sheet, texts: np.ndarray, name_col: int, attr: dict[str, int | None], columns: _Columns, start: int
) -> tuple[list[Resident], list[int]]:
    """Walk the rows below the header: who is on the roster, and which rows hold their cells."""
    residents: list[Resident] = []
    rows: list[int] = []
    seen: set[str] = set()
    group_pgy: int | None = None
    cols = columns.cols
    for i in range(start, sheet.nrows):
        name = collapse(texts[i, name_col])
        if not name or not has_letter(name):
            if (texts[i, cols] != "").sum() >= MIN_DATES and (
                sum(parse_date_value(sheet.values[i, j]) is not None for j in cols) >= MIN_DATES
            ):
                raise _second_header(sheet, i)
            continue  # a holiday marker, a spacer or a totals row without a name
        if H.is_footer(name):
            break
        key = H.header_key(name)
        if key in H.NAME:
            raise _second_header(sheet, i)
        if key in H.SUBHEADER or is_weekday_label(name) or slot_label(name):
            continue
        level = H.group_pgy(name)
        if level is not None and not (texts[i, cols] != "").any():
            group_pgy = level  # a "PGY-2" row heading the residents below it
            continue
        pgy = parse_pgy(sheet.values[i, attr["pgy"]], sheet.where(i, attr["pgy"])) if attr["pgy"] is not None else None
        team = parse_label(sheet.values[i, attr["team"]]) if attr["team"] is not None else None
        role = parse_label(sheet.values[i, attr["role"]]) if attr["role"] is not None else None
        if name in seen:
            name = f"{name} (row {sheet.row_number(i)})"  # two people with one name on one sheet
        seen.add(name)
        source = Source(sheet.file, sheet.name, sheet.address(i, name_col))
        residents.append(Resident(name, pgy if pgy is not None else group_pgy, team, role, source))
        rows.append(i)
    return residents, rows


def _check_spacers(sheet: Sheet, texts: np.ndarray, rows: np.ndarray, columns: _Columns) -> None:
    """A blank-headed column between dates is a spacer only if it is empty below, too.

    Otherwise its date is missing (often a formula header saved without its value by a script),
    and skipping it would silently drop a day of shifts.
    """
    if not columns.spacers:
        return
    filled = texts[np.ix_(rows, np.asarray(columns.spacers))] != ""
    if filled.any():
        k = int(np.flatnonzero(filled.any(axis=0))[0])
        j = columns.spacers[k]
        i = int(rows[int(np.flatnonzero(filled[:, k])[0])])
        raise InputError(
            f"column {column_letters(sheet.col0 + j)} has shifts (e.g. {sheet.address(i, j)}: {texts[i, j]!r}) but "
            "no date in the header; expected a date here (a formula header needs its value saved by Excel)",
            **sheet.where(columns.date_row, j),
        )


def _second_header(sheet: Sheet, i: int) -> InputError:
    return InputError(
        f"row {sheet.row_number(i)} starts a second header; expected one header per sheet "
        "(put each block of dates on its own sheet)",
        **sheet.where(i, 0),
    )
