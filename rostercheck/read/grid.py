"""Grid rosters: one row per resident, one column per date (or two, AM and PM, per date).

The header tells everything: which column holds names, which hold attributes, which hold dates
and whether dates come in AM/PM pairs. After that the body is sliced out in one numpy step;
Python only walks the rows (to read names), never the cells.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from functools import lru_cache

import numpy as np

from rostercheck.errors import InputError, suggest
from rostercheck.model import CELL_STRIDE, Resident, RosterOptions, Source, narrow_cells
from rostercheck.read import headers as H
from rostercheck.read.attributes import level_from_label, parse_label, parse_pgy
from rostercheck.read.cells import (
    cell_text,
    collapse,
    column_index,
    column_letters,
    factorize,
    factorize_ids,
    has_letter,
    map_unique,
    object_array,
)
from rostercheck.read.date_order import header_dates
from rostercheck.read.dates import (
    YEAR_WINDOW,
    HeaderDate,
    infer_year,
    is_weekday_label,
    looks_like_date,
    parse_date_value,
    resolve_years,
    session_label,
    slot_label,
    weekdays_named,
)
from rostercheck.read.detect import MIN_DATES, Plan
from rostercheck.read.result import ReadWarning, SheetInfo, SheetRoster, SkippedRow, nones
from rostercheck.read.rows import compile_patterns, describe
from rostercheck.read.source import Sheet
from rostercheck.table import constant

#: Rows sampled when guessing the name column of a grid without a name header.
_NAME_SAMPLE = 300


class EmptyRoster(InputError):
    """A sheet with a roster header but nobody on it (a template, or next month not filled in yet)."""


def column_for(
    sheet: Sheet,
    spec: str,
    rows: list[int],
    texts: np.ndarray,
    *,
    key: str = "name_column",
    what: str = "name column",
    holding: str = "residents' names",
) -> int:
    """A column named in options (``name_column``, ``rows.column``): a header text in one of
    ``rows``, else a column letter."""
    want = H.header_key(spec)
    for i in rows:
        for j in range(sheet.ncols):
            if H.header_key(texts[i, j]) == want:
                return j
    idx = column_index(spec)
    if idx is not None:
        j = idx - sheet.col0
        if 0 <= j < sheet.ncols:
            return j
        raise InputError(
            f"{what} {spec.strip().upper()} is empty; expected the column holding {holding} "
            f"(no header reads {spec.strip()!r}; {key} takes a header text or a column letter)",
            file=sheet.file,
            sheet=sheet.name,
        )
    headers = [str(t) for i in rows for t in texts[i] if t]
    raise InputError(
        f"no column headed {spec!r} in the header{suggest(spec, headers)}; expected a header text "
        f"or a column letter for {key}",
        **sheet.where(rows[0], 0),
    )


_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


class _Columns:
    """The date columns of a grid: positions, dates, slots, and the layout they imply."""

    def __init__(self, cols: list[int], dates: list[dt.date], slots: list[str], layout: str, last_header: int):
        self.cols = np.asarray(cols, dtype=np.int64)
        # by ordinal: numpy converts a list of date objects one by one, slowly
        self.dates = (np.fromiter(map(dt.date.toordinal, dates), dtype=np.int64, count=len(dates))
                      - _EPOCH_ORDINAL).astype("datetime64[D]")
        self.slots = np.asarray(slots, dtype=object)
        self.layout = layout
        self.last_header = last_header  # last row that belongs to the header (weekday/AM-PM rows)
        self.spacers: list[int] = []  # blank-headed columns between dates
        self.date_row = 0
        self.label_row: int | None = None
        self.warnings: list[ReadWarning] = []  # weekday labels that disagree with their dates
        self.notes: list[str] = []  # a year inferred from weekday labels
        self.inferred_year: int | None = None


_HEADER_WORDS = H.NAME | H.PGY | H.TEAM | H.ROLE | H.SUBHEADER


def _label_row(texts: np.ndarray, rows: range, d: int, h: int, first: int, end: int, ndates: int) -> int | None:
    """An AM/PM sub-header row: every filled cell over the dates is AM or PM, at least one per date.

    Strict on purpose: "AM"/"PM" are also shift codes, and a resident row of them must not turn a
    whole-day grid into a half-day one. The header row itself may carry the labels (``TEMPLATE |
    ROLE | PROVIDER | AM | PM ...``), whatever its other headers say.
    """
    header_words = _HEADER_WORDS
    for r in rows:
        if r == d:
            continue
        cells = [t for t in texts[r, first : end + 1].tolist() if t]
        if not (cells and len(cells) >= max(2, ndates) and all(session_label(t) for t in cells)):
            continue
        # A resident's name left of the dates means a resident row, whatever its codes are.
        if r == h or all(not t or H.header_key(t) in header_words or session_label(t) for t in texts[r, :first]):
            return r
    return None


def _date_columns(sheet: Sheet, texts: np.ndarray, h: int, d: int, skip: set[int], options: RosterOptions) -> _Columns:
    row = sheet.values[d].tolist()
    drow: list[str] = texts[d].tolist()  # the date row's texts as a list: read a cell at a time below
    parsed_row: list[HeaderDate | None] = header_dates(
        [None if j in skip else row[j] for j in range(sheet.ncols)], options.date_order,
        lambda j: sheet.where(d, j),
    )
    found = [j for j, p in enumerate(parsed_row) if p is not None]
    if not found:
        raise _no_dates(sheet, texts, d, skip)
    first, last = found[0], found[-1]

    top, bottom = min(h, d), max(h, d)
    label_row = _label_row(
        texts, range(max(0, top - 2), min(sheet.nrows, bottom + 2)), d, h, first, last + 1, len(found)
    )
    gaps = np.diff(found)
    every_other = len(found) >= 2 and bool((gaps == 2).all()) and all(drow[j + 1] == "" for j in found[:-1])
    #: "3/12 AM", "2026-03-12_PM": every date cell names its session, so every column is a date cell
    slotted = sum(1 for j in found if parsed_row[j].slot) >= max(2, len(found) // 2)  # type: ignore[union-attr]
    abs_d = sheet.row0 + d
    found_abs = {j + sheet.col0 for j in found}
    pairs = sum(1 for r1, c1, r2, c2 in sheet.merged if r1 <= abs_d <= r2 and c2 == c1 + 1 and c1 in found_abs)
    merged_pairs = pairs >= max(1, len(found) // 2)
    if options.layout in ("grid", "half-day"):
        half = options.layout == "half-day"
    else:
        half = label_row is not None or every_other or merged_pairs or slotted

    end = last
    if half and not slotted and last + 1 < sheet.ncols and last + 1 not in skip and texts[d, last + 1] == "":
        if label_row is not None:
            if session_label(texts[label_row, last + 1]):
                end = last + 1
        elif h == d or texts[h, last + 1] == "":
            end = last + 1

    cols: list[int] = []
    col_date: list[int] = []
    slots: list[str] = []
    parsed: list[HeaderDate] = []
    date_cells: list[int] = []
    spacers: list[int] = []
    pos = 0
    lrow: list[str] = texts[label_row].tolist() if label_row is not None else []
    for j in range(first, end + 1):
        if j in skip:
            continue
        p = parsed_row[j]
        session = session_label(lrow[j]) if label_row is not None else None
        label = session[0] if session else None
        if p is not None and p.slot and half:
            label = p.slot
        if p is not None:
            parsed.append(p)
            date_cells.append(j)
            pos = 0
        elif drow[j] == "":
            if not half or (label_row is not None and label is None):
                spacers.append(j)  # a spacer column between dates (checked for codes later)
                continue
            pos += 1
        else:
            if sum(1 for c in found if c > j) >= MIN_DATES:
                if missing := _missing_date(sheet, texts, parsed_row, found, d, j, 2 if half and not slotted else 1):
                    raise missing
                raise _second_block(sheet, texts, d, j, first)
            raise InputError(
                f"expected a date like 2026-07-01, 7/1/2026 or 'Wed 7/1' in the date header, got {texts[d, j]!r}",
                **sheet.where(d, j),
            )
        if half:
            if label is None:
                if pos > 1:
                    raise InputError(
                        f"expected two columns (AM and PM) under the date {texts[d, date_cells[-1]]!r}, "
                        f"found a third in column {column_letters(sheet.col0 + j)}",
                        **sheet.where(d, date_cells[-1]),
                    )
                label = ("AM", "PM")[pos]
            slots.append(label)
        else:
            slots.append("")
        cols.append(j)
        col_date.append(len(parsed) - 1)

    for j in [*range(first), *range(end + 1, sheet.ncols)]:
        if j not in skip and parsed_row[j] is None and looks_like_date(drow[j]):
            raise InputError(f"{texts[d, j]!r} is not a real date; expected a date in the header", **sheet.where(d, j))
    labels = _weekday_labels(sheet, texts, d, h, label_row, date_cells, cols, col_date, parsed, first, end)
    year, notes, inferred = options.year, [], None
    if year is None and any(p.year is None for p in parsed):
        year, notes = _inferred_year(sheet, d, date_cells, parsed, labels)
        inferred = year
    dates = resolve_years(
        parsed, year, lambda k: sheet.where(d, date_cells[k]), [drow[j] for j in date_cells]
    )
    warnings = [
        ReadWarning(sheet.name, sheet.address(i, j), f"weekday {text!r} but {dates[k].isoformat()} is a "
                    f"{dates[k].strftime('%A')} (the date is read; check which is right)")
        for k, found_labels in enumerate(labels) for i, j, text, days in found_labels
        if dates[k].weekday() not in days
    ]  # fmt: skip
    warnings.extend(_out_of_sequence(sheet, d, date_cells, dates, [drow[j] for j in date_cells]))
    if inferred is not None:
        k = next(k for k, p in enumerate(parsed) if p.year is None)
        warnings.insert(0, ReadWarning(
            sheet.name, sheet.address(d, date_cells[k]),
            f"the dates have no year; read as {dates[k].year}, the only year within {YEAR_WINDOW} of today whose "
            "weekdays match the labels (set --year or [roster] year to be sure)",
        ))  # fmt: skip
    seen: dict[tuple[dt.date, str], tuple[int, int]] = {}
    for j, k, slot in zip(cols, col_date, slots, strict=True):
        key = (dates[k], slot)
        if key in seen:
            pk, pj = seen[key]
            if pk != k:
                at, a, b = (d, date_cells[k]), sheet.address(d, date_cells[pk]), sheet.address(d, date_cells[k])
            else:  # two AM (or PM) columns under one date
                row = label_row if label_row is not None else d
                at, a, b = (row, j), sheet.address(row, pj), sheet.address(row, j)
            what = f"{dates[k].isoformat()}{' ' + slot if slot else ''}"
            raise InputError(
                f"date {what} appears twice in the date header (cells {a} and {b}); expected each date once",
                **sheet.where(*at),
            )
        seen[key] = (k, j)
    last_header = max(h, d, label_row if label_row is not None else -1)
    out = _Columns(cols, [dates[k] for k in col_date], slots, "half-day" if half else "grid", last_header)
    out.spacers = spacers
    out.date_row = d
    out.label_row = label_row
    out.warnings = warnings
    out.notes = notes
    out.inferred_year = inferred
    return out


def _out_of_sequence(
    sheet: Sheet, d: int, date_cells: list[int], dates: list[dt.date], written: list[str]
) -> list[ReadWarning]:
    """Warnings for a date header whose dates do not follow each other (issue: ``8/7`` typed for
    ``7/8`` made a 28-day block a 38-day roster without a word).

    One date between two neighbours it does not fit is named as the odd one (a typo); any other step
    backwards, or forwards past the header's usual step, is named at the cell after it. Skipping only
    weekend days (a weekday roster) and a header's regular step (weekly columns) are not gaps. One
    pass over the date cells (a few hundred at most), never the body.
    """
    n = len(dates)
    if n < 2:
        return []
    ordinal = [x.toordinal() for x in dates]
    steps_array = np.diff(np.array(ordinal, dtype=np.int64))
    forward = steps_array[steps_array > 0]
    usual = int(np.bincount(forward).argmax()) if forward.size else 1
    steps = steps_array.tolist()  # the loops below read Python ints, a date at a time
    out: list[ReadWarning] = []

    def warn(k: int, message: str) -> None:
        out.append(ReadWarning(sheet.name, sheet.address(d, date_cells[k]), message))

    def shown(k: int) -> str:
        iso = dates[k].isoformat()
        return iso if collapse(written[k]) in (iso, "") else f"{collapse(written[k])!r} ({iso})"

    odd = set()
    for k in range(n):
        before = ordinal[k - 1] if k > 0 else None
        after = ordinal[k + 1] if k + 1 < n else None
        if before is not None and after is not None:
            fits = before < ordinal[k] < after
            if not fits and before < after and after - before <= 2 * usual:
                odd.add(k)
                warn(k, f"{shown(k)} is out of sequence (after {dates[k - 1].isoformat()}, before "
                        f"{dates[k + 1].isoformat()}); a typo?")  # fmt: skip
    for k in range(1, n):
        if k in odd or k - 1 in odd:
            continue
        step = steps[k - 1]
        if step <= 0:
            warn(k, f"{shown(k)} comes after {dates[k - 1].isoformat()} in the date header: the dates go "
                    "backwards; a typo?")  # fmt: skip
        elif step > usual:
            missing = [dates[k - 1] + dt.timedelta(days=x) for x in range(1, step)]
            if all(m.weekday() >= 5 for m in missing):
                continue  # a weekday roster skips the weekend
            warn(k, f"{shown(k)} follows {dates[k - 1].isoformat()} in the date header: {len(missing)} "
                    f"day{'s' * (len(missing) != 1)} missing; a typo?")  # fmt: skip
    return out


def _weekday_labels(
    sheet: Sheet, texts: np.ndarray, d: int, h: int, label_row: int | None, date_cells: list[int],
    cols: list[int], col_date: list[int], parsed: list[HeaderDate], first: int, end: int,
) -> list[list[tuple[int, int, str, tuple[int, ...]]]]:  # fmt: skip
    """Per date cell, every weekday written for it: (row, column, text, weekdays it can mean).

    From the date cell itself (``Thu 3/12``), a weekday row near the header, and a session row
    (``Thu AM``). They fix a missing year, and one that disagrees with its date is a warning.
    """
    out: list[list[tuple[int, int, str, tuple[int, ...]]]] = [[] for _ in date_cells]
    for k, (j, p) in enumerate(zip(date_cells, parsed, strict=True)):
        if p.weekday is not None:
            out[k].append((d, j, texts[d, j], (p.weekday,)))
    rows = range(max(0, min(d, h) - 2), min(sheet.nrows, max(d, h) + 3))
    for i in rows:
        if i == d:
            continue
        row: list[str] = texts[i].tolist()
        cells = [t for t in row[first : end + 1] if t]
        if i != label_row and len(cells) >= 2 and all(map(is_weekday_label, cells)):
            for j, k in zip(cols, col_date, strict=True):
                if row[j] and not any(r == i and c == j for r, c, _, _ in out[k]):
                    out[k].append((i, j, row[j], weekdays_named(row[j])))
    if label_row is not None:
        lrow: list[str] = texts[label_row].tolist()
        for j, k in zip(cols, col_date, strict=True):
            session = session_label(lrow[j])
            if session and session[1] is not None:
                out[k].append((label_row, j, lrow[j], (session[1],)))
    return out


def _inferred_year(
    sheet: Sheet, d: int, date_cells: list[int], parsed: list[HeaderDate],
    labels: list[list[tuple[int, int, str, tuple[int, ...]]]],
) -> tuple[int | None, list[str]]:  # fmt: skip
    """The year of dates written without one, when their weekday labels allow only one near today."""
    allowed = [tuple(set.intersection(*(set(w) for *_, w in found))) if found else () for found in labels]
    if not any(allowed):
        return None, []  # resolve_years asks for --year
    years = infer_year(parsed, allowed, dt.date.today())
    k = next(k for k, p in enumerate(parsed) if p.year is None)
    if len(years) == 1:
        return years[0], [
            f"dates have no year: {years[0]} is the only year near today whose weekdays match the labels "
            "(set --year if not)"
        ]
    text = texts_of(sheet, d, date_cells[k])
    if not years:
        raise InputError(
            f"date {text!r} has no year, and no year within {YEAR_WINDOW} of today matches the weekday labels; "
            "expected a full date like 7/1/2026, or give the year of the first date (--year / [roster] year)",
            **sheet.where(d, date_cells[k]),
        )
    raise InputError(
        f"date {text!r} has no year, and the weekday labels fit {' and '.join(map(str, years))}; give the year "
        "of the first date (--year / [roster] year)",
        **sheet.where(d, date_cells[k]),
    )


def texts_of(sheet: Sheet, i: int, j: int) -> str:
    return collapse(cell_text(sheet.values[i, j]))


#: Role cells of people who are not residents, for telling a user a sheet lists none.
_NOT_RESIDENTS = frozenset({"fac", "faculty", "attending", "attendings", "staff", "preceptor"})


def _missing_date(
    sheet: Sheet, texts: np.ndarray, parsed_row: list, found: list[int], d: int, j: int, step: int
) -> InputError | None:
    """A text among the dates that stands where a date is missing (``7/1, 7/2, ZZ, 7/4``) is a
    date overwritten, not the start of a second block: a second block needs a second run of dates,
    which goes on from (or restarts) the first without leaving a day out."""
    before = [c for c in found if c < j]
    after = [c for c in found if c > j]
    if not before or not after:
        return None
    p, q = before[-1], after[0]
    a, b = parsed_row[p], parsed_row[q]
    if a.slot or b.slot:
        return None
    year_a = a.year if a.year is not None and b.year is not None else 2000
    year_b = b.year if a.year is not None and b.year is not None else 2000
    try:
        da, db = dt.date(year_a, a.month, a.day), dt.date(year_b, b.month, b.day)
    except ValueError:
        return None
    gap = (db - da).days % 366 if a.year is None or b.year is None else (db - da).days
    if gap < 2 or gap * step != q - p:
        return None
    expected = da + dt.timedelta(days=(j - p) // step) if (j - p) % step == 0 else None
    if expected is None:
        wanted = "a date"
    else:
        wanted = expected.isoformat() if a.year is not None else f"{expected.month}/{expected.day}"
    return InputError(
        f"the date header holds {texts[d, j]!r} where a date was expected: {wanted}, between "
        f"{sheet.address(d, p)} ({texts[d, p]!r}) and {sheet.address(d, q)} ({texts[d, q]!r})",
        **sheet.where(d, j),
    )


def _second_block(sheet: Sheet, texts: np.ndarray, d: int, j: int, first: int) -> InputError:
    """Two blocks of dates side by side (``Block 8 | dates... | Block 9 | dates...``): refused with
    what a person sees, and whether anyone on the sheet is a resident at all."""
    who = ""
    roles = [collapse(t).lower() for t in texts[d + 1 :, :first].ravel() if t]
    typed = sum(r in _NOT_RESIDENTS for r in roles)
    if typed >= 3 and typed >= len(texts[d + 1 :]) // 2:
        who = f"; its rows are typed {'FAC'!r} (faculty, not residents), so there may be no resident to check"
    return InputError(
        f"a second block of dates starts at {sheet.address(d, j)} ({texts[d, j]!r}): this sheet holds blocks side "
        f"by side; expected one block of dates per sheet (copy each block to a sheet of its own){who}",
        **sheet.where(d, j),
    )


def _no_dates(sheet: Sheet, texts: np.ndarray, d: int, skip: set[int]) -> InputError:
    for j in range(sheet.ncols):
        if j not in skip and texts[d, j] and H.header_key(texts[d, j]) not in H.NAME:
            return InputError(
                f"expected a date like 2026-07-01, 7/1/2026 or 'Wed 7/1' in the date header, got {texts[d, j]!r}",
                **sheet.where(d, j),
            )
    return InputError(
        f"no date columns found in row {sheet.row_number(d)}: expected a row of dates over the grid",
        **sheet.where(d, 0),
    )


def _one_value_names(sheet: Sheet, texts: np.ndarray, name_col: int, rows: list[int], columns: _Columns) -> None:
    """A guessed name column that holds one value on most rows (``FAC`` on every faculty row) is a
    type column, not names: refused, pointing at the names when they sit in the first date column
    (a block split from a wider sheet), rather than reading ``FAC``, ``FAC (row 5)``... as people."""
    values = [collapse(texts[i, name_col]) for i in rows]
    if len(values) < 3:
        return
    value, k = Counter(values).most_common(1)[0]
    if k < 0.8 * len(values):
        return
    i = rows[values.index(value)]
    letter = column_letters(sheet.col0 + name_col)
    message = f"column {letter} holds {value!r} on {k} of {len(values)} rows: a type, not names"
    j = int(columns.cols[0])
    beside = [collapse(texts[r, j]) for r in rows if collapse(texts[r, name_col]) == value]
    distinct = {t for t in beside if has_letter(t)}
    if len(distinct) >= 0.8 * len(beside):
        shown = ", ".join(repr(t) for t in list(dict.fromkeys(beside))[:3])
        message += (
            f"; the names ({shown}, ...) are in column {column_letters(sheet.col0 + j)}, under the date "
            f"{texts[columns.date_row, j]!r} ({sheet.address(columns.date_row, j)}); expected the names in a column "
            "of their own, left of the dates"
        )
    else:
        message += "; expected a column of names (name it with --name-column or [roster] name_column)"
    if value.lower() in _NOT_RESIDENTS:
        message += f"; every such row is typed {value!r} (faculty, not residents): there may be no resident to check"
    raise InputError(message, **sheet.where(i, name_col))


def _all_typed(
    sheet: Sheet, texts: np.ndarray, attr: dict[str, int | None], rows: list[int], info: SheetInfo
) -> list[ReadWarning]:
    """Every row typed ``FAC`` (faculty, attendings) in the role or PGY column: a roster with no
    resident on it, said once, with the rows filter that would read only residents."""
    for what in ("role", "pgy"):
        col = attr[what]
        if col is None:
            continue
        values = {t.lower() for t in map(_collapsed, texts[rows, col].tolist())}
        if values and values <= _NOT_RESIDENTS:
            header = info.columns[what][1] or column_letters(sheet.col0 + col)
            typed = ", ".join(sorted(repr(collapse(texts[i, col])) for i in rows[:1]))
            return [
                ReadWarning(
                    sheet.name, sheet.address(rows[0], col),
                    f"every row is typed {typed} in column {header!r} (faculty, not residents): there is no "
                    f'resident on this sheet; read only residents with [roster] rows = {{ column = "{header}", '
                    'match = ["PGY*"] }} (or --rows)',
                )
            ]  # fmt: skip
    return []


def _infer_name_column(sheet: Sheet, texts: np.ndarray, before: int, skip: set[int], start: int, h: int) -> int:
    """No name header: the column left of the dates with the most text in it."""
    sample = texts[start : start + _NAME_SAMPLE]
    best, best_count = None, 0
    for j in range(before):
        if j in skip:
            continue
        count = sum(1 for t in sample[:, j] if has_letter(t))
        if count > best_count:
            best, best_count = j, count
    if best is None:
        raise InputError(
            f"no name column found: expected a header like 'Resident' or 'Name' in row {sheet.row_number(h)} "
            "left of the dates, or set name_column",
            **sheet.where(h, 0),
        )
    return best


def read_grid(sheet: Sheet, plan: Plan, options: RosterOptions, *, lenient: bool = False) -> SheetRoster:
    """A grid or half-day sheet -> residents and one entry per (resident, date, slot) cell.

    ``lenient`` (for ``init``, which reads a file nobody has configured yet) turns an unreadable
    PGY cell into "no level" instead of an error, so the draft can suggest the ``rows`` filter
    that makes the error go away.
    """
    texts = sheet.texts()
    h = plan.header
    d = plan.date_row if plan.date_row is not None else h
    header_rows = [h] if h == d else [h, d]
    keys = {i: [H.header_key(t) for t in texts[i]] for i in header_rows}

    if options.name_column:
        name_col: int | None = column_for(sheet, options.name_column, header_rows, texts)
    else:
        name_col = next((c for i in header_rows if (c := H.find(keys[i], H.NAME)) is not None), None)
    taken: set[int] = {name_col} if name_col is not None else set()
    attr: dict[str, int | None] = {}
    for what, words in (("pgy", H.PGY), ("team", H.TEAM), ("role", H.ROLE)):
        col = next((c for i in header_rows if (c := H.find(keys[i], words, taken)) is not None), None)
        attr[what] = col
        if col is not None:
            taken.add(col)
    filter_col = None
    if options.rows is not None:
        filter_col = column_for(
            sheet, options.rows.column, header_rows, texts,
            key="[roster] rows.column", what="rows column", holding="the role that tells residents from others",
        )  # fmt: skip

    columns = _date_columns(sheet, texts, h, d, taken | ({filter_col} if filter_col is not None else set()), options)
    start = columns.last_header + 1
    labelled = name_col is not None
    if name_col is None:
        name_col = _infer_name_column(sheet, texts, int(columns.cols[0]), taken, start, h)

    info = _sheet_info(sheet, texts, plan, columns, name_col, attr, filter_col, header_rows)
    info.name_label = labelled
    info.warnings.extend(columns.warnings)
    info.notes.extend(columns.notes)
    info.inferred_year = columns.inferred_year
    if plan.title_row is not None:
        info.notes.append(
            f"row {sheet.row_number(plan.title_row)} repeats the dates with no name label, read as a print "
            f"title; the header is row {sheet.row_number(h)}, or set --header-row"
        )
    keep = None
    if options.rows is not None and filter_col is not None:
        keep = map_unique(texts[start:, filter_col], compile_patterns(options.rows.match)).astype(bool)
    walk = _RowWalk(sheet, texts, name_col, attr, columns, start, keep, filter_col, lenient, info)
    residents, rows = walk.run()
    if not rows:
        raise _empty(sheet, h, name_col, options, filter_col, info)
    if not labelled or options.name_column:  # a column guessed, or named (init drafts a guess into the config)
        _one_value_names(sheet, texts, name_col, rows, columns)
    if labelled and options.rows is None:
        info.warnings.extend(_all_typed(sheet, texts, attr, rows, info))

    r = np.asarray(rows, dtype=np.int64)
    _check_spacers(sheet, texts, r, columns)
    n, m = r.size, columns.cols.size
    body = texts[np.ix_(r, columns.cols)].ravel()
    text_factors = _body_factors(sheet, r, columns.cols)
    if not labelled:
        _not_a_calendar(sheet, r, columns, body)
    cells = narrow_cells(((r + sheet.row0)[:, None] * CELL_STRIDE + (columns.cols + sheet.col0)[None, :]).ravel())
    left = [j for j in range(int(columns.cols[0])) if j != name_col and (texts[header_rows, j] != "").any()]
    info.labels = {
        column_letters(sheet.col0 + j): (
            _header_text(texts, header_rows, j), list(map(_collapsed, texts[r, j].tolist()))
        )
        for j in left
    }
    return SheetRoster(
        sheet=sheet.name,
        layout=columns.layout,
        residents=residents,
        resident=np.repeat(np.arange(n, dtype=np.int32), m),
        date=np.tile(columns.dates, n),
        # a whole-day grid's slots are all "": a column that takes no memory
        slot=np.tile(columns.slots, n) if len(set(columns.slots.tolist())) > 1 else constant(n * m, columns.slots[0]),
        text=body,
        start=nones(n * m),
        end=nones(n * m),
        cell=cells,
        info=info,
        rows=[sheet.row_number(i) for i in rows],
        text_factors=text_factors,
    )


def _body_factors(sheet: Sheet, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, list] | None:
    """The body's texts as ``Table.factors`` gives them (codes in order of first appearance), from
    the codes a sheet read as codes already has: no hashing of half a million cell texts again."""
    coded = sheet.text_codes()
    if coded is None:
        return None
    codes, text_of = coded
    same, distinct = factorize(object_array(text_of))  # two values may read as one text ("5" and 5.0)
    ids, first = factorize_ids(np.asarray(same, dtype=np.int64)[codes[np.ix_(rows, cols)].ravel()])
    return ids, [distinct[k] for k in first.tolist()]


def _header_text(texts: np.ndarray, rows: list[int], j: int) -> str:
    return next((collapse(texts[i, j]) for i in rows if texts[i, j]), "")


def _sheet_info(
    sheet: Sheet,
    texts: np.ndarray,
    plan: Plan,
    columns: _Columns,
    name_col: int,
    attr: dict[str, int | None],
    filter_col: int | None,
    header_rows: list[int],
) -> SheetInfo:
    """Where everything is, in the sheet's own row numbers and column letters (for ``init``)."""

    def named(j: int) -> tuple[str, str]:
        return column_letters(sheet.col0 + j), _header_text(texts, header_rows, j)

    d = columns.date_row
    cols = columns.cols
    first, last = int(cols[0]), int(cols[-1])
    found = {"name": name_col, **attr, "rows": filter_col}
    label_rows = [i for i in (*header_rows, columns.label_row) if i is not None]
    after = [
        named(j) if _header_text(texts, header_rows, j) else (column_letters(sheet.col0 + j), "")
        for j in range(last + 1, sheet.ncols)
        if (texts[label_rows, j] != "").any() or (texts[columns.last_header + 1 :, j] != "").any()
    ]
    return SheetInfo(
        sheet=sheet.name,
        layout=columns.layout,
        header_row=sheet.row_number(plan.header),
        date_row=sheet.row_number(d),
        slot_row=sheet.row_number(columns.label_row) if columns.label_row is not None else None,
        weekday_row=_weekday_row(sheet, texts, d, plan.header, first, last),
        columns={k: named(j) for k, j in found.items() if j is not None},
        dates=(columns.dates.min().astype(dt.date), columns.dates.max().astype(dt.date)),
        date_columns=(column_letters(sheet.col0 + first), column_letters(sheet.col0 + last)),
        after_dates=after,
    )


def _weekday_row(sheet: Sheet, texts: np.ndarray, d: int, h: int, first: int, last: int) -> int | None:
    """The row of weekday names over the dates (``Mon``, ``Tuesday``, ``Th``), if there is one."""
    for i in range(max(0, min(d, h) - 2), min(sheet.nrows, max(d, h) + 3)):
        cells = [t for t in texts[i, first : last + 1].tolist() if t]
        if i != d and len(cells) >= 2 and all(map(is_weekday_label, cells)):
            return sheet.row_number(i)
    return None


def _empty(
    sheet: Sheet, h: int, name_col: int, options: RosterOptions, filter_col: int | None, info: SheetInfo
) -> EmptyRoster:
    if options.rows is not None and filter_col is not None and info.dropped:
        values = sorted({v for _, v in info.dropped if v})
        shown = ", ".join(repr(v) for v in values[:8]) + (", ..." if len(values) > 8 else "")
        return EmptyRoster(
            f"empty roster: no row's {info.columns['rows'][1] or 'rows column'} (column "
            f"{column_letters(sheet.col0 + filter_col)}) matches {describe(options.rows.match)} "
            f"([roster] rows); the column holds {shown or 'only blanks'}",
            **sheet.where(h, filter_col),
        )
    return EmptyRoster(
        f"empty roster: no resident names below the header in column {column_letters(sheet.col0 + name_col)}",
        **sheet.where(h, name_col),
    )


#: ``collapse`` of a name-column text, once per process (a batch's rosters list the same people)
_collapsed = lru_cache(maxsize=16384)(collapse)


@lru_cache(maxsize=16384)
def _name_facts(name: str) -> tuple[bool, bool, str, bool, bool, bool, bool]:
    """What ``_RowWalk.run`` asks of a name-column text, once per distinct name per process: footer
    label, duty label, header key, section title, has a letter, a weekday or AM/PM label, a
    placeholder. All are pure tests of the text; the walk asks them of every row."""
    return (
        H.is_footer(name), H.is_duty(name), H.header_key(name), H.is_section(name), has_letter(name),
        is_weekday_label(name) or slot_label(name) is not None, H.is_placeholder(name),
    )  # fmt: skip


class _RowWalk:
    """Walk the rows below the header: who is on the roster, and which rows hold their cells.

    Python visits rows (a few hundred), never cells: the attribute columns are compared for all
    rows at once before the walk, and a row's date cells are counted (one numpy call) only for the
    few rows that might not be people.

    Rows that are not people are skipped, in this order: a footer label on a row without codes
    ends the roster unless rows of the roster's codes follow it (a notes line between residents),
    and on a row of numbers under the dates is a totals row; with shift codes it is a person; a repeated
    header is an error (a second block of dates would be misread); a row the ``rows`` filter
    drops is gone before anything is read from it; rows without a name (holiday markers, totals),
    sub-header rows, and section titles ("PGY 1 Rotations", "Faculty") are skipped.
    """

    def __init__(
        self,
        sheet: Sheet,
        texts: np.ndarray,
        name_col: int,
        attr: dict[str, int | None],
        columns: _Columns,
        start: int,
        keep: np.ndarray | None,
        filter_col: int | None,
        lenient: bool,
        info: SheetInfo,
    ) -> None:
        self.sheet, self.texts, self.name_col, self.attr = sheet, texts, name_col, attr
        self.columns, self.start, self.keep, self.filter_col = columns, start, keep, filter_col
        self.lenient, self.info = lenient, info
        self.filter_header = info.columns["rows"][1] if "rows" in info.columns else ""
        if not self.filter_header and filter_col is not None:
            self.filter_header = column_letters(sheet.col0 + filter_col)
        self._names: np.ndarray | None = None  # the name column's texts, for duty rows
        self._vocab_at: int | None = None
        self._vocab = np.empty(0, dtype=str)
        self._labels: dict[tuple[type, object], str | None] = {}
        self._levels: dict[tuple[type, object], int | None] = {}
        below = texts[start:]
        used = [c for c in attr.values() if c is not None]
        if used and below.size:
            filled = below[:, used] != ""
            # a role/PGY/team column counts only if it is used at all (a template leaves it blank)
            in_use = filled.any(axis=0)
            self.no_attrs = ~filled[:, in_use].any(axis=1) if in_use.any() else np.zeros(len(below), bool)
        else:
            self.no_attrs = np.zeros(len(below), bool)

    def run(self) -> tuple[list[Resident], list[int]]:
        """Every non-blank row below the header is read as a resident or lands in ``info.skipped``.

        A row with codes under the dates is a person whatever its name looks like (``F``, ``Sun``,
        ``12``, ``-1+1``): the weekday, title and placeholder tests only ever skip rows without
        codes, or (a sub-header) whose cells are the labels of the dates above them.
        """
        sheet, texts, cols, info = self.sheet, self.texts, self.columns.cols, self.info
        residents: list[Resident] = []
        rows: list[int] = []
        seen: dict[str, int] = {}  # name -> the row that first held it
        group_pgy: int | None = None
        nonblank = (texts[self.start :] != "").any(axis=1) if sheet.nrows > self.start else np.zeros(0, bool)
        footer_at: int | None = None
        names = list(map(_collapsed, texts[self.start :, self.name_col].tolist()))
        for k, i in enumerate(range(self.start, sheet.nrows)):
            if not nonblank[k]:
                continue
            if footer_at is not None:
                if not self.roster_codes(i, footer_at):
                    self.skip(i, "footer")
                    continue
                footer_at = None  # a person below a notes line: the roster goes on (issue 13)
            name = names[k]
            dropped = self.keep is not None and self.filter_col is not None and not self.keep[k]
            if not name:
                codes = self.codes(i)
                if codes >= MIN_DATES and (
                    sum(parse_date_value(sheet.values[i, j]) is not None for j in cols) >= MIN_DATES
                ):
                    raise _second_header(sheet, i)
                if dropped and collapse(texts[i, self.filter_col]):
                    self.skip_filtered(i)
                elif codes:
                    info.nameless.append(sheet.row_number(i))  # a holiday marker, a totals row
                    self.skip(i, "no name")
                elif title := self.title_left(i):
                    group_pgy = H.group_pgy(title)  # a title merged over the columns left of the names
                    info.sections.append((sheet.row_number(i), title))
                    self.skip(i, "section title", text=title)
                else:
                    self.skip(i, "no codes")
                continue
            is_footer, is_duty, key, section, letter, labelled_like, placeholder = _name_facts(name)
            if is_footer:
                # A footer label ends the roster only on a row without shift codes: "Total Care",
                # "Notes" or "Key" with codes under the dates is a person; a row of counts is not.
                codes = self.codes(i)
                if not codes:
                    footer_at = i
                    self.skip(i, "footer")
                    continue
                if self.counts_row(i, rows[-1] if rows else None):
                    self.skip(i, "footer", detail="numbers under the dates")
                    continue
                info.warnings.append(
                    ReadWarning(
                        sheet.name, sheet.address(i, self.name_col),
                        f"row {sheet.row_number(i)} {name!r} reads like a footer label but has shift codes under "
                        "the dates: read as a resident",
                    )
                )  # fmt: skip
            if is_duty and self.names_under_dates(i, name):
                self.skip(i, "duty row", text=name, detail="names under the dates")
                continue
            if key in H.NAME:
                if self.codes(i):
                    raise _second_header(sheet, i)
                self.skip(i, "section title", text=name)  # "Residents" over the residents: a title
                continue
            if dropped:
                untyped = not collapse(texts[i, self.filter_col]) and not self.codes(i)
                if untyped and (section or placeholder):
                    # a title row has no role: say it is a title, as it would be without the filter
                    if section:
                        group_pgy = H.group_pgy(name)
                        info.sections.append((sheet.row_number(i), name))
                    self.skip(i, "section title" if section else "placeholder", text=name)
                else:
                    self.skip_filtered(i)
                continue
            candidate = (
                not letter or section or self.no_attrs[k] or key in H.SUBHEADER or labelled_like or placeholder
            )  # fmt: skip
            codes = self.codes(i) if candidate else 1
            labelled = candidate and (key in H.SUBHEADER or labelled_like)
            if labelled and (not codes or self.labels_only(i)):
                self.skip(i, "sub-header", text=name)
                continue
            if not codes:
                if section:
                    # "PGY 1 Rotations", "Faculty": a level heads the residents below it, any other
                    # title ends the level above
                    group_pgy = H.group_pgy(name)
                    info.sections.append((sheet.row_number(i), name))
                    self.skip(i, "section title", text=name)
                    continue
                if placeholder:
                    self.skip(i, "placeholder", text=name)
                    continue
                if self.no_attrs[k] or not letter:
                    # a name-only row where everyone else has a role, or a number without shifts
                    self.skip(i, "no codes", text=name)
                    continue
            elif candidate and placeholder:
                info.warnings.append(
                    ReadWarning(
                        sheet.name, sheet.address(i, self.name_col),
                        f"row {sheet.row_number(i)} {name!r} looks like a placeholder, not a person, but has "
                        "codes: read as a resident (leave it out with [roster] rows, or clear its codes)",
                    )
                )  # fmt: skip
            resident = self.resident(i, name, group_pgy)
            if resident.name in seen:
                renamed = f"{name} (row {sheet.row_number(i)})"
                first = seen[resident.name]
                info.warnings.append(
                    ReadWarning(
                        sheet.name, sheet.address(i, self.name_col),
                        f"{name!r} is on rows {sheet.row_number(first)} ({sheet.address(first, self.name_col)}) and "
                        f"{sheet.row_number(i)} ({sheet.address(i, self.name_col)}): read as two residents, the "
                        f"second as {renamed!r} (one person twice? merge the rows)",
                    )
                )  # fmt: skip
                resident = dataclasses.replace(resident, name=renamed)
            seen.setdefault(resident.name, i)
            residents.append(resident)
            rows.append(i)
        return residents, rows

    def skip(self, i: int, reason: str, *, text: str | None = None, detail: str = "") -> None:
        """Record row ``i`` as not a resident: what a person sees at its start, and why."""
        if text is None:
            text = " ".join(collapse(t) for t in self.texts[i] if t)
            text = text if len(text) <= 60 else text[:57] + "..."
        self.info.skipped.append(SkippedRow(self.sheet.name, self.sheet.row_number(i), text, reason, detail))

    def skip_filtered(self, i: int) -> None:
        assert self.filter_col is not None
        value = collapse(self.texts[i, self.filter_col])
        self.info.dropped.append((self.sheet.row_number(i), value))
        name = collapse(self.texts[i, self.name_col])
        self.skip(i, "rows filter", text=name or None, detail=f"{self.filter_header}={value}")

    def labels_only(self, i: int) -> bool:
        """Row ``i`` repeats the header: every filled date cell is a date, AM/PM, or the weekday of
        its own column's date. A resident named ``M`` whose codes are ``W`` and ``F`` is not one."""
        cols, dates = self.columns.cols, self.columns.dates
        filled = np.flatnonzero(self.texts[i, cols] != "")
        for c in filled.tolist():
            j = int(cols[c])
            text = self.texts[i, j]
            if slot_label(text) or parse_date_value(self.sheet.values[i, j]) is not None:
                continue
            named = weekdays_named(text)
            if not named or int(dates[c].astype(dt.date).weekday()) not in named:
                return False
        return True

    def roster_codes(self, i: int, footer_at: int) -> bool:
        """Below a footer label: does row ``i`` hold the roster's shift codes under the dates?

        A notes line ("Notes: Avery swaps 7/4 with Cara") may sit between residents; a legend block
        ("D", "Day shift 07-19") below them holds descriptions, not codes. A row counts as people's
        codes when it has a name, at least two filled date cells, and most of its values are values
        the rows above the footer use (one ``np.isin`` per row, for the few rows below a footer).
        """
        if not collapse(self.texts[i, self.name_col]):
            return False
        vals = self.texts[i, self.columns.cols]
        vals = vals[vals != ""]
        if vals.size < 2:
            return False
        key = footer_at
        if self._vocab_at != key:
            above = self.texts[self.start : footer_at][:, self.columns.cols]
            self._vocab = np.unique(above[above != ""].astype(str))
            self._vocab_at = key
        return bool(np.isin(vals.astype(str), self._vocab).mean() >= 0.5)

    def names_under_dates(self, i: int, name: str) -> bool:
        """A "Staff Call" row whose date cells name people of this sheet (who holds the duty each
        day) rather than codes: most of its filled cells are other rows' names (three letters or more)."""
        vals = self.texts[i, self.columns.cols]
        vals = vals[vals != ""]
        if vals.size < 2:
            return False
        if self._names is None:
            column = np.unique(self.texts[self.start :, self.name_col].astype(str))
            self._names = np.asarray([collapse(t) for t in column.tolist() if len(collapse(t)) >= 3], dtype=str)
        shown = map_unique(vals, collapse).astype(str)
        return bool(np.isin(shown, self._names[self._names != name]).mean() >= 0.5)

    def counts_row(self, i: int, last_resident_row: int | None) -> bool:
        """A totals row: numbers under the dates where the residents above hold codes (or, on a
        roster whose codes are numbers, each column's count or sum of the rows above)."""
        vals = self.texts[i, self.columns.cols]
        filled = vals != ""
        numbers = map_unique(vals[filled], _number).astype(float)
        if np.isnan(numbers).any():
            return False
        if not last_resident_row:
            return True  # numbers under the dates before anyone: nothing says they are codes
        above = self.texts[self.start : last_resident_row + 1][:, self.columns.cols]
        written = above[above != ""]
        if written.size == 0:
            return True
        numeric_above = ~np.isnan(map_unique(written, _number).astype(float))
        if numeric_above.mean() < 0.5:
            return True  # counts under a roster of letter codes
        # hours written as codes ("12", "8"): counts only if they add up like counts
        grid = map_unique(above, _number).astype(float)
        count = (above != "").sum(axis=0)[filled]
        total = np.nansum(grid, axis=0)[filled]
        return bool(np.all((numbers == count) | (numbers == total)))

    def codes(self, i: int) -> int:
        """How many date cells of row ``i`` hold something (asked only of the few candidate rows)."""
        return int((self.texts[i, self.columns.cols] != "").sum())

    def title_left(self, i: int) -> str | None:
        """A section title written left of the name column ("PGY 3 Rotations" merged over A:C)."""
        first = int(self.columns.cols[0])
        text = next((collapse(t) for t in self.texts[i, :first] if t), "")
        return text if text and H.is_section(text) else None

    def resident(self, i: int, name: str, group_pgy: int | None) -> Resident:
        """One person: the name, and PGY level, team and role from their columns."""
        sheet, attr = self.sheet, self.attr
        pgy = self.pgy(i) if attr["pgy"] is not None else None
        team = self.label(sheet.values[i, attr["team"]]) if attr["team"] is not None else None
        role = self.label(sheet.values[i, attr["role"]]) if attr["role"] is not None else None
        if pgy is None and attr["pgy"] is None and role is not None:
            pgy = level_from_label(role)  # a role column of "PGY 1", "FAC", "MS3"
        source = Source(sheet.file, sheet.name, sheet.address(i, self.name_col))
        return Resident(name, pgy if pgy is not None else group_pgy, team, role, source)

    def label(self, value: object) -> str | None:
        """``parse_label``, once per distinct value (a team column repeats a handful of names)."""
        key = (type(value), value)
        if key not in self._labels:
            self._labels[key] = parse_label(value)
        return self._labels[key]

    def pgy(self, i: int) -> int | None:
        col = self.attr["pgy"]
        assert col is not None
        value = self.sheet.values[i, col]
        key = (type(value), value)
        if key in self._levels:  # levels repeat: parse each written form once
            return self._levels[key]
        where = self.sheet.where(i, col)
        try:
            level = self._levels[key] = parse_pgy(value, where)
            return level
        except InputError as exc:
            if self.lenient:
                return None
            header = self.info.columns["pgy"][1]
            raise InputError(
                f"{exc.message}; if this row is not a resident (faculty, a student), read only residents with "
                f'[roster] rows = {{ column = "{header or column_letters(self.sheet.col0 + col)}", match = ["PGY*"] }}',
                **where,
            ) from None


def _not_a_calendar(sheet: Sheet, rows: np.ndarray, columns: _Columns, body: np.ndarray) -> None:
    """A sheet found by its dates alone whose cells below the dates are dates too ("Start" and
    "End" rows of a year overview) is not a roster: its rows must not become residents."""
    filled = body != ""
    if not filled.any():
        return
    values = sheet.values[np.ix_(rows, columns.cols)].ravel()[filled]
    dated = map_unique(values, lambda v: parse_date_value(v) is not None).astype(bool)
    if dated.mean() > 0.5:
        i, j = int(rows[0]), int(columns.cols[0])
        raise InputError(
            "the cells under the dates hold dates, not shift codes (a calendar or a year overview); expected a "
            "roster with a 'Resident' or 'Name' column",
            **sheet.where(i, j),
        )


def _check_spacers(sheet: Sheet, texts: np.ndarray, rows: np.ndarray, columns: _Columns) -> None:
    """A blank-headed column between dates is a spacer only if it is empty below, too.

    Otherwise its date is missing (often a formula header saved without its value by a script),
    and skipping it would silently drop a day of shifts.
    """
    if not columns.spacers:
        return
    filled = texts[np.ix_(rows, np.asarray(columns.spacers))] != ""
    if filled.any():
        k = int(np.flatnonzero(filled.any(axis=0))[0])
        j = columns.spacers[k]
        i = int(rows[int(np.flatnonzero(filled[:, k])[0])])
        raise InputError(
            f"column {column_letters(sheet.col0 + j)} has shifts (e.g. {sheet.address(i, j)}: {texts[i, j]!r}) but "
            "no date in the header; expected a date here (a formula header needs its value saved by Excel)",
            **sheet.where(columns.date_row, j),
        )


def _number(text: str) -> float:
    """A cell's text as a number (``3``, ``12.5``), else NaN: tells counts from codes."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return float("nan")


def _second_header(sheet: Sheet, i: int) -> InputError:
    return InputError(
        f"row {sheet.row_number(i)} starts a second header; expected one header per sheet "
        "(put each block of dates on its own sheet)",
        **sheet.where(i, 0),
    )
