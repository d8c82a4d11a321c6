"""The four real files of tests/data/real (a public residency scheduler's exports, MIT licence in
LICENSE beside them; copied unedited): read right, or refused in one line (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from rostercheck.cli import main
from rostercheck.errors import InputError
from rostercheck.read import read_roster

REAL = Path(__file__).parent / "data" / "real"

#: Meanings only: no [roster] keys (no header row, no sheet), as the issue asks.
BLOCK10_CONFIG = """\
[shifts]
C = { kind = "work", start = "08:00", end = "17:00", description = "Clinic" }
NF = { kind = "night", start = "19:00", end = "07:00", description = "Night float" }
FMIT-PG = { kind = "work", start = "07:00", end = "19:00", description = "Inpatient service" }
LV-AM = { kind = "leave", description = "Leave, morning" }
ADMIN = { kind = "work", start = "08:00", end = "12:00", description = "Administrative" }
"""


def _invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def test_the_copies_are_the_originals_with_their_licence() -> None:
    assert "MIT" in (REAL / "LICENSE").read_text()
    original = Path("/work/shared/real-rosters")
    if original.exists():  # on the machine the files came from: byte for byte the same
        for name in ("block10-export.xlsx", "faculty-blocks-8-9.xlsx", "import-long.csv", "import-malformed.csv"):
            assert (REAL / name).read_bytes() == (original / name).read_bytes(), name


def test_block10_reads_five_residents_by_28_days() -> None:
    """A print-title date row five rows above the real header no longer makes a 'second header'."""
    raw = read_roster(REAL / "block10-export.xlsx")
    assert [r.name for r in raw.residents] == [f"Test Resident {k}" for k in range(1, 6)]
    assert [r.pgy for r in raw.residents] == [2, 3, 1, 2, 3]
    assert raw.sheets == ["Block 10"]
    dates = raw.entries.frame()["date"].dt.date
    assert (dates.min(), dates.max(), dates.nunique()) == (dt.date(2025, 3, 10), dt.date(2025, 4, 6), 28)
    assert len(raw.entries.frame()) == 5 * 28 and (raw.entries.frame()["text"] != "").all()
    assert [(r.row, r.codes) for r in raw.read.residents] == [(9 + k, 28) for k in range(5)]
    uses = {s.sheet: s for s in raw.read.sheets}
    assert uses["Block 10"].used and uses["Block 10"].header_row == 8 and "print title" in uses["Block 10"].reason
    assert (uses["__SYS_META__"].used, uses["__SYS_META__"].reason) == (False, "hidden")
    assert not uses["__REF__"].used and "legend" in uses["__REF__"].reason
    assert raw.read.skipped == ()


def test_block10_checks_with_a_config_of_meanings_only(tmp_path: Path) -> None:
    """The legend sheet's C = Clinic used to stop every command; the config's meanings win."""
    roster = tmp_path / "block10-export.xlsx"
    shutil.copy(REAL / "block10-export.xlsx", roster)
    (tmp_path / "rostercheck.toml").write_text(BLOCK10_CONFIG)
    code, out, err = _invoke("check", str(roster), "--format", "json")
    assert code in (0, 1), err
    doc = json.loads(out)
    f = doc["files"][0]
    assert (f["residents"], f["days"], f["first-date"], f["last-date"]) == (5, 28, "2025-03-10", "2025-04-06")
    assert [r["row"] for r in f["read"]["residents"]] == [9, 10, 11, 12, 13]
    code, out, err = _invoke("codes", str(roster))
    assert code == 0, out + err  # every code defined: the config's C is work, not the built-in call


def test_block10_without_a_config_warns_that_c_means_clinic_there() -> None:
    code, out, err = _invoke("read", str(REAL / "block10-export.xlsx"))
    assert code == 0, err
    assert "__REF__!A2: the legend sheet describes 'C' as 'Clinic'" in out


def test_import_long_reads_with_its_own_column_names() -> None:
    raw = read_roster(REAL / "import-long.csv")
    assert raw.layout == "long"
    assert [r.name for r in raw.residents] == ["resident_0", "resident_1", "faculty_0"]
    assert list(raw.entries.frame()["text"]) == ["Internal Medicine", "Pediatrics", "Clinic"]
    assert list(raw.entries.frame()["slot"]) == ["AM", "PM", "AM"]
    assert [d.isoformat() for d in raw.entries.frame()["date"].dt.date] == ["2026-02-01", "2026-02-01", "2026-02-02"]


def test_import_malformed_is_one_clear_line_exit_2() -> None:
    for command in ("check", "read"):
        code, out, err = _invoke(command, str(REAL / "import-malformed.csv"))
        assert code == 2 and out == ""
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "import-malformed.csv" in lines[0] and "unexpected" not in lines[0]
        assert "no header row found" in lines[0]


def test_faculty_workbook_is_refused_saying_blocks_side_by_side_and_faculty() -> None:
    with pytest.raises(InputError) as exc:
        read_roster(REAL / "faculty-blocks-8-9.xlsx")
    assert (exc.value.sheet, exc.value.cell) == ("Sheet1", "BG2")
    assert "second block of dates" in exc.value.message and "faculty, not residents" in exc.value.message
    code, _, err = _invoke("check", str(REAL / "faculty-blocks-8-9.xlsx"))
    assert code == 2 and len(err.strip().splitlines()) == 1
