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
}

DEFAULT_PRESETS = ["acgme"]
