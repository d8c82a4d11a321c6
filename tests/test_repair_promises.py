"""Repair's promises (issue 15): it never hangs, gives the same answer twice, and says what it did.

Each test here failed on the code before the issue was resolved: model building enumerated chains
of shifts without bound on a half-day block with placeholder rows, two runs with different
``--workers`` gave different answers, ``--allow-remaining`` wrote nothing, changes did not say
what they fix, and impossible rosters were explained date by date or not at all.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.pipeline import load_config, read_with
from rostercheck.repair import Settings, repair
from rostercheck.repair.problem import build_problem
from rostercheck.repair.solve import build_model, solve

SAMPLES = Path(__file__).resolve().parent.parent / "sample_rosters"


# ------------------------------------------------------------------------------------ rosters
def half_day_block(tmp_path: Path, placeholders: bool = True) -> Path:
    """A 17-resident half-day block as a long csv (the family-medicine sample, five residents more),
    with two placeholder rows (``Unassigned``, ``TBD``) holding whatever is not yet assigned,
    multi-code cells included: the shape that made ``chains()`` enumerate for minutes."""
    src = SAMPLES / "family-medicine" / "block-3.xlsx"
    shutil.copy(SAMPLES / "family-medicine" / "rostercheck.toml", tmp_path / "rostercheck.toml")
    cfg = load_config(str(src), {})
    raw = read_with(str(src), cfg)
    e = raw.entries.frame()
    days = sorted(e["date"].unique())
    rows = []
    for i, r in enumerate(raw.residents):
        for x in e[e["resident"] == i].itertuples():
            rows.append((r.name, r.pgy, r.team or "", pd.Timestamp(x.date).date(), x.slot, x.text))
    for k in range(5):  # five more residents: the first five, a week later each
        src_r = raw.residents[k]
        for x in e[e["resident"] == k].itertuples():
            d = days[(days.index(x.date) + 7 * (k + 1)) % len(days)]
            rows.append((f"Extra {k}", src_r.pgy, src_r.team or "", pd.Timestamp(d).date(), x.slot, x.text))
    if placeholders:
        rng = random.Random(1)
        codes = ["CL", "IP", "OB", "HOSP", "C", "PC", "OFF", "DID", "CL/OB", "IP/HOSP", "C/IP", "OB/HOSP"]
        for name in ("Unassigned", "TBD"):
            for d in days:
                for slot in ("AM", "PM"):
                    rows.append((name, "", "", pd.Timestamp(d).date(), slot, rng.choice(codes)))
    path = tmp_path / "block.csv"
    pd.DataFrame(rows, columns=["Resident", "PGY", "Team", "Date", "Slot", "Code"]).to_csv(path, index=False)
    return path


# ------------------------------------------------------------------------------------ 1. never hangs
def test_placeholder_rows_keep_model_building_bounded(tmp_path):
    from rostercheck.repair.encoders.periods import MAX_CHAINS

    path = half_day_block(tmp_path)
    cfg = load_config(str(path), {})
    raw = read_with(str(path), cfg)
    assert {"Unassigned", "TBD"} <= {r.name for r in raw.residents} and len(raw.residents) == 19
    before = check_raw(raw, cfg)
    pb = build_problem(raw, before.timeline, Settings())
    m = build_model(pb, cfg, deadline=time.monotonic() + 600)
    chains = m._chains["chains"]
    assert chains is not None and len(chains) <= MAX_CHAINS
    # polynomial in the roster: a few dozen variables and constraints per cell, not millions
    cells = len(pb.cells)
    assert len(m.m.proto.variables) < 20 * cells and len(m.m.proto.constraints) < 40 * cells


def test_model_building_stops_at_the_deadline_and_says_so(tmp_path):
    from rostercheck.repair.cpmodel import BuildTimeout

    path = half_day_block(tmp_path)
    cfg = load_config(str(path), {})
    raw = read_with(str(path), cfg)
    before = check_raw(raw, cfg)
    pb = build_problem(raw, before.timeline, Settings())
    with pytest.raises(BuildTimeout):
        build_model(pb, cfg, deadline=time.monotonic() - 1)
    # through solve: the command's start long past, the limit spent before building began
    pb.settings = Settings(time_limit=1, started=time.monotonic() - 100)
    out = solve(pb, cfg, before=before)
    assert out.status == "unknown" and "still being built" in out.explanation[0]


# ------------------------------------------------------------------------------------ 2. same answer twice
def _synth(n: int = 18, planted: int = 4, seed: int = 0):
    from tools.synth import generate, plant

    base = generate(n, 28, seed=seed)
    roster, _ = plant(base, planted, seed=seed)
    return roster


def _key(res) -> list[tuple]:
    return [(c.resident, c.date, c.slot, c.old, c.new) for c in res.outcome.changes]


def test_same_answer_whatever_workers_and_run():
    synth = _synth()
    cfg = parse(synth.config(), path="synth.toml")
    raw = synth.raw()
    runs = [repair(raw, cfg, Settings(time_limit=20, workers=w)) for w in (1, 2, 2)]
    assert all(r.outcome.status == "optimal" and r.outcome.canonical for r in runs)
    assert _key(runs[0]) == _key(runs[1]) == _key(runs[2])
    assert runs[0].after.errors == 0


def _toml(cfg: dict) -> str:
    lines = [f"preset = {json.dumps(cfg['preset'])}", "", "[shifts]"]
    for code, spec in cfg["shifts"].items():
        lines.append(f"{code} = {{ " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in spec.items()) + " }")
    return "\n".join(lines) + "\n"


def test_report_repair_shows_the_answer_repair_writes(tmp_path):
    from helpers import run_cli

    from tools.synth import write_long_csv

    synth = _synth()
    path = write_long_csv(synth, tmp_path / "roster.csv")
    (tmp_path / "rostercheck.toml").write_text(_toml(synth.config()))
    answers = []
    for w in ("1", "2"):
        code, out, _ = run_cli("repair", str(path), "--format", "json", "--workers", w,
                               "--changes", str(tmp_path / f"changes{w}.csv"))
        assert code == 0
        doc = json.loads(out)
        assert doc["status"] == "optimal" and doc["canonical"] is True
        answers.append([(c["resident"], c["date"], c["old"], c["new"]) for c in doc["changes"]])
    assert answers[0] == answers[1] and answers[0]
    assert (tmp_path / "changes1.csv").read_text() == (tmp_path / "changes2.csv").read_text()
    pages = []
    for w in ("1", "2"):  # the report's repair is the same repair: same answer whatever the threads
        code, out, _ = run_cli("report", str(path), "--html", str(tmp_path / f"r{w}.html"), "--repair",
                               "--workers", w)
        assert code == 0
        html = (tmp_path / f"r{w}.html").read_text()
        for _who, _date, old, new in answers[0]:
            assert f"{old} -&gt; {new}" in html or f"{old} -> {new}" in html
        assert html.count("changed by repair:") >= len(answers[0])
        assert f"repair: {len(answers[0])} change" in out
        pages.append(sorted(line for line in html.splitlines() if "changed by repair:" in line))
    assert pages[0] == pages[1]


# ------------------------------------------------------------------------------------ impossible rosters
CALL_SHIFTS = {"C": {"start": "07:00", "end": "07:00", "kind": "call"}, "PC": {"kind": "off"},
               "D": {"start": "07:00", "end": "17:00", "kind": "work"}, "OFF": {"kind": "off"}}


def write_roster(tmp_path: Path, grid: dict[str, list[str]], shifts: dict, preset: str = "acgme",
                 pgy: dict[str, int] | None = None, team: dict[str, str] | None = None) -> Path:
    """A long csv from 2026-07-01 and its rostercheck.toml beside it."""
    rows = []
    for name, codes in grid.items():
        for d, code in enumerate(codes):
            day = (pd.Timestamp("2026-07-01") + pd.Timedelta(days=d)).date()
            rows.append((name, (pgy or {}).get(name, 2), (team or {}).get(name, ""), day, code))
    path = tmp_path / "roster.csv"
    pd.DataFrame(rows, columns=["Resident", "PGY", "Team", "Date", "Code"]).to_csv(path, index=False)
    (tmp_path / "rostercheck.toml").write_text(_toml({"preset": [preset], "shifts": shifts}))
    return path


def three_on_call(days: int = 28) -> dict[str, list[str]]:
    """Three residents covering a 24-hour call every day (C, PC, D in turn), and one day where two
    of them swapped PC and D, so that one works a day right after a call."""
    names = ["Ann", "Bob", "Cy"]
    cyc = ["C", "PC", "D"]
    grid = {n: [cyc[(d - i) % 3] for d in range(days)] for i, n in enumerate(names)}
    a, b = [n for n in names if grid[n][10] != "C"]
    grid[a][10], grid[b][10] = grid[b][10], grid[a][10]
    return grid


# ------------------------------------------------------------------------------------ 3. --allow-remaining
def test_allow_remaining_writes_the_file_and_says_one_thing(tmp_path):
    path = write_roster(tmp_path, three_on_call(), CALL_SHIFTS)
    out_path = tmp_path / "fixed.csv"
    code, text, _ = run_cli_text("repair", str(path), "--allow-remaining", "--time-limit", "6", "-o",
                                 str(out_path))
    assert code == 1  # an error is left, as the checker counts it
    assert out_path.exists()
    assert "No compliant roster found" not in text and "already compliant" not in text
    assert "1 error left as checked" in text
    code, out, _ = run_cli_text("repair", str(path), "--allow-remaining", "--time-limit", "6",
                                "--format", "json")
    doc = json.loads(out)
    assert doc["status"] in ("optimal", "feasible")
    assert doc["changed_cells"] == len(doc["changes"]) and doc["changed_cells"] <= 10
    assert doc["errors_left"] == doc["after"]["summary"]["errors"] == 1 and doc["allow_remaining"] is True
    # the stage table states the checker's count, the model's own beside it
    stage = next(s for s in doc["solver"]["stages"] if s["stage"] == "remaining errors")
    assert stage["value"] == 1 and "model_value" in stage
    # the file written is what the checker then reads: one error, the call count no roster avoids
    code, out, _ = run_cli_text("check", str(out_path), "--format", "json")
    rules = [f["rule"] for f in json.loads(out)["violations"] if f["severity"] == "error"]
    assert code == 1 and rules == ["call-frequency"]


def test_allow_remaining_when_nothing_can_change(tmp_path):
    grid = {n: ["D"] * 28 for n in ("Ann", "Bob", "Cy", "Di")}
    path = write_roster(tmp_path, grid, CALL_SHIFTS)
    out_path = tmp_path / "fixed.csv"
    code, text, _ = run_cli_text("repair", str(path), "--allow-remaining", "-o", str(out_path))
    assert code == 1 and out_path.exists()
    assert "0 changes, 4 errors left as checked" in text


def run_cli_text(*args: str) -> tuple[int, str, str]:
    from helpers import run_cli

    return run_cli(*args)


# ------------------------------------------------------------------------------------ 4. change -> finding
def test_each_change_says_which_finding_it_fixes(tmp_path):
    synth = _synth()
    path = write_long_csv_with_config(synth, tmp_path)
    code, out, _ = run_cli_text("repair", str(path), "--format", "json", "--changes", str(tmp_path / "c.csv"))
    doc = json.loads(out)
    assert code == 0 and doc["changes"]
    for c in doc["changes"]:
        assert c["role"] in ("fixes", "coverage") and c["fixes"], c
        for f in c["fixes"]:
            assert set(f) == {"rule", "resident", "start"}
            if c["role"] == "fixes":
                assert f["resident"] in (c["resident"], None)
    # every finding the repair removed is named by some change
    _code, chk, _ = run_cli_text("check", str(path), "--format", "json")
    found = {(f["rule"], f["resident"], f["start"]) for f in json.loads(chk)["violations"]
             if f["severity"] == "error"}
    named = {(f["rule"], f["resident"], f["start"]) for c in doc["changes"] for f in c["fixes"]}
    assert found <= named
    csv_text = (tmp_path / "c.csv").read_text().splitlines()
    assert csv_text[0].endswith(",fixes") and all(("fixes " in ln or "keeps coverage" in ln) for ln in csv_text[1:])
    _, text, _ = run_cli_text("repair", str(path))
    assert sum("[fixes " in ln or "[keeps coverage for " in ln for ln in text.splitlines()) == len(doc["changes"])


def write_long_csv_with_config(synth, tmp_path: Path) -> Path:
    from tools.synth import write_long_csv

    path = write_long_csv(synth, tmp_path / "roster.csv")
    (tmp_path / "rostercheck.toml").write_text(_toml(synth.config()))
    return path


# ------------------------------------------------------------------------------------ 5. explanations
def _explained(tmp_path: Path, grid: dict, shifts: dict, **kw) -> tuple[int, list[str]]:
    path = write_roster(tmp_path, grid, shifts, **kw)
    code, out, _ = run_cli_text("repair", str(path), "--format", "json", "--time-limit", "20")
    doc = json.loads(out)
    assert doc["status"] == "infeasible"
    return code, doc["explanation"]


def test_three_residents_on_call_every_day_explained_by_coverage_and_call_frequency(tmp_path):
    code, lines = _explained(tmp_path, three_on_call(), CALL_SHIFTS)
    assert code == 3 and len(lines) <= 3
    text = " ".join(lines)
    assert "could not isolate" not in text
    assert "From 2026-07-01 to 2026-07-28, C needs 1 resident a day (28 in all; coverage kept" in lines[0]
    assert "at most 9 each under call-frequency (27 in all)" in lines[0]
    assert "[rules.call-frequency]" in lines[-1] and "coverage" in lines[-1]


def test_four_residents_all_needed_on_d_explained_by_coverage(tmp_path):
    grid = {n: ["D"] * 28 for n in ("Ann", "Bob", "Cy", "Di")}
    grid["Ann"][27] = "OFF"  # so OFF is a code these residents may take
    grid["Eve"] = ["OFF" if d % 7 == 0 else "CL" for d in range(28)]
    shifts = {**CALL_SHIFTS, "CL": {"start": "08:00", "end": "17:00", "kind": "work"}}
    code, lines = _explained(tmp_path, grid, shifts, pgy={"Eve": 3})
    assert code == 3 and len(lines) <= 3
    first = lines[0]
    assert "D needs 4 residents a day" in first and "coverage kept from the original" in first
    assert "only 4 residents may take D (Ann, Bob, Cy, Di)" in first and "days-off" in first
    assert "cannot change" not in " ".join(lines)


def test_intern_alone_on_im_explained_by_coverage_and_eligibility(tmp_path):
    grid = {"Ida Intern": ["IM"] * 27 + ["OFF"]}  # one day off: she may be given OFF
    for i, n in enumerate(("Sam", "Tess", "Uma")):
        grid[n] = ["OFF" if (d + i) % 7 == 0 else "D" for d in range(28)]
    shifts = {**CALL_SHIFTS, "IM": {"start": "07:00", "end": "17:00", "kind": "work"}}
    code, lines = _explained(tmp_path, grid, shifts, pgy={"Ida Intern": 1})
    assert code == 3 and len(lines) <= 3
    first = lines[0]
    assert "IM needs 1 resident a day" in first and "coverage kept from the original" in first
    assert "only 1 resident may take IM (Ida Intern)" in first and "eligibility" in first
    assert "Ida Intern needs at least 4 free days" in first and "(days-off)" in first
    assert "[repair] eligibility for IM" in lines[-1]


def test_nothing_locked_does_not_read_as_locked(tmp_path):
    grid = {n: ["D"] * 28 for n in ("Ann", "Bob", "Cy", "Di")}
    code, lines = _explained(tmp_path, grid, CALL_SHIFTS)
    text = " ".join(lines)
    assert code == 3 and len(lines) <= 2
    assert "cannot change" not in text and "locked" not in text
    assert "Ann, Bob, Cy, Di each need at least 4 free days" in text and "eligibility" in text


def test_max_changes_is_named_when_it_binds():
    from helpers import raw_roster
    from test_repair import ACGME, CYCLE, cycle_roster

    raw = raw_roster(cycle_roster(4, 14, CYCLE, swaps=[(5, 0, 1)]))
    res = repair(raw, ACGME, Settings(time_limit=10, max_changes=1))
    assert res.outcome.status == "infeasible"
    # the cap is the whole reason: the number of changes a repair takes, and the value that allows it
    assert res.outcome.explanation == [
        "No compliant roster within --max-changes 1: the fewest changes that make it compliant are 2 (proven minimal).",
        "To relax it: --max-changes 2 (or [repair] max-changes = 2).",
    ]


# ------------------------------------------------------------------------------------ 6. long rosters
def test_long_roster_proven_impossible_is_not_blamed_on_time():
    from helpers import raw_roster

    names, cyc = ["Ann", "Bob", "Cy"], ["C", "PC", "D"]
    grid = {n: [cyc[(d - i) % 3] for d in range(92)] for i, n in enumerate(names)}  # three months
    cfg = parse({"preset": ["acgme"], "shifts": CALL_SHIFTS}, path="t.toml")
    res = repair(raw_roster(grid), cfg, Settings(time_limit=30))
    text = " ".join(res.outcome.explanation)
    assert res.after.errors > 0  # no month can keep one call a day with three residents
    assert "proven impossible" in text and "raise --time-limit" not in text
    # a month that failed with the month before it fixed was tried with that month free too
    assert any("window shifted back a month" in s["stage"] for s in res.outcome.stages)


def test_a_seed_does_not_stretch_the_time_limit():
    # the seeded search used to run on a deterministic budget with 4x the limit as its wall clock
    from rostercheck.repair.solve import _solver

    synth = _synth(n=6, planted=1)
    raw = synth.raw()
    cfg = parse(synth.config(), path="synth.toml")
    pb = build_problem(raw, check_raw(raw, cfg).timeline, Settings(seed=7, time_limit=5))
    s = _solver(pb, 5.0)
    assert s.parameters.max_time_in_seconds <= 5.0 and s.parameters.random_seed == 7


def test_text_says_when_another_run_may_choose_other_cells():
    """A repair whose canonical stage was cut short by the time limit says so, in words."""
    import dataclasses

    from rostercheck.repair.report import render_text

    synth = _synth()
    cfg = parse(synth.config(), path="t.toml")
    res = repair(synth.raw("t.xlsx"), cfg, Settings(time_limit=60))
    assert res.outcome.canonical and res.outcome.changes
    assert "another run may" not in render_text(res, None)
    cut = dataclasses.replace(res, outcome=dataclasses.replace(res.outcome, canonical=False))
    assert "note: the canonical answer among the fewest changes was not proven" in render_text(cut, None)


def test_allow_remaining_never_returns_a_roster_worse_than_the_input():
    """The relaxed model may run out of time on an answer worse than doing nothing (a trial saw 3
    useless changes under --max-changes 3, and 30 changes leaving a new error): the checker judges."""
    sample = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
    cfg = load_config(str(sample), {})
    raw = read_with(str(sample), cfg)
    res = repair(raw, cfg, Settings(time_limit=8, max_changes=3, allow_remaining=True))
    assert res.after is not None and res.repaired is not None
    assert len(res.outcome.changes) <= 3
    assert res.after.errors < res.before.errors or not res.outcome.changes
    assert check_raw(res.repaired, cfg).errors == res.after.errors  # what is written is what was judged


def test_allow_remaining_returns_the_roster_unchanged_when_nothing_helps(tmp_path):
    """Every resident locked: no change is possible; the roster is still written, unchanged, and said so."""
    grid = {"Ann": ["D", "L", "OFF", "D"], "Bob": ["D", "D", "OFF", "OFF"]}
    shifts = {"D": {"start": "07:00", "end": "19:00"}, "L": {"start": "07:00", "hours": 30}}
    path = write_roster(tmp_path, grid, shifts)
    out_path = tmp_path / "fixed.csv"
    code, text, _ = run_cli_text("repair", str(path), "--allow-remaining", "--time-limit", "5", "-o", str(out_path),
                                 "--lock-resident", "Ann", "--lock-resident", "Bob")
    assert code == 1 and out_path.exists()
    assert "0 changes, 3 errors left as checked" in text
    assert out_path.read_bytes() == path.read_bytes()


def test_a_repair_that_leaves_errors_writes_nothing(tmp_path, monkeypatch):
    """Without --allow-remaining the output is a compliant roster or nothing (a month-by-month repair
    cut short by the time limit once wrote a roster that failed check)."""
    import dataclasses

    import rostercheck.repair as repair_mod

    grid = {"Ann": ["D", "L", "OFF", "D"], "Bob": ["D", "D", "OFF", "OFF"]}
    shifts = {"D": {"start": "07:00", "end": "19:00"}, "L": {"start": "07:00", "hours": 30}}
    path = write_roster(tmp_path, grid, shifts)
    real = repair_mod.repair

    def cut_short(raw, cfg, settings, **kw):  # the answer as a time-limited month-by-month run leaves it
        res = real(raw, cfg, settings, **kw)
        return dataclasses.replace(res, after=res.before, repaired=raw,
                                   outcome=dataclasses.replace(res.outcome, status="feasible"))

    monkeypatch.setattr(repair_mod, "repair", cut_short)
    out_path, changes = tmp_path / "fixed.csv", tmp_path / "changes.csv"
    code, _, err = run_cli_text("repair", str(path), "--time-limit", "5", "-o", str(out_path),
                                "--changes", str(changes))
    assert code == 1
    assert not out_path.exists() and not changes.exists()
    assert re.search(r"nothing written: \d+ errors? left", err), err


def test_allow_remaining_with_no_answer_in_time_returns_the_roster_unchanged(tmp_path, monkeypatch):
    """When neither the strict nor the relaxed model answers in time, the roster as it stands is the
    answer (it always satisfies the relaxed problem): written unchanged, and said so."""
    import rostercheck.repair as repair_mod

    grid = {"Ann": ["D", "L", "OFF", "D"], "Bob": ["D", "D", "OFF", "OFF"]}
    shifts = {"D": {"start": "07:00", "end": "19:00"}, "L": {"start": "07:00", "hours": 30}}
    path = write_roster(tmp_path, grid, shifts)
    real = repair_mod._repair

    def no_answer(raw, cfg, settings, **kw):
        res = real(raw, cfg, settings, **kw)
        return repair_mod.RepairResult(res.before, None, repair_mod.Outcome("unknown"), None)

    monkeypatch.setattr(repair_mod, "_repair", no_answer)
    out_path = tmp_path / "fixed.csv"
    code, text, _ = run_cli_text("repair", str(path), "--allow-remaining", "--time-limit", "5", "-o", str(out_path))
    assert code == 1 and out_path.exists()
    assert "returns it unchanged" in text and "0 changes, 3 errors left as checked" in text


def test_max_changes_below_the_minimum_says_how_many_changes_it_takes():
    """A cap under the proven minimum is the whole reason: say the number, not a list of rules."""
    sample = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
    code, text, _ = run_cli_text("repair", str(sample), "--max-changes", "3", "--time-limit", "30")
    assert code == 3
    assert "No compliant roster within --max-changes 3: the fewest changes that make it compliant are 9 " \
           "(proven minimal)" in text
    assert "To relax it: --max-changes 9" in text


def test_a_change_names_each_finding_it_fixes_once():
    """Three fair-share groups' findings of one rule and start read alike: the text names them once."""
    from types import SimpleNamespace

    from rostercheck.repair.links import describe

    ref = {"rule": "fair-calls", "resident": None, "start": "2026-07-01"}
    ch = SimpleNamespace(fixes=[ref, dict(ref), dict(ref)], role="fixes")
    assert describe(ch) == "fixes fair-calls (07-01)"
