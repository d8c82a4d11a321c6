"""What one sheet yields, before sheets are merged into a RawRoster."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from rostercheck.model import Resident


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


@dataclass
class SheetRoster:
    """Residents of one sheet and its entries as parallel column arrays (one element per cell).

    ``resident`` indexes this sheet's ``residents``; ``read_roster`` re-indexes when it merges
    sheets, which is why the arrays stay numpy until the very end.
    """

    sheet: str | None
    layout: str
    residents: list[Resident]
    resident: np.ndarray  # int64
    date: np.ndarray  # datetime64[D]
    slot: np.ndarray  # object: "", "AM", "PM"
    text: np.ndarray  # object: str
    start: np.ndarray  # object: "HH:MM" or None
    end: np.ndarray  # object: "HH:MM" or None
    cell: np.ndarray  # int64: packed position (``model.cell_position``)
    info: SheetInfo | None = None

    def __len__(self) -> int:
        return int(self.resident.size)


def nones(n: int) -> np.ndarray:
    return np.empty(n, dtype=object)  # numpy fills new object arrays with None
