"""The command line, end to end on real files: exit codes, the JSON contract, errors that name
the place, config discovery, and repaired copies that differ only where they should."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.styles import PatternFill
from workbooks import days

from rostercheck.cli import main

# A 14-day month start: A has call on 07-04 and a day shift at 15:00 on 07-05 (8 h after the
# call ends at 07:00): post-call rest breaks. Everyone else is clean.
LATE = {"L": {"start": "15:00", "end": "23:00"}}


def roster_rows(rows: dict[str, list[str]], n_days: int = 14, title: str = "IM Residency - July 2026"):
    header = ["Resident", "PGY", *days(n_days)]
    out = [[title], [], header]
    for name, (pgy, codes) in rows.items():
        out.append([name, pgy, *codes])
    return out


CLEAN = {
    "Ben Ito": ("PGY-2", ["D", "D", "OFF", "C", "PC", "D", "D", "OFF", "D", "D", "C", "PC", "D", "OFF"]),
    "Cara Diaz": ("PGY-1", ["OFF", "D", "D", "D", "OFF", "C", "PC", "D", "D", "OFF", "D", "D", "C", "PC"]),
}
BROKEN = {
    "Avery Chen": ("PGY-1", ["D", "D", "OFF", "C", "L", "OFF", "D", "D", "OFF", "D", "D", "OFF", "D", "D"]),
    **CLEAN,
}


def write_roster(path: Path, rows: dict, *, styled: bool = False, config: dict | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "July"
    for r in roster_rows(rows):
        ws.append(r)
    if styled:
        ws.column_dimensions["A"].width = 24
        ws["A1"].fill = PatternFill(start_color="FFCCE5FF", end_color="FFCCE5FF", fill_type="solid")
        notes = wb.create_sheet("Notes")
        notes["A1"] = "Swap requests go to the chief resident."
    wb.save(path)
    if config is not None:
        (path.parent / "rostercheck.toml").write_text(config_text(config))
    return path


def config_text(cfg: dict) -> str:
    lines = []
    for key, val in cfg.items():
        if not isinstance(val, dict):
            lines.append(f"{key} = {json.dumps(val)}")
    for key, val in cfg.items():
        if isinstance(val, dict):
            lines.append(f"[{key}]")
            for k, v in val.items():
                if isinstance(v, dict):
                    inner = ", ".join(f"{a} = {json.dumps(b)}" for a, b in v.items())
                    lines.append(f"{k} = {{ {inner} }}")
                else:
                    lines.append(f"{k} = {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    return write_roster(tmp_path / "july.xlsx", BROKEN, styled=True, config={"shifts": LATE})


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    return write_roster(tmp_path / "clean.xlsx", CLEAN)


# ------------------------------------------------------------------------------------- check
def test_check_clean_roster_exits_0(clean):
    code, out, _ = run("check", str(clean))
    assert code == 0, out
    assert "ok: no rule broken" in out


def test_check_reports_the_violation_with_cells_and_exits_1(broken):
    code, out, _ = run("check", str(broken))
    assert code == 1
    assert "Avery Chen" in out and "post-call-rest" in out
    assert "cells: July!F4:G4 (2 cells)" in out  # the call cell and the next shift's cell
    assert out.strip().splitlines()[-1].startswith("1 error")


def test_json_contract(broken):
    code, out, _ = run("check", str(broken), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["version"] == 1
    assert doc["rosters"] == [str(broken)]
    assert doc["summary"] == {
        "residents": 3, "days": 14, "errors": 1, "warnings": 0,
        "rules": sorted(["weekly-hours", "days-off", "shift-length", "post-call-rest", "rest-between-shifts",
                         "call-frequency", "consecutive-nights"]),
    }
    (v,) = doc["violations"]
    assert v == {
        "rule": "post-call-rest",
        "kind": "min-rest",
        "severity": "error",
        "resident": "Avery Chen",
        "start": "2026-07-04T07:00",
        "end": "2026-07-05T15:00",
        "value": 8.0,
        "limit": 14.0,
        "unit": "hours",
        "message": "8.0 h free after a 24.0 h call period ending 2026-07-05 07:00 (minimum 14 h)",
        "cells": [{"file": str(broken), "sheet": "July", "cell": "F4"},
                  {"file": str(broken), "sheet": "July", "cell": "G4"}],
        "cell-ranges": [{"file": str(broken), "sheet": "July", "range": "F4:G4", "cells": 2}],
        "roster": str(broken),
    }


def test_strict_makes_warnings_fail(tmp_path):
    # 7.5 h between a day shift and an early start: a warning only
    rows = {"Dee Ek": ("1", ["D", "E", "OFF", "OFF", "D", "D", "OFF", "OFF", "D", "D", "OFF", "OFF", "D", "OFF"])}
    p = write_roster(tmp_path / "w.xlsx", rows, config={"shifts": {"E": {"start": "02:30", "end": "07:00"}}})
    assert run("check", str(p))[0] == 0
    assert run("check", str(p), "--strict")[0] == 1


def test_output_file_is_written_and_never_the_input(broken, tmp_path):
    out = tmp_path / "report.json"
    code, _stdout, _ = run("check", str(broken), "--format", "json", "--output", str(out))
    assert code == 1 and json.loads(out.read_text())["summary"]["errors"] == 1
    before = hashlib.sha256(broken.read_bytes()).hexdigest()
    code, _, err = run("check", str(broken), "--output", str(broken))
    assert code == 2 and "never overwrites an input" in err
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == before


def test_python_dash_m_works(clean):
    r = subprocess.run([sys.executable, "-m", "rostercheck", "check", str(clean)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_the_fast_exit_keeps_exit_codes_and_every_byte_of_output(clean, broken, tmp_path):
    """``cli.run`` skips the interpreter's teardown (``os._exit``): the exit code and the whole report
    (buffered, to a pipe) must be what Click's runner sees from ``main``, and ``-o`` files complete."""
    for roster, fmt, want in ((clean, "json", 0), (broken, "json", 1), (broken, "text", 1),
                              (tmp_path / "missing.xlsx", "json", 2)):
        r = subprocess.run([sys.executable, "-m", "rostercheck", "check", str(roster), "--format", fmt],
                           capture_output=True, text=True)
        code, out, err = run("check", str(roster), "--format", fmt)
        assert (r.returncode, r.stdout, r.stderr) == (want, out, err) and code == want
    out = tmp_path / "r.json"
    r = subprocess.run([sys.executable, "-m", "rostercheck", "check", str(broken), "--format", "json", "-o", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 1 and json.loads(out.read_text())["summary"]["errors"] == 1


@pytest.mark.parametrize(("code", "status", "printed"), [(None, 0, ""), (0, 0, ""), (3, 3, ""),
                                                         ("no roster", 1, "no roster\n")])
def test_the_fast_exit_maps_system_exit_as_python_does(monkeypatch, capsys, code, status, printed):
    import atexit

    from rostercheck import cli

    ran: list[str] = []  # the session's own atexit handlers must not run here: a stand-in is called
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: ran.append("atexit"))

    def fake_main() -> None:
        print("report")
        raise SystemExit(code)

    class Exited(Exception):
        pass

    def fake_exit(n: int) -> None:
        raise Exited(n)

    monkeypatch.setattr(cli, "main", fake_main)
    monkeypatch.setattr(cli.os, "_exit", fake_exit)
    with pytest.raises(Exited) as e:
        cli.run()
    assert e.value.args == (status,) and ran == ["atexit"]
    got = capsys.readouterr()
    assert got.out == "report\n" and got.err == printed


# ------------------------------------------------------------------------------------- bad input
def _bad(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = [ln for ln in err.strip().splitlines() if ln]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for n in needles:
        assert n in lines[0], (n, lines[0])


def test_missing_file(tmp_path):
    code, _, err = run("check", str(tmp_path / "nope.xlsx"))
    _bad(code, err, "nope.xlsx")


def test_not_a_spreadsheet(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text("hello")
    _bad(*run("check", str(p))[::2], "notes.txt")


def test_corrupt_xlsx(tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04 this is not a zip")
    _bad(*run("check", str(p))[::2], "broken.xlsx")


def test_no_header_row(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["just", "some", "words"])
    wb.save(tmp_path / "x.xlsx")
    _bad(*run("check", str(tmp_path / "x.xlsx"))[::2], "x.xlsx")


def test_unknown_shift_code_names_the_cell(tmp_path):
    rows = {"Ann Bo": ("1", ["D", "ZZ", "D", "OFF", "D", "D", "OFF", "D", "D", "OFF", "D", "D", "OFF", "ZZ"])}
    p = write_roster(tmp_path / "u.xlsx", rows)
    code, _, err = run("check", str(p))
    _bad(code, err, "u.xlsx", "sheet 'July'", "cell D4", "'ZZ' (2 cells", "rostercheck codes")


def test_duplicate_date_column(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    d = days(3)
    ws.append(["Resident", d[0], d[1], d[1], d[2]])
    ws.append(["Ann Bo", "D", "D", "D", "D"])
    wb.save(tmp_path / "dup.xlsx")
    _bad(*run("check", str(tmp_path / "dup.xlsx"))[::2], "dup.xlsx", "C1")


def test_unparseable_date(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    d = days(4)
    ws.append(["Resident", d[0], d[1], "32/13/2026", d[3]])
    ws.append(["Ann Bo", "D", "D", "D", "D"])
    wb.save(tmp_path / "date.xlsx")
    _bad(*run("check", str(tmp_path / "date.xlsx"))[::2], "date.xlsx", "D1")


@pytest.mark.parametrize(
    ("toml", "needles"),
    [
        ("presett = 'acgme'\n", ["key 'presett'", "did you mean 'preset'"]),
        ("preset = 'acgm'\n", ["key 'preset'", "did you mean 'acgme'"]),
        ("[rules.weekly-hours]\nlimitt = 80\n", ["rules.weekly-hours.limitt", "did you mean 'limit'"]),
        ("[rules.weekly-hours]\nlimit = 'eighty'\n", ["rules.weekly-hours.limit", "expected a number"]),
        ("[rules.weekly-hour]\nlimit = 80\n", ["rules.weekly-hour", "did you mean 'weekly-hours'"]),
        ("[rules.x]\nkind = 'max-hourz'\n", ["rules.x.kind", "did you mean 'max-hours'"]),
        ("[shifts]\nD = { start = '7am', end = '19:00' }\n", ["shifts.D", "expected a time"]),
        ("[shifts]\nD = { start = '07:00', end = '19:00', knd = 'work' }\n", ["shifts.D", "did you mean 'kind'"]),
        ("[roster]\nlayout = 'gird'\n", ["roster.layout", "did you mean 'grid'"]),
        ("timezone = 'America/Chicgo'\n", ["timezone", "America/Chicago"]),
        ("[rules.c]\nkind = 'coverage'\ncodes = ['QQ']\nmin = 1\n", ["rules.c.codes", "QQ"]),
        ("preset = [\n", ["not valid TOML"]),
    ],
)
def test_bad_config_names_the_key(clean, toml, needles):
    (clean.parent / "rostercheck.toml").write_text(toml)
    code, _, err = run("check", str(clean))
    _bad(code, err, "rostercheck.toml", *needles)


# ------------------------------------------------------------------------------------- config discovery
def test_config_beside_the_roster_wins_over_the_working_directory(tmp_path, monkeypatch):
    roster_dir = tmp_path / "rosters"
    roster_dir.mkdir()
    p = write_roster(roster_dir / "r.xlsx", BROKEN)
    monkeypatch.chdir(tmp_path)
    # in the working directory: the L code, so the roster reads; beside it: post-call rest off
    (tmp_path / "rostercheck.toml").write_text(config_text({"shifts": LATE}))
    assert run("check", str(p))[0] == 1
    (roster_dir / "rostercheck.toml").write_text(config_text({"shifts": LATE}) +
                                                 "[rules.post-call-rest]\nenabled = false\n")
    assert run("check", str(p))[0] == 0


def test_pyproject_tool_table(tmp_path, monkeypatch):
    p = write_roster(tmp_path / "r.xlsx", BROKEN)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.rostercheck.shifts]\nL = { start = '15:00', end = '23:00' }\n")
    assert run("check", str(p))[0] == 1
    (tmp_path / "pyproject.toml").write_text("[tool.rostercheck]\nbogus = 1\n")
    code, _, err = run("check", str(p))
    _bad(code, err, "pyproject.toml", "tool.rostercheck.bogus")


def test_explicit_config_and_preset_option(broken, tmp_path):
    cfg = tmp_path / "other.toml"
    cfg.write_text(config_text({"shifts": LATE}) + "[rules.post-call-rest]\nmin-hours = 8\n")
    assert run("check", str(broken), "--config", str(cfg))[0] == 0
    assert run("check", str(broken), "--preset", "none")[0] == 0


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_a_config_that_exists_but_is_not_a_file_is_not_called_missing(broken, tmp_path):
    """The user trial: ``--config /dev/null`` said "config file not found" although it exists."""
    code, _, err = run("check", str(broken), "--config", "/dev/null")
    assert code == 2 and "/dev/null: not a regular file; expected a TOML file" in err, err
    assert "not found" not in err and "Traceback" not in err
    code, _, err = run("check", str(broken), "--config", str(tmp_path / "missing.toml"))
    assert code == 2 and "missing.toml: config file not found" in err


# ------------------------------------------------------------------------------------- rules
def test_rules_lists_presets_and_kinds():
    code, out, _ = run("rules")
    assert code == 0
    for word in ("weekly-hours", "golden-weekend", "max-consecutive", "min-free-days"):
        assert word in out


def test_rules_shows_one_rule_with_examples():
    code, out, _ = run("rules", "call-frequency")
    assert code == 0 and "every = 3" in out and "PASS" in out and "FAIL" in out
    code, _, err = run("rules", "call-frequncy")
    _bad(code, err, "did you mean 'call-frequency'")


# ------------------------------------------------------------------------------------- repair
def _values(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row}


def test_repair_writes_a_copy_that_differs_only_in_changed_cells(broken, tmp_path):
    out = tmp_path / "fixed.xlsx"
    before = hashlib.sha256(broken.read_bytes()).hexdigest()
    code, stdout, err = run("repair", str(broken), "--output", str(out), "--time-limit", "20")
    assert code == 0, stdout + err
    assert "proven minimal" in stdout
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == before
    old, new = _values(broken), _values(out)
    diff = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
    assert diff and all(sheet == "July" for sheet, _ in diff)
    changes = [ln for ln in stdout.splitlines() if "->" in ln]
    assert len(changes) == len(diff)
    wb = openpyxl.load_workbook(out)
    for _, coord in diff:
        cell = wb["July"][coord]
        assert cell.comment is not None and "was" in cell.comment.text
        assert cell.fill.fill_type == "solid"
    # formatting and other sheets survive
    assert wb["July"].column_dimensions["A"].width == 24
    assert wb["July"]["A1"].fill.start_color.rgb == "FFCCE5FF"
    assert wb["Notes"]["A1"].value.startswith("Swap requests")
    # and the copy passes check
    assert run("check", str(out))[0] == 0


def test_repair_json_and_changes_csv(broken, tmp_path):
    changes = tmp_path / "changes.csv"
    code, out, _ = run("repair", str(broken), "--format", "json", "--changes", str(changes))
    assert code == 0
    doc = json.loads(out)
    assert doc["status"] == "optimal" and doc["proven_minimal"] is True
    assert doc["changed_cells"] == len(doc["changes"]) > 0
    assert doc["after"]["summary"]["errors"] == 0
    lines = changes.read_text().splitlines()
    assert lines[0] == "resident,date,slot,old,new,sheet,cell,fixes" and len(lines) == len(doc["changes"]) + 1


def test_repair_refuses_to_overwrite_its_input(broken):
    code, _, err = run("repair", str(broken), "--output", str(broken))
    _bad(code, err, "never overwrites an input")


def test_repair_infeasible_exits_3_with_an_explanation(tmp_path):
    rows = {n: ("1", ["C", "D"] + ["OFF"] * 12) for n in ("Ann Bo", "Cy Do", "Ed Fu")}
    p = write_roster(tmp_path / "inf.xlsx", rows)
    code, out, _ = run("repair", str(p))
    assert code == 3
    assert "No compliant roster" in out


def test_repair_lock_options_are_validated(broken):
    code, _, err = run("repair", str(broken), "--lock", "Nobody Here:2026-07-04")
    _bad(code, err, "--lock", "no resident 'Nobody Here'")


@pytest.mark.parametrize("args", [["chek", "x"], ["check"], ["check", "r.csv", "--bogus"],
                                  ["repair", "r.csv", "--time-limit", "nan"], ["check", "r.csv", "--jobs", "-1"]])
def test_command_line_mistakes_are_one_line_exit_2(args: list[str]) -> None:
    r = subprocess.run([sys.executable, "-m", "rostercheck", *args], capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("rostercheck: error: ") and "--help" in lines[0], r.stderr
