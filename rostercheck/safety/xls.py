"""Look at a legacy ``.xls`` workbook (BIFF8 in an OLE2 compound file) before calamine does.

calamine reads *every* sheet of an ``.xls`` when the file is opened (``CalamineWorkbook.from_path``)
and lays each out as a dense grid over the bounding box of its cells: 32 bytes a cell for values,
24 more for formulas. BIFF8 caps a sheet at 65,536 rows by 256 columns, but calamine does not
enforce the column cap (a cell record's column is read as 16 bits), takes a sheet's ``DIMENSIONS``
record as a size to reserve (rows are 32 bits there, and an inverted range wraps round), and lets
any number of sheet entries point at the same cell records. Measured with python-calamine 0.9.1
(calamine 0.37), all in files of about 5 KB: a cell at column 65,535 next to A1, or a
``DIMENSIONS`` record claiming 4 billion rows, aborts the process (``memory allocation of N bytes
failed``); one A1 + IV65536 sheet costs 540 MB and 8 of them (or 40 sheet entries pointing at one)
abort it under a 4 GB limit. See tests/test_security_xls.py.

So ``check_xls`` finds the Workbook stream with the standard library, walks its records once
(linear in records, no regex, nothing decoded but a few integers) mirroring what calamine keeps,
and raises ``InputError`` when a sheet's box, its declared ``DIMENSIONS``, or all the sheets
together would pass ``rostercheck.safety.limits.MAX_CELLS``. Cell records calamine reads (found by trying
every record type on calamine 0.37): FORMULA 0x0006, RSTRING 0x00D6, LABELSST 0x00FD, NUMBER
0x0203, LABEL 0x0204, BOOLERR 0x0205, STRING 0x0207 (placed at the last formula, or A1), RK
0x027E and MULRK 0x00BD; BLANK/MULBLANK and the BIFF2-4 cell records are ignored by calamine.
Counting is conservative: a record calamine would reject or drop (a short one, an empty shared
string) still counts. Sheets whose records overlap (several sheet entries at one offset) are
refused once the records read pass the stream's length, so the walk stays linear.
"""

from __future__ import annotations

import struct
from pathlib import Path

from rostercheck.errors import InputError
from rostercheck.model import a1
from rostercheck.safety.limits import MAX_CELLS, MAX_STREAM_BYTES, OLE_MAGIC

_MAXREGSECT = 0xFFFFFFFA  # sector ids at or above this are markers (free, end of chain, FAT, DIFAT)
_ENDOFCHAIN = 0xFFFFFFFE
_MINI_CUTOFF = 4096  # streams shorter than this live in the mini stream
_STREAM_NAMES = ("WORKBOOK", "BOOK")  # calamine takes Workbook, else Book (also in capitals)

#: record types whose first four bytes are a cell's (row, column) in calamine's value grid
_CELL = frozenset((0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E))
_FORMULA, _STRING, _MULRK, _DIMENSIONS, _BOUNDSHEET, _EOF, _BOF, _FILEPASS = (
    0x0006, 0x0207, 0x00BD, 0x0200, 0x0085, 0x000A, 0x0809, 0x002F)
_HEAD = struct.Struct("<HH")


def _damaged(name: str, why: str) -> InputError:
    return InputError(f"not a readable Excel workbook: its OLE container is damaged ({why}); open it in Excel "
                      "and save it as .xlsx", file=name)


def _u32s(b: bytes) -> list[int]:
    return list(struct.unpack(f"<{len(b) // 4}I", b[: len(b) // 4 * 4]))


class _Cfb:
    """Just enough of [MS-CFB] to find a stream: header, DIFAT, FAT, directory, mini stream."""

    def __init__(self, data: bytes, name: str) -> None:
        self.data, self.name = data, name
        if len(data) < 512 or not data.startswith(OLE_MAGIC):
            raise _damaged(name, "no compound-file header")
        shift = struct.unpack_from("<H", data, 30)[0]
        if shift not in (9, 12):
            raise _damaged(name, f"sector shift {shift}")
        self.ssz = 1 << shift
        self.nsect = max(0, -(-(len(data) - self.ssz) // self.ssz))  # sectors after the header, the last maybe short
        dir_start, _, _, minifat_start, _, difat_start = struct.unpack_from("<IIIIII", data, 48)
        difat = _u32s(data[76:512])
        sid, seen = difat_start, 0
        while sid < _MAXREGSECT:  # DIFAT chain: each sector lists FAT sectors, its last entry is the next one
            seen += 1
            if seen > self.nsect:
                raise _damaged(name, "DIFAT chain loops")
            ids = _u32s(self._sector(sid))
            difat.extend(ids[:-1])
            sid = ids[-1]
        self.fat = [x for sid in difat if sid < _MAXREGSECT for x in _u32s(self._sector(sid))]
        self.dirs = []
        d = self.chain(dir_start)
        for off in range(0, len(d) - 127, 128):
            e = d[off: off + 128]
            nm = e[:64].decode("utf-16-le", "replace").split("\0", 1)[0]
            start = struct.unpack_from("<I", e, 116)[0]
            size = struct.unpack_from("<I" if self.ssz == 512 else "<Q", e, 120)[0]
            self.dirs.append((nm, start, size))
        if not self.dirs:
            raise _damaged(name, "no root directory")
        self.minifat_start = minifat_start

    def _sector(self, sid: int) -> bytes:
        off = (sid + 1) * self.ssz
        if sid >= self.nsect:
            raise _damaged(self.name, f"sector {sid} past the end of the file")
        return self.data[off: off + self.ssz]

    def chain(self, sid: int, fat: list[int] | None = None, size: int = 0, mini: bytes | None = None) -> bytes:
        """The bytes of the chain starting at ``sid`` (regular sectors, or 64-byte mini sectors)."""
        fat = self.fat if fat is None else fat
        parts, seen = [], 0
        limit = len(fat) if mini is not None else self.nsect
        while sid != _ENDOFCHAIN:
            seen += 1
            if sid >= len(fat) or seen > limit:
                raise _damaged(self.name, "a sector chain runs off the allocation table or loops")
            if mini is None:
                parts.append(self._sector(sid))
            else:
                if (sid + 1) * 64 > len(mini):
                    raise _damaged(self.name, "a mini sector past the end of the mini stream")
                parts.append(mini[sid * 64: sid * 64 + 64])
            sid = fat[sid]
        out = b"".join(parts)
        return out[:size] if size else out

    def streams(self, wanted: tuple[str, ...]) -> list[bytes]:
        """Every stream whose name is one of ``wanted`` in any case: all that calamine could pick."""
        found = [(s, n) for nm, s, n in self.dirs[1:] if nm.upper() in wanted]
        if not found:
            return []
        out = []
        mini = minifat = None
        for start, size in found:
            if size >= _MINI_CUTOFF:
                out.append(self.chain(start, size=size))
                continue
            if mini is None:
                _, root_start, root_size = self.dirs[0]
                mini = self.chain(root_start, size=root_size) if root_start < _MAXREGSECT else b""
                minifat = _u32s(self.chain(self.minifat_start)) if self.minifat_start < _MAXREGSECT else []
            out.append(self.chain(start, fat=minifat, size=size, mini=mini))
        return out


def _addr(col: int, row: int) -> str:
    """0-based (column, row) -> "E7", for messages."""
    return a1(row, col)


def check_xls(path: str | Path, name: str) -> None:
    """Raise ``InputError`` if calamine would need more than ``MAX_CELLS`` cells to open this .xls.

    ``path`` must start with the OLE signature (``safety.inspect`` has looked); ``name`` is the file
    as the user gave it, for messages.
    """
    p = Path(path)
    if p.stat().st_size > MAX_STREAM_BYTES:
        raise InputError(f"the file holds more than {MAX_STREAM_BYTES:,} bytes: refusing an .xls that large", file=name)
    data = p.read_bytes()
    cfb = _Cfb(data, name)
    streams = cfb.streams(_STREAM_NAMES)
    if not streams:
        return  # no workbook stream: calamine says so itself ("Cannot find Workbook stream")
    for stream in streams:
        _check_stream(stream, name)


def _sheets(s: bytes) -> list[tuple[int, str]] | None:
    """(offset, name) of every sheet the globals declare, or None when the workbook is encrypted."""
    out, pos, n, biff8 = [], 0, len(s), True
    while pos + 4 <= n:
        typ, ln = _HEAD.unpack_from(s, pos)
        body = s[pos + 4: pos + 4 + ln]
        if len(body) < ln or typ == _EOF:
            break
        if typ == _BOF and ln >= 2:  # as calamine: only these versions store names without a flags byte
            ver, dt = struct.unpack_from("<HH", body + b"\0\0")
            biff8 = ver not in (0x0002, 0x0007, 0x0200, 0x0300, 0x0400, 0x0500) and not (ver == 0 and dt == 0x1000)
        elif typ == _FILEPASS and ln >= 2 and struct.unpack_from("<H", body)[0]:
            return None  # calamine stops here with a password error
        elif typ == _BOUNDSHEET and ln >= 4:
            cch = body[6] if ln > 6 else 0
            if biff8 and ln > 7 and body[7] & 1:
                sheet = body[8: 8 + 2 * cch].decode("utf-16-le", "replace")
            else:
                sheet = body[8 if biff8 else 7:][:cch].decode("latin-1")
            out.append((struct.unpack_from("<I", body)[0], sheet.replace("\0", "")))
        pos += 4 + ln
    return out


class _Box:
    """Running bounds of the cells calamine puts in one grid."""

    __slots__ = ("c0", "c1", "r0", "r1")

    def __init__(self) -> None:
        self.r0 = self.c0 = 1 << 40
        self.r1 = self.c1 = -1

    def add(self, r: int, c0: int, c1: int) -> None:
        if r < self.r0:
            self.r0 = r
        if r > self.r1:
            self.r1 = r
        if c0 < self.c0:
            self.c0 = c0
        if c1 > self.c1:
            self.c1 = c1

    def cells(self) -> int:
        return 0 if self.r1 < 0 else (self.r1 - self.r0 + 1) * (self.c1 - self.c0 + 1)


def _check_stream(s: bytes, name: str) -> None:
    sheets = _sheets(s)
    if not sheets:
        return
    n = len(s)
    total = walked = 0  # walked: bytes of records read, over all sheets (sheets that overlap re-read them)
    unpack = _HEAD.unpack_from
    for start, sheet in sheets:
        if start > n:
            raise InputError(f"not a readable Excel workbook: the sheet starts at byte {start:,} of a {n:,}-byte "
                             "workbook stream (the file is damaged)", file=name, sheet=sheet)
        values, formulas = _Box(), _Box()
        fr = fc = 0  # where a STRING record lands: the last formula's cell
        pos = start
        broken = False
        while pos + 4 <= n:
            typ, ln = unpack(s, pos)
            end = pos + 4 + ln
            if end > n:
                broken = True  # calamine fails the whole workbook here: nothing after it is read
                break
            walked += end - pos
            if walked > n:  # honest sheets never share records; aliased ones would make this quadratic
                raise InputError("not a readable Excel workbook: its sheets overlap in the workbook stream (the file "
                                 "is damaged or crafted)", file=name, sheet=sheet)
            if typ in _CELL and ln >= 4:
                r, c = unpack(s, pos + 4)
                values.add(r, c, c)
            elif typ == _MULRK and ln >= 6:
                r, c = unpack(s, pos + 4)
                values.add(r, c, c + max((ln - 6) // 6, 1) - 1)
            elif typ == _FORMULA and ln >= 4:
                fr, fc = unpack(s, pos + 4)
                values.add(fr, fc, fc)
                formulas.add(fr, fc, fc)
            elif typ == _STRING:
                values.add(fr, fc, fc)
            elif typ == _DIMENSIONS and ln in (10, 14):
                if ln == 10:
                    rf, rl, cf, cl = struct.unpack_from("<HHHH", s, pos + 4)
                else:
                    rf, rl, cf, cl = struct.unpack_from("<IIHH", s, pos + 4)
                # calamine reserves (rl - rf) x (cl - cf) cells, in wrapping 32-bit arithmetic
                rows, cols = ((rl - rf) % (1 << 32), (cl - cf) % (1 << 32)) if rl and cl else (1, 1)
                if rows * cols > MAX_CELLS:
                    raise InputError(f"the sheet declares {rows:,} rows by {cols:,} columns ({rows * cols:,} cells, "
                                     f"limit {MAX_CELLS:,}): refusing a sheet that would need that much memory to "
                                     "read", file=name, sheet=sheet)
            elif typ == _EOF:
                break
            pos = end
        for box, what in ((values, "cells"), (formulas, "formulas")):
            cells = box.cells()
            if cells > MAX_CELLS:
                raise InputError(f"{what} span {_addr(box.c0, box.r0)}:{_addr(box.c1, box.r1)}, {cells:,} cells "
                                 f"(limit {MAX_CELLS:,}): refusing a sheet that would need that much memory to "
                                 "read", file=name, sheet=sheet)
            total += cells
        if total > MAX_CELLS:
            raise InputError(f"the sheets up to this one span {total:,} cells together (limit {MAX_CELLS:,}), and an "
                             ".xls is read all at once: refusing a workbook that would need that much memory to read",
                             file=name, sheet=sheet)
        if broken:
            return
