"""Built-in rule sets: named instances of the generic kinds, with the semantics of
``docs/rules.md``. A preset rule is exactly what a user could write in ``[rules.ID]`` with a
``kind``; presets are data, not code.
"""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "acgme": {
        "weekly-hours": {
            "kind": "max-hours", "limit": 80, "per": 7, "average-days": 28, "severity": "error",
            "citation": "ACGME CPR VI.F.1 (2025: 6.20): 80 hours per week, averaged over four weeks",
        },
        "days-off": {
            "kind": "min-free-days", "min": 1, "per": 7, "average-days": 28, "severity": "error",
            "citation": "ACGME CPR VI.F.2.c (2025: 6.21.b): one day in seven free, averaged over four weeks",
        },
        "shift-length": {
            "kind": "max-period-length", "limit": 24, "transition-hours": 4, "severity": "error",
            "citation": "ACGME CPR VI.F.3.a (2025: 6.22): 24 hours of continuous work, plus up to 4 for transitions",
        },
        "post-call-rest": {
            "kind": "min-rest", "min-hours": 14, "after-hours": 24, "severity": "error",
            "citation": "ACGME CPR VI.F.2.b (2025: 6.21.a): 14 hours free after 24 hours of in-house call",
        },
        "rest-between-shifts": {
            "kind": "min-rest", "min-hours": 8, "severity": "warning",
            "citation": "ACGME CPR VI.F.2.a (2025: 6.21): should have eight hours off between scheduled periods",
        },
        "call-frequency": {
            "kind": "max-count", "kinds": ["call"], "every": 3, "average-days": 28, "severity": "error",
            "citation": "ACGME CPR VI.F.7 (2025: 6.27): in-house call no more often than every third night, "
            "averaged over four weeks",
        },
        "consecutive-nights": {
            "kind": "max-consecutive", "kinds": ["night"], "max": 6, "severity": "warning",
            "citation": "ACGME 2011 Common Program Requirements (night float, now set by specialty): "
            "no more than six consecutive nights",
        },
    },
    "wellness": {
        "wellness-time": {
            "kind": "min-count", "kinds": ["wellness"], "min": 1, "per": 28, "severity": "error",
            "citation": "ACGME CPR VI.C.1.d).(1): time for medical, mental health and dental appointments; "
            "program policy: one protected entry per four weeks",
        },
        "protected-evening": {
            "kind": "min-free-evenings", "min": 1, "per": 7, "evening": "18:00-23:00", "severity": "warning",
            "citation": "program policy: at least one evening a week free of work",
        },
        "golden-weekend": {
            "kind": "min-free-weekends", "min": 1, "per": 28, "severity": "warning",
            "citation": "program policy: a Saturday and Sunday free of work, call and home call every four weeks",
        },
    },
    # ---------------------------------------------------------------------------------------------
    # Emergency-medicine rotations (rules-research.md section 2, S1). The values are the long-standing
    # ACGME EM Program Requirements as quoted by secondary sources (schedulerrx.com EM guide, SDN
    # threads 1401391 and 369142, a public EM scheduler); the 2025 revision renumbered them.
    "acgme-em": {
        "em-shift-length": {
            "kind": "max-period-length", "limit": 12, "transition-hours": 0, "severity": "error",
            "citation": "ACGME EM Program Requirements (research S1): ED shifts of no more than 12 continuous "
            "scheduled hours",
        },
        "em-rest": {
            "kind": "min-rest", "min-hours": 0, "ratio": 1.0, "severity": "error",
            "citation": "ACGME EM Program Requirements (research S1): between ED shifts, a period of continuous "
            "time off at least as long as the preceding shift",
        },
        "em-clinical-hours": {
            "kind": "max-hours", "limit": 60, "per": 7, "average-days": 7, "exclude-leave": False,
            "severity": "error",
            "citation": "ACGME EM Program Requirements (research S1): no more than 60 scheduled hours a week "
            "seeing patients in the ED (read per any 7 days, not averaged; set `codes` to the ED shifts)",
        },
        "em-total-hours": {
            "kind": "max-hours", "limit": 72, "per": 7, "average-days": 7, "exclude-leave": False,
            "severity": "error",
            "citation": "ACGME EM Program Requirements (research S1): no more than 72 hours a week including "
            "conferences and other duties (read per any 7 days)",
        },
        "em-day-off": {
            "kind": "min-free-days", "min": 1, "per": 7, "average-days": 7, "severity": "error",
            "citation": "ACGME EM Program Requirements (research S1): one day (24 hours) free in every 7-day "
            "period, not averaged",
        },
    },
    # ---------------------------------------------------------------------------------------------
    # New York State, 10 NYCRR 405.4(a)(6) ("405 regulations"; rules-research.md A12, URMC summary).
    "ny-405": {
        "ny-shift-length": {
            "kind": "max-period-length", "limit": 24, "transition-hours": 0, "severity": "error",
            "citation": "10 NYCRR 405.4(a)(6) (research A12): senior residents no more than 24 consecutive hours",
        },
        "ny-intern-shift-length": {
            "kind": "max-period-length", "limit": 16, "transition-hours": 0, "severity": "error",
            "applies-to": {"pgy": [1]},
            "citation": "10 NYCRR 405.4(a)(6) (research A12): interns no more than 16 consecutive hours of "
            "direct patient care",
        },
        "ny-weekly-hours": {
            "kind": "max-hours", "limit": 80, "per": 7, "average-days": 28, "severity": "error",
            "citation": "10 NYCRR 405.4(a)(6) (research A12): 80 hours per week averaged over each 4-week period",
        },
        "ny-day-off": {
            "kind": "min-free-days", "min": 1, "per": 7, "average-days": 7, "severity": "error",
            "citation": "10 NYCRR 405.4(a)(6) (research A12): 24 duty-free hours during each work week, "
            "not averaged",
        },
        "ny-ed-shift-length": {
            "kind": "max-period-length", "limit": 12, "transition-hours": 0, "severity": "error",
            "enabled": False,
            "citation": "10 NYCRR 405.4(a)(6) (research A12): emergency-department assignments no more than "
            "12 consecutive hours (off until `codes` names the ED shifts)",
        },
        "ny-ed-rest": {
            "kind": "min-rest", "min-hours": 10, "side": "both", "severity": "error", "enabled": False,
            "citation": "10 NYCRR 405.4(a)(6) (research A12): 10 hours free of duty before and after an "
            "emergency-department assignment (off until `codes` names the ED shifts)",
        },
    },
    # ---------------------------------------------------------------------------------------------
    # England: 2016 Terms and Conditions of Service for doctors in training, Schedule 03, as refreshed
    # in 2019 (TCS v5; rules-research.md 3.1, rules U1-U9).
    "uk-2016": {
        "uk-average-hours": {
            "kind": "max-hours", "limit": 48, "per": 7, "average-days": 182, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U1): no more than an average of 48 hours a week, "
            "averaged over 26 weeks or the rota cycle",
        },
        "uk-hours-168": {
            "kind": "max-rolling-hours", "limit": 72, "window-hours": 168, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U2): no more than 72 hours of work in any 168 "
            "consecutive hours",
        },
        "uk-shift-length": {
            "kind": "max-period-length", "limit": 13, "transition-hours": 0, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U3): no shift longer than 13 hours",
        },
        "uk-long-shifts": {
            "kind": "max-consecutive", "shifts": "long", "long-hours": 10, "max": 4, "rest-after-hours": 48,
            "rest-after-run": 4, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U4): at most 4 consecutive long shifts (over 10 "
            "hours), with 48 hours' rest after the fourth",
        },
        "uk-nights": {
            "kind": "max-consecutive", "shifts": "night", "night-hours": 3, "night-window": "23:00-06:00",
            "max": 4, "rest-after-hours": 46, "rest-after-run": 1, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U5): at most 4 consecutive night shifts (3 hours "
            "or more inside 23:00-06:00), with 46 hours' rest after any run of nights",
        },
        "uk-consecutive-shifts": {
            "kind": "max-consecutive", "kinds": ["work", "call", "night"], "max": 7, "rest-after-hours": 48,
            "rest-after-run": 7, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U7): at most 7 shifts on consecutive days, with "
            "48 hours' rest after the seventh",
        },
        "uk-rest-between-shifts": {
            "kind": "min-rest", "min-hours": 11, "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U8): at least 11 hours' continuous rest between "
            "rostered shifts",
        },
        "uk-weekends": {
            "kind": "max-weekends", "max": 1, "per": 2, "from": "sat 00:01", "to": "sun 23:59",
            "severity": "error",
            "citation": "TCS 2016 v5 Schedule 03 (research 3.1 U9): work at weekends (any work between 00:01 "
            "Saturday and 23:59 Sunday) no more often than 1 weekend in 2",
        },
    },
    # ---------------------------------------------------------------------------------------------
    # EU Working Time Directive 2003/88/EC (rules-research.md 3.2, rules E1-E3).
    "ewtd": {
        "eu-daily-rest": {
            "kind": "min-rest", "min-hours": 11, "severity": "error",
            "citation": "Directive 2003/88/EC Art. 3 (research 3.2 E1): 11 consecutive hours of rest per 24 hours",
        },
        "eu-weekly-rest": {
            "kind": "min-free-days", "block-hours": 35, "min": 1, "per": 7, "average-days": 7,
            "window": "block", "severity": "error",
            "citation": "Directive 2003/88/EC Art. 5 (research 3.2 E2): per 7-day period, 24 hours of "
            "uninterrupted rest plus the 11 hours of daily rest (35 hours)",
        },
        "eu-weekly-rest-14": {
            "kind": "min-free-days", "block-hours": 24, "min": 2, "per": 14, "average-days": 14,
            "window": "block", "severity": "error", "enabled": False,
            "citation": "Directive 2003/88/EC Art. 16(a), UK WTR reg. 11(2) (research 3.2 E2): a 14-day reference "
            "period, two 24-hour rests or one of 48 hours (enable instead of eu-weekly-rest)",
        },
        "eu-average-hours": {
            "kind": "max-hours", "limit": 48, "per": 7, "average-days": 119, "severity": "error",
            "citation": "Directive 2003/88/EC Art. 6 and 16(b) (research 3.2 E3): 48 hours a week on average, "
            "over a reference period of up to 4 months (17 weeks)",
        },
    },
}

DEFAULT_PRESETS = ["acgme"]
