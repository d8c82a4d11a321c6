"""``rostercheck read``: how a roster file was read, before any rule.

This is what a coordinator runs when a count looks wrong: every sheet used or skipped and why,
where the header, dates and names were found, every resident with their row and number of codes,
every skipped row with its reason, and every warning. The JSON form is the ``read`` object of
docs/json.md, so a script sees exactly what ``check --format json`` carries per file.
"""

from __future__ import annotations

import datetime as dt
import json

from rostercheck.read.result import ReadReport, SheetUse
from rostercheck.wording import noun, plural

_WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _day(d: dt.date) -> str:
    return f"{d.isoformat()} ({_WEEKDAY[d.weekday()]})"


def _sheet_lines(use: SheetUse) -> list[str]:
    name = repr(use.sheet) if use.sheet is not None else "csv"
    if not use.used:
        return [f"  sheet {name}: skipped, {use.reason}"]
    out = [f"  sheet {name}: read as {use.reason}"]
    rows = [f"header row {use.header_row}"]
    if use.date_row is not None:
        rows.append(f"date row {use.date_row}" + (" (dates in the header)" if use.date_row == use.header_row else ""))
    if use.session_row is not None:
        rows.append(f"session row {use.session_row}")
    if use.weekday_row is not None:
        rows.append(f"weekday row {use.weekday_row}")
    out.append("    " + ", ".join(rows))
    if use.columns:
        out.append("    columns: " + ", ".join(f"{what} {letter}" for what, letter in use.columns))
    if use.first_date and use.last_date:
        n = (use.last_date - use.first_date).days + 1
        out.append(f"    dates: {_day(use.first_date)} to {_day(use.last_date)}, {plural(n, 'day')}")
    return out


def render_text(path: str, report: ReadReport) -> str:
    n = len(report.residents)
    across = n and all(r.column for r in report.residents)  # a transposed grid: residents are columns
    out = [f"{path}: {plural(n, 'resident column' if across else 'resident row')} read"]
    if line := report.skipped_summary():
        out[0] += f", {line}"
    out.append("sheets:")
    for use in report.sheets:
        out.extend(_sheet_lines(use))
    several = len({r.sheet for r in report.residents}) > 1
    out.append(f"residents ({len(report.residents)}):")
    width = max((len(r.name) for r in report.residents), default=0)
    for r in report.residents:
        role = r.role or ""
        if r.pgy is not None and role.replace(" ", "").replace("-", "").upper() == f"PGY{r.pgy}":
            role = ""  # a ROLE column of "PGY 1" says the level again
        attrs = [f"PGY {r.pgy}" if r.pgy is not None else "", r.team or "", role]
        where = f"{r.sheet!r} " if several and r.sheet else ""
        extra = "  ".join(a for a in attrs if a)
        codes = f"{r.codes:>4} {noun(r.codes, 'code')}"
        out.append(f"  {where}{r.where():<9} {r.name:<{width}}  {codes}" + (f"  {extra}" if extra else ""))
    if report.skipped:
        out.append(f"skipped ({len(report.skipped)}):" if any(s.column for s in report.skipped)
                   else f"skipped rows ({len(report.skipped)}):")
        for s in report.skipped:
            where = f"{s.sheet!r} " if s.sheet and len(report.sheets) > 1 else ""
            detail = f" ({s.detail})" if s.detail else ""
            out.append(f"  {where}{s.where():<9} {s.reason}{detail}: {s.text!r}")
    if report.warnings:
        out.append(f"warnings ({len(report.warnings)}):")
        for w in report.warnings:
            where = f"{w.sheet}!{w.cell}" if w.sheet and w.cell else (w.sheet or w.cell or "")
            out.append(f"  {where + ': ' if where else ''}{w.message}")
    return "\n".join(out) + "\n"


def render_json(report: ReadReport) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
