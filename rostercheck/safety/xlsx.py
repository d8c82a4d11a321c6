"""The cell-box and formula checks of one ``.xlsx``/``.xlsm`` worksheet part.

calamine aborts the whole process, not just raise, when a sheet places one cell at XFD1048576, so the
bounding box of a sheet's cells is measured from the raw XML first, with numpy over the positions of
every ``r`` attribute (however it is written), and a formula without a saved value is refused
(rostercheck reads values, never evaluates).
"""

from __future__ import annotations

import re

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import a1
from rostercheck.safety.limits import MAX_CELLS

_FORMULA = re.compile(rb"<f[ />]")


def _addr(col: int, row: int) -> str:
    """1-based (column, row) -> "E7", for messages."""
    return a1(row - 1, col - 1)


#: byte -> value lookups for the vectorised reference scan
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[9, 10, 13, 32]] = True
_LETTER = np.full(256, -1, dtype=np.int64)
_LETTER[np.arange(65, 91)] = np.arange(1, 27)
_LETTER[np.arange(97, 123)] = np.arange(1, 27)  # readers accept lower-case column letters
_DIGIT = np.full(256, -1, dtype=np.int64)
_DIGIT[np.arange(48, 58)] = np.arange(10)
_QUOTE = np.zeros(256, dtype=bool)
_QUOTE[[34, 39]] = True
_NAME_START = np.zeros(256, dtype=bool)  # the byte before a prefix's ":" in an element name
_NAME_START[np.r_[48:58, 65:91, 97:123, ord("_"), ord("-"), ord(".")]] = True
_DELIM = _SPACE.copy()
_DELIM[[ord(">"), ord("/")]] = True
MAX_SPACES = 16  # whitespace around "=" in an attribute; no writer puts more
_HUGE = 1 << 40


def _skip(a: np.ndarray, at: np.ndarray, table: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Advance each position past up to ``limit`` bytes of ``table``; also say which ran out of room.

    ``a`` is padded (``_padded``), so looking one byte ahead never runs off the end.
    """
    at = at.copy()
    idx = np.flatnonzero(table[a[at]])
    for _ in range(limit):
        if not len(idx):
            break
        at[idx] += 1
        idx = idx[table[a[at[idx]]]]
    long = np.zeros(len(at), dtype=bool)
    long[idx] = True
    return at, long


def _number(a: np.ndarray, at: np.ndarray, table: np.ndarray, base: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The number spelled by the run of ``table`` bytes at each position (letters base 26, digits base 10).

    Runs longer than ``width`` are out of any sheet's range and read as ``_HUGE``. Only positions
    still in their run are touched on each step, so short references cost little.
    """
    at = at.copy()
    value = np.zeros(len(at), dtype=np.int64)
    idx = np.arange(len(at))
    for _ in range(width):
        v = table[a[at[idx]]]
        idx = idx[v >= 0]
        if not len(idx):
            return value, at
        value[idx] = value[idx] * base + v[v >= 0]
        at[idx] += 1
    value[idx[table[a[at[idx]]] >= 0]] = _HUGE
    return value, at


def _padded(data: bytes) -> np.ndarray:
    """The bytes as uint8 with zeros after them: a look-ahead never needs a bounds check."""
    a = np.zeros(len(data) + 64, dtype=np.uint8)
    a[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    return a


def _pairs(a: np.ndarray, n: int, pair: bytes) -> np.ndarray:
    """Positions of a two-byte ``pair`` in ``a[:n]`` (even offsets first, then odd: not sorted).

    The bytes are compared two at a time as 16-bit words, at even and at odd offsets: half the
    comparisons of a byte-wise search, and ``flatnonzero`` only ever sees the rare hits.
    """
    word = pair[0] | (pair[1] << 8)
    half = n // 2
    even = np.flatnonzero(a[: 2 * half].view("<u2") == word) * 2
    odd = np.flatnonzero(a[1 : 1 + 2 * half].view("<u2") == word) * 2 + 1
    return np.concatenate([even, odd])


def _elements(a: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Openings of ``c`` and ``row`` elements (plain or prefixed, ``x:c``), and whether any ``f`` exists."""
    lt_c, co_c = _pairs(a, n, b"<c"), _pairs(a, n, b":c")
    lt_r, co_r = _pairs(a, n, b"<r"), _pairs(a, n, b":r")
    lt_f, co_f = _pairs(a, n, b"<f"), _pairs(a, n, b":f")
    co_c, co_r, co_f = (p[_NAME_START[a[np.maximum(p - 1, 0)]]] for p in (co_c, co_r, co_f))
    cells = np.concatenate([lt_c, co_c])  # unsorted: only counted, and placed among the sorted rows
    cells = cells[_DELIM[a[cells + 2]]]
    rows = np.sort(np.concatenate([lt_r, co_r]))
    rows = rows[(a[rows + 2] == 111) & (a[rows + 3] == 119) & _DELIM[a[rows + 4]]]
    formulas = np.concatenate([lt_f, co_f])
    return cells, rows, bool(_DELIM[a[formulas + 2]].any())


def _values(a: np.ndarray, n: int) -> np.ndarray:
    """Where the value of every attribute named ``r`` starts (just after its quote).

    A hostile file may write the attribute anywhere in the tag, in either quotes, with spaces
    around ``=``; readers accept all of that, so this does too. Almost every one is ``r="``, so
    only the others go through the slower whitespace skipping.
    """
    # " r"; not ":r", which is a namespace (xmlns:r="http://...") or another attribute than r
    pos = np.flatnonzero(a[1:n] == 114) + 1
    pos = pos[_SPACE[a[pos - 1]]]
    plain = (a[pos + 1] == 61) & _QUOTE[a[pos + 2]]
    odd = pos[~plain]
    if len(odd):
        at, long = _skip(a, odd + 1, _SPACE, MAX_SPACES)
        ok = (a[at] == 61) & ~long  # "="
        at, long = _skip(a, at[ok] + 1, _SPACE, MAX_SPACES)
        odd = at[_QUOTE[a[at]] & ~long]
    return np.concatenate([pos[plain] + 3, odd + 1])


def _small(a: np.ndarray, at: np.ndarray) -> bool:
    """True when no reference has three letters (column AAA, past 702) or five digits (row 10,000).

    Rosters live well inside 702 columns by 9,999 rows; a look at five bytes per reference proves
    it without reading any number.
    """
    one = _LETTER[a[at]] > 0
    two = one & (_LETTER[a[at + 1]] > 0)
    if (two & (_LETTER[a[at + 2]] > 0)).any():
        return False
    return not (_DIGIT[a[at + one + two + 4]] >= 0).any()


def _cell_extent(data: bytes) -> tuple[tuple[int, int, int, int] | None, bool]:
    """Upper bounds of (first col, last col, first row, last row) a reader would allocate, and
    whether the sheet has formulas.

    A reader takes a cell's position from its ``r`` attribute, or counts on from the previous
    cell or row when there is none. So the bounds come from every ``r`` attribute, widened by the
    cells in the fullest row and by the number of rows when some cell or row has no ``r``.
    Vectorised over the raw bytes (about 0.05 s for a 27 MB sheet; a regex costs several times that).
    """
    if len(data) < 16:
        return None, False
    a = _padded(data)
    n = len(data)
    cells, rows, formulas = _elements(a, n)
    if not len(cells) and not len(rows):
        return None, formulas
    at = _values(a, n)
    named = _LETTER[a[at]] > 0  # a cell's r has letters; a row's is a number
    extra_cols = extra_rows = 0
    if len(cells) > int(named.sum()):  # cells without r: each one counts on from the previous
        extra_cols = int(np.bincount(np.searchsorted(rows, cells), minlength=len(rows) + 1).max())
    if len(rows) > len(at) - int(named.sum()):  # rows without r: each one counts on too
        extra_rows = len(rows)
    if _small(a, at) and (702 + extra_cols) * (9_999 + extra_rows) <= MAX_CELLS:
        return None, formulas
    col, after = _number(a, at, _LETTER, 26, 3)
    row, _ = _number(a, after, _DIGIT, 10, 7)
    c = col[col > 0]
    rr = row[row > 0]
    c0, c1 = (int(c.min()), int(c.max())) if len(c) else (1, 1)
    r0, r1 = (int(rr.min()), int(rr.max())) if len(rr) else (1, 1)
    if extra_cols:
        c0, c1 = 1, c1 + extra_cols
    if extra_rows:
        r0, r1 = 1, r1 + extra_rows
    return (c0, c1, r0, r1), formulas


def check_sheet(data: bytes, name: str, sheet: str) -> None:
    """Raise ``InputError`` if this worksheet part's cells span more than ``MAX_CELLS`` or hold an unsaved formula."""
    ext, formulas = _cell_extent(data)
    if ext is not None:
        c0, c1, r0, r1 = ext
        box = (c1 - c0 + 1) * (r1 - r0 + 1)
        if c1 > 16384 or r1 > 1_048_576 or box > MAX_CELLS:
            raise InputError(
                f"cells span {_addr(min(c0, 16384), r0)}:{_addr(min(c1, 16384), r1)}, {box:,} cells (limit "
                f"{MAX_CELLS:,}): refusing a sheet that would need that much memory to read", file=name, sheet=sheet)
    if formulas:
        _check_formulas(data, name, sheet)


_C_OPEN = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?(/?)>')


def _check_formulas(data: bytes, name: str, sheet: str) -> None:
    """A formula cell must carry its cached value: rostercheck reads values, never evaluates."""
    for m in _C_OPEN.finditer(data):
        if m.group(2):
            continue  # <c .../> has no content at all
        end = data.find(b"</c>", m.end())
        body = data[m.end(): end if end >= 0 else len(data)]
        # <v>...</v> (even empty) is a saved value; <v/> or no <v> at all is a formula never computed
        if _FORMULA.search(body) and b"<v>" not in body and b"<is>" not in body:
            raise InputError("a formula with no saved value: rostercheck never evaluates formulas; open the file "
                             "in Excel and save it so the values are stored, or paste the cells as values",
                             file=name, sheet=sheet, cell=m.group(1).decode())
