"""Dates as rosters write them in header cells and date columns.

Real rosters mix real Excel dates with text typed by hand: ``2026-07-01``, ``7/1/2026``,
``7/1/26``, ``7/1`` (year implied), ``Wed 7/1``, ``Jul 1``, ``1-Jul-26``. A header cell is parsed
into (year or None, month, day) first; years are filled in afterwards for a whole run at once,
because "7/1" only means something next to its neighbours and the configured year.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rostercheck.errors import InputError
from rostercheck.read.cells import cell_text

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
WEEKDAYS = frozenset(
    {
        "mon", "monday", "tue", "tues", "tuesday", "wed", "weds", "wednesday", "thu", "thur", "thurs",
        "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday",
    }
)  # fmt: skip
#: Weekday rows written with one or two letters (M T W Th F Sa Su).
_WEEKDAY_LETTERS = frozenset({"m", "t", "w", "th", "r", "f", "sa", "s", "su", "u", "tu", "mo", "we", "fr"})
SLOT_LABELS = {
    "am": "AM", "a.m.": "AM", "a.m": "AM", "morning": "AM", "pm": "PM", "p.m.": "PM", "p.m": "PM",
    "afternoon": "PM",
}  # fmt: skip

_WD = r"(?:mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?"
_WD_PREFIX = re.compile(rf"^({_WD})\s*[,\-]?\s*(?=\d|[a-z]{{3}})")
_WD_SUFFIX = re.compile(rf"\s*[,\-]?\s*\(?({_WD})\)?$")
_SESSION_WORD = r"(am|pm|a\.m\.?|p\.m\.?|morning|afternoon)"
#: A session after a date (``3/12 AM``, ``2026-03-12_AM``, ``03/12 (PM)``, ``12-Mar PM``).
_SESSION_TAIL = re.compile(rf"^(.*?\d.*?)[\s_\-]*\(?\s*{_SESSION_WORD}\s*\)?$")
#: A session label, maybe with its weekday (``AM``, ``Thu AM``, ``AM (Thu)``): a session row.
_SESSION_LABEL = re.compile(rf"^(?:({_WD})[\s,\-]*)?\(?{_SESSION_WORD}\)?(?:[\s,\-]*\(?({_WD})\)?)?$")
_TIME_TAIL = r"(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[ap]m)?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME_TAIL}$")
_US = re.compile(rf"^(\d{{1,2}})/(\d{{1,2}})(?:/(\d{{4}}|\d{{2}}))?{_TIME_TAIL}$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?$")
_MONTH_DAY = re.compile(r"^([a-z]{3,9})\.?[\s-]*(\d{1,2})(?:st|nd|rd|th)?(?:\s*,?[\s-]*(\d{4}|\d{2}))?$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s-]*([a-z]{3,9})\.?(?:[\s,-]*(\d{4}|\d{2}))?$")


@dataclass(frozen=True, slots=True)
class HeaderDate:
    """A date as written: ``year`` is None for "7/1"-style text.

    ``slot`` is the session written with it (``3/12 AM``, ``2026-03-12_PM``), and ``weekday``
    (0 Monday) the weekday written with it (``Thu 3/12``), which the reader checks against the
    date and uses to infer a missing year.
    """

    year: int | None
    month: int
    day: int
    slot: str | None = None
    weekday: int | None = None


def _year(text: str | None) -> int | None:
    if text is None:
        return None
    y = int(text)
    if len(text) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _valid(
    year: int | None, month: int, day: int, slot: str | None = None, weekday: int | None = None
) -> HeaderDate | None:
    try:
        dt.date(2000 if year is None else year, month, day)  # 2000 is a leap year: 2/29 passes
    except ValueError:
        return None
    return HeaderDate(year, month, day, slot, weekday)


@lru_cache(maxsize=4096)
def _match(text: str) -> tuple[int | None, int, int, str | None, int | None] | None:
    """(year, month, day, session, weekday) as written, not yet checked to be a real date."""
    s = " ".join(text.lower().split())
    if not s or len(s) > 40 or not any(ch.isdigit() for ch in s):
        return None
    found = _match_date(s)
    if found is not None:
        return found
    if m := _SESSION_TAIL.match(s):  # "3/12 AM": a date and a session in one header cell
        found = _match_date(m.group(1).strip())
        if found is not None:
            return found[0], found[1], found[2], _slot_word(m.group(2)), found[4]
    return None


def _match_date(s: str) -> tuple[int | None, int, int, str | None, int | None] | None:
    weekday = None
    if m := _WD_PREFIX.match(s):
        weekday = _weekday_word(m.group(1))
        s = s[m.end() :]
    if (m := _WD_SUFFIX.search(s)) and m.start() > 0:
        weekday = _weekday_word(m.group(1)) if weekday is None else weekday
        s = s[: m.start()]
    s = s.strip()
    if m := _ISO.match(s):
        return int(m.group(1)), int(m.group(2)), int(m.group(3)), None, weekday
    if m := _US.match(s):
        return _year(m.group(3)), int(m.group(1)), int(m.group(2)), None, weekday
    if m := _DOTTED.match(s):
        return _year(m.group(3)), int(m.group(2)), int(m.group(1)), None, weekday
    if (m := _MONTH_DAY.match(s)) and m.group(1) in _MONTHS:
        return _year(m.group(3)), _MONTHS[m.group(1)], int(m.group(2)), None, weekday
    if (m := _DAY_MONTH.match(s)) and m.group(2) in _MONTHS:
        return _year(m.group(3)), _MONTHS[m.group(2)], int(m.group(1)), None, weekday
    return None


def _weekday_word(word: str) -> int:
    return _WEEKDAY_INDEX[word.strip(".")[:2]]


def parse_date_text(text: str) -> HeaderDate | None:
    """Hand-typed date text -> HeaderDate, or None when it is not a (real) date."""
    found = _match(text)
    return _valid(*found) if found is not None else None


def looks_like_date(text: str) -> bool:
    """Written like a date, real or not ("2/30/2026"): such a header is a typo, not a totals column."""
    found = _match(text)
    return found is not None and 1 <= found[1] <= 12 and 1 <= found[2] <= 31


def parse_date_value(value: object) -> HeaderDate | None:
    """A cell value (real date or text) -> HeaderDate; numbers are never dates (too ambiguous)."""
    if isinstance(value, dt.datetime):
        return HeaderDate(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return HeaderDate(value.year, value.month, value.day)
    if isinstance(value, str):
        return parse_date_text(cell_text(value))
    return None


@lru_cache(maxsize=4096)  # weekday rows and name columns repeat their texts from roster to roster
def is_weekday_label(text: str) -> bool:
    t = text.strip().lower().rstrip(".")
    return t in WEEKDAYS or t in _WEEKDAY_LETTERS


#: weekday label -> the weekdays (0 Monday) it can name; "S" is Saturday or Sunday, "T" Tuesday or Thursday
_LETTER_DAYS = {
    "m": (0,), "mo": (0,), "t": (1, 3), "tu": (1,), "w": (2,), "we": (2,), "th": (3,), "r": (3,), "f": (4,),
    "fr": (4,), "sa": (5,), "s": (5, 6), "su": (6,), "u": (6,),
}  # fmt: skip


@lru_cache(maxsize=4096)
def weekdays_named(text: str) -> tuple[int, ...]:
    """The weekdays (0 Monday) a weekday label can mean: ``Thu`` -> (3,), ``S`` -> (5, 6); () if none."""
    t = text.strip().lower().rstrip(".")
    if t in WEEKDAYS:
        return (_WEEKDAY_INDEX[t[:2]],)
    return _LETTER_DAYS.get(t, ())


_WEEKDAY_INDEX = {"mo": 0, "tu": 1, "we": 2, "th": 3, "fr": 4, "sa": 5, "su": 6}


def slot_label(text: str) -> str | None:
    return SLOT_LABELS.get(text.strip().lower())


def session_label(text: str) -> tuple[str, int | None] | None:
    """A session-row cell -> (AM/PM, weekday written with it or None): ``AM``, ``Thu PM``, ``PM (Thu)``."""
    m = _SESSION_LABEL.match(" ".join(text.lower().split()))
    if not m:
        return None
    day = m.group(1) or m.group(3)
    return _slot_word(m.group(2)), _weekday_word(day) if day else None


def _slot_word(word: str) -> str:
    return SLOT_LABELS.get(word) or SLOT_LABELS[word.rstrip(".")]


#: How far from today a year inferred from weekday labels may be: weekdays repeat every few years,
#: so only a window this narrow can make the answer unique.
YEAR_WINDOW = 5


def infer_year(parsed: Sequence[HeaderDate], weekdays: Sequence[tuple[int, ...]], today: dt.date) -> list[int]:
    """The years (of the first yearless date) within ``YEAR_WINDOW`` of ``today`` that agree with
    every weekday label; ``weekdays[k]`` are the weekdays date ``k``'s labels allow (empty: none)."""
    labelled = [(p, w) for p, w in zip(parsed, weekdays, strict=True) if w]
    if not labelled:
        return []
    out = []
    for year in range(today.year - YEAR_WINDOW, today.year + YEAR_WINDOW + 1):
        base = next((p.month for p in parsed if p.year is None), None)
        ok = True
        for p, w in labelled:
            y = p.year if p.year is not None else year + (1 if base is not None and p.month < base else 0)
            try:
                ok = dt.date(y, p.month, p.day).weekday() in w
            except ValueError:
                ok = False
            if not ok:
                break
        if ok:
            out.append(year)
    return out


def resolve_years(
    parsed: Sequence[HeaderDate],
    year: int | None,
    where: Callable[[int], dict],
    texts: Sequence[str],
) -> list[dt.date]:
    """Give every yearless date a year.

    ``year`` is the year of the first yearless date; a later yearless date whose month comes
    before that first month belongs to the next year (a July-June academic year, or a December
    grid running into January). ``where(k)`` locates the k-th date for error messages.
    """
    out: list[dt.date] = []
    base_month: int | None = None
    for k, p in enumerate(parsed):
        y = p.year
        if y is None:
            if year is None:
                raise InputError(
                    f"date {texts[k]!r} has no year; expected a full date like 7/1/2026, "
                    "or give the year of the first date (--year / [roster] year)",
                    **where(k),
                )
            if base_month is None:
                base_month = p.month
            y = year + (1 if p.month < base_month else 0)
        try:
            out.append(dt.date(y, p.month, p.day))
        except ValueError:
            raise InputError(f"{texts[k]!r} is not a real date in {y}", **where(k)) from None
    return out
