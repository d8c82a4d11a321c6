"""Look at a workbook before any reader does: one module per format, the limits in ``limits``.

Roster files arrive as email attachments. The readers (calamine, openpyxl) are fast and correct on
honest files, but a hostile one can make them allocate without bound: calamine aborts the whole
process, not just raise, when a sheet places one cell at XFD1048576. So every zip-based workbook is
inspected first, cheaply and with hard limits, and refused with a one-line ``InputError`` when it:

- is not a zip at all (an encrypted or password-protected workbook is an OLE file in disguise);
- declares parts larger than ``MAX_PART_BYTES``, more than ``MAX_TOTAL_BYTES`` in all, or
  compressed more than ``MAX_RATIO`` times (a zip bomb);
- flags a part as encrypted (a zip password);
- carries a DTD (``<!DOCTYPE``/``<!ENTITY``, any case) anywhere in a part a reader parses as XML:
  Office never writes one, entity-expansion attacks do;
- places cells so far apart that the sheet's bounding box passes ``MAX_CELLS``, in any part a
  reader would read as a sheet: whatever the workbook's relationships name as a worksheet, wherever
  it is stored, everything under ``xl/worksheets/``, and any part holding ``sheetData``;
- declares more than ``MAX_SHARED_STRINGS`` shared strings;
- holds a formula with no cached value (rostercheck never evaluates formulas, so such a cell has no
  value it could honestly read).

Every part is unpacked once, in pieces (``xlsx.CHUNK``), so memory is bounded whatever its size;
a workbook file of at most ``SMALL_FILE`` bytes is read whole first, and each of its parts that fits
in one piece is unpacked from those bytes with ``zlib`` (``_inflate``), declining to
``zipfile`` whenever anything about the part is not plain.
The limits are documented in docs/security.md. The file is only read, never written.
"""


from __future__ import annotations

import io
import lzma
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


#: parts besides the worksheets that ``inspect`` hands back when asked to keep bytes
KEPT_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/sharedStrings.xml", "xl/styles.xml")
#: a part larger than this is scanned but not kept (its sheet is then read by calamine)
KEEP_LIMIT = 256 * 1024 * 1024
#: a workbook file up to this size is read into memory once, its parts unpacked from those bytes
SMALL_FILE = 4 * 1024 * 1024


def inspect(path: str | Path, shown: str | None = None, keep: dict[str, Any] | None = None,
            reader: Callable[[], Any] | None = None) -> None:
    """Raise ``InputError`` if the workbook at ``path`` is unsafe to hand to a reader.

    ``keep``, for an ``.xlsx``/``.xlsm``, receives the unpacked bytes of every worksheet part and of
    ``KEPT_PARTS``, once the whole workbook has passed: the value reader (``read.xlsx_values``)
    then reads them without unpacking the file again. Nothing is put in it if any check fails.
    With ``reader`` (a factory of objects with ``feed(bytes)`` and ``close()``, the value reader's
    ``SheetStream``), a worksheet part is not kept as bytes: each piece unpacked is fed to a new such
    object as the scan sees it, and the object is what ``keep`` receives. It must not raise; what it
    made of the part may only be used once ``inspect`` has returned.
    """
    p = Path(path)
    name = shown or str(path)
    suffix = p.suffix.lower()
    with open(p, "rb") as fh:
        # a small zip workbook is read whole, once: its parts are then unpacked from these bytes (``_inflate``)
        size = os.fstat(fh.fileno()).st_size if suffix in (".xlsx", ".xlsm", ".ods") else SMALL_FILE + 1
        # (asking for exactly the size: a read asks for a buffer of what it is asked for)
        raw: bytes | None = fh.read(size + 1) if size <= SMALL_FILE else None
        head = raw[:8] if raw is not None else fh.read(8)
        if raw is not None and len(raw) > size:  # it grew since: read from disk like a large one
            raw = None
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
            raise InputError("binary workbooks (.xlsb) are not read: a crafted one can crash the reader, and "
                             "their cells cannot be checked first; open it in Excel and save it as .xlsx", file=name)
        if suffix not in (".xlsx", ".xlsm", ".ods"):
            return
        _inspect_zip(fh, raw, name, suffix, keep, reader)


def _inspect_zip(fh: io.BufferedReader, raw: bytes | None, name: str, suffix: str, keep: dict[str, Any] | None,
                 reader: Callable[[], Any] | None) -> None:
    """``inspect`` of a zip workbook (``.xlsx``, ``.xlsm``, ``.ods``), open as ``fh``.

    ``zipfile`` reads the open file itself, as it would the path (the same kind of file object, so
    a damaged file fails with the same exception); ``raw``, the file's bytes when it is small, only
    spares ``zf.open`` for the parts ``_inflate`` can unpack.
    """
    if not zipfile.is_zipfile(fh):
        return  # not a workbook at all: the reader says what it looks like instead
    try:
        zf = zipfile.ZipFile(fh)
    except NotImplementedError as e:  # a zip feature no reader here has (a newer version, a method)
        raise InputError(f"the workbook's zip container cannot be read ({e}): the file is damaged or was not "
                         "saved by a spreadsheet program; open it in Excel or LibreOffice and save it again as "
                         ".xlsx", file=name) from None
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
        for info in infos:
            if info.flag_bits & 0x1:
                raise InputError(f"part {info.filename} is encrypted (a zip password): remove the password in "
                                 "Excel (File > Info > Protect Workbook) and save it as .xlsx", file=name)
        early: dict[zipfile.ZipInfo, bytes | None] = {}  # the parts ``_sheet_parts`` unpacked, until scanned

        def unpack(info: zipfile.ZipInfo, again: bool = False) -> bytes | None:
            """The part unpacked whole from ``raw``, or None: then it is read through ``zf.open``."""
            if info in early:
                return early.pop(info)
            data = _inflate(raw, info, zf) if raw is not None else None
            if again:
                early[info] = data
            return data

        sheets, targets = _sheet_parts(zf, unpack) if suffix != ".ods" else ({}, set())
        kept: dict[str, bytes] | None = {} if keep is not None and suffix != ".ods" else None
        for info in infos:
            fn = info.filename
            if info.is_dir():
                continue
            sheet = sheets.get(fn)
            if sheet is None and fn.startswith("xl/worksheets/") and fn.endswith(".xml"):
                sheet = fn
            keep_ods = suffix == ".ods" and fn == "content.xml"
            # every part a reader parses as XML; not images or embedded files (an SVG may carry a DTD)
            xml = fn.endswith((".xml", ".rels", ".vml")) or sheet is not None or fn in targets
            store = kept is not None and (sheet is not None or fn in KEPT_PARTS) and info.file_size <= KEEP_LIMIT
            data = unpack(info)
            found = _scan_part(zf, info, name, sheet, keep_ods, xml, store,
                               reader if store and sheet is not None else None, data)
            if isinstance(found, tuple):  # kept: the bytes, and whether the part holds sheet markup
                kept[fn], found = found  # type: ignore[index]
            if found is True and sheet is None:  # a worksheet no relationship names: scan it as one too
                _scan_part(zf, info, name, fn, False, True, data=data)
            elif isinstance(found, bytes):
                from rostercheck.safety.ods import check_ods_content

                check_ods_content(found, name)
        if kept is not None and keep is not None:
            keep.update(kept)


#: ``<!DOCTYPE`` or ``<!ENTITY`` however cased (XML readers differ in how strictly they spell it)
_DTD = re.compile(rb"<!(?:[Dd][Oo][Cc][Tt][Yy][Pp][Ee]|[Ee][Nn][Tt][Ii][Tt][Yy])")
#: a piece at least this long is first looked at for "<!" with numpy (``_dtd_in``)
_DTD_NUMPY = 16 * 1024


def _dtd_in(chunk: bytes) -> bool:
    """``_DTD.search(chunk)``, without the regex's byte-by-byte walk for a long piece holding no ``<!``.

    Every match starts with the two bytes ``<!``; numpy compares them as 16-bit words at even and
    at odd offsets (as ``xlsx._pairs``), a few microseconds for a 60 KB sheet where the regex
    takes tens. A piece that holds the pair is searched with the regex as before.
    """
    n = len(chunk)
    if n >= _DTD_NUMPY:
        import numpy as np

        a = np.frombuffer(chunk, dtype=np.uint8)
        word = 0x3C | (0x21 << 8)  # "<!" little-endian
        if not ((a[: n - n % 2].view("<u2") == word).any()
                or (a[1 : n - (n - 1) % 2].view("<u2") == word).any()):
            return False
    return _DTD.search(chunk) is not None


#: what unpacking a damaged or odd part raises (the zip reader, zlib, bz2, lzma)
_UNPACK_ERRORS = (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError,
                  zlib.error, lzma.LZMAError)


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, sheet: str | None,
               keep: bool, xml: bool, store: bool = False,
               reader: Callable[[], Any] | None = None,
               data: bytes | None = None) -> bool | bytes | tuple[Any, bool]:
    """Unpack one part piece by piece, refusing a DTD anywhere in it (``xml``) and checking it as a sheet.

    Memory stays bounded by ``xlsx.CHUNK`` whatever the part's size (the zip reader never unpacks
    more than the part declares, and the declared sizes are already bounded). Returns the part's
    bytes when ``keep`` (``.ods`` content, measured whole), else whether it holds worksheet markup
    (``sheetData``), so that a worksheet hidden under another name is scanned too; with ``store``,
    the bytes and that answer together; with ``reader`` too, a ``reader()`` fed every piece
    instead of the bytes.

    ``data``, when given, is the whole part already unpacked (``_inflate``: at most ``xlsx.CHUNK``
    bytes, exactly what ``zf.open`` would give, its CRC checked): it is the one piece ``zf.open``
    would have given, and it goes through the very same checks below, so nothing about a verdict
    changes; only the zip reader's set-up per part is saved.
    """
    xlsx = _xlsx()
    fn = info.filename
    scan = xlsx.SheetScan(name, sheet) if sheet is not None else None
    kept: list[bytes] = []
    stream = reader() if reader is not None else None
    whole = bytearray(info.file_size) if store and stream is None else None  # filled in place: no join
    filled = 0
    tail = b""
    first = True
    looks_like_sheet = False
    fh = None
    try:
        if data is None:
            fh = zf.open(info)
            chunk = fh.read(xlsx.CHUNK)
        else:
            chunk = data
        while chunk:
            seam = tail + chunk[:16]  # a word cut in two by the piece boundary
            if xml and (_dtd_in(chunk) or _DTD.search(seam)):
                raise InputError(f"part {fn} declares a DTD or entities, which workbooks never contain: "
                                 "refusing a possible XML entity attack", file=name)
            looks_like_sheet = looks_like_sheet or b"sheetData" in chunk or b"sheetData" in seam
            if first and fn.endswith("sharedStrings.xml"):
                m = _SST.search(chunk[:4096])
                if m and int(m.group(1)) > MAX_SHARED_STRINGS:
                    raise InputError(f"the workbook declares {int(m.group(1)):,} shared strings (limit "
                                     f"{MAX_SHARED_STRINGS:,})", file=name)
            first = False
            tail = chunk[-16:]
            if scan is not None:
                scan.feed(chunk)
            if keep:
                kept.append(chunk)
            if whole is not None:
                whole[filled:filled + len(chunk)] = chunk
                filled += len(chunk)
            if stream is not None:
                stream.feed(chunk)
            chunk = fh.read(xlsx.CHUNK) if fh is not None else b""
        if scan is not None:
            scan.close()
        if stream is not None:
            stream.close()
    except _UNPACK_ERRORS as e:
        raise InputError(f"part {fn} cannot be unpacked ({type(e).__name__}): the file is damaged",
                         file=name) from None
    finally:
        if fh is not None:
            fh.close()
    if keep:
        return b"".join(kept)
    if stream is not None:
        return stream, looks_like_sheet
    if whole is not None:
        del whole[filled:]
        return whole, looks_like_sheet  # type: ignore[return-value]  # a bytearray reads as bytes
    return looks_like_sheet


def _xlsx() -> Any:
    """The sheet scan's module, imported on first use (it brings numpy; a csv check never needs it)."""
    global _XLSX
    if _XLSX is None:
        from rostercheck.safety import xlsx

        _XLSX = xlsx
    return _XLSX


_XLSX: Any = None


#: ``zipfile``'s local file header (``structFileHeader``): signature, versions, flags, method, time,
#: date, CRC, sizes, name and extra lengths
_LOCAL = struct.Struct("<4s2B4HL2L2H")
#: general-purpose flags that change nothing in how a part is unpacked: deflate's level (bits 1-2),
#: sizes in a data descriptor (bit 3; the central directory's are used), a UTF-8 name (bit 11)
_PLAIN_FLAGS = 0x0002 | 0x0004 | 0x0008 | 0x0800


def _inflate(raw: bytes, info: zipfile.ZipInfo, zf: zipfile.ZipFile) -> bytes | None:
    """The part unpacked whole from the file's bytes, straight from its local header with ``zlib``;
    None whenever anything is not plainly as ``zf.open`` expects it, and the caller then uses that.

    Only a part of at most ``xlsx.CHUNK`` bytes (``zf.open`` gives it in one piece), stored or
    deflated, with no flag that matters, whose local header has the right signature and the name
    ``zf.open`` compares (decoded as it decodes it), whose data lies inside the file (and before the
    next entry, where this Python's ``zipfile`` records that), and which unpacks to exactly its
    declared size with its declared CRC-32 and the deflate stream complete. Those are the bytes
    ``zf.open`` gives for it, without an error: it reads the same span of the file, after the same
    header, with the same decompressor, and checks the same CRC. Anything else, including every
    damaged part, goes through ``zf.open`` as before, so every refusal is the one it always was.
    """
    size = info.file_size
    if size > _xlsx().CHUNK or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    if info.flag_bits & ~_PLAIN_FLAGS or info.compress_size > size + 65_536:
        return None
    at = info.header_offset
    if at < 0 or at + _LOCAL.size > len(raw):
        return None
    sig, _, _, flags, _, _, _, _, _, _, name_len, extra_len = _LOCAL.unpack_from(raw, at)
    if sig != zipfile.stringFileHeader or flags & ~_PLAIN_FLAGS:
        return None
    local_name = raw[at + _LOCAL.size:at + _LOCAL.size + name_len]
    try:  # ASCII reads the same in UTF-8 and cp437, and decodes without the codec machinery
        local = local_name.decode("ascii") if local_name.isascii() else local_name.decode(
            "utf-8" if flags & 0x800 else (getattr(zf, "metadata_encoding", None) or "cp437"))
    except UnicodeDecodeError:
        return None
    if local != info.orig_filename:
        return None
    start = at + _LOCAL.size + name_len + extra_len
    end = start + info.compress_size
    bound = getattr(info, "_end_offset", None)  # newer Pythons refuse overlapping entries in zf.open
    if end > len(raw) or (bound is not None and end > bound):
        return None
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != size:
            return None
        data = raw[start:end]
    else:
        unzip = zlib.decompressobj(-15)
        try:
            data = unzip.decompress(memoryview(raw)[start:end], size + 1)
        except zlib.error:
            return None
        if not unzip.eof or len(data) != size:
            return None
    if zlib.crc32(data) != info.CRC:
        return None
    return data


def _sheet_parts(zf: zipfile.ZipFile,
                 unpack: Callable[..., bytes | None] | None = None) -> tuple[dict[str, str], set[str]]:
    """Worksheet part -> sheet name (or the part's name when the workbook names no sheet for it),
    and every part the workbook's relationships name (all of them read as XML by a reader).

    Every part the workbook's relationships point to as a worksheet, wherever it is stored: a
    reader follows the relationship, so a sheet at ``xl/sheetX.xml`` is read as surely as one under
    ``xl/worksheets/``. Attribute quoting and order vary, so both are accepted; the relationships
    part is itself checked for a DTD by the scan of every part.
    """
    try:
        rels = _small_part(zf, "xl/_rels/workbook.xml.rels", unpack)
        wb = _small_part(zf, "xl/workbook.xml", unpack)
    except _UNPACK_ERRORS:
        return {}, set()
    if rels is None or _DTD.search(rels) or (wb is not None and _DTD.search(wb)):
        return {}, set()
    targets: dict[bytes, str] = {}
    out: dict[str, str] = {}
    for tag in _REL.findall(rels):
        attrs = _attrs(tag)
        target = attrs.get(b"Target")
        if target is None:
            continue
        part = _resolve(target.strip().decode("utf-8", "replace"))
        targets[attrs.get(b"Id", b"")] = part
        if b"worksheet" in attrs.get(b"Type", b"").lower():
            out[part] = part
    for tag in _SHEET.findall(wb or b""):
        attrs = _attrs(tag)
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        part = targets.get(rid)
        if part is not None:
            out[part] = attrs.get(b"name", part.encode()).decode("utf-8", "replace")
    return out, set(targets.values())


_REL = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_ATTR = re.compile(rb"""([\w:]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    return {k: dq or sq for k, dq, sq in _ATTR.findall(tag)}


def _small_part(zf: zipfile.ZipFile, fn: str, unpack: Callable[..., bytes | None] | None = None) -> bytes | None:
    """A metadata part's bytes (at most 16 MB of it; a larger one is scanned like any part).

    ``unpack`` (``inspect``'s) gives it whole when it can (at most ``xlsx.CHUNK`` bytes, well under
    16 MB) and holds it for the scan of every part, which then does not unpack it again.
    """
    try:
        info = zf.getinfo(fn)
    except KeyError:
        return None
    data = unpack(info, True) if unpack is not None else None
    if data is not None:
        return data[: 16 * 1024 * 1024]
    with zf.open(info) as fh:
        return fh.read(16 * 1024 * 1024)


def _resolve(target: str) -> str:
    """A relationship target of ``xl/workbook.xml`` as the zip member it names."""
    import posixpath

    path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return posixpath.normpath(path).lstrip("/")
