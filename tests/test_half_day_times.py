"""Own times on half-day grids (issue 13, point 6): a code the config times keeps its times; a code
without times takes the session's."""

from __future__ import annotations

from pathlib import Path

from workbooks import days, make_xlsx

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.read import read_roster

CONFIG = {
    "preset": "none",
    "rules": {"week": {"kind": "max-hours", "limit": 80, "average-days": 7}},
    "shifts": {"WARD": {"kind": "work", "start": "07:00", "end": "19:00"}, "CL": {"kind": "work"}},
}


def _half_day(tmp_path: Path, rows: dict[str, list[str]]) -> Path:
    header = ["Resident", *[x for d in days(7) for x in (d, None)]]
    sessions = [None, *["AM", "PM"] * 7]
    body = [[name, *[c for code in codes for c in (code, code)]] for name, codes in rows.items()]
    return make_xlsx(tmp_path / "half.xlsx", {"Block": [header, sessions, *body]})


def _hits(tmp_path: Path, rows: dict[str, list[str]]) -> dict[str | None, float]:
    raw = read_roster(_half_day(tmp_path, rows))
    assert raw.layout == "half-day"
    return {f.resident: f.value for f in check_raw(raw, parse(CONFIG, path="t.toml")).findings}


def test_a_timed_ward_code_is_twelve_hours_not_two_sessions(tmp_path: Path) -> None:
    # seven 12-hour ward days are 84 h in the week; read as two 4-hour sessions they were 56 h
    hits = _hits(tmp_path, {"Ward All Week": ["WARD"] * 7, "Ward Six Days": ["WARD"] * 6 + [""]})
    assert list(hits) == ["Ward All Week"] and hits["Ward All Week"] == 84.0


def test_a_code_without_times_takes_the_session_times(tmp_path: Path) -> None:
    # clinic in both sessions every day: 8 h a day, 56 h, within the limit
    assert _hits(tmp_path, {"Clinic": ["CL"] * 7}) == {}
