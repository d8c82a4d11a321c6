"""The rule semantics fixed in docs/rules.md (issue 14), each shown by a roster that just passes and
one that just fails, checked and repaired.

- `hours =` shifts are elapsed time from the start instant; `end =` shifts end at a clock time.
- protected-evening: an evening on leave is free; leave neither shrinks the window nor fails it.
- golden-weekend: weekends touching leave are not counted either way.
- A window with no on-service day (all leave) requires nothing of any rule.
- Overlapping shifts of one resident count once (the length of their union).
- A coverage rule takes `code = "C"` as well as `codes = ["C"]`.
"""

from __future__ import annotations

import random

import pytest
from helpers import check, one_line_exit_2, only, raw_roster, rule_hits, run, staffing

from rostercheck.check import check_raw, legend_for
from rostercheck.config import parse
from rostercheck.errors import InputError
from rostercheck.repair import Settings, repair

NY = "America/New_York"
SHIFTS = {
    "S12": {"start": "07:00", "end": "19:00"},
    "S13": {"start": "07:00", "end": "20:00"},
    "S8": {"start": "08:00", "end": "16:00"},
    "LD": {"start": "07:00", "end": "21:00"},
    "D17": {"start": "07:00", "end": "17:00"},
    "H28": {"start": "06:00", "hours": 28},
    "H29": {"start": "06:00", "hours": 29},
    "C28": {"start": "07:00", "hours": 28, "kind": "call"},
    "C29": {"start": "07:00", "hours": 29, "kind": "call"},
    "C24": {"start": "07:00", "end": "07:00", "kind": "call"},
}


def one(rule_id: str, spec: dict, **extra: object) -> dict:
    """A config with only this rule, as an error, and the shifts above."""
    return {"preset": "none", "shifts": SHIFTS, "rules": {rule_id: {"severity": "error", **spec}}, **extra}


SHIFT_LENGTH = {"kind": "max-period-length", "limit": 24, "transition-hours": 4}


# ====================================================================== 1. `hours` across DST
def test_hours_shift_across_the_spring_change_is_elapsed_time():
    # 2026-03-08 02:00 EST -> 03:00 EDT. 06:00 + 29 h elapsed is 12:00 EDT on the clock, not 11:00.
    c = one("len", SHIFT_LENGTH, timezone=NY)
    assert rule_hits(check({"A": ["H28", "-", "-"]}, c, start="2026-03-07"), "len") == []
    (f,) = rule_hits(check({"A": ["H29", "-", "-"]}, c, start="2026-03-07"), "len")
    assert (f.value, f.limit) == (29.0, 28.0)
    assert (f.start, f.end) == ("2026-03-07T06:00", "2026-03-08T12:00")


def test_hours_call_across_the_autumn_change_is_elapsed_time():
    # 2026-11-01 02:00 EDT -> 01:00 EST. A 28 h call from 07:00 ends 10:00 on the clock, not 11:00.
    c = one("len", SHIFT_LENGTH, timezone=NY)
    ok = check({"A": ["C28", "-", "-"]}, c, start="2026-10-31")
    assert rule_hits(ok, "len") == []
    (f,) = rule_hits(check({"A": ["C29", "-", "-"]}, c, start="2026-10-31"), "len")
    assert (f.value, f.end) == (29.0, "2026-11-01T11:00")


def test_end_shifts_across_a_change_run_between_clock_times():
    # `end =` is a clock time: 07:00-07:00 call is 23 h across the spring change and 25 h in autumn
    c = one("len", {"kind": "max-period-length", "limit": 24, "transition-hours": 0}, timezone=NY)
    assert rule_hits(check({"A": ["C24", "-"]}, c, start="2026-03-07"), "len") == []
    (f,) = rule_hits(check({"A": ["C24", "-"]}, c, start="2026-10-31"), "len")
    assert (f.value, f.end) == (25.0, "2026-11-01T07:00")


@pytest.mark.parametrize(("start", "code", "hours"), [("2026-03-07", "H29", 29), ("2026-10-31", "C28", 28)])
def test_weekly_hours_count_the_elapsed_hours_of_an_hours_shift(start, code, hours):
    roster = {"A": [code] + ["-"] * 6}
    rule = {"kind": "max-hours", "per": 7, "average-days": 7}
    assert rule_hits(check(roster, one("h", {**rule, "limit": hours}, timezone=NY), start=start), "h") == []
    (f,) = rule_hits(check(roster, one("h", {**rule, "limit": hours - 0.5}, timezone=NY), start=start), "h")
    assert f.value == hours
    tl = check_raw(raw_roster(roster, start=start), parse(one("h", rule, timezone=NY), path="t")).timeline
    by_day = tl.hours_by_day()[0]
    assert by_day.sum() == hours and by_day[0] == (18 if code == "H29" else 17)  # split at local midnight


def test_rest_after_an_hours_call_starts_at_its_elapsed_end():
    # C28 from 2026-10-31 07:00 ends 11-01 10:00 EST; 14 h of rest reach 11-02 00:00
    late = {"M0": {"start": "00:00", "end": "06:00"}, "M2330": {"start": "23:30", "end": "06:00"}}
    c = {"preset": "none", "timezone": NY, "shifts": {**SHIFTS, **late},
         "rules": {"rest": {"kind": "min-rest", "min-hours": 14, "after-hours": 24}}}
    assert rule_hits(check({"A": ["C28", "-", "M0"]}, c, start="2026-10-31"), "rest") == []
    (f,) = rule_hits(check({"A": ["C28", "M2330", "-"]}, c, start="2026-10-31"), "rest")
    assert f.value == 13.5


def test_repair_measures_an_hours_call_across_a_change_as_the_checker_does():
    # A's 28 h call on 10-31 is legal only as elapsed time (29 h on the clock). The D the morning
    # after it makes one 36 h period; the repair moves that D to B, and the call stays with A.
    cfg = parse({"preset": "acgme", "timezone": NY, "shifts": SHIFTS}, path="t.toml")
    raw = raw_roster({"A": "- - C28 S12 -", "B": "S12 - - - S12", "C": "- S12 - - -"}, start="2026-10-29")
    before = check_raw(raw, cfg)
    assert [f.rule for f in before.findings if f.severity == "error"] == ["shift-length"]
    res = repair(raw, cfg, Settings(time_limit=20, workers=1, seed=1))
    assert res.outcome.status == "optimal" and res.outcome.objective == 2
    assert res.after.errors == 0, [f.message for f in res.after.findings]
    assert staffing(res.repaired, cfg) == staffing(raw, cfg)
    assert all(ch.resident != "A" or ch.date != "2026-10-31" for ch in res.outcome.changes)


# ====================================================================== 2. protected evening and leave
EVENING = {"kind": "min-free-evenings", "min": 1, "per": 7}


def test_an_evening_on_leave_is_free():
    # `V D` over two days: the leave evening is the free one (needs ceil(2 / 7) = 1)
    assert rule_hits(check({"A": "V S12"}, one("eve", EVENING)), "eve") == []
    (f,) = rule_hits(check({"A": "S12 LD"}, one("eve", EVENING)), "eve")
    assert (f.value, f.limit) == (0.0, 1.0)


def test_leave_neither_shrinks_the_window_nor_fails_it():
    # six leave days and one late shift pass; the week keeps its 7 days, so two free evenings are
    # needed for min = 2 and six leave evenings give them, while one leave evening does not
    assert rule_hits(check({"A": ["V"] * 6 + ["LD"]}, one("eve", EVENING)), "eve") == []
    two = one("eve", {**EVENING, "min": 2})
    assert rule_hits(check({"A": ["V", "V"] + ["LD"] * 5}, two), "eve") == []
    (f,) = rule_hits(check({"A": ["V"] + ["LD"] * 6}, two), "eve")
    assert (f.value, f.limit) == (1.0, 2.0)


def test_exclude_leave_false_keeps_leave_evenings_from_counting():
    c = one("eve", {**EVENING, "exclude-leave": False})
    assert rule_hits(check({"A": ["V"] * 6 + ["D17"]}, c), "eve") == []  # D17 ends 17:00: a free evening
    (f,) = rule_hits(check({"A": ["V"] * 6 + ["LD"]}, c), "eve")
    assert (f.value, f.limit) == (0.0, 1.0)


def test_repair_treats_leave_evenings_as_free():
    # A: six leave days and a late shift needs nothing; B works every evening and needs one free:
    # one swap with C (2 changes). Counting A's leave evenings as taken would move A's LD too.
    c = parse(one("eve", EVENING), path="t.toml")
    raw = raw_roster({"A": ["V"] * 6 + ["LD"], "B": ["LD"] * 7, "C": ["-"] * 7})
    assert [f.resident for f in check_raw(raw, c).findings] == ["B"]
    res = repair(raw, c, Settings(time_limit=20, workers=1, seed=1))
    assert res.outcome.status == "optimal" and res.outcome.objective == 2
    assert res.after.errors == 0 and staffing(res.repaired, c) == staffing(raw, c)
    assert {ch.resident for ch in res.outcome.changes} == {"B", "C"}


# ====================================================================== 3. windows with no on-service day
# (rule, passing roster holding an all-leave window, the same with one leave day on service, failing)
ALL_LEAVE = [
    # a night's last 7 h reach into a week of leave: 84 h/week over the night's one on-service day
    ({"kind": "max-hours", "limit": 84, "average-days": 7}, ["N"] + ["V"] * 7, ["N"] + ["V"] * 6 + ["LD"]),
    ({"kind": "max-count", "every": 3, "average-days": 7}, ["V"] * 6 + ["V/C"], ["V"] * 5 + ["-", "V/C"]),
    ({"kind": "min-free-days", "min": 1, "per": 7, "average-days": 7}, ["V"] * 7, ["V"] * 6 + ["S12"]),
    ({"kind": "min-free-days", "min": 1, "per": 7, "average-days": 7, "day-definition": "calendar"},
     ["V"] * 7, ["V"] * 6 + ["S12"]),
    ({"kind": "min-count", "kinds": ["wellness"], "min": 1, "per": 7}, ["V"] * 7, ["V"] * 6 + ["-"]),
    ({"kind": "min-free-evenings", "min": 1, "per": 7}, ["V"] * 7, ["S12"] * 7),
    # 2026-07-01 is a Wednesday: weekends on days 3-4, 10-11, 17-18, 24-25
    ({"kind": "min-free-weekends", "min": 1, "per": 28}, ["V"] * 28, ["V"] * 3 + ["S12", "-"] + ["V"] * 23),
    ({"kind": "max-weekends", "max": 1, "per": 2}, ["V"] * 2 + ["N"] + ["V"] * 25,
     ["V"] * 2 + ["N", "V", "-"] + ["V"] * 23),
]


@pytest.mark.parametrize(("rule", "passing", "failing"), ALL_LEAVE, ids=[r[0]["kind"] for r in ALL_LEAVE])
def test_a_window_with_no_on_service_day_requires_nothing(rule, passing, failing):
    c = one("r", rule, shifts={**SHIFTS, "N": {"start": "19:00", "end": "07:00", "kind": "night"}})
    assert rule_hits(check({"A": passing}, c), "r") == []
    assert len(rule_hits(check({"A": failing}, c), "r")) == 1
    # ... and the repair model agrees: with every cell locked its constraints are constants
    assert not locked_model_breaks(passing, c) and locked_model_breaks(failing, c)


def locked_model_breaks(cells: list[str], config: dict, start: str = "2026-07-01") -> bool:
    """Does the repair model of resident A's roster, every cell locked, break an error rule?"""
    from rostercheck.repair.problem import build_problem
    from rostercheck.repair.solve import build_model

    c = parse(config, path="t.toml")
    raw = raw_roster({"A": cells}, start=start)
    m = build_model(build_problem(raw, check_raw(raw, c).timeline, Settings(lock_residents=["A"])), c, None)
    return any(g.severity == "error" for g in m.trivially_false)


def test_golden_weekend_leaves_weekends_touching_leave_out_either_way():
    # four weekends; three touch leave, so the one left needs ceil(1 x 1 x 7 / 28) = 1 free
    c = one("gw", {"kind": "min-free-weekends", "min": 1, "per": 28})
    base = ["S12"] * 28
    for d in (3, 10, 18):  # Saturday 07-04, Saturday 07-11, Sunday 07-19 on leave
        base[d] = "V"
    ok = list(base)
    ok[24] = ok[25] = "-"
    assert rule_hits(check({"A": ok}, c), "gw") == []
    (f,) = rule_hits(check({"A": base}, c), "gw")
    assert (f.value, f.limit) == (0.0, 1.0)
    free_on_leave = list(base)  # a weekend free but for the leave day does not count as golden
    free_on_leave[4] = "-"
    (f,) = rule_hits(check({"A": free_on_leave}, c), "gw")
    assert (f.value, f.limit) == (0.0, 1.0)


# ====================================================================== the model agrees with the checker
POOL = ["S12", "LD", "LD", "D17", "S8", "N", "C24", "C28", "C29", "H28", "V", "V", "-", "S12/S8"]
# (rule id, rule, first date): the two daylight-saving changes of 2026 in New York are on 03-08 and 11-01
AGREE = [
    ("eve", EVENING, "2026-10-29"),
    ("eve", {**EVENING, "exclude-leave": False}, "2026-03-05"),
    ("len", SHIFT_LENGTH, "2026-03-05"),
    ("len", SHIFT_LENGTH, "2026-10-29"),
    ("h", {"kind": "max-hours", "limit": 80, "average-days": 7}, "2026-03-05"),
    ("calls", {"kind": "max-count", "every": 3, "average-days": 7, "kinds": ["call"]}, "2026-10-29"),
    ("rest", {"kind": "min-rest", "min-hours": 14, "after-hours": 24}, "2026-03-05"),
]


@pytest.mark.parametrize(("rule_id", "spec", "start"), AGREE, ids=[f"{a[0]}-{a[2]}" for a in AGREE])
def test_model_of_a_locked_roster_agrees_with_the_checker(rule_id, spec, start):
    """All cells locked: the model's constant constraints are broken exactly when the checker
    reports an error (max-hours may be stricter where two cells' shifts overlap in time)."""
    night = {"N": {"start": "19:00", "end": "07:00", "kind": "night"}}
    config = one(rule_id, spec, timezone=NY, shifts={**SHIFTS, **night})
    c = parse(config, path="t.toml")
    rnd = random.Random(f"{rule_id}{spec}{start}")
    seen = set()
    for _ in range(16):
        cells = [rnd.choice(POOL) for _ in range(rnd.randint(3, 9))]
        before = check_raw(raw_roster({"A": cells}, start=start), c)
        broken = before.errors > 0
        in_model = locked_model_breaks(cells, config, start)
        tl = before.timeline
        w = tl.work_rows
        overlap = int((w["end"] - w["start"]).sum()) > int((tl.work.end - tl.work.start).sum())
        stricter = in_model and overlap and spec["kind"] == "max-hours"
        assert in_model == broken or stricter, cells
        seen.add(broken)
    assert seen == {True, False}  # both kinds of roster were tried


# ====================================================================== 4. overlapping shifts count once
def test_overlapping_shifts_count_once_for_weekly_hours():
    # S12/S8 is 07:00-19:00 and 08:00-16:00: 12 h a day, not 20
    c = one("h", {"kind": "max-hours", "limit": 84, "per": 7, "average-days": 7})
    assert rule_hits(check({"A": ["S12/S8"] * 7}, c), "h") == []
    (f,) = rule_hits(check({"A": ["S12/S8"] * 6 + ["S13/S8"]}, c), "h")
    assert f.value == 85.0


def test_a_long_call_overlapping_the_next_shift_counts_its_union():
    # C28 07:00 -> 11:00 the next day and S12 07:00-19:00 that day: 36 h together, not 40
    c = one("h", {"kind": "max-hours", "limit": 36, "per": 2, "average-days": 2})
    assert rule_hits(check({"A": "C28 S12"}, c), "h") == []
    (f,) = rule_hits(check({"A": "C28 S13"}, c), "h")
    assert f.value == 37.0


# ====================================================================== 5. `code` for coverage
def test_coverage_takes_one_code():
    rule = {"kind": "coverage", "code": "c", "min": 1}
    assert rule_hits(check({"A": "C - C", "B": "- C -"}, only({"cov": rule})), "cov") == []
    (f,) = rule_hits(check({"A": "C - C", "B": "- - -"}, only({"cov": rule})), "cov")
    assert (f.start[:10], f.value, f.limit) == ("2026-07-02", 0.0, 1.0)
    (rc,) = parse(only({"cov": rule}), path="t").rules
    assert rc.params["codes"] == ["C"]  # one spelling for the rule and the repair


@pytest.mark.parametrize(("spec", "key", "text"), [
    ({"code": "C", "codes": ["C"]}, "rules.cov.code", "not both"),
    ({"code": ["C"]}, "rules.cov.code", "one shift code"),
    ({"code": ""}, "rules.cov.code", "one shift code"),
    ({}, "rules.cov.codes", "needs the codes"),
])
def test_coverage_code_errors_name_the_key(spec, key, text):
    with pytest.raises(InputError) as e:
        parse(only({"cov": {"kind": "coverage", "min": 1, **spec}}), path="t.toml")
    assert key in str(e.value) and text in str(e.value)


def test_an_unknown_coverage_code_names_the_key_written(tmp_path):
    from workbooks import make_csv

    roster = make_csv(tmp_path / "r.csv", [["Resident", "2026-07-01", "2026-07-02"], ["A", "C", "OFF"]])
    (tmp_path / "rostercheck.toml").write_text('[rules.cov]\nkind = "coverage"\ncode = "ZZ"\nmin = 1\n')
    one_line_exit_2(*run("check", str(roster)), "rules.cov.code", "'ZZ'")


def test_repair_keeps_a_coverage_rule_given_by_code():
    c = parse({"preset": "acgme", "rules": {"cov": {"kind": "coverage", "code": "C", "min": 1, "max": 1}}},
              path="t.toml")
    raw = raw_roster({"A": "C C -", "B": "- - C", "C": "- - -"})  # A's two calls in a row: one 48 h period
    assert legend_for(raw, c)["C"].kind == "call"
    res = repair(raw, c, Settings(time_limit=20, workers=1, seed=1))
    assert res.outcome.status == "optimal" and res.outcome.objective == 2 and res.after.errors == 0
    calls = res.repaired.entries.frame().groupby("date")["text"].apply(lambda t: sum(x == "C" for x in t))
    assert calls.tolist() == [1, 1, 1]
