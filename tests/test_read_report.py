"""ReadReport: the record of how a roster was read (docs/json.md, ``files[i].read``)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import days, make_csv, make_xlsx

from rostercheck.cli import main
from rostercheck.errors import InputError
from rostercheck.model import RosterOptions, RowFilter
from rostercheck.read import read_roster
from rostercheck.read.result import ReadReport, ReadResident, ReadWarning, SheetUse, SkippedRow


def _report() -> ReadReport:
    skipped = tuple(SkippedRow("Block", 10 + i, f"Dr {i}", "rows filter", "ROLE=FAC") for i in range(12))
    skipped += (SkippedRow("Block", 3, "Interns", "section title"), SkippedRow("Block", 8, "Seniors", "section title"))
    return ReadReport(
        residents=(ReadResident("F", 1, None, "RES", "Block", 4, 28),),
        skipped=skipped,
        sheets=(SheetUse("Block", True, "a whole-day grid"), SheetUse("__REF__", False, "legend (Code/Description)")),
        warnings=(ReadWarning("Block", "C2", "weekday 'Tue' but 2025-03-10 is a Monday"),),
    )


def test_summary_line_counts_by_reason() -> None:
    assert _report().skipped_summary() == "skipped 14 rows: 12 rows filter (ROLE=FAC), 2 section titles"
    assert ReadReport().skipped_summary() is None
    one = ReadReport(skipped=(SkippedRow(None, 7, "TBD", "placeholder"),))
    assert one.skipped_summary() == "skipped 1 row: 1 placeholder"


def test_summary_words_agree_with_a_count_of_one() -> None:
    """The user trial read "skipped 1 row: 1 rows filter (Type=FAC)"; each reason now reads in the
    number its count takes, while the JSON reason word stays "rows filter"."""
    rows = (SkippedRow("S", 3, "Dr A", "rows filter", "Type=FAC"), SkippedRow("S", 4, "HOL", "no name"),
            SkippedRow("S", 5, "Ann", "no codes"), SkippedRow("S", 9, "Legend", "footer"))
    assert ReadReport(skipped=rows).skipped_summary() == (
        "skipped 4 rows: 1 row filter (Type=FAC), 1 row without a name, 1 row without codes, 1 footer row"
    )
    assert ReadReport(skipped=rows).skipped[0].to_json()["reason"] == "rows filter"


def test_json_form() -> None:
    doc = _report().to_json()
    assert set(doc) == {"residents", "skipped", "sheets", "warnings"}
    assert doc["residents"] == [
        {"name": "F", "pgy": 1, "team": None, "role": "RES", "sheet": "Block", "row": 4, "codes": 28,
         "cell": None, "column": None}
    ]
    assert doc["skipped"][-1] == {
        "sheet": "Block",
        "row": 8,
        "text": "Seniors",
        "reason": "section title",
        "detail": "",
        "column": None,
    }
    assert doc["sheets"][1] == {"sheet": "__REF__", "used": False, "reason": "legend (Code/Description)"}
    assert doc["warnings"] == [{"sheet": "Block", "cell": "C2", "message": "weekday 'Tue' but 2025-03-10 is a Monday"}]


def test_merged_keeps_order() -> None:
    a = ReadReport(sheets=(SheetUse("A", True, "a whole-day grid"),))
    b = ReadReport(sheets=(SheetUse("B", False, "hidden"),))
    assert [s.sheet for s in a.merged(b).sheets] == ["A", "B"]


# --------------------------------------------------------------------------- every row accounted for


def _grid(tmp_path: Path, body: list[list[object]], header: list[object] | None = None) -> Path:
    head = header or ["Resident", "Role", *days(7)]
    return make_xlsx(tmp_path / "r.xlsx", {"Block": [head, *body]})


def test_names_like_weekdays_numbers_and_formulas_are_residents(tmp_path: Path) -> None:
    """A row with codes under the dates is a person, whatever the name: issue 13 saw 15 of 17."""
    names = ["Avery Chen", "F", "M", "Sun", "-1+1", "12", "Th", "AM"]
    body = [[n, "PGY 1", "D", "D", "N", "N", "OFF", "W", "F"] for n in names]
    raw = read_roster(_grid(tmp_path, body))
    assert [r.name for r in raw.residents] == names
    assert [(r.name, r.row, r.codes) for r in raw.read.residents] == [(n, k + 2, 7) for k, n in enumerate(names)]
    assert raw.read.skipped == ()


def test_a_real_weekday_subheader_is_skipped_with_its_reason(tmp_path: Path) -> None:
    # July 1 2026 is a Wednesday: the row repeats the weekdays of the dates above, so it is a header
    weekdays = ["Wed", "Thu", "Fri", "Sat", "Sun", "Mon", "Tue"]
    body = [["Day", None, *weekdays], ["Avery Chen", "PGY 1", *["D"] * 7]]
    raw = read_roster(_grid(tmp_path, body))
    assert [r.name for r in raw.residents] == ["Avery Chen"]
    assert [(s.row, s.reason) for s in raw.read.skipped] == [(2, "sub-header")]


def test_every_skipped_row_has_a_reason(tmp_path: Path) -> None:
    body = [
        ["Interns", None, *[None] * 7],  # a section title, no codes
        ["Avery Chen", "PGY 1", *["D"] * 7],
        ["TBD", "PGY 1", *[None] * 7],  # a placeholder without codes
        [None, None, "HOL", "HOL", None, None, None, None, None],  # codes without a name
        ["Dr Patel", "FAC", *["D"] * 7],
        ["Dr Wu", "FAC", *["D"] * 7],
        ["Legend", None, *[None] * 7],
        ["D = day shift", None, *[None] * 7],
    ]
    raw = read_roster(_grid(tmp_path, body), RosterOptions(rows=RowFilter("Role", ("PGY*",))))
    assert [r.name for r in raw.residents] == ["Avery Chen"]
    got = [(s.row, s.text, s.reason, s.detail) for s in raw.read.skipped]
    assert got == [
        (2, "Interns", "section title", ""),
        (4, "TBD", "placeholder", ""),
        (5, "HOL HOL", "no name", ""),
        (6, "Dr Patel", "rows filter", "Role=FAC"),
        (7, "Dr Wu", "rows filter", "Role=FAC"),
        (8, "Legend", "footer", ""),
        (9, "D = day shift", "footer", ""),
    ]
    assert raw.read.skipped_summary() == (
        "skipped 7 rows: 2 rows filter (Role=FAC), 2 footer rows, 1 section title, 1 placeholder, 1 row without a name"
    )


def test_a_placeholder_with_codes_is_read_and_warned_about(tmp_path: Path) -> None:
    raw = read_roster(_grid(tmp_path, [["Avery Chen", "PGY 1", *["D"] * 7], ["Unassigned", "PGY 1", *["N"] * 7]]))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Unassigned"]
    assert [(w.sheet, w.cell) for w in raw.read.warnings] == [("Block", "A3")]


def test_long_table_names_without_letters_are_people(tmp_path: Path) -> None:
    rows = [["Resident", "Date", "Code"], ["12", "2026-07-01", "D"], ["-1+1", "2026-07-01", "N"],
            [None, "2026-07-02", "D"], ["Avery Chen", "2026-07-02", "D"]]  # fmt: skip
    raw = read_roster(make_csv(tmp_path / "long.csv", rows))
    assert [r.name for r in raw.residents] == ["12", "-1+1", "Avery Chen"]
    assert [(r.row, r.codes) for r in raw.read.residents] == [(2, 1), (3, 1), (5, 1)]
    assert [(s.row, s.reason) for s in raw.read.skipped] == [(4, "no name")]


def test_every_sheet_is_accounted_for(tmp_path: Path) -> None:
    path = make_xlsx(
        tmp_path / "r.xlsx",
        {"Block": [["Resident", *days(3)], ["A", "D", "D", "D"]], "Key": [["Code", "Description"], ["D", "Day"]],
         "Notes": [["remember to check"]], "Meta": [["{}"]]},
        hidden=["Meta"],
    )  # fmt: skip
    uses = {s.sheet: (s.used, s.reason) for s in read_roster(path).read.sheets}
    assert list(uses) == ["Block", "Key", "Notes", "Meta"]
    assert uses["Block"] == (True, "a whole-day grid")
    assert uses["Meta"] == (False, "hidden")
    assert not uses["Key"][0] and "legend" in uses["Key"][1]
    assert not uses["Notes"][0] and uses["Notes"][1].startswith("not a roster")


def test_every_non_blank_row_below_the_header_is_read_or_skipped(tmp_path: Path) -> None:
    """The family-medicine block (title rows, sections, faculty, a holiday row, a notes footer):
    resident rows and skipped rows together are exactly the rows a person sees below the header."""
    import openpyxl
    from workbooks import FM_HEADER_ROW, fm_block_sheet

    path = fm_block_sheet(tmp_path / "fm.xlsx")
    ws = openpyxl.load_workbook(path)["Block 1"]
    seen = {
        cells[0].row
        for cells in ws.iter_rows(min_row=FM_HEADER_ROW + 1)
        if any(str(c.value).replace("\u00a0", " ").strip() for c in cells if c.value is not None)
    }
    for options in (RosterOptions(), RosterOptions(rows=RowFilter("ROLE", ("PGY*",)))):
        read = read_roster(path, options).read
        rows = [r.row for r in read.residents] + [s.row for s in read.skipped if s.sheet == "Block 1"]
        assert sorted(rows) == sorted(seen)


# --------------------------------------------------------------------------- footer labels with codes

_CODES14 = ["D", "D", "N", "N", "OFF", "C", "PC"] * 2


def test_a_notes_line_between_residents_skips_only_itself(tmp_path: Path) -> None:
    """The new-user trial: Cara Fox below a notes line was skipped as a footer row."""
    rows = [["Name", "PGY", *days(14)], ["Avery Chen", 1, *_CODES14], ["Notes: Avery swaps 7/4 with Cara"],
            ["Cara Fox", 2, *_CODES14]]  # fmt: skip
    raw = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Cara Fox"]
    assert [(s.row, s.reason) for s in raw.read.skipped] == [(3, "footer")]


def test_footer_like_names_with_codes_are_residents(tmp_path: Path) -> None:
    """A row with shift codes is a person whatever the name (issue 13); a footer-like name is warned about."""
    odd = ["Total", "Totals", "Notes", "Key", "Count", "Legend", "Updated", "Updated Jones", "Total Care"]
    rows = [["Name", "PGY", *days(14)], ["Avery Chen", 1, *_CODES14], *[[n, 2, *_CODES14] for n in odd]]
    raw = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert [r.name for r in raw.residents] == ["Avery Chen", *odd]
    assert raw.read.skipped == ()
    assert [w.cell for w in raw.read.warnings] == [f"A{k}" for k in range(3, 3 + len(odd))]


def test_a_totals_row_of_counts_is_skipped_with_its_reason(tmp_path: Path) -> None:
    rows = [["Name", "PGY", *days(14)], ["Avery Chen", 1, *_CODES14], ["Cara Fox", 2, *_CODES14],
            ["Total", None, *[2] * 14], ["Ben Diaz", 3, *_CODES14]]  # fmt: skip
    raw = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Cara Fox", "Ben Diaz"]
    assert [(s.row, s.reason, s.detail) for s in raw.read.skipped] == [(4, "footer", "numbers under the dates")]


def test_hours_as_codes_a_total_row_is_counts_only_when_it_adds_up(tmp_path: Path) -> None:
    """On a roster of hours ("12", "8"), a 'Total' row of each column's sum is counts; other numbers are codes."""
    hours = [12, 8, 0, 12, 8, 12, 0]
    rows = [["Name", *days(7)], ["Avery Chen", *hours], ["Cara Fox", *hours],
            ["Total", *[2 * h for h in hours]], ["Total Care", *hours]]  # fmt: skip
    raw = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Cara Fox", "Total Care"]
    assert [(s.row, s.reason) for s in raw.read.skipped] == [(4, "footer")]


def test_long_table_footer_names_with_a_date_and_code_are_people(tmp_path: Path) -> None:
    rows = [["Resident", "Date", "Code"], ["Avery Chen", "2026-07-01", "D"], ["Notes: swap approved", None, None],
            ["Total Care", "2026-07-01", "N"], ["Legend", None, None], ["D = day", None, None]]  # fmt: skip
    raw = read_roster(make_csv(tmp_path / "long.csv", rows))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Total Care"]
    assert [(s.row, s.reason) for s in raw.read.skipped] == [(3, "footer"), (5, "footer"), (6, "footer")]


# --------------------------------------------------------------------------- one name twice


def test_a_name_twice_is_read_twice_and_warned_about(tmp_path: Path) -> None:
    rows = [["Name", "PGY", *days(7)], ["Avery Chen", 1, *["D"] * 7], ["Ben Diaz", 1, *["N"] * 7],
            ["Avery Chen", 2, *["OFF"] * 7]]  # fmt: skip
    raw = read_roster(make_xlsx(tmp_path / "r.xlsx", {"July": rows}))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Ben Diaz", "Avery Chen (row 4)"]
    [w] = raw.read.warnings
    assert (w.sheet, w.cell) == ("July", "A4")
    assert "rows 2 (A2) and 4 (A4)" in w.message and "'Avery Chen (row 4)'" in w.message


def test_a_name_heading_two_columns_of_a_transposed_grid_is_warned_about(tmp_path: Path) -> None:
    rows = [["Date", "Avery Chen", "Ben Diaz", "avery chen"], *[[d, "D", "N", "OFF"] for d in days(7)]]
    raw = read_roster(make_csv(tmp_path / "t.csv", rows))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Ben Diaz", "avery chen (column D)"]
    [w] = raw.read.warnings
    assert w.cell == "D1" and "columns B (B1) and D (D1)" in w.message


# --------------------------------------------------------------------------- dates out of sequence


def _dated(tmp_path: Path, header: list[object], sheet: str = "July 2026", top: int = 1) -> Path:
    rows = [["Name", *header], ["Avery Chen", *["D"] * len(header)]]
    return make_xlsx(tmp_path / "r.xlsx", {sheet: rows}, top=top)


def test_a_date_typed_month_for_day_is_named_out_of_sequence(tmp_path: Path) -> None:
    header = [f"7/{k}/2026" for k in range(1, 29)]
    header[7] = "8/7/2026"  # 7/8 typed the other way round: column I
    raw = read_roster(_dated(tmp_path, header, top=5))
    [w] = raw.read.warnings
    assert (w.sheet, w.cell) == ("July 2026", "I5")
    assert w.message == "'8/7/2026' (2026-08-07) is out of sequence (after 2026-07-07, before 2026-07-09); a typo?"


def test_a_jump_in_the_dates_is_named(tmp_path: Path) -> None:
    header = [*(f"7/{k}/2026" for k in range(1, 6)), "7/31/2026", *(f"8/{k}/2026" for k in range(1, 9))]
    [w] = read_roster(_dated(tmp_path, header)).read.warnings
    assert w.cell == "G1" and "follows 2026-07-05" in w.message and "25 days missing" in w.message


def test_dates_going_backwards_are_named(tmp_path: Path) -> None:
    header = [*days(7), *days(7, dt.date(2026, 6, 20))]
    [w] = read_roster(_dated(tmp_path, header)).read.warnings
    assert w.cell == "I1" and "goes backwards" not in w.message and "go backwards" in w.message


def test_weekday_rosters_and_weekly_columns_are_in_sequence(tmp_path: Path) -> None:
    weekdays = [d for d in days(28) if d.weekday() < 5]
    assert read_roster(_dated(tmp_path, weekdays)).read.warnings == ()
    weekly = [dt.date(2026, 7, 6) + dt.timedelta(weeks=k) for k in range(8)]
    assert read_roster(_dated(tmp_path, weekly)).read.warnings == ()


def test_read_warnings_reach_check_text_quiet_read_and_json(tmp_path: Path) -> None:
    header = [f"7/{k}/2026" for k in range(1, 15)]
    header[7] = "8/7/2026"
    path = str(_dated(tmp_path, header))
    runner = CliRunner()
    text = runner.invoke(main, ["check", path, "--preset", "none", "--format", "text"]).stdout
    assert "read warning: July 2026!I1: '8/7/2026' (2026-08-07) is out of sequence" in text
    quiet = runner.invoke(main, ["check", path, "--preset", "none", "--format", "text", "--quiet"]).stdout
    assert quiet.splitlines()[0] == f"{path}: 1 read warning (rostercheck read {path} lists them)"
    assert "out of sequence" in runner.invoke(main, ["read", path]).stdout
    doc = json.loads(runner.invoke(main, ["check", path, "--preset", "none", "--format", "json"]).stdout)
    assert doc["files"][0]["read"]["warnings"][0]["cell"] == "I1"


# --------------------------------------------------------------------------- transposed grids


def _transposed(tmp_path: Path, extra: dict[str, list[object]]) -> Path:
    header = ["Date", "Avery Chen", "Ben Diaz", *extra]
    body = [[d, "D", "C", *(v[k] for v in extra.values())] for k, d in enumerate(days(7))]
    return make_csv(tmp_path / "t.csv", [header, *body])


def test_a_notes_column_of_a_transposed_grid_is_skipped_with_its_reason(tmp_path: Path) -> None:
    """The new-user trial: 'Notes' was read as a resident and stopped check on 'SWAP APPROVED'."""
    notes = ["swap approved", None, "swap approved with Ben", "call moved", "called in sick", None, "late"]
    raw = read_roster(_transposed(tmp_path, {"Notes": notes}))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Ben Diaz"]
    [s] = raw.read.skipped
    assert (s.row, s.column, s.text, s.reason) == (1, "D", "Notes", "free text")
    assert raw.read.skipped_summary() == "skipped 1 column: 1 free-text column (a notes column, not a resident)"


def test_a_column_of_sentences_is_not_a_resident_but_a_rare_code_is(tmp_path: Path) -> None:
    words = ["called in sick", None, "swap with Ben", None, None, "called in sick", None]
    codes = {"Cara Fox": ["VAC"] * 7, "Dev Patel": ["NF", "NF", "OFF", "PC", "CALL", "D", "N"]}
    raw = read_roster(_transposed(tmp_path, {"Misc": words, **codes}))
    assert [r.name for r in raw.residents] == ["Avery Chen", "Ben Diaz", "Cara Fox", "Dev Patel"]
    assert [(s.column, s.detail) for s in raw.read.skipped] == [("D", "its cells are words, not shift codes")]


def test_transposed_residents_are_shown_by_their_column(tmp_path: Path) -> None:
    raw = read_roster(_transposed(tmp_path, {}))
    got = [(r.name, r.cell, r.column) for r in raw.read.residents]
    assert got == [("Avery Chen", "B1", "B"), ("Ben Diaz", "C1", "C")]
    out = CliRunner().invoke(main, ["read", str(tmp_path / "t.csv")]).stdout
    assert out.splitlines()[0].endswith("2 resident columns read")
    assert "  column B  Avery Chen" in out and "  row 1 " not in out


def test_grid_residents_carry_their_name_cell(tmp_path: Path) -> None:
    raw = read_roster(_grid(tmp_path, [["Avery Chen", "PGY 1", *["D"] * 7]]))
    assert [(r.row, r.cell, r.column) for r in raw.read.residents] == [(2, "A2", None)]


def test_rows_below_a_notes_line_of_a_date_first_sheet_are_read_or_skipped(tmp_path: Path) -> None:
    """A footer line in a transposed grid used to drop every row below it without a word."""
    body = [[d, "D", "C"] for d in days(7)]
    rows = [["Date", "Avery Chen", "Ben Diaz"], *body[:3], ["Notes: swap 7/4"], *body[3:], ["Legend"], ["D = day"]]
    raw = read_roster(make_csv(tmp_path / "t.csv", rows))
    assert raw.entries.frame()["date"].nunique() == 7
    assert [(s.row, s.reason) for s in raw.read.skipped] == [(5, "footer"), (10, "footer"), (11, "footer")]


# --------------------------------------------------------------------------- faculty blocks


def _block(tmp_path: Path, first: list[object], staff: list[object], people: list[list[object]]) -> Path:
    dates = days(7, dt.date(2025, 1, 15))
    header = [*first, *(x for d in dates for x in (d, None))]
    return make_xlsx(tmp_path / "b.xlsx", {"Block 8": [header, staff, *people]})


def test_a_column_of_one_type_is_not_the_name_column(tmp_path: Path) -> None:
    """The new-user trial: a block split to its own sheet read 'FAC', 'FAC (row 5)'... as residents."""
    names = ["program director", "faculty_1", "faculty_2", "department chief", "OIC"]
    people = [["FAC", n, *["GME", "AT"] * 6, "W"] for n in names]
    path = _block(tmp_path, ["Date:"], ["Staff Call", *["faculty_1", None] * 7], people)
    with pytest.raises(InputError) as exc:
        read_roster(path, RosterOptions(layout="half-day"))
    assert exc.value.cell == "A3"
    assert "column A holds 'FAC' on 5 of 6 rows: a type, not names" in exc.value.message
    assert "the names ('program director', 'faculty_1', 'faculty_2', ...) are in column B" in exc.value.message
    assert "typed 'FAC' (faculty, not residents)" in exc.value.message


def test_a_staff_call_row_of_names_is_a_duty_row(tmp_path: Path) -> None:
    names = ["program director", "faculty_1", "faculty_2"]
    people = [[n, "FAC", *["GME", "AT"] * 7] for n in names]
    path = _block(tmp_path, ["Name", "Type"], ["Staff Call", None, *["faculty_1", None] * 7], people)
    raw = read_roster(path, RosterOptions(layout="half-day"))
    assert [r.name for r in raw.residents] == names
    assert [(s.row, s.reason, s.detail) for s in raw.read.skipped] == [(2, "duty row", "names under the dates")]
    [w] = raw.read.warnings  # every row typed FAC: said once, with the filter that reads residents only
    assert w.cell == "B3" and "no resident on this sheet" in w.message and 'column = "Type"' in w.message


def test_a_call_row_of_codes_is_a_person(tmp_path: Path) -> None:
    people = [["Avery Chen", "PGY 1", *["D", "N"] * 7]]
    raw = read_roster(_block(tmp_path, ["Name", "PGY"], ["Backup Call", "PGY 2", *["C", "D"] * 7], people),
                      RosterOptions(layout="half-day"))  # fmt: skip
    assert [r.name for r in raw.residents] == ["Backup Call", "Avery Chen"] and raw.read.warnings == ()


# --------------------------------------------------------------------------- one person on two sheets


def test_a_person_on_two_sheets_with_another_level_or_the_same_dates_is_warned_about(tmp_path: Path) -> None:
    head = ["Name", "PGY", *days(7)]
    path = make_xlsx(tmp_path / "r.xlsx", {"A": [head, ["Avery Chen", 1, *["D"] * 7]],
                                           "B": [head, ["Avery Chen", 2, *["N"] * 7]]})  # fmt: skip
    raw = read_roster(path)
    assert [(r.name, r.pgy) for r in raw.residents] == [("Avery Chen", 1)]
    assert [(w.sheet, w.cell) for w in raw.read.warnings] == [("B", "A2"), ("B", "C2")]
    assert "PGY 2 on sheet 'B' but PGY 1 on sheet 'A'" in raw.read.warnings[0].message
    assert "on 6 more dates" in raw.read.warnings[1].message


def test_consecutive_months_on_two_sheets_are_not_warned_about(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "r.xlsx", {"July": [["Name", "PGY", *days(7)], ["Avery Chen", 1, *["D"] * 7]],
                                           "Aug": [["Name", "PGY", *days(7, dt.date(2026, 8, 1))],
                                                   ["Avery Chen", 1, *["N"] * 7]]})  # fmt: skip
    assert read_roster(path).read.warnings == ()
