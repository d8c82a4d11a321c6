"""The pre-commit hook definition, run the way pre-commit runs it, and the documented CI examples."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from workbooks import days, make_xlsx

ROOT = Path(__file__).resolve().parent.parent
CLEAN = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "D OFF D D OFF D D"}
BROKEN = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "C D OFF OFF C D OFF"}


def roster(path: Path, rows: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [[name, 1, *codes.split()] for name, codes in rows.items()]
    return make_xlsx(path, {"Roster": [["Resident", "PGY", *days(7)], *body]})


def hook() -> dict:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list) and len(hooks) == 1
    return hooks[0]


def entry_command(entry: str) -> list[str]:
    """The hook's entry as pre-commit would run it: the installed console script, from this environment."""
    argv = shlex.split(entry)
    script = Path(sys.executable).with_name(argv[0])
    found = str(script) if script.exists() else shutil.which(argv[0])
    assert found, f"{argv[0]} is not installed; `pip install -e .` first"
    return [found, *argv[1:]]


def selected(h: dict, files: list[str]) -> list[str]:
    """pre-commit's file selection: `files` matches and `exclude` does not (re.search on the path)."""
    keep = [f for f in files if re.search(h["files"], f)]
    return [f for f in keep if not (h.get("exclude") and re.search(h["exclude"], f))]


def test_hook_definition() -> None:
    h = hook()
    assert (h["id"], h["entry"], h["language"]) == ("rostercheck", "rostercheck check", "python")
    assert h["files"] == r"\.(xlsx|xlsm|csv)$"
    assert h["require_serial"] is True  # rostercheck parallelises itself
    assert selected(h, ["r/a.xlsx", "b.xlsm", "c.csv", "d.xls", "notes.txt", "r/~$a.xlsx", "x.xlsx.bak"]) == [
        "r/a.xlsx", "b.xlsm", "c.csv"]


@pytest.mark.parametrize(("names", "expected"), [(["rosters/ok.xlsx"], 0),
                                                 (["rosters/ok.xlsx", "rosters/bad.xlsx"], 1)])
def test_hook_entry_runs_on_the_files_pre_commit_passes(tmp_path: Path, names: list[str], expected: int) -> None:
    roster(tmp_path / "rosters" / "ok.xlsx", CLEAN)
    roster(tmp_path / "rosters" / "bad.xlsx", BROKEN)
    (tmp_path / "rosters" / "~$ok.xlsx").write_bytes(b"lock")  # Excel's lock file, open in another window
    (tmp_path / "README.md").write_text("rosters")
    h = hook()
    files = selected(h, [*names, "rosters/~$ok.xlsx", "README.md"])
    assert files == names
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    r = subprocess.run([*entry_command(h["entry"]), *files], cwd=tmp_path, env=env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == expected, r.stdout + r.stderr
    last = r.stdout.strip().splitlines()[-1]
    assert last.startswith("ok: no rule broken") if expected == 0 else last.startswith("2 errors")


# ------------------------------------------------------------------------------------ docs
def test_ci_doc_states_the_exit_codes_of_the_help() -> None:
    from rostercheck.cli import EXIT_HELP

    doc = (ROOT / "docs" / "ci.md").read_text()
    for code in ("0", "1", "2", "3"):
        assert re.search(rf"^\| `{code}` \|", doc, re.M), code
    assert "Exit codes" in EXIT_HELP


def test_example_workflows_parse_and_run_rostercheck() -> None:
    gha = yaml.safe_load((ROOT / "docs" / "examples" / "github-actions.yml").read_text())
    steps = gha["jobs"]["check"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "rostercheck check rosters/" in runs and "rostercheck diff --git" in runs
    assert any(s.get("with", {}).get("fetch-depth") == 0 for s in steps)
    gl = yaml.safe_load((ROOT / "docs" / "examples" / "gitlab-ci.yml").read_text())
    job = gl["rostercheck"]
    assert job["artifacts"]["reports"]["junit"] == "rostercheck.xml"
    assert any("--format junit --output rostercheck.xml" in line for line in job["script"])
    assert "rostercheck diff --git" in "\n".join(gl["roster-diff"]["script"])
    pc = yaml.safe_load((ROOT / "docs" / "examples" / "pre-commit-config.yaml").read_text())
    assert pc["repos"][0]["hooks"][0]["id"] == hook()["id"]
