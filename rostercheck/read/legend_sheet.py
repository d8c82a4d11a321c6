"""A workbook's own legend sheet: what each code means there.

Only the text is read here; ``legend.legend_from_rows`` validates it. Times are normalised to
"HH:MM" now, though, because only the reader knows which cell a bad time came from.
"""

from __future__ import annotations

import re

from rostercheck.errors import InputError
from rostercheck.model import LegendRow, Source
from rostercheck.read import headers as H
from rostercheck.read.attributes import time_text
from rostercheck.read.cells import cell_text, collapse
from rostercheck.read.detect import Plan
from rostercheck.read.result import ReadWarning
from rostercheck.read.source import Sheet

_HOURS = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hours?)?$", re.IGNORECASE)


def read_legend(sheet: Sheet, plan: Plan) -> tuple[list[LegendRow], list[ReadWarning]]:
    """The legend sheet's rows, and a warning for each row that cannot be used (a time nobody can
    read): a workbook's legend only ever adds descriptions and meanings, so one bad row must not
    stop a check the config already covers."""
    texts = sheet.texts()  # the sheet's texts, made once (detection already factorized it)
    h = plan.header
    keys = [H.header_key(t) for t in texts[h]]
    code_col = H.find(keys, H.LEGEND_CODE)
    assert code_col is not None  # detect only plans a legend with a code column
    taken = {code_col}

    def col(words: frozenset[str]) -> int | None:
        c = H.find(keys, words, taken)
        if c is not None:
            taken.add(c)
        return c

    start_col, end_col = col(H.LEGEND_START), col(H.LEGEND_END)
    kind_col, hours_col = col(H.LEGEND_KIND), col(H.LEGEND_HOURS)
    desc_col = col(H.LEGEND_DESCRIPTION)
    if desc_col is None:  # "Code | Name | Start | End": the name of the shift describes it
        desc_col = col(H.NAME | frozenset({"shift", "label"}))

    rows: list[LegendRow] = []
    warnings: list[ReadWarning] = []
    for i in range(h + 1, sheet.nrows):
        code = collapse(texts[i, code_col])
        if not code:
            continue
        try:
            rows.append(
                LegendRow(
                    code=code,
                    description=collapse(texts[i, desc_col]) if desc_col is not None else "",
                    start=_time(sheet, i, start_col) if start_col is not None else None,
                    end=_time(sheet, i, end_col) if end_col is not None else None,
                    kind=(collapse(texts[i, kind_col]).lower() or None) if kind_col is not None else None,
                    hours=_hours(sheet, i, hours_col) if hours_col is not None else None,
                    source=Source(sheet.file, sheet.name, sheet.address(i, code_col)),
                )
            )
        except InputError as exc:
            warnings.append(
                ReadWarning(
                    sheet.name, exc.cell, f"legend row {sheet.row_number(i)} ({code!r}) not used: {exc.message}"
                )
            )
    return rows, warnings


#: a time written as text -> its "HH:MM" (``time_text``), once per process: every legend sheet of a
#: batch writes the same few times. Only texts that read (an error is raised, never remembered).
_TIMES: dict[str, str | None] = {}


def _time(sheet: Sheet, i: int, j: int) -> str | None:
    value = sheet.values[i, j]
    if type(value) is not str:
        return time_text(value, sheet.where(i, j))
    text = _TIMES.get(value, _TIMES)
    if text is _TIMES:
        if len(_TIMES) > 4096:
            _TIMES.clear()
        text = _TIMES[value] = time_text(value, sheet.where(i, j))
    return text  # type: ignore[return-value]


def _hours(sheet: Sheet, i: int, j: int) -> float | None:
    value = sheet.values[i, j]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = cell_text(value)
    if not text:
        return None
    m = _HOURS.match(text)
    if not m:
        raise InputError(f"expected a number of hours like 12 or '12h', got {text!r}", **sheet.where(i, j))
    return float(m.group(1))
