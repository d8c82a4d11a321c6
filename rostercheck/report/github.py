"""GitHub Actions workflow commands: one annotation per finding, shown on the pull request's files.

``::error file=PATH,line=ROW,title=RULE (RESIDENT)::MESSAGE``; warnings use ``::warning``. The line
is the spreadsheet row of the finding's first cell (a roster's rows are a resident's rows, so the
annotation lands where a reviewer of a csv diff would look; for a workbook it names the row).
Data and properties are escaped as the runner requires, or a ``,`` or ``:`` in a resident's name
would silently cut the annotation short. The summary line comes last, as in the text format.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from rostercheck.check import CheckResult
from rostercheck.model import Finding, span_text
from rostercheck.report.text import summary_line

_ROW = re.compile(r"(\d+)$")


def auto_format(environ: Mapping[str, str] | None = None, *, to_file: bool = False) -> str:
    """``--format auto``: annotations under GitHub Actions (they only mean something in a job's log, so
    not when the report goes to a file), the text report everywhere else."""
    env = os.environ if environ is None else environ
    return "github" if env.get("GITHUB_ACTIONS") == "true" and not to_file else "text"


def escape_data(text: str) -> str:
    """The message part: ``%``, CR and LF (``%`` first, so escapes are not escaped again)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A ``key=value`` property: as data, plus the ``:`` and ``,`` that delimit properties."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: object) -> str:
    """One workflow command line; properties that are None are left out."""
    parts = ",".join(f"{k}={escape_property(str(v))}" for k, v in props.items() if v is not None)
    return f"::{name}{' ' + parts if parts else ''}::{escape_data(message)}"


def display_path(path: str) -> str:
    """Annotations need a path relative to the repository (the job's working directory), in ``/`` form."""
    p = path
    if os.path.isabs(p):
        try:
            rel = os.path.relpath(p)
        except ValueError:  # another drive on Windows
            rel = p
        if not rel.startswith(".."):
            p = rel
    return p.replace(os.sep, "/")


def row_of(f: Finding) -> int | None:
    """The 1-based spreadsheet row of the finding's first cell, when a cell is known."""
    for c in f.cells:
        m = _ROW.search(c.cell or "")
        if m:
            return int(m.group(1))
    return None


def _cells(f: Finding) -> str:
    from rostercheck.report.cellrange import describe

    return describe(f.cells, limit=6)


def annotation(path: str, f: Finding) -> str:
    title = f"{f.rule} ({f.resident})" if f.resident else f.rule
    cells = _cells(f)
    message = f.message + (f" [cells: {cells}]" if cells else "")
    level = "error" if f.severity == "error" else "warning"
    return command(level, message, file=display_path(path), line=row_of(f), title=title)


def render(results: Sequence[CheckResult], *, problems: Sequence[Any] = (),
           baseline: Mapping[str, Any] | None = None, **_: object) -> str:
    """Annotations for every finding, then unusable inputs, then baseline notes and the summary line.

    ``problems`` are ``FileOutcome``-like records (``path``, ``error``) of inputs that could not be
    used; ``baseline`` is the block ``baseline.Comparison.block()`` makes.
    """
    out: list[str] = []
    for res in results:
        out += [annotation(res.path, f) for f in res.findings]
    for p in problems:
        out.append(command("error", p.error, file=display_path(p.path), title="rostercheck: unusable input"))
    if baseline:
        for e in baseline.get("fixed", []):
            who = f" ({e['resident']})" if e.get("resident") else ""
            out.append(command("notice", f"{e['rule']}{who} {span_text(e['start'], e['end'])} no longer occurs; "
                               "refresh the baseline with `rostercheck baseline`",
                               title="fixed since baseline"))
        from rostercheck.baseline import text_lines

        out.append(text_lines(dict(baseline))[0])
    if results or not problems:
        out.append(summary_line(results, baseline.get("baselined", 0) if baseline else 0))
    return "\n".join(out) + "\n"

