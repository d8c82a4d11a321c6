"""Hostile .ods files: refused before calamine lays out (or aborts on) a sheet too large to hold.

calamine parses every sheet of an .ods when the file is opened. An empty cell repeated 16,383 times and
then followed by a value, or a million empty rows followed by one, makes it allocate the whole box, and
it aborts the process (not raise) when the allocation fails: a file of a few hundred bytes is enough.
A sheet that is never closed makes it loop forever. ``safety.ods.check_ods_content`` measures
``content.xml`` first. LibreOffice pads every row to 16,384 columns and every sheet to 1,048,576 rows
with trailing empty repeats; those cost calamine nothing and must still be read.
"""

from __future__ import annotations

import io
import random
import time
import zipfile
from pathlib import Path

import pytest
from helpers import one_line_exit_2, run

from rostercheck.errors import InputError
from rostercheck.safety import inspect
from rostercheck.safety.ods import _measure, check_ods_content

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
            'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
            '<manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>")
ROSTER = [["Resident", "2026-07-01", "2026-07-02", "2026-07-03"], ["Avery Chen", "C", "D", "OFF"]]
PAD_ROW = '<table:table-cell table:number-columns-repeated="{n}"/>'  # how LibreOffice ends a row
PAD_SHEET = ('<table:table-row table:style-name="ro1" table:number-rows-repeated="{n}">'
             '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')


def cell(v: str) -> str:
    return (f'<table:table-cell office:value-type="string" calcext:value-type="string"><text:p>{v}</text:p>'
            "</table:table-cell>")


def row(values: list[str], pad: int = 0) -> str:
    return ('<table:table-row table:style-name="ro1">' + "".join(map(cell, values))
            + (PAD_ROW.format(n=pad) if pad else "") + "</table:table-row>")


def content(*tables: tuple[str, str]) -> bytes:
    body = "".join(f'<table:table table:name="{name}" table:style-name="ta1">{rows}</table:table>'
                   for name, rows in tables)
    return (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.3">'
            f"<office:body><office:spreadsheet>{body}</office:spreadsheet></office:body>"
            "</office:document-content>").encode()


def ods(path: Path, xml: bytes) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/manifest.xml", MANIFEST)
        z.writestr("content.xml", xml)
    path.write_bytes(buf.getvalue())
    return path


def libreoffice_roster() -> str:
    """The roster the way LibreOffice saves it: column styles, padded rows, a padded sheet."""
    return ('<table:table-column table:style-name="co1" table:number-columns-repeated="4" '
            'table:default-cell-style-name="Default"/>'
            '<table:table-column table:style-name="co2" table:number-columns-repeated="16380"/>'
            + "".join(row(r, pad=16380) for r in ROSTER)
            + '<table:table-row table:style-name="ro1" table:number-rows-repeated="3">'
              '<table:table-cell table:style-name="ce1" table:number-columns-repeated="4"/>'
              '<table:table-cell table:number-columns-repeated="16380"/></table:table-row>'
            + PAD_SHEET.format(n=1048570)
            + '<table:table-row table:style-name="ro1"><table:table-cell table:number-columns-repeated="16384"/>'
              "</table:table-row>")


# one roster, and after it content that makes calamine lay out far more than MAX_CELLS
HOSTILE = {
    # one value at XFD6003: 6,000 empty rows, then 16,383 empty cells, then the value
    "far-cell": ("".join(map(row, ROSTER))
                 + '<table:table-row table:number-rows-repeated="6000"><table:table-cell/></table:table-row>'
                 + '<table:table-row><table:table-cell table:number-columns-repeated="16383"/>' + cell("x")
                 + "</table:table-row>", ["cells span A1:XFD6003", "98,353,152 cells"]),
    # a value repeated over the whole sheet
    "whole-sheet": ("".join(map(row, ROSTER))
                    + '<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
                      'table:number-columns-repeated="16384" office:value-type="float" office:value="1"/>'
                      "</table:table-row>", ["cells span A1:XFD", "limit 20,000,000"]),
    # 2,000 rows with no value at all, each with one cell after 16,383 empty ones: calamine writes them out
    "empty-rows": ("".join(map(row, ROSTER))
                   + '<table:table-row><table:table-cell table:number-columns-repeated="16383"/><table:table-cell/>'
                     "</table:table-row>" * 2000, ["rows lay out 32,766,008 cells"]),
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_ods_is_refused_in_one_line(tmp_path, kind):
    rows, needles = HOSTILE[kind]
    p = ods(tmp_path / f"{kind}.ods", content(("July", rows)))
    assert p.stat().st_size < 5000  # a few kilobytes would take gigabytes to read
    with pytest.raises(InputError):  # fail here, not abort the test run, until safety.inspect checks .ods
        inspect(p, p.name)
    one_line_exit_2(*run("check", str(p)), f"{kind}.ods", "sheet 'July'", "refusing a sheet", *needles)


def test_unclosed_sheet_is_refused_not_read_forever(tmp_path):
    xml = content(("July", "".join(map(row, ROSTER))))
    p = ods(tmp_path / "cut.ods", xml[: xml.index(b"</table:table>")])
    with pytest.raises(InputError):  # calamine would loop forever on it
        inspect(p, p.name)
    one_line_exit_2(*run("check", str(p)), "cut.ods", "ends inside a sheet")


def test_libreoffice_padding_is_still_read(tmp_path):
    p = ods(tmp_path / "padded.ods", content(("July", libreoffice_roster())))
    inspect(p, p.name)
    code, err = run("check", str(p))
    assert code in (0, 1), err  # read and checked (C then D the next morning breaks a rule)


# --- the measurement itself, without the CLI ---


def test_padding_and_honest_sheets_pass():
    check_ods_content(content(("July", libreoffice_roster()), ("Notes", row(["on call: x1234"], pad=16383))), "f")
    # the widest honest sheet: a value in every column of one row, and one value on the last row
    check_ods_content(content(("Wide", row(["1"] * 3) + '<table:table-row><table:table-cell '
                                       'table:number-columns-repeated="16384" office:value-type="string" '
                                       'office:string-value="x"/></table:table-row>'),
                              ("Tall", row(["top"]) + PAD_SHEET.format(n=1048574) + row(["bottom"]))), "f")


@pytest.mark.parametrize("quote, eq", [('"', "="), ("'", "="), ('"', " = "), ("'", "\n=\t")])
def test_attribute_spelling_does_not_hide_a_repeat(quote, eq):
    def a(k: str, v: str) -> str:
        return f" {k}{eq}{quote}{v}{quote}"

    rows = ("".join(map(row, ROSTER))
            + f"<table:table-row{a('table:style-name', 'ro1')}{a('table:number-rows-repeated', '6000')}>"
              "<table:table-cell/></table:table-row>"
            + f"<table:table-row><table:table-cell{a('table:number-columns-repeated', '16383')}"
              f"{a('table:style-name', 'ce1')}/>"
            + f"<table:table-cell{a('office:value', '3')}{a('office:value-type', 'float')}/></table:table-row>")
    with pytest.raises(InputError) as e:
        check_ods_content(content(("July", rows)), "f.ods")
    assert e.value.sheet == "July" and e.value.file == "f.ods"
    assert "cells span A1:XFD6003" in e.value.message and "\n" not in str(e.value)


def test_escaped_counts_comments_and_cdata_do_not_hide_a_repeat():
    far = ('<table:table-row><table:table-cell table:number-columns-repeated="&#49;6383"/>' + cell("x")
           + "</table:table-row>")
    gap = '<table:table-row table:number-rows-repeated="6&#x30;00"><table:table-cell/></table:table-row>'
    fake = "<!-- </table:table><table:table table:name='z'> --><![CDATA[ </table:table> ]]>"
    with pytest.raises(InputError, match="cells span A1:XFD6002"):
        check_ods_content(content(("July", row(["a"]) + fake + gap + fake + far)), "f")


def test_a_sheet_inside_a_cell_is_refused():
    nested = ('<table:table-row><table:table-cell office:value-type="string">'
              '<table:table table:name="inner"><table:table-row>' + cell("x") + "</table:table-row></table:table>"
              "</table:table-cell></table:table-row>")
    with pytest.raises(InputError, match="inside another sheet"):
        check_ods_content(content(("July", row(["a"]) + nested)), "f")


def test_a_row_inside_a_cell_is_refused():
    # calamine skips what a cell holds, so the cells after it stay in the outer row: counting the inner
    # row as a new one would measure 2 columns where calamine lays out 16,002
    split = ('<table:table-row table:number-rows-repeated="6000">'
             '<table:table-cell table:number-columns-repeated="8000"/>'
             '<table:table-cell office:value-type="string"><text:p>a</text:p><table:table-row/></table:table-cell>'
             '<table:table-cell table:number-columns-repeated="8000"/>' + cell("x") + "</table:table-row>")
    with pytest.raises(InputError, match="places a row inside a cell"):
        check_ods_content(content(("July", row(["a"]) + split)), "f")


def test_markup_inside_attribute_values_is_not_taken_for_tags():
    odd = ('<table:table-row table:style-name="a/>"><table:table-cell table:style-name=\'x>"y\' '
           'table:number-columns-repeated="16383"/></table:table-row>'
           "<table:table-row table:style-name='r>'/>")
    check_ods_content(content(("July", libreoffice_roster().replace(PAD_SHEET.format(n=1048570), odd))), "f")


def test_dtd_is_refused():
    xml = content(("July", row(["a"])))
    xml = xml.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY n "16383">]>', 1)
    with pytest.raises(InputError, match="DTD"):
        check_ods_content(xml, "f")


def test_sheets_are_counted_together(monkeypatch):
    monkeypatch.setattr("rostercheck.safety.ods.MAX_CELLS", 1000)
    sheet = row(["a"]) + '<table:table-row table:number-rows-repeated="200"><table:table-cell/></table:table-row>' \
        + row(["a", "b", "c"])
    check_ods_content(content(("S1", sheet)), "f")  # 202 x 3 cells
    with pytest.raises(InputError, match="sheets together span 3,030 cells") as e:
        check_ods_content(content(*[(f"S{i}", sheet) for i in range(5)]), "f")
    assert e.value.sheet is None


def test_a_year_of_residents_is_measured_quickly():
    # 1,500 residents x 365 days written the way LibreOffice writes them: about 50 MB of XML
    rng = random.Random(0)
    codes = [cell(c) for c in ("D", "N", "OFF", "C", "PM", "V")]
    rows = "".join('<table:table-row table:style-name="ro1">' + cell(f"R{i}")
                   + "".join(rng.choices(codes, k=365)) + PAD_ROW.format(n=16384 - 366) + "</table:table-row>"
                   for i in range(1500))
    xml = content(("Year", rows + PAD_SHEET.format(n=1048576 - 1500)))
    start = time.perf_counter()
    check_ods_content(xml, "year.ods")
    assert time.perf_counter() - start < 5  # numpy over the bytes, about 0.4 s; a loop per cell would be many


def test_measurement_matches_calamine(tmp_path):
    """The box of non-empty cells is exactly what calamine reads, for layouts well inside the limits."""
    from python_calamine import CalamineWorkbook

    rng = random.Random(7)

    def any_cell() -> str:
        kind = rng.choice(["empty", "styled", "text-only", "string", "float", "string-value", "covered"])
        n = rng.choice([1, 1, 1, 2, 4])
        rep = f' table:number-columns-repeated="{n}"' if n > 1 else ""
        return {
            "empty": f"<table:table-cell{rep}/>",
            "styled": f'<table:table-cell table:style-name="ce1"{rep}/>',
            "text-only": f"<table:table-cell{rep}><text:p>not a value</text:p></table:table-cell>",
            "string": f'<table:table-cell{rep} office:value-type="string"><text:p>s</text:p></table:table-cell>',
            "float": f'<table:table-cell office:value="2" office:value-type="float"{rep}/>',
            "string-value": f"<table:table-cell{rep} office:value-type='string' office:string-value='v'/>",
            "covered": f'<table:covered-table-cell{rep} office:value-type="float" office:value="1"/>',
        }[kind]

    def any_row() -> str:
        n = rng.choice([1, 1, 2, 3, 50])
        rep = f' table:number-rows-repeated="{n}"' if n > 1 else ""
        return f"<table:table-row{rep}>" + "".join(any_cell() for _ in range(rng.randint(1, 5))) + "</table:table-row>"

    for i in range(40):
        names = [f"S{k}" for k in range(rng.randint(1, 3))]
        xml = content(*[(nm, "".join(any_row() for _ in range(rng.randint(0, 6)))) for nm in names])
        p = ods(tmp_path / f"r{i}.ods", xml)
        _, _, box, span, _ = _measure(xml, p.name)
        ours = [None if b == 0 else ((int(s[2]), int(s[0])), (int(s[3]) - 1, int(s[1]) - 1)) for b, s in zip(box, span)]
        wb = CalamineWorkbook.from_path(str(p))
        sheets = [wb.get_sheet_by_name(nm) for nm in names]
        theirs = [None if sh.start is None else (tuple(sh.start), tuple(sh.end)) for sh in sheets]
        assert ours == theirs, xml.decode()
