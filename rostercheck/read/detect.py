"""Which kind of sheet this is, and where its header is.

The first row (within ``SCAN_ROWS``) that looks like any kind of header decides:

* a *long* header has a name column, a ``Date`` column and a ``Code``/``Shift`` column;
* a *legend* header has a ``Code`` column and a ``Description``/``Start``/``Kind``/... column;
* a *grid* header has a name-like header (``Resident``, ``Name``...) and/or at least
  ``MIN_DATES`` date cells.

For grids the date cells may sit in the name row or in their own row a few rows above (or just
below) it, with weekday rows around them; both rows are found here. Whether a grid is whole-day
or half-day is decided by ``grid`` once it sees the date columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import LAYOUTS, REPORT_SHEET_HEADERS, RosterOptions
from rostercheck.read import headers as H
from rostercheck.read.cells import column_index, memo_map, object_array
from rostercheck.read.date_order import is_date
from rostercheck.read.source import Sheet

SCAN_ROWS = 30
MIN_DATES = 3
#: How far from the name row a separate date row may be.
DATE_ROW_ABOVE = 6
DATE_ROW_BELOW = 3


@dataclass(frozen=True)
class Plan:
    """What a sheet is: ``kind`` in ("grid", "long", "legend"); rows are 0-based into values."""

    kind: str
    header: int
    date_row: int | None = None
    #: a row above the header repeating its dates with no name label (a print title): not a header
    title_row: int | None = None


#: value -> ``is_date``: the same headers and dates come back in every roster of a batch
_IS_DATE: dict[object, bool] = {}


def _is_date(value: object) -> bool:
    return bool(is_date(value))


def _dates(values: list) -> list[bool]:
    """``is_date`` of each distinct value, from a per-process memo where it can (``memo_map``)."""
    return memo_map(values, _IS_DATE, _is_date)


class HeadScan:
    """Header keys and date flags for the top rows of a sheet, computed once per sheet."""

    def __init__(self, sheet: Sheet, nrows: int) -> None:
        self.sheet = sheet
        # the sheet's one factorize (``Sheet.factors``, shared with the reader), then the header key
        # and date test per distinct value the top rows hold, each from a per-process memo
        all_codes, uniques, all_texts = sheet.factors()
        codes = all_codes[:nrows]
        self.nrows = int(codes.shape[0])
        if all_codes.size <= 2 * codes.size:
            # a month's sheet, its top rows at least half of it: every value, at most twice the work
            key_of = object_array(list(map(H.header_key, all_texts)))
            date_of = np.fromiter(_dates(uniques), dtype=bool, count=len(uniques))
        else:  # a year's sheet: only the values of the top rows
            used = np.flatnonzero(np.bincount(codes.ravel(), minlength=len(uniques)))
            key_of = np.empty(len(uniques), dtype=object)
            date_of = np.zeros(len(uniques), dtype=bool)
            if used.size:
                key_of[used] = object_array(list(map(H.header_key, object_array(all_texts)[used].tolist())))
                date_of[used] = np.fromiter(_dates(object_array(uniques)[used].tolist()), dtype=bool,
                                            count=used.size)
        self.texts = sheet.texts()[:nrows]
        self.keys = key_of[codes]
        self.is_date = date_of[codes]  # either date order: 13/07/2026 too
        # per row, its keys as a set (made when first asked: detection asks a few rows, many times)
        # and its date count
        self._key_sets: dict[int, frozenset[str]] = {}
        self._dates = self.is_date.sum(axis=1).tolist() if self.nrows else []

    def row_keys(self, i: int) -> list[str]:
        return list(self.keys[i]) if 0 <= i < self.nrows else []

    def has(self, i: int, words: frozenset[str]) -> bool:
        if not 0 <= i < self.nrows:
            return False
        keys = self._key_sets.get(i)
        if keys is None:
            keys = self._key_sets[i] = frozenset(self.keys[i].tolist())
        return not keys.isdisjoint(words)

    def date_count(self, i: int) -> int:
        return int(self._dates[i]) if 0 <= i < self.nrows else 0

    def is_long(self, i: int) -> bool:
        return self.has(i, H.NAME) and self.has(i, H.DATE) and self.has(i, H.CODE)

    def is_legend(self, i: int) -> bool:
        return self.has(i, H.LEGEND_CODE) and self.has(i, H.LEGEND_OTHER) and not self.has(i, H.DATE)

    def is_grid(self, i: int) -> bool:
        return self.has(i, H.NAME) or self.date_count(i) >= MIN_DATES


def _row_index(sheet: Sheet, row: int, what: str) -> int:
    """A 1-based sheet row from options -> index into values, checking it holds something."""
    i = row - 1 - sheet.row0
    if row < 1 or i < 0 or i >= sheet.nrows or not any(str(v).strip() for v in sheet.values[i]):
        raise InputError(
            f"{what} {row} is empty; expected the row with the roster's header",
            file=sheet.file,
            sheet=sheet.name,
            cell=f"A{row}" if row >= 1 else None,
        )
    return i


def no_header(sheet: Sheet) -> InputError:
    return InputError(
        f"no header row found in the first {SCAN_ROWS} rows: expected a row with a 'Resident' or 'Name' "
        f"column and/or at least {MIN_DATES} date cells (or a long table with 'Resident', 'Date' and "
        "'Code' columns); give --header-row (or [roster] header-row) if it is further down",
        file=sheet.file,
        sheet=sheet.name,
    )


def classify(sheet: Sheet, options: RosterOptions) -> Plan | InputError:
    """The plan for reading ``sheet`` (its top rows suffice), or the error saying why it is not a roster.

    The error is returned, not raised: in a workbook scanned for rosters, a sheet that is not one
    is simply skipped; only a sheet the user named makes it fatal.
    """
    if options.layout is not None and options.layout not in LAYOUTS:
        raise InputError(f"unknown layout {options.layout!r}; expected one of {', '.join(LAYOUTS)}", key="layout")
    if sheet.values.size == 0:
        return InputError("empty roster: the sheet has no cells", file=sheet.file, sheet=sheet.name)
    if (report := _report_sheet(sheet)) is not None:
        return report
    try:
        return _classify(sheet, options)
    except InputError as exc:  # e.g. header_row points at an empty row of a notes sheet
        return exc


def _report_sheet(sheet: Sheet) -> InputError | None:
    """A sheet ``--annotate`` added to a copy (its header row is ours): a checked copy checks again."""
    if sheet.row0 != 0 or not len(sheet.values):
        return None
    first = [str(v).strip().lower() for v in sheet.values[0][: 12]]
    for title, header in REPORT_SHEET_HEADERS.items():
        if tuple(first[: len(header)]) == header:
            said = ", ".join(header[:3])
            return InputError(f"a {title} sheet that rostercheck --annotate wrote (header {said}, ...)",
                              file=sheet.file, sheet=sheet.name)
    return None


def _classify(sheet: Sheet, options: RosterOptions) -> Plan | InputError:
    extra = max(options.header_row or 0, options.date_row or 0) - sheet.row0
    scan = HeadScan(sheet, max(SCAN_ROWS, extra + DATE_ROW_BELOW + 1))

    first = None
    for i in range(min(SCAN_ROWS, scan.nrows)):
        if scan.is_long(i) or scan.is_legend(i) or scan.is_grid(i):
            first = i
            break
    if first is not None and scan.is_legend(first) and not scan.is_long(first) and scan.date_count(first) < MIN_DATES:
        return Plan("legend", first)

    named_long = bool(options.date_column or options.code_column or options.session_column)
    if options.layout == "long" or (
        options.layout is None
        and options.date_row is None
        and (named_long or _long_header(scan, sheet, options, first))
    ):
        if options.header_row is not None:
            return Plan("long", _row_index(sheet, options.header_row, "header row"))
        for i in range(min(SCAN_ROWS, scan.nrows)):
            if _has_column(scan, i, options.name_column, H.NAME) and _has_column(scan, i, options.date_column, H.DATE):
                return Plan("long", i)
        return InputError(
            f"no header row found in the first {SCAN_ROWS} rows: expected a row with 'Resident' (or "
            "'Name') and 'Date' columns for a long roster",
            file=sheet.file,
            sheet=sheet.name,
        )
    return _grid_plan(scan, sheet, options, first)


def _has_column(scan: HeadScan, i: int, spec: str | None, words: frozenset[str]) -> bool:
    """Row ``i`` has the column: the one named in options (by header text; a letter fits any
    non-blank row), else one headed by any of ``words``."""
    if not spec:
        return scan.has(i, words)
    if H.header_key(spec) in scan.row_keys(i):
        return True
    return column_index(spec) is not None and any(scan.row_keys(i))


def _long_header(scan: HeadScan, sheet: Sheet, options: RosterOptions, first: int | None) -> bool:
    if options.header_row is not None:
        i = options.header_row - 1 - sheet.row0
        return 0 <= i < scan.nrows and scan.is_long(i)
    return first is not None and scan.is_long(first)


def _grid_plan(scan: HeadScan, sheet: Sheet, options: RosterOptions, first: int | None) -> Plan | InputError:
    h = _row_index(sheet, options.header_row, "header row") if options.header_row is not None else None
    d = _row_index(sheet, options.date_row, "date row") if options.date_row is not None else None

    if h is not None and d is None:
        d = h if scan.date_count(h) >= 1 else _near_dates(scan, h)
        return Plan("grid", h, h if d is None else d)
    if d is not None and h is None:
        return Plan("grid", _near_name(scan, d), d)
    if h is not None and d is not None:
        return Plan("grid", h, d)

    if first is None:
        return no_header(sheet)
    if scan.date_count(first) >= MIN_DATES:
        named = None if scan.has(first, H.NAME) else _named_header_below(scan, first)
        if named is not None:
            # dates alone on top, then a header with a name label and its own dates: the top row
            # is a print title repeating the dates, and the header is the row with the name label
            return Plan("grid", named, named, title_row=first)
        d = first
        h = first if scan.has(first, H.NAME) else _near_name(scan, first, only_below=True)
        return Plan("grid", h, d)
    # A name header without dates: the dates are just below it (above was scanned already).
    d = first if scan.date_count(first) >= 1 else _near_dates(scan, first)
    if d is None:
        return _no_dates(scan, sheet, first)
    return Plan("grid", first, d)


def _named_header_below(scan: HeadScan, d: int) -> int | None:
    """A row a few rows below date row ``d`` with a name label *and* its own dates, or None."""
    for i in range(d + 1, min(scan.nrows, d + 1 + DATE_ROW_ABOVE)):
        if scan.has(i, H.NAME):
            return i if scan.date_count(i) >= MIN_DATES else None
        if scan.date_count(i) >= MIN_DATES:
            return None  # another date row without a name: a weekday/date pair, or a new block
    return None


def _near_dates(scan: HeadScan, h: int) -> int | None:
    """The row with dates nearest the name row: above first (the usual), then below.

    Next to a known name row two dates suffice (a short roster); a lone date is more likely an
    "updated on" cell in the title.
    """
    for i in range(h - 1, max(-1, h - 1 - DATE_ROW_ABOVE), -1):
        if scan.date_count(i) >= 2:
            return i
    for i in range(h + 1, min(scan.nrows, h + 1 + DATE_ROW_BELOW)):
        if scan.date_count(i) >= 2:
            return i
    return None


def _near_name(scan: HeadScan, d: int, only_below: bool = False) -> int:
    """The row with the name header for a date row: itself, a few rows below, else above."""
    if scan.has(d, H.NAME):
        return d
    for i in range(d + 1, min(scan.nrows, d + 1 + DATE_ROW_ABOVE)):
        if scan.date_count(i) >= MIN_DATES:
            break  # another date row: a new block, not our header
        if scan.has(i, H.NAME):
            return i
    if not only_below:
        for i in range(d - 1, max(-1, d - 1 - DATE_ROW_BELOW), -1):
            if scan.has(i, H.NAME):
                return i
    return d


def _no_dates(scan: HeadScan, sheet: Sheet, h: int) -> InputError:
    """Why a name row has no usable dates: name the first header cell that should have been one."""
    keys = scan.row_keys(h)
    name_col = H.find(keys, H.NAME)
    attrs = H.PGY | H.TEAM | H.ROLE
    for j in range(len(keys)):
        if j == name_col or keys[j] in attrs or not scan.texts[h, j]:
            continue
        if name_col is not None and j < name_col:
            continue
        return InputError(
            f"expected a date like 2026-07-01, 7/1/2026 or 'Wed 7/1' in the date header, got {scan.texts[h, j]!r}",
            **sheet.where(h, j),
        )
    return InputError(
        f"no date columns found: expected dates in header row {sheet.row_number(h)} or in a row just above it",
        **sheet.where(h, name_col if name_col is not None else 0),
    )
