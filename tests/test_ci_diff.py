"""Roster diffs for review: changed assignments, residents added and removed, findings introduced
and fixed; and ``diff --git`` end to end on a real repository with two versions of a roster."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import days, make_csv, make_xlsx

from rostercheck.cli import main
from rostercheck.diff import git_version

V1 = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "D OFF D D OFF D D", "Cara Diaz": "D D OFF D D OFF D"}
# Ben Ito gets two 24 h calls, each followed by a day shift (2 shift-length errors); Ann Lee's first
# cell is re-typed "d " (the same code); Cara Diaz leaves and Dana Fox joins.
V2 = {"Ann Lee": ["d ", "D", "OFF", "D", "D", "OFF", "D"], "Ben Ito": "C D OFF OFF C D OFF",
      "Dana Fox": "D OFF D D OFF D D"}

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def roster(path: Path, rows: dict[str, str | list[str]]) -> Path:
    """A one-sheet grid: header in row 1, residents from row 2, a week from 2026-07-01."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [[name, 1, *(codes.split() if isinstance(codes, str) else codes)] for name, codes in rows.items()]
    return make_xlsx(path, {"Roster": [["Resident", "PGY", *days(7)], *body]})


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_diff_lists_changes_residents_and_findings(tmp_path: Path) -> None:
    old = roster(tmp_path / "old.xlsx", V1)
    new = roster(tmp_path / "new.xlsx", V2)
    code, out, _ = run("diff", str(old), str(new))
    assert code == 1  # the change introduces errors
    lines = out.splitlines()
    assert lines[0] == f"{old} -> {new}"
    assert lines[1] == "changed assignments (6):"
    assert [ln.split() for ln in lines[2:8]] == [
        ["Ben", "Ito", "2026-07-01", "D", "->", "C", "Roster!C3"],
        ["Ben", "Ito", "2026-07-02", "OFF", "->", "D", "Roster!D3"],
        ["Ben", "Ito", "2026-07-03", "D", "->", "OFF", "Roster!E3"],
        ["Ben", "Ito", "2026-07-04", "D", "->", "OFF", "Roster!F3"],
        ["Ben", "Ito", "2026-07-05", "OFF", "->", "C", "Roster!G3"],
        ["Ben", "Ito", "2026-07-07", "D", "->", "OFF", "Roster!I3"],
    ]  # Ann Lee's "d " is the same assignment as "D"; Ben Ito's 07-06 stayed D
    assert "residents added: Dana Fox" in lines and "residents removed: Cara Diaz" in lines
    assert "introduced findings (2):" in lines
    assert lines[-1] == "this change adds 2 violations for Ben Ito (2 errors) and fixes none"


def test_diff_that_fixes_exits_0_and_says_so(tmp_path: Path) -> None:
    broken = roster(tmp_path / "a.xlsx", V2)
    fixed = roster(tmp_path / "b.xlsx", {**V2, "Ben Ito": "C OFF OFF OFF C OFF OFF"})
    code, out, _ = run("diff", str(broken), str(fixed))
    assert code == 0
    assert "fixed findings (2):" in out
    assert out.splitlines()[-1] == "this change adds no violations and fixes 2 violations for Ben Ito (2 errors)"
    code, out, _ = run("diff", str(broken), str(broken))
    assert (code, out.splitlines()[-1]) == (0, "no assignment changed")


def test_diff_json(tmp_path: Path) -> None:
    old = roster(tmp_path / "old.xlsx", V1)
    new = roster(tmp_path / "new.xlsx", V2)
    code, out, _ = run("diff", str(old), str(new), "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["changes"][0] == {"resident": "Ben Ito", "date": "2026-07-01", "slot": "", "old": "D", "new": "C",
                                 "sheet": "Roster", "cell": "C3"}
    assert (doc["residents-added"], doc["residents-removed"]) == (["Dana Fox"], ["Cara Diaz"])
    assert [(f["rule"], f["resident"]) for f in doc["introduced"]] == [("shift-length", "Ben Ito")] * 2
    assert doc["fixed"] == []
    assert doc["summary"]["introduced-errors"] == 2 and doc["summary"]["changes"] == 6


def test_diff_compares_codes_not_spelling_across_formats(tmp_path: Path) -> None:
    old = make_csv(tmp_path / "old.csv", [["Resident", *days(3)], ["Ann Lee", "D/W", "off", "N"]])
    new = make_csv(tmp_path / "new.csv", [["Resident", *days(3)], ["Ann Lee", "w / d", " OFF ", "D"]])
    code, out, _ = run("diff", str(old), str(new), "--format", "json")
    assert [(c["date"], c["old"], c["new"]) for c in json.loads(out)["changes"]] == [("2026-07-03", "N", "D")]
    assert code == 0


def test_diff_usage_errors_exit_2(tmp_path: Path) -> None:
    one = str(roster(tmp_path / "a.xlsx", V1))
    assert run("diff", one)[0] == 2
    assert run("diff", one, one, "--git", "HEAD")[0] == 2
    code, _, err = run("diff", one, str(tmp_path / "missing.xlsx"))
    assert code == 2 and "missing.xlsx: file not found" in err


# ------------------------------------------------------------------------------------ git
def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with rosters/july.xlsx committed twice: V1, then V2."""
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q")
    roster(r / "rosters" / "july.xlsx", V1)
    git(r, "add", ".")
    git(r, "commit", "-qm", "July roster")
    (r / "v1.bytes").write_bytes((r / "rosters" / "july.xlsx").read_bytes())  # untracked copy
    roster(r / "rosters" / "july.xlsx", V2)
    git(r, "commit", "-qam", "Swap calls")
    return r


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "GITHUB_ACTIONS"}
    return subprocess.run([sys.executable, "-m", "rostercheck", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@needs_git
def test_diff_git_end_to_end(repo: Path) -> None:
    r = _cli("diff", "--git", "HEAD~1", "--", "rosters/july.xlsx", cwd=repo)
    assert r.returncode == 1, r.stderr
    assert r.stdout.splitlines()[0] == "HEAD~1:rosters/july.xlsx -> rosters/july.xlsx"
    assert r.stdout.splitlines()[-1] == "this change adds 2 violations for Ben Ito (2 errors) and fixes none"
    # from another folder, the repository is the one holding the roster
    r = _cli("diff", "--git", "HEAD~1", "--", str(repo / "rosters" / "july.xlsx"), cwd=repo.parent)
    assert r.returncode == 1 and "changed assignments (6):" in r.stdout
    # against HEAD nothing changed; a working-tree edit back to V1 fixes both
    assert _cli("diff", "--git", "HEAD", "--", "rosters/july.xlsx", cwd=repo).stdout.strip() == (
        "HEAD:rosters/july.xlsx -> rosters/july.xlsx\nno assignment changed")
    roster(repo / "rosters" / "july.xlsx", V1)
    r = _cli("diff", "--git", "HEAD", "--", "july.xlsx", cwd=repo / "rosters")
    assert r.returncode == 0
    assert r.stdout.splitlines()[-1] == "this change adds no violations and fixes 2 violations for Ben Ito (2 errors)"


@needs_git
def test_git_version_is_byte_identical_with_the_right_name(repo: Path) -> None:
    with git_version("HEAD~1", str(repo / "rosters" / "july.xlsx")) as (tmp, label):
        assert label == "HEAD~1:rosters/july.xlsx"
        assert Path(tmp).name == "july.xlsx"
        assert Path(tmp).read_bytes() == (repo / "v1.bytes").read_bytes()
    assert not Path(tmp).exists()  # cleaned up


@needs_git
def test_diff_git_new_file_and_errors(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(repo.parent))  # tmp may sit inside some repository
    roster(repo / "rosters" / "aug.xlsx", V2)  # not committed: new at HEAD
    code, out, _ = run("diff", "--git", "HEAD", "--", "rosters/aug.xlsx")
    assert code == 1
    assert out.splitlines()[0] == "HEAD:rosters/aug.xlsx -> rosters/aug.xlsx (not in HEAD: a new roster)"
    assert out.splitlines()[-1] == "this new roster adds 2 violations for Ben Ito (2 errors)"
    code, _, err = run("diff", "--git", "no-such-rev", "--", "rosters/july.xlsx")
    assert code == 2 and "unknown git revision 'no-such-rev'" in err
    outside = roster(repo.parent / "elsewhere" / "x.xlsx", V1)
    code, _, err = run("diff", "--git", "HEAD", "--", str(outside))
    assert code == 2 and "not in a git repository" in err
