"""The cell-box and formula checks of one ``.xlsx``/``.xlsm`` worksheet part.

calamine aborts the whole process, not just raise, when a sheet places one cell at XFD1048576, so the
bounding box of a sheet's cells is measured from the raw XML first, with numpy over the positions of
every ``r`` attribute (however it is written), and a formula without a saved value is refused
(rostercheck reads values, never evaluates).

A part up to ``CHUNK`` bytes is scanned in one piece. A larger one is fed in pieces as it is
unpacked (``SheetScan.feed``): memory stays bounded by the piece, whatever the part's size, and
the scan stops at the first piece whose cells already pass the limit, so a hostile 500 MB sheet
is refused after its first piece rather than after reading all of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import a1
from rostercheck.safety.limits import MAX_CELLS, MAX_COLS, MAX_ROWS

#: bytes of a part scanned at once; a larger part is streamed in pieces of this size
CHUNK = 4 * 1024 * 1024


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
#: bytes a piece looks past its end: the longest reference a scan reads from a position it owns
#: (space, r, 16 spaces, =, 16 spaces, quote, 3 letters, 7 digits and one more) fits well within it
_TAIL = 64


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
    a = np.zeros(len(data) + _TAIL, dtype=np.uint8)
    a[: len(data)] = np.frombuffer(data, dtype=np.uint8)
    return a


def _pairs(a: np.ndarray, n: int, pair: bytes) -> np.ndarray:
    """Positions of a two-byte ``pair`` starting in ``a[:n]`` (even offsets first, then odd: not sorted).

    The bytes are compared two at a time as 16-bit words, at even and at odd offsets: half the
    comparisons of a byte-wise search, and ``flatnonzero`` only ever sees the rare hits. ``a`` is
    padded past ``n``, so a pair starting at ``n - 1`` is seen too.
    """
    word = pair[0] | (pair[1] << 8)
    half = (n + 1) // 2
    even = np.flatnonzero(a[: 2 * half].view("<u2") == word) * 2
    odd = np.flatnonzero(a[1 : 1 + 2 * half].view("<u2") == word) * 2 + 1
    found = np.concatenate([even, odd])
    return found[found < n]


def _prefixed(a: np.ndarray, co: np.ndarray) -> np.ndarray:
    """The ``:x`` hits that end an element prefix (``x:c``), not an attribute or a namespace."""
    return co[_NAME_START[a[np.maximum(co - 1, 0)]]]


def _elements(a: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Openings of ``c``, ``row`` and ``f`` elements (plain or prefixed, ``x:c``); only rows sorted."""
    cells = np.concatenate([_pairs(a, n, b"<c"), _prefixed(a, _pairs(a, n, b":c"))])
    cells = cells[_DELIM[a[cells + 2]]]  # unsorted: sorted only when a formula needs its owner
    # even then odd offsets: two sorted runs, which a stable sort merges in one pass
    rows = np.sort(np.concatenate([_pairs(a, n, b"<r"), _prefixed(a, _pairs(a, n, b":r"))]), kind="stable")
    rows = rows[(a[rows + 2] == 111) & (a[rows + 3] == 119) & _DELIM[a[rows + 4]]]
    formulas = np.concatenate([_pairs(a, n, b"<f"), _prefixed(a, _pairs(a, n, b":f"))])
    return cells, rows, formulas[_DELIM[a[formulas + 2]]]


def _values(a: np.ndarray, lo: int, n: int) -> np.ndarray:
    """Where the value of every attribute named ``r`` in ``a[lo:n]`` starts (just after its quote).

    A hostile file may write the attribute anywhere in the tag, in either quotes, with spaces
    around ``=``; readers accept all of that, so this does too. Almost every one is ``r="``, so
    only the others go through the slower whitespace skipping.
    """
    # " r"; not ":r", which is a namespace (xmlns:r="http://...") or another attribute than r
    pos = np.flatnonzero(a[max(lo, 1):n] == 114) + max(lo, 1)
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


def _placed(a: np.ndarray, pos: np.ndarray, name_len: int) -> np.ndarray:
    """Which element openings start with ``r="`` or ``r='`` as their first attribute (``<c r="A1"``).

    Every writer puts ``r`` first; an element written any other way is counted as one a reader
    places by counting on from the previous one, which can only widen the box.
    """
    at = pos + 1 + name_len  # the byte after the name ("c": 1, "row": 3)
    return (a[at] == 32) & (a[at + 1] == 114) & (a[at + 2] == 61) & _QUOTE[a[at + 3]]


def _short_refs(a: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``_number``'s columns and rows for references ``_small`` has proven short (at most two
    letters, at most four digits): a fixed number of whole-array steps, no narrowing per step."""
    l0, l1 = _LETTER[a[at]], _LETTER[a[at + 1]]
    one = l0 > 0
    two = one & (l1 > 0)
    col = np.where(two, l0 * 26 + l1, np.where(one, l0, 0))
    start = at + one + two
    row = np.zeros(len(at), dtype=np.int64)
    going = np.ones(len(at), dtype=bool)
    for k in range(4):
        d = _DIGIT[a[start + k]]
        going &= d >= 0
        row = np.where(going, row * 10 + d, row)
    return col, row


@dataclass
class _Box:
    """What a scan has learnt of a sheet so far: reference extents and the counting-on allowances."""

    c0: int = _HUGE
    c1: int = 0
    r0: int = _HUGE
    r1: int = 0
    extra_cols: int = 0  # most cells in one row a reader places by counting on
    extra_rows: int = 0  # rows a reader places by counting on
    open_row: int = 0  # such cells so far in the row still open at the end of the last piece

    def span(self) -> tuple[int, int, int, int]:
        c0, c1 = (self.c0, self.c1) if self.c1 else (1, 1)
        r0, r1 = (self.r0, self.r1) if self.r1 else (1, 1)
        if self.extra_cols:
            c0, c1 = 1, c1 + self.extra_cols
        if self.extra_rows:
            r0, r1 = 1, r1 + self.extra_rows
        return c0, c1, r0, r1


def _measure(a: np.ndarray, lo: int, n: int, box: _Box, cells: np.ndarray, rows: np.ndarray,
             exact: bool) -> None:
    """Fold the references and element counts of ``a[lo:n]`` into ``box``.

    A reader takes a cell's position from its ``r`` attribute, or counts on from the previous
    cell or row when there is none. So every ``r`` value bounds the box, widened by the most cells
    placed by counting in any one row and by the number of rows placed by counting: a sound upper
    bound whatever mixture the file holds. ``exact`` False allows the short cut of ``_small`` (one
    piece only: the extents are then not needed).
    """
    box.extra_rows += int((~_placed(a, rows, 3) | (_DIGIT[a[rows + 8]] < 0)).sum())
    free_cells = cells[~_placed(a, cells, 1) | (_LETTER[a[cells + 6]] <= 0)]
    if len(free_cells):
        per_row = np.bincount(np.searchsorted(rows, free_cells), minlength=len(rows) + 1)
        per_row[0] += box.open_row
        box.extra_cols = max(box.extra_cols, int(per_row.max()))
        box.open_row = int(per_row[-1])
    elif len(rows):
        box.open_row = 0
    at = _values(a, lo, n)
    if not len(at):
        return
    small = _small(a, at)
    if not exact and small and (702 + box.extra_cols) * (9_999 + box.extra_rows) <= MAX_CELLS:
        return
    if small:  # a large part, scanned in pieces: extents needed, but every reference is short
        col, row = _short_refs(a, at)
    else:
        col, after = _number(a, at, _LETTER, 26, 3)
        row, _ = _number(a, after, _DIGIT, 10, 7)
    c = col[col > 0]
    rr = row[row > 0]
    if len(c):
        box.c0, box.c1 = min(box.c0, int(c.min())), max(box.c1, int(c.max()))
    if len(rr):
        box.r0, box.r1 = min(box.r0, int(rr.min())), max(box.r1, int(rr.max()))


def _refuse_box(box: _Box, name: str, sheet: str) -> None:
    c0, c1, r0, r1 = box.span()
    size = (c1 - c0 + 1) * (r1 - r0 + 1)
    if c1 > MAX_COLS or r1 > MAX_ROWS or size > MAX_CELLS:
        raise InputError(
            f"cells span {_addr(min(c0, MAX_COLS), min(r0, MAX_ROWS))}:{_addr(min(c1, MAX_COLS), min(r1, MAX_ROWS))}, "
            f"{size:,} cells (limit {MAX_CELLS:,}): refusing a sheet that would need that much memory to read",
            file=name, sheet=sheet)


# ------------------------------------------------------------------------------------ formulas
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3}[0-9]{1,7})["']""")


def _opening(a: np.ndarray, n: int, pair: bytes, name_len: int) -> np.ndarray:
    """Openings of one element (plain or prefixed) in ``a[:n]``, sorted: ``<v``, ``x:v``, ``<is``."""
    pos = np.concatenate([_pairs(a, n, b"<" + pair[:1]), _prefixed(a, _pairs(a, n, b":" + pair[:1]))])
    for k in range(1, len(pair)):
        pos = pos[a[pos + 1 + k] == pair[k]]
    return np.sort(pos[_DELIM[a[pos + 1 + name_len]]], kind="stable")


def _holds_value(a: np.ndarray, data: bytes, pos: np.ndarray, name_len: int) -> np.ndarray:
    """Which ``<v``/``<is`` openings start an element with content: ``<v>`` yes, ``<v/>`` no.

    ``<v>`` (even ``<v></v>``) is a saved value; ``<v/>`` is the placeholder of a formula never
    computed. The rare opening with attributes is looked at on its own.
    """
    nxt = a[pos + 1 + name_len]
    held = nxt == 62  # ">"
    for k in np.flatnonzero(_SPACE[nxt]).tolist():
        end = data.find(b">", int(pos[k]))
        held[k] = end > 0 and data[end - 1:end] != b"/"
    return held


@dataclass
class _Formulas:
    """The cell still open at the end of a piece: does it hold a formula, a value, and which is it."""

    open: bool = False
    formula: bool = False
    value: bool = False
    ref: str = ""
    rows: int = 0  # rows opened in earlier pieces (to name a cell written without a position)


_NO_VALUE = ("a formula with no saved value: rostercheck never evaluates formulas; open the file in Excel and "
             "save it so the values are stored, or paste the cells as values")


def _cell_name(a: np.ndarray, data: bytes, cells: np.ndarray, rows: np.ndarray, k: int, before: int) -> str:
    """Cell ``k`` of the (sorted) ``cells``: its ``r``, or where a reader counting on would place it."""
    pos = int(cells[k])
    end = data.find(b">", pos)
    m = _REF.search(data, pos, end if end > 0 else min(len(data), pos + 4096))
    if m:
        return m.group(1).decode().upper()
    r = int(np.searchsorted(rows, pos))
    row_start = int(rows[r - 1]) if r else 0
    return _addr(k + 1 - int(np.searchsorted(cells, row_start)), max(before + r, 1))


def _check_formulas(a: np.ndarray, data: bytes, lo: int, n: int, cells: np.ndarray, rows: np.ndarray,
                    formulas: np.ndarray, state: _Formulas, name: str, sheet: str) -> None:
    """A formula cell must carry its saved value: rostercheck reads values, never evaluates.

    Each ``<f>``, ``<v>`` and ``<is>`` belongs to the cell opened last before it (an ``f`` outside
    any cell is read by no reader); a cell holding a formula and neither is refused, named by its
    ``r`` (or counted position). The last cell of a piece may go on in the next one, so its state
    is carried. Vectorised: no loop per cell, whatever the number of formulas.
    """
    if not len(formulas) and not (state.open and state.formula):
        if len(cells):
            state.open, state.formula, state.value = True, False, False
        state.rows += len(rows)
        return
    cells = np.sort(cells, kind="stable")
    vals = _opening(a, n, b"v", 1)
    inline = _opening(a, n, b"is", 2)
    vals = np.concatenate([vals[_holds_value(a, data, vals, 1)], inline[_holds_value(a, data, inline, 2)]])
    vals = vals[vals >= lo]
    has_f = np.zeros(len(cells) + 1, dtype=bool)  # index 0: the cell carried from the last piece
    has_v = np.zeros(len(cells) + 1, dtype=bool)
    has_f[np.searchsorted(cells, formulas, side="right")] = True
    has_v[np.searchsorted(cells, vals, side="right")] = True
    has_f[0] = state.open and (state.formula or has_f[0])
    has_v[0] |= state.value
    last = len(cells)
    for k in np.flatnonzero(has_f & ~has_v).tolist():
        if k == last:
            break  # still open: decided by the next piece, or at the end
        cell = state.ref if k == 0 else _cell_name(a, data, cells, rows, k - 1, state.rows)
        raise InputError(_NO_VALUE, file=name, sheet=sheet, cell=cell)
    if last:
        state.open = True
        state.formula, state.value = bool(has_f[last]), bool(has_v[last])
        if state.formula:
            state.ref = _cell_name(a, data, cells, rows, last - 1, state.rows)
    else:
        state.formula, state.value = bool(has_f[0]), bool(has_v[0])
    state.rows += len(rows)


def _finish_formulas(state: _Formulas, name: str, sheet: str) -> None:
    if state.open and state.formula and not state.value:
        raise InputError(_NO_VALUE, file=name, sheet=sheet, cell=state.ref)


# ------------------------------------------------------------------------------------ a small part at once
#: below this many bytes ``passes_whole`` uses ``re`` and ``bytes.count`` (a fixed cost of a few
#: calls); above it, numpy (a fixed cost of some 70 calls, but a fraction of a nanosecond a byte)
SMALL_PART = 12 * 1024
#: above this many bytes ``passes_whole`` is not tried: its work per byte nears the scan's (19 against
#: 22 ms for a 3.9 MB piece), so a late False (a reference past ZZ9999) would nearly double the cost
PROOF_LIMIT = 512 * 1024
#: an ``r`` value ``_small`` would not call short (three letters, or a digit four bytes past the
#: leading letters, at most two of them), written ``r=``, spaces and a quote as ``_values`` reads it
_LONG_REF = re.compile(rb"r=[\t\n\r ]{0,%d}[\"'](?:[A-Za-z]{3}|[A-Za-z]{0,2}[^A-Za-z][\s\S]{3}[0-9])" % MAX_SPACES)
#: an ``r`` and whitespace before its ``=``: a spelling left to the scan
_SPACED_REF = re.compile(rb"r[\t\n\r ]{1,%d}=" % MAX_SPACES)


def _after_space(pattern: re.Pattern[bytes], data: bytes) -> bool:
    """Whether ``pattern`` matches anywhere in ``data`` right after a whitespace byte (as ``_values``
    takes an ``r``): every position it matches at is tried, none skipped by an earlier match."""
    at = 0
    while (m := pattern.search(data, at)) is not None:
        if m.start() and data[m.start() - 1] in b"\t\n\r ":
            return True
        at = m.start() + 1
    return False


#: a cell opening ``_measure`` counts as placed: ``_placed`` and a letter after the quote
_PLACED_CELL = re.compile(rb"<c r=[\"'][A-Za-z]")


def passes_whole(data: bytes) -> bool:
    """True only when the scan of ``data`` as one whole piece (``check_sheet``) is sure to pass.

    A sound shortcut for the usual small part, at a fraction of the scan's fixed cost. False says
    nothing (the scan then runs and gives its verdict), so no refusal can be lost or changed here.
    One whole piece is refused only for a formula cell without a value (``_check_formulas``) or
    for a box past the limits (``_refuse_box``); neither can happen when:

    - no ``<f`` or ``:f`` pair occurs at all: ``_elements`` then finds no formula;
    - no ``r`` value that ``_values`` reads fails ``_small`` (three letters, or a digit four
      bytes past the letters), and, for a small part, none is written with whitespace before
      its ``=`` (``_SPACED_REF``; left to the scan);
    - the cells and rows a reader places by counting on fit in
      ``(702 + cells) * (9,999 + rows) <= MAX_CELLS``, counted from above: every ``<c`` and
      ``:c`` pair (a superset of the cell openings ``_elements`` finds) less the ``<c`` openings
      ``_measure`` counts as placed (``<c r="`` and a letter), and every ``<r`` and ``:r`` pair
      (a superset of the rows). The most counted-on cells in one row is at most all of them.

    Then ``_measure`` returns before reading any extent (``small`` and the same inequality), and
    ``_refuse_box`` measures at most 1,299 columns by 18,491 rows, inside every limit.
    """
    if len(data) > PROOF_LIMIT:
        return False
    if len(data) < SMALL_PART:
        if b"<f" in data or b":f" in data or _after_space(_LONG_REF, data) or _after_space(_SPACED_REF, data):
            return False
        cells = data.count(b"<c") + data.count(b":c") - len(_PLACED_CELL.findall(data))
        rows = data.count(b"<r") + data.count(b":r")
        return (702 + cells) * (9_999 + rows) <= MAX_CELLS
    return _passes_whole_np(data)


def _passes_whole_np(data: bytes) -> bool:
    """``passes_whole`` for a larger part: pairs counted as 16-bit words (``_pairs``), and the
    ``r`` values found as ``_values`` finds them, but only when all are written ``r="``/``r='``
    (no ``r`` after whitespace is followed by whitespace, or by ``=`` and no quote: the spellings
    ``_values`` skips spaces for), so that they are exactly the ones ``_small`` is asked about."""
    n = len(data)
    a = _padded(data)
    half = (n + 1) // 2
    even, odd = a[: 2 * half].view("<u2"), a[1 : 1 + 2 * half].view("<u2")

    def count(pair: bytes) -> int:  # a pair never starts in the zero padding: no pair holds a zero
        word = pair[0] | (pair[1] << 8)
        return int(np.count_nonzero(even == word)) + int(np.count_nonzero(odd == word))

    if count(b"<f"):
        return False
    colon = a[np.flatnonzero(a[:n] == 58) + 1]  # the byte after every ":"
    if (colon == 102).any():  # ":f"
        return False
    cells = _pairs(a, n, b"<c")
    placed = int(np.count_nonzero(_placed(a, cells, 1) & (_LETTER[a[cells + 6]] > 0)))
    free_cells = len(cells) + int(np.count_nonzero(colon == 99)) - placed
    free_rows = count(b"<r") + int(np.count_nonzero(colon == 114))
    if (702 + free_cells) * (9_999 + free_rows) > MAX_CELLS:
        return False
    pos = np.flatnonzero(a[1:n] == 114) + 1  # as _values: an "r" after whitespace
    pos = pos[_SPACE[a[pos - 1]]]
    nxt = a[pos + 1]
    plain = (nxt == 61) & _QUOTE[a[pos + 2]]
    if (~plain & (_SPACE[nxt] | (nxt == 61))).any():
        return False
    return _small(a, pos[plain] + 3)


# ------------------------------------------------------------------------------------ the scan
class SheetScan:
    """One worksheet part, fed in pieces as it is unpacked; ``close`` after the last piece.

    Each piece owns the element openings that start in it; the scan looks ``_TAIL`` bytes past its
    end to read a reference that straddles it, and keeps those bytes (and the two before, for a
    ``" r"`` or ``"<c"`` split by the cut) for the next piece.
    """

    def __init__(self, name: str, sheet: str) -> None:
        self.name, self.sheet = name, sheet
        self.box = _Box()
        self.formulas = _Formulas()
        self.pending: bytes | None = None  # the last piece fed, scanned once the next one shows it is not alone
        self.carry = b""
        self.pieces = 0

    def feed(self, chunk: bytes) -> None:
        if self.pending is not None:
            self._advance(self.pending)
        self.pending = chunk

    def close(self) -> None:
        if self.pending is not None and not self.pieces and not self.carry:
            if passes_whole(self.pending):  # the usual small part: proven to pass without the scan
                self.pending = None
                return
            self.carry = self.pending  # one piece: the whole part at once (the usual case, and the fastest)
        elif self.pending is not None:
            self._advance(self.pending)
        self.pending = None
        if self.carry:
            self._scan(self.carry, 2 if self.pieces else 0, len(self.carry), final=True)
        _refuse_box(self.box, self.name, self.sheet)
        _finish_formulas(self.formulas, self.name, self.sheet)

    def _advance(self, chunk: bytes) -> None:
        data = self.carry + chunk if self.carry else chunk
        if len(data) <= 2 * _TAIL:
            self.carry = data
            return
        n = len(data) - _TAIL
        self._scan(data, 2 if self.pieces else 0, n, final=False)
        self.carry = data[n - 2:]

    def _scan(self, data: bytes, lo: int, n: int, final: bool) -> None:
        a = np.zeros(len(data) + _TAIL, dtype=np.uint8)
        a[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        whole = final and not self.pieces
        cells, rows, formulas = _elements(a, n)
        cells, rows, formulas = cells[cells >= lo], rows[rows >= lo], formulas[formulas >= lo]
        self.pieces += 1
        _measure(a, lo, n, self.box, cells, rows, exact=not whole)
        if not whole:
            _refuse_box(self.box, self.name, self.sheet)  # stop at the first piece past the limit
        _check_formulas(a, data, lo, n, cells, rows, formulas, self.formulas, self.name, self.sheet)


def check_sheet(data: bytes, name: str, sheet: str) -> None:
    """Raise ``InputError`` if this worksheet part's cells span more than ``MAX_CELLS`` or hold an unsaved formula."""
    scan = SheetScan(name, sheet)
    scan.carry = data
    scan.close()
