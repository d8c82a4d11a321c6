"""read_roster on half-day grids, long tables (csv and xlsx) and legend sheets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from workbooks import days, make_csv, make_xlsx

from rostercheck.errors import InputError
from rostercheck.legend import legend_from_rows
from rostercheck.model import ENTRY_COLUMNS, RosterOptions
from rostercheck.read import read_roster
from rostercheck.read.cells import cell_names


def rows_of(roster, name: str) -> pd.DataFrame:
    idx = [r.name for r in roster.residents].index(name)
    return roster.entries.frame()[roster.entries.frame().resident == idx]


# --- half-day -------------------------------------------------------------------------------


def half_day_rows(with_ampm_row: bool = True) -> list[list[object]]:
    d1, d2, d3 = days(3)
    rows: list[list[object]] = [
        ["Clinic schedule"],
        ["Resident", d1, None, d2, None, d3, None, "Total"],
    ]
    if with_ampm_row:
        rows.append([None, "AM", "PM", "AM", "PM", "AM", "PM"])
    rows += [
        ["Alice", "CL", "W", "cl", None, "OR", "OR", 5],
        ["Bob", None, "CL", "V", "V", "CL", "CL", 4],
    ]
    return rows


def test_half_day_with_merged_dates_and_ampm_row(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"Clinic": half_day_rows()}, merges={"Clinic": ["B2:C2", "D2:E2", "F2:G2"]})
    roster = read_roster(path)
    assert roster.layout == "half-day"
    assert [r.name for r in roster.residents] == ["Alice", "Bob"]
    alice = rows_of(roster, "Alice")
    assert alice.slot.tolist() == ["AM", "PM"] * 3
    assert alice.date.dt.day.tolist() == [1, 1, 2, 2, 3, 3]
    assert alice.text.tolist() == ["CL", "W", "cl", "", "OR", "OR"]
    assert cell_names(alice.cell).tolist() == ["B4", "C4", "D4", "E4", "F4", "G4"]
    assert cell_names(rows_of(roster, "Bob").cell).tolist()[-1] == "G5"
    assert len(roster.entries.frame()) == 12  # the Total column is ignored


def test_half_day_without_ampm_row_detected_from_gaps(tmp_path: Path) -> None:
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": half_day_rows(with_ampm_row=False)}))
    assert roster.layout == "half-day"
    bob = rows_of(roster, "Bob")
    assert list(zip(bob.slot, cell_names(bob.cell), bob.text, strict=True))[:3] == [
        ("AM", "B4", ""), ("PM", "C4", "CL"), ("AM", "D4", "V")]  # fmt: skip


def test_half_day_merged_dates_only(tmp_path: Path) -> None:
    # Merges alone make it half-day, even with the last date's PM column at the edge.
    rows = [["Resident", *[v for d in days(2) for v in (d, None)]], ["Alice", "CL", "W", "CL", "CL"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows}, merges={"R": ["B1:C1", "D1:E1"]})
    roster = read_roster(path)
    assert roster.layout == "half-day"
    assert cell_names(roster.entries.frame().cell).tolist() == ["B2", "C2", "D2", "E2"]


def test_half_day_ampm_in_the_name_row_with_dates_above(tmp_path: Path) -> None:
    d1, d2 = days(2)
    rows = [
        [None, "Wed", None, "Thu", None],
        [None, d1, None, d2, None],
        ["Resident", "AM", "PM", "AM", "PM"],
        ["Alice", "CL", "W", "OFF", "OFF"],
    ]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert roster.layout == "half-day"
    assert roster.entries.frame().slot.tolist() == ["AM", "PM", "AM", "PM"]
    assert cell_names(roster.entries.frame().cell).tolist() == ["B4", "C4", "D4", "E4"]


def test_half_day_date_written_over_both_columns(tmp_path: Path) -> None:
    d1, d2 = days(2)
    rows = [["Resident", d1, d1, d2, d2], [None, "AM", "PM", "AM", "PM"], ["Alice", "CL", "W", "OFF", "OFF"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert roster.layout == "half-day"
    assert roster.entries.frame().date.dt.day.tolist() == [1, 1, 2, 2]


def test_whole_day_grid_with_am_pm_codes_stays_whole_day(tmp_path: Path) -> None:
    rows = [["Resident", *days(4)], ["Alice", "AM", "PM", "AM", "D"], ["Bob", "PM", "PM", "AM", "AM"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert roster.layout == "grid"
    assert [r.name for r in roster.residents] == ["Alice", "Bob"]


def test_forced_half_day(tmp_path: Path) -> None:
    d1, d2 = days(2)
    rows = [["Resident", d1, None, d2, None, "x"], ["Alice", "CL", "W", "CL", "CL", 1]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}), RosterOptions(layout="half-day"))
    assert roster.entries.frame().slot.tolist() == ["AM", "PM", "AM", "PM"]


def test_half_day_duplicate_date_names_both_cells(tmp_path: Path) -> None:
    d1, d2 = days(2)
    rows = [["Resident", d1, None, d2, None, d1, None], ["Alice", "CL", "W", "CL", "CL", "OR", "OR"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert exc.value.cell == "F1"
    assert "B1 and F1" in str(exc.value) and "2026-07-01 AM" in str(exc.value)


# --- long -----------------------------------------------------------------------------------


def test_long_csv_with_start_and_end(tmp_path: Path) -> None:
    rows = [
        ["Resident", "PGY", "Date", "Shift", "Start", "End"],
        ["Alice Adams", "PGY-1", "2026-07-01", "D", "07:00", "19:00"],
        ["Alice Adams", "", "2026-07-02", "N", "7:00 PM", "0700"],
        ["Bob", "R2", "7/1/2026", "c", "", ""],
        ["", "", "", "", "", ""],
    ]
    path = make_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path)
    assert roster.layout == "long" and roster.sheets == []
    assert [(r.name, r.pgy) for r in roster.residents] == [("Alice Adams", 1), ("Bob", 2)]
    e = roster.entries.frame()
    assert tuple(e.columns) == ENTRY_COLUMNS
    assert e.resident.tolist() == [0, 0, 1]
    assert e.date.dt.strftime("%Y-%m-%d").tolist() == ["2026-07-01", "2026-07-02", "2026-07-01"]
    assert e.text.tolist() == ["D", "N", "c"]
    assert e.start.tolist() == ["07:00", "19:00", None]
    assert e.end.tolist() == ["19:00", "07:00", None]
    assert e.slot.tolist() == ["", "", ""]
    assert cell_names(e.cell).tolist() == ["D2", "D3", "D4"]  # the code cell of each row
    assert e.sheet.tolist() == [None, None, None]
    assert roster.residents[1].source.cell == "A4"


def test_long_csv_without_times_semicolons_bom(tmp_path: Path) -> None:
    rows = [["Name", "Day", "Assignment", "Team"], ["Zoë", "1.7.2026", "D", "Red"], ["Zoë", "2.7.2026", "N", ""]]
    text = "\ufeff" + "\n".join(";".join(r) for r in rows)
    path = tmp_path / "r.csv"
    path.write_bytes(text.encode("utf-8"))
    roster = read_roster(path)
    assert roster.layout == "long"
    assert [(r.name, r.team) for r in roster.residents] == [("Zoë", "Red")]
    assert roster.entries.frame().start.tolist() == [None, None]
    assert roster.entries.frame().date.dt.day.tolist() == [1, 2]


def test_long_csv_cp1252_and_tabs(tmp_path: Path) -> None:
    rows = [["Resident", "Date", "Code"], ["José Núñez", "7/1/2026", "D"]]
    path = make_csv(tmp_path / "r.csv", rows, delimiter="\t", encoding="cp1252")
    assert [r.name for r in read_roster(path).residents] == ["José Núñez"]


def test_long_xlsx_with_times_and_title(tmp_path: Path) -> None:
    rows = [
        ["Export from QGenda"],
        [],
        ["Provider", "Date", "Code", "Start Time", "End Time", "Role"],
        ["Alice", dt.date(2026, 7, 1), "D", dt.time(7, 0), dt.time(19, 0), "Senior"],
        ["Bob", dt.datetime(2026, 7, 1, 0, 0), "N", 0.8125, 0.3125, None],
        ["Alice", "2026-07-02", "OFF", None, None, None],
    ]
    path = make_xlsx(tmp_path / "r.xlsx", {"Export": rows}, top=2, left=2)
    roster = read_roster(path)
    assert roster.layout == "long" and roster.sheets == ["Export"]
    assert [(r.name, r.role) for r in roster.residents] == [("Alice", "Senior"), ("Bob", None)]
    e = roster.entries.frame()
    assert e.start.tolist() == ["07:00", "19:30", None]
    assert e.end.tolist() == ["19:00", "07:30", None]
    assert cell_names(e.cell).tolist() == ["D5", "D6", "D7"]
    assert roster.residents[0].source.cell == "B5"


def test_long_without_start_end_xlsx(tmp_path: Path) -> None:
    rows = [["Resident", "Date", "Shift"], ["Alice", dt.date(2026, 7, 1), "D"], ["Total", None, "1"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"S": rows}))
    assert len(roster.entries.frame()) == 1 and roster.entries.frame().start.tolist() == [None]


def test_long_slot_column(tmp_path: Path) -> None:
    rows = [
        ["Resident", "Date", "Session", "Code"],
        ["Alice", "2026-07-01", "AM", "CL"],
        ["Alice", "2026-07-01", "pm", "W"],
    ]
    roster = read_roster(make_csv(tmp_path / "r.csv", rows))
    assert roster.entries.frame().slot.tolist() == ["AM", "PM"]


def test_long_month_day_uses_year_and_rolls(tmp_path: Path) -> None:
    rows = [["Resident", "Date", "Code"], ["A", "12/31", "D"], ["A", "1/1", "N"], ["B", "12/31", "D"]]
    path = make_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path, RosterOptions(year=2026))
    assert roster.entries.frame().date.dt.strftime("%Y-%m-%d").tolist() == ["2026-12-31", "2027-01-01", "2026-12-31"]
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert exc.value.cell == "B2" and "year" in exc.value.message


@pytest.mark.parametrize(
    ("bad_row", "cell", "words"),
    [
        (["Alice", "someday", "D", "07:00"], "B3", "expected a date"),
        (["Alice", "", "D", "07:00"], "B3", "blank"),
        (["Alice", "2026-07-02", "D", "lunchtime"], "D3", "time"),
        (["Alice", "2/30/2026", "D", ""], "B3", "expected a date"),
    ],
)
def test_long_bad_values_name_the_cell(tmp_path: Path, bad_row: list[str], cell: str, words: str) -> None:
    rows = [["Resident", "Date", "Code", "Start"], ["Alice", "2026-07-01", "D", "07:00"], bad_row]
    path = make_csv(tmp_path / "r.csv", rows)
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert exc.value.cell == cell and words in exc.value.message
    assert str(path) in str(exc.value)


def test_long_without_code_column_when_forced(tmp_path: Path) -> None:
    rows = [["Resident", "Date", "Where"], ["Alice", "2026-07-01", "ward"]]
    with pytest.raises(InputError) as exc:
        read_roster(make_csv(tmp_path / "r.csv", rows), RosterOptions(layout="long"))
    assert "no code column" in exc.value.message and exc.value.cell == "A1"


# --- legend sheets --------------------------------------------------------------------------


def test_legend_sheet_is_read_and_not_a_roster(tmp_path: Path) -> None:
    legend = [
        ["Shift legend"],
        [],
        ["Code", "Description", "Start", "End", "Kind", "Hours"],
        ["D", "Day ward", dt.time(7, 0), dt.time(19, 0), "Work", None],
        ["hc", "Home call", "17:00", "7:00", "HOME-CALL", "4h"],
        [None, "(blank code rows are skipped)"],
        ["V", "Vacation", None, None, None, None],
        ["N", "Night", 0.7916666666666666, 0.2916666666666667, "night", 12],
    ]
    path = make_xlsx(tmp_path / "r.xlsx", {"Roster": [["Resident", *days(3)], ["Alice", "D", "hc", "V"]],
                                           "Legend": legend})  # fmt: skip
    roster = read_roster(path)
    assert roster.sheets == ["Roster"]
    rows = roster.legend
    assert [r.code for r in rows] == ["D", "hc", "V", "N"]
    d, hc, v, n = rows
    assert (d.description, d.start, d.end, d.kind, d.hours) == ("Day ward", "07:00", "19:00", "work", None)
    assert (hc.start, hc.end, hc.kind, hc.hours) == ("17:00", "07:00", "home-call", 4.0)
    assert (v.start, v.end, v.kind, v.hours) == (None, None, None, None)
    assert (n.start, n.end, n.hours) == ("19:00", "07:00", 12.0)
    assert d.source.as_dict() == {"file": str(path), "sheet": "Legend", "cell": "A4"}
    assert n.source.cell == "A8"
    shifts = legend_from_rows(rows)  # the legend module accepts what the reader produced
    assert shifts["HC"].kind == "home-call" and shifts["N"].length == 12 * 60


def test_legend_with_meaning_only_and_bad_time(tmp_path: Path) -> None:
    roster_rows = [["Resident", *days(3)], ["Alice", "D", "N", "C"]]
    ok = make_xlsx(tmp_path / "ok.xlsx", {"R": roster_rows, "Key": [["Code", "Meaning"], ["D", "Day"]]})
    assert [(r.code, r.description) for r in read_roster(ok).legend] == [("D", "Day")]
    bad = make_xlsx(tmp_path / "bad.xlsx", {"R": roster_rows, "Key": [["Code", "Start"], ["D", "early"]]})
    raw = read_roster(bad)  # issue 13: a legend row nobody can use is a warning naming its cell, not an abort
    assert raw.legend == []
    assert [(w.sheet, w.cell) for w in raw.read.warnings] == [("Key", "B2")]
    assert "legend row 2 ('D') not used" in raw.read.warnings[0].message


def test_only_a_legend_named_is_an_error(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"R": [["Resident", *days(3)], ["A", "D", "D", "D"]],
                                           "Legend": [["Code", "Description"], ["D", "Day"]]})  # fmt: skip
    with pytest.raises(InputError) as exc:
        read_roster(path, RosterOptions(sheet=["Legend"]))
    assert "legend" in exc.value.message and exc.value.sheet == "Legend"


def test_first_resident_with_only_am_pm_codes_is_not_a_label_row(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["Alice", "AM", "PM", "AM"], ["Bob", "D", "D", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert roster.layout == "grid"
    assert [r.name for r in roster.residents] == ["Alice", "Bob"]


def test_a_long_tables_text_codes_from_the_reader_are_what_factorize_gives(tmp_path: Path) -> None:
    """The long reader hands the normaliser its text codes (``Table.give_factors``) instead of a
    second factorize of every row: they must be exactly what factorizing the texts gives."""
    from rostercheck.table import factorize

    path = tmp_path / "long.csv"
    path.write_text("Resident,Date,Code\nAnn,2026-07-01,D\nBo,2026-07-01, n\nAnn,2026-07-02,\nBo,2026-07-02,D\n"
                    "Cy,2026-07-01,PC\nCy,2026-07-02,n \n")
    raw = read_roster(path)
    codes, uniques = raw.entries.factors("text")
    fresh_codes, fresh_uniques = factorize(raw.entries["text"].copy())
    assert uniques == fresh_uniques == ["D", "n", "", "PC"]
    assert codes.tolist() == fresh_codes.tolist()


def test_a_grid_read_as_codes_hands_over_the_text_codes_factorize_gives(tmp_path: Path) -> None:
    """An xlsx read as codes (``read.xlsx_values``) gives the grid's body texts to the normaliser as
    codes, including two values that read as one text (5 typed as a number and "5" as text)."""
    import openpyxl

    from rostercheck.table import factorize

    path = tmp_path / "grid.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Resident", "2026-07-01", "2026-07-02", "2026-07-03"])
    ws.append(["Ann", "D", 5, "5"])
    ws.append(["Bo", " n", None, "D"])
    ws.append(["Cy", "PC", "D", 5.0])
    wb.save(path)
    raw = read_roster(path)
    codes, uniques = raw.entries.factors("text")
    fresh_codes, fresh_uniques = factorize(raw.entries["text"].copy())
    assert uniques == fresh_uniques and "5" in uniques and uniques.count("5") == 1
    assert codes.tolist() == fresh_codes.tolist()
