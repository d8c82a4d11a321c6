"""The numpy xlsx reader (``read.xlsx_values``) against calamine: same sheets, same cells, same ranges.

Every comparison reads the file both ways: ``xlsx_values`` from the bytes the safety scan kept, and
python-calamine exactly as ``open_book`` used it before (``source._open_calamine``). Values must
agree in type and value cell by cell, with the same trimmed-away offset (``row0``/``col0``) and the
same merged ranges. Where the numpy reader declines a sheet, ``open_book`` must still give
calamine's answer (the fallback), and the tests say which files are expected to be declined.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rostercheck.read import source
from rostercheck.read import xlsx_values as xv
from rostercheck.read.cells import text_array
from rostercheck.read.source import CodedSheet, _open_calamine, open_book
from rostercheck.safety import inspect
from tests.workbooks import days, fm_block_sheet, half_day_block, make_xlsx
from tools import synth


@pytest.fixture(autouse=True)
def _numpy_reader_for_every_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """Workbooks under ``SMALL_WORKBOOK`` are read by calamine in production; these tests hold the
    numpy reader to calamine on small files too, so they lower the threshold to nothing."""
    monkeypatch.setattr(source, "SMALL_WORKBOOK", 0)


def test_small_workbooks_are_read_by_calamine_and_large_ones_by_numpy(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    path = _synth(tmp_path, "grid.xlsx")
    monkeypatch.setattr(source, "SMALL_WORKBOOK", path.stat().st_size * 1000)
    small = open_book(path).sheet(synth.ROSTER_SHEET)
    monkeypatch.setattr(source, "SMALL_WORKBOOK", 1)
    large = open_book(path).sheet(synth.ROSTER_SHEET)
    assert not isinstance(small, CodedSheet) and isinstance(large, CodedSheet)
    assert (small.texts() == large.texts()).all()

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(
    [*ROOT.glob("sample_rosters/**/*.xlsx"), *ROOT.glob("tests/data/**/*.xlsx")]
)


def _same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    return a == b


#: block sizes (``xlsx_values.SPLIT``) every comparison also reads with: each row its own block, and
#: blocks of a few rows cut wherever the first ``</row>`` past 97 bytes falls
SPLITS = (1, 97)


def _read_split(parts: dict[str, bytes], name: str, split: int) -> xv.CodedValues | str:
    """The sheet read in blocks of ``split`` bytes (from a copy of the kept parts), or why it was declined."""
    saved = xv.SPLIT
    xv.SPLIT = split
    try:
        return xv.read_sheet(xv.open_workbook(dict(parts)), name)
    except xv.Declined as exc:
        return f"declined: {exc}"
    finally:
        xv.SPLIT = saved


def compare(path: Path) -> dict[str, str]:
    """Read ``path`` both ways and assert they agree; returns per sheet "read" or why it was declined.

    The numpy reader reads each sheet in one block (the test files are far below ``SPLIT``) and
    again in blocks of one row and of a few rows (``SPLITS``): the same answer, or a decline either
    way, and one table of distinct values however many blocks found them.
    """
    parts: dict[str, bytes] = {}
    inspect(path, path.name, keep=parts)
    wb = xv.open_workbook(dict(parts))  # raises Declined: the tests that call this expect no decline here
    ref = _open_calamine(path, path.name)
    assert wb.names == ref.names
    assert wb.visible == ref.visible
    out = {}
    for name in ref.names:
        split = [_read_split(parts, name, k) for k in SPLITS]
        try:
            coded = xv.read_sheet(wb, name)
        except xv.Declined as exc:
            out[name] = f"declined: {exc}"
            assert all(isinstance(b, str) for b in split), (name, out[name])
            continue
        for blocks in split:
            assert not isinstance(blocks, str), (name, blocks)
            assert (blocks.row0, blocks.col0, blocks.merged) == (coded.row0, coded.col0, coded.merged)
            assert len(blocks.uniques) == len(coded.uniques), name  # values seen in several blocks: once
            assert blocks.codes.shape == coded.codes.shape
            assert all(_same(x, y) for x, y in zip(blocks.uniques[blocks.codes].ravel().tolist(),
                                                   coded.uniques[coded.codes].ravel().tolist()))
        want = ref.sheet(name)
        got = coded.uniques[coded.codes]
        assert got.shape == want.values.shape, name
        assert (coded.row0, coded.col0) == (want.row0, want.col0), name
        assert coded.merged == want.merged, name
        bad = [(i, j, got[i, j], want.values[i, j]) for i, j in np.ndindex(got.shape)
               if not _same(got[i, j], want.values[i, j])]
        assert not bad, (name, bad[:5])
        out[name] = "read"
    return out


def assert_book_matches_calamine(path: Path) -> None:
    """``open_book`` (numpy reader, or calamine where it declines) gives calamine's sheets."""
    book = open_book(path)
    ref = _open_calamine(path, str(path))
    assert book.names == ref.names and book.visible == ref.visible
    for name in ref.names:
        got, want = book.sheet(name), ref.sheet(name)
        assert (got.row0, got.col0, got.merged) == (want.row0, want.col0, want.merged)
        assert got.values.shape == want.values.shape
        assert all(_same(x, y) for x, y in zip(got.values.ravel().tolist(), want.values.ravel().tolist()))
        assert (got.texts() == text_array(want.values)).all()
        head = book.sheet(name, 3)
        assert head.values.shape[0] == min(3, want.values.shape[0])


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_samples_and_test_files_read_as_calamine_reads_them(path: Path) -> None:
    result = compare(path)
    assert result and all(v == "read" for v in result.values()), result
    assert isinstance(open_book(path).sheet(result and next(iter(result))), CodedSheet)


# ------------------------------------------------------------------------------------ synth rosters
def _synth(tmp_path: Path, name: str, **kw) -> Path:
    s = synth.generate(12, 28, seed=3)
    return synth.write_xlsx(s, tmp_path / name, **kw)


def _rewrite_dates(path: Path, as_text: bool) -> Path:
    """The synth roster with its header dates as plain numbers (serials, no date format) or as text."""
    wb = openpyxl.load_workbook(path)
    ws = wb[synth.ROSTER_SHEET]
    for row in ws.iter_rows():
        for c in row:
            if isinstance(c.value, dt.datetime):
                c.value = f"{c.value:%m/%d/%Y}" if as_text else (c.value - dt.datetime(1899, 12, 30)).days
                c.number_format = "General"
    out = path.with_name(path.stem + ("-text" if as_text else "-serial") + ".xlsx")
    wb.save(out)
    return out


def _to_shared_strings(path: Path) -> Path:
    """The workbook with its inline strings (what openpyxl writes) moved into a shared-string table."""
    import re

    strings: dict[bytes, int] = {}

    def shared(m: re.Match) -> bytes:
        return m.group(1) + b't="s"><v>' + str(strings.setdefault(m.group(2), len(strings))).encode() + b"</v></c>"

    out = path.with_name(path.stem + "-sst.xlsx")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'(<c [^>]*?)t="inlineStr"><is><t(?: xml:space="preserve")?>([^<]*)</t></is></c>',
                              shared, data)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", f'<Relationship Id="rId99" Type="{_REL}sharedStrings" '
                                    'Target="sharedStrings.xml"/></Relationships>'.encode())
            zout.writestr(item, data)
        zout.writestr("xl/sharedStrings.xml", b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                      b'openxmlformats.org/spreadsheetml/2006/main">'
                      + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>")
    return out


def test_synth_rosters_of_several_shapes(tmp_path: Path) -> None:
    plain = _synth(tmp_path, "grid.xlsx")
    shapes = [
        plain,
        _synth(tmp_path, "no-title.xlsx", title="", subtitle="", legend_sheet=False),
        _synth(tmp_path, "titled.xlsx", title="Block 7 & 8 <draft>", subtitle="  v2  "),
        _rewrite_dates(plain, as_text=False),
        _rewrite_dates(plain, as_text=True),
        _to_shared_strings(plain),  # as Excel saves it: every text in xl/sharedStrings.xml
        half_day_block(tmp_path / "half-day.xlsx"),
        fm_block_sheet(tmp_path / "fm.xlsx"),
        fm_block_sheet(tmp_path / "fm-yearless.xlsx", yearless=True, labels_in_header=True),
    ]
    for path in shapes:
        result = compare(path)
        assert all(v == "read" for v in result.values()), (path.name, result)
        assert_book_matches_calamine(path)


# --------------------------------------------------------------------- every value type, openpyxl
def test_every_value_type_written_by_openpyxl(tmp_path: Path) -> None:
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.chart import BarChart, Reference

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Values & more"
    ws["C4"] = "plain"
    ws["D4"] = "  padded  "
    ws["E4"] = 'a & b < c > "d" \'e\''
    ws["F4"] = "line\nbreak"
    ws["G4"] = CellRichText(["Dr. ", TextBlock(InlineFont(b=True), "Smith"), " (PGY2)"])
    ws["H4"] = "_x0041_ literal?"
    ws["C5"] = 3
    ws["D5"] = 2.5
    ws["E5"] = -0.125
    ws["F5"] = 1e-7
    ws["G5"] = 123456789012
    ws["H5"] = True
    ws["I5"] = False
    ws["C6"] = dt.date(2026, 7, 1)
    ws["D6"] = dt.datetime(2026, 7, 1, 7, 30)
    ws["E6"] = dt.time(19, 0)
    ws["F6"] = dt.datetime(2026, 7, 1)
    ws["F6"].number_format = "d-mmm"
    ws["G6"] = 46204
    ws["G6"].number_format = "yyyy-mm-dd;@"
    ws["H6"] = 0.5
    ws["H6"].number_format = "[h]:mm"
    ws["I6"] = 0.75
    ws["I6"].number_format = "h:mm AM/PM"
    ws["J6"] = 46204.25
    ws["J6"].number_format = '[$-409]dddd, mmmm d, yyyy "at" h:mm'
    ws["K6"] = 46204
    ws["K6"].number_format = '0.00" days"'
    ws["L6"] = 46204
    ws["L6"].number_format = "#,##0"
    ws["C8"] = ""
    ws.merge_cells("C9:E9")
    ws["C9"] = "merged"
    ws.merge_cells("G8:G10")
    hidden = wb.create_sheet("Hidden")
    hidden["B2"] = "secret"
    hidden.sheet_state = "hidden"
    very = wb.create_sheet("Very hidden")
    very["A1"] = 1
    very.sheet_state = "veryHidden"
    wb.create_sheet("Empty")
    data = wb.create_sheet("Data")
    for i in range(1, 5):
        data.append([i, i * i])
    chart = BarChart()
    chart.add_data(Reference(data, min_col=2, min_row=1, max_row=4))
    cs = wb.create_chartsheet("Chart")
    cs.add_chart(chart)
    path = tmp_path / "types.xlsx"
    wb.save(path)
    result = compare(path)
    assert set(result) == {"Values & more", "Hidden", "Very hidden", "Empty", "Data"}
    assert all(v == "read" for v in result.values()), result
    assert_book_matches_calamine(path)


def test_1904_dates_and_inline_strings(tmp_path: Path) -> None:
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    wb = openpyxl.Workbook(write_only=True)  # write-only: inline strings
    wb.epoch = CALENDAR_MAC_1904
    ws = wb.create_sheet("Mac")
    ws.append([])
    ws.append([None, None, "Resident", *days(5)])
    ws.append([None, None, "  Ann  ", "D", "N", "", "OFF", 0.25])
    path = tmp_path / "mac.xlsx"
    wb.save(path)
    assert compare(path) == {"Mac": "read"}
    assert_book_matches_calamine(path)


def test_empty_rows_and_columns_before_the_data_and_merges(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "offset.xlsx", {"S": [["Resident", *days(3)], ["Ann", "D", None, "N"]]},
                     top=5, left=4, hidden=(), merges={"S": ["D5:E5"]})
    assert compare(path) == {"S": "read"}
    sheet = open_book(path).sheet("S")
    assert (sheet.row0, sheet.col0) == (4, 3)
    assert sheet.address(1, 3) == "G6"


# ------------------------------------------------------------------ hand-written XML: edge shapes
_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships '
              'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
              'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
              'Target="xl/workbook.xml"/></Relationships>')
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_FORMATS = ["General", "yyyy-mm-dd", "[h]:mm", "h:mm", "m/d/yyyy h:mm", '0.0" h"', "d-mmm;@", "[Red]0.00"]


def hand_xlsx(path: Path, sheet_data: str, strings: list[str] | None = None, *, date1904: bool = False,
              tail: str = "") -> Path:
    """A minimal workbook with the given ``sheetData`` body, shared-string items (raw XML inside
    ``<si>``) and styles 0..7 holding ``_FORMATS``."""
    numfmts = "".join(f'<numFmt numFmtId="{164 + k}" formatCode="{f.replace(chr(34), "&quot;")}"/>'
                      for k, f in enumerate(_FORMATS))
    xfs = "".join(f'<xf numFmtId="{164 + k}"/>' for k in range(len(_FORMATS)))
    xfs += '<xf numFmtId="14"/><xf numFmtId="22"/>'
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", '<?xml version="1.0" encoding="UTF-8"?><workbook '
                   'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                   f'xmlns:r="{_REL[:-1]}"><workbookPr date1904="{int(date1904)}"/><sheets>'
                   '<sheet name="S &amp; T" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", '<?xml version="1.0" encoding="UTF-8"?><Relationships '
                   'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   f'<Relationship Id="rId1" Type="{_REL}worksheet" Target="worksheets/sheet1.xml"/>'
                   f'<Relationship Id="rId2" Type="{_REL}sharedStrings" Target="sharedStrings.xml"/>'
                   f'<Relationship Id="rId3" Type="{_REL}styles" Target="styles.xml"/></Relationships>')
        z.writestr("xl/styles.xml", '<?xml version="1.0" encoding="UTF-8"?><styleSheet '
                   'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   f'<numFmts count="{len(_FORMATS)}">{numfmts}</numFmts><cellXfs>{xfs}</cellXfs></styleSheet>')
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", '<?xml version="1.0" encoding="UTF-8"?><sst '
                       'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                       + "".join(f"<si>{s}</si>" for s in strings) + "</sst>")
        z.writestr("xl/worksheets/sheet1.xml", '<?xml version="1.0" encoding="UTF-8"?><worksheet '
                   'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                   f"<dimension ref=\"A1\"/><sheetData>{sheet_data}</sheetData>{tail}</worksheet>")
    return path


def test_text_rules_of_calamine(tmp_path: Path) -> None:
    """Trimming without xml:space, entities, line ends, _xHHHH_ escapes, rich runs, phonetic runs,
    cached formula strings, inline strings and empty values that still count in the used range."""
    strings = ["<t> a b </t>", '<t xml:space="preserve"> a </t>', "<t>   </t>", "<t>x\r\ny\rz&#13;w</t>",
               "<t>_x000D_q_x0041_ _x005F_x0041_</t>", "<t>&amp;&lt;&#10;&#x41;&quot;&apos;&gt;</t>",
               '<r><t>ri</t></r><r><rPr><b/><sz val="11"/></rPr><t xml:space="preserve"> ch</t></r>'
               '<rPh sb="0" eb="1"><t>PH</t></rPh>',
               "<t></t>", "<t>a&#32;</t>", "<t>\u00a0b\u00a0</t>"]
    cells = "".join(f'<c r="{chr(66 + k)}3" t="s"><v>{k}</v></c>' for k in range(len(strings)))
    sheet = (f'<row r="3">{cells}</row>'
             '<row r="5"><c r="B5" t="str"><f>A1</f><v>_x0041_ a\r\nb </v></c>'
             '<c r="C5" t="inlineStr"><is><t> in </t></is></c>'
             '<c r="D5" t="inlineStr"><is><r><t>x </t></r><r><t xml:space="preserve"> y</t></r></is></c>'
             '<c r="E5" s="3"/><c r="F5" t="str"><v></v></c><c r="G5" t="inlineStr"><is></is></c></row>'
             '<row r="9"><c r="Z9" s="1"/></row>')
    path = hand_xlsx(tmp_path / "text.xlsx", sheet, strings, tail='<mergeCells count="1"><mergeCell ref="B3:C3"/>'
                     '</mergeCells>')
    assert compare(path) == {"S & T": "read"}


NUMBERS = ["3", "2.5", "1e5", "1E-3", "007", "-0", ".5", "5.", "0", "0.999999999", "1", "59", "60",
           "61", "45474.5", "45474.99999999999", "45474.0000057", "2957000", "0.3333333333"]


@pytest.mark.parametrize("date1904", [False, True])
def test_numbers_under_every_format(tmp_path: Path, date1904: bool) -> None:
    rows = []
    for i, number in enumerate(NUMBERS):
        cells = "".join(f'<c r="{chr(65 + s)}{i + 1}" s="{s}"><v>{number}</v></c>' for s in range(len(_FORMATS) + 2))
        rows.append(f'<row r="{i + 1}">{cells}<c r="K{i + 1}"><v>{number}</v></c>'
                    f'<c r="L{i + 1}" s="99"><v>{number}</v></c></row>')
    rows.append('<row r="30"><c r="A30" t="b"><v>1</v></c><c r="B30" t="b"><v>0</v></c>'
                '<c r="C30" t="n"><v>4</v></c></row>')
    path = hand_xlsx(tmp_path / "numbers.xlsx", "".join(rows), [], date1904=date1904)
    assert compare(path) == {"S & T": "read"}


@pytest.mark.parametrize("cells, why", [
    ('<c r="A1" t="e"><v>#N/A</v></c>', "an error cell"),
    ('<c r="A1" t="d"><v>2026-07-01</v></c>', "an ISO date cell"),
    ('<c t="s"><v>0</v></c>', "a cell without its position"),
    ('<c r="A1" s="1"><v>-1</v></c>', "a negative date"),
    ('<c r="A1"><v> 4</v></c>', "a number with a space"),
    ('<c r="A1" t="s"><v>0</v></c><!-- note -->', "a comment"),
    ('<c r="A1" t="s"><v>0</v></c><c r="A1" t="s"><v>0</v></c>', "a repeated cell"),
    ('<c r="A1" cm="1" t="s"><v>0</v></c>', "an unknown attribute"),
])
def test_declined_sheets_fall_back_to_calamine(tmp_path: Path, cells: str, why: str) -> None:
    path = hand_xlsx(tmp_path / "odd.xlsx", f'<row r="1">{cells}<c r="B1" t="s"><v>0</v></c></row>', ["<t>x</t>"])
    assert compare(path)["S & T"].startswith("declined"), why
    assert_book_matches_calamine(path)  # the fallback reads it exactly as before


def test_a_damaged_workbook_part_is_left_to_calamine(tmp_path: Path) -> None:
    """A byte that is not UTF-8 in the workbook part (found by tests/test_fuzz.py): the numpy reader
    declines, and calamine's one-line error is what the user sees, as before."""
    from rostercheck.errors import InputError

    path = hand_xlsx(tmp_path / "state.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["<t>x</t>"])
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace(b'sheetId="1"', b'sheetId="1" state="vis\xf3ble"')
            zout.writestr(item, data)
    parts: dict[str, bytes] = {}
    inspect(damaged, keep=parts)
    with pytest.raises(xv.Declined):
        xv.open_workbook(parts)
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        open_book(damaged)


def test_coded_sheet_texts_are_the_texts_of_its_values(tmp_path: Path) -> None:
    path = _synth(tmp_path, "grid.xlsx")
    sheet = open_book(path).sheet(synth.ROSTER_SHEET)
    assert isinstance(sheet, CodedSheet)
    assert (sheet.texts() == text_array(sheet.values)).all()


# ------------------------------------------------------------------------------------ hypothesis
_PIECES = st.sampled_from([" ", "  ", "\t", "\r\n", "\r", "\n", "&amp;", "&lt;", "&#32;", "&#10;", "&#x41;",
                           "_x0041_", "_x000D_", "_x005F_", "a", "Zz", "é", "\u00a0", "日本", "0", "-", ">", "'", '"'])
_TEXT = st.lists(_PIECES, max_size=8).map("".join)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.tuples(_TEXT, st.booleans(), st.sampled_from(["s", "inlineStr", "str"])), min_size=1,
                      max_size=6),
       numbers=st.lists(st.tuples(st.floats(min_value=0, max_value=2.9e6, allow_nan=False),
                                  st.integers(0, len(_FORMATS) + 1)), max_size=6),
       top=st.integers(1, 4), left=st.integers(0, 3))
def test_random_cells_read_as_calamine_reads_them(tmp_path: Path, texts, numbers, top, left) -> None:
    strings, cells = [], []
    for k, (text, keep, typ) in enumerate(texts):
        t = f'<t xml:space="preserve">{text}</t>' if keep else f"<t>{text}</t>"
        ref = f"{chr(65 + left + k)}{top}"
        if typ == "s":
            strings.append(t)
            cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        elif typ == "inlineStr":
            cells.append(f'<c r="{ref}" t="inlineStr"><is>{t}</is></c>')
        else:
            cells.append(f'<c r="{ref}" t="str"><v>{text}</v></c>')
    row2 = "".join(f'<c r="{chr(65 + left + k)}{top + 1}" s="{s}"><v>{v!r}</v></c>'
                   for k, (v, s) in enumerate(numbers))
    body = f'<row r="{top}">{"".join(cells)}</row>' + (f'<row r="{top + 1}">{row2}</row>' if row2 else "")
    path = hand_xlsx(tmp_path / "random.xlsx", body, strings)
    parts: dict[str, bytes] = {}
    inspect(path, keep=parts)
    try:
        result = compare(path)
    except xv.Declined:
        result = {"S & T": "declined (workbook)"}
    if result["S & T"] != "read":
        assert_book_matches_calamine(path)


# ------------------------------------------------------------------------ mutated samples, both ways
@pytest.mark.parametrize("seed", range(40))
def test_mutated_samples_are_read_as_calamine_reads_them_or_left_to_it(tmp_path: Path, seed: int) -> None:
    """Random byte-level damage inside a sample's XML parts (the mutations of tests/test_fuzz.py): the
    numpy reader either declines, or opens exactly what calamine opens and reads the same cells. It
    never reads a workbook or sheet calamine refuses (that would change which files are errors)."""
    import random

    from rostercheck.errors import InputError
    from tests.test_fuzz import _mutations, _rezip

    sample = [p for p in FILES if "sample_rosters" in str(p)][seed % 3]
    rnd = random.Random(seed)

    def edit(name: str, data: bytes) -> bytes:
        if name.endswith(".xml") and rnd.random() < 0.5:
            return _mutations(data, rnd.randrange(2**32)) if data else data
        return data

    path = tmp_path / "mutated.xlsx"
    path.write_bytes(_rezip(sample.read_bytes(), edit))
    parts: dict[str, bytes] = {}
    try:
        inspect(path, keep=parts)
        wb = xv.open_workbook(parts)
    except (InputError, xv.Declined):
        return
    ref = _open_calamine(path, path.name)  # raises if calamine refuses what the numpy reader opened
    assert (wb.names, wb.visible) == (ref.names, ref.visible)
    for name in ref.names:
        try:
            coded = xv.read_sheet(wb, name)
        except xv.Declined:
            continue
        want = ref.sheet(name)
        got = coded.uniques[coded.codes]
        assert (got.shape, coded.row0, coded.col0, coded.merged) == (want.values.shape, want.row0, want.col0,
                                                                     want.merged)
        assert all(_same(x, y) for x, y in zip(got.ravel().tolist(), want.values.ravel().tolist()))


def test_the_scan_reads_short_references_as_its_general_parse_does() -> None:
    """``safety.xlsx._short_refs`` (the scan's shortcut for parts scanned in pieces, when every
    reference is at most two letters and four digits) gives ``_number``'s columns and rows."""
    from rostercheck.safety import xlsx as scan

    rng = np.random.default_rng(2)
    for _ in range(200):
        refs = [bytes(rng.choice(list(b"ABZaz"), rng.integers(0, 3)).tolist())
                + bytes(rng.choice(list(b"0123456789"), rng.integers(0, 5)).tolist()) + b'" s="x">'
                for _ in range(50)]
        data = b"".join(refs)
        a = np.zeros(len(data) + 64, dtype=np.uint8)
        a[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        at = np.cumsum([0] + [len(r) for r in refs[:-1]])
        assert scan._small(a, at)
        col, after = scan._number(a, at, scan._LETTER, 26, 3)
        row, _ = scan._number(a, after, scan._DIGIT, 10, 7)
        short_col, short_row = scan._short_refs(a, at)
        assert (col == short_col).all() and (row == short_row).all()


# ----------------------------------------------------------------- hypothesis: the shapes of the tags
_CELL_SHAPES = st.sampled_from([
    '<c r="{ref}" t="s"><v>0</v></c>',
    '<c r="{ref}" s="1" t="s"><v>1</v></c>',
    '<c r="{ref}" t="s" s="2"><v>0</v></c>',  # t before s
    '<c r="{ref}" s="1"><v>46204</v></c>',
    '<c r="{ref}"><v>2.5</v></c>',
    '<c r="{ref}" t="n"><v>7</v></c>',
    '<c r="{ref}" t="b"><v>1</v></c>',
    '<c r="{ref}" s="3" />',  # empty, with a space before "/>"
    '<c r="{ref}"/>',
    '<c r="{ref}"><f>1+1</f><v>2</v></c>',
    '<c r="{ref}" t="str"><f>A1&amp;"x"</f><v>x&amp;y</v></c>',
    '<c r="{ref}"><f t="shared" ref="A1:A9" si="0">B1</f><v>3</v></c>',
    '<c r="{ref}"><f t="shared" si="0"/><v>4</v></c>',
    '<c r="{ref}" t="inlineStr"><is><t>in</t></is></c>',
    '<c r="{ref}" t="inlineStr"><is><r><rPr><b/><sz val="9"/></rPr><t>a</t></r>'
    '<r><t xml:space="preserve"> b</t></r></is></c>',
    '<c r="{ref}" t="s"><v></v></c>',
    '<c r="{ref}" t="e"><v>#DIV/0!</v></c>',  # declined
    '<c r="{ref}" t="s"><v>1</v ></c>',  # declined (space in a closing tag)
])
_ROW_OPEN = st.sampled_from(['<row r="{n}">', '<row r="{n}" spans="1:9" ht="15" customHeight="1">',
                             "<row r='{n}' spans='1:9'>", '<row r="{n}" x14ac:dyDescent="0.25">'])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(_ROW_OPEN, st.lists(_CELL_SHAPES, max_size=6)), min_size=1, max_size=5),
       gap=st.sampled_from(["", "\n", "\n  "]), start_row=st.integers(1, 3), start_col=st.integers(0, 3))
def test_tags_written_in_the_shapes_writers_use(tmp_path: Path, rows, gap, start_row, start_col) -> None:
    """Attribute orders and quotes, empty cells, formulas with their values, shared formulas, rich
    runs, pretty-printing: read as calamine reads them, or declined (and then read by calamine)."""
    body = []
    for i, (row_open, cells) in enumerate(rows):
        n = start_row + i
        refs = [f"{chr(65 + start_col + k)}{n}" for k in range(len(cells))]
        body.append(gap + row_open.format(n=n) + "".join(gap + c.format(ref=r) for c, r in zip(cells, refs))
                    + gap + "</row>")
    path = hand_xlsx(tmp_path / "shapes.xlsx", "".join(body) + gap, ["<t>zero</t>", "<t> one </t>"])
    result = compare(path)
    if result["S & T"] != "read":
        assert_book_matches_calamine(path)


# ------------------------------------------------------------------- blocks of rows (issue 17, memory)
_RICH = ('<c r="{ref}" t="inlineStr"><is><r><rPr><b/></rPr><t>ri</t></r><r><t xml:space="preserve"> {k} </t></r>'
         '</is></c>')


@pytest.mark.parametrize("split", [1, 40, 200, 5000])
@pytest.mark.parametrize("body, why", [
    ("".join(f'<row r="{i}"><c r="A{i}" t="s"><v>0</v></c>' + _RICH.format(ref=f"B{i}", k=i % 3)
             + f'<c r="C{i}"><v>{i % 4}</v></c></row>' for i in range(1, 30)), "rich text in every row"),
    ('<row r="1"><c r="A1" t="s"><v>1</v></c></row><row r="2">'
     + "".join(f'<c r="{chr(65 + k // 26) if k >= 26 else ""}{chr(65 + k % 26)}2" t="inlineStr"><is><t>{k % 7}</t>'
               f"</is></c>" for k in range(300))
     + '</row><row r="3"><c r="A3" t="s"><v>0</v></c></row>', "one row of many cells between short ones"),
    ("".join(f'<c r="{chr(65 + k)}1"><v>{k}</v></c>' for k in range(20)).join(['<row r="1">', "</row>"]),
     "a sheet of a single row"),
    ('<row r="1"/><row r="2" spans="1:3"></row><row r="3"><c r="B3" t="s"><v>0</v></c></row><row r="4"/>'
     '<row r="5" ht="9" customHeight="1"/><row r="6"><c r="A6" s="1"/></row><row r="7"><c r="D7"><v>4</v></c>'
     '</row><row r="8"/>', "empty rows and cells without values around the seams"),
    ("\n  " + "\n  ".join(f'<row r="{i}">\n    <c r="A{i}" t="b"><v>{i % 2}</v></c>\n    <c r="B{i}" t="str">'
                          f"<f>X</f><v>s{i % 2}</v></c>\n  </row>" for i in range(1, 12)) + "\n",
     "pretty-printed rows, booleans and formula strings"),
    ('<row r="2"><c r="B2" t="s"><v>0</v></c></row><row r="2"><c r="C2" t="s"><v>1</v></c></row>'
     '<row r="3"><c r="A3" t="s"><v>1</v></c></row>', "one row number in two row elements"),
    ("".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is></is></c><c r="B{i}" t="inlineStr"><is><t>x</t></is>'
             f'</c><c r="C{i}" s="2"><v>1.5</v></c></row>' for i in range(1, 9)), "the same values in every block"),
])
def test_sheets_read_in_blocks_of_rows_as_calamine_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              body: str, why: str, split: int) -> None:
    """Blocks cut after a ``</row>`` (``xlsx_values.SPLIT`` bytes at least): a cut inside a row waits
    for its end, so rich text, a row of many cells, a single-row sheet, empty rows, whitespace
    between rows and a row number written twice read as calamine reads them whatever the size."""
    monkeypatch.setattr(xv, "SPLIT", split)
    path = hand_xlsx(tmp_path / "blocks.xlsx", body, ["<t>zero</t>", "<t> one </t>"],
                     tail='<mergeCells count="2"><mergeCell ref="A1:B2"/><mergeCell ref="C3:D9"/></mergeCells>')
    assert compare(path) == {"S & T": "read"}, why
    assert_book_matches_calamine(path)


def test_distinct_values_found_in_many_blocks_are_one_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = "".join(f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>D</t></is></c><c r="B{i}"><v>8</v></c>'
                   f'<c r="C{i}" t="inlineStr"><is><t>N{i % 3}</t></is></c></row>' for i in range(1, 50))
    path = hand_xlsx(tmp_path / "same.xlsx", body, [])
    monkeypatch.setattr(xv, "SPLIT", 1)
    parts: dict[str, bytes] = {}
    inspect(path, keep=parts)
    coded = xv.read_sheet(xv.open_workbook(parts), "S & T")
    assert sorted(map(str, coded.uniques.tolist())) == ["", "8.0", "D", "N0", "N1", "N2"]
    assert coded.codes.shape == (49, 3) and len(np.unique(coded.codes)) == 5


@pytest.mark.parametrize("body, why", [
    ('<row r="1"><c r="A1" t="s"><v>0</v></c></row>x<row r="2"><c r="A2" t="s"><v>0</v></c></row>',
     "text between two rows"),
    ('<row r="2"><c r="A2" t="s"><v>0</v></c></row><row r="1"><c r="A1" t="s"><v>0</v></c></row>',
     "rows out of order"),
    ('<row r="1"><c r="B1" t="s"><v>0</v></c></row><row r="1"><c r="A1" t="s"><v>0</v></c></row>',
     "cells out of order across two row elements"),
    ('<row r="1"><c r="A1" t="s"><v>0</v></c></row><c r="A2" t="s"><v>0</v></c><row r="3"/>', "a cell outside a row"),
    ('<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="inlineStr"><is><r><t>a</t></r><t>b</t>'
     '</is></c></row>', "text after a run"),
])
def test_seams_between_blocks_are_checked_as_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      body: str, why: str) -> None:
    """What lies across a seam (text between rows, the order of rows and cells, which tag follows
    which) is declined in blocks as in one piece, and calamine then gives its own answer."""
    monkeypatch.setattr(xv, "SPLIT", 1)
    path = hand_xlsx(tmp_path / "seam.xlsx", body, ["<t>x</t>"])
    assert compare(path)["S & T"].startswith("declined"), why
    assert_book_matches_calamine(path)


@pytest.mark.parametrize("chunk, split", [(7, 1), (64, 97), (1000, 5000)])
def test_sheets_read_as_they_are_unpacked_in_any_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        chunk: int, split: int) -> None:
    """``open_book`` reads each worksheet while ``safety.inspect`` unpacks it (``SheetStream``): pieces
    cut anywhere (inside a tag, inside ``</sheetData>``, in the head or the tail) and blocks of any
    size give calamine's sheets, and the values are those of the whole workbook's tables, wherever
    they lie in the zip (openpyxl writes the styles after the sheets)."""
    from rostercheck.safety import xlsx as scan

    monkeypatch.setattr(scan, "CHUNK", chunk)
    monkeypatch.setattr(xv, "SPLIT", split)
    monkeypatch.setattr(xv, "LAZY", 0)
    body = "".join(f'<row r="{i}"><c r="A{i}" t="s"><v>{i % 2}</v></c>' + _RICH.format(ref=f"B{i}", k=i % 3)
                   + f'<c r="C{i}" s="{i % 3}"><v>{45474 + i % 4}</v></c></row>' for i in range(1, 25))
    paths = [hand_xlsx(tmp_path / "hand.xlsx", body, ["<t>zero</t>", "<t> one </t>"],
                       tail='<mergeCells count="1"><mergeCell ref="A1:B2"/></mergeCells>'),
             _synth(tmp_path, "grid.xlsx"), *[p for p in FILES if "sample_rosters" in str(p)][:2]]
    for path in paths:
        book = open_book(path)
        assert all(isinstance(book.sheet(name), CodedSheet) for name in book.names), path.name
        assert_book_matches_calamine(path)


def test_a_refused_workbook_is_refused_before_its_streamed_values_are_used(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The sheet is read while it is unpacked, but a part after it that the scan refuses still
    refuses the whole file, with the scan's message, and no value is handed on."""
    from rostercheck.errors import InputError
    from rostercheck.safety import xlsx as scan

    monkeypatch.setattr(scan, "CHUNK", 64)
    monkeypatch.setattr(xv, "LAZY", 0)
    path = hand_xlsx(tmp_path / "ok.xlsx", '<row r="1"><c r="A1" t="s"><v>0</v></c></row>', ["<t>x</t>"])
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/zz.xml", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    parts: dict = {}
    with pytest.raises(InputError, match="DTD"):
        inspect(bad, keep=parts, reader=xv.SheetStream)
    assert parts == {}
    with pytest.raises(InputError, match="DTD"):
        open_book(bad)


def test_a_streamed_sheet_is_never_held_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Memory (issue 17): reading a sheet as it is unpacked allocates far less than its XML (the
    pieces, one block of rows and the codes), where keeping the part allocated all of it and more.
    Counted by tracemalloc (numpy reports its buffers to it), not timed."""
    import tracemalloc

    from rostercheck.safety import xlsx as scan

    monkeypatch.setattr(scan, "CHUNK", 256 * 1024)
    monkeypatch.setattr(xv, "SPLIT", 64 * 1024)
    cols = [f"{chr(65 + k // 26)}{chr(65 + k % 26)}" for k in range(60)]
    body = "".join(f'<row r="{i}">' + "".join(f'<c r="{c}{i}" t="inlineStr"><is><t>D{(i + k) % 5}</t></is></c>'
                                              for k, c in enumerate(cols)) + "</row>" for i in range(1, 2001))
    path = hand_xlsx(tmp_path / "big.xlsx", body, [])
    xml = len(body)
    tracemalloc.start()
    try:
        sheet = open_book(path).sheet("S & T")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(sheet, CodedSheet) and sheet.values.shape == (2000, 60)
    assert xml > 5_000_000 and peak < xml / 2, (xml, peak)  # about 2 MB; keeping the part: over 6 MB
