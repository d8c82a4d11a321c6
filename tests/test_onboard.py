"""From a workbook made for people to a first check: `rostercheck init`, `rostercheck codes`, the new
`[roster]` keys, and the unknown-codes error that points at both."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import FM_OTHERS, FM_RESIDENTS, FM_VIOLATION, days, fm_block_sheet, make_xlsx

from rostercheck import config as cfgmod
from rostercheck.cli import main
from rostercheck.errors import InputError
from rostercheck.legend import _GUESSES, guess_code, make_shift
from rostercheck.onboard import cell_codes

FACULTY_CODES = ("ATT", "PRECEPT", "SUPV", "RPH", "ACU", "MS-CL", "SHADOW")


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture(scope="module")
def fm_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fm_block_sheet(tmp_path_factory.mktemp("fm") / "block-1.xlsx")


@pytest.fixture
def fm(fm_master: Path, tmp_path: Path) -> Path:
    """A fresh folder holding only the block sheet (no config)."""
    return Path(shutil.copy(fm_master, tmp_path / "block-1.xlsx"))


@pytest.fixture(scope="module")
def fm_init(tmp_path_factory: pytest.TempPathFactory, fm_master: Path) -> tuple[Path, str, str]:
    """The block sheet after `rostercheck init`: (roster, stdout, config text)."""
    folder = tmp_path_factory.mktemp("fm-init")
    roster = Path(shutil.copy(fm_master, folder / "block-1.xlsx"))
    code, out, err = run("init", str(roster))
    assert code == 0, err
    return roster, out, (folder / "rostercheck.toml").read_text()


def shifts_line(text: str, code: str) -> str:
    return next(ln for ln in text.splitlines() if ln.startswith(f"{code} = "))


# --- the issue's "done when": init, then check, on the program workbook ---------------------------


def test_init_then_check_works_without_edits(fm_init) -> None:
    roster, _, _ = fm_init
    code, out, err = run("check", str(roster), "--format", "json")
    assert code == 1, err  # a rule broken, not an input problem
    doc = json.loads(out)
    findings = doc["violations"]
    assert [(f["rule"], f["resident"]) for f in findings] == [("shift-length", FM_VIOLATION[0])]
    assert findings[0]["start"].startswith("2026-07-01")
    text_code, text, _ = run("check", str(roster))
    assert text_code == 1 and "12 residents" in text
    assert not any(name in text for name in FM_OTHERS)  # faculty, pharmacist and students are not checked


def test_init_with_am_pm_labels_in_the_header_row(tmp_path: Path) -> None:
    roster = fm_block_sheet(tmp_path / "b.xlsx", labels_in_header=True)
    assert run("init", str(roster))[0] == 0
    code, out, _ = run("check", str(roster))
    assert code == 1 and "shift-length" in out and FM_VIOLATION[0] in out


def test_init_where_w_means_weekend(tmp_path: Path) -> None:
    roster = fm_block_sheet(tmp_path / "b.xlsx", weekend_code="W")
    code, out, _ = run("init", str(roster))
    assert code == 0 and "guessed weekend" in out
    text = (tmp_path / "rostercheck.toml").read_text()
    assert shifts_line(text, "W").startswith('W = { kind = "off", description = "weekend (off)" }')
    assert "#   if it means wellness half-day: W = {" in text
    code, out, _ = run("check", str(roster))
    assert code == 1 and "days-off" not in out  # weekends read as days off


def test_init_reads_the_year_from_the_title_when_the_dates_have_none(tmp_path: Path) -> None:
    roster = fm_block_sheet(tmp_path / "b.xlsx", yearless=True)
    code, _, err = run("check", str(roster))
    # issue 13: the weekday row fixes the year, so check reads the sheet; only the codes need a config
    assert code == 2 and "has no year" not in err and "unknown shift codes" in err
    code, out, _ = run("init", str(roster))
    assert code == 0 and "year: 2026, read from 'Block 1 Schedule: July 1 - July 28, 2026'" in out
    text = (tmp_path / "rostercheck.toml").read_text()
    assert tomllib.loads(text)["roster"]["year"] == 2026 and "CONFIRM: the dates have no year" in text
    code, out, _ = run("check", str(roster))
    assert code == 1 and "shift-length" in out


# --- what init prints and writes -------------------------------------------------------------------


def test_init_prints_what_it_found_and_what_is_left(fm_init) -> None:
    _, out, _ = fm_init
    for needle in (
        "sheet 'Block 1': a half-day grid",
        "2026-07-01 to 2026-07-28",
        "dates in row 5, weekday names in row 4, AM/PM in row 6, column names in row 8",
        "names in column C (PROVIDER), role in column B (ROLE)",
        "6 section titles",
        "row 9 with codes but no name",
        "columns BI-BL after the last date (# CL, # IP, Calls, Total)",
        '12 residents kept by rows = { column = "ROLE", match = ["PGY*"] }; 6 other rows (FAC, PharmD, MS3)',
        "wrote ",
        "You still need to decide:",
        "C (",
        "guessed call because CL, FMC, PC are in use",
        "W (",
        "unknown codes counted as work: FQHC",
        "Then: rostercheck check ",
    ):
        assert needle in out, needle


def test_init_config_roster_table(fm_init) -> None:
    _, _, text = fm_init
    roster = tomllib.loads(text)["roster"]
    assert roster == {
        "layout": "half-day", "date-row": 5, "header-row": 8, "name-column": "PROVIDER",
        "rows": {"column": "ROLE", "match": ["PGY*"]},
    }  # fmt: skip
    assert '# sheet = "Block 1"' in text and '# am = "08:00-12:00"' in text
    assert "#   kept: PGY 1 (4), PGY 2 (4), PGY 3 (4)" in text and "#   left out: FAC (3), PharmD (1), MS3 (2)" in text


def test_init_lists_every_code_with_count_and_first_cell(fm_init) -> None:
    roster, _, text = fm_init
    shifts = tomllib.loads(text)["shifts"]
    from rostercheck.onboard import code_uses
    from rostercheck.read import read_roster

    raw = read_roster(roster, cfgmod.load(roster).roster)
    uses = code_uses(raw, shifts)
    assert {u.code for u in uses} == set(shifts)  # every code read, and only those
    assert len(shifts) >= 40
    for u in uses:
        key = f'"{u.code}"' if "&" in u.code else u.code
        assert f"# {u.cells} cell{'s' * (u.cells != 1)}, first at {u.cell}" in shifts_line(text, key)
    assert shifts_line(text, "IP").startswith('IP = { kind = "work", description = "inpatient service" }')
    assert shifts["NF"] == {"start": "19:00", "end": "07:00", "kind": "night", "description": "night float"}
    assert shifts["PC"]["kind"] == "off" and shifts["VAC"]["kind"] == "leave" and shifts["HOL"]["kind"] == "off"
    assert shifts["L&D"]["kind"] == "work"  # one code, not an L and a D


def test_init_marks_guesses_to_confirm_and_unknown_codes(fm_init) -> None:
    _, _, text = fm_init
    assert "# CONFIRM C: C is call in some programs and clinic in others; guessed call" in text
    assert '#   if it means clinic: C = { kind = "work", description = "clinic" }' in text
    assert "# CONFIRM W: W is wellness time" in text
    for code in ("FQHC", "TELE", "GRP"):
        assert shifts_line(text, code).startswith(f'{code} = "work"')
        assert shifts_line(text, code).endswith("TODO: what is it? give its kind")
    assert "CONFIRM IP" not in text and "TODO" not in shifts_line(text, "IP")


def test_init_names_codes_only_in_rows_left_out(fm_init) -> None:
    _, _, text = fm_init
    shifts = tomllib.loads(text)["shifts"]
    assert not set(FACULTY_CODES) & set(shifts)
    tail = text.split("rows the `rows` filter leaves out")[1]
    assert all(f"{c} (" in tail for c in FACULTY_CODES)


def test_init_draft_loads_with_config_load(fm_init) -> None:
    roster, _, _ = fm_init
    cfg = cfgmod.load(roster)
    assert cfg.roster.rows is not None and cfg.roster.rows.match == ("PGY*",)
    assert cfg.shifts["C"].kind == "call" and cfg.shifts["FQHC"].kind == "work"


def test_init_never_overwrites_a_config(fm: Path) -> None:
    assert run("init", str(fm))[0] == 0
    before = (fm.parent / "rostercheck.toml").read_text()
    code, out, err = run("init", str(fm))
    assert code == 2 and out == ""
    assert "rostercheck.toml" in err and "already exists" in err and err.count("\n") == 1
    assert (fm.parent / "rostercheck.toml").read_text() == before


def test_init_output_elsewhere_but_never_over_an_input(fm: Path, tmp_path: Path) -> None:
    other = tmp_path / "drafts"
    other.mkdir()
    code, out, _ = run("init", str(fm), "--output", str(other / "fm.toml"))
    assert code == 0 and f"--config {other / 'fm.toml'}" in out
    assert not (fm.parent / "rostercheck.toml").exists()
    code, _, err = run("init", str(fm), "--output", str(fm))
    assert code == 2 and "never overwrites an input" in err
    assert run("check", str(fm), "--config", str(other / "fm.toml"))[0] == 1


def test_init_on_an_unreadable_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    code, _, err = run("init", str(tmp_path / "x.xlsx"))
    assert code == 2 and "x.xlsx" in err and err.count("\n") == 1
    assert not (tmp_path / "rostercheck.toml").exists()


def test_init_on_a_plain_grid_with_a_legend_sheet(tmp_path: Path) -> None:
    rows = [["Resident", "PGY", *days(7)], ["Ann", 1, "D", "D", "ZZ", "OFF", "C", "PC", "D"],
            ["Ben", 2, "C", "PC", "D", "D", "OFF", "Q7", "D"]]  # fmt: skip
    legend = [["Code", "Description", "Start", "End"], ["Q7", "Quiet clinic", "09:00", "15:00"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"July": rows, "Legend": legend})
    code, out, _ = run("init", str(path))
    assert code == 0 and "a whole-day grid" in out and "1 from the legend sheet" in out
    text = (tmp_path / "rostercheck.toml").read_text()
    data = tomllib.loads(text)
    assert "rows" not in data["roster"] and "date-row" not in data["roster"]  # dates in the header row
    assert "# Q7: from the workbook's legend sheet (work, Quiet clinic)" in text and "Q7" not in data["shifts"]
    assert data["shifts"]["C"]["kind"] == "call"  # whole-day grid: C is call (still to confirm)
    assert shifts_line(text, "ZZ").endswith("TODO: what is it? give its kind")
    assert run("check", str(path))[0] in (0, 1)


def test_init_reads_ambiguous_codes_from_the_layout(tmp_path: Path) -> None:
    d = days(3)
    rows = [["Resident", d[0], None, d[1], None, d[2], None], [None, "AM", "PM", "AM", "PM", "AM", "PM"],
            ["Ann", "C", "C", "LD", "IP", "C", "OFF"]]  # fmt: skip
    path = make_xlsx(tmp_path / "r.xlsx", {"R": rows})
    code, out, _ = run("init", str(path))
    assert code == 0 and "guessed clinic" in out and "guessed labor and delivery" in out
    shifts = tomllib.loads((tmp_path / "rostercheck.toml").read_text())["shifts"]
    assert shifts["C"] == {"kind": "work", "description": "clinic"}
    assert shifts["LD"] == {"kind": "work", "description": "labor and delivery"}  # not a 07:00-21:00 long day


def test_init_keeps_reading_options_given_on_the_command_line(fm: Path) -> None:
    code, _, _ = run("init", str(fm), "--sheet", "Block 1", "--rows", "ROLE=PGY 1", "--rows", "ROLE=PGY 2",
                     "--am", "07:30-12:00")  # fmt: skip
    assert code == 0
    data = tomllib.loads((fm.parent / "rostercheck.toml").read_text())["roster"]
    assert data["sheet"] == "Block 1" and data["rows"] == {"column": "ROLE", "match": ["PGY 1", "PGY 2"]}
    assert data["am"] == "07:30-12:00"


# --- codes ---------------------------------------------------------------------------------------


def test_codes_without_a_config_lists_what_is_not_defined(fm: Path) -> None:
    code, out, _ = run("codes", str(fm))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == f"{fm}: 48 codes in use (no config: built-in legend)"
    ip = next(ln for ln in lines if ln.startswith("IP "))
    assert ip.split() == ["IP", "104", "Block", "1!H11", "NOT", "DEFINED"]
    cl = next(ln for ln in lines if ln.startswith("CL "))
    assert "work, clinic (half-day slot" in cl and "AM 08:00-12:00 / PM 13:00-17:00 [built-in]" in cl
    c = next(ln for ln in lines if ln.startswith("C "))
    assert "call, 24-hour in-house call, 07:00-07:00 next day [built-in]" in c
    assert "codes not defined: WKND, IP, DID" in lines[-1] and "`rostercheck init`" in lines[-1]


def test_codes_with_the_drafted_config_defines_everything(fm_init) -> None:
    roster, _, _ = fm_init
    code, out, _ = run("codes", str(roster))
    assert code == 0 and "NOT DEFINED" not in out and out.endswith("Every code is defined.\n")
    assert "[config]" in out and "ATT" not in out  # the rows filter applies


def test_codes_json(fm: Path) -> None:
    code, out, _ = run("codes", str(fm), "--rows", "ROLE=PGY*", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["roster"] == str(fm) and doc["layout"] == "half-day" and doc["config"] is None
    first = doc["codes"][0]
    assert set(first) == {"code", "cells", "first", "defined", "kind", "times", "description", "origin"}
    nf = next(c for c in doc["codes"] if c["code"] == "NF")
    assert (nf["defined"], nf["kind"], nf["origin"]) == (True, "night", "built-in")
    assert nf["times"] == "19:00-07:00 next day"
    assert "IP" in doc["undefined"] and "ATT" not in doc["undefined"]


def test_codes_on_bad_input_exits_2(tmp_path: Path) -> None:
    code, _, err = run("codes", str(tmp_path / "missing.xlsx"))
    assert code == 2 and "missing.xlsx" in err


# --- the unknown-codes error -------------------------------------------------------------------------


def test_unknown_codes_error_lists_every_code_with_count_and_first_cell(fm: Path) -> None:
    code, _, err = run("check", str(fm), "--rows", "ROLE=PGY*")
    assert code == 2 and err.count("\n") == 1
    for needle in ("unknown shift codes: 'WKND' (108 cells, first at Block 1!J13); 'IP' (104 cells, first at "
                   "Block 1!H11)", "'FQHC' (", "'TELE' (2 cells, first at Block 1!U14)", "rostercheck codes",
                   "rostercheck init"):  # fmt: skip
        assert needle in err, needle
    assert "'ATT'" not in err  # faculty rows were never read


# --- the new [roster] keys -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roster", "needles"),
    [
        ({"rows": "ROLE"}, ["roster.rows", "expected a table like"]),
        ({"rows": {"column": "ROLE", "matches": ["PGY*"]}}, ["roster.rows.matches", "did you mean 'match'"]),
        ({"rows": {"match": ["PGY*"]}}, ["roster.rows.column", "header text"]),
        ({"rows": {"column": "ROLE", "match": []}}, ["roster.rows.match", "a pattern or a list"]),
        ({"rows": {"column": "ROLE", "match": ["re:(PGY"]}}, ["roster.rows.match", "not a regular expression"]),
        ({"am": "8-12"}, ["roster.am", 'like "08:00-12:00"']),
        ({"pm": "17:00-13:00"}, ["roster.pm", "end after it starts"]),
        ({"rowz": {}}, ["roster.rowz", "did you mean 'rows'"]),
    ],
)
def test_new_roster_keys_are_validated(roster: dict, needles: list[str]) -> None:
    with pytest.raises(InputError) as exc:
        cfgmod.parse({"roster": roster}, path="rostercheck.toml")
    for needle in needles:
        assert needle in str(exc.value), (needle, str(exc.value))


def test_new_roster_keys_parse() -> None:
    o = cfgmod.parse({"roster": {"rows": {"column": "B", "match": "PGY*"}, "am": "7:30-12:00", "pm": "13:00-17:30"}},
                     path="x.toml").roster  # fmt: skip
    assert (o.rows.column, o.rows.match, o.am, o.pm) == ("B", ("PGY*",), ("07:30", "12:00"), ("13:00", "17:30"))


@pytest.mark.parametrize(
    ("args", "needle"),
    [(["--rows", "PGY*"], "--rows: expected COLUMN=PATTERN"), (["--rows", "ROLE=PGY*", "--rows", "B=R?"], "one column"),
     (["--am", "noon"], "--am, key 'roster.am'")],
)  # fmt: skip
def test_command_line_reading_options_are_validated(fm: Path, args: list[str], needle: str) -> None:
    code, _, err = run("check", str(fm), *args)
    assert code == 2 and needle in err


# --- the dictionary and how cells split into codes ------------------------------------------------------


def test_every_guess_is_a_valid_shift() -> None:
    for code, g in _GUESSES.items():
        make_shift(code, g.spec, origin="guess", where={"key": code})
        if g.other is not None:
            make_shift(code, g.other, origin="guess", where={"key": code})
        assert bool(g.doubt) == (g.other is not None) or code in ("24", "BU", "X"), code


@pytest.mark.parametrize(
    ("code", "kind", "unsure"),
    [("OFF", "off", False), ("LV", "leave", False), ("VAC", "leave", False), ("PTO", "leave", False),
     ("NF", "night", False), ("PC", "off", False), ("CALL", "call", False), ("C", "call", True),
     ("W", "wellness", True), ("HOL", "off", False), ("DID", "work", False), ("CONF", "work", False),
     ("CL", "work", False), ("IP", "work", False), ("WARDS", "work", False), ("ED", "work", False),
     ("ICU", "work", False), ("IP2", "work", False), ("cl-b", "work", False)],
)  # fmt: skip
def test_guess_dictionary(code: str, kind: str, unsure: bool) -> None:
    g = guess_code(code)
    assert g is not None and g.spec["kind"] == kind and bool(g.doubt) == unsure
    assert guess_code("QQQ") is None and guess_code("GRP") is None  # not GR (grand rounds) + P


def test_cells_split_only_into_codes_that_exist() -> None:
    got = cell_codes(["CL/DID", "CL", "DID", "L&D", "CL/XYZ", "XYZ", "AB/CD", " \u00a0", "cl"], {"CL"})
    assert got == {"CL/DID": ["CL", "DID"], "CL": ["CL"], "DID": ["DID"], "L&D": ["L&D"], "CL/XYZ": ["CL", "XYZ"],
                   "XYZ": ["XYZ"], "AB/CD": ["AB/CD"], " \u00a0": [], "cl": ["CL"]}  # fmt: skip


def test_residents_and_others_in_the_sample_are_who_the_workbook_says() -> None:
    assert len(FM_RESIDENTS) == 12 and len(FM_OTHERS) == 6
