"""What a new user's trial of the CLI found wrong in its outputs: spans printed one day long,
a diff total read as one person's count, output files of the wrong kind, config errors naming
flags, "1 residents". Each test runs the command as the user did."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from rostercheck.cli import main

IM = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine"


def cli(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def im(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The internal-medicine sample (broken and compliant) with its config, in a scratch folder."""
    for f in ("july-2026.xlsx", "july-2026-compliant.xlsx", "rostercheck.toml"):
        shutil.copy(IM / f, tmp_path / f)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------- 1. spans are inclusive
def test_span_text_prints_whole_days_inclusive_and_times_as_they_are() -> None:
    from rostercheck.model import span_text

    assert span_text("2026-07-01T00:00", "2026-07-29T00:00") == "2026-07-01..07-28"
    assert span_text("2026-07-04T00:00", "2026-07-05T00:00") == "2026-07-04"
    assert span_text("2026-12-30T00:00", "2027-01-02T00:00") == "2026-12-30..2027-01-01"
    assert span_text("2026-07-04T07:00", "2026-07-05T15:00") == "2026-07-04 07:00 -> 07-05 15:00"


def test_junit_span_agrees_with_the_message(im: Path) -> None:
    _, out, _ = cli("check", "july-2026.xlsx", "--format", "junit")
    line = next(ln for ln in out.splitlines() if "ERROR Nikhil Diaz" in ln and "free days" in ln)
    assert "Nikhil Diaz 2026-07-01..07-28: 3 free days in 2026-07-01 to 2026-07-28" in line
    assert "07-29" not in line


def test_diff_and_baseline_notes_print_the_last_day_not_the_exclusive_end(im: Path) -> None:
    _, out, _ = cli("diff", "july-2026.xlsx", "july-2026-compliant.xlsx")
    line = next(ln for ln in out.splitlines() if "call-frequency" in ln)
    assert "2026-07-01..07-28  10 calls in 2026-07-01 to 2026-07-28" in line

    shutil.copy("july-2026.xlsx", "r.xlsx")
    assert cli("baseline", "r.xlsx", "-o", "base.json")[0] == 0
    shutil.copy("july-2026-compliant.xlsx", "r.xlsx")
    for fmt in ("text", "junit", "github"):
        _, out, _ = cli("check", "r.xlsx", "--baseline", "base.json", "--format", fmt)
        line = next(ln for ln in out.splitlines() if "call-frequency" in ln and "Omar Chang" in ln)
        assert "2026-07-01..07-28" in line and "07-29" not in line, (fmt, line)


# ----------------------------------------------------------------- 2. the diff total is a total
def test_diff_summary_does_not_give_the_total_to_the_first_resident(im: Path) -> None:
    _, out, _ = cli("diff", "july-2026.xlsx", "july-2026-compliant.xlsx")
    last = out.splitlines()[-1]
    assert last == ("this change adds no violations and fixes 11 violations for 7 residents (2 for Aaliyah Wang, "
                    "2 for Arjun Sato, 2 for Nikhil Diaz, 2 for Omar Chang, 1 for Amir Cohen, 1 for Kavya Martin, "
                    "1 for Zoe Mehta; 5 errors, 6 warnings)")


# ------------------------------------------------------------- 3. a copy is written in its kind
@pytest.mark.parametrize("args", [
    ("repair", "july-2026.xlsx", "-o", "x.csv"),
    ("repair", "july-2026.xlsx", "-o", "x"),
    ("swap", "july-2026.xlsx", "Omar Chang", "Zoe Mehta", "2026-07-04", "-o", "x.csv"),
    ("check", "july-2026.xlsx", "--annotate", "x.csv"),
])
def test_a_workbook_roster_is_never_copied_under_a_csv_name(im: Path, args: tuple[str, ...]) -> None:
    code, _, err = cli(*args)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    option = "--annotate" if "--annotate" in args else "--output"
    assert f"{option}:" in err and "name it .xlsx" in err, err
    assert not any(p.name.startswith("x") for p in im.iterdir())


def test_a_csv_roster_is_copied_as_csv_only(tmp_path: Path) -> None:
    from workbooks import days, make_csv

    week = ["C", "D", "OFF", "D", "D", "OFF", "D"]
    src = make_csv(tmp_path / "r.csv", [["Resident", "PGY", *days(7)], ["Ann Lee", 1, *week]])
    code, _, err = cli("repair", str(src), "-o", str(tmp_path / "fixed.xlsx"))
    assert code == 2 and "--output: the roster is csv, so its copy is csv: name it .csv (not .xlsx)" in err, err
    assert not (tmp_path / "fixed.xlsx").exists()


# ------------------------------------------------------- 4. errors name where the user wrote it
def test_a_bad_lock_names_the_config_key_or_the_option_it_came_from(im: Path) -> None:
    cfg = im / "rostercheck.toml"
    plain = cfg.read_text()
    cfg.write_text(plain + '\n[repair]\nlocks = ["Nobody:2026-07-01"]\n')
    code, _, err = cli("repair", "july-2026.xlsx")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "rostercheck.toml, key 'repair.locks': 'Nobody:2026-07-01': no resident 'Nobody'" in err, err
    assert "--lock" not in err

    cfg.write_text(plain)
    code, _, err = cli("repair", "july-2026.xlsx", "--lock", "Nobody:2026-07-01")
    assert code == 2 and "--lock 'Nobody:2026-07-01': no resident 'Nobody'" in err and "key" not in err, err


def test_swap_names_the_roster_not_the_usage_placeholder(im: Path) -> None:
    code, _, err = cli("swap", "july-2026.xlsx", "Kavya Martn", "Omar Chang", "2026-07-04")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "july-2026.xlsx: swap: no resident 'Kavya Martn' in the roster (nearest: 'Kavya Martin')" in err, err
    assert "NAME_A" not in err
    code, _, err = cli("swap", "july-2026.xlsx", "Kavya Martin", "Omar Chang", "2026-09-04")
    assert code == 2 and "july-2026.xlsx: swap: 2026-09-04 is not a date of the roster" in err and "DATE" not in err


# ------------------------------------------------------------ 5. --previous is another month
@pytest.mark.parametrize("command", ["check", "repair", "fairness", "baseline"])
def test_previous_may_not_be_the_roster_itself(im: Path, command: str) -> None:
    code, out, err = cli(command, "july-2026.xlsx", "--previous", "./july-2026.xlsx")
    assert code == 2 and len(err.strip().splitlines()) == 1 and not out, err
    assert "./july-2026.xlsx: --previous is the roster itself" in err, err


# --------------------------------------------------- 6. a clean run under a baseline says so
def test_a_fully_baselined_run_says_no_new_findings_not_no_rule_broken(im: Path) -> None:
    assert cli("baseline", "july-2026.xlsx", "-o", "base.json")[0] == 0
    for fmt in ("text", "github"):
        code, out, _ = cli("check", "july-2026.xlsx", "--baseline", "base.json", "--format", fmt)
        assert code == 0
        assert out.splitlines()[-1] == ("ok: no new findings in july-2026.xlsx (30 residents; "
                                        "11 recorded in the baseline)"), (fmt, out)
    code, out, _ = cli("check", "july-2026.xlsx", "--baseline", "base.json", "-o", "report.txt")
    assert out.strip() == "ok: no new findings in july-2026.xlsx (30 residents; 11 recorded in the baseline)"
    code, out, _ = cli("check", "july-2026-compliant.xlsx")
    assert out.splitlines()[-1] == "ok: no rule broken in july-2026-compliant.xlsx (30 residents)"


# ------------------------------------------------------------------ 7. "1 day", never "1 days"
def test_counts_of_one_take_the_singular_in_rule_messages_and_reports() -> None:
    from helpers import check, rule_hits
    from test_rules import cfg

    from rostercheck.report.text import render

    res = check({"A": ["S12"] * 6 + ["-"] + ["S12"] * 21}, cfg("days-off"))
    (f,) = rule_hits(res, "days-off")
    assert f.message.startswith("1 free day in 2026-07-01 to 2026-07-28 (28 on-service days; minimum 4: 1 per 7 days)")
    text = render([res])
    assert "test.xlsx: 1 resident, 28 days (2026-07-01 to 2026-07-28), 1 rule" in text, text
    assert text.splitlines()[-1] == "1 error, 0 warnings for 1 of 1 resident in test.xlsx"


# ------------------------------------------------------- 8. init: W on most weekend cells is weekend
def _w_roster(path: Path, w_days: set[int]) -> Path:
    """Four weeks from Wednesday 2026-07-01: W on the given weekdays (Monday 0), D on the others."""
    from workbooks import days, make_xlsx

    dates = days(28)
    row = ["W" if d.weekday() in w_days else "D" for d in dates]
    return make_xlsx(path, {"Roster": [["Resident", "PGY", *dates], ["Ann Lee", 1, *row], ["Ben Ito", 2, *row]]})


@pytest.mark.parametrize(("w_days", "guess"), [
    ({4, 5, 6}, "guessed weekend: 67% of its cells are on a Saturday or Sunday (33% on weekdays)"),
    ({3, 4, 5}, "guessed wellness: 67% of its cells are on weekdays (33% on a Saturday or Sunday)"),
])
def test_init_guesses_w_by_where_most_of_its_cells_fall(tmp_path: Path, w_days: set[int], guess: str) -> None:
    roster = _w_roster(tmp_path / "r.xlsx", w_days)
    code, out, err = cli("init", str(roster))
    assert code == 0, err
    assert guess in out, out


# ---------------------------------------------- 9. a damaged zip is not "text that may be CSV"
@pytest.mark.parametrize("body", [b"PK\x03\x04garbage", b"PK\x03\x04 this is not a zip"])
def test_a_damaged_zip_named_xlsx_is_called_a_zip_not_text(tmp_path: Path, body: bytes) -> None:
    p = tmp_path / "zip.xlsx"
    p.write_bytes(body)
    code, _, err = cli("check", str(p))
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "zip.xlsx: not a readable Excel workbook (it is a zip archive, but a damaged one or not a workbook" in err
    assert "CSV" not in err and "text" not in err


# ------------------------------------------------------------- 10. --jobs 0 is every usable core
def test_jobs_0_starts_one_worker_per_usable_core(monkeypatch: pytest.MonkeyPatch) -> None:
    import concurrent.futures
    import os

    from rostercheck import batch

    asked: list[int] = []

    def pool(max_workers: int, **_: object) -> None:
        asked.append(max_workers)
        raise OSError("no processes here")  # run_ordered then runs serially

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", pool)
    items = list(range(64))
    assert batch.run_ordered(abs, items, jobs=0) == items
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert asked == ([cores] if cores > 1 else [])
    assert "default 0: all cores" in " ".join(cli("check", "--help")[1].split())


@pytest.mark.parametrize("previous", ["night-float/august-2026.csv", "internal-medicine/july-2026-compliant.xlsx"])
def test_previous_that_is_not_the_period_before_is_refused(previous: str) -> None:
    """A later month, or the same dates, as --previous: nothing of it is history, so it is a mistaken
    file, not an empty history (the checker used to drop those dates without a word)."""
    root = Path(__file__).resolve().parent.parent / "sample_rosters"
    roster = root / "internal-medicine" / "july-2026.xlsx"
    r = subprocess.run([sys.executable, "-m", "rostercheck", "check", str(roster), "--previous", str(root / previous),
                        "-q"], capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "--previous holds no date before the roster's first date, 2026-07-01" in lines[0]
