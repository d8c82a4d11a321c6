"""Each rule alone on the smallest roster: one that just passes and one that just fails.

Rosters start on Wednesday 2026-07-01 unless a test says otherwise. Cells are written as
space-separated codes; "-" is a blank cell.
"""

from __future__ import annotations

import pytest
from helpers import check, only, raw_roster, rule_hits

from rostercheck.check import check_raw
from rostercheck.config import parse

SHIFTS = {
    "S12": {"start": "07:00", "end": "19:00"},
    "S8": {"start": "08:00", "end": "16:00"},
    "S10": {"start": "08:00", "end": "18:00"},
    "S13": {"start": "07:00", "end": "20:00"},
    "E": {"start": "19:00", "end": "23:00"},  # evening session
    "E2": {"start": "18:30", "end": "23:00"},
    "T4": {"start": "07:00", "end": "11:00"},  # hand-over after call
    "T5": {"start": "07:00", "end": "12:00"},
    "N21": {"start": "21:00", "end": "07:00", "kind": "night"},
    "N2030": {"start": "20:30", "end": "07:00", "kind": "night"},
    "L3": {"start": "03:00", "end": "07:00"},
    "L230": {"start": "02:30", "end": "07:00"},
    "D18": {"start": "07:00", "end": "18:00"},
    "D1830": {"start": "07:00", "end": "18:30"},
}


def cfg(rule: str, **params: object) -> dict:
    """The acgme/wellness preset rule `rule` alone, with parameter overrides."""
    preset = "wellness" if rule in ("wellness-time", "protected-evening", "golden-weekend") else "acgme"
    base = parse({"preset": preset}, path="x").rules
    others = {r.id: {"enabled": False} for r in base if r.id != rule}
    return {"preset": preset, "shifts": SHIFTS, "rules": {**others, rule: dict(params)}}


def days(*parts: tuple[str, int]) -> list[str]:
    out: list[str] = []
    for code, n in parts:
        out += [code] * n
    return out


# ------------------------------------------------------------------------------ weekly-hours
def test_weekly_hours_exactly_80_passes():
    # 26 x 12 h + 8 h = 320.0 h in 28 days = 80.0 h/week
    r = check({"A": days(("S12", 26), ("S8", 1), ("-", 1))}, cfg("weekly-hours"))
    assert rule_hits(r, "weekly-hours") == []


def test_weekly_hours_80_5_fails():
    # 26 x 12 h + 10 h = 322 h = 80.5 h/week
    r = check({"A": days(("S12", 26), ("S10", 1), ("-", 1))}, cfg("weekly-hours"))
    (f,) = rule_hits(r, "weekly-hours")
    assert (f.value, f.limit, f.unit, f.severity) == (80.5, 80.0, "hours/week", "error")
    assert f.start == "2026-07-01T00:00" and f.end == "2026-07-29T00:00"
    assert len(f.cells) == 27 and f.cells[0].cell == "B2"


def test_weekly_hours_leave_leaves_the_window():
    # 7 leave days: limit 240 h. 20 x 12 = 240 passes; 19 x 12 + 13 = 241 fails.
    ok = check({"A": days(("V", 7), ("S12", 20), ("-", 1))}, cfg("weekly-hours"))
    assert rule_hits(ok, "weekly-hours") == []
    bad = check({"A": days(("V", 7), ("S12", 19), ("S13", 1), ("-", 1))}, cfg("weekly-hours"))
    (f,) = rule_hits(bad, "weekly-hours")
    assert "21 on-service days" in f.message
    # ... and exclude-leave = false counts leave days as on service
    off = check({"A": days(("V", 7), ("S12", 19), ("S13", 1), ("-", 1))},
                cfg("weekly-hours", **{"exclude-leave": False}))
    assert rule_hits(off, "weekly-hours") == []


def test_weekly_hours_counts_only_the_part_of_a_night_inside_the_window():
    # 26 x 12 h = 312 h plus a night 19:00-07:00 on the last day: 5 h inside = 317 h (passes);
    # counting the whole night would give 324 h.
    r = check({"A": days(("S12", 26), ("-", 1), ("N", 1))}, cfg("weekly-hours"))
    assert rule_hits(r, "weekly-hours") == []


def test_weekly_hours_rolling_windows_report_the_worst_one_once():
    # 31 days: heavy hours on days 4..31 only; the windows starting on day 1 pass, later ones fail
    r = check({"A": days(("-", 3), ("S12", 27), ("S12", 1))}, cfg("weekly-hours"))
    (f,) = rule_hits(r, "weekly-hours")
    assert f.start == "2026-07-04T00:00" and f.value == 84.0
    assert "overlapping windows" in f.message


def test_weekly_hours_block_windows():
    rows = {"A": days(("S12", 28), ("-", 28))}
    rolling = check(rows, cfg("weekly-hours"))
    block = check(rows, cfg("weekly-hours", window="block"))
    assert len(rule_hits(block, "weekly-hours")) == 1
    assert rule_hits(block, "weekly-hours")[0].end == "2026-07-29T00:00"
    assert len(rule_hits(rolling, "weekly-hours")) == 1


def test_short_roster_scales_the_limit():
    # 14 days: limit 160 h. 13 x 12 + 4 = 160 passes, 13 x 12 + 5 fails.
    ok = check({"A": days(("S12", 13), ("T4", 1))}, cfg("weekly-hours"))
    bad = check({"A": days(("S12", 13), ("T5", 1))}, cfg("weekly-hours"))
    assert rule_hits(ok, "weekly-hours") == [] and len(rule_hits(bad, "weekly-hours")) == 1


# ------------------------------------------------------------------------------ days-off
def _week(off: str) -> list[str]:
    return ["S12"] * 6 + [off]


def test_days_off_four_free_days_pass():
    r = check({"A": _week("-") * 4}, cfg("days-off"))
    assert rule_hits(r, "days-off") == []


def test_days_off_exactly_24_hours_free_counts_and_23_5_does_not():
    # Last week: S12 ends 19:00 on day 27, an evening session starts 19:00 on day 28: 24 h free.
    ok = check({"A": _week("-") * 3 + ["S12"] * 6 + ["E"]}, cfg("days-off"))
    assert rule_hits(ok, "days-off") == []
    bad = check({"A": _week("-") * 3 + ["S12"] * 6 + ["E2"]}, cfg("days-off"))
    (f,) = rule_hits(bad, "days-off")
    assert (f.value, f.limit, f.unit) == (3.0, 4.0, "days")


def test_days_off_leave_is_not_a_day_off_but_shrinks_the_need():
    # 7 leave days: need ceil(21/7) = 3; leave itself never counts as free.
    ok = check({"A": ["V"] * 7 + _week("-") * 3}, cfg("days-off"))
    assert rule_hits(ok, "days-off") == []
    bad = check({"A": ["V"] * 7 + _week("-") * 2 + ["S12"] * 7}, cfg("days-off"))
    (f,) = rule_hits(bad, "days-off")
    assert f.value == 2.0 and f.limit == 3.0


def test_days_off_home_call_breaks_a_free_day():
    ok = check({"A": _week("-") * 4}, cfg("days-off"))
    bad = check({"A": _week("-") * 3 + _week("HC")}, cfg("days-off"))
    assert rule_hits(ok, "days-off") == [] and len(rule_hits(bad, "days-off")) == 1


def test_days_off_calendar_definition():
    # A night ending 07:00 leaves the next date touched: not a calendar day off.
    rows = {"A": ["N", "-", "-"] + _week("-") * 3 + ["S12"] * 4}
    cont = check(rows, cfg("days-off"))
    cal = check(rows, cfg("days-off", **{"day-definition": "calendar"}))
    assert rule_hits(cont, "days-off") == []
    assert len(rule_hits(cal, "days-off")) == 0 or rule_hits(cal, "days-off")[0].value < 4


# ------------------------------------------------------------------------------ shift-length
def test_shift_length_28_hours_passes_29_fails():
    ok = check({"A": ["C", "T4", "-", "-"]}, cfg("shift-length"))
    assert rule_hits(ok, "shift-length") == []
    bad = check({"A": ["C", "T5", "-", "-"]}, cfg("shift-length"))
    (f,) = rule_hits(bad, "shift-length")
    assert (f.value, f.limit) == (29.0, 28.0)
    assert [c.cell for c in f.cells] == ["B2", "C2"]


def test_shift_length_joins_shifts_across_a_short_gap():
    # a day 07-19 then a night 20:30-07:00: 1.5 h gap < 2 h, one 24 h period (passes 28, fails 20)
    r = check({"A": ["S12/N2030", "-"]}, cfg("shift-length", limit=20, **{"transition-hours": 0}))
    (f,) = rule_hits(r, "shift-length")
    assert f.value == 24.0


# ------------------------------------------------------------------------------ post-call-rest
def test_post_call_rest_14_hours_passes_13_5_fails():
    ok = check({"A": ["C", "N21", "-"]}, cfg("post-call-rest"))
    assert rule_hits(ok, "post-call-rest") == []
    bad = check({"A": ["C", "N2030", "-"]}, cfg("post-call-rest"))
    (f,) = rule_hits(bad, "post-call-rest")
    assert (f.value, f.limit, f.unit) == (13.5, 14.0, "hours")
    assert f.message == "13.5 h free after a 24.0 h call period ending 2026-07-02 07:00 (minimum 14 h)"
    assert (f.start, f.end) == ("2026-07-01T07:00", "2026-07-02T20:30")


def test_post_call_rest_only_after_24_hours():
    # a 23 h period followed by 13 h rest is not post-call
    r = check({"A": ["X23", "N2030", "-"]},
              {**cfg("post-call-rest"), "shifts": {**SHIFTS, "X23": {"start": "08:00", "end": "07:00"}}})
    assert rule_hits(r, "post-call-rest") == []


# ------------------------------------------------------------------------------ rest-between-shifts
def test_rest_between_shifts_8_hours_passes_7_5_warns():
    ok = check({"A": ["S12", "L3"]}, cfg("rest-between-shifts"))
    assert rule_hits(ok, "rest-between-shifts") == []
    bad = check({"A": ["S12", "L230"]}, cfg("rest-between-shifts"))
    (f,) = rule_hits(bad, "rest-between-shifts")
    assert (f.value, f.limit, f.severity) == (7.5, 8.0, "warning")
    assert bad.errors == 0 and bad.warnings == 1


# ------------------------------------------------------------------------------ call-frequency
def _calls(n: int, length: int = 28) -> list[str]:
    cells = ["-"] * length
    for i in range(n):
        cells[3 * i] = "C"
    return cells


def test_call_frequency_9_in_28_pass_10_fail():
    assert rule_hits(check({"A": _calls(9)}, cfg("call-frequency")), "call-frequency") == []
    (f,) = rule_hits(check({"A": _calls(10)}, cfg("call-frequency")), "call-frequency")
    assert (f.value, f.limit, f.unit) == (10.0, 9.0, "calls")
    assert len(f.cells) == 10


def test_call_frequency_scales_with_leave():
    # 7 leave days: 21 on service, floor(21/3) = 7 calls
    seven = ["V"] * 7 + _calls(7, 21)
    eight = ["V"] * 7 + ["C", "-"] + _calls(7, 19)
    assert rule_hits(check({"A": seven}, cfg("call-frequency")), "call-frequency") == []
    assert len(rule_hits(check({"A": eight}, cfg("call-frequency")), "call-frequency")) == 1


# ------------------------------------------------------------------------------ consecutive-nights
def test_consecutive_nights_6_pass_7_warn():
    ok = check({"A": ["N"] * 6 + ["-", "-"]}, cfg("consecutive-nights"))
    assert rule_hits(ok, "consecutive-nights") == []
    bad = check({"A": ["N"] * 7 + ["-", "-"]}, cfg("consecutive-nights"))
    (f,) = rule_hits(bad, "consecutive-nights")
    assert (f.value, f.limit, f.severity) == (7.0, 6.0, "warning")
    assert f.start == "2026-07-01T00:00" and f.end == "2026-07-08T07:00"


def test_max_consecutive_rest_after_a_run():
    rule = {"kind": "max-consecutive", "kinds": ["night"], "max": 4, "rest-after-hours": 46,
            "rest-after-run": 2}
    # nights end 07:00 on day 4; next work 07:00 on day 6 = 48 h (passes); 05:00 on day 6? use S12 day 5 = 24 h
    ok = check({"A": ["N", "N", "N", "-", "-", "S12"]}, only({"nights": rule}, shifts=SHIFTS))
    assert rule_hits(ok, "nights") == []
    bad = check({"A": ["N", "N", "N", "-", "S12"]}, only({"nights": rule}, shifts=SHIFTS))
    (f,) = rule_hits(bad, "nights")
    assert (f.value, f.limit) == (24.0, 46.0)


# ------------------------------------------------------------------------------ wellness preset
def test_wellness_time_one_in_28_days():
    ok = check({"A": ["W"] + ["-"] * 27}, cfg("wellness-time"))
    assert rule_hits(ok, "wellness-time") == []
    (f,) = rule_hits(check({"A": ["-"] * 28}, cfg("wellness-time")), "wellness-time")
    assert (f.value, f.limit) == (0.0, 1.0)
    assert f.cells and f.cells[0].cell == "A2"  # nothing to point at but the resident's row


def test_protected_evening_boundary_at_18_00():
    ok = check({"A": ["S12"] * 6 + ["D18"]}, cfg("protected-evening"))
    assert rule_hits(ok, "protected-evening") == []
    bad = check({"A": ["S12"] * 6 + ["D1830"]}, cfg("protected-evening"))
    (f,) = rule_hits(bad, "protected-evening")
    assert (f.value, f.limit, f.severity) == (0.0, 1.0, "warning")


def test_golden_weekend_friday_night_spoils_it():
    # 2026-07-04 is a Saturday: the roster's first weekend is days 3-4
    base = ["S12"] * 28
    ok = list(base)
    ok[3] = ok[4] = "-"
    assert rule_hits(check({"A": ok}, cfg("golden-weekend")), "golden-weekend") == []
    bad = list(ok)
    bad[2] = "N"  # Friday night, ends Saturday 07:00
    (f,) = rule_hits(check({"A": bad}, cfg("golden-weekend")), "golden-weekend")
    assert (f.value, f.limit) == (0.0, 1.0)


# ------------------------------------------------------------------------------ generic kinds
def test_coverage_min_and_max():
    rule = {"kind": "coverage", "codes": ["C"], "min": 1, "max": 1}
    ok = check({"A": "C - C", "B": "- C -"}, only({"call-cover": rule}))
    assert rule_hits(ok, "call-cover") == []
    bad = check({"A": "C - C", "B": "C - -"}, only({"call-cover": rule}))
    hits = rule_hits(bad, "call-cover")
    assert [(h.start[:10], h.value, h.limit) for h in hits] == [("2026-07-01", 2.0, 1.0), ("2026-07-02", 0.0, 1.0)]
    assert all(h.resident is None for h in hits)


def test_applies_to_scopes_a_rule_by_pgy():
    rule = {"kind": "max-period-length", "limit": 16, "applies-to": {"pgy": [1]}}
    r = check({"Intern": "C - -", "Senior": "C - -"}, only({"intern-shift-length": rule}),
              pgy={"Intern": 1, "Senior": 2})
    assert [f.resident for f in rule_hits(r, "intern-shift-length")] == ["Intern"]


def test_min_rest_ratio_of_the_preceding_shift():
    rule = {"kind": "min-rest", "min-hours": 0, "ratio": 1.0}
    ok = check({"A": ["S12", "S12"]}, only({"em-rest": rule}, shifts=SHIFTS))  # 12 h shift, 12 h rest
    assert rule_hits(ok, "em-rest") == []
    bad = check({"A": ["S13", "S12"]}, only({"em-rest": rule}, shifts=SHIFTS))  # 13 h shift, 11 h rest
    (f,) = rule_hits(bad, "em-rest")
    assert (f.value, f.limit) == (11.0, 13.0)


def test_multi_code_cells_are_one_cell_with_several_codes():
    # "S8/E": clinic 08-16 and an evening session 19-23: two work intervals in one cell
    r = check({"A": ["S8/E"] * 28}, {"preset": "none", "shifts": SHIFTS,
                                      "rules": {"h": {"kind": "max-hours", "limit": 80}}})
    (f,) = rule_hits(r, "h")
    assert f.value == 84.0  # (8 + 4) h x 7 days
    assert len(f.cells) == 28


def test_time_zone_makes_a_dst_night_its_real_length():
    # 2026-03-07 19:00 to 03-08 07:00 in Chicago spans the spring-forward: 11 h
    rule = {"kind": "max-period-length", "limit": 11}
    naive = check({"A": ["N", "-"]}, only({"len": rule}), start="2026-03-07")
    tz = check({"A": ["N", "-"]}, only({"len": rule}, timezone="America/Chicago"), start="2026-03-07")
    assert len(rule_hits(naive, "len")) == 1 and rule_hits(tz, "len") == []
    fall = check({"A": ["N", "-"]}, only({"len": {"kind": "max-period-length", "limit": 12}},
                                         timezone="America/Chicago"), start="2026-10-31")
    (f,) = rule_hits(fall, "len")
    assert f.value == 13.0


def test_previous_roster_gives_history_for_rest_and_windows():
    cfg_ = parse(cfg("post-call-rest"), path="x")
    prev = raw_roster({"A": ["-", "-", "C"]}, start="2026-06-28", path="june.xlsx")
    cur = raw_roster({"A": ["N2030", "-"]}, start="2026-07-01", path="july.xlsx")
    alone = check_raw(cur, cfg_)
    assert rule_hits(alone, "post-call-rest") == []
    hist = check_raw(cur, cfg_, previous=prev)
    (f,) = rule_hits(hist, "post-call-rest")
    assert f.value == 13.5
    assert {c.file for c in f.cells} == {"june.xlsx", "july.xlsx"}


def test_previous_roster_findings_are_not_judged_again():
    cfg_ = parse(cfg("post-call-rest"), path="x")
    prev = raw_roster({"A": ["C", "N2030", "-"]}, start="2026-06-28", path="june.xlsx")
    cur = raw_roster({"A": ["-", "-"]}, start="2026-07-01", path="july.xlsx")
    assert rule_hits(check_raw(cur, cfg_, previous=prev), "post-call-rest") == []


def _q3_ending_june_30() -> list[str]:
    cells = ["-"] * 28  # 2026-06-03 .. 06-30
    for k in range(9):
        cells[27 - 3 * k] = "C"
    return cells


@pytest.mark.parametrize(
    ("rule", "june", "july"),
    [
        ("weekly-hours", ["S12"] * 28, ["S12"] + ["-"] * 27),
        ("days-off", ["S12"] * 28, ["-"] * 28),
        ("call-frequency", _q3_ending_june_30(), ["-", "C"] + ["-"] * 26),
    ],
)
def test_history_windows_start_in_the_previous_month(rule, june, july):
    cfg_ = parse(cfg(rule), path="x")
    prev = raw_roster({"A": june}, start="2026-06-03", path="june.xlsx")
    cur = raw_roster({"A": july}, start="2026-07-01", path="july.xlsx")
    assert rule_hits(check_raw(cur, cfg_), rule) == []
    (f,) = rule_hits(check_raw(cur, cfg_, previous=prev), rule)
    assert f.start < "2026-07-01" < f.end


def test_golden_weekend_needs_nothing_from_a_window_without_a_weekend():
    # 2026-07-06 is a Monday: five weekdays hold no Saturday-Sunday pair
    r = check({"A": ["S12"] * 5}, cfg("golden-weekend"), start="2026-07-06")
    assert rule_hits(r, "golden-weekend") == []
    # ... but a fortnight holding two worked weekends needs one free (ceil(2 x 7 / 28) = 1)
    r = check({"A": ["S12"] * 14}, cfg("golden-weekend"), start="2026-07-06")
    (f,) = rule_hits(r, "golden-weekend")
    assert (f.value, f.limit) == (0.0, 1.0)
