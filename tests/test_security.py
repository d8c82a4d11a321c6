"""Hostile input: each attack is refused with exit 2 and one line, in bounded time and memory."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import one_line_exit_2, run

from rostercheck.cli import main
from rostercheck.errors import InputError
from rostercheck.output import atomic_write
from rostercheck.safety.limits import MAX_RATIO


def roster(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "July"
    ws.append(["Resident", "2026-07-01", "2026-07-02", "2026-07-03"])
    ws.append(["Avery Chen", "D", "D", "OFF"])
    wb.save(path)
    return path


def rezip(src: Path, dst: Path, edit) -> Path:
    zin = zipfile.ZipFile(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, edit(item.filename, zin.read(item.filename)))
        extra = edit("__extra__", b"")
        if extra:
            zout.writestr("xl/extra.xml", extra)
    return dst


SHEET = "xl/worksheets/sheet1.xml"


def edit_sheet(src: Path, dst: Path, change) -> Path:
    """``rezip`` changing only the first sheet's XML."""
    return rezip(src, dst, lambda name, data: change(data) if name == SHEET else data)


def test_billion_laughs_is_refused(tmp_path):
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
                       for i in range(1, 10))
            + b"]>")
    src = roster(tmp_path / "ok.xlsx")
    bad = rezip(src, tmp_path / "laughs.xlsx",
                lambda n, d: bomb + d if n == "xl/worksheets/sheet1.xml" else d)
    one_line_exit_2(*run("check", str(bad)), "laughs.xlsx", "entit")


def test_external_entity_is_refused(tmp_path):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    src = roster(tmp_path / "ok.xlsx")
    bad = rezip(src, tmp_path / "xxe.xlsx",
                lambda n, d: xxe + d if n == "xl/worksheets/sheet1.xml" else d)
    one_line_exit_2(*run("check", str(bad)), "xxe.xlsx", "DTD")


def test_zip_bomb_by_ratio_is_refused(tmp_path):
    src = roster(tmp_path / "ok.xlsx")
    payload = b"<x/>" * (600_000)  # 2.4 MB that deflates to a few KB
    bad = rezip(src, tmp_path / "bomb.xlsx", lambda n, d: payload if n == "__extra__" else d)
    info = zipfile.ZipFile(bad).getinfo("xl/extra.xml")
    assert info.file_size > MAX_RATIO * info.compress_size
    one_line_exit_2(*run("check", str(bad)), "bomb.xlsx", "zip bomb")


def test_absurd_dimensions_are_refused_before_any_reader_allocates(tmp_path):
    src = roster(tmp_path / "ok.xlsx")

    bad = edit_sheet(src, tmp_path / "far.xlsx", lambda data: data.replace(b'<c r="D2"', b'<c r="XFD1048576"'))
    one_line_exit_2(*run("check", str(bad)), "far.xlsx", "sheet 'July'", "XFD1048576")


#: The far cell written the ways an XML reader accepts it: the scan must not rely on ``<c r="``.
FAR_CELLS = {
    "attribute order": b'<c t="inlineStr" r="XFD1048576"><is><t>z</t></is></c>',
    "single quotes": b"<c r='XFD1048576' t=\"inlineStr\"><is><t>z</t></is></c>",
    "spaces around =": b'<c\nr = "XFD1048576" t="inlineStr"><is><t>z</t></is></c>',
    "lower case": b'<c r="xfd1048576" t="inlineStr"><is><t>z</t></is></c>',
    "prefixed element": b'<x:c r="XFD1048576" t="inlineStr"><x:is><x:t>z</x:t></x:is></x:c>',
}


@pytest.mark.parametrize("spelling", FAR_CELLS)
def test_far_cell_is_refused_however_the_tag_is_written(tmp_path, spelling):
    """calamine aborts the process on each of these (measured: it tries to allocate 550 GB)."""
    src = roster(tmp_path / "ok.xlsx")
    row = b'</row><row r="3">' + FAR_CELLS[spelling] + b"</row></sheetData>"
    bad = edit_sheet(src, tmp_path / "far.xlsx", lambda data: data.replace(b"</row></sheetData>", row, 1))
    one_line_exit_2(*run("check", str(bad)), "far.xlsx", "sheet 'July'", "1048576", "limit")


def test_cells_without_positions_count_toward_the_box(tmp_path):
    """Cells with no ``r`` follow the previous one: 400 of them and a row at 1,048,576 is a 400-wide box."""
    src = roster(tmp_path / "ok.xlsx")
    wide = b'<row r="3">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 400 + b"</row>"
    far = b'<row r="1048576"><c t="inlineStr"><is><t>z</t></is></c></row>'

    rows = b"</row>" + wide + far + b"</sheetData>"
    bad = edit_sheet(src, tmp_path / "rless.xlsx", lambda data: data.replace(b"</row></sheetData>", rows, 1))
    one_line_exit_2(*run("check", str(bad)), "rless.xlsx", "limit")


def test_a_sheet_written_without_cell_positions_is_still_read(tmp_path):
    """Some writers leave out ``r``: a normal-sized sheet like that must pass the inspection."""
    src = roster(tmp_path / "ok.xlsx")

    plain = edit_sheet(src, tmp_path / "plain.xlsx", lambda data: re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", data))
    assert b' r="A1"' not in zipfile.ZipFile(plain).read(SHEET)
    code, err = run("check", str(plain), "--format", "json")
    assert code in (0, 1), err


def test_formula_without_cached_value_names_the_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "July"
    ws.append(["Resident", "2026-07-01", "2026-07-02"])
    ws.append(["Avery Chen", "D", '=IF(1,"D","N")'])  # openpyxl stores no cached value
    wb.save(tmp_path / "f.xlsx")
    one_line_exit_2(*run("check", str(tmp_path / "f.xlsx")), "sheet 'July'", "cell C2", "never evaluates")


def test_formula_with_cached_value_is_read_not_evaluated(tmp_path):
    src = roster(tmp_path / "ok.xlsx")

    # C2 holds D as a cached string result of a formula that would say N if evaluated
    formula = b'<c r="C2" t="str"><f>IF(0,"D","N")</f><v>D</v></c>'
    good = edit_sheet(src, tmp_path / "cached.xlsx", lambda data: re.sub(rb'<c r="C2"[^>]*>.*?</c>', formula, data))
    code, err = run("check", str(good), "--preset", "none")
    assert code == 0, err


def test_encrypted_workbook_says_how_to_fix(tmp_path):
    p = tmp_path / "locked.xlsx"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4000)
    one_line_exit_2(*run("check", str(p)), "locked.xlsx", "password")


def test_ods_is_read_by_calamine(tmp_path):
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        "<office:body><office:spreadsheet><table:table table:name=\"July\">"
        + "".join("<table:table-row>" + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>' for v in row)
            + "</table:table-row>" for row in [["Resident", "2026-07-01", "2026-07-02", "2026-07-03"],
                                                ["Avery Chen", "C", "D", "OFF"]])
        + "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    p = tmp_path / "july.ods"
    p.write_bytes(buf.getvalue())
    code, err = run("check", str(p))
    assert code == 1, err  # C then D the next morning: a 36 h period


def test_legacy_xls_is_read_by_calamine():
    # tests/data/july.xls was written once with xlwt (BIFF8): Resident, 3 dates, Avery Chen C D OFF
    code, err = run("check", str(Path(__file__).parent / "data" / "july.xls"), "--preset", "acgme")
    assert code == 1, err  # C then D the next morning: a 36 h period


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")

    def boom(tmp: str) -> None:
        Path(tmp).write_text("half")
        raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temp file left behind
    atomic_write(target, "new")
    assert target.read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) != oct(0o600)


def test_output_over_any_input_is_refused(tmp_path):
    src = roster(tmp_path / "r.xlsx")
    prev = roster(tmp_path / "june.xlsx")
    for args in (["check", str(src), "--previous", str(prev), "-o", str(prev)],
                 ["repair", str(src), "-o", str(src)],
                 ["repair", str(src), "--changes", str(src)]):
        code, err = run(*args)
        one_line_exit_2(code, err, "never overwrites an input")


def test_inspect_raises_input_error_not_anything_else(tmp_path):
    from rostercheck.safety import inspect

    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # an empty zip
    with contextlib.suppress(InputError):
        inspect(p)


def test_huge_shared_string_table_is_refused(tmp_path):
    src = roster(tmp_path / "ok.xlsx")
    sst = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="9000000" '
           b'uniqueCount="9000000"><si><t>x</t></si></sst>')
    bad = rezip(src, tmp_path / "sst.xlsx", lambda n, d: sst if n == "__extra__" else d)
    with zipfile.ZipFile(bad) as z:  # move the extra part to where a shared-string table lives
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["xl/sharedStrings.xml"] = parts.pop("xl/extra.xml")
    with zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    one_line_exit_2(*run("check", str(bad)), "sst.xlsx", "shared strings")


def test_names_and_codes_in_any_script_reach_the_report(tmp_path):
    import json

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "七月"
    ws.append(["Resident", "2026-07-01", "2026-07-02", "2026-07-03"])
    names = ["José Núñez", "李雷", "عائشة الحربي", "😀 Emoji Person", "Zoë\u00a0Ångström"]
    for n in names:
        ws.append([n, "C", "D", "OFF"])  # each breaks shift-length: call then a day shift
    wb.save(tmp_path / "intl.xlsx")
    r = CliRunner().invoke(main, ["check", str(tmp_path / "intl.xlsx"), "--format", "json", "--preset", "acgme"])
    assert r.exit_code == 1, r.stderr
    doc = json.loads(r.stdout)
    flagged = {v["resident"] for v in doc["violations"] if v["rule"] == "shift-length"}
    assert flagged == {"José Núñez", "李雷", "عائشة الحربي", "😀 Emoji Person", "Zoë Ångström"}
    assert {c["sheet"] for v in doc["violations"] for c in v["cells"]} == {"七月"}


def test_binary_workbooks_are_refused_with_what_to_do(tmp_path):
    """calamine aborts on a crafted .xlsb and its records cannot be bounded first: refuse them all."""
    bad = tmp_path / "roster.xlsb"
    bad.write_bytes(roster(tmp_path / "ok.xlsx").read_bytes())
    one_line_exit_2(*run("check", str(bad)), "roster.xlsb", ".xlsb", "save it as .xlsx")
