"""Shift codes and what they mean in time.

A legend maps each code to a kind and, for codes that occupy time, a start and an end (or a
length). Three layers, each overriding the one before: the built-in legend of common codes, a
legend sheet in the workbook, and the config's ``[shifts]`` table.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from rostercheck.errors import InputError, suggest
from rostercheck.model import LegendRow, Source
from rostercheck.ranges import MAX_SHIFT_HOURS

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
    #: the length was given as ``hours``: elapsed time from the start instant, so across a
    #: daylight-saving change the shift ends earlier or later on the clock (an ``end`` is a clock time)
    elapsed: bool = False
    #: the code as its legend writes it (``PedW``); ``code`` is the upper-cased key that matches
    written: str = ""

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
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float))
                              or not 0 <= hours <= MAX_SHIFT_HOURS):  # also refuses nan
        raise InputError(f"'hours' must be a number from 0 to {MAX_SHIFT_HOURS} (a week), got {hours!r}", **where)
    length: int | None = None
    counted: float | None = None
    elapsed = False
    if s is not None and e is not None:
        length = (e - s) % 1440 or 1440  # an end at or before the start is the next day
        if hours is not None and kind == "home-call":
            counted = float(hours)
    elif s is not None and hours is not None:
        length = round(float(hours) * 60)
        elapsed = True
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
        elapsed=elapsed,
        written=" ".join(str(code).replace("\u00a0", " ").split()),
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
    """A fresh dict of the built-in shifts (callers add to it); the shifts are made once per process
    (they are frozen): a batch of small rosters made them again for every file, 0.3 ms each."""
    global _BUILTIN_SHIFTS
    if _BUILTIN_SHIFTS is None:
        _BUILTIN_SHIFTS = {
            code: make_shift(code, spec, origin="built-in", where={"key": f"built-in legend {code}"})
            for code, spec in _BUILTIN.items()
        }
    return dict(_BUILTIN_SHIFTS)


_BUILTIN_SHIFTS: dict[str, Shift] | None = None


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


# ------------------------------------------------------------------------------ guesses for init
# What codes commonly mean in residency rosters, for drafting a program's config (``rostercheck
# init``). Never used by a check: ``_BUILTIN`` is the legend that applies without a config. A
# draft writes every guess out, so a program sees and owns each meaning.


@dataclass(frozen=True, slots=True)
class Guess:
    """A common meaning of a code: a ``[shifts]`` entry, and why it may be wrong.

    ``doubt`` is empty when the code means the same nearly everywhere; otherwise it names the
    other common meaning, whose entry is ``other``.
    """

    spec: dict[str, str]
    doubt: str = ""
    other: dict[str, str] | None = None


def _work(description: str) -> dict[str, str]:
    return {"kind": "work", "description": description}


_CALL_24 = {"kind": "call", "start": "07:00", "end": "07:00", "description": "24-hour in-house call"}
_NIGHT = {"kind": "night", "start": "19:00", "end": "07:00", "description": "night"}
_OFF = {"kind": "off", "description": "day off"}
_WEEKEND = {"kind": "off", "description": "weekend (off)"}
_WELLNESS = {"kind": "wellness", "start": "13:00", "end": "17:00", "description": "wellness half-day"}
_CLINIC = _work("clinic")
_LEAVE = {
    "vacation": ("V", "VAC", "VACA"), "leave": ("LV", "LOA"), "annual leave": ("AL",), "sick leave": ("SL", "SICK"),
    "paid time off": ("PTO",), "parental leave": ("PL", "PAR", "MAT", "FMLA"), "conference leave": ("CME",),
    "bereavement leave": ("BRV", "BL"), "interview leave": ("INTV",),
}  # fmt: skip
_WORK = {
    "clinic": ("CL", "CLINIC", "CLIN", "FMC", "CC", "CONT", "OPC", "AMB"),
    "inpatient service": ("IP", "INPT", "WARDS", "WARD", "FMS", "FMIS", "MED"),
    "didactics": ("DID", "DIDACTICS", "CONF", "LECT", "GR", "NOON", "ACAD", "HALF DAY", "AHD", "EDU"),
    "emergency department": ("ED", "ER", "EM"),
    "intensive care": ("ICU", "MICU", "SICU", "CCU", "PICU", "CRIT"),
    "obstetrics": ("OB", "L&D", "L+D", "OBS", "MFM"),
    "gynecology": ("GYN", "WH", "OBGYN"),
    "pediatrics": ("PEDS", "PED", "PIP", "PEDI", "PEDS ED"),
    "newborn care": ("NICU", "NB", "NBN", "NURSERY"),
    "surgery": ("SURG", "GS", "OR"),
    "subspecialty rotation": (
        "ORTHO", "DERM", "ENT", "URO", "CARD", "CARDS", "GI", "NEURO", "ONC", "HEME", "RHEUM", "ENDO", "PULM",
        "NEPH", "RENAL", "ID", "RAD", "OPHTHO", "PALL", "TOX", "ALLERGY",
    ),
    "psychiatry / behavioral health": ("PSYCH", "BH", "BHC"),
    "sports medicine": ("SPORTS", "SM", "MSK"),
    "geriatrics": ("GERI", "GER", "NH", "SNF", "LTC"),
    "hospital medicine": ("HOSP", "HM", "HOSPITALIST"),
    "community medicine": ("COMM", "CM", "POP", "PH", "RURAL", "HV"),
    "elective": ("EL", "ELEC", "ELECTIVE", "SEL"),
    "research": ("RES", "RESEARCH", "SCHOL", "QI", "PI"),
    "administration": ("ADMIN", "ADM", "CHIEF", "MTG"),
    "procedures": ("PROC", "US", "POCUS", "SIM"),
    "orientation": ("ORIENT", "ORI", "BOOT"),
    "in-training exam": ("ITE", "EXAM", "BOARDS"),
    "teaching": ("TEACH", "PRECEPT"),
    "day shift": ("D", "DAY"),
}
_GUESSES: dict[str, Guess] = {
    **{c: Guess(_work(what)) for what, codes in _WORK.items() for c in codes},
    **{c: Guess({"kind": "leave", "description": what}) for what, codes in _LEAVE.items() for c in codes},
    "D": Guess({"start": "07:00", "end": "19:00", "kind": "work", "description": "day (ward)"}),
    "DAY": Guess({"start": "07:00", "end": "19:00", "kind": "work", "description": "day (ward)"}),
    "AM": Guess({"start": "08:00", "end": "12:00", "kind": "work", "description": "morning session"}),
    "PM": Guess({"start": "13:00", "end": "17:00", "kind": "work", "description": "afternoon session"}),
    "SW": Guess({"start": "14:00", "end": "23:00", "kind": "work", "description": "swing shift"}),
    "SWING": Guess({"start": "14:00", "end": "23:00", "kind": "work", "description": "swing shift"}),
    "NF": Guess({**_NIGHT, "description": "night float"}),
    "NIGHT": Guess(_NIGHT),
    "NIGHTS": Guess(_NIGHT),
    "CALL": Guess(_CALL_24),
    "24": Guess(_CALL_24, "24 usually means a 24-hour call; some sheets use it for hours worked"),
    "HC": Guess({"kind": "home-call", "start": "17:00", "end": "07:00", "description": "home call"}),
    "BU": Guess({"kind": "home-call", "start": "17:00", "end": "07:00", "description": "backup call (from home)"},
                "backup call is home call in most programs; in-house in some"),
    "PC": Guess({"kind": "off", "description": "post-call (off)"}),
    "POST": Guess({"kind": "off", "description": "post-call (off)"}),
    "OFF": Guess(_OFF),
    "O": Guess(_OFF),
    "DO": Guess(_OFF),
    "X": Guess({"kind": "off", "description": "not scheduled (off)"}, "X often marks a day off; some sheets use it "
               "for 'scheduled' or 'unavailable'"),
    "HOL": Guess({"kind": "off", "description": "holiday (off)"}),
    "HOLIDAY": Guess({"kind": "off", "description": "holiday (off)"}),
    "WKND": Guess(_WEEKEND),
    "WE": Guess(_WEEKEND),
    "WEEKEND": Guess(_WEEKEND),
    "WELL": Guess(_WELLNESS),
    "WELLNESS": Guess(_WELLNESS),
    "APPT": Guess({"kind": "wellness", "description": "appointment (protected)"}),
    # ambiguous: the first meaning is the default; init picks between them from the roster itself
    "C": Guess(_CALL_24, "C is call in some programs and clinic in others", _CLINIC),
    "W": Guess(_WELLNESS, "W is wellness time in some programs and a weekend day off in others", _WEEKEND),
    "LD": Guess({"start": "07:00", "end": "21:00", "kind": "work", "description": "long day"},
                "LD is a long day in some programs and labor and delivery in others", _work("labor and delivery")),
    "N": Guess(_NIGHT, "N is a night shift in most programs and the newborn nursery in some",
               _work("newborn nursery")),
    "H": Guess({"kind": "off", "description": "holiday (off)"}, "H is a holiday in some programs and a hospital "
               "shift in others", _work("hospital")),
    "S": Guess({"kind": "leave", "description": "sick leave"}, "S is sick leave in some programs and a swing or "
               "surgery shift in others", _work("swing or surgery shift")),
    "A": Guess({"kind": "leave", "description": "absent / away"}, "A is an absence in some programs and an "
               "admitting shift in others", _work("admitting")),
}  # fmt: skip


def guessed_codes() -> frozenset[str]:
    """Every code ``guess_code`` knows by name (it also knows ``IP2`` from ``IP``)."""
    return frozenset(_GUESSES) | frozenset(_BUILTIN)


def guess_code(code: str) -> Guess | None:
    """The common meaning of ``code`` (normalised), or None when rostercheck has no idea.

    A code with a trailing level or team number ("IP2", "CL-B") is looked up without it.
    """
    norm = normalise_code(code)
    if norm in _GUESSES:
        return _GUESSES[norm]
    base = re.sub(r"[\s\-_.]*[0-9]+$|[\s\-_.]+[A-Z]$", "", norm)  # "IP2", "CL-B"; not "GRP" -> "GR"
    if base != norm and len(base) >= 2 and base in _GUESSES and not _GUESSES[base].doubt:
        return _GUESSES[base]
    return None


def _row_spec(row: LegendRow) -> dict:
    """A legend-sheet row as a ``[shifts]`` entry; a missing Kind is guessed from the description."""
    spec: dict = {"kind": row.kind or guess_kind(row.code, row.description)[0], "description": row.description}
    if row.start not in (None, ""):
        spec["start"] = row.start
    if row.end not in (None, ""):
        spec["end"] = row.end
    if row.hours is not None:
        spec["hours"] = row.hours
    return spec


def legend_from_rows(rows: list[LegendRow]) -> dict[str, Shift]:
    """Shifts from a legend sheet; a missing Kind is guessed from the description."""
    out: dict[str, Shift] = {}
    for row in rows:
        src = row.source or Source("?")
        where = {"file": src.file, "sheet": src.sheet, "cell": src.cell}
        out[normalise_code(row.code)] = make_shift(row.code, _row_spec(row), origin="legend sheet", where=where)
    return out


def sheet_legend(
    rows: list[LegendRow], base: dict[str, Shift], taken: Collection[str] = ()
) -> tuple[dict[str, Shift], list[tuple[Source, str, str]]]:
    """A workbook's legend sheet over ``base`` (the built-in legend), key by key, never aborting.

    Precedence is config ``[shifts]`` > legend sheet > built-in: codes in ``taken`` (the config's)
    are left alone, whatever the sheet says. A row that only describes a code (``C = Clinic``)
    keeps the built-in meaning and lends it the description; it replaces a built-in meaning only
    when it gives a kind or times. A row that cannot be used (a call with no times, a bad kind)
    is a warning with its cell, because the config may well define the code and a check must not
    stop on a sheet the program never meant as a contract. Returns the codes the sheet defines
    and the warnings, each as (where, code, message): a legend lists the codes of every block, so
    the caller keeps only the warnings about codes its roster holds.
    """
    out: dict[str, Shift] = {}
    warnings: list[tuple[Source, str, str]] = []
    for row in rows:
        norm = normalise_code(row.code)
        if not norm or norm in taken:
            continue
        src = row.source or Source("?")
        where = {"file": src.file, "sheet": src.sheet, "cell": src.cell}
        says = row.kind is not None or row.start not in (None, "") or row.end not in (None, "") or row.hours is not None
        known = base.get(norm)
        if not says and known is not None:
            said, sure = guess_kind("", row.description)
            differs = said != known.kind if sure else known.kind in ("call", "night")
            if row.description and differs:
                what = f"{known.kind} {known.start // 60:02d}:{known.start % 60:02d}" if known.timed else known.kind
                message = (f"the legend sheet describes {row.code!r} as {row.description!r}, but it is read with "
                           f"the built-in meaning ({what}); define {row.code} in [shifts] to say what it means here")
                warnings.append((src, norm, message))
            out[norm] = replace(known, description=row.description or known.description)
            continue
        try:
            out[norm] = make_shift(row.code, _row_spec(row), origin="legend sheet", where=where)
        except InputError as exc:
            message = f"legend row for {row.code!r} not used: {exc.message}; define {row.code} in [shifts]"
            warnings.append((src, norm, message))
    return out, warnings


def split_parts(text: str) -> list[str]:
    """The codes a multi-code cell could hold (``CL/W`` -> CL, W), normalised."""
    return [p for p in _SPLIT.split(normalise_code(text)) if p]


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
    # codes with spaces or separators of their own ("NIGHT FLOAT", a duty list's headers) joined by " + "
    parts = [p.strip() for p in norm.split(" + ")]
    if len(parts) > 1 and all(p in known for p in parts):
        return parts
    return None


def written_codes(text: str, known: dict[str, Shift]) -> list[str]:
    """The codes of one cell as the cell writes them (``PedW``, ``C/LEC``), in the order and by the
    split of ``split_codes``; empty when the cell is blank or holds an unknown code."""
    plain = " ".join(str(text).replace("\u00a0", " ").split())
    if not plain:
        return []
    if normalise_code(plain) in known:
        return [plain]
    parts = [p for p in _SPLIT.split(plain) if p]
    return parts if parts and all(normalise_code(p) in known for p in parts) else []


def code_spellings(texts: Iterable[object], counts: Iterable[int], known: dict[str, Shift]) -> dict[str, str]:
    """Each code as a person reads it: the spelling most cells of the roster use (``PedW`` where
    the key is ``PEDW``), else the legend's own. ``texts`` are distinct cell texts, ``counts`` how
    many cells hold each; matching stays on the normalised key, this is only for display."""
    tally: dict[str, Counter[str]] = {}
    for text, n in zip(texts, counts):
        if text is None or (isinstance(text, float) and text != text):
            continue
        for w in written_codes(str(text), known):
            tally.setdefault(normalise_code(w), Counter())[w] += int(n)
    out = {code: s.written or code for code, s in known.items()}
    out.update({code: c.most_common(1)[0][0] for code, c in tally.items()})
    return out


def unknown_parts(text: str, known: dict[str, Shift]) -> list[str]:
    norm = normalise_code(text)
    return [p for p in _SPLIT.split(norm) if p and p not in known] or [norm]
