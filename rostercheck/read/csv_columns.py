"""CSV text -> columns of distinct values, without pandas, a block of lines at a time
(docs/performance.md, "csv reader" and "csv read in blocks").

A scheduling-system export is a long table: half a million lines, each ``name,pgy,team,date,code``,
no quotes. Importing pandas to read it costs more CPU than the whole check may spend, and the
``csv`` module makes a Python list per line. Here the text is taken in blocks of whole lines (about
``BLOCK`` bytes each, so the file never has to be in memory whole, and a block's arrays stay in the
processor's cache). A block with no quote character is cut with numpy over its bytes: the line
ends and delimiters are found once, every field becomes a (start, length) pair, and each column is
factorized on integer keys (the field's bytes read eight at a time), so Python only ever touches
each block's distinct values, to decode them and number them across blocks (``_Table``). From the
first block that holds anything else (quoted fields, NUL bytes, a field longer than the csv module
accepts) to the end, the ``csv`` module reads the lines, which is correct by construction: every
earlier line held no quote, so that block starts a record. The fast path is tested against the
csv module on generated files, with blocks as small as one line (tests/test_csv_columns.py).

Both paths give what ``csv.reader(io.StringIO(text, newline=""), delimiter=...)`` gives, short
rows padded with "": the row count (blank lines included; a final line break adds no row), and
per column the distinct strings in sorted order (the order pandas' categories had, so the first
error found among distinct values stays the one reported) and a code per row, in the narrowest
signed integer type that holds them (a code column of a few dozen values takes a byte a row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from operator import itemgetter

import numpy as np

from rostercheck.table import code_dtype

#: bytes of whole lines parsed at a time: a block's position arrays (a few hundred KB) stay in the
#: cache and the read holds them, not the whole file's; measured in docs/performance.md
BLOCK = 1 << 20
#: byte masks keeping the first k bytes of a little-endian 8-byte word, k = 0..8
_KEEP = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_MIX = np.uint64(0x9E3779B97F4A7C15)  # multiplier of the lookup table's slot hash (Fibonacci hashing)
_FOLD = np.uint64(0xC2B2AE3D27D4EB4F)  # multiplier folding a long field's words into one key
_EXACT_WORDS = 4  # fields up to 32 bytes are numbered word by word; longer ones by a folded key
_SAMPLE = 4096  # distinct keys are first looked for among this many run heads
_SCAN = 1 << 18  # bytes compared at a time when looking for line breaks and delimiters
_ROWS = 8192  # rows the csv module reads before they are factorized (bounded memory there too)

Columns = list[tuple[np.ndarray, np.ndarray]]  # per column: (codes, sorted distinct strings)
#: one column of one block: its distinct texts (in no order), per run of equal rows the index of
#: its text, and where each run starts (None: every row is a run)
_Factors = tuple[list[str], np.ndarray, "np.ndarray | None"]


class _Unsupported(Exception):
    """A field longer than the csv module accepts, or a key collision: the csv module reads the
    rest of the file instead (and refuses an over-long field with its own message)."""


def read_columns(data: bytes, delimiter: str, block: int = BLOCK) -> tuple[int, Columns]:
    """The rows of a CSV text as columns: ``(row count, [(codes, uniques), ...])``.

    ``data`` is the text as UTF-8 without a byte-order mark. No columns when no row has a cell
    (an empty file, or only blank lines). Raises ``csv.Error`` when the csv module refuses the file.
    """
    return read_chunks([data], delimiter, block)


def read_chunks(chunks: Iterable[bytes], delimiter: str, block: int = BLOCK) -> tuple[int, Columns]:
    """``read_columns`` of the text the ``chunks`` make end to end (cut anywhere, even inside a
    line or a character): a file is read a piece at a time and never held whole."""
    table = _Table()
    simple = _simple_delimiter(delimiter)
    blocks = whole_lines(chunks, block)
    for piece in blocks:
        if simple and b'"' not in piece and b"\0" not in piece:
            try:
                table.add(*_parse_block(piece, delimiter))
                continue
            except _Unsupported:
                pass
        _read_rest_with_csv_module(table, chain([piece], blocks), delimiter)
        break
    return table.result()


def fast_path_applies(data: bytes, delimiter: str) -> bool:
    """Whether the text holds nothing the byte splitter would read differently from the csv module:
    a quote starts a quoted field (which may hold delimiters and line breaks), and a NUL byte would
    be mistaken for the padding of a short field."""
    return _simple_delimiter(delimiter) and b'"' not in data and b"\0" not in data


def _simple_delimiter(delimiter: str) -> bool:
    return len(delimiter) == 1 and delimiter not in '"\r\n\0' and ord(delimiter) < 128


def whole_lines(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The text the ``chunks`` make, in blocks of whole lines of about ``size`` bytes (more when a
    line is longer; the last block may lack a final line break).

    A block ends just after a "\\n", so a "\\r\\n" is never split and no UTF-8 character is (its
    bytes are all over 0x7F). Only a text with no "\\n" at all is cut after a lone "\\r", one whose
    next byte is already there (it might have been the "\\r" of a "\\r\\n"). The csv module splits
    lines the same way, so the blocks' lines are the text's lines.
    """
    carry = b""
    for chunk in chunks:
        if not chunk:
            continue
        data = carry + chunk if carry else bytes(chunk)
        start = 0
        while len(data) - start >= size:
            cut = _cut(data, start, start + size)
            if cut is None:
                break
            yield data[start:cut]
            start = cut
        carry = data[start:]
    if carry:
        yield carry


def _cut(data: bytes, start: int, stop: int) -> int | None:
    """Where a block starting at ``start`` ends: after the last "\\n" before ``stop``, else after
    the first one past it (a long line), else after the last "\\r" but one (a text of lone CRs),
    else None (the line goes on past the data so far)."""
    nl = data.rfind(b"\n", start, stop)
    if nl < 0:
        nl = data.find(b"\n", stop)
    if nl >= 0:
        return nl + 1
    cr = data.rfind(b"\r", start, len(data) - 1)
    return cr + 1 if cr >= 0 else None


def _read_rest_with_csv_module(table: _Table, blocks: Iterable[bytes], delimiter: str) -> None:
    """The reference reading, from a block that starts a record to the end: the csv module, fed
    the blocks' lines as ``io.StringIO(text, newline="")`` splits them, ``_ROWS`` rows at a time."""
    lines = (line for piece in blocks for line in io.StringIO(piece.decode("utf-8"), newline=""))
    reader = csv.reader(lines, delimiter=delimiter)
    while rows := list(islice(reader, _ROWS)):
        table.add_rows(rows)


def read_with_csv_module(text: str, delimiter: str) -> tuple[int, Columns]:
    """The csv module's reading of a whole text (the reference the fast path is tested against)."""
    table = _Table()
    _read_rest_with_csv_module(table, [text.encode("utf-8")], delimiter)
    return table.result()


class _Table:
    """The columns read so far: per column a dict numbering its distinct texts in order of first
    sight, and per block a piece: the table's numbers of the block's distinct texts, and per row
    which of them (in the narrowest type: a block of a thousand residents' lines has a few dozen
    names, 365 dates). Joined and renumbered to sorted order at the end.

    A column first seen in a later block (a longer row) is "" on every row before it, and a column
    a block lacks is "" there, as the csv module's short rows are padded.
    """

    def __init__(self) -> None:
        self.nrows = 0
        self.index: list[dict[str, int]] = []
        self.pieces: list[list[tuple[np.ndarray, np.ndarray]]] = []
        self.filled: list[int] = []  # rows of each column that have pieces

    def add(self, nrows: int, columns: list[_Factors]) -> None:
        """One block parsed by ``_parse_block``."""
        for j, (texts, at, heads) in enumerate(columns):
            local = at.astype(code_dtype(len(texts)))
            self._put(j, texts, local if heads is None else np.repeat(local, np.diff(heads, append=nrows)))
        self.nrows += nrows

    def add_rows(self, rows: list[list[str]]) -> None:
        """Rows from the csv module, numbered with a dict per column."""
        width = max(map(len, rows))
        if width == 0:
            self.nrows += len(rows)
            return
        if min(map(len, rows)) < width:
            pad = [""] * width
            rows = [r if len(r) == width else r + pad[len(r) :] for r in rows]
        for j in range(width):
            cells = list(map(itemgetter(j), rows))
            local = {v: k for k, v in enumerate(dict.fromkeys(cells))}
            kind = code_dtype(len(local))
            self._put(j, list(local), np.fromiter(map(local.__getitem__, cells), dtype=kind, count=len(cells)))
        self.nrows += len(rows)

    def _put(self, j: int, texts: list[str], local: np.ndarray) -> None:
        """The block's rows ``self.nrows...`` of column ``j``: ``texts[local]``."""
        while len(self.index) <= j:
            self.index.append({})
            self.pieces.append([])
            self.filled.append(0)
        self._pad(j, self.nrows)
        index = self.index[j]
        ids = np.fromiter((index.setdefault(t, len(index)) for t in texts), dtype=np.int32, count=len(texts))
        self.pieces[j].append((ids, local))
        self.filled[j] = self.nrows + local.size

    def _pad(self, j: int, upto: int) -> None:
        """Column ``j`` is "" on the rows before ``upto`` that no piece covers."""
        gap = upto - self.filled[j]
        if gap > 0:
            index = self.index[j]
            ids = np.array([index.setdefault("", len(index))], dtype=np.int32)
            self.pieces[j].append((ids, np.zeros(gap, dtype=np.int8)))
            self.filled[j] = upto

    def result(self) -> tuple[int, Columns]:
        """The columns, their pieces joined (and freed one by one) into codes of sorted texts."""
        columns = []
        for j in range(len(self.index)):
            self._pad(j, self.nrows)
            renumber, uniques = _order(list(self.index[j]))
            renumber = renumber.astype(code_dtype(uniques.size))
            codes = np.empty(self.nrows, dtype=renumber.dtype)
            at = 0
            pieces = self.pieces[j]
            for k, (ids, local) in enumerate(pieces):
                np.take(renumber[ids], local, out=codes[at : at + local.size])
                at += local.size
                pieces[k] = None  # type: ignore[call-overload]
            self.pieces[j] = []
            columns.append((codes, uniques))
        return self.nrows, columns


def _read_fast(data: bytes, delimiter: str, block: int = BLOCK) -> tuple[int, Columns]:
    """The fast path alone, over every block (tests call it: ``_Unsupported`` rather than the csv
    module)."""
    assert fast_path_applies(data, delimiter)
    table = _Table()
    for piece in whole_lines([data], block):
        table.add(*_parse_block(piece, delimiter))
    return table.result()


def _parse_block(data: bytes, delimiter: str) -> tuple[int, list[_Factors]]:
    """One block of whole lines without quotes -> its row count and each column's factors."""
    buf = np.frombuffer(data, dtype=np.uint8)
    ends, starts = _lines(buf, data)
    nrows = ends.size
    delims = _positions(buf, ord(delimiter))
    limit = csv.field_size_limit()
    words = _Words(data)
    fields = _rectangular(delims, starts, ends)
    if fields is None:  # blank or ragged lines: where each line's delimiters begin, and how many
        first = np.searchsorted(delims, starts)
        count = np.searchsorted(delims, ends) - first
        width = int(count.max()) + 1
        if width == 1 and not (ends - starts).any():
            return nrows, []  # only blank lines: no cells at all
    else:
        width = fields.shape[1] + 1
    columns = []
    for j in range(width):
        if fields is not None:
            s = starts if j == 0 else fields[:, j - 1] + 1
            e = ends if j == width - 1 else fields[:, j]
        else:
            has = count >= j
            last = delims.size - 1
            s = starts if j == 0 else delims[np.clip(first + j - 1, 0, last)] + 1
            inner = j < count
            e = np.where(inner, delims[np.clip(first + j, 0, max(last, 0))] if delims.size else 0, ends)
            s = np.where(has, s, 0)
            e = np.where(has, e, 0)
        lengths = e - s
        longest = int(lengths.max())
        if longest > limit:
            raise _Unsupported  # the csv module raises its own error for it
        columns.append(_factorize(data, words, s, e, lengths, longest))
    return nrows, columns


def _positions(buf: np.ndarray, byte: int) -> np.ndarray:
    """Where ``byte`` occurs, found a slice at a time so the comparison never takes a file-sized
    mask. Offsets are int32 below 2 GB: every offset array (delimiters, line ends, each column's
    starts and lengths) then takes half the memory."""
    kind = _offsets(buf.size)
    step = _SCAN
    if buf.size == 0:
        return np.zeros(0, dtype=kind)
    return np.concatenate(
        [np.flatnonzero(buf[a : a + step] == byte).astype(kind) + kind(a) for a in range(0, buf.size, step)]
    )


def _offsets(n: int) -> type:
    return np.int32 if n < 2**31 - 64 else np.int64


def _lines(buf: np.ndarray, data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Where each line's text ends and where it starts, as the csv module splits lines: at
    "\\n", "\\r\\n" or a lone "\\r"; text after the last break is a line, a final break adds none."""
    n = buf.size
    nl = _positions(buf, 10)
    if b"\r" in data:
        cr = _positions(buf, 13)
        pair = np.zeros(cr.size, dtype=bool)
        inside = cr + 1 < n
        pair[inside] = buf[cr[inside] + 1] == 10
        lone_nl = nl[(nl == 0) | (buf[np.maximum(nl - 1, 0)] != 13)]
        ends = np.concatenate([cr, lone_nl])
        step = np.concatenate([np.where(pair, 2, 1), np.ones(lone_nl.size, dtype=np.int64)]).astype(cr.dtype)
        order = np.argsort(ends, kind="stable")
        ends, step = ends[order], step[order]
        after = ends + step
    else:
        ends, after = nl, nl + 1
    if ends.size == 0 or after[-1] < n:
        ends = np.append(ends, n)
        after = np.append(after, n + 1)
    starts = np.concatenate([np.zeros(1, dtype=after.dtype), after[:-1]])
    return ends, starts


def _rectangular(delims: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """The delimiters as a (rows, k) array when every line has exactly k of them (the common
    export: no blank or ragged line), else None. Sorted delimiters dealt k to a line fit exactly
    when each line's first lies after its start and its last before its end."""
    rows = starts.size
    if delims.size % rows:
        return None
    k = delims.size // rows
    if k == 0:
        return delims.reshape(rows, 0) if (ends > starts).all() else None
    grid = delims.reshape(rows, k)
    if (grid[:, 0] >= starts).all() and (grid[:, -1] < ends).all():
        return grid
    return None


class _Words:
    """The 8 bytes at any offset of the file as a little-endian integer, for many offsets at once.

    An unaligned uint64 view with a one-byte stride reads them in one gather; offsets within 8
    bytes of the end read the last word shifted, zero-filled.
    """

    def __init__(self, data: bytes) -> None:
        if len(data) < 8:
            data = data + bytes(8 - len(data))
        self.top = len(data) - 8
        self.view = np.ndarray((self.top + 1,), dtype="<u8", buffer=data, offset=0, strides=(1,))

    def at(self, pos: np.ndarray) -> np.ndarray:
        top = self.top
        if pos.size == 0 or int(pos.max()) <= top:
            return self.view[pos]
        over = pos > top
        out = self.view[np.minimum(pos, top)]
        shift = np.minimum(pos[over] - top, 8).astype(np.uint64)
        tail = self.view[top] >> (np.minimum(shift, np.uint64(7)) * np.uint64(8))
        out[over] = np.where(shift >= 8, np.uint64(0), tail)
        return out


def _factorize(
    data: bytes, words: _Words, s: np.ndarray, e: np.ndarray, lengths: np.ndarray, longest: int
) -> _Factors:
    """One column's fields -> its factors (distinct texts, a text per run, where runs start).

    A field is its length and its bytes read as 8-byte words: at 0, 8, 16... and the last word
    ending with the field (overlapping the one before it), so no byte of a neighbour is read and
    only fields under 8 bytes need masking. Long tables repeat a value down a run of rows (a
    resident's 365 lines), so runs are found first (every word and the length against the row
    above) and only the first row of each run is factorized: word by word, each word's distinct
    values numbered (``_lookup``) and combined with the numbers so far, renumbered at each step so
    the combined number stays below the row count. Exact, with no hash to trust.
    """
    m = s.size
    shortest = int(lengths.min())
    nwords = max(1, -(-longest // 8))
    if nwords > _EXACT_WORDS:
        return _factorize_long(data, words, s, lengths, nwords)
    if shortest >= 8:
        keep = None
    else:
        keep = _KEEP[lengths if longest <= 8 else np.minimum(lengths, 8)]
    # the last word ends with the field (starts at the field when it is shorter than 8 bytes)
    tail = None if nwords == 1 else (e - 8 if shortest >= 8 else np.maximum(e - 8, s))
    change = np.empty(m, dtype=bool)
    change[0] = True
    parts = []
    for k in range(nwords):
        if k == 0:
            pos = s
        elif k == nwords - 1:
            pos = tail
        else:
            pos = np.minimum(tail, s + 8 * k)
        w = words.at(pos)
        if keep is not None:
            w &= keep
        parts.append(w)
        if k == 0:
            np.not_equal(w[1:], w[:-1], out=change[1:])
        else:
            change[1:] |= w[1:] != w[:-1]
    if nwords > 1 and shortest < longest:
        change[1:] |= lengths[1:] != lengths[:-1]
    heads = np.flatnonzero(change)
    if heads.size == m:
        heads = None  # no runs: every row is looked up
    keys = [w if heads is None else w[heads] for w in parts]
    if nwords > 1 and shortest < longest:
        keys.append((lengths if heads is None else lengths[heads]).astype(np.uint64))
    distinct, at = _lookup(keys[0])
    for key in keys[1:]:
        more, code = _lookup(key)
        at *= more.size
        at += code
        distinct, at = _lookup(at.view(np.uint64))  # both numbers in one, never negative
    rep = np.empty(distinct.size, dtype=np.int64)
    rep[at] = np.arange(at.size) if heads is None else heads  # a row holding each distinct value
    starts, lens = s[rep].tolist(), lengths[rep].tolist()
    return [data[a : a + b].decode("utf-8") for a, b in zip(starts, lens, strict=True)], at, heads


def _factorize_long(
    data: bytes, words: _Words, s: np.ndarray, lengths: np.ndarray, nwords: int
) -> _Factors:
    """``_factorize`` for a column with long fields (notes, comments), in memory bounded by the
    row count: the words are folded into one 64-bit key as they are read, never all kept. Runs
    are still found exactly; the key only groups the first row of each run, and every such row
    is then compared word for word with the row its key picked: a collision is caught (the csv
    module then reads the file), never trusted."""
    m = s.size
    change = np.empty(m, dtype=bool)
    change[0] = True
    np.not_equal(lengths[1:], lengths[:-1], out=change[1:])
    key = lengths.astype(np.uint64)
    for k in range(nwords):
        w = _word(words, s, lengths, k, nwords)
        change[1:] |= w[1:] != w[:-1]
        key *= _FOLD
        key ^= key >> np.uint64(29)
        key ^= w
    heads = np.flatnonzero(change)
    distinct, at = _lookup(key[heads])
    del key
    rep = np.empty(distinct.size, dtype=np.int64)
    rep[at] = heads
    other = rep[at]
    check = np.flatnonzero(other != heads)
    mine, theirs = heads[check], other[check]
    same = lengths[mine] == lengths[theirs]
    for k in range(nwords):
        same &= _word(words, s[mine], lengths[mine], k, nwords) == _word(words, s[theirs], lengths[theirs], k, nwords)
    if not same.all():
        raise _Unsupported
    starts, lens = s[rep].tolist(), lengths[rep].tolist()
    texts = [data[a : a + b].decode("utf-8") for a, b in zip(starts, lens, strict=True)]
    return texts, at, (None if heads.size == m else heads)


def _word(words: _Words, s: np.ndarray, lengths: np.ndarray, k: int, nwords: int) -> np.ndarray:
    """Word ``k`` of each field, as ``_factorize`` reads it (the last one ends with the field)."""
    if k == 0:
        pos = s
    else:
        tail = s + np.maximum(lengths - 8, 0)
        pos = tail if k == nwords - 1 else np.minimum(tail, s + 8 * k)
    w = words.at(pos)
    short = lengths < 8
    if short.any():
        w[short] &= _KEEP[lengths[short]]
    return w


def _lookup(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``keys`` (in no promised order) and, per key, its index among them.

    The distinct keys of a sample go into an open table of 8 to 16 times as many slots, indexed by
    the top bits of a multiplicative hash: one gather finds almost every key. The few it misses
    (two distinct keys on one slot, or a key outside the sample) are found by binary search in the
    sample, and those not there are numbered after it.
    """
    sample = np.unique(keys[:_SAMPLE])
    bits = max(4, int(sample.size).bit_length() + 3)
    slot_of = (sample * _MIX) >> np.uint64(64 - bits)
    # an empty slot holds a key whose own slot is elsewhere, so no key is ever found in it
    table = np.full(1 << bits, sample[0], dtype=np.uint64)
    index = np.zeros(1 << bits, dtype=np.int64)
    table[slot_of] = sample
    index[slot_of] = np.arange(sample.size)
    slots = keys * _MIX
    slots >>= np.uint64(64 - bits)
    found = table.take(slots)
    missing = np.flatnonzero(found != keys)
    at = index.take(slots, out=found.view(np.int64))  # the found keys' buffer, reused
    if missing.size == 0:
        return sample, at
    rest = keys[missing]
    pos = np.minimum(np.searchsorted(sample, rest), sample.size - 1)
    known = sample[pos] == rest
    at[missing[known]] = pos[known]
    if known.all():
        return sample, at
    new, code = np.unique(rest[~known], return_inverse=True)
    at[missing[~known]] = sample.size + code
    return np.concatenate([sample, new]), at


def _order(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct strings in sorted order, and for each its position there."""
    order = sorted(range(len(texts)), key=texts.__getitem__)
    uniques = np.empty(len(texts), dtype=object)
    uniques[:] = [texts[k] for k in order]
    renumber = np.empty(len(texts), dtype=np.int64)
    renumber[order] = np.arange(len(texts), dtype=np.int64)
    return renumber, uniques
