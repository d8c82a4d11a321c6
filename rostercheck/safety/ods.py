"""Look at an .ods workbook's ``content.xml`` before calamine does.

calamine parses every sheet of an OpenDocument spreadsheet when the file is opened, and lays the
cells out the way the XML spells them:

- ``table:number-columns-repeated`` on an empty cell costs nothing while that cell ends its row (the
  way LibreOffice pads rows to 16,384 columns), but once any other cell follows it in the row, every
  repeated empty cell is written out (about 56 bytes each);
- ``table:number-rows-repeated`` on an empty row costs nothing at the end of a sheet (LibreOffice pads
  sheets to 1,048,576 rows), but between rows with values it becomes a block of empty cells;
- each sheet is then kept as the bounding box of its non-empty cells, rows x columns, and all sheets
  of the workbook are held at once.

So a file of a few hundred bytes makes it allocate gigabytes, and it aborts the whole process (Rust
"memory allocation of N bytes failed") rather than raising. A ``content.xml`` that ends inside a
sheet makes it loop forever. ``check_ods_content`` works all of that out from the raw bytes, with
numpy over the positions of ``<`` and ``=`` (no Python loop per cell), and refuses the file with a
one-line ``InputError`` when a sheet, or the workbook, would pass ``limits.MAX_CELLS``.

The estimate errs high: a cell counts as non-empty when its tag carries any value attribute
(``office:value-type``, ``office:value``, ``office:*-value``, ``table:formula``), and stray markup
(cells outside rows, text that looks like an attribute) is counted rather than ignored. Comments,
CDATA and processing instructions are skipped; a DTD is refused, and so is a sheet or row placed
inside another (calamine skips what a cell holds, so such a file would be measured differently).
Checked against python-calamine 0.9.1 (calamine 0.37): see tests/test_security_ods.py.
"""

from __future__ import annotations

import html
import re

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import a1
from rostercheck.safety.limits import MAX_CELLS, MAX_COLS, MAX_ROWS

_BIG = 1 << 40  # stands for any repeat count of 14 digits or more

_WS = b" \t\r\n"
_QUOTED = re.compile(rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_TABLE_NAME = re.compile(rb"""\stable:name\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_INT = re.compile(r"\+?[0-9]+")
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")
_COLS_REPEATED = b"table:number-columns-repeated"
_ROWS_REPEATED = b"table:number-rows-repeated"
_VALUE_ATTRS = (b"office:value-type", b"office:value", b"office:string-value", b"office:date-value",
                b"office:time-value", b"office:boolean-value", b"table:formula")


def _addr(col: int, row: int) -> str:
    """1-based (column, row) -> "E7", for messages."""
    return a1(row - 1, col - 1)


def _is_ws(ch: np.ndarray) -> np.ndarray:
    return (ch == 32) | (ch == 9) | (ch == 10) | (ch == 13)


def _words(a: np.ndarray) -> np.ndarray:
    """``w[i]`` is the 8 bytes ``a[i:i + 8]`` as one little-endian integer (a view, no copy)."""
    return np.ndarray(shape=(len(a) - 7,), dtype="<u8", buffer=a, strides=(1,))


def _word(pat: bytes) -> tuple[int, int]:
    """(value, mask) of up to 8 bytes, for comparing against ``_words``."""
    return int.from_bytes(pat.ljust(8, b"\0"), "little"), int.from_bytes(b"\xff" * len(pat) + b"\0" * (8 - len(pat)),
                                                                        "little")


def _follow_idx(w: np.ndarray, pos: np.ndarray, pat: bytes, offset: int) -> np.ndarray:
    """The indices i where ``pat`` is found at ``pos[i] + offset``."""
    idx = np.arange(len(pos))
    for i in range(0, len(pat), 8):
        value, mask = _word(pat[i:i + 8])
        got = w[pos[idx] + offset + i]
        if mask != 0xFFFF_FFFF_FFFF_FFFF:
            got &= np.uint64(mask)
        idx = idx[got == np.uint64(value)]
    return idx


def _follow(w: np.ndarray, pos: np.ndarray, pat: bytes, offset: int) -> np.ndarray:
    """The positions p in ``pos`` where ``pat`` is found at p + offset."""
    return pos[_follow_idx(w, pos, pat, offset)]


def _tags(a: np.ndarray, w: np.ndarray, pos: np.ndarray, offset: int, *names: bytes) -> list[np.ndarray]:
    """For each name, the positions in ``pos`` where it follows at p + offset and then the element name ends."""
    words: dict[int, np.ndarray] = {}
    out = []
    for rest in names:
        ok = np.ones(len(pos), dtype=bool)
        for i in range(0, len(rest), 8):
            if i not in words:
                words[i] = w[pos + offset + i]
            value, mask = _word(rest[i:i + 8])
            ok &= (words[i] & np.uint64(mask)) == np.uint64(value)
        hit = pos[ok]
        ch = a[hit + offset + len(rest)]
        out.append(hit[_is_ws(ch) | (ch == 47) | (ch == 62)])
    return out


def _skipped(data: bytes, a: np.ndarray, lt: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of comments, CDATA sections and processing instructions; a DTD is refused."""
    cand = lt[(a[lt + 1] == 33) | (a[lt + 1] == 63)]  # "<!" and "<?": a handful in any honest file
    starts, ends = [], []
    end = -1
    for s in cand.tolist():
        if s < end:
            continue
        if data.startswith(b"<?", s):
            close, width = b"?>", 2
        elif data.startswith(b"<!--", s):
            close, width = b"-->", 3
        elif data.startswith(b"<![CDATA[", s):
            close, width = b"]]>", 3
        else:  # <!DOCTYPE, <!ENTITY, <!ELEMENT...: only ever in a DTD
            raise InputError("part content.xml declares a DTD or entities, which workbooks never contain: "
                             "refusing a possible XML entity attack", file=name)
        e = data.find(close, s + 2)
        end = len(data) if e < 0 else e + width
        starts.append(s)
        ends.append(end)
    return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)


def _outside(pos: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    if not len(starts) or not len(pos):
        return pos
    i = np.searchsorted(starts, pos, side="right") - 1
    inside = (i >= 0) & (pos < ends[np.maximum(i, 0)])
    return pos[~inside]


def _members(sorted_pos: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mask, index): which of ``pos`` are in ``sorted_pos``, and where."""
    if not len(sorted_pos):
        return np.zeros(len(pos), dtype=bool), np.zeros(len(pos), dtype=np.int64)
    i = np.minimum(np.searchsorted(sorted_pos, pos), len(sorted_pos) - 1)
    return sorted_pos[i] == pos, i


def _name_ends(data: bytes, a: np.ndarray, eq: np.ndarray) -> np.ndarray:
    """For each ``=``, the position of the last byte of the attribute name before it."""
    p = eq - 1
    for _ in range(4):
        p = p - _is_ws(a[np.maximum(p, 0)])
    slow = np.flatnonzero(_is_ws(a[np.maximum(p, 0)]) & (p >= 0))
    for j in slow.tolist():  # more whitespace than anyone writes: look back in Python
        q = int(p[j])
        while q >= 0 and data[q] in _WS:
            q -= 1
        p[j] = q
    return p


def _named(a: np.ndarray, w: np.ndarray, end: np.ndarray, *qnames: bytes) -> list[np.ndarray]:
    """For each qname (8 bytes or longer), a mask over ``end``: the attribute name ending there is exactly it."""
    tail = w[np.maximum(end - 7, 0)]
    out = []
    for qname in qnames:
        idx = np.flatnonzero(tail == np.uint64(_word(qname[-8:])[0]))
        start = end[idx] - len(qname) + 1
        ok = start >= 1
        idx, start = idx[ok], start[ok]
        keep = _follow_idx(w, start, qname[:-8], 0)
        idx, start = idx[keep], start[keep]
        idx = idx[_is_ws(a[start - 1])]
        mask = np.zeros(len(end), dtype=bool)
        mask[idx] = True
        out.append(mask)
    return out


def _counts(data: bytes, a: np.ndarray, eq: np.ndarray) -> np.ndarray:
    """The non-negative integer value of the attribute at each ``=`` (-1 where calamine could not parse it)."""
    p = eq + 1
    for _ in range(4):
        p = p + _is_ws(a[p])
    quote = a[p]
    p = p + 1
    p = p + (a[p] == 43)  # "+"
    val = np.zeros(len(eq), dtype=np.int64)
    ndig = np.zeros(len(eq), dtype=np.int64)
    live = (quote == 34) | (quote == 39)
    for _ in range(13):
        ch = a[p]
        isd = live & (ch >= 48) & (ch <= 57)
        val = np.where(isd, val * 10 + (ch.astype(np.int64) - 48), val)
        p = p + isd
        ndig += isd
        live = isd
    ch = a[p]
    big = live & (ch >= 48) & (ch <= 57)  # 14 digits or more
    val[big] = _BIG
    fast = big | ((ndig > 0) & (ch == quote) & ((quote == 34) | (quote == 39)))
    for j in np.flatnonzero(~fast).tolist():  # entities, spaces, odd quoting: rare, parse in Python
        m = _QUOTED.match(data, int(eq[j]))
        v = -1
        if m:
            text = html.unescape((m.group(1) if m.group(1) is not None else m.group(2)).decode("utf-8", "replace"))
            text = text.strip()
            if _INT.fullmatch(text):
                v = min(int(text), _BIG)
        val[j] = v
    return val


def _excl_cumsum_by_group(x: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Exclusive running sum of ``x`` restarting where ``group`` (non-decreasing) changes."""
    excl = np.cumsum(x) - x
    first = np.searchsorted(group, group, side="left")
    return excl - excl[first]


def _table_name(data: bytes, start: int, lt: np.ndarray) -> str | None:
    i = np.searchsorted(lt, start, side="right")
    stop = int(lt[i]) if i < len(lt) else len(data)
    m = _TABLE_NAME.search(data, start, stop)
    if not m:
        return None
    raw = m.group(1) if m.group(1) is not None else m.group(2)
    return html.unescape(raw.decode("utf-8", "replace"))


def check_ods_content(data: bytes, name: str) -> None:
    """Raise ``InputError`` if calamine would need more than ``MAX_CELLS`` cells to read this content.xml.

    Counted per sheet and for the whole workbook: the bounding box of the non-empty cells (rows x
    columns, repeats included) and the cells each row writes out before its last cell. Trailing empty
    rows and cells, however repeated, cost nothing and pass.
    """
    measured = _measure(data, name)
    if measured is None:
        return
    tables, lt, box, span, written = measured
    for k in np.flatnonzero((box > MAX_CELLS) | (written > MAX_CELLS)).tolist():
        sheet = _table_name(data, int(tables[k]), lt)
        if box[k] > MAX_CELLS:
            c0, c1, r0, r1 = (int(v) for v in span[k])
            raise InputError(
                f"cells span {_addr(c0 + 1, r0 + 1)}:{_addr(c1, r1)}, {int(box[k]):,} cells (limit {MAX_CELLS:,}): "
                "refusing a sheet that would need that much memory to read", file=name, sheet=sheet)
        raise InputError(
            f"rows lay out {int(written[k]):,} cells, empty ones included (limit {MAX_CELLS:,}): refusing a sheet "
            "that would need that much memory to read", file=name, sheet=sheet)
    total = max(int(box.sum()), int(written.sum()))
    if total > MAX_CELLS:
        raise InputError(
            f"the sheets together span {total:,} cells (limit {MAX_CELLS:,}), and an .ods file is read all at "
            "once: refusing a workbook that would need that much memory to read", file=name)


def _measure(data: bytes, name: str) -> tuple[np.ndarray, ...] | None:
    """(table positions, "<" positions, box, span, written) per table, or None when there is no table.

    ``span`` holds (first column, end column, first row, end row), 0-based, ends exclusive, of the
    non-empty cells; ``box`` its area; ``written`` the cells the rows write out while being parsed.
    Raises ``InputError`` for a DTD and for sheets that do not open and close in turn.
    """
    n = len(data)
    if n < 16:
        return None
    a = np.frombuffer(data + b" " * 64, dtype=np.uint8)
    w = _words(a)
    lt = np.flatnonzero(a[:n] == 60)
    sk_start, sk_end = _skipped(data, a, lt, name)
    lt = _outside(lt, sk_start, sk_end)

    tb = _follow(w, lt, b"table:", 1)
    tables, rows, cells, covered = _tags(a, w, tb, 7, b"table", b"table-row", b"table-cell", b"covered-table-cell")
    if not len(tables):
        return None
    if len(covered):
        cells = np.sort(np.r_[cells, covered])
    table_ends, row_ends = _tags(a, w, _follow(w, lt, b"/table:", 1), 8, b"table", b"table-row")
    # calamine loops forever on a sheet never closed, and skips what a cell holds: a row inside a cell
    # would start a new row here but not there, so sheets and rows must open and close in turn
    gt = np.flatnonzero(a[:n] == 62)
    dq = np.flatnonzero(a[:n] == 34)
    sq = np.flatnonzero(a[:n] == 39)
    _check_turns(tables, _self_closing(data, a, tables, gt, dq, sq), table_ends, "sheet", "another sheet", name)
    _check_turns(rows, _self_closing(data, a, rows, gt, dq, sq), row_ends, "row", "a cell", name)

    # attributes: each "=" belongs to the tag opened by the last "<" before it ("<" never occurs in a tag)
    eq = _outside(np.flatnonzero(a[:n] == 61), sk_start, sk_end)
    owner = lt[np.maximum(np.searchsorted(lt, eq, side="right") - 1, 0)] if len(lt) else eq
    is_cell, cell_i = _members(cells, owner)
    is_row, row_i = _members(rows, owner)
    keep = is_cell | is_row
    eq, is_cell, cell_i, is_row, row_i = eq[keep], is_cell[keep], cell_i[keep], is_row[keep], row_i[keep]
    name_end = _name_ends(data, a, eq)

    crep = np.full(len(cells), -1, dtype=np.int64)
    cval = np.zeros(len(cells), dtype=bool)
    rrep = np.full(len(rows), -1, dtype=np.int64)
    cols_rep, rows_rep, *values = _named(a, w, name_end, _COLS_REPEATED, _ROWS_REPEATED, *_VALUE_ATTRS)
    sel = np.flatnonzero(is_cell & cols_rep)
    if len(sel):
        np.maximum.at(crep, cell_i[sel], _counts(data, a, eq[sel]))
    sel = np.flatnonzero(is_row & rows_rep)
    if len(sel):
        np.maximum.at(rrep, row_i[sel], _counts(data, a, eq[sel]))
    for mask in values:
        cval[cell_i[is_cell & mask]] = True
    # no (readable) repeat attribute: one cell, one row; past the limits, more makes no difference
    crep = np.where(crep < 0, 1, np.minimum(crep, MAX_COLS + 1))
    rrep = np.where(rrep < 0, 1, np.minimum(rrep, MAX_ROWS + 1))

    # rows: which sheet, and where each starts (repeats expand rows; calamine stops at MAX_ROWS)
    rtab = np.maximum(np.searchsorted(tables, rows, side="right") - 1, 0)
    rstart = _excl_cumsum_by_group(rrep, rtab)
    r_lo = np.minimum(rstart, MAX_ROWS)
    r_hi = np.maximum(np.minimum(rstart + rrep, MAX_ROWS), r_lo + (rrep > 0))  # calamine keeps a last row

    # cells: which row (cells outside any row are never read), and which columns they cover
    crow = np.searchsorted(rows, cells, side="right") - 1
    inrow = crow >= 0
    crow, crep, cval = crow[inrow], crep[inrow], cval[inrow]
    cstart = _excl_cumsum_by_group(crep, crow)
    c_lo = np.minimum(cstart, MAX_COLS)
    c_hi = np.maximum(np.minimum(cstart + crep, MAX_COLS), c_lo + (crep > 0))  # err high by one column

    ntab = len(tables)
    written = np.zeros(ntab, dtype=np.int64)
    if len(crow):
        # each row element writes out its cells up to its last one, unless that one is empty (pending)
        last = np.r_[np.flatnonzero(np.diff(crow)), len(crow) - 1]
        per_row = np.where(cval[last], c_hi[last], c_lo[last])
        np.add.at(written, rtab[crow[last]], per_row)

    box = np.zeros(ntab, dtype=np.int64)
    span = np.zeros((ntab, 4), dtype=np.int64)
    filled = cval & (c_hi > c_lo)
    filled[filled] &= r_hi[crow[filled]] > r_lo[crow[filled]]
    f = np.flatnonzero(filled)
    if len(f):
        frow = crow[f]
        ftab = rtab[frow]
        cuts = np.r_[0, np.flatnonzero(np.diff(ftab)) + 1]
        t = ftab[cuts]
        r0 = np.minimum.reduceat(r_lo[frow], cuts)
        r1 = np.maximum.reduceat(r_hi[frow], cuts)
        c0 = np.minimum.reduceat(c_lo[f], cuts)
        c1 = np.maximum.reduceat(c_hi[f], cuts)
        box[t] = (r1 - r0) * (c1 - c0)
        span[t] = np.stack([c0, c1, r0, r1], axis=1)

    return tables, lt, box, span, written


def _self_closing(data: bytes, a: np.ndarray, starts: np.ndarray, gt: np.ndarray, dq: np.ndarray,
                  sq: np.ndarray) -> np.ndarray:
    """For each start tag, whether it ends with "/>" (an element with no content)."""
    i = np.searchsorted(gt, starts)
    found = i < len(gt)
    end = np.where(found, gt[np.minimum(i, len(gt) - 1)] if len(gt) else 0, len(data))
    ndq = np.searchsorted(dq, end) - np.searchsorted(dq, starts)
    nsq = np.searchsorted(sq, end) - np.searchsorted(sq, starts)
    # with one kind of quote, balanced, the first ">" is outside every attribute value: it ends the tag
    plain = found & (((ndq % 2 == 0) & (nsq == 0)) | ((nsq % 2 == 0) & (ndq == 0)))
    out = plain & (a[np.maximum(end - 1, 0)] == 47)
    for j in np.flatnonzero(~plain).tolist():  # a ">" or the other quote inside a value: rare, parse in Python
        m = _START_TAG.match(data, int(starts[j]))
        out[j] = bool(m and m.group(1))
    return out


def _check_turns(starts: np.ndarray, selfclosed: np.ndarray, ends: np.ndarray, what: str, inside: str,
                 name: str) -> None:
    """Elements of one kind must open and close in turn, never one inside another."""
    pos = np.r_[starts, ends]
    step = np.r_[np.where(selfclosed, 0, 1), np.full(len(ends), -1)]
    order = np.argsort(pos, kind="stable")
    depth = np.cumsum(step[order])
    before = depth - step[order]  # depth just before each tag
    if (before[order < len(starts)] > 0).any():
        raise InputError(f"part content.xml places a {what} inside {inside}, which spreadsheets never do: "
                         "refusing a file the reader would misread", file=name)
    if (depth < 0).any():
        raise InputError(f"part content.xml closes a {what} it never opened: the file is damaged", file=name)
    if len(depth) and depth[-1] != 0:
        raise InputError(f"part content.xml ends inside a {what} (the file is truncated or damaged): refusing it, "
                         "as the reader might never finish", file=name)
