"""The terminal report: grouped by resident, errors first, one summary line a CI log can show."""

from __future__ import annotations

from collections.abc import Sequence

from rostercheck.check import CheckResult
from rostercheck.model import Finding
from rostercheck.report.cellrange import describe
from rostercheck.report.style import Style, styler
from rostercheck.wording import plural

_SEV_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"}}


def _cells(f: Finding, home: str | None = None) -> str:
    """The finding's cells as ranges per sheet and row, with their count (``cellrange.describe``)."""
    return describe(f.cells, home=home)


def _group_key(group: tuple[str | None, list[Finding]]) -> tuple:
    """Most serious resident first: more errors, then more warnings, then by name; coverage last on ties."""
    name, items = group
    errors = sum(f.severity == "error" for f in items)
    return (-errors, -(len(items) - errors), name is None, name or "")


def _counts(items: Sequence[Finding]) -> str:
    errors = sum(f.severity == "error" for f in items)
    warnings = len(items) - errors
    parts = [f"{plural(errors, 'error')}"] if errors else []
    if warnings:
        parts.append(f"{plural(warnings, 'warning')}")
    return ", ".join(parts)


def summary_line(results: Sequence[CheckResult], baselined: int = 0) -> str:
    """The one line a CI log shows. ``baselined``: findings a baseline hid; then a clean run says it
    found nothing *new*, since "no rule broken" would deny what the baseline records."""
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    residents = sum(r.n_residents for r in results)
    flagged = sum(len({f.resident for f in r.findings if f.resident}) for r in results)
    files = results[0].path if len(results) == 1 else f"{len(results)} rosters"
    if not errors and not warnings and baselined:
        return (f"ok: no new findings in {files} ({plural(residents, 'resident')}; "
                f"{baselined} recorded in the baseline)")
    if not errors and not warnings:
        return f"ok: no rule broken in {files} ({plural(residents, 'resident')})"
    return (f"{plural(errors, 'error')}, {plural(warnings, 'warning')} "
            f"for {flagged} of {plural(residents, 'resident')} in {files}")


#: Reading warnings shown under a roster's header line; the rest are counted (``rostercheck read`` lists all).
_READ_WARNINGS_SHOWN = 3


def read_lines(res: CheckResult, st: Style) -> list[str]:
    """How the roster was read, when a person should know: rows skipped (one line), warnings."""
    read = res.read
    if read is None:
        return []
    out = []
    if line := read.skipped_summary():
        out.append(f"  {line}")
    for w in read.warnings[:_READ_WARNINGS_SHOWN]:
        where = f"{w.sheet}!{w.cell}" if w.sheet and w.cell else (w.sheet or w.cell or "")
        out.append("  " + st("read warning", fg="yellow") + f": {where + ': ' if where else ''}{w.message}")
    if len(read.warnings) > _READ_WARNINGS_SHOWN:
        more = len(read.warnings) - _READ_WARNINGS_SHOWN
        out.append(f"  ... and {plural(more, 'more read warning')} (rostercheck read {res.path} lists them)")
    return out


def render(results: Sequence[CheckResult], *, color: bool = False, quiet: bool = False, baselined: int = 0,
           **_: object) -> str:
    """Per roster: a header, then findings grouped by resident (most serious resident first, errors
    before warnings), in columns aligned across the whole roster; then one summary line.

    ``color`` adds ANSI styles; the CLI asks for it only on a terminal with NO_COLOR unset, so logs
    and files stay plain. ``quiet`` leaves only the summary line, and a count of read warnings per file
    that has any (a misread roster must not pass in silence).
    """
    st = styler(color)

    out: list[str] = []
    if not quiet:
        for res in results:
            out.append(st(f"{res.path}", bold=True) + f": {plural(res.n_residents, 'resident')}, "
                       f"{plural(res.days, 'day')} ({res.first_date} to {res.last_date}), "
                       f"{plural(len(res.rules), 'rule')}")
            out.extend(read_lines(res, st))
            groups: dict[str | None, list[Finding]] = {}
            for f in res.findings:
                groups.setdefault(f.resident, []).append(f)
            rw = max((len(f.rule) for f in res.findings), default=0)
            ww = max((len(f.when()) for f in res.findings), default=0)
            for name, items in sorted(groups.items(), key=_group_key):
                items = sorted(items, key=lambda f: (f.severity != "error", f.start, f.rule))
                out.append("")
                out.append(st(name or "Whole roster (coverage, fair shares)", bold=True) + f"  ({_counts(items)})")
                for f in items:
                    sev = st(f"{f.severity:<7}", **_SEV_STYLE.get(f.severity, {}))
                    out.append(f"  {sev}  {f.rule:<{rw}}  {f.when():<{ww}}  {f.message}")
                    cells = _cells(f, res.path)
                    if cells:
                        out.append(" " * (2 + 7 + 2 + rw + 2 + ww + 2) + st(f"cells: {cells}", dim=True))
            out.append("")
    else:
        # quiet still says a roster may have been misread: one count per file, listed by ``read``
        for res in results:
            n = len(res.read.warnings) if res.read is not None else 0
            if n:
                out.append(f"{res.path}: {plural(n, 'read warning')} (rostercheck read {res.path} lists them)")
    line = summary_line(results, baselined)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    style = {"fg": "red", "bold": True} if errors else ({"fg": "yellow"} if warnings else {"fg": "green"})
    out.append(st(line, **style))
    return "\n".join(out) + "\n"
