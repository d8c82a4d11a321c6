"""rostercheck in CI: many inputs (files, directories, globs) checked in parallel in a stable order,
the github and junit formats, ``--format auto``, colour, and exit codes when some inputs are unusable."""

from __future__ import annotations

import io
import json
import os
import pickle
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from workbooks import days, make_csv, make_xlsx

from rostercheck.batch import CheckJob, check_file, expand_inputs, run_ordered
from rostercheck.cli import _use_color, main
from rostercheck.report import github

CLEAN = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "D OFF D D OFF D D"}
# Ben Ito twice works a day shift straight after 24 h call: two shift-length errors.
BROKEN = {"Ann Lee": "D D OFF D D OFF D", "Ben Ito": "C D OFF OFF C D OFF"}
# Only a warning: four day shifts in a row, under a config rule that warns after three.
RUN_RULE = '[rules.day-runs]\nkind = "max-consecutive"\ncodes = ["D"]\nmax = 3\nseverity = "warning"\n'
LONG_RUN = {"Ann Lee": "D D D D OFF OFF D", "Ben Ito": "D OFF D D OFF D D"}


def roster(path: Path, rows: dict[str, str]) -> Path:
    """A one-sheet grid: header in row 1, residents from row 2, a week from 2026-07-01."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = [[name, 1, *codes.split()] for name, codes in rows.items()]
    return make_xlsx(path, {"Roster": [["Resident", "PGY", *days(7)], *body]})


@pytest.fixture(autouse=True)
def _not_in_github_actions(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run under GitHub Actions too; ``--format auto`` must not see that unless asked."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args), env=env)
    return r.exit_code, r.stdout, r.stderr


# ------------------------------------------------------------------------------------ inputs
def test_directories_expand_recursively_skipping_hidden_dirs_and_lock_files(tmp_path: Path) -> None:
    for name in ("b.xlsx", "a/z.csv", "a/y.xlsm", "a/deep/x.XLSX", ".git/h.xlsx", "a/.cache/h.csv",
                 "~$b.xlsx", ".hidden.xlsx", "notes.txt", "a/readme.md"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    paths, problems = expand_inputs([str(tmp_path)])
    rel = [Path(p).relative_to(tmp_path).as_posix() for p in paths]
    assert rel == ["a/deep/x.XLSX", "a/y.xlsm", "a/z.csv", "b.xlsx"]
    assert problems == []


def test_globs_are_expanded_deduplicated_and_sorted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("r/july.xlsx", "r/aug.xlsx", "r/~$july.xlsx", "r/old/june.xlsx", "r/notes.txt"):
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    monkeypatch.chdir(tmp_path)
    paths, problems = expand_inputs(["r/*.xlsx", "r/july.xlsx", "r/**/*.xlsx", "r/*"])
    assert paths == ["r/aug.xlsx", "r/july.xlsx", "r/old/june.xlsx"]
    assert problems == []


def test_missing_file_is_kept_but_empty_glob_and_folder_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    paths, problems = expand_inputs([str(tmp_path / "missing.xlsx"), str(tmp_path / "*.xlsx"),
                                     str(tmp_path / "empty")])
    assert paths == [str(tmp_path / "missing.xlsx")]  # the reader says "file not found" for it
    assert [p.error.split(": ", 1)[1] for p in problems] == [
        "no roster files match this pattern", "no roster files (*.xlsx, *.xlsm, *.csv) in this folder"]


def _slow_first(x: int) -> int:
    time.sleep(0.4 if x == 0 else 0.0)  # the first item finishes last
    return x * 10


def test_parallel_results_keep_input_order_whatever_finishes_first() -> None:
    assert run_ordered(_slow_first, [0, 1, 2, 3], jobs=3) == [0, 10, 20, 30]
    assert run_ordered(_slow_first, [2, 1], jobs=1) == [20, 10]


def _dies_on_seven(x: int) -> int:
    if x == 7:
        import faulthandler

        faulthandler.disable()  # pytest's fault handler would print the abort into the test log
        os.abort()  # a reader taking its whole process down
    return x * 10


def test_chunked_workers_still_lose_only_the_file_that_kills_them() -> None:
    """Items go out in chunks (here 2-5 per message); a worker that dies takes its whole chunk and
    the pool down, and every unfinished item is run again alone: only the culprit is lost."""
    items = list(range(40))
    for jobs in (2, 3):
        got = run_ordered(_dies_on_seven, items, jobs=jobs, on_crash=lambda x: -x)
        assert got == [-7 if x == 7 else x * 10 for x in items]


def test_what_crosses_the_process_boundary_pickles(tmp_path: Path) -> None:
    out = check_file(CheckJob(str(roster(tmp_path / "b.xlsx", BROKEN)), ()))
    back = pickle.loads(pickle.dumps(out))
    assert back.error is None and back.result.errors == 2
    assert [f.as_dict() for f in back.result.findings] == [f.as_dict() for f in out.result.findings]
    bad = check_file(CheckJob(str(tmp_path / "nope.xlsx"), ()))
    assert bad.result is None and "file not found" in pickle.loads(pickle.dumps(bad)).error


def test_parallel_and_serial_runs_print_the_same_report(tmp_path: Path) -> None:
    for i in range(4):
        roster(tmp_path / f"r{3 - i}.xlsx", BROKEN if i % 2 else CLEAN)
    serial = run("check", str(tmp_path), "--jobs", "1", "--format", "json")
    parallel = run("check", str(tmp_path), "--jobs", "4", "--format", "json")
    assert serial == parallel and serial[0] == 1
    doc = json.loads(parallel[1])
    assert doc["rosters"] == [str(tmp_path / f"r{i}.xlsx") for i in range(4)]
    assert doc["summary"]["errors"] == 4


def _synth_folder(folder: Path) -> list[str]:
    """Random rosters with planted violations as a program keeps them: xlsx and csv, config beside."""
    from tools import synth

    folder.mkdir(parents=True, exist_ok=True)
    shifts = "\n".join(f"{code} = {{ {', '.join(f'{k} = {json.dumps(v)}' for k, v in spec.items())} }}"
                       for code, spec in synth.SHIFTS.items())
    (folder / "rostercheck.toml").write_text(
        f'preset = ["acgme", "wellness"]\ntimezone = "America/Chicago"\n\n[shifts]\n{shifts}\n')
    paths = []
    for seed, (residents, n_days) in enumerate([(20, 31), (24, 62), (18, 45), (30, 28)]):
        s = synth.generate(residents, n_days, seed=seed)
        s, _ = synth.plant(s, 3, seed=seed, kinds=["shift-length", "post-call-rest", "weekly-hours", "days-off"])
        if seed % 2:
            paths.append(str(synth.write_long_csv(s, folder / f"r{seed}.csv")))
        else:
            synth.write_xlsx(s, folder / f"r{seed}.xlsx")
            paths.append(str(folder / f"r{seed}.xlsx"))
    return paths


def test_workers_send_back_findings_and_summary_not_the_timeline(tmp_path: Path) -> None:
    """A batch result carries what every report prints, without the timeline (170 KB pickled for a
    30 x 31 roster; the findings are a few KB), and reports the same as the full result."""
    from rostercheck.pipeline import check_path
    from rostercheck.report import render

    for path in _synth_folder(tmp_path):
        full = check_path(path, {})
        out = check_file(CheckJob(path, ()))
        assert out.result.timeline is None
        tl = full.timeline
        assert (out.result.n_residents, out.result.days, out.result.first_date, out.result.last_date) == (
            tl.n_residents, tl.n_days - tl.first, tl.date_of(tl.first), tl.date_of(tl.n_days - 1))
        assert len(pickle.dumps(out)) < len(pickle.dumps(full)) / 4
        for fmt in ("json", "text", "github", "junit", "csv"):
            assert render(fmt, [pickle.loads(pickle.dumps(out.result))]) == render(fmt, [full]), fmt


def test_parallel_batch_reports_exactly_what_serial_full_checks_report(tmp_path: Path) -> None:
    """Differential: forked workers, chunked hand-out and detached results against each roster checked
    alone in this process with its timeline; random rosters with planted violations, xlsx and csv."""
    from rostercheck.batch import check_many
    from rostercheck.pipeline import check_path
    from rostercheck.report import render

    paths = _synth_folder(tmp_path)
    serial = [check_path(p, {}) for p in sorted(paths, key=lambda p: Path(p).parts)]
    assert sum(r.errors for r in serial) > 0  # the planted violations are found
    for jobs in (1, 2, 3):
        outcomes = check_many(sorted(paths), {}, jobs=jobs)
        assert [o.error for o in outcomes] == [None] * len(paths)
        for fmt in ("json", "text"):
            assert render(fmt, [o.result for o in outcomes]) == render(fmt, serial), (jobs, fmt)


def test_json_parts_written_by_workers_join_to_the_bytes_of_one_dump(tmp_path: Path) -> None:
    """The JSON report of a batch is joined from parts each worker wrote (``json_report.Rendered``):
    the bytes must be those of one ``json.dumps`` of the whole document, with unusable inputs, a
    baseline block, a roster without findings, non-ASCII names and an empty batch."""
    from rostercheck.batch import FileOutcome, check_many, render_batch
    from rostercheck.report.json_report import Rendered

    paths = [str(roster(tmp_path / "a.xlsx", BROKEN)), str(roster(tmp_path / "b.xlsx", CLEAN)),
             str(roster(tmp_path / "c.xlsx", {"Zoë Ñúñez \"Q\"": "C D OFF OFF C D OFF", "Ben Ito": "D D D D D D D"}))]
    problems = [FileOutcome("d.xlsx", error="d.xlsx: not a workbook \u2014 \n second line")]
    for jobs in (1, 2):
        outcomes = check_many(paths, {}, jobs=jobs, render="json")
        results = [o.result for o in outcomes]
        rendered = [o.rendered for o in outcomes]
        assert all(isinstance(r, Rendered) for r in rendered)
        assert sum(len(r.violations) for r in rendered) > 0 and any(not r.violations for r in rendered)
        for probs, block in (((), None), (problems, None), (problems, {"file": "b.json", "baselined": 0})):
            joined = render_batch("json", results, probs, block, rendered=rendered)
            dumped = render_batch("json", results, probs, block)
            assert joined == dumped, (jobs, probs, block)
            json.loads(joined[0])
    assert render_batch("json", [], problems, rendered=[]) == render_batch("json", [], problems)
    # parts that do not match the results (a baseline narrowed them, one is missing) are not used
    assert render_batch("json", results, rendered=rendered[:2]) == render_batch("json", results)


def test_each_roster_uses_the_config_beside_it(tmp_path: Path) -> None:
    roster(tmp_path / "strict" / "july.xlsx", LONG_RUN)
    roster(tmp_path / "plain" / "july.xlsx", LONG_RUN)
    (tmp_path / "strict" / "rostercheck.toml").write_text(RUN_RULE)
    code, out, _ = run("check", str(tmp_path), "--format", "json")
    doc = json.loads(out)
    assert code == 0  # a warning only
    assert [f["warnings"] for f in doc["files"]] == [0, 1]  # plain/, then strict/
    assert run("check", str(tmp_path), "--strict")[0] == 1


def test_unusable_input_is_one_line_after_the_others_are_reported(tmp_path: Path) -> None:
    roster(tmp_path / "a.xlsx", BROKEN)
    (tmp_path / "b.xlsx").write_text("not a workbook")
    roster(tmp_path / "c.xlsx", CLEAN)
    code, out, err = run("check", str(tmp_path))
    assert code == 2  # unusable input wins over "breaks a rule"
    assert "a.xlsx: 2 residents" in out and "c.xlsx: 2 residents" in out
    assert f"not checked: {tmp_path / 'b.xlsx'}: not a readable Excel workbook" in out
    assert out.rstrip().splitlines()[-1].startswith("2 errors, 0 warnings")
    errs = err.strip().splitlines()
    assert len(errs) == 1 and errs[0].startswith(f"rostercheck: error: {tmp_path / 'b.xlsx'}: ")
    code, out, err = run("check", str(tmp_path / "b.xlsx"))
    assert code == 2 and out == "" and err.count("\n") == 1  # no "ok" line when nothing was checked


def test_strict_and_exit_codes(tmp_path: Path) -> None:
    warn = roster(tmp_path / "w" / "july.xlsx", LONG_RUN)
    (warn.parent / "rostercheck.toml").write_text(RUN_RULE)
    assert run("check", str(roster(tmp_path / "ok.xlsx", CLEAN)))[0] == 0
    assert run("check", str(roster(tmp_path / "bad.xlsx", BROKEN)))[0] == 1
    assert run("check", str(warn))[0] == 0
    assert run("check", str(warn), "--strict")[0] == 1
    (tmp_path / "rostercheck.toml").write_text("bogus = 1\n")
    assert run("check", str(tmp_path / "ok.xlsx"))[0] == 2


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["diff", "--help"], ["baseline", "--help"]])
def test_help_documents_exit_codes(args: list[str]) -> None:
    code, out, _ = run(*args)
    assert code == 0
    assert "Exit codes:" in out
    for line in ("0  no errors", "1  the roster breaks a rule", "2  an input file", "3  repair"):
        assert line in out


# ------------------------------------------------------------------------------------ github
def test_github_annotations_one_per_finding_with_file_line_and_title(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    roster(tmp_path / "rosters" / "july.xlsx", BROKEN)
    code, out, _ = run("check", "rosters", "--format", "github")
    lines = out.splitlines()
    assert code == 1
    assert lines == [
        "::error file=rosters/july.xlsx,line=3,title=shift-length (Ben Ito)::36 h of continuous work from "
        "2026-07-01 07:00 to 2026-07-02 19:00 (maximum 24 h + 4 h transition) [cells: Roster!C3:D3 (2 cells)]",
        "::error file=rosters/july.xlsx,line=3,title=shift-length (Ben Ito)::36 h of continuous work from "
        "2026-07-05 07:00 to 2026-07-06 19:00 (maximum 24 h + 4 h transition) [cells: Roster!G3:H3 (2 cells)]",
        "2 errors, 0 warnings for 1 of 2 residents in rosters/july.xlsx",
    ]


def test_github_warnings_and_absolute_paths_made_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = roster(tmp_path / "july.xlsx", LONG_RUN)
    (tmp_path / "rostercheck.toml").write_text(RUN_RULE)
    code, out, _ = run("check", str(path), "--format", "github")
    assert code == 0
    assert out.startswith("::warning file=july.xlsx,line=2,title=day-runs (Ann Lee)::")


def test_github_escaping_follows_the_workflow_command_rules() -> None:
    assert github.escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert github.escape_property("Ito, Ben: 50%\n") == "Ito%2C Ben%3A 50%25%0A"
    line = github.command("error", "a%b\nc", file="r/x,y.xlsx", line=4, title="rule (Ito, Ben: Jr)", col=None)
    assert line == "::error file=r/x%2Cy.xlsx,line=4,title=rule (Ito%2C Ben%3A Jr)::a%25b%0Ac"


def test_github_resident_names_with_delimiters_stay_in_the_title(tmp_path: Path) -> None:
    path = roster(tmp_path / "july.xlsx", {"Ito, Ben: 100%": BROKEN["Ben Ito"]})
    out = run("check", str(path), "--format", "github")[1]
    assert "title=shift-length (Ito%2C Ben%3A 100%25)::" in out


def test_github_unusable_input_is_an_annotation_too(tmp_path: Path) -> None:
    (tmp_path / "b.xlsx").write_text("x")
    code, out, err = run("check", str(tmp_path / "b.xlsx"), "--format", "github")
    assert code == 2
    assert out.startswith(f"::error file={(tmp_path / 'b.xlsx').as_posix()},title=rostercheck%3A unusable input::")
    assert "not a readable Excel workbook" in err


def test_format_auto_is_github_under_github_actions_and_text_elsewhere(tmp_path: Path) -> None:
    path = str(roster(tmp_path / "july.xlsx", BROKEN))
    assert run("check", path)[1].startswith(f"{path}: 2 residents")
    assert run("check", path, env={"GITHUB_ACTIONS": "true"})[1].startswith("::error file=")
    assert run("check", path, "--format", "auto", env={"GITHUB_ACTIONS": "false"})[1].startswith(path)
    out = tmp_path / "report.txt"
    code, stdout, _ = run("check", path, "-o", str(out), env={"GITHUB_ACTIONS": "true"})
    assert code == 1 and stdout.startswith("2 errors")
    assert out.read_text().startswith(f"{path}: 2 residents")  # a file gets text
    assert github.auto_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert github.auto_format({}) == "text"


# ------------------------------------------------------------------------------------ colour
class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_never_with_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _use_color(_Tty()) is True
    assert _use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(_Tty()) is False


def test_reports_have_no_escape_codes_off_a_terminal(tmp_path: Path) -> None:
    path = str(roster(tmp_path / "july.xlsx", BROKEN))
    for fmt in ("text", "github", "junit", "json"):
        assert "\x1b[" not in CliRunner().invoke(main, ["check", path, "--format", fmt], color=True).stdout


# ------------------------------------------------------------------------------------ junit
def _junit(out: str) -> ET.Element:
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(out.split("\n", 1)[1])


def test_junit_one_suite_per_roster_one_case_per_rule(tmp_path: Path) -> None:
    roster(tmp_path / "a.xlsx", BROKEN)
    roster(tmp_path / "b.xlsx", CLEAN)
    code, out, _ = run("check", str(tmp_path), "--format", "junit")
    assert code == 1
    root = _junit(out)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx")]
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("14", "1", "0")
    cases = {c.get("name"): c for c in suites[0].findall("testcase")}
    assert len(cases) == 7 and suites[0].get("failures") == "1"
    fail = cases["shift-length"].find("failure")
    assert fail is not None and fail.get("message") == "2 errors for Ben Ito" and fail.get("type") == "error"
    assert fail.text.splitlines()[0].startswith("ERROR Ben Ito 2026-07-01 07:00 -> 07-02 19:00: 36 h of")
    assert len(fail.text.splitlines()) == 2
    assert cases["weekly-hours"].find("failure") is None  # ran clean: a passing test
    assert all(c.get("classname") == str(tmp_path / "a.xlsx") for c in cases.values())
    assert not [c for c in suites[1].iter("failure")]


def test_junit_warnings_fail_only_with_strict(tmp_path: Path) -> None:
    path = roster(tmp_path / "july.xlsx", LONG_RUN)
    (tmp_path / "rostercheck.toml").write_text(RUN_RULE)
    code, out, _ = run("check", str(path), "--format", "junit")
    case = _junit(out).find(".//testcase[@name='day-runs']")
    assert code == 0 and case.find("failure") is None
    assert "WARNING Ann Lee" in case.find("system-out").text
    code, out, _ = run("check", str(path), "--format", "junit", "--strict")
    case = _junit(out).find(".//testcase[@name='day-runs']")
    assert code == 1 and case.find("failure").get("type") == "warning"


def test_junit_escapes_markup_and_drops_control_characters(tmp_path: Path) -> None:
    rows = [["Resident", *days(7)], ['Ben "<Ito>" & Co\x07', *BROKEN["Ben Ito"].split()]]
    path = make_csv(tmp_path / "a&b <x>.csv", rows)
    code, out, _ = run("check", str(path), "--format", "junit")
    root = _junit(out)  # parses
    assert code == 1
    fail = root.find(".//testcase[@name='shift-length']/failure")
    assert fail.get("message") == '2 errors for Ben "<Ito>" & Co'
    assert root.find("testsuite").get("name") == str(path)


def test_junit_unusable_roster_is_an_error_case_and_output_file_is_written(tmp_path: Path) -> None:
    roster(tmp_path / "a.xlsx", CLEAN)
    (tmp_path / "b.xlsx").write_text("x")
    report = tmp_path / "out" / "junit.xml"
    report.parent.mkdir()
    code, out, _ = run("check", str(tmp_path / "a.xlsx"), str(tmp_path / "b.xlsx"), "--format", "junit",
                       "-o", str(report))
    assert code == 2
    assert out.startswith("ok: no rule broken")  # the log still gets the summary line
    root = _junit(report.read_text())
    assert root.get("errors") == "1"
    err = root.find(".//testcase[@name='read']/error")
    assert err.get("type") == "unusable input" and "not a readable Excel workbook" in err.get("message")


@pytest.mark.parametrize("n,workers", [(1, 2), (3, 2), (200, 2), (1000, 8), (17, 3)])
def test_chunks_cover_every_item_once_and_shrink_to_single_files(n: int, workers: int) -> None:
    """Work is handed out in shrinking chunks: every item exactly once, in order, the last chunks
    one file each (so no worker waits on another's long last chunk)."""
    from rostercheck.batch import _chunks

    chunks = _chunks(n, workers)
    assert [i for s, e in chunks for i in range(s, e)] == list(range(n))
    sizes = [e - s for s, e in chunks]
    assert sizes == sorted(sizes, reverse=True) and sizes[-1] == 1


def test_workers_forked_after_the_preload_import_nothing_more_for_a_workbook(tmp_path: Path) -> None:
    """Each forked worker starts with ``batch._CHECKER`` imported; a module a check needs beyond it is
    imported again in every worker (the xlsx value reader's regexes, the JSON writer: ~10 ms each)."""
    import subprocess
    import sys

    sample = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
    code = (
        "import importlib, sys\n"
        "import rostercheck.cli\n"
        "from rostercheck import batch\n"
        "for m in batch._CHECKER: importlib.import_module(m)\n"
        "before = set(sys.modules)\n"
        "out = batch.check_file(batch.CheckJob(sys.argv[1], (), render='json'))\n"
        "assert out.error is None and out.rendered, out\n"
        "print(' '.join(sorted(set(sys.modules) - before)))\n"
    )
    got = subprocess.run([sys.executable, "-c", code, str(sample)], capture_output=True, text=True, check=True)
    assert got.stdout.split() == []
