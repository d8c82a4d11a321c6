"""``[roster] rows``: which rows of a sheet are residents, by the text of one column.

Program workbooks put faculty, pharmacists and students in the same grid as residents, told
apart only by a role column (``PGY 1``, ``FAC``, ``MS3``). A filter keeps the rows whose cell in
that column matches one of a few patterns, before anything else is read from a row, so a
faculty member's codes never need a legend entry and a ``FAC`` in a PGY column is not an error.

Patterns are globs by default (``PGY*``, ``R?``, ``R[0-9]``), because that is what people type;
``re:`` switches one pattern to a regular expression for the rare case a glob cannot say it.
Both compare case-blind with spaces collapsed, as every other header and code does.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Sequence

from rostercheck.read.cells import collapse

REGEX_PREFIX = "re:"


def pattern_error(pattern: str) -> str | None:
    """Why ``pattern`` cannot be used (a bad regular expression, an empty text), else None."""
    if not pattern.strip():
        return "a pattern cannot be blank"
    if pattern.startswith(REGEX_PREFIX):
        try:
            re.compile(pattern[len(REGEX_PREFIX) :], re.IGNORECASE)
        except re.error as exc:
            return f"{pattern!r} is not a regular expression ({exc})"
        if not pattern[len(REGEX_PREFIX) :].strip():
            return "a regular expression cannot be blank"
    return None


def compile_patterns(patterns: Sequence[str]) -> Callable[[str], bool]:
    """A predicate on cell text: does it match any of ``patterns``? Blank cells never match.

    The patterns become one regular expression, so a column is matched with one call per
    distinct value (see ``cells.map_unique``), however many rows share it.
    """
    parts = []
    for p in patterns:
        if p.startswith(REGEX_PREFIX):
            parts.append(f"(?:.*?(?:{p[len(REGEX_PREFIX):]}).*)")  # searched anywhere unless anchored
        else:
            parts.append(f"(?:{fnmatch.translate(collapse(p))[:-2]})")  # translate ends with r"\Z"; drop it
    rx = re.compile("|".join(parts), re.IGNORECASE | re.DOTALL)

    def matches(text: str) -> bool:
        value = collapse(text)
        return bool(value) and rx.fullmatch(value) is not None

    return matches


def describe(patterns: Sequence[str]) -> str:
    """``"PGY*" or "R?"``: patterns as a person reads them in a message."""
    return " or ".join(repr(p) for p in patterns)
