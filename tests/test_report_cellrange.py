"""Cells as ranges (``report/cellrange.py``): the one way every report names a finding's cells."""

from __future__ import annotations

import pytest
from helpers import check, only

from rostercheck.model import Source, a1
from rostercheck.report.cellrange import condense, describe, ranges_json


def row_cells(sheet: str, row: int, cols: list[int], file: str = "r.xlsx") -> list[Source]:
    return [Source(file, sheet, a1(row, c)) for c in cols]


def test_a_whole_row_is_one_range_with_its_count():
    cells = row_cells("Block 9", 12, list(range(5, 61)))  # F13 .. BI13, 56 cells
    assert describe(cells) == "Block 9!F13:BI13 (56 cells)"
    (r,) = condense(cells)
    assert (r.address, r.count, r.exact) == ("F13:BI13", 56, True)


def test_one_cell_has_no_count_and_duplicates_count_once():
    assert describe(row_cells("July", 3, [5])) == "July!F4"
    assert describe(row_cells("July", 3, [5, 6, 5])) == "July!F4:G4 (2 cells)"


def test_gaps_give_separate_ranges_until_a_row_has_too_many_then_one_span():
    two_runs = row_cells("S", 0, [0, 1, 2, 5, 6])
    assert describe(two_runs) == "S!A1:C1, S!F1:G1 (5 cells)"
    weekdays = [c for c in range(28) if c % 7 not in (5, 6)]  # a month of weekdays: four runs
    span = row_cells("S", 0, weekdays)
    assert describe(span) == "S!A1:Z1 (20 of 26 cells)"
    (r,) = condense(span)
    assert not r.exact and r.size == 26
    # the lossless form (csv) keeps every run
    assert describe(span, exact=True, limit=None, sep=" ", count=False) == "S!A1:E1 S!H1:L1 S!O1:S1 S!V1:Z1"


def test_a_column_on_consecutive_rows_is_stacked():
    cells = [Source("r.xlsx", "July", a1(r, 5)) for r in range(2, 9)]
    assert describe(cells) == "July!F3:F9 (7 cells)"


def test_sheets_rows_and_other_files_stay_apart_and_the_list_is_capped():
    cells = (row_cells("B", 1, [0]) + row_cells("A", 4, [1, 2]) + row_cells("A", 1, [3])
             + [Source("june.xlsx", "June", "Z9")] + row_cells("A", 9, [0]) + row_cells("A", 11, [0]))
    assert describe(cells, home="r.xlsx", limit=None) == (
        "june.xlsx:June!Z9, A!D2, A!B5:C5, A!A10, A!A12, B!A2 (7 cells)")
    assert describe(cells, home="r.xlsx") == "june.xlsx:June!Z9, A!D2, A!B5:C5, A!A10 +2 more ranges (7 cells)"


def test_a_csv_roster_has_no_sheet_and_odd_addresses_are_kept():
    assert describe([Source("r.csv", None, "B2"), Source("r.csv", None, "C2")]) == "B2:C2 (2 cells)"
    assert describe([Source("r.csv", None, "Names")]) == "Names"
    assert describe([Source("r.csv", None, None)]) == ""


def test_json_ranges_count_every_cell():
    cells = row_cells("July", 3, [5, 6, 7, 9])
    assert ranges_json(cells) == [{"file": "r.xlsx", "sheet": "July", "range": "F4:H4", "cells": 3},
                                  {"file": "r.xlsx", "sheet": "July", "range": "J4", "cells": 1}]


@pytest.mark.parametrize("fmt", ["text", "csv", "github", "junit"])
def test_every_renderer_names_a_window_as_one_range(fmt):
    from rostercheck.report import render

    res = check({"A": "D " * 14}, only({"days-off": {"kind": "min-free-days", "min": 1, "per": 7,
                                                     "average-days": 14}}))
    assert len(res.findings) == 1
    out = render(fmt, [res])
    assert "Roster!B2:O2" in out
    assert "Roster!C2" not in out  # no cell listed one by one
