"""What one sheet yields, before sheets are merged into a RawRoster."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import numpy as np

from rostercheck.model import Resident
from rostercheck.table import constant
from rostercheck.wording import plural


@dataclass
class SheetInfo:
    """What the reader found on one sheet, in the user's terms (1-based rows, column letters).

    Reading never needs this; ``rostercheck init`` does, to tell a coordinator what was detected
    and to write it into a config they can correct.
    """

    sheet: str | None
    layout: str
    header_row: int
    date_row: int | None = None
    slot_row: int | None = None  # the AM/PM labels of a half-day grid
    weekday_row: int | None = None
    #: what a column holds ("name", "pgy", "team", "role", "rows", "date", "code", ...) -> (letter, header)
    columns: dict[str, tuple[str, str]] = field(default_factory=dict)
    dates: tuple[dt.date, dt.date] | None = None
    date_columns: tuple[str, str] | None = None  # letters of the first and last date column
    after_dates: list[tuple[str, str]] = field(default_factory=list)  # ignored: (letter, header)
    sections: list[tuple[int, str]] = field(default_factory=list)  # section-title rows: (row, text)
    nameless: list[int] = field(default_factory=list)  # rows with codes but no name
    dropped: list[tuple[int, str]] = field(default_factory=list)  # rows the rows filter left out: (row, value)
    #: text columns left of the dates other than the name: letter -> (header, value on each resident row)
    labels: dict[str, tuple[str, list[str]]] = field(default_factory=dict)
    #: every non-blank row below the header not read as a resident, with its reason (ReadReport)
    skipped: list[SkippedRow] = field(default_factory=list)
    warnings: list[ReadWarning] = field(default_factory=list)
    #: how the reader made sense of the sheet, for ``rostercheck read`` ("row 3 is a print title")
    notes: list[str] = field(default_factory=list)
    #: the name column was found by its label ("Resident", "Name") or named in options, not guessed
    name_label: bool = True
    #: the year of dates written without one, when only the weekday labels gave it (``init`` writes it down)
    inferred_year: int | None = None


@dataclass
class SheetRoster:
    """Residents of one sheet and its entries as parallel column arrays (one element per cell).

    ``resident`` indexes this sheet's ``residents``; ``read_roster`` re-indexes when it merges
    sheets, which is why the arrays stay numpy until the very end.
    """

    sheet: str | None
    layout: str
    residents: list[Resident]
    resident: np.ndarray  # int32 (int64 accepted: narrowed when merged)
    date: np.ndarray  # datetime64[D]
    slot: np.ndarray  # object: "", "AM", "PM"
    text: np.ndarray  # object: str
    start: np.ndarray  # object: "HH:MM" or None
    end: np.ndarray  # object: "HH:MM" or None
    cell: np.ndarray  # int64: packed position (``model.cell_position``)
    info: SheetInfo | None = None
    #: per resident: the 1-based sheet row that introduced them (a long table: their first row)
    rows: list[int] = field(default_factory=list)
    #: per entry: does the cell hold anything (a reader that knows it cheaply sets it; else computed)
    filled: np.ndarray | None = None
    #: ``table.factorize(text)`` when the reader has it for free (a csv column is read as codes)
    text_factors: tuple[np.ndarray, list] | None = None

    def __len__(self) -> int:
        return int(self.resident.size)


def nones(n: int) -> np.ndarray:
    """``n`` Nones as a read-only column that takes no memory (``table.constant``): a grid's start
    and end times, 15 MB each at 5,000 residents x 365 days as real arrays."""
    return constant(n, None)


# ---------------------------------------------------------------------------------------------
# ReadReport: what the reader did with every row and sheet, for people (``rostercheck read``,
# the text summary line) and for programs (``files[i].read`` in the JSON, docs/json.md).
# The field names are a contract within JSON version 1: add fields, never rename them.
# ---------------------------------------------------------------------------------------------

#: Why a non-blank row of a roster region was not read as a resident. Fixed words, so a program
#: can count them; the particulars (which filter, which value) go in ``SkippedRow.detail``.
SKIP_REASONS = (
    "rows filter",  # [roster] rows / --rows left it out (detail: "ROLE=FAC")
    "section title",  # a title line inside the roster ("Interns", "PGY-2") with no codes
    "sub-header",  # a second header line: weekday, session or repeated date labels
    "footer",  # a legend, notes or totals block below the residents
    "no codes",  # a name with no code under any date
    "placeholder",  # "Unassigned", "TBD", "Open": a slot, not a person
    "no name",  # codes under the dates but no name to attach them to
    "duty row",  # "Staff Call": the people holding a duty on each date, not a person's codes
    "free text",  # a transposed grid's notes or comments column: not a resident (``SkippedRow.column``)
)

# How each reason reads after a count, so the words agree with it: "1 row filter (ROLE=PharmD)",
# "12 rows filter (ROLE=FAC)", "1 row without a name" (the reason itself, "no name", is the JSON word).
_SINGULARS = {
    "rows filter": "row filter",
    "footer": "footer row",
    "no codes": "row without codes",
    "no name": "row without a name",
    "free text": "free-text column",
}
_PLURALS = {
    "rows filter": "rows filter",  # "12 rows filter (ROLE=FAC)": rows left out by the filter
    "section title": "section titles",
    "sub-header": "sub-headers",
    "footer": "footer rows",
    "no codes": "rows without codes",
    "placeholder": "placeholders",
    "no name": "rows without a name",
    "duty row": "duty rows",
    "free text": "free-text columns",
}


@dataclass(frozen=True)
class ReadResident:
    """One resident as read: where the person's row is, so a coordinator can find it.

    ``row`` is the 1-based spreadsheet row (for a long table, the first row naming the person);
    ``codes`` counts the non-blank entries read for them (0 is possible only in a long table).
    """

    name: str
    pgy: int | None
    team: str | None
    role: str | None
    sheet: str | None
    row: int
    codes: int = 0
    #: the cell holding the name (A1 address): for a transposed grid, the header cell of their column
    cell: str | None = None
    #: a transposed grid's resident column (letters); None where residents are rows
    column: str | None = None

    def to_json(self) -> dict:
        return {"name": self.name, "pgy": self.pgy, "team": self.team, "role": self.role,
                "sheet": self.sheet, "row": self.row, "codes": self.codes, "cell": self.cell,
                "column": self.column}  # fmt: skip

    def where(self) -> str:
        """``row 4`` or, on a transposed grid, ``column C``: where a person finds them."""
        return f"column {self.column}" if self.column else f"row {self.row}"


@dataclass(frozen=True)
class SkippedRow:
    """A non-blank row of a roster region not read as a resident, and why.

    ``text`` is what a person sees at the start of the row (its name cell, or the first non-blank
    cells), so the row can be recognised without opening the file; ``reason`` is one of
    ``SKIP_REASONS``; ``detail`` says which filter or value, when there is one.
    """

    sheet: str | None
    row: int
    text: str
    reason: str
    detail: str = ""
    #: a column skipped rather than a row (a transposed grid's ``Notes`` column): its letters;
    #: ``row`` is then the header row
    column: str | None = None

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "text": self.text, "reason": self.reason,
                "detail": self.detail, "column": self.column}  # fmt: skip

    def where(self) -> str:
        return f"column {self.column}" if self.column else f"row {self.row}"


@dataclass(frozen=True)
class SheetUse:
    """One sheet of the workbook (csv: one entry, ``sheet`` None): read as a roster or not, and why.

    ``reason`` is what was found ("a whole-day grid", "a legend sheet ...", "hidden", "not named by
    --sheet", "not a roster: ..."), so a sheet the user expected to be read is never left out
    without a word. For a sheet read, ``layout`` and the rest say where the reader found things
    (1-based rows, column letters), which is what a coordinator checks when a count looks wrong.
    """

    sheet: str | None
    used: bool
    reason: str
    layout: str | None = None
    header_row: int | None = None
    date_row: int | None = None
    session_row: int | None = None
    weekday_row: int | None = None
    #: what a column holds ("name", "pgy", "team", "role", "rows", "date", "code", ...) -> letter
    columns: tuple[tuple[str, str], ...] = ()
    first_date: dt.date | None = None
    last_date: dt.date | None = None

    @classmethod
    def read_as(cls, info: SheetInfo, reason: str) -> SheetUse:
        if info.notes:
            reason = f"{reason} ({'; '.join(info.notes)})"
        return cls(
            info.sheet, True, reason, info.layout, info.header_row, info.date_row, info.slot_row, info.weekday_row,
            tuple((what, letter) for what, (letter, _) in info.columns.items()),
            info.dates[0] if info.dates else None, info.dates[1] if info.dates else None,
        )  # fmt: skip

    def to_json(self) -> dict:
        out: dict = {"sheet": self.sheet, "used": self.used, "reason": self.reason}
        if self.used:
            out.update({
                "layout": self.layout, "header-row": self.header_row, "date-row": self.date_row,
                "session-row": self.session_row, "weekday-row": self.weekday_row, "columns": dict(self.columns),
                "first-date": self.first_date.isoformat() if self.first_date else None,
                "last-date": self.last_date.isoformat() if self.last_date else None,
            })  # fmt: skip
        return out


@dataclass(frozen=True)
class ReadWarning:
    """Something read but doubtful (a weekday label that disagrees with its date, a legend row
    that cannot be used): reading goes on, the user is told which cell."""

    sheet: str | None
    cell: str | None  # A1 address, or None when the warning is about a whole sheet
    message: str

    def to_json(self) -> dict:
        return {"sheet": self.sheet, "cell": self.cell, "message": self.message}


@dataclass(frozen=True)
class ReadReport:
    """How a roster file was read: every resident with their row, every skipped row with its
    reason, every sheet used or not, every warning.

    Carried on ``RawRoster.read``. It exists because a checker that silently leaves a person out
    gives false assurance: the counts here must add up to the rows a person sees. ``to_json`` is
    the ``read`` object of each ``files`` entry in the JSON output (docs/json.md).
    """

    residents: tuple[ReadResident, ...] = ()
    skipped: tuple[SkippedRow, ...] = ()
    sheets: tuple[SheetUse, ...] = ()
    warnings: tuple[ReadWarning, ...] = ()

    def to_json(self) -> dict:
        return {
            "residents": [r.to_json() for r in self.residents],
            "skipped": [s.to_json() for s in self.skipped],
            "sheets": [s.to_json() for s in self.sheets],
            "warnings": [w.to_json() for w in self.warnings],
        }

    def skipped_summary(self) -> str | None:
        """One line for the text report, or None when nothing was skipped:
        ``skipped 14 rows: 12 rows filter (ROLE=FAC), 2 section titles``."""
        if not self.skipped:
            return None
        counts = Counter((s.reason, s.detail) for s in self.skipped)
        parts = []
        for (reason, detail), n in counts.most_common():
            counted = plural(n, _SINGULARS.get(reason, reason), _PLURALS.get(reason, reason))
            parts.append(counted + (f" ({detail})" if detail else ""))
        rows = sum(1 for s in self.skipped if s.column is None)
        columns = len(self.skipped) - rows
        what = [plural(n, word) for n, word in ((rows, "row"), (columns, "column")) if n]
        return f"skipped {' and '.join(what)}: " + ", ".join(parts)

    def with_warnings(self, more: Iterable[ReadWarning]) -> ReadReport:
        """This report plus ``more`` warnings (ones it already has are not repeated)."""
        extra = tuple(w for w in dict.fromkeys(more) if w not in self.warnings)
        return self if not extra else replace(self, warnings=self.warnings + extra)

    def merged(self, other: ReadReport) -> ReadReport:
        """Both reports' rows in order: sheets are read one at a time and joined."""
        return ReadReport(
            self.residents + other.residents,
            self.skipped + other.skipped,
            self.sheets + other.sheets,
            self.warnings + other.warnings,
        )
