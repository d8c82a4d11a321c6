"""Opening a roster file: workbooks through calamine, CSV through the csv module.

Everything below this module sees a ``Sheet``: a 2-D object array of cell values plus the
position of its top-left cell, so every later step can name the cell it is talking about.
calamine trims a sheet to its used range; ``row0``/``col0`` keep the trimmed-away offset so
"E7" stays "E7" even when nothing is in column A or row 1.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from rostercheck.errors import InputError
from rostercheck.read.cells import a1

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_EXTENSIONS = (".csv", ".tsv")
_DELIMITERS = ",;\t"


@dataclass
class Sheet:
    """The values of one sheet (or a CSV file) and where they sit in it."""

    file: str
    name: str | None
    values: np.ndarray  # 2-D, dtype object; blank cells are ""
    row0: int = 0  # 0-based sheet row of values[0]
    col0: int = 0  # 0-based sheet column of values[:, 0]
    #: merged ranges as 0-based absolute (first_row, first_col, last_row, last_col)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    @property
    def nrows(self) -> int:
        return int(self.values.shape[0])

    @property
    def ncols(self) -> int:
        return int(self.values.shape[1])

    def address(self, i: int, j: int) -> str:
        """A1 address of values[i, j]."""
        return a1(self.row0 + i, self.col0 + j)

    def row_number(self, i: int) -> int:
        """1-based sheet row of values[i], as Excel shows it."""
        return self.row0 + i + 1

    def where(self, i: int | None = None, j: int | None = None) -> dict:
        """Keyword arguments for InputError pointing at a cell (or just the sheet)."""
        cell = self.address(i, j) if i is not None and j is not None else None
        return {"file": self.file, "sheet": self.name, "cell": cell}


class Book:
    """An opened roster file: sheet names, visibility, and sheets loaded on demand."""

    def __init__(self, file: str, names: list[str], visible: list[str], loader) -> None:
        self.file = file
        self.names = names
        self.visible = visible
        self._loader = loader
        self._cache: dict[tuple[str | None, int | None], Sheet] = {}

    @property
    def is_csv(self) -> bool:
        return self.names == [None]

    def sheet(self, name: str | None, nrows: int | None = None) -> Sheet:
        """The sheet's values; ``nrows`` loads only the top rows (enough to find a header)."""
        key = (name, nrows)
        if key not in self._cache:
            full = self._cache.get((name, None))
            if full is not None and nrows is not None:
                self._cache[key] = Sheet(full.file, full.name, full.values[:nrows], full.row0, full.col0, full.merged)
            else:
                self._cache[key] = self._loader(name, nrows)
        return self._cache[key]


def open_book(path: str | os.PathLike) -> Book:
    """Open ``path`` for reading (never writing), turning every way it can fail into InputError."""
    file = str(path)
    p = Path(path)
    if not p.exists():
        raise InputError("file not found; expected the path of a roster spreadsheet (.xlsx or .csv)", file=file)
    if p.is_dir():
        raise InputError("is a directory; expected a roster spreadsheet file (.xlsx or .csv)", file=file)
    ext = p.suffix.lower()
    if ext in CSV_EXTENSIONS:
        return _open_csv(p, file)
    if ext in EXCEL_EXTENSIONS:
        from rostercheck.safety import inspect

        try:
            inspect(p, file)  # bombs, entities, absurd extents, formulas without values: before any reader
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror or exc})", file=file) from None
        return _open_excel(p, file)
    raise InputError(
        f"not a spreadsheet: expected a file ending in {', '.join(EXCEL_EXTENSIONS + CSV_EXTENSIONS)}"
        + (f", got {ext!r}" if ext else ""),
        file=file,
    )


def _read_bytes(p: Path, file: str) -> bytes:
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=file) from None


def _not_excel(p: Path, file: str, detail: str) -> InputError:
    head = b""
    try:
        with p.open("rb") as fh:
            head = fh.read(512)
    except OSError:
        pass
    hint = ""
    stripped = head.lstrip().lower()
    if not head:
        hint = " (the file is empty)"
    elif stripped.startswith((b"<html", b"<!doctype", b"<table", b"<?xml")):
        hint = " (it is an HTML/XML export: open it in Excel and save it as .xlsx)"
    elif b"\x00" not in head and p.suffix.lower() != ".ods":
        hint = " (it looks like text: if it is CSV, give it a .csv name)"
    return InputError(f"not a readable Excel workbook{hint}: {detail}", file=file)


def _open_excel(p: Path, file: str) -> Book:
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(p))
        meta = wb.sheets_metadata
    except PasswordError:
        raise InputError("the workbook is password-protected; save an unprotected copy", file=file) from None
    except Exception as exc:  # calamine raises several types (ZipError, XmlError, CalamineError...)
        raise _not_excel(p, file, str(exc)) from None
    names = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
    parsed: dict[str, object] = {}

    def load(name: str | None, nrows: int | None) -> Sheet:
        try:
            if name not in parsed:  # calamine parses the whole sheet here; do it once
                parsed[name] = wb.get_sheet_by_name(name)
            sh = parsed[name]
            rows = sh.to_python(skip_empty_area=True, nrows=nrows)
            start = sh.start
            merged = sh.merged_cell_ranges or []
        except Exception as exc:
            raise InputError(f"not a readable Excel workbook: {exc}", file=file, sheet=name) from None
        values = _rectangle(rows)
        row0, col0 = start if start is not None and values.size else (0, 0)
        ranges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in merged]
        return Sheet(file, name, values, int(row0), int(col0), ranges)

    return Book(file, names, visible, load)


def _rectangle(rows: list[list]) -> np.ndarray:
    """Rows of possibly different lengths -> 2-D object array padded with ""."""
    if not rows:
        return np.empty((0, 0), dtype=object)
    width = max(map(len, rows))
    if min(map(len, rows)) == width:
        arr = np.array(rows, dtype=object)
        if arr.ndim == 2:
            return arr
    out = np.full((len(rows), width), "", dtype=object)
    for i, r in enumerate(rows):
        out[i, : len(r)] = r
    return out


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else cp1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _sniff_delimiter(text: str, ext: str) -> str:
    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    counts = {d: sample.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    if counts[best]:
        return best
    return "\t" if ext == ".tsv" else ","


def _open_csv(p: Path, file: str) -> Book:
    raw = _read_bytes(p, file)
    if raw.startswith(b"PK\x03\x04") or (b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff"))):
        raise InputError("not a CSV text file (it looks binary; is it a workbook with a .csv name?)", file=file)
    text = _decode(raw)
    delimiter = _sniff_delimiter(text, p.suffix.lower())
    try:
        values = _csv_values(text, delimiter)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file: {exc}", file=file) from None

    def load(name: str | None, nrows: int | None) -> Sheet:
        return Sheet(file, None, values if nrows is None else values[:nrows])

    return Book(file, [None], [None], load)  # type: ignore[list-item]


def _csv_values(text: str, delimiter: str) -> np.ndarray:
    """CSV text -> 2-D object array of strings, one row per record (blank lines kept: they are rows).

    pandas' C parser is about four times faster than the csv module on a long export; it needs the
    width up front, guessed from the first lines. A later, wider row makes it fail, and then the
    csv module reads the file instead.
    """
    head = list(itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 200))
    width = max((len(r) for r in head), default=0)
    if width == 0:
        return np.empty((0, 0), dtype=object)
    try:
        frame = pd.read_csv(
            io.StringIO(text, newline=""),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
        return frame.to_numpy(dtype=object)
    except (pd.errors.ParserError, ValueError):
        return _rectangle(list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
