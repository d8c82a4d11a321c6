"""Opening a roster file: workbooks through calamine, CSV through the csv module.

Everything below this module sees a ``Sheet``: a 2-D object array of cell values plus the
position of its top-left cell, so every later step can name the cell it is talking about.
calamine trims a sheet to its used range; ``row0``/``col0`` keep the trimmed-away offset so
"E7" stays "E7" even when nothing is in column A or row 1.
"""

from __future__ import annotations

import codecs
import csv
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import numpy as np

from rostercheck.errors import InputError
from rostercheck.read.cells import cell_text, cell_texts, column_letters, factorize, object_array
from rostercheck.read.csv_columns import BLOCK, Columns, read_chunks

#: bytes of XML below which a workbook is read by calamine rather than ``read.xlsx_values``: both
#: read the same values (``tests/test_xlsx_values.py``); measured, numpy's fixed costs per sheet make
#: it 0.5-1 ms slower on a 30 x 31 month (63 KB of sheet XML), even at 225 KB, and twice as fast
#: and half the memory on year-long rosters (27 MB)
SMALL_WORKBOOK = 256 * 1024

EXCEL_EXTENSIONS = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
CSV_EXTENSIONS = (".csv", ".tsv")
_DELIMITERS = ",;\t"
_SNIFF = 65536  # characters the delimiter is guessed from
_HEAD = 4 * _SNIFF + 4  # bytes that hold the first _SNIFF characters in any encoding read
_UTF16 = (b"\xff\xfe", b"\xfe\xff")
#: bytes read from a csv file at a time: the reader holds a piece and a block of lines, never the file
PIECE = 1 << 20
_ALL = slice(None)
#: a calamine sheet of at most this many cells is turned into Python values once, whole, even when
#: only its top rows are asked for (detection asks first, the reader next)
_WHOLE_CELLS = 20_000


#: ``column_letters``, once per column index: a reader names a cell per resident and per warning
_letters = lru_cache(maxsize=16384)(column_letters)


@dataclass
class Column:
    """One column of a sheet as its distinct values and, per row, which one it holds.

    A long export repeats a few hundred names, 365 dates and a few dozen codes over half a million
    rows, so everything the reader does to a column (text, parsing, matching) is done once per
    distinct value and spread back with ``codes``. The CSV parser builds this while it reads.
    """

    codes: np.ndarray  # int, one per sheet row: index into ``uniques``
    uniques: np.ndarray  # object: the distinct raw values
    _texts: np.ndarray | None = field(default=None, repr=False)

    def texts(self) -> np.ndarray:
        """``cell_text`` of each distinct value (object array, aligned with ``uniques``)."""
        if self._texts is None:
            self._texts = object_array([cell_text(u) for u in self.uniques.tolist()])
        return self._texts

    def map(self, func, rows: np.ndarray | slice = _ALL) -> np.ndarray:
        """``func`` of each distinct value, spread over ``rows`` (``func`` runs once per value)."""
        mapped = object_array([func(u) for u in self.uniques.tolist()])
        return mapped[self.codes[rows]]

    def text_at(self, rows: np.ndarray | slice = _ALL) -> np.ndarray:
        return self.texts()[self.codes[rows]]


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
    _columns: dict[int, Column] = field(default_factory=dict, repr=False, compare=False)
    #: (codes, distinct values, their texts), made once (``factors``)
    _factors: tuple[np.ndarray, list, list[str]] | None = field(default=None, repr=False, compare=False)
    _texts: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: the sheet whose top rows this is (``head_sheet``): its factors serve this one too
    _parent: Sheet | None = field(default=None, repr=False, compare=False)

    @property
    def nrows(self) -> int:
        return int(self.values.shape[0])

    @property
    def ncols(self) -> int:
        return int(self.values.shape[1])

    def column(self, j: int) -> Column:
        """Column ``j`` factorized, once (``Column``)."""
        if j not in self._columns:
            codes, uniques = factorize(self.values[:, j])
            self._columns[j] = Column(codes, object_array(uniques))
        return self._columns[j]

    def head(self, n: int) -> np.ndarray:
        """The first ``n`` rows as a 2-D object array."""
        return self.values[:n]

    def factors(self) -> tuple[np.ndarray, list, list[str]]:
        """Per cell (2-D, aligned with ``values``) the index of its distinct value; the distinct
        values; and each one's ``cell_text``.

        Made once per sheet and shared by detection (``detect.HeadScan``, through ``head_sheet``)
        and the readers, so a month's sheet is hashed and turned into text once, not once per step.
        The arrays are read-only: every caller sees the same ones.
        """
        if self._factors is None:
            if self._parent is not None:
                codes, uniques, texts = self._parent.factors()
                codes = codes[: self.nrows]
            else:
                flat, uniques = factorize(self.values)
                codes = flat.reshape(self.values.shape)
                codes.flags.writeable = False
                texts = cell_texts(uniques)
            self._factors = (codes, uniques, texts)
        return self._factors

    def texts(self) -> np.ndarray:
        """``cell_text`` of every cell (2-D object array, aligned with ``values``), made once; read-only."""
        if self._texts is None and self._parent is not None:
            self._texts = self._parent.texts()[: self.nrows]  # a view: read-only as its base
        if self._texts is None:
            codes, _, texts = self.factors()
            out = object_array(texts)[codes] if codes.size else np.empty(codes.shape, dtype=object)
            out.flags.writeable = False
            self._texts = out
        return self._texts

    def head_sheet(self, n: int) -> Sheet:
        """The first ``n`` rows as a sheet of their own, sharing this sheet's ``factors``."""
        return Sheet(self.file, self.name, self.values[:n], self.row0, self.col0, self.merged, _parent=self)

    def text_codes(self) -> tuple[np.ndarray, list[str]] | None:
        """Every cell's text as a code (2-D, aligned with ``values``) into a list of texts, when the
        sheet was read that way (``CodedSheet``); None otherwise. Texts may repeat in the list.

        (A month's sheet has its ``factors`` too, but measured, recoding its body for the table costs
        what the table's own factorize of its thousand texts costs.)"""
        return None

    def row(self, i: int) -> np.ndarray:
        """The raw values of row ``i``."""
        return self.values[i]

    def value(self, i: int, j: int) -> object:
        return self.values[i, j]

    def address(self, i: int, j: int) -> str:
        """A1 address of values[i, j] (``a1``, with the column's letters made once per process)."""
        return f"{_letters(self.col0 + j)}{self.row0 + i + 1}"

    def row_number(self, i: int) -> int:
        """1-based sheet row of values[i], as Excel shows it."""
        return self.row0 + i + 1

    def where(self, i: int | None = None, j: int | None = None) -> dict:
        """Keyword arguments for InputError pointing at a cell (or just the sheet)."""
        cell = self.address(i, j) if i is not None and j is not None else None
        return {"file": self.file, "sheet": self.name, "cell": cell}


class CodedSheet(Sheet):
    """A sheet read as integer codes into its distinct values (``read.xlsx_values``).

    ``values`` is ``uniques[codes]``, pointer copies of a few dozen objects; the text of every cell
    is the text of each distinct value spread by the same codes, so nothing is hashed again.
    """

    def __init__(self, file: str, name: str | None, codes: np.ndarray, uniques: np.ndarray, row0: int, col0: int,
                 merged: list[tuple[int, int, int, int]]) -> None:
        super().__init__(file, name, uniques[codes], row0, col0, merged)
        self._codes = codes
        self._uniques = uniques
        self._texts_list: list[str] | None = None

    def factors(self) -> tuple[np.ndarray, list, list[str]]:
        """The codes it was read as (distinct values may repeat: a value's text is still its own)."""
        if self._factors is None:
            self._factors = (self._codes, self._uniques.tolist(), self._text_of)
        return self._factors

    def text_codes(self) -> tuple[np.ndarray, list[str]]:
        return self._codes, self._text_of

    @property
    def _text_of(self) -> list[str]:
        if self._texts_list is None:
            self._texts_list = cell_texts(self._uniques.tolist())
        return self._texts_list


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
                self._cache[key] = full.head_sheet(nrows)
            else:
                self._cache[key] = self._loader(name, nrows)
        return self._cache[key]


def open_book(path: str | os.PathLike) -> Book:
    """Open ``path`` for reading (never writing), turning every way it can fail into InputError."""
    from rostercheck.output import reading

    file = str(path)
    p = Path(path)
    reading(p)
    if not p.exists():
        raise InputError("file not found; expected the path of a roster spreadsheet (.xlsx or .csv)", file=file)
    if p.is_dir():
        raise InputError("is a directory; expected a roster spreadsheet file (.xlsx or .csv)", file=file)
    ext = p.suffix.lower()
    if ext in CSV_EXTENSIONS:
        return _open_csv(p, file)
    if ext in EXCEL_EXTENSIONS:
        from rostercheck.read.xlsx_values import SheetStream
        from rostercheck.safety import inspect

        parts: dict[str, bytes | SheetStream] = {}
        try:
            # bombs, entities, absurd extents, formulas without values: before any reader; the
            # worksheets are read as they are unpacked, their values used only once this has passed
            inspect(p, file, keep=parts, reader=SheetStream)
        except OSError as exc:
            raise InputError(f"cannot read the file ({exc.strerror or exc})", file=file) from None
        if sum(v.size if isinstance(v, SheetStream) else len(v) for v in parts.values()) < SMALL_WORKBOOK:
            parts = {}  # calamine: for a month's sheet its one object per cell costs less than numpy's set-up
        return _open_excel(p, file, parts)
    raise InputError(
        f"not a spreadsheet: expected a file ending in {', '.join(EXCEL_EXTENSIONS + CSV_EXTENSIONS)}"
        + (f", got {ext!r}" if ext else ""),
        file=file,
    )


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
    elif head.startswith(b"PK"):  # a zip container (xlsx, ods) that does not open: never "text"
        hint = " (it is a zip archive, but a damaged one or not a workbook: save it again from the spreadsheet app)"
    elif b"\x00" not in head and p.suffix.lower() != ".ods":
        hint = " (it looks like text: if it is CSV, give it a .csv name)"
    return InputError(f"not a readable Excel workbook{hint}: {detail}", file=file)


def _open_excel(p: Path, file: str, parts: dict | None = None) -> Book:
    """The workbook's sheets: read from the kept XML by ``read.xlsx_values`` where it can, by
    calamine otherwise (a whole workbook it declines, or one sheet)."""
    fast = _open_fast(parts)
    if fast is None:
        return _open_calamine(p, file)
    from rostercheck.read import xlsx_values

    read: dict[str, Sheet] = {}
    fallback: list[Book] = []

    def load(name: str | None, nrows: int | None) -> Sheet:
        if name not in read:
            try:
                coded = xlsx_values.read_sheet(fast, name)  # type: ignore[arg-type]
                read[name] = CodedSheet(file, name, coded.codes, coded.uniques, coded.row0, coded.col0,  # type: ignore[index]
                                        coded.merged)
            except Exception:  # Declined, or a shape its checks missed: calamine reads it, as before
                if not fallback:
                    fallback.append(_open_calamine(p, file))
                return fallback[0].sheet(name, nrows)
        full = read[name]  # type: ignore[index]
        if nrows is None:
            return full
        return full.head_sheet(nrows)

    return Book(file, fast.names, fast.visible, load)


def _open_fast(parts: dict | None):
    """The workbook as ``read.xlsx_values`` reads it, or None when it declines (calamine reads it)."""
    if not parts:
        return None
    from rostercheck.read import xlsx_values

    try:
        return xlsx_values.open_workbook(parts)
    except Exception:  # Declined, or a shape its checks missed: calamine opens it, as before
        return None


def _open_calamine(p: Path, file: str) -> Book:
    from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_path(str(p))
        meta = wb.sheets_metadata
    except PasswordError:
        raise InputError("the workbook is password-protected; save an unprotected copy", file=file) from None
    except BaseException as exc:  # calamine raises several types (ZipError, XmlError, CalamineError...)
        if not _reader_error(exc):
            raise
        raise _not_excel(p, file, str(exc)) from None
    names = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet]
    visible = [m.name for m in meta if m.typ == SheetTypeEnum.WorkSheet and m.visible == SheetVisibleEnum.Visible]
    parsed: dict[str, object] = {}
    whole: dict[str, list] = {}
    full: dict[str | None, Sheet] = {}

    def load(name: str | None, nrows: int | None) -> Sheet:
        if name in full:  # a month's sheet, read whole once: detection's top rows share its factors
            return full[name] if nrows is None else full[name].head_sheet(nrows)
        try:
            if name not in parsed:  # calamine parses the whole sheet here; do it once
                parsed[name] = wb.get_sheet_by_name(name)
            sh = parsed[name]
            if name in whole:
                rows = whole[name] if nrows is None else whole[name][:nrows]
            elif sh.height * sh.width <= _WHOLE_CELLS:
                # a month's sheet: its top rows for detection, then all of it, converted once
                rows = whole[name] = sh.to_python(skip_empty_area=True)
                if rows and min(map(len, rows)) == max(map(len, rows)):
                    # a rectangle (calamine's used range): its top rows are the whole sheet's top rows
                    sheet = full[name] = _calamine_sheet(file, name, rows, sh.start, sh.merged_cell_ranges)
                    return sheet if nrows is None else sheet.head_sheet(nrows)
                rows = rows if nrows is None else rows[:nrows]
            else:
                rows = sh.to_python(skip_empty_area=True, nrows=nrows)
            start = sh.start
            merged = sh.merged_cell_ranges or []
        except BaseException as exc:
            if not _reader_error(exc):
                raise
            if type(exc).__name__ == "WorksheetNotFound":  # listed in workbook.xml, its part absent
                raise InputError("the workbook lists this sheet but the file does not hold its cells (the part "
                                 "it points to is missing: the file is damaged or was not saved completely); "
                                 "open it in Excel or LibreOffice and save it again", file=file,
                                 sheet=name) from None
            raise InputError(f"not a readable Excel workbook: {exc}", file=file, sheet=name) from None
        return _calamine_sheet(file, name, rows, start, merged)

    return Book(file, names, visible, load)


def _calamine_sheet(file: str, name: str | None, rows: list[list], start, merged) -> Sheet:
    values = _rectangle(rows)
    row0, col0 = start if start is not None and values.size else (0, 0)
    ranges = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in merged or []]
    return Sheet(file, name, values, int(row0), int(col0), ranges)


def _reader_error(exc: BaseException) -> bool:
    """Whether calamine failed on the file: any Exception, or a Rust panic, which pyo3 raises as
    ``PanicException``, a BaseException (a short record in a crafted .xls does it). Ctrl-C and
    exits pass through."""
    return isinstance(exc, Exception) or type(exc).__name__ == "PanicException"


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


def _decode(raw: bytes) -> tuple[str, bool]:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else cp1252; and
    whether it was UTF-8."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # an odd byte or a lone surrogate: U+FFFD, as cp1252's
        return raw.decode("utf-16", errors="replace"), False
    try:
        return raw.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), False


def csv_text(raw: bytes, ext: str) -> tuple[str, str]:
    """A csv file's text and delimiter exactly as the reader takes them (same decoding, same sniff),
    for a writer that edits a copy by cell address: cut any other way, its rows and columns would
    not be the ones the findings and changes name."""
    text, _ = _decode(raw)
    return text, _sniff_delimiter(text[:_SNIFF], ext)


def _sniff_delimiter(text: str, ext: str) -> str:
    sample = "\n".join(text[:_SNIFF].splitlines()[:50])
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
    try:
        with p.open("rb") as fh:
            sheet = _read_csv(fh, file, p.suffix.lower())
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=file) from None

    def load(name: str | None, nrows: int | None) -> Sheet:
        if nrows is None:
            return sheet
        return Sheet(file, None, sheet.head(nrows))

    return Book(file, [None], [None], load)  # type: ignore[list-item]


class _NotUtf8(Exception):
    """A piece of a file taken for UTF-8 is not: the whole file is cp1252, read again from the top."""


def _read_csv(fh: BinaryIO, file: str, ext: str, piece: int = PIECE, block: int = BLOCK) -> Sheet:
    """A csv file read ``piece`` bytes at a time (never held whole), as UTF-8 text in blocks of
    ``block`` bytes of lines (``csv_columns.read_chunks``).

    The encoding is ``_decode``'s, decided from the head as far as it can be: a UTF-16 byte-order
    mark, or a head that is not UTF-8 (cp1252). A file whose head is UTF-8 is read as UTF-8, each
    piece checked; the first piece that is not sends the whole file back to the top as cp1252,
    which is what ``_decode`` of the whole file gives.
    """
    size = max(piece, _HEAD)
    head = _read_full(fh, size)
    if head.startswith(b"PK\x03\x04") or (b"\x00" in head[:4096] and not head.startswith(_UTF16)):
        raise InputError("not a CSV text file (it looks binary; is it a workbook with a .csv name?)", file=file)
    eof = len(head) < size
    encoding = "utf-16" if head.startswith(_UTF16) else "utf-8"
    if encoding == "utf-8":
        try:
            text = codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=eof)
        except UnicodeDecodeError:
            text = None  # not UTF-8: cp1252
        try:
            if text is not None:
                if head.startswith(codecs.BOM_UTF8):
                    head = head[len(codecs.BOM_UTF8) :]
                chunks = _checked_utf8(_pieces(fh, head, piece))
                return _csv_sheet_from(file, chunks, text[:_SNIFF], ext, block)
        except _NotUtf8:
            fh.seek(0)
            head = _read_full(fh, size)
        encoding = "cp1252"
    text = codecs.getincrementaldecoder(encoding)(errors="replace").decode(head, final=eof)
    chunks = _transcoded(_pieces(fh, head, piece), encoding)
    return _csv_sheet_from(file, chunks, text[:_SNIFF], ext, block)


def _pieces(fh: BinaryIO, head: bytes, piece: int) -> Iterator[bytes]:
    """The file from its ``head`` on, ``piece`` bytes at a time (the head too: it is read in one,
    long enough to sniff from, and handed on as pieces so that a small ``piece`` tests every seam)."""
    for at in range(0, len(head), piece):
        yield head[at : at + piece] if len(head) > piece else head
    while chunk := fh.read(piece):
        yield chunk


def _read_full(fh: BinaryIO, size: int) -> bytes:
    """The next ``size`` bytes, fewer only at the end of the file (a pipe may return less)."""
    out = fh.read(size)
    while len(out) < size and (more := fh.read(size - len(out))):
        out += more
    return out


def _csv_sheet_from(file: str, chunks: Iterable[bytes], head: str, ext: str, block: int) -> Sheet:
    delimiter = _sniff_delimiter(head, ext)
    try:
        nrows, columns = read_chunks(chunks, delimiter, block)
    except csv.Error as exc:
        raise InputError(f"not a readable CSV file: {exc}", file=file) from None
    return _csv_sheet(file, nrows, columns)


def _checked_utf8(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces of a file taken for UTF-8, each checked as it goes (``_NotUtf8`` at the first
    that is not; an ASCII piece is UTF-8 without decoding it, unless a character runs into it)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in chunks:
            if not (chunk.isascii() and not decoder.getstate()[0]):
                decoder.decode(chunk)
            yield chunk
        decoder.decode(b"", final=True)  # a character cut short at the end
    except UnicodeDecodeError:
        raise _NotUtf8 from None


def _transcoded(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """UTF-16 (its byte-order mark read and dropped) or cp1252 pieces as UTF-8, decoded as
    ``_decode`` decodes the whole file: a character split between pieces is joined, an odd last
    byte or a lone surrogate is U+FFFD."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    for chunk in chunks:
        if text := decoder.decode(chunk):
            yield text.encode("utf-8")
    if text := decoder.decode(b"", final=True):
        yield text.encode("utf-8")


class CsvSheet(Sheet):
    """A CSV file read column by column: ``values`` (the 2-D array) is built only if asked for.

    The long-table reader works on ``column`` alone, so a half-million-row export is never turned
    into a grid of Python objects.
    """

    def __init__(self, file: str, columns: list[Column], nrows: int) -> None:
        self._lazy: np.ndarray | None = None
        self._n = nrows
        self._width = len(columns)
        super().__init__(file, None, None)  # type: ignore[arg-type]
        self._columns = dict(enumerate(columns))

    @property  # type: ignore[override]
    def values(self) -> np.ndarray:
        if self._lazy is None:
            self._lazy = self.head(self._n)
        return self._lazy

    @values.setter
    def values(self, value: np.ndarray | None) -> None:
        self._lazy = value

    @property
    def nrows(self) -> int:
        return self._n

    @property
    def ncols(self) -> int:
        return self._width

    def head(self, n: int) -> np.ndarray:
        """The first ``n`` rows as a 2-D object array."""
        n = min(n, self._n)
        out = np.empty((n, self._width), dtype=object)
        for j, col in self._columns.items():
            out[:, j] = col.uniques[col.codes[:n]]
        return out

    def head_sheet(self, n: int) -> Sheet:
        """The first ``n`` rows as a plain sheet: its own factors (never the whole file's)."""
        return Sheet(self.file, None, self.head(n))

    def row(self, i: int) -> np.ndarray:
        return object_array([c.uniques[c.codes[i]] for c in self._columns.values()])

    def value(self, i: int, j: int) -> object:
        col = self._columns[j]
        return col.uniques[col.codes[i]]


def _csv_sheet(file: str, nrows: int, columns: Columns) -> Sheet:
    """CSV columns (``csv_columns``) -> a sheet of strings, one row per record (blank lines kept:
    they are rows).

    Read straight into columns (each distinct value stored once, per row an integer), so the
    reader never hashes a column again, and without pandas (``csv_columns``: numpy over the bytes
    for blocks without quotes, else the csv module).
    """
    if not columns:
        return Sheet(file, None, np.empty((0, 0), dtype=object))
    return CsvSheet(file, [Column(codes, uniques) for codes, uniques in columns], nrows)
