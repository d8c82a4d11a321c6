"""The CSV report: one row per finding, for people who sort and filter in Excel.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, so every
text cell goes through ``safe_cell`` (a leading apostrophe): a resident named ``=HYPERLINK(..)``
shows as that text and never runs. Numbers are written as plain numbers so that they still sort.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from rostercheck.check import CheckResult
from rostercheck.model import Finding
from rostercheck.report.cellrange import cell_count, describe
from rostercheck.workbook import safe_cell

COLUMNS = ("roster", "resident", "rule", "severity", "start", "end", "value", "limit", "unit", "message", "cells",
           "cell_count")


def number(v: float) -> str:
    """A plain decimal (no exponent, at most two decimals): what Excel reads back as the same number."""
    return f"{v:.2f}".rstrip("0").rstrip(".") if v == v else ""


def cell_list(f: Finding, home: str | None = None) -> str:
    """``Sheet!C2:F2 Sheet!H2``: every named cell, as ranges of adjacent cells per sheet and row
    (lossless, so a filter still finds each cell); a csv roster's cells have no sheet."""
    return describe(f.cells, home=home, limit=None, exact=True, sep=" ", count=False)


def render(results: Sequence[CheckResult], **_: object) -> str:
    """Header and one row per finding of every roster, in the order the checker sorted them."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for res in results:
        for f in res.findings:
            w.writerow([
                safe_cell(res.path), safe_cell(f.resident or ""), safe_cell(f.rule), safe_cell(f.severity),
                safe_cell(f.start), safe_cell(f.end), number(f.value), number(f.limit), safe_cell(f.unit),
                safe_cell(f.message), safe_cell(cell_list(f, res.path)), cell_count(f.cells),
            ])
    return buf.getvalue()
