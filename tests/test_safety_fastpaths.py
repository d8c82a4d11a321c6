"""The safety scan's short cuts for small workbooks give the general path's verdict, exactly.

``safety.inspect`` reads a small file whole once and unpacks each part from those bytes
(``_inflate``) instead of through ``zipfile``; ``xlsx.passes_whole`` proves a one-piece sheet passes
without the numpy scan; ``_dtd_in`` skips the DTD regex on long pieces with no ``<!``. Each must
change no verdict: the same parts pass, and a refused file is refused with the same message, the
first of its problems being the one reported. Here each runs against the general path (``zf.open``
piece by piece, and the full scan) on hand-made hostile parts and on hypothesis-generated ones.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rostercheck.safety as safety
import rostercheck.safety.xlsx as xlsx
from rostercheck.errors import InputError

ROOT = Path(__file__).parent.parent
SAMPLES = sorted((ROOT / "sample_rosters").rglob("*.xlsx"))
SHEET = "xl/worksheets/sheet1.xml"
HEAD = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="http://schemas.'
        b'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships"><dimension ref="A1:C3"/><cols><col min="1" max="3"/></cols>'
        b"<sheetData>")
TAIL = b"</sheetData></worksheet>"


# ----------------------------------------------------------------------------- verdicts
def scan_verdict(data: bytes, fast: bool) -> str:
    """A worksheet part scanned as one piece: through ``SheetScan`` (which tries ``passes_whole``
    first) or through ``check_sheet`` (the full scan, always)."""
    try:
        if fast:
            scan = xlsx.SheetScan("f.xlsx", "s")
            scan.feed(data)
            scan.close()
        else:
            xlsx.check_sheet(data, "f.xlsx", "s")
    except InputError as e:
        return str(e)
    return "ok"


def inspect_verdict(path: Path, fast: bool, mp: pytest.MonkeyPatch) -> tuple:
    """``inspect``'s outcome and the parts it keeps, with the short cuts or without them."""
    with mp.context() as m:
        if not fast:
            m.setattr(safety, "SMALL_FILE", -1)  # never read whole: every part through zf.open
            m.setattr(xlsx, "passes_whole", lambda data: False)  # every sheet fully scanned
        kept: dict = {}
        try:
            safety.inspect(path, "f.xlsx", keep=kept)
        except InputError as e:
            return ("refused", str(e))
        except Exception as e:  # anything else must at least be the same thing
            return ("raised", type(e).__name__, str(e))
        return ("ok", {k: bytes(v) for k, v in kept.items()})


def assert_same(path: Path, mp: pytest.MonkeyPatch) -> tuple:
    fast, general = inspect_verdict(path, True, mp), inspect_verdict(path, False, mp)
    assert fast == general, (path.name, fast[:2], general[:2])
    return fast


# ----------------------------------------------------------------------------- hand-made parts
CELLS = [
    b'<c r="A1"><v>1</v></c>', b"<c r='B1' t='s'><v>0</v></c>", b'<c r="C1" t="inlineStr"><is><t>D</t></is></c>',
    b"<c><v>2</v></c>", b'<c s="1" r="D1"><v>3</v></c>', b'<c r = "E1"><v>4</v></c>', b'<c\tr="F1"><v>5</v></c>',
    b'<c r="XFD1048576"><v>1</v></c>', b'<c r="xfd1048576"/>', b'<c r="AAA1"/>', b'<c r="A10000"/>',
    b'<c r="ZZ9999"/>', b'<c r="A1048577"/>', b'<c r="A1"><f>1+1</f></c>', b'<c r="A1"><f>1+1</f><v/></c>',
    b'<c r="A1"><f>1+1</f><v>2</v></c>', b'<x:c r="A1"><x:f>1</x:f></x:c>', b'<x:c r="B2"><x:v>1</x:v></x:c>',
    b'<c r="A1" t="inlineStr"><f>1</f><is><t>x</t></is></c>', b"<c><f>1</f></c>",
    b'<c r="A1"><f t="shared" ref="A1" si="0">1</f></c>', b'<c r="A1"><v>2</v><f>1+1</f></c>',
    b'<c r="1"/>', b'<c r=""/>', b'<c r="A"/>', b"<c/>", b'<c r="A1" r="XFD1"/>',
    b'<c r="A1"><is><r><rPr/><t>rich</t></r></is></c>',
]
ROWS = [b'<row r="1">', b"<row r='2'>", b"<row>", b'<row r="1048576">', b'<row r="1048577">', b'<row r = "3">',
        b'<x:row r="4">', b'<row spans="1:3" r="5">']


def hostile_sheets() -> list[bytes]:
    sheets = []
    for row in ROWS:
        for cell in CELLS:
            end = b"</x:row>" if row.startswith(b"<x:") else b"</row>"
            sheets.append(HEAD + row + cell + end + TAIL)
    many = b"".join(b'<row r="%d">' % i + b"".join(b"<c><v>1</v></c>" for _ in range(40)) + b"</row>"
                    for i in range(1, 60))
    sheets += [HEAD + many + TAIL, HEAD + many.replace(b' r="', b" x=\"") + TAIL, HEAD + TAIL, b"", b"<c", b"r"]
    sheets.append(HEAD + b'<row r="1">' + b"".join(b'<c r="A%d"><v>1</v></c>' % i for i in range(2000)) + b"</row>"
                  + TAIL)
    return sheets


@pytest.mark.parametrize("limit", [xlsx.MAX_CELLS, 7_030_000, 5_000])  # 702 x 9,999 is 7,019,298
@pytest.mark.parametrize("small_part", [0, 1 << 30])
def test_passes_whole_on_hostile_sheets(monkeypatch, limit, small_part):
    """Both forms of the proof (``re`` for a small part, numpy for a larger one) only ever pass a
    sheet the full scan passes, and a sheet scanned through ``SheetScan`` gets the full scan's
    verdict, message for message."""
    monkeypatch.setattr(xlsx, "MAX_CELLS", limit)
    monkeypatch.setattr(xlsx, "SMALL_PART", small_part)
    passed = 0
    for data in hostile_sheets():
        general = scan_verdict(data, False)
        if xlsx.passes_whole(data):
            passed += 1
            assert general == "ok", data[:300]
        assert scan_verdict(data, True) == general, data[:300]
    assert passed > 20 or limit < 7_100_000  # the proof does pass the plain ones


TOKENS = [*CELLS, *ROWS, b"</row>", b"</c>", b"<v>1</v>", b"<v/>", b"<f>", b"</f>", b"<is><t>x</t></is>", b" ", b"\n",
          b"\t", b"\r", b'r="', b"r='", b' r="', b" r = '", b"r=", b"=", b'"', b"'", b"A", b"XFD", b"1048576", b"9",
          b"<c", b"<r", b":c", b":r", b":f", b"<f", b"<v", b"x:", b"<cols>", b"<col/>", b"<rPr/>", b"<r>", b"</r>",
          b' r="A1234"', b' r="AB12345"', b' r="7777777"', b" r='Zz99'", b"<!-- -->"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(TOKENS), st.binary(max_size=6)), max_size=60),
       st.sampled_from([xlsx.MAX_CELLS, 7_025_000, 3_000]), st.booleans(), st.booleans())
def test_passes_whole_on_generated_sheets(tokens, limit, small, framed):
    """Generated parts: any mixture of cells, rows, formulas, values, references of every length,
    prefixes, whitespace and noise, with the limits low enough that counting matters."""
    data = (HEAD if framed else b"") + b"".join(tokens) + (TAIL if framed else b"")
    with pytest.MonkeyPatch.context() as m:
        m.setattr(xlsx, "MAX_CELLS", limit)
        m.setattr(xlsx, "SMALL_PART", 1 << 30 if small else 0)
        general = scan_verdict(data, False)
        if xlsx.passes_whole(data):
            assert general == "ok", data
        assert scan_verdict(data, True) == general, data


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40), st.integers(0, 40_000), st.sampled_from([b"<!DOCTYPE", b"<!doctype", b"<!EnTiTy",
                                                                        b"<!", b"<!-", b"<<!", b"!<"]))
def test_dtd_in_is_the_regex(noise, at, word):
    """``_dtd_in`` answers as ``_DTD.search`` does, at every offset and length around the numpy cut."""
    body = bytearray(b"x" * at) + noise
    data = bytes(body[: at // 2]) + word + bytes(body[at // 2:])
    for piece in (data, data[1:], data[:-1], bytes(body)):
        assert safety._dtd_in(piece) == (safety._DTD.search(piece) is not None)


# ----------------------------------------------------------------------------- workbooks
def small_book(sheet: bytes = HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>D</t></is></c></row>' + TAIL,
               extra: dict[str, bytes] | None = None, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    members = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                               b'content-types"/>',
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="x"/>',
        "xl/workbook.xml": b'<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
                           b'<sheets><sheet name="Roster" sheetId="1" r:id="rId1"/><sheet name="Legend" sheetId="2" '
                           b'r:id="rId2"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
                                      b'/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                                      b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument'
                                      b'/2006/relationships/worksheet" Target="/xl/sheet9.xml"/></Relationships>',
        SHEET: sheet,
        "xl/sheet9.xml": HEAD + b'<row r="1"><c r="A1"><v>1</v></c></row>' + TAIL,
        "xl/styles.xml": b'<styleSheet><numFmts count="0"/></styleSheet>',
        "xl/sharedStrings.xml": b'<sst xmlns="x" count="1" uniqueCount="1"><si><t>D</t></si></sst>',
        "docProps/app.xml": b"<Properties/>",
        "xl/media/image1.png": b"\x89PNG\r\n<!DOCTYPE not xml>",
    }
    members.update(extra or {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


HOSTILE_BOOKS = {
    "plain": {},
    "dtd in a sheet": {SHEET: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>' + HEAD + TAIL},
    "lower-case doctype in styles": {"xl/styles.xml": b"<!doctype x []><styleSheet/>"},
    "entity in rels": {"_rels/.rels": b'<!ENTITY e "x"><Relationships/>'},
    "dtd in workbook.xml": {"xl/workbook.xml": b"<!DOCTYPE w []><workbook/>"},
    "far cell": {SHEET: HEAD + b'<row r="1"><c r="A1"/></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                      + TAIL},
    "far cell in the legend": {"xl/sheet9.xml": HEAD + b'<row r="1"><c r="A1"/><c r="XFD1048576"/></row>' + TAIL},
    "formula without a value": {SHEET: HEAD + b'<row r="1"><c r="B7"><f>1+1</f></c></row>' + TAIL},
    "formula and far cell": {SHEET: HEAD + b'<row r="1"><c r="B7"><f>1</f></c><c r="XFD1048576"/></row>' + TAIL},
    "far cell then dtd later": {SHEET: HEAD + b'<row r="1"><c r="A1"/><c r="XFD1048576"/></row>' + TAIL,
                                "xl/zz.xml": b"<!DOCTYPE x []><x/>"},
    "huge uniqueCount": {"xl/sharedStrings.xml": b'<sst xmlns="x" count="1" uniqueCount="99999999"><si/></sst>'},
    "hidden worksheet": {"xl/other.xml": HEAD + b'<row r="1"><c r="A1"/><c r="XFD1048576"/></row>' + TAIL},
    "inline strings": {SHEET: HEAD + b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>'
                                              % (i, i) for i in range(1, 400)) + TAIL},
    "dtd at the 16 KB cut": {"xl/theme/theme1.xml": b"<a>" + b"x" * (16 * 1024 - 5) + b"<!DOCTYPE>" + b"y" * 99},
    "dtd at the end of a long part": {"xl/theme/theme1.xml": b"<a>" + b"x" * 40_000 + b"<!ENTITY"},
    "no cached values anywhere": {SHEET: HEAD + b"".join(b"<row><c><f>A%d</f></c></row>" % i for i in range(50))
                                  + TAIL},
}


@pytest.mark.parametrize("case", HOSTILE_BOOKS)
@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_inspect_short_cuts_change_no_verdict(tmp_path, monkeypatch, case, method):
    path = tmp_path / "b.xlsx"
    path.write_bytes(small_book(extra=HOSTILE_BOOKS[case], method=method))
    verdict = assert_same(path, monkeypatch)
    assert (verdict[0] == "ok") == (case in ("plain", "inline strings")), verdict[:2]


@pytest.mark.parametrize("sample", SAMPLES[:6], ids=lambda p: p.name)
def test_inspect_short_cuts_on_the_samples(monkeypatch, sample):
    assert assert_same(sample, monkeypatch)[0] == "ok"


def _local_headers(raw: bytes) -> list[int]:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return [i.header_offset for i in z.infolist()]


def test_inflate_declines_what_zipfile_would_question(tmp_path, monkeypatch):
    """A damaged part is never unpacked by ``_inflate``: it goes through ``zf.open``, which refuses it
    as it always did (the same exception named in the same message)."""
    raw = small_book()
    sheet_at = _local_headers(raw)[4]
    cases = {
        "bad signature": (sheet_at, b"PK\x05\x06"),
        "name differs": (sheet_at + 30, b"X"),
        "patched-data flag": (sheet_at + 6, b"\x20\x00"),
        "data corrupted": (sheet_at + 30 + len(SHEET) + 5, b"\xff\xff\xff"),
        "extra length past the end": (sheet_at + 28, b"\xff\xff"),
    }
    for case, (at, new) in cases.items():
        bad = raw[:at] + new + raw[at + len(new):]
        path = tmp_path / "bad.xlsx"
        path.write_bytes(bad)
        with zipfile.ZipFile(io.BytesIO(bad)) as z:
            info = z.infolist()[4]
            assert safety._inflate(bad, info, z) is None, case
        assert_same(path, monkeypatch)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_inflate_is_zipfile_on_damaged_files(data):
    """Bytes flipped anywhere in a local header, the data after it, or the central directory: a part
    ``_inflate`` unpacks is exactly what ``zf.read`` gives (without an error), and the whole file's
    verdict is the general path's."""
    method = data.draw(st.sampled_from([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    raw = bytearray(small_book(method=method))
    starts = _local_headers(bytes(raw))
    for _ in range(data.draw(st.integers(1, 4))):
        base = data.draw(st.sampled_from([*starts, len(raw) - 22, len(raw) - 200]))
        at = min(max(base + data.draw(st.integers(0, 80)), 0), len(raw) - 1)
        raw[at] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    raw = bytes(raw)
    try:
        z = zipfile.ZipFile(io.BytesIO(raw))
    except Exception:  # inspect returns or refuses before unpacking: nothing to compare
        z = None
    if z is not None:
        with z:
            for info in z.infolist():
                got = safety._inflate(raw, info, z)
                if got is not None:
                    assert z.read(info) == got, info.filename
    with pytest.MonkeyPatch.context() as mp:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "b.xlsx"
            path.write_bytes(raw)
            assert inspect_verdict(path, True, mp) == inspect_verdict(path, False, mp)


def test_inflate_reads_a_local_header_with_an_extra_field_and_a_data_descriptor():
    """Sizes after the data (flag bit 3) and an extra field in the local header: unpacked as zipfile does."""
    body = b"<worksheet><sheetData/></worksheet>" * 50
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    packed = comp.compress(body) + comp.flush()
    name = b"xl/worksheets/sheet1.xml"
    extra = b"\xfe\xca\x04\x00abcd"
    crc = zlib.crc32(body)
    local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0x0008, 8, 0, 0, 0, 0, 0, len(name), len(extra))
    descriptor = struct.pack("<4sLLL", b"PK\x07\x08", crc, len(packed), len(body))
    central = struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, 0x0008, 8, 0, 0, crc, len(packed),
                          len(body), len(name), 0, 0, 0, 0, 0, 0)
    entry = local + name + extra + packed + descriptor
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), len(entry), 0)
    raw = entry + central + name + end
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        info = z.infolist()[0]
        assert z.read(info) == body
        assert safety._inflate(raw, info, z) == body


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_the_short_cuts_are_taken_on_ordinary_workbooks(sample):
    """The speed is not silently lost: an ordinary workbook's parts are all unpacked by ``_inflate``
    and its sheets (no formulas, well inside the limits) all proven by ``passes_whole``."""
    raw = sample.read_bytes()
    with zipfile.ZipFile(sample) as z:
        for info in z.infolist():
            assert safety._inflate(raw, info, z) == z.read(info), info.filename
            if info.filename.startswith("xl/worksheets/"):
                data = z.read(info)
                assert xlsx._passes_whole_np(data), info.filename
                assert len(data) > xlsx.PROOF_LIMIT or xlsx.passes_whole(data), info.filename
                with pytest.MonkeyPatch.context() as m:
                    m.setattr(xlsx, "SMALL_PART", 1 << 30)  # the re form, whatever the size
                    assert xlsx.passes_whole(data), info.filename


def test_the_proof_is_not_tried_on_a_large_part():
    """Past ``PROOF_LIMIT`` the proof would cost nearly the scan itself: the scan alone runs."""
    row = b'<row r="1"><c r="A1"><v>1</v></c></row>'
    plain = HEAD + row * ((xlsx.PROOF_LIMIT - len(HEAD) - len(TAIL)) // len(row)) + TAIL
    assert len(plain) <= xlsx.PROOF_LIMIT and xlsx.passes_whole(plain)
    big = HEAD + row * ((xlsx.PROOF_LIMIT + 2 * len(row)) // len(row)) + TAIL
    assert not xlsx.passes_whole(big) and scan_verdict(big, True) == scan_verdict(big, False) == "ok"
