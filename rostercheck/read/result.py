"""What one sheet yields, before sheets are merged into a RawRoster."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rostercheck.model import Resident


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
    cell: np.ndarray  # object: "E7"

    def __len__(self) -> int:
        return int(self.resident.size)


def nones(n: int) -> np.ndarray:
    return np.empty(n, dtype=object)  # numpy fills new object arrays with None
