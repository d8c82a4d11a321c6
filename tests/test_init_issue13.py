"""`rostercheck init` that does not swamp the first check (issue 13, point 8)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import days, make_xlsx

from rostercheck.cli import main

REAL = Path(__file__).parent / "data" / "real"


def _init(path: Path) -> tuple[int, str, dict]:
    r = CliRunner().invoke(main, ["init", str(path)])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    config = path.parent / "rostercheck.toml"
    return r.exit_code, r.stdout + r.stderr, tomllib.loads(config.read_text()) if config.exists() else {}


def test_c_defaults_to_what_the_workbooks_legend_says_with_evidence_both_ways(tmp_path: Path) -> None:
    roster = tmp_path / "block10-export.xlsx"
    shutil.copy(REAL / "block10-export.xlsx", roster)
    code, out, config = _init(roster)
    assert code == 0, out  # the legend sheet's "C = Clinic" used to stop init too
    assert config["shifts"]["C"] == {"kind": "work", "description": "clinic"}
    assert "defaulted to what the workbook's legend sheet says, 'Clinic' (__REF__!A2)" in out
    assert "other evidence: no post-call code in use" in out
    assert "# CONFIRM C:" in (tmp_path / "rostercheck.toml").read_text()
    assert config["shifts"]["LV-AM"]["kind"] == "leave"  # from the legend's description "Leave AM"
    r = CliRunner().invoke(main, ["check", str(roster)])
    assert r.exit_code == 0, r.stdout + r.stderr


def test_a_type_column_of_res_and_fac_is_offered_as_the_rows_filter(tmp_path: Path) -> None:
    rows = [["Resident", "Type", *days(7)], ["Ann Lee", "RES", *["D"] * 7], ["Bob Kim", "RES", *["N"] * 7],
            ["Dr Wu", "FAC", *["ATT"] * 7], ["Dr Ng", "FAC", *["ATT"] * 7]]  # fmt: skip
    code, out, config = _init(make_xlsx(tmp_path / "t.xlsx", {"Block": rows}))
    assert code == 0, out
    assert config["roster"]["rows"] == {"column": "Type", "match": ["RES*"]}
    assert "2 residents kept by rows" in out


def test_placeholder_rows_are_flagged(tmp_path: Path) -> None:
    rows = [["Resident", "PGY", *days(7)], ["Ann Lee", 1, *["D"] * 7], ["TBD", 2, *[None] * 7],
            ["Unassigned", 3, *["N"] * 7]]  # fmt: skip
    code, out, _ = _init(make_xlsx(tmp_path / "p.xlsx", {"Block": rows}))
    assert code == 0, out
    assert "skipped: 1 placeholder row without codes ('TBD')" in out
    assert "'Unassigned' looks like a placeholder, not a person, but has codes" in out


def test_init_writes_down_a_year_read_from_weekday_labels(tmp_path: Path) -> None:
    import datetime as dt

    today = dt.date.today()
    fits = [y for y in range(today.year - 5, today.year + 6) if dt.date(y, 3, 12).weekday() == 3
            and dt.date(y, 3, 13).weekday() == 4]  # fmt: skip
    if len(fits) != 1:
        pytest.skip(f"Thu 3/12 and Fri 3/13 fit {fits} near {today.year}: no unique year to infer this year")
    dates = [dt.date(fits[0], 3, 12 + k) for k in range(2)]
    rows = [[None, *[f"{d:%a}" for d in dates]], ["Resident", *[f"{d.month}/{d.day}" for d in dates]],
            ["Ann Lee", "D", "D"]]  # fmt: skip
    code, out, config = _init(make_xlsx(tmp_path / "y.xlsx", {"Block": rows}))
    assert code == 0, out
    assert config["roster"]["year"] == fits[0]
    assert f"year: {fits[0]}, read from the weekday labels of sheet 'Block' (the dates have none)" in out
