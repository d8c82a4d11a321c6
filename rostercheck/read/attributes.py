"""Resident attributes (PGY level, team, role) and times, as rosters write them."""

from __future__ import annotations

import re

from rostercheck.errors import InputError
from rostercheck.legend import parse_time
from rostercheck.read.cells import cell_text, collapse

_PGY = re.compile(
    r"^(?:pgy|pg|r|y|yr|year|level|l)?\s*[-_ ]?\s*(\d{1,2})(?:st|nd|rd|th)?(?:\s*(?:year|yr))?$", re.IGNORECASE
)
_INTERN = re.compile(r"^(?:intern|pgy\s*-?\s*i)$", re.IGNORECASE)


def parse_pgy(value: object, where: dict) -> int | None:
    """``1``, ``PGY-2``, ``PGY 3``, ``R2``, ``PGY1``, ``2nd year``, ``Intern`` -> int; blank -> None.

    Anything else is an error rather than a silent None: duty-hour limits differ by level (PGY-1
    caps), so a level nobody can read must be fixed, not guessed.
    """
    if isinstance(value, bool):
        raise InputError(f"expected a PGY level like 'PGY-2' or 2, got {value!r}", **where)
    text = collapse(cell_text(value))
    if not text:
        return None
    if _INTERN.match(text):
        return 1
    m = _PGY.match(text)
    if m and 1 <= int(m.group(1)) <= 12:
        return int(m.group(1))
    raise InputError(f"expected a PGY level like 'PGY-2', 'R2' or 2, got {text!r}", **where)


#: A role cell that names a training level ("PGY 1", "PGY-2", "R3", "Intern"): a letter prefix is
#: required, so a role of "2" or "Team 2" is not mistaken for one.
_LEVEL_LABEL = re.compile(r"^(?:pgy|pg|r)\s*[-_ ]?\s*(\d{1,2})$", re.IGNORECASE)


def level_from_label(text: str) -> int | None:
    """The PGY level a role cell names, else None (``FAC``, ``MS3``, ``PharmD`` name none).

    Sheets that tell residents from faculty by a role column often have no PGY column: the role
    is the level, and duty-hour rules scoped to PGY-1 need it.
    """
    value = collapse(text)
    if _INTERN.match(value):
        return 1
    m = _LEVEL_LABEL.match(value)
    return int(m.group(1)) if m and 1 <= int(m.group(1)) <= 12 else None


def parse_label(value: object) -> str | None:
    """Team or role text, spaces collapsed; blank -> None."""
    text = collapse(cell_text(value))
    return text or None


_AMPM = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::\d{2})?\s*([ap])\.?\s*m\.?$", re.IGNORECASE)
_SECONDS = re.compile(r"^(\d{1,2}:\d{2}):\d{2}(?:\.\d+)?$")


def time_text(value: object, where: dict) -> str | None:
    """A time cell (time value, day fraction, '7:00', '0700', '7:00 PM') -> "HH:MM"; blank -> None."""
    if isinstance(value, str) or value is None:
        text = cell_text(value)
        if not text:
            return None
        if m := _AMPM.match(text):
            hour, minute = int(m.group(1)), int(m.group(2) or 0)
            if not (1 <= hour <= 12 and minute < 60):
                raise InputError(f"expected a time like '07:00', got {text!r}", **where)
            hour = hour % 12 + (12 if m.group(3).lower() == "p" else 0)
            return f"{hour:02d}:{minute:02d}"
        if m := _SECONDS.match(text):
            text = m.group(1)
        value = text
    elif isinstance(value, float) and value != value:  # NaN
        return None
    minutes = parse_time(value, where=where)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
