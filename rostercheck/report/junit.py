"""JUnit XML for the test widgets of GitLab, Jenkins and friends.

One ``<testsuite>`` per roster and one ``<testcase>`` per (roster, rule): a rule that ran clean is a
passing test, a rule with errors is a failing one listing every finding, so the widget reads like a
test run ("weekly-hours failed for july.xlsx"). Warnings fail only with ``--strict``; otherwise they
go to the test case's ``<system-out>``. A roster that could not be read is a test case with an
``<error>``, so a widget never shows green for a file nobody checked.

Everything is built with ``xml.etree`` (which escapes markup); characters XML 1.0 cannot hold at
all (control characters from a cell) are dropped first, or the whole report would be unparseable.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

from rostercheck.check import CheckResult
from rostercheck.model import Finding, span_text
from rostercheck.report.cellrange import describe
from rostercheck.wording import plural

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    return _NOT_XML.sub("", str(text))


def _line(f: Finding) -> str:
    cells = describe(f.cells, limit=None)
    who = f.resident or "whole roster"
    return f"{f.severity.upper()} {who} {f.when()}: {f.message}" + (f" [cells: {cells}]" if cells else "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = clean(text)
    return el


def _count(items: Sequence[Finding], noun: str) -> str:
    n = len(items)
    who = sorted({f.resident for f in items if f.resident})
    names = f" for {', '.join(who[:5])}{' and others' if len(who) > 5 else ''}" if who else ""
    return f"{plural(n, noun)}{names}"


def _suite(res: CheckResult, strict: bool, fixed: Sequence[Mapping[str, Any]], baselined: int | None) -> ET.Element:
    suite = ET.Element("testsuite", {"name": clean(res.path)})
    if baselined is not None:
        props = _sub(suite, "properties")
        _sub(props, "property", name="baselined", value=baselined)
        _sub(props, "property", name="fixed-since-baseline", value=len(fixed))
    rule_ids = [rc.id for rc in res.rules]
    rule_ids += sorted({f.rule for f in res.findings} - set(rule_ids))
    failures = 0
    for rid in rule_ids:
        case = _sub(suite, "testcase", name=rid, classname=res.path, file=res.path)
        hits = [f for f in res.findings if f.rule == rid]
        errors = [f for f in hits if f.severity == "error"]
        warnings = [f for f in hits if f.severity != "error"]
        failing = errors + (warnings if strict else [])
        if failing:
            failures += 1
            noun = "error" if errors else "warning"
            msg = _count(errors, "error") if errors else _count(warnings, "warning")
            if errors and strict and warnings:
                msg += f", {_count(warnings, 'warning')}"
            _sub(case, "failure", "\n".join(_line(f) for f in failing), message=msg, type=noun)
        quiet = [] if strict else warnings
        if quiet:
            _sub(case, "system-out", "\n".join(_line(f) for f in quiet))
    suite.set("tests", str(len(rule_ids)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    if fixed:
        lines = [f"fixed since baseline: {e['rule']} {e.get('resident') or ''} {span_text(e['start'], e['end'])}"
                 for e in fixed]
        _sub(suite, "system-out", "\n".join(lines))
    return suite


def _unusable(path: str, message: str) -> ET.Element:
    suite = ET.Element("testsuite", {"name": clean(path), "tests": "1", "failures": "0", "errors": "1",
                                     "skipped": "0"})
    case = _sub(suite, "testcase", name="read", classname=path, file=path)
    _sub(case, "error", message, message=message, type="unusable input")
    return suite


def render(results: Sequence[CheckResult], *, strict: bool = False, problems: Sequence[Any] = (),
           baseline: Mapping[str, Any] | None = None, **_: object) -> str:
    """The whole document; suites in the order of ``results`` then ``problems`` (both sorted by path)."""
    fixed_by_roster: dict[str, list[Mapping[str, Any]]] = {}
    for e in (baseline or {}).get("fixed", []):
        fixed_by_roster.setdefault(e["checked-as"], []).append(e)
    per_roster = (baseline or {}).get("baselined-by-roster", {})
    root = ET.Element("testsuites", {"name": "rostercheck"})
    suites = [_suite(r, strict, fixed_by_roster.get(r.path, ()), per_roster.get(r.path, 0) if baseline else None)
              for r in results]
    suites += [_unusable(p.path, p.error) for p in problems]
    for s in sorted(suites, key=lambda s: s.get("name", "")):
        root.append(s)
    for attr in ("tests", "failures", "errors"):
        root.set(attr, str(sum(int(s.get(attr, "0")) for s in suites)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
