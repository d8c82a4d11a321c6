"""read_roster on whole-day grids: detection, values, attributes and cell addresses."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
import pytest
from workbooks import days, make_csv, make_xlsx

from rostercheck.errors import InputError
from rostercheck.model import ENTRY_COLUMNS, RosterOptions, cell_name
from rostercheck.read import read_roster
from rostercheck.read.cells import cell_names

NBSP = "\u00a0"


def entry(roster, name: str, date: str, slot: str = "") -> pd.Series:
    """The one entry of ``name`` on ``date`` (and slot)."""
    idx = [r.name for r in roster.residents].index(name)
    e = roster.entries.frame()
    hit = e[(e.resident == idx) & (e.date == pd.Timestamp(date)) & (e.slot == slot)]
    assert len(hit) == 1, hit
    return hit.iloc[0]


def names(roster) -> list[str]:
    return [r.name for r in roster.residents]


def simple_grid(n_days: int = 3) -> list[list[object]]:
    return [
        ["Resident", "PGY", *days(n_days)],
        ["Alice Adams", 1, "D", "N", None][: 2 + n_days],
        ["Bob Brown", 2, "C", "PC", "OFF"][: 2 + n_days],
    ]


# --- the basic shape ------------------------------------------------------------------------


def test_basic_grid_columns_types_and_addresses(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"Roster": simple_grid()})
    roster = read_roster(path)
    assert roster.path == str(path)
    assert roster.layout == "grid"
    assert roster.sheets == ["Roster"]
    assert names(roster) == ["Alice Adams", "Bob Brown"]
    assert [r.pgy for r in roster.residents] == [1, 2]
    assert roster.residents[0].source.as_dict() == {"file": str(path), "sheet": "Roster", "cell": "A2"}
    e = roster.entries.frame()
    assert tuple(e.columns) == ENTRY_COLUMNS
    assert len(e) == 6  # every cell, blank ones included
    assert str(e.date.dtype).startswith("datetime64")
    assert (e.date == e.date.dt.normalize()).all()
    assert e.resident.tolist() == [0, 0, 0, 1, 1, 1]
    assert cell_names(e.cell).tolist() == ["C2", "D2", "E2", "C3", "D3", "E3"]
    assert e.text.tolist() == ["D", "N", "", "C", "PC", "OFF"]
    assert e.slot.tolist() == [""] * 6
    assert e.start.tolist() == [None] * 6 and e.end.tolist() == [None] * 6
    assert e.sheet.tolist() == ["Roster"] * 6
    assert entry(roster, "Alice Adams", "2026-07-03").text == ""
    assert roster.legend == []


def test_accepts_pathlike_and_str(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"Roster": simple_grid()})
    assert read_roster(str(path)).path == str(path)
    assert read_roster(path, RosterOptions()).path == str(path)


def test_input_file_is_not_modified(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"Roster": simple_grid()})
    before = (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
    read_roster(path)
    assert (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns) == before


def test_title_rows_and_name_column_not_in_a(tmp_path: Path) -> None:
    rows = [
        [None, "Internal Medicine - July 2026"],
        [None, "Draft 3, do not distribute"],
        [],
        [None, "#", "Name", "Level", *days(3), "Total"],
        [None, 1, "Alice Adams", "PGY-1", "D", "N", "PC", 2],
        [None, 2, "Bob Brown", "PGY-2", "C", None, "D", 2],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert names(roster) == ["Alice Adams", "Bob Brown"]
    assert roster.residents[1].source.cell == "C6"
    assert cell_name(entry(roster, "Alice Adams", "2026-07-01").cell) == "E5"
    assert cell_name(entry(roster, "Bob Brown", "2026-07-03").cell) == "G6"
    assert len(roster.entries.frame()) == 6  # the Total column is not a date


def test_addresses_when_used_range_does_not_start_at_a1(tmp_path: Path) -> None:
    # Everything starts at D5: calamine trims the empty rows/columns, addresses must not shift.
    path = make_xlsx(tmp_path / "r.xlsx", {"Roster": simple_grid()}, top=5, left=4)
    roster = read_roster(path)
    assert roster.residents[0].source.cell == "D6"
    assert cell_names(roster.entries.frame().cell).tolist() == ["F6", "G6", "H6", "F7", "G7", "H7"]


def test_addresses_beyond_column_z(tmp_path: Path) -> None:
    rows = [["Resident", *days(40)], ["Alice", *(["D"] * 40)]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert cell_names(roster.entries.frame().cell).tolist()[24:28] == ["Z2", "AA2", "AB2", "AC2"]
    assert cell_name(roster.entries.frame().cell.iloc[-1]) == "AO2"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), (2.0, 2), ("3", 3), ("PGY-2", 2), ("PGY 3", 3), ("R2", 2), ("PGY1", 1), ("pgy-4", 4),
     ("2nd year", 2), ("Intern", 1), (None, None)],
)  # fmt: skip
def test_pgy_values(tmp_path: Path, value: object, expected: int | None) -> None:
    rows = [["Resident", "PGY", *days(3)], ["Alice", value, "D", "D", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert roster.residents[0].pgy == expected


@pytest.mark.parametrize("header", ["PGY", "Year", "Level", "PGY Level", "Class", "pgy:"])
def test_pgy_header_words(tmp_path: Path, header: str) -> None:
    rows = [["Name", header, *days(3)], ["Alice", "PGY-3", "D", "D", "D"]]
    assert read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows})).residents[0].pgy == 3


def test_unreadable_pgy_names_the_cell(tmp_path: Path) -> None:
    rows = [["Resident", "PGY", *days(3)], ["Alice", "senior-ish", "D", "D", "D"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert exc.value.cell == "B2" and exc.value.sheet == "R"
    assert "PGY" in str(exc.value) and str(path) in str(exc.value)


def test_team_and_role_columns(tmp_path: Path) -> None:
    rows = [
        ["Physician", "Team", "Role", "PGY", *days(3)],
        ["Alice", " Red\u00a0 Team ", "Senior", "PGY-3", "D", "D", "D"],
        ["Bob", "Blue", None, "PGY-1", "D", "D", "D"],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    alice, bob = roster.residents
    assert (alice.team, alice.role, alice.pgy) == ("Red Team", "Senior", 3)
    assert (bob.team, bob.role, bob.pgy) == ("Blue", None, 1)


@pytest.mark.parametrize("header", ["Resident", "Name", "Resident Name", "Provider", "Physician", "Trainee", "DOCTOR"])
def test_name_header_words(tmp_path: Path, header: str) -> None:
    rows = [[header, *days(3)], ["Alice", "D", "D", "D"]]
    assert names(read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))) == ["Alice"]


# --- dates ----------------------------------------------------------------------------------


def test_real_excel_dates_including_datetimes(tmp_path: Path) -> None:
    header = ["Resident", dt.datetime(2026, 7, 1), dt.datetime(2026, 7, 2, 0, 0), dt.datetime(2026, 7, 3, 7, 0)]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": [header, ["Alice", "D", "D", "D"]]}))
    assert roster.entries.frame().date.tolist() == [pd.Timestamp("2026-07-01"), pd.Timestamp("2026-07-02"),
                                            pd.Timestamp("2026-07-03")]  # fmt: skip


@pytest.mark.parametrize(
    "header",
    [
        ["2026-07-01", "2026-07-02", "2026-07-03"],
        ["7/1/2026", "7/2/2026", "7/3/2026"],
        ["7/1/26", "7/2/26", "7/3/26"],
        ["Wed 7/1/2026", "Thu 7/2/2026", "Fri 7/3/2026"],
        ["Jul 1, 2026", "Jul 2, 2026", "Jul 3, 2026"],
        ["1-Jul-2026", "2-Jul-2026", "3-Jul-2026"],
        ["Wednesday, July 1, 2026", "Thursday, July 2, 2026", "Friday, July 3, 2026"],
        ["01.07.2026", "02.07.2026", "03.07.2026"],
    ],
)
def test_date_strings(tmp_path: Path, header: list[str]) -> None:
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": [["Resident", *header], ["Alice", "D", "N", "C"]]}))
    assert roster.entries.frame().date.dt.strftime("%Y-%m-%d").tolist() == ["2026-07-01", "2026-07-02", "2026-07-03"]


@pytest.mark.parametrize(
    "header", [["7/1", "7/2", "7/3"], ["Wed 7/1", "Thu 7/2", "Fri 7/3"], ["Jul 1", "Jul 2", "Jul 3"]]
)
def test_month_day_dates_take_the_year_option(tmp_path: Path, header: list[str]) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": [["Resident", *header], ["Alice", "D", "N", "C"]]})
    roster = read_roster(path, RosterOptions(year=2026))
    assert roster.entries.frame().date.dt.strftime("%Y-%m-%d").tolist() == ["2026-07-01", "2026-07-02", "2026-07-03"]


def test_month_day_without_year_is_an_error_naming_the_cell(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": [["Resident", "7/1", "7/2", "7/3"], ["Alice", "D", "N", "C"]]})
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert (exc.value.file, exc.value.sheet, exc.value.cell) == (str(path), "R", "B1")
    assert "year" in exc.value.message and "'7/1'" in exc.value.message


def test_month_day_dates_roll_over_new_year(tmp_path: Path) -> None:
    header = ["Resident", "12/30", "12/31", "1/1", "1/2"]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": [header, ["Alice", "D", "N", "C", "PC"]]})
    roster = read_roster(path, RosterOptions(year=2026))
    assert roster.entries.frame().date.dt.strftime("%Y-%m-%d").tolist() == [
        "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"
    ]  # fmt: skip


def test_weekday_row_above_and_below_dates_is_ignored(tmp_path: Path) -> None:
    rows = [
        ["Schedule"],
        [None, "Wed", "Thu", "Fri"],
        [None, *days(3)],
        ["Resident", "Wednesday", "Thursday", "Friday"],
        ["Alice", "D", "N", "PC"],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice"]
    assert cell_names(roster.entries.frame().cell).tolist() == ["B5", "C5", "D5"]
    assert roster.entries.frame().text.tolist() == ["D", "N", "PC"]


def test_weekday_row_under_a_combined_header(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["Day", "Wed", "Thu", "Fri"], ["Alice", "D", "N", "PC"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice"]
    assert cell_names(roster.entries.frame().cell).tolist() == ["B3", "C3", "D3"]


def test_dates_row_without_any_name_header(tmp_path: Path) -> None:
    rows = [
        [None, None, *days(3)],
        ["#", None, "W", "T", "F"],
        [1, "Alice", "D", "N", "PC"],
        [2, "Bob", "C", None, "D"],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice", "Bob"]
    assert roster.residents[0].source.cell == "B3"


def test_date_row_and_header_row_options(tmp_path: Path) -> None:
    # Dates on row 2, the name header three rows further down on row 5.
    rows = [
        ["Roster"],
        [None, "2026-07-01", "2026-07-02"],  # only two dates: too few to detect on its own
        [None, "Wed", "Thu"],
        [None, "Ward", "Ward"],
        ["Resident", "Code", "Code"],
        ["Alice", "D", "N"],
    ]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    roster = read_roster(path, RosterOptions(header_row=5, date_row=2))
    assert names(roster) == ["Alice"]
    assert cell_names(roster.entries.frame().cell).tolist() == ["B6", "C6"]
    assert roster.entries.frame().date.dt.day.tolist() == [1, 2]


def test_header_row_option_below_the_scan_window(tmp_path: Path) -> None:
    rows = [[f"note {i}"] for i in range(40)] + [["Resident", *days(3)], ["Alice", "D", "N", "C"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}), RosterOptions(header_row=41))
    assert cell_names(roster.entries.frame().cell).tolist() == ["B42", "C42", "D42"]


def test_columns_after_the_last_date_are_ignored(tmp_path: Path) -> None:
    rows = [["Resident", *days(3), "Total", "# calls", None, "notes"], ["Alice", "D", "C", "PC", 3, 1, None, "ok"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert cell_names(roster.entries.frame().cell).tolist() == ["B2", "C2", "D2"]


def test_blank_spacer_column_between_dates_is_skipped(tmp_path: Path) -> None:
    rows = [["Resident", *days(3), None, *days(2, dt.date(2026, 7, 4))], ["Alice", "D", "C", "PC", None, "D", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert cell_names(roster.entries.frame().cell).tolist() == ["B2", "C2", "D2", "F2", "G2"]
    assert roster.entries.frame().date.dt.day.tolist() == [1, 2, 3, 4, 5]


# --- rows -----------------------------------------------------------------------------------


def test_footer_blank_and_nameless_rows_are_ignored(tmp_path: Path) -> None:
    rows = [
        ["Resident", *days(3)],
        ["Alice", "D", "N", "PC"],
        [None, None, "HOLIDAY", None],  # a marker row without a name
        [],
        ["Bob", None, None, None],  # a name with blank cells is still a resident
        ["Total", 1, 1, 0],
        ["Legend:"],
        ["D = day", None, None, None],
        ["Generated by RosterApp 4.2"],
        [],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice", "Bob"]
    assert entry(roster, "Bob", "2026-07-02").text == ""
    assert cell_name(entry(roster, "Bob", "2026-07-02").cell) == "C5"


@pytest.mark.parametrize("footer", ["Notes", "Notes: swap pending", "Key", "Printed 7/1/2026", "Last updated by X"])
def test_footer_words_end_the_roster(tmp_path: Path, footer: str) -> None:
    """A footer line ends the roster for rows below without the roster's codes (a legend block)."""
    rows = [["Resident", *days(3)], ["Alice", "D", "N", "PC"], [footer], ["D", "Day shift 07-19"], ["Zed", None, "N"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice"]
    assert [(s.row, s.reason) for s in roster.read.skipped] == [(3, "footer"), (4, "footer"), (5, "footer")]


@pytest.mark.parametrize("footer", ["Notes", "Notes: swap pending", "Key", "Printed 7/1/2026", "Last updated by X"])
def test_a_footer_line_between_residents_does_not_end_the_roster(tmp_path: Path, footer: str) -> None:
    """Issue 13: a person below a notes line is a person; only the notes line is skipped."""
    rows = [["Resident", *days(3)], ["Alice", "D", "N", "PC"], [footer], ["Zed", "D", "D", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice", "Zed"]
    assert [(s.row, s.reason) for s in roster.read.skipped] == [(3, "footer")]


def test_names_like_footer_words_are_still_names(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["Key, Alicia", "D", "N", "PC"], ["Page, Larry", "D", "D", "D"]]
    assert names(read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))) == ["Key, Alicia", "Page, Larry"]


def test_pgy_group_rows_head_their_residents(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["PGY-1"], ["Alice", "D", "N", "PC"], ["PGY-2"], ["Bob", "D", "D", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert [(r.name, r.pgy) for r in roster.residents] == [("Alice", 1), ("Bob", 2)]


def test_nbsp_and_whitespace_are_cleaned_and_case_kept(tmp_path: Path) -> None:
    rows = [
        ["  Resident ", *days(3)],
        [f"{NBSP}Alice {NBSP}  Adams{NBSP}", f" d{NBSP}", f"{NBSP}n ", "Cl"],
        ["\tBob\n", "   ", NBSP, "pc"],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Alice Adams", "Bob"]
    assert roster.entries.frame().text.tolist() == ["d", "n", "Cl", "", "", "pc"]


def test_numeric_cells_read_as_text(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["Alice", 12, 7.5, True]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert roster.entries.frame().text.tolist() == ["12", "7.5", "TRUE"]


def test_duplicate_names_on_one_sheet_are_two_people(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["Sam Lee", "D", "D", "D"], ["Ann", "N", "N", "N"], ["Sam  Lee", "C", "PC", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert names(roster) == ["Sam Lee", "Ann", "Sam Lee (row 4)"]
    assert roster.residents[2].source.cell == "A4"
    assert entry(roster, "Sam Lee (row 4)", "2026-07-01").text == "C"
    assert entry(roster, "Sam Lee", "2026-07-01").text == "D"


# --- sheets ---------------------------------------------------------------------------------


def test_two_month_sheets_share_residents(tmp_path: Path) -> None:
    july = [["Resident", "PGY", *days(3)], ["Alice", None, "D", "N", "PC"], ["Bob", "PGY-2", "D", "D", "D"]]
    august = [
        ["Resident", "PGY", *days(3, dt.date(2026, 8, 1))],
        ["Bob", "PGY-2", "C", "PC", "D"],
        ["Alice", "PGY-1", "V", "V", "V"],
        ["Cara", "PGY-3", "D", "D", "D"],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": july, "August": august}))
    assert roster.sheets == ["July", "August"]
    assert names(roster) == ["Alice", "Bob", "Cara"]
    assert [r.pgy for r in roster.residents] == [1, 2, 3]  # Alice's level comes from August
    assert roster.residents[0].source.sheet == "July"
    assert len(roster.entries.frame()) == 6 + 9
    aug1 = entry(roster, "Alice", "2026-08-01")
    assert (aug1.text, aug1.sheet, cell_name(aug1.cell)) == ("V", "August", "C3")
    assert entry(roster, "Alice", "2026-07-01").sheet == "July"


def test_hidden_and_very_hidden_sheets_are_ignored_unless_named(tmp_path: Path) -> None:
    grid = simple_grid()
    old = [["Resident", *days(3, dt.date(2026, 6, 1))], ["Old Timer", "D", "D", "D"]]
    path = make_xlsx(
        tmp_path / "r.xlsx", {"Roster": grid, "June": old, "Secret": old}, hidden=["June"], very_hidden=["Secret"]
    )
    roster = read_roster(path)
    assert roster.sheets == ["Roster"]
    assert "Old Timer" not in names(roster)
    named = read_roster(path, RosterOptions(sheet=["June"]))
    assert named.sheets == ["June"] and names(named) == ["Old Timer"]


def test_helper_and_notes_sheets_are_skipped(tmp_path: Path) -> None:
    sheets = {
        "Notes": [["Please swap via the chief"], ["Updated weekly"]],
        "Staff": [["Name", "Email", "Phone"], ["Alice", "a@x.org", "555"]],
        "Roster": simple_grid(),
        "Empty": [],
    }
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", sheets))
    assert roster.sheets == ["Roster"]
    assert names(roster) == ["Alice Adams", "Bob Brown"]


def test_sheet_option_picks_sheets_in_order(tmp_path: Path) -> None:
    a = [["Resident", *days(3)], ["Alice", "D", "D", "D"]]
    b = [["Resident", *days(3, dt.date(2026, 8, 1))], ["Bob", "N", "N", "N"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"A": a, "B": b})
    assert read_roster(path, RosterOptions(sheet=["B"])).sheets == ["B"]
    assert names(read_roster(path, RosterOptions(sheet=["B", "A"]))) == ["Alice", "Bob"]


def test_unknown_sheet_option_suggests_nearest(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"July 2026": simple_grid(), "Notes": [["x"]]})
    with pytest.raises(InputError) as exc:
        read_roster(path, RosterOptions(sheet=["Jully 2026"]))
    assert "did you mean 'July 2026'" in str(exc.value)
    assert str(path) in str(exc.value)


def test_template_sheet_without_residents_is_skipped(tmp_path: Path) -> None:
    template = [["Resident", *days(3, dt.date(2026, 8, 1))]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": simple_grid(), "August": template}))
    assert roster.sheets == ["July"]


# --- options --------------------------------------------------------------------------------


def test_name_column_option_letter_and_header(tmp_path: Path) -> None:
    rows = [["ID", "Who", "Email", *days(3)], ["a1", "Alice", "a@x", "D", "N", "C"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    assert names(read_roster(path, RosterOptions(name_column="B"))) == ["Alice"]
    assert names(read_roster(path, RosterOptions(name_column="who"))) == ["Alice"]
    with pytest.raises(InputError) as exc:
        read_roster(path, RosterOptions(name_column="Whom"))
    assert "did you mean" in str(exc.value)


def test_inferred_name_column_prefers_the_text_column(tmp_path: Path) -> None:
    rows = [["ID", None, *days(3)], [101, "Alice", "D", "N", "C"], [102, "Bob", "D", "D", "D"]]
    assert names(read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))) == ["Alice", "Bob"]


def test_layout_option_forces_whole_day(tmp_path: Path) -> None:
    rows = [["Resident", dt.date(2026, 7, 1), None, dt.date(2026, 7, 2), None, dt.date(2026, 7, 3)],
            ["Alice", "D", None, "N", None, "C"]]  # fmt: skip
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    assert read_roster(path).layout == "half-day"
    forced = read_roster(path, RosterOptions(layout="grid"))
    assert forced.layout == "grid"
    assert cell_names(forced.entries.cell).tolist() == ["B2", "D2", "F2"]


def test_csv_grid(tmp_path: Path) -> None:
    rows = [["Roster July"], ["Resident", "PGY", "7/1/2026", "7/2/2026"], ["Alice", "PGY-1", "D", "n"]]
    roster = read_roster(make_csv(tmp_path / "r.csv", rows))
    assert roster.layout == "grid" and roster.sheets == []
    assert cell_names(roster.entries.frame().cell).tolist() == ["C3", "D3"]
    assert roster.entries.frame().sheet.tolist() == [None, None]
    assert roster.entries.frame().text.tolist() == ["D", "n"]
    assert roster.residents[0].source.as_dict() == {"file": str(tmp_path / "r.csv"), "sheet": None, "cell": "A3"}


def test_header_row_option_with_a_notes_sheet(tmp_path: Path) -> None:
    rows = [["July roster"], [], ["Resident", *days(3)], ["Alice", "D", "N", "C"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"Notes": [["hello"]], "July": rows})
    roster = read_roster(path, RosterOptions(header_row=3))
    assert roster.sheets == ["July"] and cell_names(roster.entries.frame().cell).tolist() == ["B4", "C4", "D4"]
