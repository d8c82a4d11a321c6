"""Repair under the regime presets: every new encoding, on a tiny roster, re-checked by the checker.

Each case breaks one preset rule in a way a swap with another resident can fix (coverage is kept
per date and code). The repaired roster must pass ``check``, the rule must be encoded (not merely
re-checked), and for a few cases a brute-force search confirms no roster with fewer changes passes.
"""

from __future__ import annotations

import pytest
from helpers import raw_roster, staffing
from test_presets import MONDAY, cfg
from test_repair import fewer_changes_exist

from rostercheck.check import check_raw, legend_for
from rostercheck.config import parse
from rostercheck.repair import Settings, repair


def repaired(rows: dict, config: dict, *, brute: bool = False, start: str = MONDAY):
    c = parse(config, path="test.toml")
    raw = raw_roster(rows, start=start)
    assert check_raw(raw, c).errors > 0, "the case must start broken"
    res = repair(raw, c, Settings(time_limit=20, workers=1, seed=1))
    assert res.outcome.status == "optimal", res.outcome.explanation
    assert res.outcome.unencoded == []
    assert res.after.errors == 0, [f.message for f in res.after.findings]
    assert staffing(res.repaired, c) == staffing(raw, c)
    if brute:
        assert not fewer_changes_exist(raw, res.outcome.objective, c)
    return res


def pad(cells: list[str], n: int) -> list[str]:
    return cells + ["-"] * (n - len(cells))


def test_rolling_168_hours_is_repaired_minimally():
    # A works 7 x 12 h in a row (84 h in 168 h); B and C have room: one shift moves (2 changes)
    rows = {"A": pad(["S12"] * 7, 9), "B": pad(["-", "-", "S12"], 9), "C": pad(["S12", "-", "-", "-", "S12"], 9)}
    res = repaired(rows, cfg("uk-2016", "uk-hours-168"), brute=True)
    assert res.outcome.objective == 2


def test_weekend_frequency_is_repaired():
    # A works a Saturday on 3 of 4 weekends; B on none: one Saturday moves
    a = (["S8"] * 6 + ["-"]) * 3 + ["S8"] * 5 + ["-", "-"]
    b = (["S8"] * 5 + ["-", "-"]) * 4
    res = repaired({"A": a, "B": b}, cfg("uk-2016", "uk-weekends"), brute=True)
    assert res.outcome.objective == 2


@pytest.mark.parametrize(
    ("rule", "a"),
    [
        ("uk-long-shifts", ["S11"] * 4 + ["-", "E18", "-"]),  # 47 h after 4 long shifts
        ("uk-long-shifts", ["S11"] * 5 + ["-", "-"]),  # 5 long shifts in a row
        ("uk-nights", ["N2008"] * 4 + ["-", "D08", "-"]),  # 24 h after 4 nights
        ("uk-nights", ["N2008", "-", "D08", "-", "-", "-", "-"]),  # 24 h after a single night
        ("uk-consecutive-shifts", ["S8"] * 7 + ["-", "L15"]),  # 47 h after 7 shifts (by kind)
    ],
)
def test_run_rules_and_rest_after_a_run_are_repaired(rule, a):
    rows = {"A": a, "B": ["-"] * len(a)}
    res = repaired(rows, cfg("uk-2016", rule), brute=len(a) <= 7)
    assert res.outcome.objective == 2


def test_rest_after_a_night_run_sees_the_whole_period():
    # a night run's rest is owed from the end of the whole period: a day shift joined to the last
    # night pushes the end later, and the repair must move that too (checked by the checker)
    rows = {"A": ["N2008", "N2008", "D08/L16", "-", "D08"], "B": ["-"] * 5, "C": ["D08", "-", "-", "-", "-"]}
    repaired(rows, cfg("uk-2016", "uk-nights"))


def test_ed_rest_before_and_after_is_repaired():
    # New York: 9.5 h before an ED shift; the ED rules name their codes
    ed = {"codes": ["ED", "ED13"]}
    rows = {"A": ["L2130", "ED", "-", "-"], "B": ["-", "-", "ED", "-"]}
    res = repaired(rows, cfg("ny-405", "ny-ed-rest", **ed), brute=True)
    assert res.outcome.objective == 2
    rows = {"A": ["-", "ED", "D0430", "-"], "B": ["-", "-", "-", "-"]}
    repaired(rows, cfg("ny-405", "ny-ed-rest", **ed))


def test_ed_shift_length_only_limits_ed_periods():
    # a 24 h call is fine under the ED limit; a 13 h ED shift cannot be fixed by moving it
    c = parse(cfg("ny-405", "ny-ed-shift-length", codes=["ED", "ED13"]), path="t.toml")
    ok = raw_roster({"A": ["C", "-", "ED", "-"], "B": ["-", "C", "-", "-"]}, start=MONDAY)
    res = repair(ok, c, Settings(time_limit=10, workers=1))
    assert res.outcome.status == "optimal" and res.outcome.changes == []
    bad = raw_roster({"A": ["ED13", "-"], "B": ["-", "-"]}, start=MONDAY)
    res = repair(bad, c, Settings(time_limit=10, workers=1))
    assert res.outcome.status == "infeasible"
    assert "ny-ed-shift-length" in " ".join(res.outcome.explanation)


def test_clinical_hours_by_code_are_repaired():
    # 6 ED shifts in a week (72 h of ED, over 60); the conference does not count toward 60
    rows = {"A": ["ED"] * 6 + ["CONF"], "B": ["-"] * 7}
    res = repaired(rows, cfg("acgme-em", "em-clinical-hours", codes=["ED"]))
    assert res.outcome.objective == 2
    assert {ch.old for ch in res.outcome.changes} | {ch.new for ch in res.outcome.changes} == {"ED", ""}


def test_weekly_rest_of_35_hours_is_repaired():
    # 13 working days with no 35 h block (E2); B is free: one block per 7-day period must be made
    rows = {"A": ["S12"] * 13 + ["-"], "B": ["-"] * 14}
    repaired(rows, cfg("ewtd", "eu-weekly-rest"))


def test_em_rest_ratio_is_repaired():
    # a 10 h shift ending 02:00 and the next at 10:00 (8 h < 10 h)
    rows = {"A": ["E10", "M10", "-"], "B": ["-", "-", "M10"]}
    res = repaired(rows, cfg("acgme-em", "em-rest"), brute=True)
    assert res.outcome.objective == 2


AGREE = [
    ("uk-2016", "uk-hours-168", {}), ("uk-2016", "uk-long-shifts", {}), ("uk-2016", "uk-nights", {}),
    ("uk-2016", "uk-consecutive-shifts", {}), ("uk-2016", "uk-weekends", {}), ("uk-2016", "uk-shift-length", {}),
    ("uk-2016", "uk-rest-between-shifts", {}), ("ny-405", "ny-ed-rest", {"codes": ["ED", "ED13"]}),
    ("ny-405", "ny-ed-shift-length", {"codes": ["ED", "ED13"]}), ("acgme-em", "em-rest", {}),
    ("acgme-em", "em-clinical-hours", {"codes": ["ED"]}), ("ewtd", "eu-weekly-rest", {}),
]
POOL = ["S8", "S11", "S12", "N2008", "N2004", "E1", "E2", "D06", "D08", "L15", "L16", "E18", "ED", "ED13",
        "L2130", "D0430", "E10", "M10", "N", "S8/E18", "-", "-", "-"]


@pytest.mark.parametrize(("preset", "rule", "params"), AGREE, ids=[a[1] for a in AGREE])
def test_model_of_a_locked_roster_agrees_with_the_checker(preset, rule, params):
    """With every cell locked the model is constants only: a rule's constraints must then be broken
    exactly when the checker reports it (the encoding may only be stricter where two cells' shifts
    overlap in time, which it sums and the checker counts once)."""
    import random

    from rostercheck.repair.problem import build_problem
    from rostercheck.repair.solve import build_model
    from rostercheck.timeline import build

    c = parse(cfg(preset, rule, **params), path="t.toml")
    rnd = random.Random(rule)
    for _ in range(5):
        rows = {"A": [rnd.choice(POOL) for _ in range(rnd.randint(5, 16))]}
        raw = raw_roster(rows, start=MONDAY)
        broken = check_raw(raw, c).errors > 0
        tl = build(raw, legend_for(raw, c))
        m = build_model(build_problem(raw, tl, Settings(lock_residents=["A"])), c, None)
        in_model = any(g.severity == "error" for g in m.trivially_false)
        w = tl.work_rows
        overlap = int((w["end"] - w["start"]).sum()) > int((tl.work.end - tl.work.start).sum())
        assert in_model == broken or (in_model and overlap), rows


def test_rest_after_periods_over_72_hours_is_reported_when_nothing_caps_them():
    # three 24 h calls and a day shift make one 84 h period, beyond the chains the rest encoding
    # enumerates: alone, uk-nights says so; with the preset's shift-length rule it cannot happen
    rows = {"A": ["N2008", "-", "D08", "-", "-"], "B": ["C", "C", "C", "D", "-"]}
    raw = raw_roster(rows, start=MONDAY)
    alone = repair(raw, parse(cfg("uk-2016", "uk-nights"), path="t"), Settings(time_limit=10, workers=1))
    assert alone.outcome.unencoded == ["uk-nights (rest after work periods over 72 h)"]
    both = cfg("uk-2016", "uk-nights")
    both["rules"]["uk-shift-length"] = {"enabled": True}
    capped = repair(raw, parse(both, path="t"), Settings(time_limit=10, workers=1))
    assert capped.outcome.unencoded == []
