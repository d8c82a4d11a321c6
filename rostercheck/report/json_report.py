"""The JSON report: a stable contract (version 1), documented in docs/json.md.

Keys are only ever added, never renamed or removed, within a version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from rostercheck.check import CheckResult
from rostercheck.report.cellrange import ranges_json

VERSION = 1


def document(results: Sequence[CheckResult]) -> dict:
    violations = []
    for res in results:
        for f in res.findings:
            d = f.as_dict()
            d["roster"] = res.path
            d["cell-ranges"] = ranges_json(f.cells)
            violations.append(d)
    return {
        "version": VERSION,
        "rosters": [r.path for r in results],
        "summary": {
            "residents": sum(r.n_residents for r in results),
            "days": max((r.days for r in results), default=0),
            "errors": sum(r.errors for r in results),
            "warnings": sum(r.warnings for r in results),
            "rules": sorted({rc.id for r in results for rc in r.rules}),
        },
        "files": [
            {
                "roster": r.path,
                "residents": r.n_residents,
                "days": r.days,
                "first-date": r.first_date,
                "last-date": r.last_date,
                "errors": r.errors,
                "warnings": r.warnings,
                "read": r.read.to_json() if r.read is not None else None,
            }
            for r in results
        ],
        "violations": violations,
    }


def render(results: Sequence[CheckResult], **_: object) -> str:
    return json.dumps(document(results), indent=2, ensure_ascii=False) + "\n"
