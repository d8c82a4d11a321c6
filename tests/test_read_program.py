"""read_roster on a program workbook made for people (tests/workbooks.py ``fm_block_sheet``): one
test per detection step, then the ``rows`` filter, section titles and the AM/PM session times."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from workbooks import (
    FM_DAYS,
    FM_OTHERS,
    FM_RESIDENTS,
    FM_VIOLATION,
    days,
    fm_block_sheet,
    make_csv,
    make_xlsx,
)

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.errors import InputError
from rostercheck.model import RosterOptions, RowFilter
from rostercheck.read import headers as H
from rostercheck.read import inspect_roster, read_roster
from rostercheck.read.attributes import level_from_label
from rostercheck.read.cells import cell_names
from rostercheck.read.grid import EmptyRoster
from rostercheck.read.rows import compile_patterns, pattern_error

RESIDENTS_ONLY = RosterOptions(rows=RowFilter("ROLE", ("PGY*",)))
#: The residents' codes the built-in legend lacks, as plain work (meanings do not matter here).
OTHER_CODES = dict.fromkeys(
    ["IP", "WKND", "DID", "L&D", "OB", "HOL", "ADMIN", "ICU", "PEDS", "SIM", "FMC", "US", "ED", "URO", "HV", "ENT",
     "BH", "DERM", "NB", "EL", "SPORTS", "GERI", "NH", "POP", "PROC", "FQHC", "QI", "GRP", "COMM", "TELE", "CARD"],
    "work",
)  # fmt: skip


@pytest.fixture(scope="module")
def fm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fm_block_sheet(tmp_path_factory.mktemp("fm") / "block-1.xlsx")


@pytest.fixture(scope="module")
def fm_info(fm: Path):
    return inspect_roster(fm)


def rows_of(roster, name: str) -> pd.DataFrame:
    idx = [r.name for r in roster.residents].index(name)
    return roster.entries.frame()[roster.entries.frame().resident == idx]


# --- detection, step by step ----------------------------------------------------------------------


def test_dates_three_rows_above_the_column_names(fm_info) -> None:
    info = fm_info.sheets[0]
    assert (info.sheet, info.date_row, info.header_row) == ("Block 1", 5, 8)
    assert info.dates == (FM_DAYS[0], FM_DAYS[-1])


def test_weekday_row_and_am_pm_row_are_found_and_not_read(fm_info) -> None:
    info = fm_info.sheets[0]
    assert (info.weekday_row, info.slot_row) == (4, 6)
    assert not set(fm_info.roster.entries.frame().text) & {"Wednesday", "AM", "PM"}


def test_dates_merged_over_am_and_pm_make_a_half_day_grid(fm_info) -> None:
    roster = fm_info.roster
    assert roster.layout == "half-day"
    assert fm_info.sheets[0].date_columns == ("D", "BG")
    mina = rows_of(roster, "Mina Park")
    assert len(mina) == 2 * len(FM_DAYS)
    assert mina.slot.tolist()[:4] == ["AM", "PM", "AM", "PM"]
    assert cell_names(mina.cell).tolist()[:2] == ["D11", "E11"] and cell_names(mina.cell).tolist()[-1] == "BG11"
    assert mina.date.tolist()[:3] == [pd.Timestamp("2026-07-01")] * 2 + [pd.Timestamp("2026-07-02")]


def test_am_pm_labels_in_the_header_row(tmp_path: Path) -> None:
    # TEMPLATE | ROLE | PROVIDER | AM | PM | ...: the header row carries the labels itself
    info = inspect_roster(fm_block_sheet(tmp_path / "b.xlsx", labels_in_header=True))
    assert (info.sheets[0].slot_row, info.sheets[0].header_row) == (8, 8)
    cells = cell_names(rows_of(info.roster, "Mina Park").cell).tolist()
    assert len(cells) == 56 and cells[-1] == "BG11"  # the last PM column is read


def test_name_and_role_columns_by_header(fm_info) -> None:
    info = fm_info.sheets[0]
    assert info.columns["name"] == ("C", "PROVIDER")
    assert info.columns["role"] == ("B", "ROLE")
    assert info.labels["A"][0] == "TEMPLATE"
    assert fm_info.roster.residents[0].role == "PGY 1"


def test_role_column_gives_the_pgy_level(fm_info) -> None:
    levels = {r.name: r.pgy for r in fm_info.roster.residents}
    assert {n: levels[n] for n in ("Mina Park", "Grace Liu", "Dev Patel")} == {
        "Mina Park": 1, "Grace Liu": 2, "Dev Patel": 3,
    }  # fmt: skip
    assert levels["Dr. Ruth Adler"] is None  # a "Faculty" title ends the PGY 3 group above


def test_section_title_rows_are_skipped_wherever_they_are_written(fm_info) -> None:
    names = [r.name for r in fm_info.roster.residents]
    assert names == [*FM_RESIDENTS, *FM_OTHERS]  # no "PGY 2 Rotations", "Faculty", ...
    titles = [t for _, t in fm_info.sheets[0].sections]
    assert titles == ["PGY 1 Rotations", "PGY 2 Rotations", "PGY 3 Rotations", "Faculty", "Pharmacy", "Students"]


def test_row_with_codes_but_no_name_is_skipped(fm_info) -> None:
    assert fm_info.sheets[0].nameless == [9]  # the holiday marker
    assert not pd.Series(cell_names(fm_info.roster.entries.frame().cell)).str.fullmatch(r"[A-Z]+9").any()


def test_count_columns_after_the_last_date_are_ignored(fm_info) -> None:
    info = fm_info.sheets[0]
    assert info.after_dates == [("BI", "# CL"), ("BJ", "# IP"), ("BK", "Calls"), ("BL", "Total")]
    assert not pd.Series(cell_names(fm_info.roster.entries.frame().cell)).str.match(r"^B[I-L]\d").any()


def test_non_breaking_spaces_are_blank_cells(fm_info) -> None:
    omar = rows_of(fm_info.roster, "Omar Haddad")
    weekend = omar[omar.date == pd.Timestamp("2026-07-04")]
    assert weekend.text.tolist() == ["WKND", "WKND"]
    texts = set(fm_info.roster.entries.frame().text)
    assert "\u00a0" not in "".join(texts) and "CL" in texts
    assert "" in texts  # IP weekend afternoons are empty


def test_footer_in_the_name_column_ends_the_roster(fm_info) -> None:
    assert not any("Notes" in r.name or "CL =" in r.name for r in fm_info.roster.residents)


# --- rows: residents only -------------------------------------------------------------------------


def test_rows_filter_keeps_only_matching_rows(fm: Path) -> None:
    info = inspect_roster(fm, RESIDENTS_ONLY)
    assert [r.name for r in info.roster.residents] == list(FM_RESIDENTS)
    assert info.sheets[0].columns["rows"] == ("B", "ROLE")
    dropped = {v for _, v in info.sheets[0].dropped}
    assert dropped >= {"FAC", "PharmD", "MS3"}
    assert not {"ATT", "RPH", "MS-CL"} & set(info.roster.entries.frame().text)  # never read


@pytest.mark.parametrize(
    ("column", "match", "expected"),
    [
        ("B", ("PGY*",), 12),  # a letter
        ("role", ("pgy 1", "PGY 2"), 8),  # case-blind header and values
        ("ROLE", ("PGY ?",), 12),
        ("ROLE", ("PGY [13]",), 8),
        ("ROLE", (r"re:^pgy\s*3$",), 4),  # a regular expression
        ("ROLE", ("re:GY 2",), 4),  # searched, not anchored
        ("ROLE", ("FAC", "MS*"), 5),
    ],
)
def test_rows_filter_patterns(fm: Path, column: str, match: tuple[str, ...], expected: int) -> None:
    assert len(read_roster(fm, RosterOptions(rows=RowFilter(column, match))).residents) == expected


def test_rows_filter_unknown_column_suggests_the_nearest(fm: Path) -> None:
    with pytest.raises(InputError) as exc:
        read_roster(fm, RosterOptions(rows=RowFilter("ROLES", ("PGY*",))))
    assert "did you mean 'ROLE'" in str(exc.value) and "rows.column" in str(exc.value)


def test_rows_filter_matching_nothing_lists_the_values(fm: Path) -> None:
    with pytest.raises(EmptyRoster) as exc:
        read_roster(fm, RosterOptions(sheet=["Block 1"], rows=RowFilter("ROLE", ("RES*",))))
    msg = str(exc.value)
    assert "'RES*'" in msg and "'FAC'" in msg and "'PGY 1'" in msg and "cell B8" in msg


def test_rows_filter_comes_before_reading_a_pgy_cell(tmp_path: Path) -> None:
    rows = [["Name", "PGY", *days(3)], ["Ann", "PGY-1", "D", "D", "OFF"], ["Dr. Fox", "FAC", "ATT", "ATT", "ATT"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    with pytest.raises(InputError) as exc:
        read_roster(path)
    assert "'FAC'" in str(exc.value) and 'rows = { column = "PGY", match = ["PGY*"] }' in str(exc.value)
    roster = read_roster(path, RosterOptions(rows=RowFilter("PGY", ("PGY*",))))
    assert [(r.name, r.pgy) for r in roster.residents] == [("Ann", 1)]
    lenient = inspect_roster(path)  # what init reads first: no error, no level
    assert [(r.name, r.pgy) for r in lenient.roster.residents] == [("Ann", 1), ("Dr. Fox", None)]


def test_rows_filter_still_stops_at_a_second_header(tmp_path: Path) -> None:
    rows = [
        ["Name", "Role", *days(3)],
        ["Ann", "PGY 1", "D", "D", "OFF"],
        ["Name", "Role", *days(3, dt.date(2026, 8, 1))],  # a second block: its role does not match, still an error
    ]
    with pytest.raises(InputError, match="second header"):
        read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}), RosterOptions(rows=RowFilter("Role", ("PGY*",))))


def test_rows_filter_on_a_long_table(tmp_path: Path) -> None:
    rows = [
        ["Resident", "Role", "Date", "Code"],
        ["Ann", "PGY1", "2026-07-01", "D"],
        ["Dr. Fox", "Attending", "2026-07-01", "ATT"],
        ["Ann", "PGY1", "2026-07-02", "OFF"],
    ]
    info = inspect_roster(make_csv(tmp_path / "r.csv", rows), RosterOptions(rows=RowFilter("Role", ("PGY*",))))
    assert [r.name for r in info.roster.residents] == ["Ann"]
    assert info.sheets[0].dropped == [(3, "Attending")]
    assert info.sheets[0].columns["code"] == ("D", "Code")


# --- section titles and levels --------------------------------------------------------------------


def test_name_only_row_is_a_title_where_everyone_else_has_a_role(tmp_path: Path) -> None:
    rows = [
        ["Name", "Role", *days(3)],
        ["Chief residents"],  # no role, no codes: a title
        ["Ann", "PGY 3", "D", "D", "OFF"],
        ["Ben", "PGY 2", None, None, None],  # a resident with a role but no shifts yet: kept
    ]
    info = inspect_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert [r.name for r in info.roster.residents] == ["Ann", "Ben"]
    assert info.sheets[0].sections == [(2, "Chief residents")]


def test_titles_set_and_end_the_group_level(tmp_path: Path) -> None:
    rows = [["Resident", *days(3)], ["PGY 2 Rotations"], ["Ann", "D", "D", "OFF"], ["Faculty"], ["Dr. Fox", "D", "D"]]
    roster = read_roster(make_xlsx(tmp_path / "r.xlsx", {"R": rows}))
    assert [(r.name, r.pgy) for r in roster.residents] == [("Ann", 2), ("Dr. Fox", None)]


@pytest.mark.parametrize(
    ("text", "section", "level"),
    [
        ("PGY 1 Rotations", True, 1), ("PGY-2", True, 2), ("PGY 3: Seniors", True, 3), ("Interns", True, 1),
        ("Faculty", True, None), ("Medical Students", True, None), ("Clinical Pharmacists", True, None),
        ("Core Faculty (FM)", True, None), ("Alice Smith", False, None), ("Pharmacy, Jo", False, None),
    ],
)  # fmt: skip
def test_section_and_group_words(text: str, section: bool, level: int | None) -> None:
    assert (H.is_section(text), H.group_pgy(text)) == (section, level)


@pytest.mark.parametrize(
    ("label", "level"),
    [("PGY 1", 1), ("pgy-2", 2), ("R3", 3), ("Intern", 1), ("FAC", None), ("MS3", None), ("2", None), ("PharmD", None)],
)
def test_level_from_a_role_label(label: str, level: int | None) -> None:
    assert level_from_label(label) == level


@pytest.mark.parametrize(
    ("patterns", "text", "hit"),
    [
        (["PGY*"], "PGY 1", True), (["PGY*"], "pgy\u00a02", True), (["PGY*"], "FAC", False), (["R?"], "R2", True),
        (["R?"], "R12", False), (["R[0-9]*"], "R12", True), (["PGY*"], "", False), (["re:^R\\d$"], "r4", True),
        (["re:^R\\d$"], "R44", False), (["MS*", "FAC"], "fac", True),
    ],
)  # fmt: skip
def test_row_patterns(patterns: list[str], text: str, hit: bool) -> None:
    assert compile_patterns(patterns)(text) is hit


def test_bad_patterns_are_explained() -> None:
    assert "not a regular expression" in (pattern_error("re:(") or "")
    assert pattern_error(" ") and pattern_error("re:") and pattern_error("PGY*") is None


# --- AM/PM session times --------------------------------------------------------------------------


def test_am_pm_options_set_the_session_times(fm: Path) -> None:
    options = RosterOptions(rows=RowFilter("ROLE", ("PGY*",)), am=("07:30", "12:00"), pm=("12:30", "16:30"))
    raw = read_roster(fm, options)
    cfg = parse({"shifts": OTHER_CODES}, path="t.toml")
    tl = check_raw(raw, cfg).timeline
    s = tl.shifts.frame()
    ip = s[(s.code == "IP") & (s.resident == 0)].sort_values("start")
    local = tl.local(ip.start.to_numpy())
    assert {t.strftime("%H:%M") for t in local} == {"07:30", "12:30"}
    call = s[(s.code == "C") & (s.resident == 0)]
    assert {t.strftime("%H:%M") for t in tl.local(call.start.to_numpy())} == {"07:00"}  # call keeps its own


def test_an_am_code_in_shifts_sets_the_am_column_too(fm: Path) -> None:
    raw = read_roster(fm, RESIDENTS_ONLY)
    cfg = parse({"shifts": {**OTHER_CODES, "AM": {"start": "09:00", "end": "12:00"}}}, path="t.toml")
    tl = check_raw(raw, cfg).timeline
    day = FM_VIOLATION[1]
    sh = tl.shifts.frame()
    mina = sh[(sh.resident == 0) & (sh.day == (day - FM_DAYS[0]).days) & (sh.code == "CL")]
    assert tl.iso(int(mina.start.iloc[0])) == f"{day.isoformat()}T09:00"
