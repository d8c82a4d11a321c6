"""Lists of cells as A1 ranges: the one helper every renderer uses to name a finding's cells.

A days-off finding on a half-day block names every worked cell of its 28-day window, 56 of them;
listed one by one (``Block 9!F13 Block 9!G13 ...``) they bury the finding. People read a row of a
roster as a range, so cells are condensed per file, sheet and row:

- adjacent cells of a row become one range (``Block 9!F13:BI13``);
- a row with more than ``max_runs`` separate runs is shown as one span from its first to its last
  named cell, and the count says how many cells inside it the finding names (``exact=True`` keeps
  every run instead, for outputs that must stay lossless, such as csv);
- single-column ranges on consecutive rows are stacked into one (``July!F3:F9``, a coverage date).

The JSON output keeps every cell as its own record; this is only how people read them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rostercheck.model import Source, a1
from rostercheck.read.cells import column_index
from rostercheck.wording import plural

_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


@dataclass(frozen=True, slots=True)
class CellRange:
    """A rectangle of one sheet (0-based corners) and how many of its cells the finding names."""

    file: str
    sheet: str | None
    top: int
    left: int
    bottom: int
    right: int
    count: int
    #: the address as written when it is not A1 (then the corners are -1)
    raw: str = ""

    @property
    def size(self) -> int:
        return (self.bottom - self.top + 1) * (self.right - self.left + 1)

    @property
    def exact(self) -> bool:
        """Every cell inside is named (a span over gaps is not)."""
        return self.count == self.size

    @property
    def address(self) -> str:
        """``F13`` or ``F13:BI13``, without the sheet."""
        if self.top < 0:
            return self.raw
        first = a1(self.top, self.left)
        return first if self.size == 1 else f"{first}:{a1(self.bottom, self.right)}"

    @property
    def first(self) -> str:
        """The top-left cell, where a link to the range lands."""
        if self.top < 0:
            return self.raw
        return a1(self.top, self.left)

    def label(self, home: str | None = None) -> str:
        """``Block 9!F13:BI13``; a cell of another file than ``home`` (a previous roster) is
        prefixed with that file's name, a csv roster's cells have no sheet."""
        where = self.sheet or ""
        if home is not None and self.file != home:
            where = f"{self.file}:{where}" if where else self.file
        return f"{where}!{self.address}" if where else self.address


def _parse(cell: str) -> tuple[int, int] | None:
    m = _A1.match(cell.strip())
    if not m:
        return None
    col = column_index(m.group(1))
    row = int(m.group(2)) - 1
    return None if col is None or row < 0 else (row, col)


def condense(cells: Iterable[Source], *, max_runs: int = 2, exact: bool = False) -> list[CellRange]:
    """The ranges of ``cells`` (duplicates once), in sheet, row and column order.

    A cell whose address is not A1 (a name, a whole row) is kept as a one-cell range of its own
    at the end, so nothing named is lost.
    """
    by_row: dict[tuple[str, str | None, int], set[int]] = {}
    odd: list[CellRange] = []
    for c in cells:
        if not c.cell:
            continue
        pos = _parse(c.cell)
        if pos is None:
            odd.append(CellRange(c.file, c.sheet, -1, -1, -1, -1, 1, c.cell))
            continue
        by_row.setdefault((c.file, c.sheet, pos[0]), set()).add(pos[1])
    rows: list[CellRange] = []
    for (file, sheet, row), cols in sorted(by_row.items(), key=lambda kv: (kv[0][0], kv[0][1] or "", kv[0][2])):
        ordered = sorted(cols)
        runs: list[list[int]] = [[ordered[0], ordered[0]]]
        for c in ordered[1:]:
            if c == runs[-1][1] + 1:
                runs[-1][1] = c
            else:
                runs.append([c, c])
        if len(runs) > max_runs and not exact:
            rows.append(CellRange(file, sheet, row, ordered[0], row, ordered[-1], len(ordered)))
        else:
            rows += [CellRange(file, sheet, row, a, row, b, b - a + 1) for a, b in runs]
    # stack exact ranges of the same columns on consecutive rows (a column of a coverage date)
    out: list[CellRange] = []
    for r in sorted(rows, key=lambda r: (r.file, r.sheet or "", r.left, r.right, r.top)):
        last = out[-1] if out else None
        if (last is not None and last.exact and r.exact and (last.file, last.sheet, last.left, last.right)
                == (r.file, r.sheet, r.left, r.right) and r.top == last.bottom + 1):
            out[-1] = CellRange(r.file, r.sheet, last.top, last.left, r.bottom, last.right, last.count + r.count)
        else:
            out.append(r)
    out.sort(key=lambda r: (r.file, r.sheet or "", r.top, r.left))
    return out + odd


def cell_count(cells: Iterable[Source]) -> int:
    """Distinct named cells."""
    return len({(c.file, c.sheet, c.cell) for c in cells if c.cell})


def describe(cells: Sequence[Source], *, home: str | None = None, limit: int | None = 4, max_runs: int = 2,
             exact: bool = False, sep: str = ", ", count: bool = True) -> str:
    """``Block 9!F13:BI13 (56 cells)``: at most ``limit`` ranges, then ``+N more``; the count of
    distinct cells closes the text whenever it is more than one, as ``(19 of 28 cells)`` when a
    span covers cells the finding does not name. Empty when no cell is named."""
    named = [c for c in cells if c.cell]
    if not named:
        return ""
    ranges = condense(named, max_runs=max_runs, exact=exact)
    labels = [r.label(home) for r in ranges]
    shown = labels if limit is None else labels[:limit]
    more = len(labels) - len(shown)
    text = sep.join(shown) + (f" +{plural(more, 'more range')}" if more else "")
    n = cell_count(named)
    if n <= 1 or not count:
        return text
    inside = sum(r.size for r in ranges)
    return text + (f" ({n} cells)" if inside == n else f" ({n} of {inside} cells)")


def ranges_json(cells: Sequence[Source]) -> list[dict]:
    """The condensed ranges as JSON records (``violations[].cell-ranges``, an addition to v1)."""
    out = []
    for r in condense([c for c in cells if c.cell]):
        out.append({"file": r.file, "sheet": r.sheet,
                    "range": r.address,
                    "cells": r.count})
    return out


__all__ = ["CellRange", "cell_count", "condense", "describe", "ranges_json"]
