"""The terminal report: grouped by resident, errors first, one summary line a CI log can show."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

import click

from rostercheck.check import CheckResult
from rostercheck.model import Finding

_SEV_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"}}


def _cells(f: Finding, limit: int = 6) -> str:
    names = []
    for c in f.cells:
        names.append(f"{c.sheet}!{c.cell}" if c.sheet else str(c.cell))
    more = f" +{len(names) - limit}" if len(names) > limit else ""
    return " ".join(names[:limit]) + more


def _when(f: Finding) -> str:
    s, e = f.start.replace("T", " "), f.end.replace("T", " ")
    if s.endswith("00:00") and e.endswith("00:00"):
        return f"{s[:10]}..{e[:10]}"
    return f"{s} -> {e}"


def summary_line(results: Sequence[CheckResult]) -> str:
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    residents = sum(r.timeline.n_residents for r in results)
    flagged = sum(len({f.resident for f in r.findings if f.resident}) for r in results)
    files = results[0].path if len(results) == 1 else f"{len(results)} rosters"
    if not errors and not warnings:
        return f"ok: no rule broken in {files} ({residents} residents)"
    return (f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
            f"for {flagged} of {residents} residents in {files}")


def render(results: Sequence[CheckResult], *, color: bool = False, quiet: bool = False) -> str:
    def st(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]

    out: list[str] = []
    if not quiet:
        for res in results:
            tl = res.timeline
            out.append(st(f"{res.path}", bold=True) + f": {tl.n_residents} residents, {res.days} days "
                       f"({tl.date_of(tl.first)} to {tl.date_of(tl.n_days - 1)}), {len(res.rules)} rules")
            by_res = sorted(res.findings, key=lambda f: (f.resident is None, f.resident or ""))
            for name, group in groupby(by_res, key=lambda f: f.resident):
                items = sorted(group, key=lambda f: (f.severity != "error", f.start, f.rule))
                out.append("")
                out.append(st(name or "Coverage (whole roster)", bold=True))
                rw = max(len(f.rule) for f in items)
                for f in items:
                    sev = st(f"{f.severity:<7}", **_SEV_STYLE.get(f.severity, {}))
                    out.append(f"  {sev}  {f.rule:<{rw}}  {_when(f)}  {f.message}")
                    cells = _cells(f)
                    if cells:
                        out.append(f"  {'':7}  {'':<{rw}}  " + st(f"cells: {cells}", dim=True))
            out.append("")
    line = summary_line(results)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    style = {"fg": "red", "bold": True} if errors else ({"fg": "yellow"} if warnings else {"fg": "green"})
    out.append(st(line, **style))
    return "\n".join(out) + "\n"
