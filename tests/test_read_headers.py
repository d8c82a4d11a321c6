"""Headers as scheduling programs write them (issue 13, point 4), and workbooks with more than a
roster (point 3). Every workbook here is built in code; each shape failed to read before."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from workbooks import days, make_xlsx

from rostercheck.errors import InputError
from rostercheck.model import RosterOptions
from rostercheck.read import read_roster

MAR_12 = dt.date(2026, 3, 12)  # a Thursday
DAYS = days(3, MAR_12)
BODY = [["Ann Lee", "PGY 1", *["D", "CL"] * 3], ["Bob Kim", "PGY 2", *["N", "OFF"] * 3]]

SPELLINGS: dict[str, Callable[[dt.date, str], str]] = {
    "3/12 AM": lambda d, s: f"{d.month}/{d.day} {s}",
    "Thu Mar 12 AM": lambda d, s: f"{d:%a %b} {d.day} {s}",
    "2026-03-12_AM": lambda d, s: f"{d.isoformat()}_{s}",
    "12-Mar PM": lambda d, s: f"{d.day}-{d:%b} {s}",
    "03/12 (PM)": lambda d, s: f"{d:%m/%d} ({s})",
}


def _expected_cells(raw) -> list[tuple[str, str, str, str]]:
    e = raw.entries.frame()
    names = [raw.residents[k].name for k in e["resident"]]
    return list(zip(names, e["date"].dt.date.astype(str), e["slot"], e["text"], strict=True))


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_date_and_session_in_one_header_cell(tmp_path: Path, spelling: str) -> None:
    fmt = SPELLINGS[spelling]
    header = ["Resident", "PGY", *[fmt(d, s) for d in DAYS for s in ("AM", "PM")]]
    path = make_xlsx(tmp_path / "r.xlsx", {"Block": [header, *BODY]})
    raw = read_roster(path, RosterOptions(year=2026))
    assert raw.layout == "half-day"
    cells = _expected_cells(raw)
    assert len(cells) == 12
    assert cells[:6] == [("Ann Lee", d.isoformat(), s, c) for d in DAYS for s, c in (("AM", "D"), ("PM", "CL"))]


def test_date_row_over_a_session_row_with_weekdays_needs_no_year(tmp_path: Path) -> None:
    """``03/12`` (no year) over ``Thu AM | Thu PM``: the weekdays fix the year near today."""
    year = _unique_year_near_today([(3, 12), (3, 13), (3, 14)], [3, 4, 5])  # Thu, Fri, Sat
    dates = [dt.date(year, 3, 12 + k) for k in range(3)]
    date_row = [None, None, *[x for d in dates for x in (f"{d:%m/%d}", None)]]
    session_row = ["Resident", "PGY", *[f"{d:%a} {s}" for d in dates for s in ("AM", "PM")]]
    path = make_xlsx(tmp_path / "r.xlsx", {"Block": [date_row, session_row, *BODY]})
    raw = read_roster(path)
    assert raw.layout == "half-day"
    assert sorted(set(raw.entries.frame()["date"].dt.date)) == dates
    assert list(raw.entries.frame()["slot"][:2]) == ["AM", "PM"]
    assert "only year near today" in raw.read.sheets[0].reason
    assert raw.read.warnings[0].cell == "C1" and f"read as {year}" in raw.read.warnings[0].message


def test_a_weekday_that_disagrees_with_its_date_is_a_warning_naming_the_cell(tmp_path: Path) -> None:
    header = ["Resident", "PGY", *[f"{d:%a} {d.month}/{d.day}/{d.year}" for d in DAYS]]
    header[3] = "Sat 3/13/2026"  # March 13 2026 is a Friday
    path = make_xlsx(tmp_path / "r.xlsx", {"Block": [header, ["Ann Lee", "PGY 1", "D", "D", "D"]]})
    raw = read_roster(path)
    assert [(w.sheet, w.cell) for w in raw.read.warnings] == [("Block", "D1")]
    assert "2026-03-13 is a Friday" in raw.read.warnings[0].message
    assert sorted(set(raw.entries.frame()["date"].dt.date)) == DAYS  # the date is read as written


def test_no_year_and_no_weekdays_asks_for_the_year(tmp_path: Path) -> None:
    header = ["Resident", "PGY", *[f"{d.month}/{d.day} {s}" for d in DAYS for s in ("AM", "PM")]]
    path = make_xlsx(tmp_path / "r.xlsx", {"Block": [header, *BODY]})
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert exc.value.cell == "C1" and "--year" in exc.value.message


def test_a_print_title_date_row_above_the_header_is_not_a_second_header(tmp_path: Path) -> None:
    """The real block export: dates alone on top, blank rows, then ``PGY | Name | dates``."""
    dates = [f"{d.month}/{d.day}/{d.year}" for d in days(28, dt.date(2025, 3, 10))]
    rows = [[None, None, *dates], [], [], [], [], ["PGY", "Name", *dates]]
    rows += [[k % 3 + 1, f"Resident {k}", *["C", "NF", "ADMIN", "LV-AM"] * 7] for k in range(5)]
    path = make_xlsx(tmp_path / "r.xlsx", {"Block 10": rows}, top=3, left=4)
    raw = read_roster(path)
    assert [r.name for r in raw.residents] == [f"Resident {k}" for k in range(5)]
    assert raw.entries.frame()["date"].dt.date.nunique() == 28 and len(raw.entries.frame()) == 5 * 28
    assert raw.read.sheets[0].header_row == 8 and "print title" in raw.read.sheets[0].reason


def test_free_text_columns_between_attributes_and_dates(tmp_path: Path) -> None:
    """``Notes`` and ``Rule`` columns are neither names nor dates (this shape already read; kept)."""
    rows = [["Resident", "PGY", "Notes", "Rule", *DAYS], ["Ann Lee", "PGY 1", "leave 3/13 pm", "max 80 h", *["D"] * 3],
            ["Bob Kim", "PGY 2", "", "", *["N"] * 3]]  # fmt: skip
    raw = read_roster(make_xlsx(tmp_path / "r.xlsx", {"Block": rows}))
    assert [r.name for r in raw.residents] == ["Ann Lee", "Bob Kim"]
    assert sorted(set(raw.entries.frame()["date"].dt.date)) == DAYS and set(raw.entries.frame()["text"]) == {"D", "N"}


def _overview_workbook(tmp_path: Path) -> Path:
    starts = [dt.date(2026, 7, 1) + dt.timedelta(28 * k) for k in range(6)]
    overview = [["Academic year 2026-2027"], ["Block", *[f"Block {k + 1}" for k in range(6)]], ["Start", *starts],
                ["End", *[s + dt.timedelta(27) for s in starts]]]  # fmt: skip
    roster = [["Resident", "PGY", *days(7)], ["Ann Lee", 1, *["D"] * 7], ["Bob Kim", 2, *["N"] * 7]]
    templates = [["Template", "Mon", "Tue", "Wed"], ["Clinic week", "CL", "CL", "DID"], ["Ward week", "D", "D", "D"]]
    return make_xlsx(tmp_path / "year.xlsx", {"Overview": overview, "Block 1": roster, "Templates": templates})


def test_a_first_sheet_that_is_a_year_overview_is_skipped_with_a_note(tmp_path: Path) -> None:
    raw = read_roster(_overview_workbook(tmp_path))
    assert [r.name for r in raw.residents] == ["Ann Lee", "Bob Kim"]  # never "End", whose "codes" are dates
    assert raw.sheets == ["Block 1"]
    uses = {s.sheet: s for s in raw.read.sheets}
    assert not uses["Overview"].used and not uses["Templates"].used
    assert [w.sheet for w in raw.read.warnings] == ["Overview"]


def test_a_year_overview_alone_is_refused_in_one_line(tmp_path: Path) -> None:
    starts = [dt.date(2026, 7, 1) + dt.timedelta(28 * k) for k in range(6)]
    overview = [["Block", *[f"Block {k + 1}" for k in range(6)]], ["Start", *starts],
                ["End", *[s + dt.timedelta(27) for s in starts]]]  # fmt: skip
    with pytest.raises(InputError) as exc:
        read_roster(make_xlsx(tmp_path / "o.xlsx", {"Overview": overview}))
    assert "hold dates, not shift codes" in exc.value.message


def _unique_year_near_today(month_days: list[tuple[int, int]], weekdays: list[int]) -> int:
    """A year near today in which these dates fall on these weekdays, and the only one within five
    years of today (computed here independently of the reader, so the test does not age)."""
    today = dt.date.today()
    window = range(today.year - 5, today.year + 6)

    def fits(y: int) -> bool:
        return all(dt.date(y, m, d).weekday() == w for (m, d), w in zip(month_days, weekdays, strict=True))

    fitting = [y for y in window if fits(y)]
    if len(fitting) != 1:
        pytest.skip(f"weekday labels fit {fitting} near {today.year}: no unique year to infer this year")
    return fitting[0]


def test_an_error_on_a_sheet_nobody_named_says_so_and_names_sheet(tmp_path: Path) -> None:
    """The roster sheet's own error (a PGY nobody can read) is the one shown, not the overview's,
    and it says the sheet was read because no --sheet was given."""
    starts = [dt.date(2026, 7, 1) + dt.timedelta(28 * k) for k in range(6)]
    overview = [["Start", *starts], ["End", *[s + dt.timedelta(27) for s in starts]]]
    roster = [["Resident", "PGY", *days(7)], ["Ann Lee", "second", *["D"] * 7]]
    path = make_xlsx(tmp_path / "w.xlsx", {"Overview": overview, "Block 1": roster})
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert (exc.value.sheet, exc.value.cell) == ("Block 1", "B2")
    assert "no --sheet was given" in exc.value.message and "--sheet" in exc.value.message


def test_a_long_tables_date_with_its_session_gives_the_slot(tmp_path: Path) -> None:
    from workbooks import make_csv

    rows = [["Resident", "Date", "Code"], ["Ann Lee", "2026-03-12 AM", "CL"], ["Ann Lee", "2026-03-12_PM", "D"],
            ["Bob Kim", "2026-03-12", "N"]]  # fmt: skip
    raw = read_roster(make_csv(tmp_path / "long.csv", rows))
    assert list(raw.entries.frame()["slot"]) == ["AM", "PM", ""]
    assert set(raw.entries.frame()["date"].dt.date) == {MAR_12}


def test_a_roster_sheet_without_a_name_label_beside_a_labelled_one_is_still_read(tmp_path: Path) -> None:
    july = [["Resident", *days(7)], ["Ann Lee", *["D"] * 7]]
    august = [[None, *days(7, dt.date(2026, 8, 1))], ["Ann Lee", *["N"] * 7]]
    raw = read_roster(make_xlsx(tmp_path / "w.xlsx", {"July": july, "August": august}))
    assert raw.sheets == ["July", "August"] and len(raw.entries.frame()) == 14 and raw.read.warnings == ()


def test_long_table_columns_named_by_options(tmp_path: Path) -> None:
    """Headers nobody could guess: --date-column, --code-column, --session-column (and [roster] keys)."""
    from click.testing import CliRunner
    from workbooks import make_csv

    from rostercheck.cli import main

    rows = [
        ["Person", "When", "What", "Part"],
        ["Ann Lee", "2026-03-12", "CL", "AM"],
        ["Ann Lee", "2026-03-12", "D", "PM"],
    ]
    path = make_csv(tmp_path / "odd.csv", rows)
    with pytest.raises(InputError):
        read_roster(path)  # no date, code or session header it knows
    raw = read_roster(path, RosterOptions(date_column="When", code_column="What", session_column="D"))
    assert (
        raw.layout == "long" and list(raw.entries["text"]) == ["CL", "D"] and list(raw.entries["slot"]) == ["AM", "PM"]
    )
    r = CliRunner().invoke(main, ["read", str(path), "--date-column", "When", "--code-column", "What",
                                  "--session-column", "Part", "--format", "json"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    (tmp_path / "rostercheck.toml").write_text('[roster]\ndate-column = "When"\ncode-column = "Wat"\n')
    r = CliRunner().invoke(main, ["read", str(path)])
    assert r.exit_code == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "no header reads 'Wat'; code-column takes a header text or a column letter" in r.stderr
