"""The records that flow between stages: read -> normalise -> check -> repair -> report.

Readers produce a ``RawRoster`` (text exactly as found, with positions); ``timeline.build``
turns it plus a ``Legend`` into a ``Timeline`` of real intervals; rules turn a timeline into
``Finding`` records; every report format is a rendering of the same findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rostercheck.table import Table

if TYPE_CHECKING:  # the reader's report type; model stays importable without the reader
    from rostercheck.read.result import ReadReport

#: Columns of ``RawRoster.entries``; one row per roster cell (blank cells included, so that a
#: repair knows where to write).
ENTRY_COLUMNS = ("resident", "date", "slot", "text", "start", "end", "sheet", "cell")

#: ``cell`` positions are packed as ``row * CELL_STRIDE + column`` (0-based; Excel has 16,384 columns).
CELL_STRIDE = 16_384


def narrow_cells(cells: np.ndarray) -> np.ndarray:
    """Packed cell positions as int32 when they fit (any sheet up to 131,072 rows), else int64."""
    cells = np.asarray(cells)
    if cells.dtype.kind in "iu" and (not len(cells) or (cells.min() >= -(1 << 31) and cells.max() < 1 << 31)):
        return cells.astype(np.int32, copy=False)
    return cells.astype(np.int64, copy=False)


def column_letters(index: int) -> str:
    """0-based column index -> Excel letters, because users and repairs speak "E7", not (6, 4)."""
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row: int, col: int) -> str:
    """0-based absolute (row, col) -> "E7"."""
    return f"{column_letters(col)}{row + 1}"


def cell_position(row: int, col: int) -> int:
    """The packed ``cell`` of a 0-based (row, column): "A1" is 0, "B1" 1, "A2" 16,384."""
    return row * CELL_STRIDE + col


def cell_name(value: object) -> str | None:
    """An entry's ``cell`` as the A1 address people read ("E7"), or None for a cell with no place.

    Readers store packed integer positions, because a year-long roster has half a million cells
    and a report names a handful: formatting every address up front cost more than checking every
    rule. Entries made elsewhere (repairs, tests) may carry the address as text or None.
    """
    if value is None or isinstance(value, str):
        return value or None
    try:
        pos = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):  # NaN, after a concat with rows that have no cell
        return None
    if pos < 0:
        return None
    return a1(*divmod(pos, CELL_STRIDE))


def span_text(start: str, end: str) -> str:
    """A finding's span as people read it, the same in every human-readable output.

    Records keep the end exclusive (``2026-07-29T00:00`` ends the 28th), which is right for
    arithmetic and JSON but reads as one day too many; so whole days print as an inclusive date
    range (``2026-07-01..07-28``, or one date), and anything else as times (``2026-07-04 07:00 ->
    07-05 15:00``). The end drops the year when it is the start's, to keep columns narrow.
    """
    s, e = start.replace("T", " "), end.replace("T", " ")
    if s.endswith("00:00") and e.endswith("00:00") and len(s) >= 10 and len(e) >= 10:
        import datetime as dt

        last = (dt.date.fromisoformat(e[:10]) - dt.timedelta(days=1)).isoformat()
        if last <= s[:10]:
            return s[:10]
        return f"{s[:10]}..{last[5:] if last[:4] == s[:4] else last}"
    return f"{s} -> {e[5:] if e[:4] == s[:4] else e}"


@dataclass(frozen=True, slots=True)
class Source:
    """Where a value came from, carried from the reader to the report."""

    file: str
    sheet: str | None = None
    cell: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "sheet": self.sheet, "cell": self.cell}


@dataclass(frozen=True, slots=True)
class Resident:
    """A person on the roster. ``name`` is unique within one roster (duplicates get a suffix)."""

    name: str
    pgy: int | None = None
    team: str | None = None
    role: str | None = None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class LegendRow:
    """One row of a legend sheet, before validation (times still text)."""

    code: str
    description: str = ""
    start: str | None = None
    end: str | None = None
    kind: str | None = None
    hours: float | None = None
    source: Source | None = None


@dataclass
class RawRoster:
    """A roster as read: no legend applied yet.

    ``entries`` (a ``Table`` of numpy columns; a DataFrame given here is converted) has the columns
    in ``ENTRY_COLUMNS``: ``resident`` (int index into ``residents``), ``date`` (``datetime64[D]``),
    ``slot`` ("" for whole-day cells, "AM"/"PM" for half-day grids),
    ``text`` (the cell's text, stripped), ``start``/``end`` (explicit "HH:MM" times from a long
    file, else None), ``sheet`` (None for csv) and ``cell``: where the cell is, as a packed position
    (``cell_position``; -1 for none) from the readers, or A1 text from elsewhere; ``cell_name``
    reads either.
    """

    path: str
    residents: list[Resident]
    entries: Table
    layout: str = "grid"
    sheets: list[str] = field(default_factory=list)
    legend: list[LegendRow] = field(default_factory=list)
    #: how the file was read (``rostercheck.read.result.ReadReport``): every resident's row, every
    #: skipped row and sheet with its reason, warnings; None for rosters built outside the reader
    read: ReadReport | None = None
    #: duty lists only (``rostercheck.read.duty``): one row per person named in a (date, duty) cell,
    #: and per blank duty cell, so that findings and repairs can speak of the cells people wrote
    duties: Table | None = None

    def __post_init__(self) -> None:
        # a DataFrame from a stage that works in pandas (repair, tests) becomes columns: the check reads numpy
        self.entries = Table.of(self.entries)
        if "date" in self.entries and self.entries["date"].dtype.kind == "M" and self.entries["date"].dtype != "M8[D]":
            self.entries = self.entries.assign(date=self.entries["date"].astype("datetime64[D]"))
        if self.duties is not None:
            self.duties = Table.of(self.duties)


@dataclass(slots=True)
class Finding:
    """One rule broken once: the unit every report renders."""

    rule: str
    severity: str
    resident: str | None
    start: str  # local ISO minute, "2026-07-04T07:00"
    end: str
    value: float
    limit: float
    unit: str
    message: str
    cells: list[Source] = field(default_factory=list)
    kind: str = ""
    dates: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "resident": self.resident,
            "start": self.start,
            "end": self.end,
            "value": self.value,
            "limit": self.limit,
            "unit": self.unit,
            "message": self.message,
            "cells": [c.as_dict() for c in self.cells],
        }

    def sort_key(self) -> tuple:
        return (self.resident or "", self.start, self.rule)

    def when(self) -> str:
        """The span for people (``span_text``): inclusive days, never the exclusive end."""
        return span_text(self.start, self.end)


LAYOUTS = ("grid", "half-day", "long", "duty-list", "transposed")


@dataclass(frozen=True)
class RowFilter:
    """``[roster] rows``: keep only the rows whose ``column`` matches one of ``match``.

    Program sheets list faculty, pharmacists and students beside residents, told apart only by a
    role column; the filter drops them before anything is read from them. ``column`` is a header
    text or a column letter; each pattern is a case-blind glob (``PGY*``, ``R?``) or, after a
    ``re:`` prefix, a regular expression searched in the cell text.
    """

    column: str
    match: tuple[str, ...]


@dataclass
class RosterOptions:
    """How to read a roster where detection alone is not enough (``[roster]`` and CLI options).

    Every field is optional: ``None`` means "detect". Rows are 1-based as in Excel.
    """

    sheet: list[str] | None = None
    layout: str | None = None
    header_row: int | None = None
    date_row: int | None = None
    name_column: str | None = None  # a header text ("Resident") or a column letter ("B")
    #: a long table's date, code and session (AM/PM) columns, when their headers are not recognised
    date_column: str | None = None
    code_column: str | None = None
    session_column: str | None = None
    year: int | None = None
    rows: RowFilter | None = None
    #: times of the AM and PM columns of a half-day grid, ("HH:MM", "HH:MM"); None: 08-12, 13-17
    am: tuple[str, str] | None = None
    pm: tuple[str, str] | None = None
    #: how to read dates like 03/04/2026: "dmy" or "mdy"; None: decided from the file (a day above 12)
    date_order: str | None = None
    #: ``[roster] people``: a list of {name, pgy, team, role} tables, or the path of a people sheet/csv
    people: list[dict] | str | None = None
    #: codes defined in the config (``[shifts]``): a duty list's headers are looked up among them
    codes: frozenset[str] = frozenset()


#: The header rows of the sheets ``--annotate`` and ``repair --annotate`` add to a copy, by sheet
#: title. They live here, below both stages, so that the reader can recognise (and skip, saying so)
#: the report sheets of an annotated copy that is checked again, without importing the report stage.
REPORT_SHEET_HEADERS: dict[str, tuple[str, ...]] = {
    "Violations": ("rule", "severity", "resident", "start", "end", "value", "limit", "unit", "message", "cells"),
    "Changes": ("resident", "date", "slot", "old", "new", "cell"),
}
