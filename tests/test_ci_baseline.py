"""Baselines: record today's findings, then fail only on new ones, matched by rule, resident and
dates (not cells), and report the entries that no longer occur."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import check
from workbooks import days, make_xlsx

from rostercheck import baseline as bl
from rostercheck.cli import main

CLEAN = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "D OFF D D OFF D D"}
# Ben Ito twice works a day shift straight after 24 h call: two shift-length errors.
BROKEN = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "C D OFF OFF C D OFF"}
# Ann Lee now breaks shift-length as well: one new finding.
WORSE = {"Ann Lee": "C D OFF D D OFF D", "Ben Ito": "C D OFF OFF C D OFF"}
# Ben Ito's second call is fixed: one baselined finding no longer occurs.
BETTER = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "C D OFF OFF D D OFF"}


def roster(path: Path, rows: dict[str, str], *, top: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [[name, 1, *codes.split()] for name, codes in rows.items()]
    return make_xlsx(path, {"Roster": [["Resident", "PGY", *days(7)], *body]}, top=top)


@pytest.fixture(autouse=True)
def _repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Work in a repository-like folder, outside GitHub Actions' auto format."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_baseline_records_findings_in_a_stable_documented_shape(tmp_path: Path) -> None:
    roster(tmp_path / "rosters" / "july.xlsx", BROKEN)
    roster(tmp_path / "rosters" / "aug.xlsx", CLEAN)
    code, out, _ = run("baseline", "rosters", "-o", ".rostercheck-baseline.json")
    assert code == 0
    assert out == "recorded 2 findings (2 errors, 0 warnings) from 2 rosters in .rostercheck-baseline.json\n"
    doc = json.loads((tmp_path / ".rostercheck-baseline.json").read_text())
    assert doc["version"] == 1
    first = doc["entries"][0]
    assert {k: first[k] for k in ("roster", "rule", "resident", "start", "end")} == {
        "roster": "rosters/july.xlsx", "rule": "shift-length", "resident": "Ben Ito",
        "start": "2026-07-01T07:00", "end": "2026-07-02T19:00"}
    assert re.fullmatch(r"[0-9a-f]{16}", first["fingerprint"])
    assert first["fingerprint"] == bl.fingerprint("rosters/july.xlsx", "shift-length", "Ben Ito",
                                                  "2026-07-01T07:00", "2026-07-02T19:00")
    assert [e["start"] for e in doc["entries"]] == ["2026-07-01T07:00", "2026-07-05T07:00"]
    # the default file name, and the same content on a second run (it diffs cleanly in review)
    assert run("baseline", "rosters")[0] == 0
    assert (tmp_path / bl.DEFAULT_FILE).read_text() == (tmp_path / ".rostercheck-baseline.json").read_text()


def test_check_with_baseline_passes_on_known_findings_and_fails_on_new_ones(tmp_path: Path) -> None:
    path = roster(tmp_path / "rosters" / "july.xlsx", BROKEN)
    run("baseline", "rosters", "-o", "base.json")
    assert run("check", "rosters")[0] == 1
    code, out, _ = run("check", "rosters", "--baseline", "base.json")
    assert code == 0
    lines = out.rstrip().splitlines()
    assert lines[-2] == "baseline base.json: 2 known findings not shown, 0 entries fixed since baseline"
    assert lines[-1] == "ok: no new findings in rosters/july.xlsx (2 residents; 2 recorded in the baseline)"
    roster(path, WORSE)
    code, out, _ = run("check", "rosters", "--baseline", "base.json")
    assert code == 1
    assert "Ann Lee" in out and "Ben Ito" not in out  # only the new finding is reported
    assert out.rstrip().splitlines()[-1].startswith("1 error, 0 warnings")


def test_inserting_rows_does_not_break_the_baseline(tmp_path: Path) -> None:
    path = roster(tmp_path / "july.xlsx", BROKEN)
    run("baseline", "july.xlsx", "-o", "base.json")
    before = json.loads(run("check", "july.xlsx", "--format", "json")[1])["violations"][0]["cells"][0]["cell"]
    # a title block above the table and a new resident first: every cell moves
    roster(path, {"Cara Diaz": "D OFF D D OFF D D", **BROKEN}, top=4)
    after = json.loads(run("check", "july.xlsx", "--format", "json")[1])["violations"][0]["cells"][0]["cell"]
    assert before != after
    code, out, _ = run("check", "july.xlsx", "--baseline", "base.json", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["violations"] == []
    assert doc["baseline"]["baselined"] == 2 and doc["baseline"]["fixed"] == []


def test_entries_no_longer_seen_are_listed_as_fixed_but_do_not_fail(tmp_path: Path) -> None:
    path = roster(tmp_path / "july.xlsx", BROKEN)
    run("baseline", "july.xlsx", "-o", "base.json")
    roster(path, BETTER)
    code, out, _ = run("check", "july.xlsx", "--baseline", "base.json")
    assert code == 0
    assert ("fixed since baseline: july.xlsx: shift-length (Ben Ito) 2026-07-05 07:00 -> 07-06 19:00"
            in out)
    code, out, _ = run("check", "july.xlsx", "--baseline", "base.json", "--format", "json")
    block = json.loads(out)["baseline"]
    assert (block["file"], block["new"], block["baselined"]) == ("base.json", 0, 1)
    assert [(e["rule"], e["resident"], e["start"]) for e in block["fixed"]] == [
        ("shift-length", "Ben Ito", "2026-07-05T07:00")]


def test_json_report_only_gains_keys_with_a_baseline(tmp_path: Path) -> None:
    roster(tmp_path / "july.xlsx", BROKEN)
    run("baseline", "july.xlsx", "-o", "base.json")
    plain = json.loads(run("check", "july.xlsx", "--format", "json")[1])
    based = json.loads(run("check", "july.xlsx", "--format", "json", "--baseline", "base.json")[1])
    assert list(based)[: len(plain)] == list(plain) and set(based) - set(plain) == {"baseline"}
    assert based["summary"]["errors"] == 0


def test_baseline_matches_from_any_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roster(tmp_path / "repo" / "rosters" / "july.xlsx", BROKEN)
    monkeypatch.chdir(tmp_path / "repo")
    run("baseline", "rosters", "-o", "base.json")
    monkeypatch.chdir(tmp_path / "repo" / "rosters")
    assert run("check", "july.xlsx", "--baseline", "../base.json")[0] == 0
    monkeypatch.chdir(tmp_path)
    assert run("check", str(tmp_path / "repo" / "rosters"), "--baseline", "repo/base.json")[0] == 0


def test_rosters_not_checked_are_not_reported_as_fixed(tmp_path: Path) -> None:
    roster(tmp_path / "a.xlsx", BROKEN)
    roster(tmp_path / "b.xlsx", BROKEN)
    run("baseline", "a.xlsx", "b.xlsx", "-o", "base.json")
    code, out, _ = run("check", "a.xlsx", "--baseline", "base.json", "--format", "json")  # pre-commit: one file
    assert code == 0 and json.loads(out)["baseline"]["fixed"] == []


def test_matching_counts_duplicates() -> None:
    res = check({"Ben Ito": BROKEN["Ben Ito"]}, path="r.xlsx")
    base = bl.Baseline("b.json", ".", bl.document([res], ".")["entries"][:1])
    out, cmp = bl.apply(base, [res])
    assert (cmp.baselined, cmp.new) == (1, 1) and len(out[0].findings) == 1
    assert len(res.findings) == 2  # the input result is not changed
    twice = bl.Baseline("b.json", ".", base.entries * 2)
    _, cmp = bl.apply(twice, [res])  # one finding matches one copy; the spare copy no longer occurs
    assert cmp.baselined == 1 and len(cmp.fixed) == 1


def test_github_and_junit_carry_the_baseline(tmp_path: Path) -> None:
    path = roster(tmp_path / "july.xlsx", BROKEN)
    run("baseline", "july.xlsx", "-o", "base.json")
    roster(path, BETTER)
    code, out, _ = run("check", "july.xlsx", "--baseline", "base.json", "--format", "github")
    assert code == 0
    assert out.splitlines()[0].startswith("::notice title=fixed since baseline::shift-length (Ben Ito)")
    assert "baseline base.json: 1 known finding not shown, 1 entry fixed since baseline" in out
    code, out, _ = run("check", "july.xlsx", "--baseline", "base.json", "--format", "junit")
    suite = ET.fromstring(out.split("\n", 1)[1]).find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props == {"baselined": "1", "fixed-since-baseline": "1"}
    assert suite.find("system-out").text.startswith("fixed since baseline: shift-length Ben Ito")


@pytest.mark.parametrize(("content", "message"), [
    (None, "baseline file not found"),
    ("{", "not a baseline file: invalid JSON"),
    ('{"version": 2, "entries": []}', 'expected {"version": 1'),
    ('{"version": 1, "entries": [{"roster": "a"}]}', "entry 1 needs roster, rule, start and end"),
])
def test_unusable_baseline_is_one_line_and_exit_2(tmp_path: Path, content: str | None, message: str) -> None:
    roster(tmp_path / "july.xlsx", CLEAN)
    if content is not None:
        (tmp_path / "base.json").write_text(content)
    code, _, err = run("check", "july.xlsx", "--baseline", "base.json")
    assert code == 2 and err.count("\n") == 1 and message in err and err.startswith("rostercheck: error: base.json")


def test_baseline_is_not_written_when_a_roster_is_unreadable(tmp_path: Path) -> None:
    roster(tmp_path / "a.xlsx", BROKEN)
    (tmp_path / "b.xlsx").write_text("x")
    code, _, err = run("baseline", ".", "-o", "base.json")
    assert code == 2 and not (tmp_path / "base.json").exists()
    assert "b.xlsx: not a readable Excel workbook" in err and "not written" in err
