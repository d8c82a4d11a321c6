"""`rostercheck read`, and how check reports what the reader skipped (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from workbooks import days, make_xlsx

from rostercheck.cli import main


def _program(tmp_path: Path) -> Path:
    """Residents and faculty in one grid, told apart by ROLE, with two section titles."""
    rows = [["Resident", "ROLE", *days(7)], ["Residents", None, *[None] * 7]]
    rows += [[name, "PGY 1", *["D"] * 5, "OFF", "OFF"] for name in ("F", "Sun", "Avery Chen")]
    rows += [["Faculty", None, *[None] * 7]]
    rows += [[f"Dr {k}", "FAC", *["D"] * 7] for k in range(12)]
    return make_xlsx(tmp_path / "program.xlsx", {"Block": rows})


def _invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def test_check_prints_one_line_of_skipped_rows(tmp_path: Path) -> None:
    code, out, _ = _invoke("check", str(_program(tmp_path)), "--rows", "ROLE=PGY*", "--preset", "none")
    assert code == 0
    assert "3 residents" in out.splitlines()[0]
    assert "  skipped 14 rows: 12 rows filter (ROLE=FAC), 2 section titles" in out.splitlines()


def test_check_json_carries_the_read_object(tmp_path: Path) -> None:
    code, out, _ = _invoke("check", str(_program(tmp_path)), "--rows", "ROLE=PGY*", "--preset", "none",
                           "--format", "json")  # fmt: skip
    assert code == 0
    read = json.loads(out)["files"][0]["read"]
    assert [(r["name"], r["row"], r["codes"]) for r in read["residents"]] == [
        ("F", 3, 7), ("Sun", 4, 7), ("Avery Chen", 5, 7)
    ]  # fmt: skip
    assert len(read["skipped"]) == 14 and read["skipped"][0] == {
        "sheet": "Block", "row": 2, "text": "Residents", "reason": "section title", "detail": "", "column": None
    }  # fmt: skip
    assert read["sheets"][0]["used"] and read["sheets"][0]["header-row"] == 1
    assert read["warnings"] == []


def test_read_command_text_and_json(tmp_path: Path) -> None:
    path = str(_program(tmp_path))
    code, out, _ = _invoke("read", path, "--rows", "ROLE=PGY*")
    assert code == 0
    assert (
        out.splitlines()[0]
        == f"{path}: 3 resident rows read, skipped 14 rows: 12 rows filter (ROLE=FAC), 2 section titles"
    )
    assert "  sheet 'Block': read as a whole-day grid" in out
    assert "    dates: 2026-07-01 (Wed) to 2026-07-07 (Tue), 7 days" in out
    assert any(line.split() == ["row", "3", "F", "7", "codes", "PGY", "1"] for line in out.splitlines())
    assert "  row 6     section title: 'Faculty'" in out
    code, out, _ = _invoke("read", path, "--rows", "ROLE=PGY*", "--format", "json")
    assert code == 0 and set(json.loads(out)) == {"residents", "skipped", "sheets", "warnings"}


def test_read_command_bad_input_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("wrong_header,something_else\nval1,val2\n")
    code, out, err = _invoke("read", str(bad))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "bad.csv" in err


def test_the_html_report_says_what_was_skipped(tmp_path: Path) -> None:
    page = tmp_path / "r.html"
    code, _, err = _invoke("report", str(_program(tmp_path)), "--rows", "ROLE=PGY*", "--preset", "none",
                           "--html", str(page))  # fmt: skip
    assert code == 0, err
    assert "skipped 14 rows: 12 rows filter (ROLE=FAC), 2 section titles" in page.read_text()
