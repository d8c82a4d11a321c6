"""Baselines: adopt rostercheck on a repository that already has findings, and fail only on new ones.

``rostercheck baseline`` records every current finding; ``check --baseline FILE`` then reports only
findings not recorded, and lists recorded ones that no longer occur ("fixed since baseline") so the
file can be refreshed. A finding is matched by roster, rule, resident and dates, never by cell
address: inserting a row or a column in the workbook moves every cell, but not what was broken.

The roster is named relative to the baseline file's folder, so the same baseline matches whether
the check runs from the repository root, a subfolder, or a CI checkout at another absolute path.
Matching is a multiset (the same key twice in the baseline hides at most two findings).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rostercheck.errors import InputError
from rostercheck.model import Finding, span_text
from rostercheck.wording import plural

VERSION = 1
DEFAULT_FILE = ".rostercheck-baseline.json"
KEY_FIELDS = ("roster", "rule", "resident", "start", "end")


def roster_key(path: str, base_dir: str | os.PathLike) -> str:
    """The roster's name relative to the baseline's folder (``/``-separated), or as given if that fails."""
    try:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(base_dir))
    except ValueError:  # another drive on Windows
        rel = path
    return rel.replace(os.sep, "/")


def fingerprint(roster: str, rule: str, resident: str | None, start: str, end: str) -> str:
    """A stable id for one finding: what was broken, for whom, when, and in which roster."""
    text = "\x1f".join([roster, rule, resident or "", start, end])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def entry(roster: str, f: Finding) -> dict[str, Any]:
    return {
        "roster": roster, "rule": f.rule, "resident": f.resident, "start": f.start, "end": f.end,
        "fingerprint": fingerprint(roster, f.rule, f.resident, f.start, f.end),
        # for people reviewing the baseline file; never used for matching
        "severity": f.severity, "message": f.message,
    }


def document(results: Sequence[Any], base_dir: str | os.PathLike) -> dict[str, Any]:
    """The baseline file's content for these ``CheckResult``s, in a stable order (so it diffs well)."""
    entries = [entry(roster_key(r.path, base_dir), f) for r in results for f in r.findings]
    entries.sort(key=lambda e: (e["roster"], e["resident"] or "", e["start"], e["end"], e["rule"]))
    return {"version": VERSION, "entries": entries}


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


@dataclass
class Baseline:
    file: str
    base_dir: str
    entries: list[dict[str, Any]]


def load(path: str) -> Baseline:
    """Read and validate a baseline file; every problem is a one-line ``InputError``."""
    from rostercheck.output import reading

    p = Path(path)
    reading(p)
    if not p.is_file():
        raise InputError("baseline file not found (create it with `rostercheck baseline ROSTERS -o FILE`)",
                         file=path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"not a baseline file: invalid JSON ({e})", file=path) from None
    if not isinstance(doc, dict) or doc.get("version") != VERSION or not isinstance(doc.get("entries"), list):
        raise InputError(f'not a baseline file: expected {{"version": {VERSION}, "entries": [...]}}', file=path)
    for i, e in enumerate(doc["entries"]):
        if not isinstance(e, dict) or any(not isinstance(e.get(k), str) for k in ("roster", "rule", "start", "end")):
            raise InputError(f"entry {i + 1} needs roster, rule, start and end as text", file=path)
        if e.get("resident") is not None and not isinstance(e["resident"], str):
            raise InputError(f"entry {i + 1}: resident must be text or null", file=path)
    return Baseline(path, str(p.resolve().parent), doc["entries"])


@dataclass
class Comparison:
    """What a baseline did to one check run."""

    file: str
    baselined: int = 0
    new: int = 0
    baselined_by_roster: dict[str, int] = field(default_factory=dict)
    fixed: list[dict[str, Any]] = field(default_factory=list)

    def block(self) -> dict[str, Any]:
        """The ``baseline`` block of the JSON report (and what the github and junit formats read)."""
        return {
            "file": self.file,
            "new": self.new,
            "baselined": self.baselined,
            "baselined-by-roster": dict(self.baselined_by_roster),
            "fixed": list(self.fixed),
        }


def _fp(e: dict[str, Any]) -> str:
    # recomputed from the fields, so a hand-edited entry (a renamed roster) still matches
    return fingerprint(e["roster"], e["rule"], e.get("resident"), e["start"], e["end"])


def apply(baseline: Baseline, results: Sequence[Any]) -> tuple[list[Any], Comparison]:
    """Drop baselined findings from ``results`` (new ``CheckResult``s; the inputs are not changed).

    Entries of rosters not checked in this run (pre-commit passes only changed files) are neither
    matched nor reported as fixed: nobody looked.
    """
    cmp = Comparison(baseline.file)
    checked = {roster_key(r.path, baseline.base_dir): r.path for r in results}
    remaining: Counter[str] = Counter(_fp(e) for e in baseline.entries if e["roster"] in checked)
    out = []
    for r in results:
        key = roster_key(r.path, baseline.base_dir)
        keep: list[Finding] = []
        hidden = 0
        for f in r.findings:
            fp = fingerprint(key, f.rule, f.resident, f.start, f.end)
            if remaining[fp] > 0:
                remaining[fp] -= 1
                hidden += 1
            else:
                keep.append(f)
        cmp.baselined += hidden
        cmp.new += len(keep)
        cmp.baselined_by_roster[r.path] = hidden
        out.append(dataclasses.replace(r, findings=keep))
    for e in baseline.entries:
        fp = _fp(e)
        if e["roster"] in checked and remaining[fp] > 0:
            remaining[fp] -= 1
            cmp.fixed.append({**{k: e.get(k) for k in KEY_FIELDS}, "fingerprint": fp,
                              "checked-as": checked[e["roster"]]})
    return out, cmp


def text_lines(block: dict[str, Any]) -> list[str]:
    """Lines for the text report: the counts, then each entry fixed since the baseline."""
    n, fixed = block["baselined"], block["fixed"]
    lines = [f"baseline {block['file']}: {plural(n, 'known finding')} not shown, "
             f"{plural(len(fixed), 'entry', 'entries')} fixed since baseline"]
    for e in fixed:
        who = f" ({e['resident']})" if e.get("resident") else ""
        lines.append(f"  fixed since baseline: {e['roster']}: {e['rule']}{who} {span_text(e['start'], e['end'])}")
    if fixed:
        lines.append("  (refresh the baseline with `rostercheck baseline ... -o FILE`)")
    return lines
