"""Look at a workbook before any reader does.

Roster files arrive as email attachments. The readers (calamine, openpyxl) are fast and correct on
honest files, but a hostile one can make them allocate without bound: calamine aborts the whole
process, not just raise, when a sheet places one cell at XFD1048576. So every zip-based workbook is
inspected first, cheaply and with hard limits, and refused with a one-line ``InputError`` when it:

- is not a zip at all (an encrypted or password-protected workbook is an OLE file in disguise);
- declares parts larger than ``MAX_PART_BYTES``, more than ``MAX_TOTAL_BYTES`` in all, or
  compressed more than ``MAX_RATIO`` times (a zip bomb);
- carries a DTD (``<!DOCTYPE``/``<!ENTITY``): Office never writes one, entity-expansion attacks do;
- places cells so far apart that the sheet's bounding box passes ``MAX_CELLS``;
- declares more than ``MAX_SHARED_STRINGS`` shared strings;
- holds a formula with no cached value (rostercheck never evaluates formulas, so such a cell has no
  value it could honestly read).

The limits are documented in docs/security.md. The file is only read, never written.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

import numpy as np

from rostercheck.errors import InputError

MAX_PART_BYTES = 512 * 1024 * 1024  # one decompressed part
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # all parts together
MAX_RATIO = 200  # decompressed / compressed, for parts over 1 MB
MAX_MEMBERS = 10_000
MAX_CELLS = 20_000_000  # bounding box of one sheet's cells (rows x columns)
MAX_SHARED_STRINGS = 5_000_000

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SST = re.compile(rb'<sst[^>]*?\buniqueCount="([0-9]+)"')
_FORMULA = re.compile(rb"<f[ />]")


def _addr(col: int, row: int) -> str:
    s = ""
    while col:
        col, rem = divmod(col - 1, 26)
        s = chr(65 + rem) + s
    return f"{s}{row}"


def inspect(path: str | Path, shown: str | None = None) -> None:
    """Raise ``InputError`` if the workbook at ``path`` is unsafe to hand to a reader."""
    p = Path(path)
    name = shown or str(path)
    suffix = p.suffix.lower()
    with open(p, "rb") as fh:
        head = fh.read(8)
    if head.startswith(_OLE):
        if suffix in (".xlsx", ".xlsm", ".xlsb"):
            raise InputError(
                "this workbook is encrypted or password-protected (or an old .xls renamed): open it in Excel, "
                "remove the password (File > Info > Protect Workbook) and save it as .xlsx",
                file=name,
            )
        return  # a genuine .xls: calamine reads it; nothing zip-based to inspect
    if suffix not in (".xlsx", ".xlsm", ".xlsb", ".ods"):
        return
    if not zipfile.is_zipfile(p):
        return  # not a workbook at all: the reader says what it looks like instead
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError):
        return
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise InputError(f"the workbook holds {len(infos)} parts (limit {MAX_MEMBERS})", file=name)
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_PART_BYTES:
                raise InputError(f"part {info.filename} would unpack to {info.file_size:,} bytes "
                                 f"(limit {MAX_PART_BYTES:,}): refusing a possible zip bomb", file=name)
            if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise InputError(f"part {info.filename} is compressed {info.file_size // max(info.compress_size, 1)}"
                                 f" times (limit {MAX_RATIO}): refusing a possible zip bomb", file=name)
        if total > MAX_TOTAL_BYTES:
            raise InputError(f"the workbook would unpack to {total:,} bytes (limit {MAX_TOTAL_BYTES:,}): refusing "
                             "a possible zip bomb", file=name)
        sheet_names = _sheet_names(zf)
        for info in infos:
            fn = info.filename
            if not fn.endswith((".xml", ".rels", ".vml")):
                continue
            try:
                data = zf.read(fn)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error) as e:
                raise InputError(f"part {fn} cannot be unpacked ({type(e).__name__}): the file is damaged",
                                 file=name) from None
            start = data[:4096]
            if b"<!DOCTYPE" in start or b"<!ENTITY" in start or b"<!ENTITY" in data[:65536]:
                raise InputError(f"part {fn} declares a DTD or entities, which workbooks never contain: "
                                 "refusing a possible XML entity attack", file=name)
            if fn.endswith("sharedStrings.xml"):
                m = _SST.search(start)
                if m and int(m.group(1)) > MAX_SHARED_STRINGS:
                    raise InputError(f"the workbook declares {int(m.group(1)):,} shared strings (limit "
                                     f"{MAX_SHARED_STRINGS:,})", file=name)
            if fn.startswith("xl/worksheets/") and fn.endswith(".xml"):
                _check_sheet(data, name, sheet_names.get(fn, fn))


def _sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part -> sheet name, for messages (best effort: an odd workbook still gets checked)."""
    try:
        wb = zf.read("xl/workbook.xml")
        rels = zf.read("xl/_rels/workbook.xml.rels")
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, zlib.error):
        return {}
    if b"<!DOCTYPE" in wb[:4096] or b"<!DOCTYPE" in rels[:4096]:
        return {}
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)})
    out = {}
    for sheet_name, rid in re.findall(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]+)"', wb):
        t = targets.get(rid, b"").decode("utf-8", "replace").lstrip("/")
        part = t if t.startswith("xl/") else f"xl/{t}"
        out[part] = sheet_name.decode("utf-8", "replace")
    return out


def _cell_extent(data: bytes) -> tuple[int, int, int, int] | None:
    """(first col, last col, first row, last row) over every ``<c r="...">`` and ``<row r="...">``.

    Vectorised over the raw bytes: a regex over half a million cells costs as much as reading them.
    """
    a = np.frombuffer(data, dtype=np.uint8)
    if len(a) < 16:
        return None
    out = []
    for pat, letters in ((b'<c r="', True), (b'<row r="', False)):
        n = len(a) - len(pat) - 12
        if n <= 0:
            continue
        m = a[:n] == pat[0]
        for k in range(1, len(pat)):
            m &= a[k:n + k] == pat[k]
        pos = np.flatnonzero(m) + len(pat)
        if not len(pos):
            continue
        col = np.zeros(len(pos), dtype=np.int64)
        at = pos.copy()
        if letters:
            live = np.ones(len(pos), dtype=bool)
            for _ in range(3):
                ch = a[at]
                isl = live & (ch >= 65) & (ch <= 90)
                col = np.where(isl, col * 26 + (ch.astype(np.int64) - 64), col)
                at = at + isl
                live = isl
        row = np.zeros(len(pos), dtype=np.int64)
        live = np.ones(len(pos), dtype=bool)
        for _ in range(10):
            ch = a[np.minimum(at, len(a) - 1)]
            isd = live & (ch >= 48) & (ch <= 57)
            row = np.where(isd, row * 10 + (ch.astype(np.int64) - 48), row)
            at = at + isd
            live = isd
        out.append((col, row, letters))
    if not out:
        return None
    cols = np.concatenate([c for c, _, is_cell in out if is_cell]) if any(x[2] for x in out) else np.ones(1, int)
    rows = np.concatenate([r for _, r, _ in out])
    cols = cols[cols > 0] if (cols > 0).any() else np.ones(1, int)
    rows = rows[rows > 0] if (rows > 0).any() else np.ones(1, int)
    return int(cols.min()), int(cols.max()), int(rows.min()), int(rows.max())


def _check_sheet(data: bytes, name: str, sheet: str) -> None:
    ext = _cell_extent(data)
    if ext is None:
        return
    c0, c1, r0, r1 = ext
    box = (c1 - c0 + 1) * (r1 - r0 + 1)
    if c1 > 16384 or r1 > 1_048_576 or box > MAX_CELLS:
        raise InputError(
            f"cells span {_addr(c0, r0)}:{_addr(c1, r1)}, {box:,} cells (limit {MAX_CELLS:,}): refusing a sheet "
            "that would need that much memory to read", file=name, sheet=sheet)
    if _FORMULA.search(data):
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
