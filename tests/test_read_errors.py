"""Every bad input to read_roster is an InputError that says where and what was expected."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from pathlib import Path

import pytest
from workbooks import days, make_csv, make_xlsx

from rostercheck.errors import InputError
from rostercheck.model import RosterOptions
from rostercheck.read import read_roster


def error_of(path: Path | str, options: RosterOptions | None = None) -> InputError:
    with pytest.raises(InputError) as exc:
        read_roster(path, options)
    err = exc.value
    assert str(path) in str(err), str(err)  # the file as the user gave it
    assert "\n" not in str(err)
    return err


def good_grid() -> list[list[object]]:
    return [["Resident", *days(3)], ["Alice", "D", "N", "C"]]


# --- files ----------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    err = error_of(tmp_path / "nope.xlsx")
    assert "not found" in err.message


def test_missing_file_keeps_relative_path_as_given(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    err = error_of("rosters/july.xlsx")
    assert err.file == "rosters/july.xlsx"


def test_directory(tmp_path: Path) -> None:
    (tmp_path / "dir.xlsx").mkdir()
    err = error_of(tmp_path / "dir.xlsx")
    assert "directory" in err.message


@pytest.mark.parametrize("name", ["roster.txt", "roster.pdf", "roster"])
def test_not_a_spreadsheet_extension(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("Resident,7/1/2026\nAlice,D\n")
    err = error_of(path)
    assert "not a spreadsheet" in err.message and ".xlsx" in err.message


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(3000),
        b"",
        b"Resident,7/1/2026\nAlice,D\n",
        b"<html><body><table><tr><td>Resident</td></tr></table></body></html>",
    ],
    ids=["random", "empty", "text", "html"],
)
def test_corrupt_xlsx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    err = error_of(path)
    assert "not a readable Excel workbook" in err.message


def test_truncated_xlsx(tmp_path: Path) -> None:
    good = make_xlsx(tmp_path / "good.xlsx", {"R": good_grid()})
    path = tmp_path / "trunc.xlsx"
    path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "not a readable Excel workbook" in error_of(path).message


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "not a readable Excel workbook" in error_of(path).message


def test_corrupt_xls_and_ods(tmp_path: Path) -> None:
    for name in ("bad.xls", "bad.ods"):  # .xlsb is refused before any reader (test_security)
        path = tmp_path / name
        path.write_bytes(os.urandom(600))
        assert "not a readable Excel workbook" in error_of(path).message


def test_binary_csv(tmp_path: Path) -> None:
    good = make_xlsx(tmp_path / "good.xlsx", {"R": good_grid()})
    path = tmp_path / "actually.csv"
    path.write_bytes(good.read_bytes())
    assert "not a CSV" in error_of(path).message


# --- sheets and headers ---------------------------------------------------------------------


def test_no_header_row_found(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"Data": [["just", "some"], ["words", "here"], [1, 2]]})
    err = error_of(path)
    assert "no header row found" in err.message and err.sheet == "Data"
    assert "sheet 'Data'" in str(err)


def test_no_header_row_in_csv(tmp_path: Path) -> None:
    err = error_of(make_csv(tmp_path / "r.csv", [["a", "b"], ["c", "d"]]))
    assert "no header row found" in err.message


def test_empty_csv_and_empty_workbook(tmp_path: Path) -> None:
    empty_csv = tmp_path / "e.csv"
    empty_csv.write_text("")
    assert "empty" in error_of(empty_csv).message
    assert "empty" in error_of(make_xlsx(tmp_path / "e.xlsx", {"Sheet1": []})).message


def test_no_roster_found_names_the_sheets_tried(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"Notes": [["hello"]], "Staff": [["Name", "Email"], ["A", "a@x"]]})
    err = error_of(path)
    assert "no roster found" in err.message
    assert "'Notes'" in err.message and "'Staff'" in err.message


def test_named_sheet_without_header(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": good_grid(), "Notes": [["hello"]]})
    err = error_of(path, RosterOptions(sheet=["Notes"]))
    assert err.sheet == "Notes" and "no header row found" in err.message


def test_hidden_roster_is_not_found_without_naming_it(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": good_grid(), "Notes": [["hello"]]}, hidden=["R"])
    err = error_of(path)
    assert "no header row found" in err.message and err.sheet == "Notes"
    assert read_roster(path, RosterOptions(sheet=["R"])).sheets == ["R"]


def test_empty_roster_header_but_no_residents(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": [["Resident", *days(3)], [], ["Legend:"], ["D = day"]]})
    err = error_of(path)
    assert "empty roster" in err.message and err.sheet == "R" and err.cell == "A1"


def test_duplicate_date_column_names_both_cells(tmp_path: Path) -> None:
    d1, d2, d3 = days(3)
    rows = [["Resident", d1, d2, d3, d2], ["Alice", "D", "N", "C", "PC"]]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert err.sheet == "R" and err.cell == "E1"
    assert "C1 and E1" in err.message and "2026-07-02" in err.message


def test_duplicate_date_as_text_and_real_date(tmp_path: Path) -> None:
    rows = [["Resident", dt.date(2026, 7, 1), "7/2/2026", "2026-07-01"], ["Alice", "D", "N", "C"]]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert "B1 and D1" in err.message


def test_unparseable_date_header_between_dates(tmp_path: Path) -> None:
    d1, d2, d3 = days(3)
    rows = [[None, None], [None, "Resident", d1, d2, "Jul 3rd-ish", d3], [None, "Alice", "D", "N", "C", "D"]]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert err.sheet == "R" and err.cell == "E2"
    assert "expected a date" in err.message and "'Jul 3rd-ish'" in err.message


def test_impossible_date_header(tmp_path: Path) -> None:
    rows = [["Resident", "2/27/2026", "2/28/2026", "2/29/2026"], ["Alice", "D", "N", "C"]]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert err.cell == "D1"


def test_header_with_day_numbers_instead_of_dates(tmp_path: Path) -> None:
    rows = [["Resident", 1, 2, 3], ["Alice", "D", "N", "C"]]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert err.cell == "B1" and "expected a date" in err.message


def test_no_name_column_found(tmp_path: Path) -> None:
    rows = [days(3), ["D", "N", "C"]]  # dates start in column A: nowhere for names
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert "no name column found" in err.message and err.sheet == "R"


def test_second_header_block_is_refused(tmp_path: Path) -> None:
    rows = [
        ["Resident", *days(3)],
        ["Alice", "D", "N", "C"],
        ["Resident", *days(3, dt.date(2026, 7, 4))],
        ["Alice", "D", "D", "D"],
    ]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert err.cell == "A3" and "second header" in err.message


def test_mixed_layouts_across_sheets(tmp_path: Path) -> None:
    d1, d2 = days(2)
    half = [["Resident", d1, None, d2, None], [None, "AM", "PM", "AM", "PM"], ["Alice", "CL", "W", "CL", "CL"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"Whole": good_grid(), "Half": half})
    err = error_of(path)
    assert "one layout" in err.message and err.sheet == "Half"


def test_header_row_option_pointing_at_an_empty_row(tmp_path: Path) -> None:
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": good_grid()}), RosterOptions(header_row=9))
    assert err.cell == "A9" and "empty" in err.message


def test_name_column_letter_outside_the_sheet(tmp_path: Path) -> None:
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": good_grid()}), RosterOptions(name_column="ZZ"))
    assert "ZZ" in err.message


def test_three_columns_under_one_half_day_date(tmp_path: Path) -> None:
    d1, d2 = days(2)
    rows = [["Resident", d1, None, None, d2, None], ["Alice", "CL", "W", "X", "CL", "CL"]]
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}, merges={"R": ["B1:C1", "E1:F1"]}))
    assert err.cell == "B1" and "AM and PM" in err.message


def test_unknown_layout_option(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": good_grid()})
    with pytest.raises(InputError) as exc:
        read_roster(path, RosterOptions(layout="diagonal"))
    assert "layout" in str(exc.value)


def test_blank_date_header_over_filled_column(tmp_path: Path) -> None:
    d1, _, d3, d4 = days(4)
    rows = [["Resident", d1, None, d3, d4], ["Alice", "D", "N", "C", "PC"]]  # C1 lost its date
    err = error_of(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert err.cell == "C1" and "no date in the header" in err.message and "C2" in err.message


def test_one_date_cell_overwritten_is_named_as_a_missing_date(tmp_path: Path) -> None:
    """The new-user trial: 'ZZ' over one date was called 'a second block of dates'."""
    header: list[object] = ["Resident", "PGY", *days(14)]
    header[4] = "ZZ"  # E1, where 2026-07-03 was
    rows = [header, ["Avery Chen", 1, *["D"] * 14]]
    exc = error_of(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert exc.cell == "E1"
    assert "holds 'ZZ' where a date was expected: 2026-07-03, between D1" in exc.message
    assert "second block" not in exc.message


def test_a_label_between_two_runs_of_dates_is_still_a_second_block(tmp_path: Path) -> None:
    header = ["Resident", *days(7), "Block 2", *days(7, dt.date(2026, 7, 8))]
    rows = [header, ["Avery Chen", *["D"] * 7, None, *["D"] * 7]]
    exc = error_of(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert exc.cell == "I1" and "a second block of dates starts at I1" in exc.message


def test_a_workbook_of_only_a_legend_sheet_names_each_sheet_and_what_it_is(tmp_path: Path) -> None:
    """The user trial read "no roster found (tried sheets ): ..." with nothing tried: every sheet of
    the workbook is now named with why it is not a roster."""
    path = make_xlsx(tmp_path / "codes.xlsx", {"Legend": [["Code", "Description"], ["D", "Day shift"], ["C", "Call"]],
                                              "Old": [["x"]]}, hidden=["Old"])
    err = error_of(path)
    assert "tried sheets )" not in err.message
    assert "sheet 'Legend': a legend sheet (Code/Description)" in err.message, err.message
    assert "sheet 'Old': hidden" in err.message
    assert err.message.startswith("no roster found (") and "expected a sheet with a header row" in err.message
