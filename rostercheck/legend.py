"""Shift codes and what they mean in time.

A legend maps each code to a kind and, for codes that occupy time, a start and an end (or a
length). Three layers, each overriding the one before: the built-in legend of common codes, a
legend sheet in the workbook, and the config's ``[shifts]`` table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rostercheck.errors import InputError, suggest
from rostercheck.model import LegendRow, Source

KINDS = ("work", "call", "night", "home-call", "off", "leave", "wellness")
#: Kinds whose intervals are work for hours, periods and rest.
WORK_KINDS = frozenset({"work", "call", "night"})
#: Kinds that break a free day (home call is not work, but it is not a day off either).
BUSY_KINDS = frozenset({"work", "call", "night", "home-call"})

SHIFT_KEYS = ("start", "end", "hours", "kind", "description")

_TIME = re.compile(r"^\s*(\d{1,2})(?::?(\d{2}))?\s*$")
#: Separators of multi-code cells: ``CL/W``, ``C+PC``, ``D, W``.
_SPLIT = re.compile(r"\s*[/+,;&]\s*|\s+")


@dataclass(frozen=True, slots=True)
class Shift:
    """What one code means. Times are minutes after midnight; ``length`` is in minutes."""

    code: str
    kind: str = "work"
    start: int | None = None
    length: int | None = None
    description: str = ""
    #: counted hours for home call ("hours" given); None means "its length" for work kinds
    counted_hours: float | None = None
    origin: str = "built-in"

    @property
    def timed(self) -> bool:
        return self.start is not None and self.length is not None


def parse_time(text: object, *, where: dict) -> int:
    """'07:00', '7:00', '0700', 7 or a datetime.time -> minutes after midnight."""
    if hasattr(text, "hour") and hasattr(text, "minute"):
        return int(text.hour) * 60 + int(text.minute)  # type: ignore[attr-defined]
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if 0 <= text < 1:  # Excel stores times as fractions of a day
            return round(float(text) * 1440)
        if 0 <= text <= 24:
            return round(float(text) * 60)
    m = _TIME.match(str(text))
    if m:
        h, mi = int(m.group(1)), int(m.group(2) or 0)
        if h <= 24 and mi < 60 and h * 60 + mi <= 1440:
            return h * 60 + mi
    raise InputError(f"expected a time like '07:00', got {text!r}", **where)


def make_shift(code: str, spec: dict, *, origin: str, where: dict) -> Shift:
    """Validate one legend entry (config table or legend-sheet row) into a Shift."""
    for key in spec:
        if key not in SHIFT_KEYS:
            raise InputError(
                f"unknown shift setting {key!r}{suggest(key, SHIFT_KEYS)}; expected one of "
                + ", ".join(SHIFT_KEYS),
                **where,
            )
    kind = str(spec.get("kind") or "work").strip().lower()
    if kind not in KINDS:
        raise InputError(
            f"unknown shift kind {kind!r}{suggest(kind, KINDS)}; expected one of " + ", ".join(KINDS),
            **where,
        )
    start = spec.get("start")
    end = spec.get("end")
    hours = spec.get("hours")
    s = parse_time(start, where=where) if start not in (None, "") else None
    e = parse_time(end, where=where) if end not in (None, "") else None
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours < 0):
        raise InputError(f"'hours' must be a non-negative number, got {hours!r}", **where)
    length: int | None = None
    counted: float | None = None
    if s is not None and e is not None:
        length = (e - s) % 1440 or 1440  # an end at or before the start is the next day
        if hours is not None and kind == "home-call":
            counted = float(hours)
    elif s is not None and hours is not None:
        length = round(float(hours) * 60)
    elif (s is None) != (e is None):
        raise InputError("a shift needs both 'start' and 'end' (or 'start' and 'hours')", **where)
    elif hours is not None:
        if kind == "home-call":
            counted = float(hours)
        else:
            raise InputError("'hours' needs a 'start' to place the shift in time", **where)
    if kind in ("call", "night") and length is None:
        raise InputError(f"a {kind} shift needs 'start' and 'end' (or 'hours')", **where)
    if length is not None and length > 72 * 60:
        raise InputError(f"a shift of {length / 60:g} h is longer than 72 h", **where)
    return Shift(
        code=normalise_code(code),
        kind=kind,
        start=s,
        length=length,
        description=str(spec.get("description") or ""),
        counted_hours=counted,
        origin=origin,
    )


def normalise_code(text: object) -> str:
    """Codes compare case-blind and ignore stray and non-breaking spaces."""
    return " ".join(str(text).replace("\u00a0", " ").split()).upper()


_BUILTIN: dict[str, dict] = {
    "D": {"start": "07:00", "end": "19:00", "description": "day (ward)"},
    "DAY": {"start": "07:00", "end": "19:00", "description": "day (ward)"},
    "LD": {"start": "07:00", "end": "21:00", "description": "long day"},
    "AM": {"start": "08:00", "end": "12:00", "description": "morning session"},
    "PM": {"start": "13:00", "end": "17:00", "description": "afternoon session"},
    "CL": {"description": "clinic (half-day slot, or 08:00-17:00 on a whole-day grid)"},
    "CLINIC": {"description": "clinic"},
    "N": {"start": "19:00", "end": "07:00", "kind": "night", "description": "night"},
    "NF": {"start": "19:00", "end": "07:00", "kind": "night", "description": "night float"},
    "C": {"start": "07:00", "end": "07:00", "kind": "call", "description": "24-hour in-house call"},
    "CALL": {"start": "07:00", "end": "07:00", "kind": "call", "description": "24-hour in-house call"},
    "HC": {"start": "17:00", "end": "07:00", "kind": "home-call", "description": "home call"},
    "PC": {"kind": "off", "description": "post-call (off)"},
    "OFF": {"kind": "off", "description": "day off"},
    "O": {"kind": "off", "description": "day off"},
    "V": {"kind": "leave", "description": "vacation"},
    "VAC": {"kind": "leave", "description": "vacation"},
    "LV": {"kind": "leave", "description": "leave"},
    "AL": {"kind": "leave", "description": "annual leave"},
    "SL": {"kind": "leave", "description": "sick leave"},
    "PTO": {"kind": "leave", "description": "paid time off"},
    "W": {"start": "13:00", "end": "17:00", "kind": "wellness", "description": "wellness half-day"},
    "WELL": {"start": "13:00", "end": "17:00", "kind": "wellness", "description": "wellness half-day"},
}
#: Whole-day times for codes the legend leaves untimed but which are work (e.g. clinic).
WHOLE_DAY_DEFAULT = (8 * 60, 9 * 60)  # 08:00-17:00


def builtin_legend() -> dict[str, Shift]:
    return {
        code: make_shift(code, spec, origin="built-in", where={"key": f"built-in legend {code}"})
        for code, spec in _BUILTIN.items()
    }


_KIND_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("leave", ("vacation", "leave", "holiday", "pto", "sick", "parental", "annual", "conference leave")),
    ("wellness", ("wellness", "wellbeing", "well-being", "appointment", "protected")),
    ("home-call", ("home call", "at-home", "at home", "pager")),
    ("night", ("night",)),
    ("call", ("call", "24h", "24-hour", "24 hour")),
    ("off", ("off", "post-call", "post call", "free", "rest")),
)


def guess_kind(code: str, description: str) -> tuple[str, bool]:
    """Guess a kind from a code and its description; returns (kind, sure).

    Used for legend sheets without a Kind column and by ``init``. Order matters: "post-call" is
    off, not call; "night call" is night.
    """
    text = f" {description.lower()} "
    if "post" in text and "call" in text:
        return "off", True
    for kind, words in _KIND_WORDS:
        if any(w in text for w in words):
            return kind, True
    builtin = _BUILTIN.get(normalise_code(code))
    if builtin is not None:
        return builtin.get("kind", "work"), True
    return "work", False


def legend_from_rows(rows: list[LegendRow]) -> dict[str, Shift]:
    """Shifts from a legend sheet; a missing Kind is guessed from the description."""
    out: dict[str, Shift] = {}
    for row in rows:
        src = row.source or Source("?")
        where = {"file": src.file, "sheet": src.sheet, "cell": src.cell}
        kind = row.kind or guess_kind(row.code, row.description)[0]
        spec: dict = {"kind": kind, "description": row.description}
        if row.start not in (None, ""):
            spec["start"] = row.start
        if row.end not in (None, ""):
            spec["end"] = row.end
        if row.hours is not None:
            spec["hours"] = row.hours
        out[normalise_code(row.code)] = make_shift(row.code, spec, origin="legend sheet", where=where)
    return out


def split_codes(text: str, known: dict[str, Shift]) -> list[str] | None:
    """Codes in one cell: the whole text if it is a code, else its parts; None if any is unknown."""
    norm = normalise_code(text)
    if not norm:
        return []
    if norm in known:
        return [norm]
    parts = [p for p in _SPLIT.split(norm) if p]
    if parts and all(p in known for p in parts):
        return parts
    return None


def unknown_parts(text: str, known: dict[str, Shift]) -> list[str]:
    norm = normalise_code(text)
    return [p for p in _SPLIT.split(norm) if p and p not in known] or [norm]
