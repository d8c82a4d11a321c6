"""The JSON report: a stable contract (version 1), documented in docs/json.md.

Keys are only ever added, never renamed or removed, within a version.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from rostercheck.check import CheckResult
from rostercheck.report.cellrange import ranges_json

VERSION = 1


def _violations(res: CheckResult) -> list[dict]:
    out = []
    for f in res.findings:
        d = f.as_dict()
        d["roster"] = res.path
        d["cell-ranges"] = ranges_json(f.cells)
        out.append(d)
    return out


def _file(r: CheckResult) -> dict:
    return {
        "roster": r.path,
        "residents": r.n_residents,
        "days": r.days,
        "first-date": r.first_date,
        "last-date": r.last_date,
        "errors": r.errors,
        "warnings": r.warnings,
        "read": r.read.to_json() if r.read is not None else None,
    }


def _summary(results: Sequence[CheckResult]) -> dict:
    return {
        "residents": sum(r.n_residents for r in results),
        "days": max((r.days for r in results), default=0),
        "errors": sum(r.errors for r in results),
        "warnings": sum(r.warnings for r in results),
        "rules": sorted({rc.id for r in results for rc in r.rules}),
    }


def document(results: Sequence[CheckResult]) -> dict:
    return {
        "version": VERSION,
        "rosters": [r.path for r in results],
        "summary": _summary(results),
        "files": [_file(r) for r in results],
        "violations": [v for res in results for v in _violations(res)],
    }


def render(results: Sequence[CheckResult], **_: object) -> str:
    return json.dumps(document(results), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- a batch's document, written in parts
#: Where a roster's parts sit in the document: items of the top-level "files" and "violations" lists.
_DEPTH = 2


@dataclass(frozen=True)
class Rendered:
    """One roster's share of the document as ``render`` writes it: its "files" item and its
    "violations" items, each already indented for its place.

    Python's ``json`` writes indented output in pure Python (the C encoder cannot indent): for a
    batch of 200 small rosters that was 60 ms of the parent's time, while its workers, which have
    the results in hand, could each write their own share in parallel. The parent then only
    joins the parts (``join``), and the bytes are those of ``render``.
    """

    file: str
    violations: tuple[str, ...]


def _dumps(value: object, depth: int) -> str:
    # json writes no raw newline inside a string (it escapes them), so every newline is a line break
    return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)


def rendered(res: CheckResult) -> Rendered:
    return Rendered(_dumps(_file(res), _DEPTH), tuple(_dumps(v, _DEPTH) for v in _violations(res)))


def _items(items: Sequence[str], depth: int) -> str:
    """A list whose items are already written at ``depth + 1``, as ``json.dumps`` writes a list."""
    if not items:
        return "[]"
    pad = "\n" + "  " * (depth + 1)
    return "[" + pad + ("," + pad).join(items) + "\n" + "  " * depth + "]"


def join(results: Sequence[CheckResult], parts: Sequence[Rendered], extra: dict | None = None) -> str:
    """``render(results)`` (with ``extra``'s keys added at the end of the document) from the parts
    ``rendered`` wrote for each result: the same bytes, without writing the rosters' parts again."""
    fields = [(k, _dumps(v, 1)) for k, v in (("version", VERSION), ("rosters", [r.path for r in results]),
                                                 ("summary", _summary(results)))]
    fields.append(("files", _items([p.file for p in parts], 1)))
    fields.append(("violations", _items([v for p in parts for v in p.violations], 1)))
    fields += [(k, _dumps(v, 1)) for k, v in (extra or {}).items()]
    body = ",\n  ".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in fields)
    return "{\n  " + body + "\n}\n"
