"""Duty lists (a name under each duty, one row per date) and transposed grids, end to end."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from rostercheck.check import check_raw
from rostercheck.cli import main
from rostercheck.config import parse
from rostercheck.errors import InputError
from rostercheck.model import RosterOptions
from rostercheck.read import read_roster
from rostercheck.read.names import parse_cell
from tests.workbooks import make_csv, make_xlsx

SHIFTS = {
    "Primary call": {"start": "07:00", "end": "07:00", "kind": "call"},
    "Backup": {"start": "08:00", "end": "17:00"},
    "Night float": {"start": "19:00", "end": "07:00", "kind": "night"},
}
CONFIG_TOML = """
[shifts]
"Primary call" = { start = "07:00", end = "07:00", kind = "call" }
Backup = { start = "08:00", end = "17:00" }
"Night float" = { start = "19:00", end = "07:00", kind = "night" }

[roster]
people = [{ name = "james", pgy = 1 }, { name = "Eve Idle" }]
"""
#: Every mess of a hand-kept rota: day-first dates, "James"/" james ", "Wiliam" beside "William",
#: a split AM/PM cell, a note, a blank duty; Eve Idle (in [roster] people) holds no duty.
#: James holds Primary call on the 13th and the 14th: one 48-hour period (cells B2, B3).
DUTY_ROWS = [
    ["Date", "Primary call", "Backup", "Night float"],
    ["13/01/2018", "James", "William", "Cara Fox"],
    ["14/01/2018", " james ", "Wiliam", "Cara Fox"],
    ["15/01/2018", "Ben Diaz (AM) William (PM)", None, "Dev Patel"],
    ["16/01/2018", "William (instead of Ben)", "James", "Dev Patel"],
    ["17/01/2018", "Ben Diaz", None, "Dev Patel"],
]


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def duty_xlsx(tmp_path: Path) -> Path:
    path = make_xlsx(tmp_path / "calls.xlsx", {"Calls": DUTY_ROWS})
    (tmp_path / "rostercheck.toml").write_text(CONFIG_TOML)
    return path


def _read(path: Path, **options):
    cfg = parse({"shifts": SHIFTS, "roster": {"people": [{"name": "james", "pgy": 1}, {"name": "Eve Idle"}]}},
                path=str(path.parent / "rostercheck.toml"))
    for k, v in options.items():
        setattr(cfg.roster, k, v)
    return cfg, read_roster(path, cfg.roster)


def test_duty_list_residents_names_and_warnings(duty_xlsx: Path) -> None:
    _, raw = _read(duty_xlsx)
    assert raw.layout == "duty-list"
    names = [r.name for r in raw.residents]
    # [roster] people first (spelt as the roster mostly spells them), then everyone named, in order
    assert names == ["James", "Eve Idle", "William", "Cara Fox", "Wiliam", "Ben Diaz", "Dev Patel"]
    assert raw.residents[0].pgy == 1
    e = raw.entries.frame()
    held = e[e["text"] != ""]
    assert set(held[held["resident"] == 1]["text"]) == set()  # Eve: a resident with no duty
    assert len(e[e["resident"] == 1]) == 5  # ...off on each of the five dates
    # day-first dates: 13/01/2018 is 13 January
    assert str(e["date"].min().date()) == "2018-01-13" and str(e["date"].max().date()) == "2018-01-17"
    # the split cell: Ben Diaz holds the AM half of Primary call on the 15th, William the PM half
    split = held[held["date"] == "2018-01-15"]
    halves = {(raw.residents[r].name, s) for r, s in zip(split["resident"], split["slot"], strict=True)
              if split["text"][split["resident"] == r].iloc[0] == "Primary call"}
    assert halves == {("Ben Diaz", "AM"), ("William", "PM")}
    warnings = {(w.cell, w.message) for w in raw.read.warnings}
    near = [m for c, m in warnings if c == "C3"]
    assert len(near) == 1 and "'Wiliam' (Calls!C3)" in near[0] and "'William' (Calls!C2)" in near[0]
    note = [m for c, m in warnings if c == "B5"]
    assert len(note) == 1 and "instead of Ben" in note[0] and "'William'" in note[0]
    assert len(warnings) == 2


def test_cell_parsing() -> None:
    assert [(p.name, p.slot) for p in parse_cell("James (AM) William (PM)").parts] == [("James", "AM"),
                                                                                        ("William", "PM")]
    c = parse_cell("James (instead of William)")
    assert [(p.name, p.slot) for p in c.parts] == [("James", "")] and c.notes == ("instead of William",)
    assert [(p.name, p.slot) for p in parse_cell("  James  ").parts] == [("James", "")]


def test_two_names_in_one_cell_are_warned_about(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "two.csv", [["Date", "Primary call", "Backup"], ["2026-07-01", "Ann / Bo", "Cy"],
                                           ["2026-07-02", "Bo", "Cy"]])
    raw = read_roster(path, RosterOptions(codes=frozenset({"PRIMARY CALL", "BACKUP"})))
    assert [(w.cell, "two people" in w.message) for w in raw.read.warnings] == [("B2", True)]


def test_finding_points_at_the_duty_cells_the_person_holds(duty_xlsx: Path) -> None:
    cfg, raw = _read(duty_xlsx)
    result = check_raw(raw, cfg)
    length = [f for f in result.findings if f.rule == "shift-length"]
    assert [f.resident for f in length] == ["James"]
    assert [(c.sheet, c.cell) for c in length[0].cells] == [("Calls", "B2"), ("Calls", "B3")]


def test_a_person_holding_two_duties_gets_both_cells(tmp_path: Path) -> None:
    rows = [["Date", "Primary call", "Backup", "Night float"],
            ["2026-07-01", "Ann", "Ann", "Bo"], ["2026-07-02", "Ann", "Cy", "Bo"], ["2026-07-03", "Cy", "Di", "Bo"]]
    path = make_xlsx(tmp_path / "two.xlsx", {"S": rows})
    cfg = parse({"shifts": SHIFTS}, path=None)
    result = check_raw(read_roster(path, cfg.roster), cfg)
    length = [f for f in result.findings if f.rule == "shift-length" and f.resident == "Ann"]
    assert length and {c.cell for c in length[0].cells} == {"B2", "C2", "B3"}


def test_repair_of_a_duty_list_passes_check_and_keeps_every_duty_covered(duty_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "fixed.xlsx"
    code, stdout, stderr = run("repair", str(duty_xlsx), "-o", str(out), "--seed", "1", "--time-limit", "20")
    assert code == 0, stdout + stderr
    assert "duty cell" in stdout and "Primary call" in stdout
    code, stdout, _ = run("check", str(out), "--config", str(tmp_path / "rostercheck.toml"))
    assert code == 0, stdout
    before = openpyxl.load_workbook(duty_xlsx)["Calls"]
    after = openpyxl.load_workbook(out)["Calls"]
    changed = []
    for row in range(2, len(DUTY_ROWS) + 1):
        for col in range(2, 5):
            a, b = before.cell(row, col).value, after.cell(row, col).value
            assert (a is None) == (b is None), f"duty coverage changed at row {row}, column {col}"
            if a != b:
                changed.append((after.cell(row, col).coordinate, b))
    assert changed, "the repair changed nothing"
    cfg, raw = _read(out)
    names = {r.name for r in raw.residents}
    for _, text in changed:  # names were written back, not codes
        assert {p.name for p in parse_cell(text).parts} <= names
    # the repaired roster read back: James no longer holds both calls
    cfg, raw = _read(out)
    assert not [f for f in check_raw(raw, cfg).findings if f.severity == "error"]


def test_a_duty_list_repair_keeps_its_cells_held_even_with_coverage_rules(duty_xlsx: Path, tmp_path: Path) -> None:
    # a coverage rule alone would let the solver leave Backup unheld or double Night float
    (tmp_path / "rostercheck.toml").write_text(CONFIG_TOML + """
[rules.loose-cover]
kind = "coverage"
codes = ["Primary call", "Backup", "Night float"]
min = 0
""")
    out = tmp_path / "fixed.xlsx"
    code, stdout, stderr = run("repair", str(duty_xlsx), "-o", str(out), "--seed", "1", "--time-limit", "20")
    assert code == 0, stdout + stderr
    before = openpyxl.load_workbook(duty_xlsx)["Calls"]
    after = openpyxl.load_workbook(out)["Calls"]
    for row in range(2, len(DUTY_ROWS) + 1):
        for col in range(2, 5):
            a, b = before.cell(row, col).value, after.cell(row, col).value
            assert (a is None) == (b is None), (row, col, a, b)
            if b is not None:
                assert len(parse_cell(b).parts) == len(parse_cell(a).parts), (a, b)


def test_day_first_or_month_first_needs_the_option_when_ambiguous(tmp_path: Path) -> None:
    rows = [["Date", "Primary call"], ["01/02/2018", "Ann"], ["02/02/2018", "Bo"], ["03/02/2018", "Ann"]]
    path = make_csv(tmp_path / "amb.csv", rows)
    toml = tmp_path / "rostercheck.toml"
    toml.write_text('[shifts]\n"Primary call" = { start = "08:00", end = "17:00" }\n')
    code, _, err = run("check", str(path))
    assert code == 2 and "--date-order" in err and "A2" in err and "Traceback" not in err
    cfg = parse({"shifts": {"Primary call": {"start": "08:00", "end": "17:00"}}}, path=None)
    for order, first in (("dmy", "2018-02-01"), ("mdy", "2018-01-02")):
        raw = read_roster(path, RosterOptions(date_order=order, codes=cfg.roster.codes))
        assert str(raw.entries.frame()["date"].min().date()) == first
    code, out, _ = run("check", str(path), "--date-order", "dmy")
    assert code == 0, out


def test_layout_option_and_legend_sheet_define_the_duties(tmp_path: Path) -> None:
    legend = [["Code", "Description", "Start", "End", "Kind"], ["Primary call", "24 h call", "07:00", "07:00", "call"],
              ["Backup", "backup", "08:00", "17:00", "work"]]
    rows = [["Date", "Primary call", "Backup"], ["2026-07-01", "Ann", "Bo"], ["2026-07-02", "Bo", "Ann"]]
    path = make_xlsx(tmp_path / "legend.xlsx", {"Rota": rows, "Legend": legend})
    raw = read_roster(path)  # detected: every duty is defined on the legend sheet
    assert raw.layout == "duty-list" and [r.name for r in raw.residents] == ["Ann", "Bo"]
    raw = read_roster(path, RosterOptions(layout="duty-list"))
    assert raw.layout == "duty-list"
    with pytest.raises(InputError):
        read_roster(path, RosterOptions(layout="grid"))


def test_transposed_grid_reads_like_a_grid(tmp_path: Path) -> None:
    rows = [["Date", "Avery Chen", "Ben Diaz", "Cy Fox"], ["2026-07-01", "D", "C", ""], ["2026-07-02", "D", "C", ""],
            ["2026-07-03", "", "OFF", "D"], ["2026-07-04", "D", "", ""]]
    path = make_csv(tmp_path / "t.csv", rows)
    raw = read_roster(path)
    assert raw.layout == "transposed"
    assert [r.name for r in raw.residents] == ["Avery Chen", "Ben Diaz", "Cy Fox"]
    assert len(raw.entries.frame()) == 12
    cfg = parse({"shifts": {"C": {"start": "07:00", "end": "07:00", "kind": "call"}}}, path=None)
    result = check_raw(raw, cfg)
    length = [f for f in result.findings if f.rule == "shift-length"]
    assert [f.resident for f in length] == ["Ben Diaz"]
    assert [c.cell for c in length[0].cells] == ["C2", "C3"]
    (tmp_path / "rostercheck.toml").write_text('[shifts]\nC = { start = "07:00", end = "07:00", kind = "call" }\n')
    code, out, _ = run("repair", str(path), "-o", str(tmp_path / "t-fixed.csv"), "--seed", "1")
    assert code == 0, out
    assert "Cy Fox 2026-07-0" in out  # the free resident takes one of Ben's calls
    code, out, _ = run("check", str(tmp_path / "t-fixed.csv"))
    assert code == 0, out


def test_init_drafts_one_shift_per_duty_column(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "rota.csv", [["Date", "Primary call", "Backup", "Night float"],
                                            ["2026-07-01", "Ann", "Bo", "Cy"], ["2026-07-02", "Bo", "Cy", "Ann"]])
    code, out, err = run("init", str(path))
    assert code == 0, out + err
    text = (tmp_path / "rostercheck.toml").read_text()
    assert 'layout = "duty-list"' in text
    for duty in ('"Primary call" =', "Backup =", '"Night float" ='):
        assert sum(line.startswith(duty) for line in text.splitlines()) == 1, duty
    code, out, _ = run("check", str(path))
    assert code in (0, 1), out


def test_name_warnings_reach_the_text_and_json_reports(duty_xlsx: Path) -> None:
    import json

    code, out, _ = run("check", str(duty_xlsx), "--format", "json")
    assert code == 1
    warnings = json.loads(out)["files"][0]["read"]["warnings"]
    assert {(w["sheet"], w["cell"]) for w in warnings} == {("Calls", "C3"), ("Calls", "B5")}
    code, out, _ = run("check", str(duty_xlsx))
    assert "Calls!C3" in out and "instead of Ben" in out


def test_grids_and_long_tables_read_day_first_dates_too(tmp_path: Path) -> None:
    grid = make_csv(tmp_path / "g.csv", [["Resident", "13/07/2026", "14/07/2026", "15/07/2026"], ["Ann", "D", "D", ""]])
    assert str(read_roster(grid).entries.frame()["date"].min().date()) == "2026-07-13"
    long = make_csv(tmp_path / "l.csv", [["Resident", "Date", "Code"], ["Ann", "01/07/2026", "D"],
                                         ["Ann", "13/07/2026", "D"]])
    assert sorted(str(d.date()) for d in read_roster(long).entries.frame()["date"]) == ["2026-07-01", "2026-07-13"]
    # every date reads both ways: grids keep their month-first reading unless told otherwise
    amb = make_csv(tmp_path / "a.csv", [["Resident", "01/07/2026", "02/07/2026", "03/07/2026"], ["Ann", "D", "D", ""]])
    assert str(read_roster(amb).entries.frame()["date"].min().date()) == "2026-01-07"
    assert str(read_roster(amb, RosterOptions(date_order="dmy")).entries.frame()["date"].min().date()) == "2026-07-01"
    both = make_csv(tmp_path / "b.csv", [["Resident", "13/07/2026", "07/14/2026", "15/07/2026"], ["Ann", "D", "D", ""]])
    with pytest.raises(InputError) as exc:
        read_roster(both)
    assert exc.value.cell == "C1" and "both day-first" in exc.value.message


def test_placeholders_hold_no_duty_and_people_come_from_a_sheet(tmp_path: Path) -> None:
    path = make_csv(tmp_path / "ph.csv", [["Date", "Primary call", "Backup"], ["2026-07-01", "Ann", "TBD"],
                                          ["2026-07-02", "Bo", "-"], ["2026-07-03", "Ann (AM) Open (PM)", "Bo"]])
    make_csv(tmp_path / "people.csv", [["Name", "PGY", "Team"], ["ann", "PGY-2", "Red"], ["Cy Lo", "1", "Blue"]])
    cfg = parse({"shifts": SHIFTS, "roster": {"people": "people.csv"}}, path=str(tmp_path / "rostercheck.toml"))
    raw = read_roster(path, cfg.roster)
    assert [(r.name, r.pgy, r.team) for r in raw.residents] == [("Ann", 2, "Red"), ("Cy Lo", 1, "Blue"),
                                                                ("Bo", None, None)]
    assert {(w.cell, w.message.split(":")[0]) for w in raw.read.warnings} == {
        ("C2", "'TBD' is not a person"), ("C3", "'-' is not a person"), ("B4", "'Open' is not a person")}
    assert "(PM half)" in next(w.message for w in raw.read.warnings if w.cell == "B4")
    held = raw.duties.frame()[raw.duties["resident"] >= 0]
    assert len(held) == 4  # Ann x2 (one a morning half), Bo x2; nobody holds the placeholders' duties


def test_a_weekday_column_beside_the_dates_is_not_a_duty(tmp_path: Path) -> None:
    codes = frozenset({"PRIMARY CALL", "BACKUP"})
    for header, rows in ((["Day", "Date", "Primary call", "Backup"], [["Sat", "13/01/2018", "Ann", "Cy"],
                                                                      ["Sun", "14/01/2018", "Bo", "Cy"]]),
                         (["Date", "Day", "Primary call", "Backup"], [["13/01/2018", "Sat", "Ann", "Cy"],
                                                                      ["14/01/2018", "Sun", "Bo", "Cy"]])):
        raw = read_roster(make_csv(tmp_path / "d.csv", [header, *rows]), RosterOptions(codes=codes))
        assert raw.layout == "duty-list" and [r.name for r in raw.residents] == ["Ann", "Cy", "Bo"]
        assert set(raw.duties["duty"]) == {"Primary call", "Backup"}
