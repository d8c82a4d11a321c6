"""Look at a workbook before any reader does: one module per format, the limits in ``limits``.

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

from rostercheck.errors import InputError
from rostercheck.safety.limits import (
    MAX_MEMBERS,
    MAX_PART_BYTES,
    MAX_RATIO,
    MAX_SHARED_STRINGS,
    MAX_TOTAL_BYTES,
    OLE_MAGIC,
)

__all__ = ["inspect"]

_SST = re.compile(rb'<sst[^>]*?\buniqueCount="([0-9]+)"')


def inspect(path: str | Path, shown: str | None = None) -> None:
    """Raise ``InputError`` if the workbook at ``path`` is unsafe to hand to a reader."""
    p = Path(path)
    name = shown or str(path)
    suffix = p.suffix.lower()
    with open(p, "rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_MAGIC):
        if suffix in (".xlsx", ".xlsm"):
            raise InputError(
                "this workbook is encrypted or password-protected (or an old .xls renamed): open it in Excel, "
                "remove the password (File > Info > Protect Workbook) and save it as .xlsx",
                file=name,
            )
        if suffix == ".xls":
            from rostercheck.safety.xls import check_xls  # calamine sizes its grids from the file and can abort

            check_xls(p, name)
        return
    if suffix == ".xlsb":
        # calamine aborts the process on a crafted binary sheet (an 834-byte file placing a cell at
        # XFD1048576 did), and its records cannot be bounded as cheaply as XML: refuse them all
        raise InputError("binary workbooks (.xlsb) are not read: a crafted one can crash the reader, and their "
                         "cells cannot be checked first; open it in Excel and save it as .xlsx", file=name)
    if suffix not in (".xlsx", ".xlsm", ".ods"):
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
                from rostercheck.safety.xlsx import check_sheet

                check_sheet(data, name, sheet_names.get(fn, fn))
            if suffix == ".ods" and fn == "content.xml":
                from rostercheck.safety.ods import check_ods_content

                check_ods_content(data, name)


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
