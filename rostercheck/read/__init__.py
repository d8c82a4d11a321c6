"""The reading stage: a roster file in, a ``RawRoster`` out (text as found, every cell's address).

``read_roster`` is the only entry point. It opens the file (``source``), decides per sheet what
the sheet is (``detect``), reads grids (``grid``), long tables (``long``) and legend sheets
(``legend_sheet``), then merges the sheets: one resident per name across sheets, entries
re-indexed onto that list. Nothing here interprets codes; that is the legend's job.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

import numpy as np

from rostercheck.errors import InputError, suggest
from rostercheck.model import (
    ENTRY_COLUMNS,
    LegendRow,
    RawRoster,
    Resident,
    RosterOptions,
    Source,
    cell_name,
    narrow_cells,
)
from rostercheck.read.cells import cell_text, filled
from rostercheck.read.detect import DATE_ROW_BELOW, MIN_DATES, SCAN_ROWS, Plan, classify
from rostercheck.read.duty import OTHER_LAYOUTS, DutySheet, build_roster, plan_other, read_duty_sheet
from rostercheck.read.grid import EmptyRoster, read_grid
from rostercheck.read.headers import NAME, header_key
from rostercheck.read.legend_sheet import read_legend
from rostercheck.read.long import read_long
from rostercheck.read.result import (
    ReadReport,
    ReadResident,
    ReadWarning,
    SheetInfo,
    SheetRoster,
    SheetUse,
    SkippedRow,
)
from rostercheck.read.source import Sheet, open_book
from rostercheck.read.transposed import read_transposed
from rostercheck.table import Table, constant

__all__ = ["Inspection", "inspect_roster", "read_roster"]

_LAYOUT_NAMES = {"grid": "a whole-day grid", "half-day": "a half-day (AM/PM) grid", "long": "a long table",
                 "duty-list": "a duty list", "transposed": "a transposed grid (dates down, residents across)"}


@dataclass
class Inspection:
    """A roster as read, plus what was found where (``init`` reports it and writes it down)."""

    roster: RawRoster
    sheets: list[SheetInfo]
    legend_sheets: list[str]
    #: roster-looking sheets left out because ``sheet`` named others, or skipped as empty
    other_sheets: list[str]


def read_roster(path: str | os.PathLike, options: RosterOptions | None = None) -> RawRoster:
    """Read a roster spreadsheet (.xlsx/.xlsm/.xls/.ods or .csv; .xlsb is refused) without changing it.

    Sheets are picked by ``options.sheet`` or else every visible sheet that has a roster header;
    a legend sheet anywhere in the workbook is read into ``RawRoster.legend``. Every problem is an
    ``InputError`` naming the file, sheet and cell.
    """
    return _read(path, options or RosterOptions(), lenient=False).roster


def inspect_roster(
    path: str | os.PathLike, options: RosterOptions | None = None, *, lenient: bool = True
) -> Inspection:
    """``read_roster`` plus where things are (for ``init`` and ``rostercheck read``).

    ``lenient`` (``init``, a file nobody has configured yet) reads an unreadable PGY cell (a ``FAC``
    in a PGY column) as no level instead of an error; ``read`` passes False to read as ``check`` does.
    """
    return _read(path, options or RosterOptions(), lenient=lenient)


def _read(path: str | os.PathLike, options: RosterOptions, lenient: bool) -> Inspection:
    book = open_book(path)
    file = book.file
    if book.is_csv:
        wanted: list = [None]
        explicit = False
        scan: list = [None]
    else:
        explicit = bool(options.sheet)
        wanted = _named_sheets(file, book.names, options.sheet) if explicit else list(book.visible)
        scan = [n for n in book.names if n in book.visible or n in wanted]
        if not scan:
            raise InputError("no roster found: the workbook has no visible sheets", file=file)

    head_rows = SCAN_ROWS + max(options.header_row or 0, options.date_row or 0) + DATE_ROW_BELOW + 1
    legend: list[LegendRow] = []
    parts: list[SheetRoster] = []
    problems: dict[str | None, InputError] = {}
    #: sheets that failed while being read although they were only scanned (no --sheet): a year
    #: overview or a templates sheet. Skipped with a note if another sheet is a roster.
    failed: dict[str | None, tuple[InputError, bool]] = {}
    legends_named: list[str] = []
    legend_sheets: list[str] = []
    others: list[str] = []
    duty_parts: list[DutySheet] = []
    known: tuple[frozenset[str], frozenset[str]] | None = None
    uses: dict[str | None, SheetUse] = {}
    warnings: list[ReadWarning] = []
    for name in scan:
        plan = classify(book.sheet(name, head_rows), options)
        if isinstance(plan, InputError) or options.layout in OTHER_LAYOUTS:
            known = known or _known_codes(book, scan, head_rows, options)
            plan = plan_other(book.sheet(name, head_rows + 25), options, *known) or plan
        if isinstance(plan, InputError):
            if name in wanted:
                if explicit:
                    raise plan
                problems[name] = plan
            uses[name] = SheetUse(name, False, f"not a roster: {plan.message}")
            continue
        if plan.kind == "legend":
            rows, bad = read_legend(book.sheet(name), plan)
            legend.extend(rows)
            warnings.extend(bad)
            legend_sheets.append(name)
            uses[name] = SheetUse(name, False, "a legend sheet (Code/Description): read for what codes mean")
            if explicit and name in wanted:
                legends_named.append(name)
            continue
        if name not in wanted:
            others.append(name)
            uses[name] = SheetUse(name, False, "not named by --sheet")
            continue
        if plan.kind == "duty-list":
            duty_parts.append(read_duty_sheet(book.sheet(name), plan, options))
            uses[name] = SheetUse.read_as(duty_parts[-1].info, _LAYOUT_NAMES["duty-list"])
            continue
        sheet = book.sheet(name)
        try:
            part = _read_sheet(sheet, plan, options, lenient)
        except EmptyRoster as exc:
            if explicit:
                raise
            problems[name] = exc
            others.append(name)
            uses[name] = SheetUse(name, False, exc.message)
            continue
        except InputError as exc:
            if explicit or book.is_csv:
                raise
            problems[name] = exc
            failed[name] = (exc, _names_people(sheet, plan))
            uses[name] = SheetUse(name, False, f"not read: {exc.message}")
            continue
        parts.append(part)
        reason = _LAYOUT_NAMES[part.layout]
        uses[name] = SheetUse.read_as(part.info, reason) if part.info else SheetUse(name, True, reason)

    if duty_parts:
        if parts:
            raise InputError(
                f"sheet {duty_parts[0].sheet!r} is a duty list but sheet {parts[0].sheet!r} is "
                f"{_LAYOUT_NAMES[parts[0].layout]}; expected one layout per roster (pick sheets with --sheet)",
                file=file, sheet=parts[0].sheet,
            )
        raw, infos = build_roster(file, duty_parts, options)
        raw.legend = legend + _session_rows(file, options)
        if raw.read is not None:  # every sheet of the workbook, and the reader's other warnings
            for name in [] if book.is_csv else book.names:
                uses.setdefault(name, SheetUse(name, False, "hidden"))
            every = scan if book.is_csv else book.names
            raw.read = dataclasses.replace(raw.read, sheets=tuple(uses[n] for n in every),
                                           warnings=tuple(warnings) + raw.read.warnings)
        return Inspection(raw, infos, legend_sheets, others)
    if not parts:
        if failed:  # a sheet that looked like a roster and broke says more than "no roster found"
            people = [exc for exc, names_people in failed.values() if names_people]
            raise _unasked((people or [exc for exc, _ in failed.values()])[0], len(problems) > 1)
        sheets = [] if book.is_csv else [(n, uses[n].reason if n in uses else "hidden") for n in book.names]
        raise _no_roster(file, book.is_csv, problems, legends_named, sheets)
    for name, (exc, names_people) in failed.items():
        if names_people:
            # a sheet with a name column is somebody's roster: its error must not pass as a note
            raise _unasked(exc, True)
        warnings.append(ReadWarning(name, exc.cell, f"sheet {name!r} skipped, not a roster: {exc.message}"))
    layouts = {p.layout for p in parts}
    if len(layouts) > 1:
        a = parts[0]
        b = next(p for p in parts if p.layout != a.layout)
        raise InputError(
            f"sheet {a.sheet!r} is {_LAYOUT_NAMES[a.layout]} but sheet {b.sheet!r} is {_LAYOUT_NAMES[b.layout]}; "
            "expected one layout per roster (pick sheets with --sheet)",
            file=file,
            sheet=b.sheet,
        )
    residents, entries = _merge(parts)
    warnings.extend(_merge_warnings(parts, residents, entries))
    if not book.is_csv:
        for name in book.names:
            if name not in uses:
                uses[name] = SheetUse(name, False, "hidden")
    report = _report(parts, [uses[n] for n in (scan if book.is_csv else book.names)], warnings)
    raw = RawRoster(
        path=file,
        residents=residents,
        entries=entries,
        layout=parts[0].layout,
        sheets=[p.sheet for p in parts if p.sheet is not None],
        legend=legend + _session_rows(file, options),
        read=report,
    )
    return Inspection(raw, [p.info for p in parts if p.info is not None], legend_sheets, others)


def _names_people(sheet: Sheet, plan: Plan) -> bool:
    """Does the planned header row have a name column ("Resident", "Name")? Then it is a roster."""
    if plan.kind != "grid":
        return True
    keys = [header_key(cell_text(v)) for v in sheet.row(plan.header)]
    return any(k in NAME for k in keys)


def _unasked(exc: InputError, several: bool) -> InputError:
    """An error on a sheet the user did not name, when other sheets were candidates too: say it was
    read because no ``--sheet`` was given (a workbook with one roster sheet needs no such hint)."""
    if not several or exc.sheet is None:
        return exc
    return InputError(
        f"{exc.message} (sheet {exc.sheet!r} was read because no --sheet was given; name the roster "
        "sheets with --sheet or [roster] sheet)",
        file=exc.file, sheet=exc.sheet, cell=exc.cell, key=exc.key,
    )  # fmt: skip


def _report(parts: list[SheetRoster], sheets: list[SheetUse], warnings: list[ReadWarning]) -> ReadReport:
    """The ReadReport of the sheets read: residents per sheet row, with how many codes each has."""
    residents: list[ReadResident] = []
    skipped: list[SkippedRow] = []
    for part in parts:
        filled = part.filled if part.filled is not None else part.text != ""
        counts = np.bincount(part.resident[filled], minlength=len(part.residents)) if len(part) else None
        for k, r in enumerate(part.residents):
            row = part.rows[k] if k < len(part.rows) else 0
            n = int(counts[k]) if counts is not None else 0
            cell = r.source.cell if r.source is not None else None
            column = cell.rstrip("0123456789") if cell and part.layout == "transposed" else None
            residents.append(ReadResident(r.name, r.pgy, r.team, r.role, part.sheet, row, n, cell, column))
        if part.info is not None:
            skipped.extend(part.info.skipped)
            warnings = warnings + part.info.warnings
    return ReadReport(tuple(residents), tuple(skipped), tuple(sheets), tuple(warnings))


def _session_rows(file: str, options: RosterOptions) -> list[LegendRow]:
    """``[roster] am``/``pm`` as legend rows for the ``AM``/``PM`` codes.

    The timeline takes a half-day grid's session times from the legend's ``AM`` and ``PM`` codes
    (the built-in legend has them at 08:00-12:00 and 13:00-17:00), so every stage that builds a
    timeline from this roster's legend (check, repair, diff) sees the same times. They come after
    the workbook's own legend sheet, which they override, and before ``[shifts]``, which overrides
    them.
    """
    rows = []
    for code, times, word in (("AM", options.am, "morning"), ("PM", options.pm, "afternoon")):
        if times is not None:
            rows.append(
                LegendRow(code, f"{word} session ([roster] {code.lower()})", times[0], times[1], "work",
                          source=Source(file))
            )  # fmt: skip
    return rows


def _named_sheets(file: str, names: list[str], requested: list[str]) -> list[str]:
    out: list[str] = []
    for name in requested:
        if name not in names:
            raise InputError(
                f"no sheet named {name!r}{suggest(name, names)}; the workbook has " + ", ".join(repr(n) for n in names),
                file=file,
                key="sheet",
            )
        if name not in out:
            out.append(name)
    return out


def _known_codes(book, scan: list, head_rows: int, options: RosterOptions) -> tuple[frozenset[str], frozenset[str]]:
    """Codes a duty list's headers may be (config and legend sheets), and those plus the built-in
    legend (what a transposed grid's cells hold)."""
    from rostercheck.legend import builtin_legend, normalise_code

    found = set(options.codes)
    for name in scan:
        plan = classify(book.sheet(name, head_rows), options)
        if not isinstance(plan, InputError) and plan.kind == "legend":
            found |= {normalise_code(r.code) for r in read_legend(book.sheet(name), plan)[0]}
    return frozenset(found), frozenset(found | set(builtin_legend()))


def _read_sheet(sheet: Sheet, plan: Plan, options: RosterOptions, lenient: bool) -> SheetRoster:
    if plan.kind == "transposed":
        return read_transposed(sheet, plan, options)
    if plan.kind == "long":
        return read_long(sheet, plan, options, lenient=lenient)
    return read_grid(sheet, plan, options, lenient=lenient)


def _no_roster(
    file: str, is_csv: bool, problems: dict[str | None, InputError], legends_named: list[str],
    sheets: list[tuple[str, str]],
) -> InputError:
    """Why no sheet was read as a roster. With no sheet that failed as one (a workbook of a legend
    sheet and hidden helpers), every sheet is named with what it was found to be, so the message
    never reads "tried sheets " with nothing after it."""
    if legends_named:
        return InputError(
            f"sheet {legends_named[0]!r} is a legend (Code/Description), not a roster; expected a roster sheet",
            file=file,
            sheet=legends_named[0],
        )
    if len(problems) == 1:
        return next(iter(problems.values()))
    if problems and all(isinstance(p, EmptyRoster) for p in problems.values()):
        return _unasked(next(iter(problems.values())), True)
    if problems:
        found = f"tried sheets {', '.join(repr(n) for n in problems)}"
    else:
        found = "; ".join(f"sheet {n!r}: {why}" for n, why in sheets) or "no sheet"
    return InputError(
        f"no roster found ({found}): expected a sheet with a header row holding a "
        f"'Resident' or 'Name' column and at least {MIN_DATES} dates, or 'Resident', 'Date' and 'Code' columns "
        "(name the roster sheet with --sheet, and its header row with --header-row)",
        file=file,
    )


def _merge_warnings(parts: list[SheetRoster], residents: list[Resident], entries: Table) -> list[ReadWarning]:
    """What merging one name across sheets could hide: a level, team or role that differs between
    sheets (the first sheet's is kept), and a date filled on two sheets for one person (both are
    read). Per resident and per entry column, vectorised; said once per person."""
    if len(parts) < 2:
        return []
    out: list[ReadWarning] = []
    kept = {r.name: r for r in residents}
    for part in parts[1:]:
        for r in part.residents:
            first = kept[r.name]
            if first.source is None or r.source is None or first.source.sheet == r.source.sheet:
                continue
            for what in ("pgy", "team", "role"):
                a, b = getattr(first, what), getattr(r, what)
                if a is not None and b is not None and a != b:
                    label = "PGY" if what == "pgy" else what
                    out.append(ReadWarning(
                        r.source.sheet, r.source.cell,
                        f"{r.name!r} is {label} {b} on sheet {r.source.sheet!r} but {label} {a} on sheet "
                        f"{first.source.sheet!r} ({first.source.cell}): read as one person, {label} {a}",
                    ))  # fmt: skip
    text = entries["text"]
    filled = np.flatnonzero((text != "") & (text != None))  # noqa: E711 (elementwise over objects)
    if not len(filled):
        return out
    # (resident, date, slot) of each filled cell as one key; a key met twice is a date filled twice
    slot_id = _ids(entries["slot"][filled])
    day = entries["date"][filled].astype("datetime64[D]").astype(np.int64)
    day -= day.min()
    who = entries["resident"][filled].astype(np.int64)
    key = (who * (int(day.max()) + 1) + day) * (int(slot_id.max()) + 1) + slot_id
    order = np.argsort(key, kind="stable")
    k = key[order]
    dup = np.zeros(len(k), dtype=bool)
    same = k[1:] == k[:-1]
    dup[1:] |= same
    dup[:-1] |= same
    twice = filled[order[dup]]  # rows in key order, within a key in entry order
    if not len(twice):
        return out
    sheets = entries["sheet"]
    cells = entries["cell"]
    resident_of = entries["resident"][twice]
    for resident in np.unique(resident_of).tolist():
        rows = twice[resident_of == resident]
        rows = np.sort(rows)  # entry order, as the first sheet read comes first
        first = int(rows[0])
        other_rows = [int(j) for j in rows.tolist() if sheets[j] != sheets[first]]
        if not other_rows:
            continue
        other = other_rows[0]
        day_text = str(entries["date"][first].astype("datetime64[D]"))
        n = len({(int(d), s) for d, s in zip(entries["date"][rows].astype("datetime64[D]").astype(np.int64).tolist(),
                                               entries["slot"][rows].tolist())})
        out.append(ReadWarning(
            sheets[other], cell_name(int(cells[other])),
            f"{residents[int(resident)].name!r} has shifts on {day_text} on sheet {sheets[first]!r} "
            f"({cell_name(int(cells[first]))}) and sheet {sheets[other]!r} ({cell_name(int(cells[other]))})"
            f"{f' and on {n - 1} more dates' if n > 1 else ''}: both are read (sheets that overlap?)",
        ))  # fmt: skip
    return out


def _narrow(cells: np.ndarray) -> np.ndarray:
    """``narrow_cells``, which a sheet's reader already applied to a sheet's cells (int32 stays int32)."""
    return cells if cells.dtype == np.int32 else narrow_cells(cells)


def _ids(values: np.ndarray) -> np.ndarray:
    """Small integer ids of the distinct values of an object column, first seen first."""
    seen: dict[object, int] = {}
    return np.fromiter((seen.setdefault(v, len(seen)) for v in values.tolist()), dtype=np.int64, count=len(values))


def _merge(parts: list[SheetRoster]) -> tuple[list[Resident], Table]:
    """One resident per name across sheets (July and August sheets hold the same people)."""
    index: dict[str, int] = {}
    residents: list[Resident] = []
    resident_cols: list[np.ndarray] = []
    for part in parts:
        remap = np.empty(len(part.residents), dtype=np.int32)
        for k, r in enumerate(part.residents):
            g = index.get(r.name)
            if g is None:
                g = index[r.name] = len(residents)
                residents.append(r)
            else:
                old = residents[g]
                residents[g] = dataclasses.replace(
                    old,
                    pgy=old.pgy if old.pgy is not None else r.pgy,
                    team=old.team if old.team is not None else r.team,
                    role=old.role if old.role is not None else r.role,
                )
            remap[k] = g
        if len(parts) == 1 and bool((remap == np.arange(len(remap))).all()):
            resident_cols.append(part.resident)  # one sheet of distinct names: its ids are the roster's
        else:
            resident_cols.append(remap[part.resident])

    def cat(attr: str) -> np.ndarray:
        arrays = [getattr(p, attr) for p in parts]
        return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)

    resident = resident_cols[0] if len(parts) == 1 else np.concatenate(resident_cols)
    # one sheet (or a csv): the same name on every row, a column that takes no memory
    sheet = constant(len(parts[0]), parts[0].sheet) if len(parts) == 1 else np.concatenate(
        [filled(len(p), p.sheet) for p in parts])
    # narrow columns (issue 17: a year of 5,000 residents is 1.8 million entries, 1.8 MB a byte):
    # resident ids and packed cell positions are int32 (``narrow_cells``), dates stay datetime64[D]
    data = {
        "resident": resident.astype(np.int32, copy=False),
        "date": cat("date").astype("datetime64[D]", copy=False),
        "slot": cat("slot"),
        "text": cat("text"),
        "start": cat("start"),
        "end": cat("end"),
        "sheet": sheet,
        "cell": _narrow(cat("cell")),
    }
    table = Table({c: data[c] for c in ENTRY_COLUMNS})
    if len(parts) == 1 and parts[0].text_factors is not None:
        table.give_factors("text", *parts[0].text_factors)
    return residents, table
