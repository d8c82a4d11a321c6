"""Header words, and how a header cell is compared with them.

Headers are matched exactly after normalising (case, spaces, a trailing colon), never by
substring: a title row "Resident schedule July 2026" must not look like a ``Resident`` column.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rostercheck.read.cells import collapse

NAME = frozenset(
    {
        "resident", "residents", "name", "names", "resident name", "resident names", "full name",
        "provider", "providers", "provider name", "physician", "physicians", "physician name",
        "trainee", "trainees", "trainee name", "doctor", "doctors", "doctor name", "staff",
        "staff name", "employee", "employee name", "fellow", "fellows", "house officer", "person",
        "person name", "resident full name", "provider full name",
    }
)  # fmt: skip
PGY = frozenset({"pgy", "year", "level", "pgy level", "pgy year", "class", "training level", "pg year", "yr"})
TEAM = frozenset({"team", "rotation", "service", "firm", "unit"})
ROLE = frozenset({"role", "position", "type", "title"})
#: Long files: the date, code, time and slot columns.
DATE = frozenset({"date", "day", "shift date", "work date", "duty date", "assignment date", "service date",
                  "date of service", "schedule date"})  # fmt: skip
#: A long table's code column, most specific first: with both ``shift`` and ``rotation_name``,
#: the shift is the code (and the rotation a team).
CODE_RANKED = ("code", "shift code", "assignment code", "shift", "assignment", "activity", "duty", "rotation name",
               "assignment name", "activity name")  # fmt: skip
CODE = frozenset(CODE_RANKED)
START = frozenset({"start", "start time", "from", "time in", "begin", "begins", "starts"})
END = frozenset({"end", "end time", "to", "time out", "finish", "ends", "until"})
SLOT = frozenset({"slot", "session", "am/pm", "half day", "half-day", "half"})
#: Legend sheets.
LEGEND_CODE = frozenset({"code", "shift code", "abbreviation", "abbrev", "abbr", "symbol"})
LEGEND_DESCRIPTION = frozenset({"description", "meaning", "desc", "definition", "explanation", "shift name"})
LEGEND_START = frozenset({"start", "start time", "begins", "from"})
LEGEND_END = frozenset({"end", "end time", "ends", "to", "until"})
LEGEND_KIND = frozenset({"kind", "category", "type"})
LEGEND_HOURS = frozenset({"hours", "hrs", "length", "duration"})
LEGEND_OTHER = LEGEND_DESCRIPTION | LEGEND_START | LEGEND_END | LEGEND_KIND | LEGEND_HOURS

#: Name-column texts that close the roster: everything below is a footer.
_FOOTER = re.compile(
    r"^(?:"
    r"(?:legend|key|notes?|comments?|totals?|sum|count|abbreviations?|remarks?)\s*(?::.*)?"
    r"|(?:generated|printed|prepared|created|exported|produced|(?:last\s+)?updated|(?:last\s+)?modified)\b.*"
    r"|page\s+\d+.*"
    r"|(?:total|#)\s.*"
    r")$",
    re.IGNORECASE,
)
#: Headers of free-text columns (a transposed grid's ``Notes`` beside its residents): never a person.
FREE_TEXT = frozenset({"note", "notes", "comment", "comments", "remark", "remarks", "rule", "rules", "memo",
                       "notes/comments", "comments/notes", "info", "details", "reason"})  # fmt: skip
#: Name-column texts of sub-header rows (a weekday or AM/PM row labelled in the name column).
SUBHEADER = frozenset({"day", "days", "weekday", "dow", "date", "dates", "am/pm", "session", "slot", "time"})
_PGY_GROUP = re.compile(r"^(?:pgy|pg)\s*-?\s*(\d{1,2})(?:\s+(?:residents?|trainees?|interns?))?$", re.I)
#: "PGY 1 Rotations", "PGY-2 schedule": a level followed by words, only ever a section title.
_PGY_SECTION = re.compile(r"^(?:pgy|pg)\s*-?\s*(\d{1,2})\s*[:\-]?\s+[a-z][a-z ()&/'-]*$", re.I)
_INTERNS = re.compile(r"^interns?$", re.I)
#: Section-title rows of program sheets that list more than residents ("Faculty", "Medical
#: Students", "Clinical Pharmacists", "Residents"). Matched only on rows without codes (or without
#: a role where others have one), so a person named "Pharmacy, Jo" with shifts is still a person.
_SECTION = re.compile(
    r"^(?:[a-z][a-z&/'-]*\s+){0,3}"
    r"(?:faculty|attendings?|preceptors?|pharmac(?:y|ists?)|students?|residents|interns|trainees|fellows|"
    r"rotations?|staff|providers|physicians|nurses|nursing|learners|others?|behavioral\s+health|"
    r"(?:first|second|third|fourth)[\s-]+years?)"
    r"(?:\s*\(.*\))?\s*:?$",
    re.I,
)


#: Name-column texts of rows that hold a slot, not a person ("Unassigned", "TBD", "Open", "Vacant").
_PLACEHOLDER = re.compile(
    r"^(?:unassigned|tbd|tba|to be (?:determined|assigned)|open|vacant|unfilled|empty|n/?a|none|-+|\?+)$", re.I
)


def is_placeholder(name: str) -> bool:
    """A row for a slot nobody fills yet: never a person, though it may carry codes."""
    return bool(_PLACEHOLDER.match(name.strip()))


@lru_cache(maxsize=4096)  # header rows and name columns repeat their texts from roster to roster
def header_key(text: str) -> str:
    """Header text as compared with the word lists: lower case, one space, no trailing ':'/'.'/'*'."""
    return collapse(text).lower().strip(" :.*#").replace("_", " ")


#: Name-column texts of rows that list who holds a duty ("Staff Call", "Backup", "On call").
_DUTY = re.compile(r"\b(?:call|on[\s-]?call|duty|back[\s-]?up|coverage|jeopardy|night\s+float)\b", re.I)


def is_duty(name: str) -> bool:
    return bool(_DUTY.search(name))


def is_footer(name: str) -> bool:
    return bool(_FOOTER.match(name))


def group_pgy(name: str) -> int | None:
    """A "PGY-2" or "Interns" row heading a group of residents -> that level, else None."""
    if m := _PGY_GROUP.match(name) or _PGY_SECTION.match(name):
        return int(m.group(1))
    if _INTERNS.match(name):
        return 1
    return None


def is_section(name: str) -> bool:
    """A section-title text ("Faculty", "PGY 1 Rotations", "Medical Students")."""
    return bool(_SECTION.match(name)) or group_pgy(name) is not None


def find_ranked(keys: list[str], ranked: tuple[str, ...], exclude: set[int] | None = None) -> int | None:
    """Index of the key that comes first in ``ranked`` (skipping ``exclude``), or None."""
    for word in ranked:
        for j, k in enumerate(keys):
            if k == word and (exclude is None or j not in exclude):
                return j
    return None


def find(keys: list[str], words: frozenset[str], exclude: set[int] | None = None) -> int | None:
    """Index of the first key in ``words`` (skipping ``exclude``), or None."""
    for j, k in enumerate(keys):
        if k in words and (exclude is None or j not in exclude):
            return j
    return None
