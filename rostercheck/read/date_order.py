"""A column of dates written day-first or month-first.

``13/01/2018`` can only be day-first; ``03/04/2026`` can be either. One file keeps one order, so
the order is decided for the whole column: a day above 12 in the first place rules out
month-first (and the other way round). A column where every date reads both ways is an error
that names ``--date-order``: guessing would put a whole month of shifts on the wrong days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache

from rostercheck.errors import InputError
from rostercheck.read.cells import cell_text
from rostercheck.read.dates import HeaderDate, parse_date_value

#: 13/01/2018, 13-01-2018, "Sat 13/01/2018": three numbers, the year last. (Dotted dates, 13.01.2018,
#: are day-first everywhere they are written, and ``dates`` reads them so.)
_NUMERIC = re.compile(r"^(?:[a-z]{2,9}\.?,?\s+)?(\d{1,2})[/\-](\d{1,2})[/\-](\d{4}|\d{2})$", re.IGNORECASE)


def numeric_parts(value: object) -> tuple[int, int, int] | None:
    """(first, second, year) of a date written as three numbers, or None."""
    if not isinstance(value, str):
        return None
    m = _NUMERIC.match(cell_text(value))
    if not m:
        return None
    y = int(m.group(3))
    if len(m.group(3)) == 2:
        y += 2000 if y < 70 else 1900
    return int(m.group(1)), int(m.group(2)), y


def is_date(value: object) -> bool:
    """A date in either order (used when detecting where the dates are)."""
    if isinstance(value, str):
        return _is_date_text(value)
    return parse_date_value(value) is not None  # a number is never a date; a datetime always


@lru_cache(maxsize=4096)
def _is_date_text(value: str) -> bool:
    """``is_date`` of a text, once per process: the same dates, names and codes head every roster
    of a batch, and parsing one is a few regular expressions (0.1 ms a sheet, 20 % of detection)."""
    return parse_date_value(value) is not None or numeric_parts(value) is not None


@lru_cache(maxsize=8192, typed=True)
def _cached_date_value(value: object) -> HeaderDate | None:
    return parse_date_value(value)


def _date_value(value: object) -> HeaderDate | None:
    """``parse_date_value``, once per distinct header value per process (a batch's rosters head
    their grids with the same dates; ``HeaderDate`` is frozen, so one may be shared)."""
    try:
        return _cached_date_value(value)
    except TypeError:  # an unhashable value: never a date a cell holds, but read it as before
        return parse_date_value(value)


def decide_order(values: list[object], order: str | None, where: Callable[[int], dict]) -> str:
    """"dmy" or "mdy" for this column: ``order`` if given, else what the values allow."""
    if order is not None:
        return order
    nums = [(k, p) for k, v in enumerate(values) if (p := numeric_parts(v)) is not None]
    day_first = next((k for k, p in nums if p[0] > 12), None)
    month_first = next((k for k, p in nums if p[1] > 12), None)
    if day_first is not None and month_first is not None:
        raise InputError(
            f"dates are written both day-first ({cell_text(values[day_first])!r}) and month-first "
            f"({cell_text(values[month_first])!r}); expected one order in a file",
            **where(month_first),
        )
    if day_first is not None:
        return "dmy"
    if month_first is not None:
        return "mdy"
    both = next((k for k, p in nums if p[0] != p[1]), None)
    if both is not None:
        text = cell_text(values[both])
        raise InputError(
            f"date {text!r} reads as day/month or month/day and no date in the file settles it; "
            "expected --date-order dmy or mdy ([roster] date-order)",
            **where(both),
        )
    return "mdy"


def parse_dates(values: list[object], order: str | None, year: int | None,
                where: Callable[[int], dict]) -> list[dt.date | None]:
    """Each value as a date (None where it is not one), the order decided once for all of them."""
    chosen = decide_order(values, order, where)
    out: list[dt.date | None] = []
    for k, v in enumerate(values):
        p = numeric_parts(v)
        if p is not None:
            a, b, y = p
            day, month = (a, b) if chosen == "dmy" else (b, a)
        else:
            hd = parse_date_value(v)
            if hd is None:
                out.append(None)
                continue
            day, month, y = hd.day, hd.month, hd.year  # type: ignore[assignment]
            if y is None:
                if year is None:
                    raise InputError(
                        f"date {cell_text(v)!r} has no year; expected a full date like 2026-07-01, "
                        "or give the year (--year / [roster] year)",
                        **where(k),
                    )
                y = year
        try:
            out.append(dt.date(y, month, day))
        except ValueError:
            raise InputError(f"{cell_text(v)!r} is not a real date ({'day/month' if chosen == 'dmy' else 'month/day'}"
                             "/year)", **where(k)) from None
    return out


def header_dates(values: list[object], order: str | None, where: Callable[[int], dict]) -> list[HeaderDate | None]:
    """Grid headers and long-table date columns: each value as written, in either order.

    These layouts have always read ``7/1/2026`` month-first, so a file where every date reads
    both ways keeps that reading; a first number above 12 (``13/07/2026``) makes the file
    day-first, and ``--date-order`` decides outright. Writing both orders in one file is an error.
    """
    try:
        chosen = decide_order(values, order, where)
    except InputError as exc:
        if "settles it" not in exc.message:
            raise
        chosen = "mdy"
    out: list[HeaderDate | None] = []
    for v in values:
        m = _NUMERIC.match(cell_text(v)) if chosen == "dmy" and isinstance(v, str) else None
        if m is None:
            out.append(_date_value(v) if v is not None else None)
            continue
        # day first: read the text with its two numbers swapped, so a weekday or session written
        # with the date still counts (and is still checked against it)
        text = cell_text(v)
        swapped = text[: m.start(1)] + m.group(2) + text[m.end(1) : m.start(2)] + m.group(1) + text[m.end(2) :]
        out.append(parse_date_value(swapped))
    return out
