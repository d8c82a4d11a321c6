"""Duty lists: one row per date, one column per duty, a person's name in each cell.

Hospital on-call rotas are kept this way (``Date | Primary call | Backup | Night float``). The
rest of rostercheck thinks in residents x dates, so a duty list is read into that shape: every
person named anywhere is a resident, and on each date they hold the duties whose cells name them
(the entry's text is the duty's column header, looked up in ``[shifts]`` like any code; a person
holding two duties that date gets both, joined by `` + ``). A person with no duty is off.
``RawRoster.duties`` keeps the cells people wrote, one row per (cell, person), so findings point
at the (date, duty) cells a person holds and a repair writes names back into the same cells.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from rostercheck.errors import InputError
from rostercheck.legend import normalise_code, split_codes
from rostercheck.model import CELL_STRIDE, ENTRY_COLUMNS, RawRoster, Resident, RosterOptions, Source, cell_name
from rostercheck.read import headers as H
from rostercheck.read.attributes import parse_label, parse_pgy
from rostercheck.read.cells import collapse, column_letters, has_letter, text_array
from rostercheck.read.date_order import is_date, parse_dates
from rostercheck.read.dates import is_weekday_label
from rostercheck.read.detect import SCAN_ROWS, Plan
from rostercheck.read.names import ParsedCell, canonical_spellings, name_key, near_misses, parse_cell
from rostercheck.read.result import ReadReport, ReadResident, ReadWarning, SheetInfo, SheetUse, SkippedRow
from rostercheck.read.source import Sheet
from rostercheck.table import Table

if TYPE_CHECKING:
    import pandas as pd

OTHER_LAYOUTS = ("duty-list", "transposed")
#: Rows below a candidate header looked at to see whether its first column holds dates.
_PROBE = 20
#: Joins the duties one person holds on one date into one entry text (``legend.split_codes``).
JOIN = " + "
DUTY_COLUMNS = ("date", "duty", "slot", "name", "sheet", "cell", "text", "resident", "entry")


def plan_other(sheet: Sheet, options: RosterOptions, known: frozenset[str], codes: frozenset[str]) -> Plan | None:
    """A duty-list or transposed-grid plan for ``sheet``, or None when it is neither.

    The header row has a date column (a ``Date`` header, or a blank one over dates) and other
    columns. They are duties when every one is a defined code (``known``: config and legend
    sheet); otherwise the sheet is a transposed grid when its cells hold codes (``codes`` adds
    the built-in legend), and a duty list with undefined duties when they hold names.
    """
    if options.layout is not None and options.layout not in OTHER_LAYOUTS:
        return None
    texts = text_array(sheet.values[: SCAN_ROWS + _PROBE + (options.header_row or 0)])
    if options.header_row is not None:
        candidates = [options.header_row - 1 - sheet.row0]
    else:
        candidates = list(range(min(SCAN_ROWS, texts.shape[0])))
    for i in candidates:
        if not 0 <= i < texts.shape[0]:
            continue
        found = _columns(sheet, texts, i)
        if found is None:
            continue
        _, others = found
        if options.layout is not None:
            return Plan(options.layout, i)
        heads = [normalise_code(texts[i, j]) for j in others]
        if all(h in known for h in heads):
            return Plan("duty-list", i)
        # a Notes column's sentences are no vote for names or codes (transposed.py skips it)
        voters = [j for j in others if H.header_key(texts[i, j]) not in H.FREE_TEXT] or others
        body = [t for t in texts[i + 1 : i + 1 + _PROBE * 3][:, voters].ravel().tolist() if t]
        if not body:
            continue
        coded = sum(split_codes(t, dict.fromkeys(codes)) is not None for t in set(body))  # type: ignore[arg-type]
        return Plan("transposed" if coded * 2 >= len(set(body)) else "duty-list", i)
    return None


def _columns(sheet: Sheet, texts: np.ndarray, i: int) -> tuple[int, list[int]] | None:
    """(date column, other columns) when row ``i`` heads a date column, else None."""
    row = texts[i]
    filled = [j for j, t in enumerate(row.tolist()) if t]
    if not filled:
        return None
    keys = [H.header_key(t) for t in row.tolist()]

    def dated(j: int) -> bool:
        return sum(is_date(v) for v in sheet.values[i + 1 : i + 1 + _PROBE, j].tolist()) >= 2

    # a "Date" header over dates (a "Day" column of weekday names beside it is not the one)
    dcol = next((j for j in filled if keys[j] in H.DATE and dated(j)), None)
    if dcol is None:
        left = next((j for j in range(texts.shape[1]) if (texts[i:, j] != "").any()), None)
        if left is None or row[left] != "":
            return None
        dcol = left
    if filled and filled[0] < dcol and keys[filled[0]] not in H.SUBHEADER:
        return None  # something other than a weekday left of the dates: not a date-first sheet
    if not dated(dcol):
        return None
    others = [j for j in filled if j != dcol and keys[j] not in H.SUBHEADER and keys[j] not in H.DATE
              and not _weekdays(texts[i + 1 : i + 1 + _PROBE, j])]
    if not others or any(is_date(sheet.values[i, j]) for j in others):
        return None
    return dcol, others


def _weekdays(column: np.ndarray) -> bool:
    cells = [t for t in column.tolist() if t]
    return bool(cells) and all(is_weekday_label(t) for t in cells)


@dataclass
class DutySheet:
    """One sheet's duty cells before names are merged across sheets."""

    sheet: str | None
    cells: pd.DataFrame  # date, duty, sheet, cell, text, row (1-based)
    info: SheetInfo
    skipped: list[SkippedRow] = field(default_factory=list)
    layout: str = "duty-list"


def body_rows(sheet: Sheet, texts: np.ndarray, h: int, dcol: int, cols: list[int], options: RosterOptions,
              skipped: list[SkippedRow]) -> tuple[np.ndarray, np.ndarray]:
    """Rows below the header that are dates (and their dates); footers end the list, title rows
    ("Week 1") without entries are skipped, and a row with entries but no date is an error."""
    rows: list[int] = []
    footer = False
    for i in range(h + 1, sheet.nrows):
        first = texts[i, dcol]
        if not first and not (texts[i, cols] != "").any():
            continue
        if first and H.is_footer(first):
            footer = True  # a notes or legend block: its rows are skipped, each with its reason
            skipped.append(SkippedRow(sheet.name, sheet.row_number(i), collapse(str(first)), "footer"))
            continue
        if footer and not is_date(sheet.values[i, dcol]):
            text = " ".join(collapse(str(t)) for t in texts[i] if t)
            skipped.append(SkippedRow(sheet.name, sheet.row_number(i), text[:60], "footer"))
            continue
        rows.append(i)  # a dated row below a notes line is still a day of the roster
    values = [sheet.values[i, dcol] for i in rows]
    dates = parse_dates(values, options.date_order, options.year, lambda k: sheet.where(rows[k], dcol))
    keep_rows, keep_dates = [], []
    for i, d in zip(rows, dates, strict=True):
        if d is not None:
            keep_rows.append(i)
            keep_dates.append(d)
            continue
        if (texts[i, cols] != "").any():
            text = collapse(str(texts[i, dcol]))
            raise InputError(
                f"expected a date like 2026-07-01 or 13/01/2018 in the date column, got {text!r}"
                if text else "expected a date in the date column for this row of entries; the cell is blank",
                **sheet.where(i, dcol),
            )
        skipped.append(SkippedRow(sheet.name, sheet.row_number(i), collapse(str(texts[i, dcol])), "section title"))
    return np.asarray(keep_rows, dtype=np.int64), np.asarray(keep_dates, dtype="datetime64[D]")


def header_columns(sheet: Sheet, texts: np.ndarray, h: int, header: str, each: str) -> tuple[int, list[int]]:
    """The date column and the other columns of a dates-down-the-side header (a duty list's, a
    transposed grid's), or the error naming the row: ``header`` says what the row should have been,
    ``each`` what one column stands for."""
    found = _columns(sheet, texts, h)
    if found is None:
        raise InputError(
            f"row {sheet.row_number(h)} is not {header}: expected a 'Date' column with dates below it "
            f"and one column per {each}",
            **sheet.where(h, 0),
        )
    return found


def read_duty_sheet(sheet: Sheet, plan: Plan, options: RosterOptions) -> DutySheet:
    """Every (date, duty) cell of a duty-list sheet, blank ones included."""
    import pandas as pd  # duty lists are small (a dozen duties a day); their bookkeeping is in pandas
    texts = text_array(sheet.values)
    h = plan.header
    dcol, cols = header_columns(sheet, texts, h, "a duty-list header", "duty")
    skipped: list[SkippedRow] = []
    rows, dates = body_rows(sheet, texts, h, dcol, cols, options, skipped)
    if rows.size == 0:
        from rostercheck.read.grid import EmptyRoster

        raise EmptyRoster("empty roster: no dated rows below the duty-list header", **sheet.where(h, dcol))
    c = np.asarray(cols, dtype=np.int64)
    n, m = rows.size, c.size
    headers = np.array([collapse(texts[h, j]) for j in cols], dtype=object)
    frame = pd.DataFrame({
        "date": np.repeat(dates, m),
        "duty": np.tile(headers, n),
        "sheet": sheet.name,
        "cell": ((rows + sheet.row0)[:, None] * CELL_STRIDE + (c + sheet.col0)[None, :]).ravel(),
        "text": texts[np.ix_(rows, c)].ravel(),
        "row": np.repeat(rows + sheet.row0 + 1, m),
    })
    info = SheetInfo(
        sheet=sheet.name, layout="duty-list", header_row=sheet.row_number(h),
        columns={"date": (column_letters(sheet.col0 + dcol), collapse(texts[h, dcol]))},
        dates=(dates.min().astype(dt.date), dates.max().astype(dt.date)),
        labels={column_letters(sheet.col0 + j): (collapse(texts[h, j]), []) for j in cols},
    )
    return DutySheet(sheet.name, frame, info, skipped)


# ------------------------------------------------------------------------------ the whole roster


def build_roster(file: str, parts: list[DutySheet], options: RosterOptions) -> tuple[RawRoster, list[SheetInfo]]:
    """Duty cells of every sheet -> residents x dates entries, the duty table and the warnings."""
    import pandas as pd
    cells = pd.concat([p.cells for p in parts], ignore_index=True)
    warnings: list[ReadWarning] = []
    # ---- people in each distinct cell text, parsed once per text and spread over the cells
    tid, uniq = pd.factorize(cells["text"].to_numpy(dtype=object))
    parsed = [parse_cell(t) if t else parse_cell("") for t in uniq.tolist()]
    # "TBD", "Open", "-": a duty nobody holds yet, read as a blank cell (and said so)
    held_by_nobody = np.array([any(H.is_placeholder(p.name) for p in pc.parts) for pc in parsed], dtype=bool)
    for k in np.flatnonzero(held_by_nobody[tid]).tolist():
        for p in (p for p in parsed[tid[k]].parts if H.is_placeholder(p.name)):
            half = f" ({p.slot} half)" if p.slot else ""
            warnings.append(ReadWarning(cells.at[k, "sheet"], cell_name(cells.at[k, "cell"]),
                                        f"{p.name!r} is not a person: read as nobody holding {cells.at[k, 'duty']}"
                                        f"{half} on {np.datetime64(cells.at[k, 'date'], 'D')}"))
    parsed = [ParsedCell(tuple(p for p in pc.parts if not H.is_placeholder(p.name)), pc.notes) for pc in parsed]
    for t, pc in zip(uniq.tolist(), parsed, strict=True):
        bad = next((p.name for p in pc.parts if not has_letter(p.name)), None)
        if bad is not None:
            k = int(np.flatnonzero(tid == uniq.tolist().index(t))[0])
            raise InputError(f"expected a person's name, got {bad!r}", file=file, sheet=cells.at[k, "sheet"],
                             cell=cell_name(cells.at[k, "cell"]))
    noted = np.array([bool(pc.notes) for pc in parsed], dtype=bool)
    for k in np.flatnonzero(noted[tid]).tolist():  # only the few cells holding a note
        pc, text = parsed[tid[k]], uniq[tid[k]]
        shown = " and ".join(repr(p.name) for p in pc.parts) or "nobody"
        for note in pc.notes:
            warnings.append(ReadWarning(cells.at[k, "sheet"], cell_name(cells.at[k, "cell"]),
                                        f"note ({note}) in {text!r} kept out of the name: read as {shown}"))
    count = np.array([len(pc.parts) for pc in parsed], dtype=np.int64)
    k = np.repeat(np.arange(len(cells), dtype=np.int64), count[tid])
    start = np.cumsum(count) - count  # each text's first part in the flat list
    within = np.arange(k.size, dtype=np.int64) - np.repeat(np.cumsum(count[tid]) - count[tid], count[tid])
    flat = [p for pc in parsed for p in pc.parts]
    pick = start[tid[k]] + within
    names = np.array([p.name for p in flat], dtype=object)
    slots = np.array([p.slot for p in flat], dtype=object)
    people = pd.DataFrame({"k": k, "name": names[pick] if k.size else [], "slot": slots[pick] if k.size else []})
    name_id, distinct = pd.factorize(people["name"].to_numpy(dtype=object))
    people["key"] = np.array([name_key(n) for n in distinct.tolist()], dtype=object)[name_id] if len(people) else []

    for n in distinct.tolist():  # "Ann / Bo": one cell is one person per half; say so where it looks like two
        if re.search(r"\s[/&+]\s|/", n):
            k = int(people["k"].to_numpy()[np.flatnonzero(name_id == distinct.tolist().index(n))[0]])
            warnings.append(ReadWarning(cells.at[k, "sheet"], cell_name(cells.at[k, "cell"]),
                                        f"{n!r} may name two people; read as one person (write one name per cell, "
                                        "or 'A (AM) B (PM)' for the two halves of a day)"))

    # ---- residents: [roster] people first (their order and attributes), then everyone named
    listed = _people(options, file)
    spelling = canonical_spellings(people["name"].value_counts(sort=False).to_dict())
    order: dict[str, int] = {}
    residents: list[Resident] = []
    first_cell = people.drop_duplicates("key").set_index("key")["k"]
    for p in listed:
        key = name_key(p["name"])
        if key in order:
            continue
        order[key] = len(residents)
        src = None
        if key in first_cell.index:
            k = int(first_cell[key])
            src = Source(file, cells.at[k, "sheet"], cell_name(cells.at[k, "cell"]))
        residents.append(Resident(spelling.get(key, collapse(p["name"])), p.get("pgy"), p.get("team"),
                                  p.get("role"), src))
    for key, k in first_cell.items():
        if key not in order:
            order[key] = len(residents)
            residents.append(Resident(spelling[key], source=Source(file, cells.at[int(k), "sheet"],
                                                                   cell_name(cells.at[int(k), "cell"]))))
    uses = people["key"].value_counts()
    for a, b in near_misses(list(first_cell.index)):
        if uses[a] > uses[b]:  # the warning sits on the rarer spelling, the likely typo
            a, b = b, a
        ka, kb = int(first_cell[a]), int(first_cell[b])
        ca, cb = cell_name(cells.at[ka, "cell"]), cell_name(cells.at[kb, "cell"])
        sa, sb = cells.at[ka, "sheet"], cells.at[kb, "sheet"]
        where_a = f"{sa}!{ca}" if sa else ca
        where_b = f"{sb}!{cb}" if sb else cb
        warnings.append(ReadWarning(sa, ca, f"{spelling[a]!r} ({where_a}) and {spelling[b]!r} ({where_b}) are one "
                                    "letter apart: read as two people; if they are one, correct the spelling"))

    # ---- the duty table: one row per (cell, person), and one per blank cell
    people["resident"] = people["key"].map(order).astype(np.int64)
    k = people["k"].to_numpy(dtype=np.int64)
    named = pd.DataFrame({
        "date": cells["date"].to_numpy()[k], "duty": cells["duty"].to_numpy()[k], "slot": people["slot"].to_numpy(),
        "name": [residents[r].name for r in people["resident"].tolist()], "sheet": cells["sheet"].to_numpy()[k],
        "cell": cells["cell"].to_numpy()[k], "text": cells["text"].to_numpy()[k],
        "resident": people["resident"].to_numpy(),
    })
    blank = cells[cells["text"] == ""]
    empty = pd.DataFrame({"date": blank["date"].to_numpy(), "duty": blank["duty"].to_numpy(), "slot": "",
                          "name": "", "sheet": blank["sheet"].to_numpy(), "cell": blank["cell"].to_numpy(),
                          "text": "", "resident": -1})
    duties = pd.concat([named, empty], ignore_index=True)
    dates = np.sort(pd.unique(cells["date"].to_numpy().astype("datetime64[D]")))
    entries, duties = entries_for(duties, len(residents), dates)
    report = ReadReport(
        residents=tuple(_read_residents(residents, duties)),
        skipped=tuple(s for p in parts for s in p.skipped),
        sheets=tuple(SheetUse(p.sheet, True, "a duty list" if p.layout == "duty-list" else "a transposed grid")
                     for p in parts),
        warnings=tuple(warnings),
    )
    raw = RawRoster(file, residents, entries, "duty-list", [p.sheet for p in parts if p.sheet is not None],
                    read=report, duties=duties)
    return raw, [p.info for p in parts]


def entries_for(duties: pd.DataFrame | Table, n_residents: int, dates: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Residents x dates entries from a duty table (and the table with each row's ``entry``).

    One entry per (person, date, slot) they hold duties in, its text the duties joined by
    ``JOIN`` in column order and its cell the first duty's cell; every other (person, date) is a
    blank whole-day entry without a cell (off). Repairs build their candidate rosters this way
    too, so check and repair see one shape.
    """
    import pandas as pd

    d = duties.frame() if isinstance(duties, Table) else duties.copy()
    held = d[d["resident"] >= 0].copy()
    held["order"] = np.arange(len(held))
    groups = held.groupby(["resident", "date", "slot"], sort=True)
    first = groups["order"].min()
    g = first.index.to_frame(index=False)
    text = held["duty"].to_numpy(dtype=object)[first.to_numpy()]  # usually the one duty held
    several = np.flatnonzero(groups.size().to_numpy() > 1)
    if several.size:  # two duties on one date (rare): join them, in column order
        gid = groups.ngroup().to_numpy()
        duty = held["duty"].to_numpy(dtype=object)
        for i in several.tolist():
            text[i] = JOIN.join(dict.fromkeys(duty[gid == i].tolist()))
    g["text"] = text
    g["sheet"] = held["sheet"].to_numpy()[first.to_numpy()]
    g["cell"] = held["cell"].to_numpy()[first.to_numpy()]
    g["entry"] = np.arange(len(g))
    d = d.merge(g[["resident", "date", "slot", "entry"]], on=["resident", "date", "slot"], how="left")
    d["entry"] = d["entry"].fillna(-1).astype(np.int64)
    # off: every (person, date) without any entry
    full = pd.MultiIndex.from_product([range(n_residents), pd.to_datetime(dates)], names=["resident", "date"])
    busy = pd.MultiIndex.from_frame(g[["resident", "date"]].assign(date=pd.to_datetime(g["date"])))
    off = full.difference(busy).to_frame(index=False)
    entries = pd.DataFrame({
        "resident": np.r_[g["resident"].to_numpy(dtype=np.int64), off["resident"].to_numpy(dtype=np.int64)],
        "date": np.r_[pd.to_datetime(g["date"]).to_numpy(), off["date"].to_numpy()].astype("datetime64[ns]"),
        "slot": pd.Series(np.r_[g["slot"].to_numpy(dtype=object), np.full(len(off), "", dtype=object)], dtype=object),
        "text": pd.Series(np.r_[g["text"].to_numpy(dtype=object), np.full(len(off), "", dtype=object)], dtype=object),
        "start": pd.Series([None] * (len(g) + len(off)), dtype=object),
        "end": pd.Series([None] * (len(g) + len(off)), dtype=object),
        "sheet": pd.Series(np.r_[g["sheet"].to_numpy(dtype=object), np.full(len(off), None, dtype=object)],
                           dtype=object),
        "cell": np.r_[g["cell"].to_numpy(dtype=np.int64), np.full(len(off), -1, dtype=np.int64)],
    })
    return entries[list(ENTRY_COLUMNS)], d[list(DUTY_COLUMNS)]


def _read_residents(residents: list[Resident], duties: pd.DataFrame) -> list[ReadResident]:
    counts = duties[duties["resident"] >= 0].groupby("resident").size()  # a DataFrame, from build_roster
    out = []
    for r, res in enumerate(residents):
        cell = res.source.cell if res.source and res.source.cell else None
        row = int("".join(ch for ch in cell if ch.isdigit())) if cell else 0
        out.append(ReadResident(res.name, res.pgy, res.team, res.role, res.source.sheet if res.source else None,
                                row, int(counts.get(r, 0)), cell))
    return out


def _people(options: RosterOptions, file: str) -> list[dict]:
    """``[roster] people`` as a list of {name, pgy, team, role}; a path is read as a people sheet."""
    p = options.people
    if p is None:
        return []
    if isinstance(p, list):
        return p
    return read_people(p)


def read_people(path: str) -> list[dict]:
    """A people sheet or csv: a header with a name column (``Name``, ``Resident``), optional PGY,
    team and role columns, one person per row."""
    import os

    from rostercheck.read.source import open_book

    if not os.path.isfile(path):
        raise InputError("people file not found; expected a sheet or csv with a 'Name' column", file=path,
                         key="roster.people")
    book = open_book(path)
    sheet = book.sheet(book.names[0] if book.is_csv else book.visible[0])
    texts = text_array(sheet.values)
    for h in range(min(SCAN_ROWS, sheet.nrows)):
        keys = [H.header_key(t) for t in texts[h].tolist()]
        name_col = H.find(keys, H.NAME)
        if name_col is not None:
            break
    else:
        raise InputError("no header with a 'Name' column found in the people sheet ([roster] people)",
                         **sheet.where())
    cols = {w: H.find(keys, words) for w, words in (("pgy", H.PGY), ("team", H.TEAM), ("role", H.ROLE))}
    out = []
    for i in range(h + 1, sheet.nrows):
        name = collapse(texts[i, name_col])
        if not name or H.is_footer(name):
            continue
        person: dict = {"name": name}
        if cols["pgy"] is not None:
            person["pgy"] = parse_pgy(sheet.values[i, cols["pgy"]], sheet.where(i, cols["pgy"]))
        for w in ("team", "role"):
            if cols[w] is not None:
                person[w] = parse_label(sheet.values[i, cols[w]])
        out.append(person)
    return out


def expand_cells(raw: RawRoster, findings: list) -> list:
    """A finding on a person holding two duties on one date names both cells, not just the first."""
    if raw.duties is None:
        return findings
    d = raw.duties.frame()
    held = d[d["entry"] >= 0]
    multi = held[held.duplicated("entry", keep=False)]
    if multi.empty:
        return findings
    more: dict[tuple, list[Source]] = {}
    for _, g in multi.groupby("entry"):
        first = g.iloc[0]
        key = (first["sheet"], cell_name(first["cell"]))
        more[key] = [Source(raw.path, s, cell_name(c)) for s, c in zip(g["sheet"].iloc[1:], g["cell"].iloc[1:],
                                                                        strict=True)]
    for f in findings:
        extra = [c for src in f.cells for c in more.get((src.sheet, src.cell), [])]
        if extra:
            seen = {(c.sheet, c.cell) for c in f.cells}
            f.cells = list(f.cells) + [c for c in extra if (c.sheet, c.cell) not in seen]
    return findings
