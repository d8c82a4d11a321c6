"""The shipped sample rosters: each reads, and ``rostercheck check`` finds exactly what
``sample_rosters/README.md`` says it finds (rule ids and residents, exit codes)."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from rostercheck.check import CheckResult, check_raw
from rostercheck.cli import main
from rostercheck.config import load

SAMPLES = Path(__file__).resolve().parent.parent / "sample_rosters"
IM = SAMPLES / "internal-medicine"
FM = SAMPLES / "family-medicine"
NIGHTS = SAMPLES / "night-float"

read = pytest.importorskip("rostercheck.read")


def checked(path: Path) -> CheckResult:
    cfg = load(path)
    return check_raw(read.read_roster(path, cfg.roster), cfg)


def pairs(result: CheckResult, severity: str) -> set[tuple[str, str | None]]:
    return {(f.rule, f.resident) for f in result.findings if f.severity == severity}


def run(path: Path) -> tuple[int, str]:
    out = CliRunner().invoke(main, ["check", str(path)])
    return out.exit_code, out.output


# ------------------------------------------------------------------------------ internal medicine
IM_ERRORS = {
    ("call-frequency", "Omar Chang"),
    ("days-off", "Nikhil Diaz"),
    ("weekly-hours", "Arjun Sato"),
    ("post-call-rest", "Kavya Martin"),
    ("shift-length", "Amir Cohen"),
}
IM_WARNINGS = {
    ("consecutive-nights", "Aaliyah Wang"),
    ("protected-evening", "Aaliyah Wang"),
    ("rest-between-shifts", "Zoe Mehta"),
    # what the residents with errors lose along the way
    ("golden-weekend", "Omar Chang"),
    ("golden-weekend", "Nikhil Diaz"),
    ("golden-weekend", "Arjun Sato"),
}


def test_internal_medicine_july_breaks_the_planted_rules() -> None:
    result = checked(IM / "july-2026.xlsx")
    assert result.timeline.n_residents == 30 and result.days == 31
    assert pairs(result, "error") == IM_ERRORS
    assert pairs(result, "warning") == IM_WARNINGS
    assert (result.errors, result.warnings) == (5, 6)
    shift = next(f for f in result.findings if f.rule == "shift-length")
    assert shift.value == 34 and [c.cell for c in shift.cells] == ["Q30", "R30"]  # call on 7/14, clinic on 7/15


def test_internal_medicine_july_on_the_command_line() -> None:
    code, out = run(IM / "july-2026.xlsx")
    assert code == 1
    for rule, resident in IM_ERRORS | IM_WARNINGS:
        assert resident in out and rule in out
    assert out.rstrip().endswith("5 errors, 6 warnings for 7 of 30 residents in " + str(IM / "july-2026.xlsx"))


def test_internal_medicine_compliant_month_is_clean() -> None:
    code, out = run(IM / "july-2026-compliant.xlsx")
    assert code == 0 and "ok: no rule broken" in out
    assert checked(IM / "july-2026-compliant.xlsx").findings == []


def test_internal_medicine_workbook_reads_every_resident_and_code() -> None:
    raw = read.read_roster(IM / "july-2026.xlsx")
    assert raw.layout == "grid" and raw.sheets == ["July 2026"]
    assert {r.pgy for r in raw.residents} == {1, 2, 3}
    assert {r.team for r in raw.residents} == {"Ward A", "Ward B", "Night Float", "Clinic", "Elective"}
    codes = set(raw.entries.frame()["text"])
    assert {"D", "C", "PC", "NF", "CL", "EL", "OFF", "V", "W", "PM"} <= codes
    assert {row.code for row in raw.legend} >= {"C", "NF", "PM"}


def test_the_two_months_differ_by_swaps_and_one_hand_edit() -> None:
    """Every date keeps its staffing but one, where a day off became afternoon clinic."""
    bad = read.read_roster(IM / "july-2026.xlsx").entries.frame()
    good = read.read_roster(IM / "july-2026-compliant.xlsx").entries.frame()
    assert (bad["text"] != good["text"]).sum() > 20
    edits = []
    for date, after in bad.groupby("date"):
        was, now = Counter(good.loc[after.index, "text"]), Counter(after["text"])
        if was != now:
            edits.append((date, dict(was - now), dict(now - was)))
    assert [(gone, new) for _, gone, new in edits] == [({"OFF": 1}, {"PM": 1})]


# ------------------------------------------------------------------------------ family medicine
def test_family_medicine_half_day_block() -> None:
    raw = read.read_roster(FM / "block-3.xlsx")
    assert raw.layout == "half-day"
    assert len(raw.residents) == 12 and len(raw.entries.frame()) == 12 * 28 * 2
    assert set(raw.entries.frame()["slot"]) == {"AM", "PM"}
    result = checked(FM / "block-3.xlsx")
    assert pairs(result, "error") == {("shift-length", "Mina Park")}
    assert result.warnings == 0
    (f,) = result.findings
    assert f.value == 29 and f.start == "2026-08-26T07:00" and f.end == "2026-08-27T12:00"
    code, out = run(FM / "block-3.xlsx")
    assert code == 1 and "1 error, 0 warnings" in out


# ------------------------------------------------------------------------------ night float
def test_night_float_long_csv() -> None:
    raw = read.read_roster(NIGHTS / "august-2026.csv")
    assert raw.layout == "long" and len(raw.residents) == 6 and len(raw.entries.frame()) == 6 * 31
    late = raw.entries.frame()[(raw.entries.frame()["end"] == "09:30")]
    assert len(late) == 1 and late.iloc[0]["start"] == "19:00"
    result = checked(NIGHTS / "august-2026.csv")
    assert pairs(result, "error") == set()
    assert pairs(result, "warning") == {("consecutive-nights", "Lena Vogel"), ("protected-evening", "Lena Vogel")}
    code, out = run(NIGHTS / "august-2026.csv")
    assert code == 0 and "0 errors, 2 warnings" in out


# ------------------------------------------------------------------------------ reproducible
def test_make_samples_rewrites_the_same_bytes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert [str(p) for p in made] == [
        "family-medicine/block-3.xlsx", "family-medicine/rostercheck.toml",
        "internal-medicine/july-2026-compliant.xlsx", "internal-medicine/july-2026.xlsx",
        "internal-medicine/rostercheck.toml",
        "night-float/august-2026.csv", "night-float/rostercheck.toml",
    ]
    for p in made:
        assert (tmp_path / p).read_bytes() == (SAMPLES / p).read_bytes(), p
