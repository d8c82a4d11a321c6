"""Each rule of the regime presets alone, on the examples of ``rules-research.md``: one roster that
just passes and one that just fails.

Section references (S1, A12, 3.1 U1-U9, 3.2 E1-E3) are to ``../shared/docs/rules-research.md``.
Where the research file states a rule without an example, the example is the rule's boundary
(exactly the limit passes, just past it fails) and the test says so. Rosters start on Monday
2026-07-06 unless a test says otherwise; "-" is a blank cell.
"""

from __future__ import annotations

import pytest
from helpers import check, rule_hits

from rostercheck.config import parse
from rostercheck.presets import PRESETS

MONDAY = "2026-07-06"

SHIFTS = {
    "S8": {"start": "08:00", "end": "16:00"},
    "S10": {"start": "08:00", "end": "18:00"},
    "S11": {"start": "08:00", "end": "19:00"},
    "S12": {"start": "07:00", "end": "19:00"},
    "S13": {"start": "07:00", "end": "20:00"},
    "S1330": {"start": "07:00", "end": "20:30"},
    "S0630": {"start": "06:30", "end": "19:00"},
    "LD125": {"start": "07:30", "end": "20:00"},  # a 12.5 h long day
    "E10": {"start": "16:00", "end": "02:00"},  # a 10 h ED shift ending 02:00
    "M10": {"start": "10:00", "end": "18:00"},
    "M12": {"start": "12:00", "end": "20:00"},
    "T1": {"start": "07:00", "end": "08:00"},
    "T2": {"start": "08:00", "end": "10:00"},
    "H5": {"start": "06:00", "end": "11:00"},
    "H10": {"start": "06:00", "end": "16:00"},
    "H12": {"start": "06:00", "end": "18:00"},
    "H14": {"start": "06:00", "end": "20:00"},
    "H16": {"start": "06:00", "end": "22:00"},
    "H20": {"start": "06:00", "end": "02:00"},
    "I16": {"start": "07:00", "end": "23:00"},
    "I1630": {"start": "07:00", "end": "23:30"},
    "ED": {"start": "07:00", "end": "19:00"},
    "ED13": {"start": "07:00", "end": "20:00"},
    "CONF": {"start": "13:00", "end": "17:00"},
    "L21": {"start": "11:00", "end": "21:00"},
    "L2130": {"start": "11:30", "end": "21:30"},
    "L22": {"start": "12:00", "end": "22:00"},
    "L15": {"start": "15:00", "end": "23:00"},
    "L16": {"start": "16:00", "end": "23:00"},
    "E18": {"start": "18:00", "end": "23:00"},
    "D0430": {"start": "04:30", "end": "12:30"},
    "D05": {"start": "05:00", "end": "13:00"},
    "D0530": {"start": "05:30", "end": "13:30"},
    "D06": {"start": "06:00", "end": "14:00"},
    "D08": {"start": "08:00", "end": "16:00"},
    "D09": {"start": "09:00", "end": "17:00"},
    "N1830": {"start": "18:30", "end": "07:00", "kind": "night"},
    "N2008": {"start": "20:00", "end": "08:00", "kind": "night"},
    "N2004": {"start": "20:00", "end": "04:00", "kind": "night"},
    "E1": {"start": "15:00", "end": "01:00"},  # 2 h inside 23:00-06:00: not a night
    "E2": {"start": "15:00", "end": "02:00"},  # 3 h inside 23:00-06:00: a night
    "F24": {"start": "16:00", "end": "00:00"},  # Friday evening ending at midnight
    "F0030": {"start": "16:30", "end": "00:30"},  # ... ending 00:30 Saturday
}


def cfg(preset: str, rule: str, **params: object) -> dict:
    """Preset ``preset`` with only ``rule`` enabled (plus parameter overrides)."""
    others = {rid: {"enabled": False} for rid in PRESETS[preset] if rid != rule}
    return {"preset": preset, "shifts": SHIFTS, "rules": {**others, rule: {"enabled": True, **params}}}


def hits(rows: dict, preset: str, rule: str, start: str = MONDAY, **kw: object) -> list:
    pgy = kw.pop("pgy", None)
    r = check(rows, cfg(preset, rule, **kw), start=start, pgy=pgy)
    assert all(f.rule == rule for f in r.findings)
    return rule_hits(r, rule)


def week(*codes: str) -> list[str]:
    return list(codes) + ["-"] * (7 - len(codes))


def test_every_preset_rule_cites_its_source_and_has_a_kind():
    for name in ("acgme-em", "ny-405", "uk-2016", "ewtd"):
        rules = parse({"preset": name}, path="x").rules
        assert rules, name
        for rc in rules:
            assert "research" in rc.citation and rc.severity == "error", rc.id


def test_presets_combine_with_acgme_without_clashing_ids():
    ids = [rid for name in ("acgme", "acgme-em", "ny-405", "uk-2016", "ewtd") for rid in PRESETS[name]]
    assert len(ids) == len(set(ids))
    rules = parse({"preset": ["acgme", "acgme-em"]}, path="x").rules
    assert {"weekly-hours", "em-total-hours"} <= {r.id for r in rules}


# =============================================================================== acgme-em (S1)
def test_em_shift_length_12_passes_13_fails():
    # research A12/S1: an ED shift 07:00-19:00 passes, 07:00-20:00 (13 h) fails
    assert hits({"A": ["S12", "-"]}, "acgme-em", "em-shift-length") == []
    (f,) = hits({"A": ["S13", "-"]}, "acgme-em", "em-shift-length")
    assert (f.value, f.limit) == (13.0, 12.0)


def test_em_rest_as_long_as_the_preceding_shift():
    # research S1: a 10 h shift ending 02:00; next shift 12:00 passes (10 h), 10:00 fails (8 h)
    assert hits({"A": ["E10", "M12"]}, "acgme-em", "em-rest") == []
    (f,) = hits({"A": ["E10", "M10"]}, "acgme-em", "em-rest")
    assert (f.value, f.limit) == (8.0, 10.0)


def test_em_clinical_hours_60_in_any_7_days():
    # boundary (S1 gives no example): 5 x 12 h in every 7 days is 60 h; one 13 h shift makes 61 h
    assert hits({"A": week(*["S12"] * 5) * 2}, "acgme-em", "em-clinical-hours") == []
    bad = week(*["S12"] * 5) * 2
    bad[9] = "S13"
    (f,) = hits({"A": bad}, "acgme-em", "em-clinical-hours")
    assert (f.value, f.limit, f.unit) == (61.0, 60.0, "hours/week")


def test_em_clinical_hours_counts_only_the_ed_codes_when_given():
    # 5 ED shifts (60 h) and a 4 h conference: 60 h clinical passes, the 64 h count toward 72 only
    rows = {"A": week("ED", "ED", "ED", "ED", "ED", "CONF")}
    assert hits(rows, "acgme-em", "em-clinical-hours", codes=["ED", "ED13"]) == []
    (f,) = hits(rows, "acgme-em", "em-clinical-hours")  # without codes every hour counts (strict)
    assert f.value == 64.0
    assert hits(rows, "acgme-em", "em-total-hours") == []


def test_em_total_hours_72_in_any_7_days():
    # boundary: 6 x 12 h = 72 h passes; 5 x 12 h + 13 h = 73 h fails
    assert hits({"A": week(*["S12"] * 6)}, "acgme-em", "em-total-hours") == []
    (f,) = hits({"A": week(*["S12"] * 5, "S13")}, "acgme-em", "em-total-hours")
    assert (f.value, f.limit) == (73.0, 72.0)


def test_em_day_off_in_every_7_days_not_averaged():
    # research S1: 7 shifts in 7 calendar days fail even if the 4-week average is fine; 6 and a
    # day off pass. Just: a night starting 19:00 on day 7 leaves exactly 24 h, at 18:30 23.5 h.
    assert hits({"A": ["S12"] * 6 + ["N"]}, "acgme-em", "em-day-off") == []
    (f,) = hits({"A": ["S12"] * 6 + ["N1830"]}, "acgme-em", "em-day-off")
    assert (f.value, f.limit) == (0.0, 1.0)
    (g,) = hits({"A": ["S12"] * 7 + week(*["S12"] * 6) * 3}, "acgme-em", "em-day-off")
    assert g.start == "2026-07-06T00:00"


# =============================================================================== ny-405 (A12)
def test_ny_shift_length_24_hours():
    # A12: senior residents at most 24 consecutive hours (no transition time in the research file)
    assert hits({"A": ["C", "-", "-"]}, "ny-405", "ny-shift-length", pgy={"A": 2}) == []
    (f,) = hits({"A": ["C", "T1", "-"]}, "ny-405", "ny-shift-length", pgy={"A": 2})
    assert (f.value, f.limit) == (25.0, 24.0)


def test_ny_intern_shift_length_16_hours_only_for_pgy1():
    assert hits({"A": ["I16", "-"]}, "ny-405", "ny-intern-shift-length", pgy={"A": 1}) == []
    (f,) = hits({"A": ["I1630", "-"]}, "ny-405", "ny-intern-shift-length", pgy={"A": 1})
    assert (f.value, f.limit) == (16.5, 16.0)
    assert hits({"A": ["I1630", "-"]}, "ny-405", "ny-intern-shift-length", pgy={"A": 2}) == []


def test_ny_weekly_hours_80_averaged_over_4_weeks():
    # research A1 (the same 80 h rule): 100/60/80/80 = 320 h passes; 90/85/80/70 = 81.25 h/week fails
    ok = week(*["H20"] * 5) + week(*["H12"] * 5) + week(*["H16"] * 5) * 2
    assert hits({"A": ok}, "ny-405", "ny-weekly-hours") == []
    bad = (week(*["H20"] * 4, "H10") + week(*["H20"] * 4, "H5") + week(*["H16"] * 5) + week(*["H14"] * 5))
    (f,) = hits({"A": bad}, "ny-405", "ny-weekly-hours")
    assert (f.value, f.limit) == (81.25, 80.0)
    # leave case: a week of vacation and 90/85/80 = 85 h per on-service week
    leave = ["V"] * 7 + bad[:21]
    (g,) = hits({"A": leave}, "ny-405", "ny-weekly-hours")
    assert g.value == 85.0


def test_ny_day_off_each_week():
    # A12: 7 consecutive work days fail; 6 days on and 24 h off pass (exactly 24 h: Sat 19:00 to Sun 19:00)
    assert hits({"A": ["S12"] * 6 + ["N"]}, "ny-405", "ny-day-off") == []
    (f,) = hits({"A": ["S12"] * 7}, "ny-405", "ny-day-off")
    assert (f.value, f.limit) == (0.0, 1.0)


def test_ny_ed_rules_are_off_until_codes_name_the_ed_shifts():
    rules = {r.id: r for r in parse({"preset": "ny-405"}, path="x").rules}
    assert not rules["ny-ed-shift-length"].enabled and not rules["ny-ed-rest"].enabled


def test_ny_ed_shift_length_12_hours():
    # A12: ED 07:00-19:00 passes, 07:00-20:00 (13 h) fails; a 24 h call outside the ED is not limited
    ed = {"codes": ["ED", "ED13"]}
    assert hits({"A": ["ED", "-", "C", "-", "-"]}, "ny-405", "ny-ed-shift-length", **ed) == []
    (f,) = hits({"A": ["ED13", "-"]}, "ny-405", "ny-ed-shift-length", **ed)
    assert (f.value, f.limit) == (13.0, 12.0)


def test_ny_ed_rest_10_hours_before_and_after():
    # A12: ED 07:00-19:00 with >= 10 h free before and after passes; 9.5 h on either side fails
    ed = {"codes": ["ED", "ED13"]}
    assert hits({"A": ["L21", "ED", "D05"]}, "ny-405", "ny-ed-rest", **ed) == []
    (before,) = hits({"A": ["L2130", "ED", "-"]}, "ny-405", "ny-ed-rest", **ed)
    assert (before.value, before.limit) == (9.5, 10.0) and "before" in before.message
    (after,) = hits({"A": ["-", "ED", "D0430"]}, "ny-405", "ny-ed-rest", **ed)
    assert (after.value, after.limit) == (9.5, 10.0) and "after" in after.message
    assert hits({"A": ["L2130", "S12", "D0430"]}, "ny-405", "ny-ed-rest", **ed) == []  # no ED shift


# =============================================================================== uk-2016 (3.1)
def test_uk_average_hours_48_over_the_rota():
    # U1 boundary: 16 x 12 h in 4 weeks is 48.0 h/week; one 13 h shift instead makes 48.25
    ok = week("S12", "S12", "-", "S12", "S12") * 4
    assert hits({"A": ok}, "uk-2016", "uk-average-hours") == []
    bad = list(ok)
    bad[0] = "S13"
    (f,) = hits({"A": bad}, "uk-2016", "uk-average-hours")
    assert (f.value, f.limit) == (48.25, 48.0)


def test_uk_hours_in_any_168_hours():
    # U2: 3 x 12.5 h long days and 3 x 8 h days (61.5 h) pass; 7 x 12.5 h long days (87.5 h) fail
    assert hits({"A": ["LD125"] * 3 + ["S8"] * 3 + ["-"]}, "uk-2016", "uk-hours-168") == []
    (f,) = hits({"A": ["LD125"] * 7}, "uk-2016", "uk-hours-168")
    assert (f.value, f.limit) == (87.5, 72.0)


def test_uk_hours_168_window_is_not_day_aligned():
    # boundary: 6 x 12 h from Monday 07:00 and a shift next Monday at 07:00 = 72 h in any 168 h;
    # starting it at 06:30 puts half an hour inside the 168 h from Monday 07:00
    assert hits({"A": ["S12"] * 6 + ["-", "S12"]}, "uk-2016", "uk-hours-168") == []
    (f,) = hits({"A": ["S12"] * 6 + ["-", "S0630"]}, "uk-2016", "uk-hours-168")
    assert (f.value, f.start, f.end) == (72.5, "2026-07-06T07:00", "2026-07-13T07:00")


def test_uk_shift_length_13_hours():
    # U3 boundary: 13 h passes, 13.5 h fails
    assert hits({"A": ["S13", "-"]}, "uk-2016", "uk-shift-length") == []
    (f,) = hits({"A": ["S1330", "-"]}, "uk-2016", "uk-shift-length")
    assert (f.value, f.limit) == (13.5, 13.0)


def test_uk_long_shifts_at_most_4_then_48_hours():
    # U4 (v5): at most 4 long shifts (over 10 h) in a row, then 48 h rest after the fourth
    assert hits({"A": ["S11"] * 4 + ["-", "N"]}, "uk-2016", "uk-long-shifts") == []  # exactly 48 h
    (f,) = hits({"A": ["S11"] * 4 + ["-", "E18"]}, "uk-2016", "uk-long-shifts")  # 47 h
    assert (f.value, f.limit) == (47.0, 48.0)
    (g,) = hits({"A": ["S11"] * 5 + ["-"] * 3}, "uk-2016", "uk-long-shifts")
    assert (g.value, g.limit) == (5.0, 4.0)
    # a shift of exactly 10 h is not long (the TCS says "more than 10 hours")
    assert hits({"A": ["S10"] * 5 + ["-", "D08"]}, "uk-2016", "uk-long-shifts") == []


def test_uk_nights_at_most_4_then_46_hours_after_any_run():
    # U5: nights Mon-Thu end 08:00 Fri; next shift 06:00 Sun passes (46 h), 08:00 Sat fails (24 h)
    assert hits({"A": ["N2008"] * 4 + ["-", "-", "D06"]}, "uk-2016", "uk-nights") == []
    (f,) = hits({"A": ["N2008"] * 4 + ["-", "D08"]}, "uk-2016", "uk-nights")
    assert (f.value, f.limit) == (24.0, 46.0)
    (g,) = hits({"A": ["N2008"] * 5 + ["-", "-", "D06"]}, "uk-2016", "uk-nights")
    assert (g.value, g.limit) == (5.0, 4.0)
    (h,) = hits({"A": ["N2008", "-", "D08"]}, "uk-2016", "uk-nights")  # even after a single night
    assert h.value == 24.0


def test_uk_night_is_3_hours_inside_23_to_06():
    # 3.1: a night has >= 3 h of work in 23:00-06:00 (20:00-04:00 is one); 15:00-01:00 (2 h) is not
    assert hits({"A": ["E1", "-", "D08"]}, "uk-2016", "uk-nights") == []
    assert len(hits({"A": ["E2", "-", "D08"]}, "uk-2016", "uk-nights")) == 1
    assert len(hits({"A": ["N2004", "-", "D08"]}, "uk-2016", "uk-nights")) == 1


def test_uk_consecutive_shifts_at_most_7_then_48_hours():
    # U7 (v5): at most 7 shifts in a row, then 48 h rest: 16:00 two days later passes, 15:00 fails
    assert hits({"A": ["S8"] * 7 + ["-", "L16"]}, "uk-2016", "uk-consecutive-shifts") == []
    (f,) = hits({"A": ["S8"] * 7 + ["-", "L15"]}, "uk-2016", "uk-consecutive-shifts")
    assert (f.value, f.limit) == (47.0, 48.0)
    (g,) = hits({"A": ["S8"] * 8 + ["-", "-", "-"]}, "uk-2016", "uk-consecutive-shifts")
    assert (g.value, g.limit) == (8.0, 7.0)


def test_uk_rest_between_shifts_11_hours():
    # U8 boundary: 19:00 to 06:00 is 11 h (passes), to 05:30 10.5 h (fails)
    assert hits({"A": ["S12", "D06"]}, "uk-2016", "uk-rest-between-shifts") == []
    (f,) = hits({"A": ["S12", "D0530"]}, "uk-2016", "uk-rest-between-shifts")
    assert (f.value, f.limit) == (10.5, 11.0)


def _weekends(*worked: int) -> list[str]:
    """Four weeks from Monday with a Saturday shift on the given weekends (0-3)."""
    cells = ["S8"] * 5 + ["-", "-"]
    out = []
    for k in range(4):
        w = list(cells)
        if k in worked:
            w[5] = "S8"
        out += w
    return out


def test_uk_weekends_at_most_one_in_two():
    # U9: alternate weekends pass; a Saturday on 3 weekends of 4 (0.75 > 0.5) fails
    assert hits({"A": _weekends(0, 2)}, "uk-2016", "uk-weekends") == []
    (f,) = hits({"A": _weekends(0, 1, 2)}, "uk-2016", "uk-weekends")
    assert (f.value, f.limit) == (3.0, 2.0)
    assert f.message.startswith("3 of 4 weekends worked")


def test_uk_weekend_starts_at_saturday_00_01():
    # a Friday evening ending at midnight is not weekend work; one ending at 00:30 Saturday is
    ok = _weekends(0, 2)
    ok[11] = "F24"
    assert hits({"A": ok}, "uk-2016", "uk-weekends") == []
    bad = _weekends(0, 2)
    bad[11] = "F0030"
    (f,) = hits({"A": bad}, "uk-2016", "uk-weekends")
    assert f.value == 3.0


# =============================================================================== ewtd (3.2)
def test_eu_daily_rest_11_hours():
    # E1: a shift ending 22:00 and the next at 08:00 (10 h) fails; at 09:00 (11 h) passes
    assert hits({"A": ["L22", "D09"]}, "ewtd", "eu-daily-rest") == []
    (f,) = hits({"A": ["L22", "D08"]}, "ewtd", "eu-daily-rest")
    assert (f.value, f.limit) == (10.0, 11.0)


def test_eu_weekly_rest_35_hours_each_7_days():
    # E2: Friday 19:00 to Sunday 06:00 is 35 h (passes); to Sunday 05:30 34.5 h (fails)
    assert hits({"A": week(*["S12"] * 5, "-", "D06") * 2}, "ewtd", "eu-weekly-rest") == []
    (f,) = hits({"A": week(*["S12"] * 5, "-", "D0530") + week(*["S12"] * 5, "-", "D06")},
                "ewtd", "eu-weekly-rest")
    assert (f.value, f.limit, f.end) == (0.0, 1.0, "2026-07-13T00:00")
    assert "free periods of 35 h" in f.message
    # E2: 13 consecutive working days with no 35 h block: both weeks fail
    assert len(hits({"A": ["S12"] * 13 + ["-"]}, "ewtd", "eu-weekly-rest")) == 2


def test_eu_weekly_rest_14_day_variant():
    # E2 (Art. 16(a), UK WTR): two 24 h rests or one of 48 h in 14 days pass; 47.5 h is one rest
    on = {"enabled": True}
    two = week(*["S12"] * 6) + week(*["S12"] * 6)
    assert hits({"A": two}, "ewtd", "eu-weekly-rest-14", **on) == []
    one48 = ["S12"] * 5 + ["-", "N"] + ["S12"] * 7
    assert hits({"A": one48}, "ewtd", "eu-weekly-rest-14", **on) == []
    (f,) = hits({"A": ["S12"] * 5 + ["-", "N1830"] + ["S12"] * 7}, "ewtd", "eu-weekly-rest-14", **on)
    assert (f.value, f.limit) == (1.0, 2.0)


def test_eu_average_hours_48_over_17_weeks():
    # E3: a 17-week average of 50 h fails; 48 h passes (and 48 h plus one 2 h session fails)
    assert hits({"A": week(*["S12"] * 4) * 17}, "ewtd", "eu-average-hours") == []
    (f,) = hits({"A": week(*["S12"] * 4, "T2") * 17}, "ewtd", "eu-average-hours")
    assert (f.value, f.limit) == (50.0, 48.0)
    just = week(*["S12"] * 4) * 17
    just[4] = "T2"
    assert len(hits({"A": just}, "ewtd", "eu-average-hours")) == 1


@pytest.mark.parametrize("preset", ["acgme-em", "ny-405", "uk-2016", "ewtd"])
def test_a_compliant_week_passes_the_whole_preset(preset):
    # 4 x 8 h day shifts a week, weekends off: nothing in any regime objects
    r = check({"A": week(*["S8"] * 4) * 4}, {"preset": preset, "shifts": SHIFTS}, start=MONDAY)
    assert r.findings == []


# =============================================================================== options and docs
def test_night_window_and_weekend_bounds_are_validated():
    from rostercheck.errors import InputError

    def rule(**kw: object) -> dict:
        return {"preset": "none", "rules": {"x": kw}}

    ok = parse(rule(kind="max-consecutive", shifts="night", **{"night-window": "22:00-7:00"}), path="t").rules[0]
    assert ok.params["night-window"] == "22:00-07:00"
    wk = parse(rule(kind="max-weekends", **{"from": "Friday 17:00", "to": "mon 06:00"}), path="t").rules[0]
    assert (wk.params["from"], wk.params["to"]) == ("fri 17:00", "mon 06:00")
    for bad in ({"kind": "max-consecutive", "night-window": "23:00-23:00"},
                {"kind": "max-consecutive", "night-window": "late"},
                {"kind": "max-weekends", "from": "sat"},
                {"kind": "max-weekends", "to": "someday 10:00"}):
        with pytest.raises(InputError) as e:
            parse(rule(**bad), path="t")
        assert "rules.x." in str(e.value)


def test_weekend_from_friday_evening_to_monday_morning():
    # the Canadian definitions (research 3.3) with the same kind: Friday 17:00 to Monday 06:00
    config = {"preset": "none", "shifts": SHIFTS, "rules": {"wk": {
        "kind": "max-weekends", "max": 1, "per": 2, "from": "fri 17:00", "to": "mon 06:00"}}}
    # five weeks from Monday hold four such weekends (the fifth ends on a Monday past the roster);
    # Saturdays are worked on the first and third, and a shift at Monday 06:00 touches the second
    rows = {"A": _weekends(0, 2) + week(*["S8"] * 5)}
    assert rule_hits(check(rows, config, start=MONDAY), "wk") == []
    rows["A"][14] = "D06"
    (f,) = rule_hits(check(rows, config, start=MONDAY), "wk")
    assert f.message.startswith("3 of 4 weekends") and f.limit == 2.0
    rows["A"][14] = "S8"  # 08:00 is after Monday 06:00: back to 2 of 4
    assert rule_hits(check(rows, config, start=MONDAY), "wk") == []


def test_rules_command_documents_every_preset_and_rule():
    from rostercheck.rules_doc import describe, overview

    text = overview()
    for name in ("acgme-em", "ny-405", "uk-2016", "ewtd"):
        assert f"  {name}\n" in text
        for rid, spec in PRESETS[name].items():
            assert rid in text
            doc = describe(rid)
            assert spec["citation"] in doc and f"kind: {spec['kind']}" in doc
    for kind in ("max-rolling-hours", "max-weekends"):
        doc = describe(kind)
        assert "PASS:" in doc and "FAIL:" in doc
