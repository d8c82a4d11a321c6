"""Plain-value ``.xlsx`` sheets read with numpy, from the bytes the safety scan unpacks, as it does.

calamine parses a worksheet's XML and makes one Python object per cell: at 1,500 residents x 365
days that is half a million objects and most of the read's CPU and memory, although a roster holds
a few dozen distinct values. This reader tokenises the sheet's XML with numpy instead (every ``<``
and ``>`` at once), checks that the tags follow the handful of shapes spreadsheet writers produce,
and turns each *distinct* value into a Python object once: a sheet comes back as integer codes
into a short list of values, and ``Sheet.values`` is ``uniques[codes]`` (pointer copies).

It answers exactly what ``python-calamine``'s ``to_python(skip_empty_area=True)`` gives (the
conformance tests compare the two on every sample, test file and generated workbook), and it is
strict: anything it does not recognise (an error cell, an ISO date cell, a cell without a
position, a namespace prefix, a comment, an odd encoding, an entity it does not know, a number it
would have to guess at, a date outside the years calamine converts) raises ``Declined``, and
calamine reads that workbook or sheet as before. Declining is always safe, only slower.

A worksheet is read in blocks of whole rows while ``safety.inspect`` unpacks it (``SheetStream``),
so its XML is never held whole; nothing read is used before ``inspect`` has passed the whole
workbook (it refuses DTDs, so no entity here can be user-defined), and no XML parser is used at
all: only the five predefined entities and character references are expanded.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field

import numpy as np

#: parts the reader needs besides the worksheets (the safety scan keeps their bytes)
WORKBOOK = "xl/workbook.xml"
RELS = "xl/_rels/workbook.xml.rels"
SHARED = "xl/sharedStrings.xml"
STYLES = "xl/styles.xml"


class Declined(Exception):
    """This reader does not handle the workbook or sheet: calamine reads it instead."""


# ----------------------------------------------------------------------------------- text values
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_ESCAPE = re.compile(r"_x([0-9a-fA-F]{4})_")
_XML_SPACE = " \t\n\r"


def _char(m: re.Match) -> str:
    name, dec, hexa = m.groups()
    if name:
        return _NAMED[name]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
        raise Declined("character reference outside XML's characters")
    return chr(code)


def xml_text(raw: bytes, trim: bool, escapes: bool = True) -> str:
    """Element text as calamine reads it: UTF-8, line ends normalised to ``\\n`` (XML 1.0), the
    predefined entities and character references expanded, XML whitespace trimmed at both ends when
    the element has no ``xml:space="preserve"`` (``trim``), then Excel's ``_xHHHH_`` escapes decoded."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Declined("text that is not UTF-8") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        if text.count("&") != len(_ENTITY.findall(text)):
            raise Declined("an entity other than the predefined ones")
        text = _ENTITY.sub(_char, text)
    if trim:
        text = text.strip(_XML_SPACE)
    if escapes and "_x" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    return text


# ------------------------------------------------------------------------------------- numbers
_NUMBER = re.compile(rb"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_EPOCH = dt.datetime(1899, 12, 30)
_MS_PER_DAY = 86_400_000.0
OTHER, DATETIME, DURATION = 0, 1, 2


def _round_half_away(x: float) -> int:
    """Rust's ``f64::round`` (halves away from zero); Python's ``round`` rounds halves to even."""
    r = math.floor(x)
    if x - r >= 0.5:
        r += 1
    return int(r) if x >= 0 else -_round_half_away(-x)


def number_value(raw: bytes, kind: int, is_1904: bool) -> object:
    """A numeric cell as python-calamine gives it: float, or date/time/datetime/timedelta by format.

    calamine shifts serials below 60 by a day (Excel's 1900 leap-year bug) and turns negative or
    enormous ones into odd values; those are declined rather than imitated.
    """
    if not _NUMBER.fullmatch(raw):
        raise Declined("a number written in a form this reader does not parse")
    v = float(raw)
    if kind == OTHER:
        return v
    if kind == DURATION:
        if not abs(v) < 1e9:
            raise Declined("a duration out of range")
        return dt.timedelta(milliseconds=_round_half_away(v * _MS_PER_DAY))
    if not 0 <= v < 2_958_466 - (1462 if is_1904 else 0):
        raise Declined("a date serial outside the years calamine converts")
    f = v + 1462 if is_1904 else v
    if f < 60:
        f += 1
    when = _EPOCH + dt.timedelta(milliseconds=_round_half_away(f * _MS_PER_DAY))
    if v < 1:
        return when.time()
    if v == int(v):
        return when.date()
    return when


# ------------------------------------------------------------------------------ number formats
_BUILTIN_DATES = {14, 15, 16, 17, 18, 19, 20, 21, 22, 45, 47}


def format_kind(code: str) -> int:
    """Whether a custom number format shows a date/time, a duration (``[h]:mm``) or neither.

    The same reading as calamine's ``detect_custom_number_format``: only the first section counts,
    quoted and escaped characters are literals, and a bracketed ``h``/``m``/``s`` is a duration.
    """
    escaped = is_quote = ap = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif is_quote:
            if s == '"':
                is_quote = False
        elif s == '"':
            is_quote = True
        elif s == ";":
            return OTHER
        elif s == "[":
            brackets += 1
        elif s == "]" and brackets == 1 and hms:
            return DURATION
        elif s == "]":
            brackets = max(brackets - 1, 0)
        elif s in "aA" and not ap and brackets == 0:
            ap = True
        elif (s in "pm/PM" and ap and brackets == 0) or (s in "dmhysDMHYS" and not ap and brackets == 0):
            return DATETIME
        elif hms and s.lower() == prev.lower():
            pass
        else:
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return OTHER


# ---------------------------------------------------------------------------------- workbook
_ATTR = re.compile(rb"""([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')""")


def _attrs(tag: bytes) -> dict[bytes, bytes]:
    out: dict[bytes, bytes] = {}
    for k, dq, sq in _ATTR.findall(tag):
        if k in out:
            raise Declined("a repeated attribute")
        out[k] = dq or sq
    return out


@dataclass
class SheetInfo:
    name: str
    part: str
    kind: str  # "worksheet", "chartsheet", ...
    visible: str  # "visible", "hidden", "veryHidden"


@dataclass
class Workbook:
    """What calamine reads when it opens a workbook: sheets, shared strings, number formats."""

    sheets: list[SheetInfo]
    strings: np.ndarray  # object: the shared strings
    formats: np.ndarray  # int8 per cell format (``s``): OTHER, DATETIME or DURATION
    is_1904: bool
    parts: dict[str, bytes | SheetStream] = field(repr=False)  # a worksheet: bytes, or read as streamed

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets if s.kind == "worksheet"]

    @property
    def visible(self) -> list[str]:
        return [s.name for s in self.sheets if s.kind == "worksheet" and s.visible == "visible"]


_TAGS = re.compile(rb"<[^>]*>")
_REL_TAG = re.compile(rb"<Relationship\s[^>]*>")
_SHEET_TAG = re.compile(rb"<sheet\s[^>]*>")
_SHEET_KINDS = {"worksheets": "worksheet", "chartsheets": "chartsheet"}


def _check_declaration(data: bytes) -> None:
    """UTF-8 only, no BOM games, nothing but elements (no comments, CDATA or instructions past the
    declaration), no namespace prefixes on the elements this reader looks at."""
    if data.startswith(b"<?xml"):
        end = data.find(b"?>")
        decl = data[:end]
        m = re.search(rb"""encoding\s*=\s*["']([^"']*)["']""", decl)
        if m and m.group(1).lower() not in (b"utf-8", b"utf8"):
            raise Declined("an XML encoding other than UTF-8")
        data = data[end + 2:]
    if b"<?" in data or b"<!" in data:
        raise Declined("a comment, CDATA section or processing instruction")


def open_workbook(parts: dict) -> Workbook:
    """The workbook's sheets, shared strings and formats, or ``Declined``."""
    wb = parts.get(WORKBOOK)
    rels = parts.get(RELS)
    if wb is None or rels is None:
        raise Declined("no workbook part")
    for data in (wb, rels, parts.get(SHARED, b""), parts.get(STYLES, b"")):
        _check_declaration(data)
    for data in (wb, rels, parts.get(STYLES)):  # calamine parses them whole when it opens the file
        if data is not None and _well_formed(data, []):
            raise Declined("tags not closed")
    targets: dict[bytes, str] = {}
    for tag in _REL_TAG.findall(rels):
        a = _attrs(tag)
        target = a.get(b"Target", b"").decode("utf-8", "replace")
        typ = a.get(b"Type", b"").rsplit(b"/", 1)[-1]
        path = target[1:] if target.startswith("/xl/") else target if target.startswith("xl/") else "xl/" + target
        if (typ == b"sharedStrings" and path != SHARED) or (typ == b"styles" and path != STYLES):
            raise Declined("shared strings or styles in an unusual place")
        targets[a.get(b"Id", b"")] = path
    sheets = []
    if re.search(rb"<\w+:(?:sheet|workbook)\b", wb):
        raise Declined("namespace prefixes on the workbook's elements")
    for tag in _SHEET_TAG.findall(wb):
        a = _attrs(tag)
        rid = a.get(b"r:id")
        if rid is None or rid not in targets or b"name" not in a:
            raise Declined("a sheet without a relationship")
        path = targets[rid]
        folder = path.split("/")[1] if path.count("/") >= 2 else ""
        if folder not in _SHEET_KINDS or ".." in path:
            raise Declined("a sheet of a kind this reader does not know")
        state = a.get(b"state", b"visible")
        if state not in (b"visible", b"hidden", b"veryHidden"):
            raise Declined("an unknown sheet state")
        sheets.append(SheetInfo(xml_text(a[b"name"], trim=False, escapes=False), path, _SHEET_KINDS[folder],
                                state.decode()))
    if not sheets:
        raise Declined("no sheets")
    pr = re.search(rb"<workbookPr\b[^>]*>", wb)
    is_1904 = False
    if pr:
        v = _attrs(pr.group(0)).get(b"date1904")
        if v is not None:
            if v not in (b"1", b"0", b"true", b"false"):
                raise Declined("an unusual date1904")
            is_1904 = v in (b"1", b"true")
    return Workbook(sheets, _shared_strings(parts.get(SHARED)), _formats(parts.get(STYLES)), is_1904, parts)


_SI = re.compile(rb"<si>(.*?)</si>", re.S)
_PLAIN_T = re.compile(rb'<t(?: xml:space="preserve")?>([^<]*)</t>')
_RUN = re.compile(
    rb'<r>(?:<rPr>(?:<[A-Za-z]+(?:\s+[A-Za-z]+="[^"<]*")*\s*/>)*</rPr>|<rPr/>)?'
    rb'<t( xml:space="preserve")?>([^<]*)</t></r>'
)
_PHONETIC = re.compile(rb'<rPh(?:\s+[A-Za-z]+="[^"<]*")*>(?:<t(?: xml:space="preserve")?>[^<]*</t>)</rPh>'
                       rb'|<phoneticPr(?:\s+[A-Za-z]+="[^"<]*")*\s*/>')


def _shared_strings(data: bytes | None) -> np.ndarray:
    if data is None:
        return np.empty(0, dtype=object)
    start = re.search(rb"<sst\b[^>]*>", data)
    end = data.rfind(b"</sst>")
    if start is None or end < start.end():
        if start is not None and start.group(0).endswith(b"/>"):
            return np.empty(0, dtype=object)
        raise Declined("shared strings in an unusual shape")
    if _well_formed(data[:start.end()], []) != [b"sst"] or _well_formed(data[end:], [b"sst"]):
        raise Declined("shared strings in an unusual shape")
    body = data[start.end():end]
    items = _SI.findall(body)
    if sum(len(s) for s in items) + 9 * len(items) != len(body):
        raise Declined("shared strings in an unusual shape")
    out = np.empty(len(items), dtype=object)
    for k, inner in enumerate(items):
        m = _PLAIN_T.fullmatch(inner)
        if m:
            out[k] = xml_text(m.group(1), trim=not inner.startswith(b"<t "))
            continue
        rest = _PHONETIC.sub(b"", inner)
        runs = _RUN.findall(rest)
        if not runs or sum(len(r.group(0)) for r in _RUN.finditer(rest)) != len(rest):
            raise Declined("a shared string in an unusual shape")
        out[k] = "".join(xml_text(text, trim=not pres) for pres, text in runs)
    return out


def _formats(data: bytes | None) -> np.ndarray:
    """Date kind of each cell format (``cellXfs`` in order), as calamine classifies them."""
    if data is None:
        return np.zeros(0, dtype=np.int8)
    custom: dict[bytes, str] = {}
    block = re.search(rb"<numFmts\b[^>]*>(.*?)</numFmts>", data, re.S)
    if block:
        for tag in _TAGS.findall(block.group(1)):
            a = _attrs(tag)
            if not tag.startswith(b"<numFmt ") or b"numFmtId" not in a:
                raise Declined("an unusual number format")
            code = xml_text(a.get(b"formatCode", b""), trim=False, escapes=False)
            if code:
                custom[a[b"numFmtId"]] = code
    xfs = re.search(rb"<cellXfs\b[^>]*>(.*?)</cellXfs>", data, re.S)
    if not xfs:
        if re.search(rb"<cellXfs\b", data):
            return np.zeros(0, dtype=np.int8)
        return np.zeros(0, dtype=np.int8)
    kinds = []
    for tag in re.findall(rb"<xf\b[^>]*>", xfs.group(1)):
        fid = _attrs(tag).get(b"numFmtId")
        if fid is None:
            kinds.append(OTHER)
        elif fid in custom:
            kinds.append(format_kind(custom[fid]))
        else:
            try:
                n = int(fid)
            except ValueError:
                kinds.append(OTHER)
                continue
            kinds.append(DURATION if fid == b"46" else DATETIME if n in _BUILTIN_DATES and fid == str(n).encode()
                         else OTHER)
    return np.asarray(kinds, dtype=np.int8)


# ----------------------------------------------------------------------------- sheet tokenising
# Every tag in ``sheetData`` gets a kind from its first two bytes and its length (a table look-up);
# the few kinds that share those are told apart by one more byte.
(SD_O, SD_C, ROW_O, ROW_C, ROW_E, C_O, C_C, C_E, V_O, V_C, V_E, F_O, F_C, F_E, IS_O, IS_C, T_O, T_C,
 R_O, R_C, RPR_O, RPR_C, PROP, ROW_C_OR_RPR_C, RPR_O_OR_PROP, T_PRESERVE) = range(26)
_NKINDS = 26
_LONG = 7  # tag lengths from here on share a slot
_KIND = np.full((128, 128, _LONG + 1), -1, dtype=np.int8)


def _tag(text: str, kind: int, lengths: range | None = None) -> None:
    """Register a tag by its bytes after ``<``: the first two, and its length ``end - start``."""
    b1, b2 = ord(text[0]), ord(text[1])
    for n in lengths if lengths is not None else [min(len(text), _LONG)]:
        _KIND[b1, b2, n] = kind


for _n in ("c", "v", "f", "t", "r"):  # closing tags, bare
    _tag("/" + _n + ">", {"c": C_C, "v": V_C, "f": F_C, "t": T_C, "r": R_C}[_n])
_tag("/is>", IS_C)
_tag("/ro", ROW_C_OR_RPR_C, range(5, 6))  # </row> or... see below
_tag("/rP", ROW_C_OR_RPR_C, range(5, 6))
_tag("v>", V_O)
_tag("v/>", V_E)
_tag("is>", IS_O)
_tag("t>", T_O)
_tag("t ", T_PRESERVE, range(_LONG, _LONG + 1))
_tag("r>", R_O)
_tag("rP", RPR_O_OR_PROP, range(4, _LONG + 1))  # <rPr> (4) or a prop <rPh.../> never: checked below
_tag("c ", C_O, range(5, _LONG + 1))  # <c r="A1"> and longer; empty ones told apart by "/>"
_tag("ro", ROW_O, range(3, _LONG + 1))  # <row> ... checked below
_tag("f>", F_O)
_tag("f ", F_O, range(3, _LONG + 1))
_tag("f/", F_E, range(3, 4))
for _p in ("b/", "b ", "i/", "i ", "u/", "u ", "sz", "rF", "co", "fa", "sc", "st", "ve", "ch", "ou", "sh", "ex"):
    _tag(_p, PROP, range(3, _LONG + 1))

#: ``_KIND`` indexed by the two bytes after ``<`` read as one little-endian word, then the length
_KIND_FLAT = np.full(0x8000 << 3, -1, dtype=np.int8)
_KIND_FLAT.reshape(128, 256, _LONG + 1)[:, :128, :] = _KIND.transpose(1, 0, 2)  # [second][first][length]

#: which tag may follow which: the shapes writers produce, nothing else
_FOLLOWS = np.zeros((_NKINDS, _NKINDS), dtype=bool)
for _a, _bs in {
    SD_O: (ROW_O, ROW_E, SD_C), ROW_O: (C_O, C_E, ROW_C), ROW_C: (ROW_O, ROW_E, SD_C), ROW_E: (ROW_O, ROW_E, SD_C),
    C_O: (V_O, V_E, F_O, F_E, IS_O, C_C), C_C: (C_O, C_E, ROW_C), C_E: (C_O, C_E, ROW_C),
    V_O: (V_C,), V_C: (C_C,), V_E: (C_C,), F_O: (F_C,), F_C: (V_O, V_E, C_C), F_E: (V_O, V_E, C_C),
    IS_O: (T_O, R_O, IS_C), IS_C: (C_C,), T_O: (T_C,), T_C: (IS_C, R_C),
    R_O: (RPR_O, T_O), R_C: (R_O, IS_C), RPR_O: (PROP, RPR_C), PROP: (PROP, RPR_C), RPR_C: (T_O,),
}.items():
    _FOLLOWS[_a, list(_bs)] = True
_FOLLOWS_FLAT = _FOLLOWS.ravel()
#: depth of each kind's element, for the rare sheet with rich-text runs (``T`` is at 4 in ``<is>``, 5 in a run)
_LEVEL = np.zeros(_NKINDS, dtype=np.int32)
for _ks, _lv in (((SD_O, SD_C), 0), ((ROW_O, ROW_C, ROW_E), 1), ((C_O, C_C, C_E), 2),
                 ((V_O, V_C, V_E, F_O, F_C, F_E, IS_O, IS_C), 3), ((T_O, T_C, R_O, R_C), 4), ((RPR_O, RPR_C), 5),
                 ((PROP,), 6)):
    _LEVEL[list(_ks)] = _lv
_OPENS = np.zeros(_NKINDS, dtype=np.int32)
_OPENS[[SD_O, ROW_O, C_O, V_O, F_O, IS_O, T_O, R_O, RPR_O]] = 1
_OPENS[[SD_C, ROW_C, C_C, V_C, F_C, IS_C, T_C, R_C, RPR_C]] = -1
_CONTENT = np.zeros(_NKINDS, dtype=bool)
_CONTENT[[V_O, F_O, T_O]] = True
#: tags whose attributes are not read but must be well formed (a look-up: ``np.isin`` sorts)
_LOOSE_TAG = np.zeros(_NKINDS, dtype=bool)
_LOOSE_TAG[[ROW_O, ROW_E, F_O, F_E, PROP]] = True

_LETTER = np.full(256, -1, dtype=np.int64)
_LETTER[65:91] = np.arange(1, 27)
_DIGIT = np.full(256, -1, dtype=np.int64)
_DIGIT[48:58] = np.arange(10)
_WS = np.zeros(256, dtype=bool)
_WS[[9, 10, 13, 32]] = True
_PAD = 64
_PRESERVE = b'<t xml:space="preserve">'
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)

# cell types
T_N, T_S, T_B, T_STR, T_INLINE = 0, 1, 2, 3, 4


@dataclass
class CodedValues:
    """A sheet as codes into distinct values: ``values == uniques[codes]``."""

    codes: np.ndarray  # 2-D int32
    uniques: np.ndarray  # object
    row0: int
    col0: int
    merged: list[tuple[int, int, int, int]]


def _words(a: np.ndarray) -> np.ndarray:
    """``a`` as a little-endian uint64 at every byte offset (unaligned reads, no copy)."""
    return np.ndarray(shape=(len(a) - 8,), dtype="<u8", buffer=a, offset=0, strides=(1,))


def _expect(a: np.ndarray, at: np.ndarray, text: bytes) -> np.ndarray:
    ok = np.ones(len(at), dtype=bool)
    for k, ch in enumerate(text):
        ok &= a[at + k] == ch
    return ok


def _run(a: np.ndarray, at: np.ndarray, table: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """Value of the run of ``table`` bytes at each position (base 26 letters / base 10 digits), and its end."""
    base = 26 if table is _LETTER else 10
    at = at.copy()
    value = np.zeros(len(at), dtype=np.int64)
    idx = np.arange(len(at))
    for _ in range(limit):
        v = table[a[at[idx]]]
        keep = v >= 0
        if not keep.all():
            idx, v = idx[keep], v[keep]
        if not len(idx):
            break
        value[idx] = value[idx] * base + v
        at[idx] += 1
    if len(idx) and (table[a[at[idx]]] >= 0).any():
        raise Declined("a reference too long")
    return value, at


def _compact(pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(pair, return_inverse=True)`` for small non-negative codes, without sorting."""
    seen = np.zeros(int(pair.max(initial=-1)) + 1, dtype=bool)  # no codes at all: inline strings made of runs only
    seen[pair] = True
    rank = np.cumsum(seen) - 1
    return np.flatnonzero(seen), rank[pair]


def _distinct(a: np.ndarray, words: np.ndarray, start: np.ndarray, length: np.ndarray,
              data: bytes) -> tuple[np.ndarray, list[bytes]]:
    """Codes of the byte strings ``a[start:start+length]``, and the distinct strings.

    Strings up to 64 bytes are read as 64-bit words straight from the buffer and hashed into a
    table (no sort, no Python object per cell); a collision is caught by comparing the words and
    settled by ``np.unique`` over the few cells involved. Longer strings are sliced one by one.
    """
    n = len(start)
    if n == 0:
        return np.zeros(0, dtype=np.int64), []
    longest = int(length.max())
    if longest > 8:  # a few long titles must not make every short code pay for eight words
        short = length <= 8
        if short.all() or not short.any():
            pass
        else:
            codes = np.empty(n, dtype=np.int64)
            idx_s, idx_l = np.flatnonzero(short), np.flatnonzero(~short)
            cs, rs = _distinct(a, words, start[idx_s], length[idx_s], data)
            cl, rl = _distinct(a, words, start[idx_l], length[idx_l], data)
            codes[idx_s] = cs
            codes[idx_l] = cl + len(rs)
            return codes, rs + rl
    if longest > 64 or n < 64:
        return _distinct_slow(start, length, data)
    nw = max(1, (longest + 7) // 8)
    keys = np.empty((n, nw), dtype=np.uint64)
    h = length.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    for w in range(nw):
        left = np.clip(length - 8 * w, 0, 8)
        keys[:, w] = words[start + 8 * w] & _MASKS[left]
        h ^= keys[:, w] * np.uint64(0xBF58476D1CE4E5B9 + 2 * w)
        h ^= h >> np.uint64(29)
    bits = min(20, max(8, int(n).bit_length() + 1))  # a table about twice the cells, at most 1M slots
    bucket = (h >> np.uint64(64 - bits)).astype(np.intp)
    first = np.full(1 << bits, n, dtype=np.int64)
    np.minimum.at(first, bucket, np.arange(n))
    rep = first[bucket]
    del first, bucket, h
    same = length[rep] == length
    for w in range(nw):
        same &= keys[rep, w] == keys[:, w]
    if not same.all():
        bad = np.flatnonzero(~same)
        keyed = np.concatenate([keys[bad], length[bad, None].astype(np.uint64)], axis=1)
        _, firsts, inv = np.unique(keyed, axis=0, return_index=True, return_inverse=True)
        rep[bad] = bad[firsts][inv.ravel()]
    reps = np.flatnonzero(rep == np.arange(n))
    dense = np.empty(n, dtype=np.int64)
    dense[reps] = np.arange(len(reps))
    return dense[rep], [bytes(data[p:p + q]) for p, q in zip(start[reps].tolist(), length[reps].tolist())]


def _distinct_slow(start: np.ndarray, length: np.ndarray, data: bytes) -> tuple[np.ndarray, list[bytes]]:
    """``_distinct`` for long strings: one slice per cell (sheets of notes, not shift codes)."""
    index: dict[bytes, int] = {}
    codes = np.empty(len(start), dtype=np.int64)
    for k, (p, q) in enumerate(zip(start.tolist(), length.tolist())):
        codes[k] = index.setdefault(bytes(data[p:p + q]), len(index))
    return codes, list(index)


def read_sheet(book: Workbook, name: str) -> CodedValues:
    """One worksheet's values as codes and distinct values, or ``Declined``."""
    info = next((s for s in book.sheets if s.name == name and s.kind == "worksheet"), None)
    if info is None or info.part not in book.parts:
        raise Declined("sheet part not kept")
    try:
        part = book.parts[info.part]
        return part.result(book) if isinstance(part, SheetStream) else _read(book, part)
    finally:
        del book.parts[info.part]  # read once (the caller keeps the sheet), or calamine reads it


def _read(book: Workbook, data: bytes) -> CodedValues:
    """A worksheet part's bytes read as ``safety.inspect`` streams them (``SheetStream``)."""
    stream = SheetStream(lazy=False)
    for k in range(0, len(data), FEED):
        stream.feed(data[k:k + FEED])
    stream.close()
    return stream.result(book)


#: bytes of a part passed to ``SheetStream.feed`` at once when the whole part is at hand
FEED = 4 << 20
#: a part smaller than this is only kept by ``SheetStream`` and read when asked (a small workbook is
#: read by calamine: ``read.source.SMALL_WORKBOOK``); a larger one is read as it streams in
LAZY = 256 * 1024
#: the XML before ``sheetData`` or after it held at most (columns, merges, conditional formats)
_AROUND = 16 << 20


class SheetStream:
    """One worksheet part read as it is unpacked, a block of rows at a time (``SPLIT``).

    ``safety.inspect`` feeds each piece it unpacks (``inspect(..., reader=SheetStream)``), so the
    sheet's XML is never held whole: only the head before ``sheetData`` (checked as soon as it is
    complete), the rows not yet making a block, the tail after ``sheetData``, and each block's
    codes (``_Sheet``). What a value means in the workbook (the shared strings, the date formats of
    ``styles.xml``, which may come later in the zip) is applied in ``result``, which is only called
    once the whole workbook has passed. Anything this reader does not handle, or any error of its
    own, is recorded and raised as ``Declined`` by ``result``: it never disturbs the inspection.
    """

    def __init__(self, lazy: bool = True) -> None:
        self.size = 0  # bytes fed
        self.pending: list[bytes] | None = [] if lazy else None  # a small part, kept until asked for
        self.buf = bytearray()
        self.phase = 0  # 0: before sheetData, 1: inside it, 2: after it
        self.tail = bytearray()
        self.sheet = _Sheet()
        self.first = True
        self.declined: str | None = None
        self.closed = False

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.declined is not None:
            return
        if self.pending is not None:
            self.pending.append(chunk)
            if self.size < LAZY:
                return
            chunk, self.pending = b"".join(self.pending), None
        self._guard(self._feed, chunk)

    def close(self) -> None:
        self.closed = True
        if self.declined is None and self.pending is None:
            self._guard(self._close)

    def result(self, book: Workbook) -> CodedValues:
        """The sheet's values, once the whole workbook has passed ``safety.inspect``; or ``Declined``."""
        if self.pending is not None:  # a small part: read now
            pending, self.pending = b"".join(self.pending), None
            self._guard(self._feed, pending)
            if self.closed and self.declined is None:
                self._guard(self._close)
        if self.declined is not None:
            raise Declined(self.declined)
        if not self.closed:
            raise Declined("the part was not read to its end")
        try:
            return self.sheet.finish(book, self.merged)
        finally:
            self.sheet = _Sheet()

    def _guard(self, step, *args) -> None:
        try:
            step(*args)
        except Exception as exc:  # Declined, or a shape its checks missed: calamine reads the sheet
            self.declined = str(exc) or type(exc).__name__
            self.buf, self.tail, self.sheet = bytearray(), bytearray(), _Sheet()

    def _feed(self, chunk: bytes) -> None:
        if self.phase == 2:
            self.tail += chunk
            if len(self.tail) > _AROUND:
                raise Declined("too much after the cells")
            return
        searched = len(self.buf)
        self.buf += chunk
        if self.phase == 0:
            lo = self.buf.find(b"<sheetData")
            if lo < 0 or len(self.buf) < lo + 13:
                if len(self.buf) > _AROUND:
                    raise Declined("too much before the cells")
                return
            head = bytes(self.buf[:lo])
            _check_declaration(head)
            _check_outside(head, head=True)
            if self.buf.startswith(b"<sheetData/>", lo) or self.buf.startswith(b"<sheetData />", lo):
                self.tail = self.buf[self.buf.find(b">", lo) + 1:]
                self.buf = bytearray()
                self.phase = 2
                return self._feed(b"")
            if not self.buf.startswith(b"<sheetData>", lo):
                raise Declined("attributes on sheetData")
            del self.buf[:lo]
            self.phase = 1
            searched = 0
        self._blocks(searched)

    def _blocks(self, searched: int) -> None:
        """Read every whole block in the buffer; at ``</sheetData>``, the last one, and keep the tail.

        ``searched``: the buffer's bytes before this were already searched for ``</sheetData>``.
        """
        close = self.buf.find(b"</sheetData>", max(searched - 11, 0))
        limit = close if close >= 0 else len(self.buf)
        while limit > SPLIT:
            cut = self.buf.find(b"</row>", SPLIT, limit)
            if cut < 0:
                break
            self._block(cut + 6, final=False)
            limit -= cut + 6
        if close >= 0:
            self._block(limit + len(b"</sheetData>"), final=True)
            self.tail, self.buf = self.buf, bytearray()
            self.phase = 2
            self._feed(b"")

    def _block(self, n: int, final: bool) -> None:
        data = bytearray(n + _PAD)  # zeros after the block: look-ahead needs no bounds check
        with memoryview(self.buf) as view:
            data[:n] = view[:n]
        del self.buf[:n]
        _block(self.sheet, data, np.frombuffer(data, dtype=np.uint8), 0, n, self.first, final)
        self.first = False

    def _close(self) -> None:
        if self.phase == 0:
            raise Declined("no sheetData")
        if self.phase == 1:
            raise Declined("sheetData not closed")
        tail = bytes(self.tail)
        self.tail = bytearray()
        if b"sheetData" in tail:  # a second sheetData: a reader might read it too
            raise Declined("sheetData twice")
        _check_declaration(tail)
        _check_outside(tail, head=False)
        self.merged = _merged(tail)


#: a whole tag: name, attributes each ``name="value"`` (no ``<`` in a value), optional ``/``
_FULL_TAG = re.compile(rb"""<(/?)([A-Za-z_][\w.-]*(?::[\w.-]+)?)"""
                       rb"""((?:\s+[A-Za-z_][\w.:-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(/?)>""")
_ATTR_NAME = re.compile(rb"""\s([A-Za-z_][\w.:-]*)\s*=""")


def _well_formed(part: bytes, stack: list[bytes], limit: int = 200_000) -> list[bytes]:
    """Check ``part`` the way calamine's XML reader would before it reads it: UTF-8, every ``<``
    starting a whole tag with quoted attributes named once, end tags matching; returns the elements
    still open. Comments, CDATA and instructions (past the declaration) are declined."""
    try:
        part.decode("utf-8")
    except UnicodeDecodeError:
        raise Declined("a part that is not UTF-8") from None
    pos = part.index(b"?>") + 2 if part.startswith(b"<?xml") else 0
    tags = _FULL_TAG.findall(part, pos)
    if len(tags) > limit:
        raise Declined("too much markup")
    if len(tags) != part.count(b"<", pos):
        raise Declined("markup this reader does not parse")
    stack = list(stack)
    for close, name, attrs, empty in tags:
        if attrs:
            names = _ATTR_NAME.findall(attrs)
            if len(set(names)) != len(names):
                raise Declined("a repeated attribute")
        if close:
            if attrs or empty or not stack or stack.pop() != name:
                raise Declined("tags not nested")
        elif not empty:
            stack.append(name)
    return stack


def _check_outside(part: bytes, head: bool) -> None:
    """The XML around ``sheetData``: well formed, ``sheetData`` straight inside the worksheet."""
    stack = _well_formed(part, [] if head else [b"worksheet"], 50_000)
    if head and stack != [b"worksheet"]:
        raise Declined("sheetData not directly in the worksheet")
    if not head and stack:
        raise Declined("tags not closed")
    for ref in re.findall(rb"<dimension\b[^>]*>", part):
        if not re.fullmatch(rb'<dimension ref="[A-Z]{1,3}[0-9]{1,7}(?::[A-Z]{1,3}[0-9]{1,7})?"\s*/>', ref):
            raise Declined("an unusual dimension")


_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})([0-9]{1,7}):([A-Z]{1,3})([0-9]{1,7})"\s*/>')


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n - 1


def _merged(tail: bytes) -> list[tuple[int, int, int, int]]:
    block = re.search(rb"<mergeCells\b[^>]*>(.*?)</mergeCells>", tail, re.S)
    if block is None:
        if b"mergeCell" in tail:
            raise Declined("merged cells in an unusual shape")
        return []
    body = block.group(1)
    found = _MERGE.findall(body)
    if len(found) != body.count(b"<") or tail.count(b"<mergeCell ") != len(found):
        raise Declined("merged cells in an unusual shape")
    return [(int(r1) - 1, _col(c1), int(r2) - 1, _col(c2)) for c1, r1, c2, r2 in found]


#: bytes of ``sheetData`` tokenised at once: a block ends just after the first ``</row>`` past this
#: many bytes, so its tag positions, kinds and per-cell temporaries are a few MB whatever the sheet
SPLIT = 1 << 20
#: the category of a value is kept in a code's top bits until every block is read (``_Sheet``)
_CAT_SHIFT = 28
_LOCAL = (1 << _CAT_SHIFT) - 1
CAT_STRING, CAT_NUMBER, CAT_BOOL, CAT_STR, CAT_INLINE, CAT_RICH = range(1, 7)


class _Sheet:
    """What the blocks of one sheet carry from one to the next, and the distinct values they found.

    A block's cells get codes ``category << 28 | index``: the index into that category's values,
    which grow as blocks are read; the final code (``uniques`` being ``""``, then the shared
    strings, numbers, booleans, formula strings, inline strings and rich-text cells) is known once
    the last block is read, and each block's grid is translated then.
    """

    def __init__(self) -> None:
        self.last_kind = -1  # kind of the previous block's last tag
        self.last_cell = (-1, -1)  # row and column of the previous block's last cell
        self.loose = 0  # gaps between tags holding something: only whitespace, and few of them
        self.last_string = -1  # the largest shared-string index seen (the table may come later in the zip)
        self.numbers: dict[tuple[bytes, int], int] = {}  # (text, style): the date kind is the workbook's
        self.formula_strings: dict[bytes, int] = {}
        self.inline: dict[tuple[bytes, int], int] = {}
        self.values: list[list] = [[] for _ in range(CAT_RICH + 1)]
        self.booleans = False
        self.grids: list[tuple[int, int, np.ndarray]] = []  # (first row, first column, codes) per block

    def index(self, table: dict, key: object, value) -> int:
        """The index of ``key`` in its category, adding ``value()`` the first time it is seen."""
        k = table.get(key)
        if k is None:
            cat = self.values[self.category(table)]
            k = table[key] = len(cat)
            cat.append(value())
        return k

    def category(self, table: dict) -> int:
        return CAT_NUMBER if table is self.numbers else CAT_STR if table is self.formula_strings else CAT_INLINE

    def finish(self, book: Workbook, merged: list) -> CodedValues:
        """The sheet's uniques and one grid of final codes, the blocks' grids translated into it.

        Numbers were told apart by their text and style; here each style becomes its date kind
        (``styles.xml``), and two styles of one kind share a value.
        """
        if self.last_string >= len(book.strings):
            raise Declined("a shared-string index that is not in the table")
        number_of: dict[tuple[bytes, int], int] = {}
        numbers: list[object] = []
        renumber = np.empty(len(self.numbers), dtype=np.int32)
        for (text, style), k in self.numbers.items():
            fk = int(book.formats[style]) if 0 <= style < len(book.formats) else OTHER
            j = number_of.get((text, fk))
            if j is None:
                j = number_of[(text, fk)] = len(numbers)
                numbers.append(number_value(text, fk, book.is_1904))
            renumber[k] = j
        self.values[CAT_NUMBER] = numbers
        pieces: list[np.ndarray] = [np.array([""], dtype=object), book.strings]
        base = np.zeros(CAT_RICH + 1, dtype=np.int64)
        at = 1 + len(book.strings)
        base[CAT_STRING] = 1
        for cat in (CAT_NUMBER, CAT_BOOL, CAT_STR, CAT_INLINE, CAT_RICH):
            vals = [False, True] if cat == CAT_BOOL and self.booleans else self.values[cat]
            base[cat] = at
            if vals:
                piece = np.empty(len(vals), dtype=object)
                piece[:] = vals
                pieces.append(piece)
                at += len(vals)
        uniques = np.concatenate(pieces)
        if not self.grids:
            return CodedValues(np.zeros((0, 0), dtype=np.int32), uniques, 0, 0, merged)
        r0 = min(r for r, _, _ in self.grids)
        c0 = min(c for _, c, _ in self.grids)
        r1 = max(r + g.shape[0] for r, _, g in self.grids)
        c1 = max(c + g.shape[1] for _, c, g in self.grids)
        if (r1 - r0) * (c1 - c0) > 50_000_000:
            raise Declined("a sheet too sparse for a grid")
        grid = np.zeros((r1 - r0, c1 - c0), dtype=np.int32)
        base32 = base.astype(np.int32)
        while self.grids:  # each block's codes translated and dropped in turn
            r, c, g = self.grids.pop(0)
            cat, local = g >> _CAT_SHIFT, g & _LOCAL
            number = cat == CAT_NUMBER
            if len(renumber):
                local[number] = renumber[local[number]]
            final = base32[cat] + local
            # rows repeated in a later <row> may share a block's rectangle: write only its cells
            np.copyto(grid[r - r0:r - r0 + g.shape[0], c - c0:c - c0 + g.shape[1]], final, where=g != 0)
        return CodedValues(grid, uniques, r0, c0, merged)


def _block(sheet: _Sheet, data: bytes, a: np.ndarray, lo: int, hi: int, first: bool, final: bool) -> None:
    """Tokenise ``data[lo:hi]``, one block of whole rows, check its shape and read its cells."""
    # positions as int32, found a block at a time: temporaries stay a few MB whatever the sheet
    lt, gt = _brackets(a, lo, hi)
    if not len(lt):
        raise Declined("a block without tags")
    if gt is None:  # "<" and ">" alternate (no ">" in any text): each tag ends at the next ">"
        end = gt = lt[1::2].copy()
        lt = lt[0::2].copy()
    elif _alternate(lt, gt):
        end = gt
    else:
        k = np.searchsorted(gt, lt)
        if (k >= len(gt)).any():
            raise Declined("a tag not closed")
        end = gt[k]
        if (end[:-1] >= lt[1:]).any():
            raise Declined("a tag not closed before the next one")
    del gt
    pairs = np.ndarray(shape=(len(a) - 2,), dtype="<u2", buffer=a, offset=0, strides=(1,))
    kind = np.empty(len(lt), dtype=np.int8)
    for s in _blocks(len(lt)):
        slot = ((pairs[lt[s] + 1] & 0x7F7F).astype(np.intp) << 3) | np.minimum(end[s] - lt[s], _LONG)
        kind[s] = _KIND_FLAT[slot]
    if first:
        kind[0] = SD_O if data.startswith(b"<sheetData>", lo) else -1
    if final:
        kind[-1] = SD_C
    # kinds the table could not tell apart, and tags it took on trust (a pass only for kinds present)
    present = np.bincount(kind.astype(np.intp) + 1, minlength=_NKINDS + 1)[1:]
    if present[C_O]:
        sel = np.flatnonzero(kind == C_O)
        kind[sel] = np.where(a[end[sel] - 1] == 47, C_E, C_O)
    if present[ROW_O]:
        sel = np.flatnonzero(kind == ROW_O)
        ok = (a[lt[sel] + 3] == 119) & ((a[lt[sel] + 4] == 32) | (a[lt[sel] + 4] == 62) | (a[lt[sel] + 4] == 47))
        if not ok.all():
            raise Declined("an element this reader does not know")
        kind[sel] = np.where(a[end[sel] - 1] == 47, ROW_E, ROW_O)
    if present[ROW_C_OR_RPR_C]:
        sel = np.flatnonzero(kind == ROW_C_OR_RPR_C)
        row = _expect(a, lt[sel] + 2, b"row")
        rpr = _expect(a, lt[sel] + 2, b"rPr")
        if not (row | rpr).all():
            raise Declined("an element this reader does not know")
        kind[sel] = np.where(row, ROW_C, RPR_C)
    if present[RPR_O_OR_PROP]:
        sel = np.flatnonzero(kind == RPR_O_OR_PROP)
        if not ((end[sel] - lt[sel] == 4) & (a[lt[sel] + 3] == 114)).all():  # <rPr>, not <rPh>
            raise Declined("an element this reader does not know")
        kind[sel] = RPR_O
    if present[PROP]:
        sel = np.flatnonzero(kind == PROP)
        if not (a[end[sel] - 1] == 47).all():
            raise Declined("a run property with content")
    if present[F_O]:
        sel = np.flatnonzero(kind == F_O)
        kind[sel] = np.where(a[end[sel] - 1] == 47, F_E, F_O)
    preserve = np.zeros(0, dtype=np.int64)
    if present[T_PRESERVE]:
        sel = np.flatnonzero(kind == T_PRESERVE)
        if not ((end[sel] - lt[sel] == len(_PRESERVE) - 1) & _expect(a, lt[sel], _PRESERVE)).all():
            raise Declined("attributes on a text element")
        kind[sel] = T_O
        preserve = sel
    if kind.min() < 0:
        raise Declined("an element this reader does not know")
    # tags whose attributes the reader does not use must still be well formed (calamine checks them)
    loose_tags = np.flatnonzero(_LOOSE_TAG[kind])
    if len(loose_tags):
        start = lt[loose_tags]
        _, forms = _distinct(a, _words(a), start, end[loose_tags] - start + 1, a)
        for form in forms:
            m = _FULL_TAG.fullmatch(form)
            names = _ATTR_NAME.findall(m.group(3)) if m else []
            if not m or len(set(names)) != len(names):
                raise Declined("a tag this reader does not parse")
    # --- shape: which tag follows which (across the seam too); with rich-text runs, at which depth
    if not first and not _FOLLOWS[sheet.last_kind, kind[0]]:
        raise Declined("cells in a shape this reader does not know")
    sheet.last_kind = int(kind[-1])
    for s in _blocks(len(kind) - 1):
        pair = kind[s].astype(np.intp) * _NKINDS + kind[1:][s]
        if not _FOLLOWS_FLAT[pair].all():
            raise Declined("cells in a shape this reader does not know")
    if present[R_O] or present[R_C]:
        delta = _OPENS[kind]
        # a block after the first starts just after a </row>, inside sheetData
        depth = np.cumsum(delta, dtype=np.int32) - delta + (0 if first else 1)
        expected = _LEVEL[kind] + (delta < 0)
        off = depth != expected
        texts = np.flatnonzero((kind == T_O) | (kind == T_C))
        off[texts] = (depth[texts] != expected[texts]) & (depth[texts] != expected[texts] + 1)
        if off.any():
            raise Declined("tags not nested as cells are")
    # --- text between tags that is not a value must be blank (from the seam on)
    if data[lo:int(lt[0])].strip(b" \t\r\n"):
        raise Declined("text outside any value")
    loose = []
    for s in _blocks(len(lt) - 1):
        gap = lt[1:][s] - end[s] - 1
        loose.append(np.flatnonzero((gap > 0) & ~_CONTENT[kind[s]]) + s.start)
        sheet.loose += len(loose[-1])
        if sheet.loose > 5000:
            raise Declined("too much text between tags")
    for g in np.concatenate(loose).tolist() if loose else []:
        if data[int(end[g]) + 1:int(lt[g + 1])].strip(b" \t\r\n"):
            raise Declined("text outside any value")
    if not final and data[int(end[-1]) + 1:hi].strip(b" \t\r\n"):
        raise Declined("text outside any value")
    _values(sheet, data, a, lt, end, kind, preserve)


_BLOCK = 1 << 20


def _blocks(n: int, size: int = _BLOCK) -> list[slice]:
    return [slice(k, min(k + size, n)) for k in range(0, n, size)]


def _alternate(lt: np.ndarray, gt: np.ndarray) -> bool:
    """Whether every ``<`` is followed by one ``>`` before the next ``<`` (no ``>`` in any text)."""
    if len(lt) != len(gt) or not len(lt):
        return False
    return all((gt[s] > lt[s]).all() and (lt[1:][s] > gt[:-1][s]).all() for s in _blocks(len(lt)))


def _brackets(a: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Every ``<`` and ``>`` of ``a[lo:hi]`` in one pass, when they alternate as tags do (then
    ``(positions, None)``: the even ones open, the odd ones close); else ``<`` and ``>`` apart."""
    step = 4 << 20
    found = []
    for k in range(lo, hi, step):
        block = a[k:min(k + step, hi)]
        found.append((np.flatnonzero((block == 60) | (block == 62)) + k).astype(np.int32))
    both = np.concatenate(found) if found else np.zeros(0, dtype=np.int32)
    if len(both) % 2 == 0 and all((a[both[s][0::2]] == 60).all() and (a[both[s][1::2]] == 62).all()
                                  for s in _blocks(len(both), 1 << 21)):
        return both, None
    return _positions(a, lo, hi, 60), _positions(a, lo, hi, 62)


def _positions(a: np.ndarray, lo: int, hi: int, byte: int) -> np.ndarray:
    """Where ``byte`` occurs in ``a[lo:hi]``, as int32, 4 MB of the sheet at a time."""
    step = 4 << 20
    found = [(np.flatnonzero(a[k:min(k + step, hi)] == byte) + k).astype(np.int32) for k in range(lo, hi, step)]
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int32)


_R_PREFIX = np.uint64(int.from_bytes(b' r="', "little"))
_S_PREFIX = np.uint64(int.from_bytes(b' s="', "little"))
_T_PREFIX = np.uint64(int.from_bytes(b' t="', "little"))
_LOW4 = np.uint64(0xFFFFFFFF)
_ZEROS = np.uint64(0x3030303030303030)


def _byte(w: np.ndarray, k: int) -> np.ndarray:
    """Byte ``k`` of each little-endian word: a strided view, no arithmetic."""
    return np.ascontiguousarray(w).view(np.uint8).reshape(-1, 8)[:, k]


def _quote_at(w: np.ndarray, limit: int) -> np.ndarray:
    """Offset of the first ``"`` among the first ``limit`` bytes of each word (``limit`` if none)."""
    at = np.full(len(w), limit, dtype=np.int64)
    for k in range(limit - 1, -1, -1):
        at[_byte(w, k) == 34] = k
    return at


def _digits(words: np.ndarray, start: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    """The decimal number of up to 7 digits at each ``start``, ending at a ``"``; and where that quote is.

    Eight bytes are read as one word and converted at once (the SWAR method: subtract '0' from
    every byte, then fold pairs, fours and eights), instead of a pass per digit.
    """
    w = words[start]
    m = _quote_at(w, 8)
    if ((m == 0) | (m == 8)).any():
        raise Declined(f"an unusual {what}")
    shift = (np.uint64(8) * (np.uint64(8) - m.astype(np.uint64)))
    x = (w << shift) | (_ZEROS >> (np.uint64(64) - shift))  # digits to the top, '0's below
    x = np.where(m == 8, w, x)
    if (((x + np.uint64(0x4646464646464646)) | (x - _ZEROS)) & np.uint64(0x8080808080808080)).any():
        raise Declined(f"an unusual {what}")
    v = x - _ZEROS
    v = (v * np.uint64(10) + (v >> np.uint64(8))) & np.uint64(0x00FF00FF00FF00FF)
    v = (v * np.uint64(100) + (v >> np.uint64(16))) & np.uint64(0x0000FFFF0000FFFF)
    v = (v * np.uint64(10000) + (v >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    return v.astype(np.int64), start + m


def _cell_attributes(a: np.ndarray, words: np.ndarray, pos: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """``_cell_attributes_of`` a block of cells at a time (its temporaries are a dozen words per cell)."""
    out = [np.empty(len(pos), dtype=t) for t in (np.int32, np.int32, np.int32, np.int8)]
    for s in _blocks(len(pos), 1 << 17):
        for o, v in zip(out, _cell_attributes_of(a, words, pos[s], end[s])):
            o[s] = v
    return tuple(out)


def _cell_attributes_of(a: np.ndarray, words: np.ndarray, pos: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, ...]:
    """``r``, ``s`` and ``t`` of each ``<c`` at ``pos``: row, column, style (-1 none), type.

    Every cell tag is read as a few 64-bit words: the ``r="`` prefix, the column letters and the
    row digits, then ``s="..."`` and ``t="..."`` in either order; anything else is declined.
    """
    w = words[pos + 2]
    if ((w & _LOW4) != _R_PREFIX).any():
        raise Declined("a cell without its position first")
    l0, l1, l2, l3 = (_LETTER[_byte(w, k)] for k in (4, 5, 6, 7))
    two = l1 > 0
    three = two & (l2 > 0)
    if (l0 <= 0).any() or (three & (l3 > 0)).any():
        raise Declined("an unusual cell reference")
    col = np.where(three, (l0 * 26 + l1) * 26 + l2, np.where(two, l0 * 26 + l1, l0))
    row, at = _digits(words, pos + 7 + two + three, "cell reference")
    if (row == 0).any():
        raise Declined("an unusual cell reference")
    # the rest of the tag (`` s="3" t="s">``) takes one of a few forms in a whole sheet: each
    # distinct one is parsed once
    at = at + 1
    codes, rests = _distinct(a, words, at, end - at + 1, a)
    parsed = np.array([_rest(r) for r in rests], dtype=np.int64).reshape(-1, 2)
    style, typ = parsed[codes, 0], parsed[codes, 1]
    return row - 1, col - 1, style, typ


_REST = re.compile(rb'((?:[ \t\r\n]+[a-z]+="[^"]*")*)[ \t\r\n]*/?>')
_REST_ATTR = re.compile(rb'[ \t\r\n]+([a-z]+)="([^"]*)"')
_TYPES = {b"n": T_N, b"s": T_S, b"b": T_B, b"str": T_STR, b"inlineStr": T_INLINE}


def _rest(rest: bytes) -> tuple[int, int]:
    """Style index (-1 for none) and type of a cell tag's attributes after ``r``."""
    m = _REST.fullmatch(rest)
    if not m:
        raise Declined("a cell tag this reader does not parse")
    attrs = dict(_REST_ATTR.findall(m.group(1)))
    if len(attrs) != len(_REST_ATTR.findall(m.group(1))) or not set(attrs) <= {b"s", b"t"}:
        raise Declined("a cell attribute this reader does not know")
    style = attrs.get(b"s")
    if style is not None and not (style.isdigit() and len(style) < 9):
        raise Declined("an unusual style index")
    typ = _TYPES.get(attrs.get(b"t", b"n"))
    if typ is None:
        raise Declined("a cell type this reader does not read (error, ISO date)")
    return (int(style) if style is not None else -1), typ


def _content(lt: np.ndarray, end: np.ndarray, tags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where the text after each of ``tags`` starts and how long it is (up to the next tag)."""
    nxt = np.minimum(tags + 1, len(lt) - 1)
    start = end[tags] + 1
    return start, np.maximum(lt[nxt] - start, 0)


def _values(sheet: _Sheet, data: bytes, a: np.ndarray, lt: np.ndarray, end: np.ndarray, kind: np.ndarray,
            preserve: np.ndarray) -> None:
    """One block's cells as codes (``_Sheet``'s categories), laid out as the block's used range."""
    cell_tags = np.flatnonzero((kind == C_O) | (kind == C_E)).astype(np.int32)
    if not len(cell_tags):
        return
    words = _words(a)
    row, col, style, typ = _cell_attributes(a, words, lt[cell_tags], end[cell_tags])
    r_last, c_last = sheet.last_cell
    if not (row[0] > r_last or (row[0] == r_last and col[0] > c_last)):
        raise Declined("cells out of order or repeated")
    sheet.last_cell = (int(row[-1]), int(col[-1]))
    for s in _blocks(len(row) - 1):
        r0, r1, c0, c1 = row[s], row[1:][s], col[s], col[1:][s]
        if not ((r1 > r0) | ((r1 == r0) & (c1 > c0))).all():
            raise Declined("cells out of order or repeated")
    ncell = len(cell_tags)
    # what each cell holds: the tag after its opening (a formula comes first, then its value)
    last = len(kind) - 1
    nxt = kind[np.minimum(cell_tags + 1, last)]
    child = cell_tags + 1
    after_f = np.flatnonzero(nxt == F_O)
    child[after_f] += 2
    after_fe = np.flatnonzero(nxt == F_E)
    child[after_fe] += 1
    child = np.minimum(child, last)
    ckind = kind[child]
    ckind[kind[cell_tags] == C_E] = C_C
    has_v = ckind == V_O
    has_is = ckind == IS_O
    if (has_v & (typ == T_INLINE)).any():
        raise Declined("a value element in an inline-string cell")
    code = np.zeros(ncell, dtype=np.int32)
    present = np.zeros(ncell, dtype=bool)
    vstart, vlen = _content(lt, end, child)
    # shared strings
    sel = np.flatnonzero(has_v & (typ == T_S) & (vlen > 0))
    if len(sel):
        if (vlen[sel] > 8).any():
            raise Declined("an unusual shared-string index")
        raw, texts = _distinct(a, words, vstart[sel], vlen[sel], data)
        index = np.array([int(t) if t.isdigit() else -1 for t in texts], dtype=np.int64)
        if (index < 0).any():
            raise Declined("a shared-string index that is not in the table")
        sheet.last_string = max(sheet.last_string, int(index.max()))
        code[sel] = (CAT_STRING << _CAT_SHIFT) | index[raw]
        present[sel] = True
    # numbers: the number's text and its style together make a distinct value (``_Sheet.finish``)
    sel = np.flatnonzero(has_v & (typ == T_N) & (vlen > 0))
    if len(sel):
        st = style[sel] + 1  # 0: no style
        raw, texts = _distinct(a, words, vstart[sel], vlen[sel], data)
        width = int(st.max()) + 1
        pair = raw * width + st
        upair, inv = _compact(pair) if len(texts) * width < 1 << 22 else np.unique(pair, return_inverse=True)
        at = np.array([sheet.index(sheet.numbers, (texts[p // width], p % width - 1), lambda: None)
                       for p in upair.tolist()], dtype=np.int64)
        code[sel] = (CAT_NUMBER << _CAT_SHIFT) | at[inv]
        present[sel] = True
    # booleans
    sel = np.flatnonzero(has_v & (typ == T_B))
    if len(sel):
        first = a[vstart[sel]]
        if not ((vlen[sel] == 1) & ((first == 48) | (first == 49))).all():
            raise Declined("a boolean written other than 0 or 1")
        code[sel] = (CAT_BOOL << _CAT_SHIFT) | (first == 49)
        present[sel] = True
        sheet.booleans = True
    # cached formula strings (t="str"): text, not trimmed
    sel = np.flatnonzero(has_v & (typ == T_STR))
    if len(sel):
        raw, texts = _distinct(a, words, vstart[sel], vlen[sel], data)
        at = np.array([sheet.index(sheet.formula_strings, t, lambda t=t: xml_text(t, trim=False)) for t in texts],
                      dtype=np.int64)
        code[sel] = (CAT_STR << _CAT_SHIFT) | at[raw]
        present[sel] = True
    # inline strings: one <t> straight in <is> is the usual case; runs are joined one cell at a time
    sel = np.flatnonzero(has_is)
    if len(sel):
        is_tag = child[sel]
        inner = kind[np.minimum(is_tag + 1, last)]
        simple = (inner == T_O) & (kind[np.minimum(is_tag + 3, last)] == IS_C)
        blank = inner == IS_C
        one = sel[simple]
        t_tag = is_tag[simple] + 1
        raw, texts = _distinct(a, words, *_content(lt, end, t_tag), data)
        kept = np.zeros(len(kind), dtype=bool)
        kept[preserve] = True
        upair, inv = _compact(raw * 2 + kept[t_tag])
        at = np.array([sheet.index(sheet.inline, (texts[p // 2], p % 2),
                                   lambda p=p: xml_text(texts[p // 2], trim=not p % 2))
                       for p in upair.tolist()], dtype=np.int64)
        code[one] = (CAT_INLINE << _CAT_SHIFT) | at[inv]
        if blank.any():
            code[sel[blank]] = (CAT_INLINE << _CAT_SHIFT) | sheet.index(sheet.inline, (b"", 1), lambda: "")
        present[one] = True
        present[sel[blank]] = True
        rich = np.flatnonzero(~simple & ~blank)
        extra = sheet.values[CAT_RICH]
        if len(extra) + len(rich) > 20_000:
            raise Declined("too many rich-text cells")
        if len(rich):
            closes = np.flatnonzero(kind == IS_C)
            code[sel[rich]] = (CAT_RICH << _CAT_SHIFT) | (len(extra) + np.arange(len(rich)))
            for k in rich.tolist():
                first_tag = int(is_tag[k])
                stop = int(closes[np.searchsorted(closes, first_tag)])
                extra.append("".join(
                    xml_text(data[int(end[t]) + 1:int(lt[t + 1])], trim=not kept[t])
                    for t in range(first_tag + 1, stop) if kind[t] == T_O
                ))
            present[sel[rich]] = True
    # the block's used range: cells holding a value (an empty string counts, a cell with no value does not)
    used = np.flatnonzero(present)
    if not len(used):
        return
    if len(used) < ncell:
        row, col, code = row[used], col[used], code[used]
    r0, c0 = int(row.min()), int(col.min())
    shape = (int(row.max()) - r0 + 1, int(col.max()) - c0 + 1)
    if shape[0] * shape[1] > 50_000_000:
        raise Declined("a sheet too sparse for a grid")
    grid = np.zeros(shape, dtype=np.int32)
    grid[row - r0, col - c0] = code
    sheet.grids.append((r0, c0, grid))
