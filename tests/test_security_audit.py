"""The holes a second security audit found (issue 16), each reproduced from a shipped sample.

Each test here failed before its fix. A hole that aborted the process is tested in a subprocess, so
that a regression fails the test instead of taking pytest down with it.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from helpers import one_line_exit_2, run

from rostercheck.errors import InputError
from rostercheck.safety import inspect

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
SHEET = "xl/worksheets/sheet1.xml"


def parts(path: Path = SAMPLE) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def write(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def far_cell(xml: bytes) -> bytes:
    """The sheet with one more row holding a cell at XFD1048576 (calamine aborts on it)."""
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>z</t></is></c></row></sheetData>'
    return xml.replace(b"</sheetData>", far, 1)


def cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m rostercheck ARGS`` in its own process: an abort there cannot stop the test run."""
    return subprocess.run([sys.executable, "-m", "rostercheck", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=120)


def one_line_2(r: subprocess.CompletedProcess, *needles: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr[-2000:]
    for n in needles:
        assert n in lines[0], (n, lines[0])


# ----------------------------------------------------------------------------- 1. sheets stored anywhere
def moved_sheet(tmp_path: Path, target: bytes = b"/xl/sheetX.xml", member: str = "xl/sheetX.xml") -> Path:
    p = parts()
    p[member] = far_cell(p.pop(SHEET))
    rels = p["xl/_rels/workbook.xml.rels"]
    assert b"worksheets/sheet1.xml" in rels
    p["xl/_rels/workbook.xml.rels"] = rels.replace(b"/xl/worksheets/sheet1.xml", target).replace(
        b"worksheets/sheet1.xml", target)
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(b"/xl/worksheets/sheet1.xml", b"/" + member.encode())
    return write(tmp_path / "moved.xlsx", p)


@pytest.mark.parametrize("command", ["check", "codes", "init"])
def test_a_sheet_stored_outside_worksheets_is_scanned(tmp_path, command):
    """calamine follows the relationship and aborted (exit 134, a Rust backtrace) on the far cell."""
    bad = moved_sheet(tmp_path)
    one_line_2(cli(command, str(bad)), "moved.xlsx", "XFD1048576", "limit")


@pytest.mark.parametrize("target", [b"sheetX.xml", b"../xl/sheetX.xml", b"./sheetX.xml"])
def test_relative_relationship_targets_are_resolved(tmp_path, target):
    with pytest.raises(InputError, match="XFD1048576"):
        inspect(moved_sheet(tmp_path, target=target))


def test_a_part_holding_a_sheet_is_scanned_whatever_names_it(tmp_path):
    """Worksheet markup in a part no relationship calls a worksheet is scanned all the same."""
    p = parts()
    p["xl/media/image9.bin"] = far_cell(p[SHEET])
    with pytest.raises(InputError, match="image9.bin.*XFD1048576|XFD1048576"):
        inspect(write(tmp_path / "hidden.xlsx", p))


def test_the_moved_sheet_is_still_read_when_it_is_honest(tmp_path):
    p = parts()
    p["xl/sheetX.xml"] = p.pop(SHEET)
    p["xl/_rels/workbook.xml.rels"] = p["xl/_rels/workbook.xml.rels"].replace(
        b"/xl/worksheets/sheet1.xml", b"/xl/sheetX.xml").replace(b"worksheets/sheet1.xml", b"/xl/sheetX.xml")
    inspect(write(tmp_path / "honest.xlsx", p))


# ----------------------------------------------------------------------------- 4. a DTD anywhere
@pytest.mark.parametrize("part", ["xl/styles.xml", SHEET, "docProps/app.xml"])
@pytest.mark.parametrize("spelling", [b"<!DOCTYPE x []>", b"<!doctype x []>", b'<!ENTITY e "x">'])
def test_a_dtd_after_a_long_comment_is_refused(tmp_path, part, spelling):
    """Only the first 64 KB were searched: a 70 KB comment hid the DTD."""
    p = parts()
    head, sep, rest = p[part].partition(b"?>")
    comment = b"<!--" + b"x" * 70_000 + b"-->"
    p[part] = head + sep + comment + spelling + rest if sep else comment + spelling + p[part]
    one_line_exit_2(*run("check", str(write(tmp_path / "dtd.xlsx", p))), "dtd.xlsx", part, "DTD")


def test_a_dtd_cut_by_a_piece_boundary_is_refused(tmp_path, monkeypatch):
    """The search runs piece by piece; a DTD split across two pieces is still seen."""
    monkeypatch.setattr("rostercheck.safety.xlsx.CHUNK", 4096)
    p = parts()
    for cut in range(4088, 4097):
        styles = p["xl/styles.xml"]
        p["xl/styles.xml"] = b"<!--" + b"x" * (cut - 7) + b"-->" + b"<!DOCTYPE x []>" + styles
        with pytest.raises(InputError, match="DTD"):
            inspect(write(tmp_path / f"cut{cut}.xlsx", p))
        p["xl/styles.xml"] = styles


# ----------------------------------------------------------------------------- 5. formulas however written
FORMULA_CELLS = {
    "single quotes": b"<c r='A60'><f>1+1</f></c>",
    "attribute order": b'<c s="0" r="A60"><f>1+1</f></c>',
    "spaces around =": b'<c r = "A60"><f>1+1</f></c>',
    "prefixed": b'<x:c r="A60"><x:f>1+1</x:f></x:c>',
    "no position": b"<c><f>1+1</f></c>",
    "empty value": b'<c r="A60"><f>1+1</f><v/></c>',
    "formula with attributes": b'<c r="A60"><f t="shared" ref="A60" si="0">1+1</f></c>',
}


@pytest.mark.parametrize("spelling", FORMULA_CELLS)
def test_a_formula_without_a_saved_value_is_refused_however_written(tmp_path, spelling):
    """calamine reads these as empty cells: a silent loss. Only ``<c r="...">`` was checked."""
    p = parts()
    row = b'<row r="60">' + FORMULA_CELLS[spelling] + b"</row></sheetData>"
    p[SHEET] = p[SHEET].replace(b"</sheetData>", row, 1)
    needles = ["f.xlsx", "never evaluates"] + (["A60"] if spelling != "no position" else [])
    one_line_exit_2(*run("check", str(write(tmp_path / "f.xlsx", p))), *needles)


@pytest.mark.parametrize("cell", [
    b"<c r='A60' t='str'><f>1+1</f><v>2</v></c>",
    b'<x:c r="A60"><x:f>1+1</x:f><x:v>2</x:v></x:c>',
    b'<c r="A60" t="inlineStr"><f>1</f><is><t>x</t></is></c>',
    b'<c r="A60"><v>2</v><f>1+1</f></c>',
])
def test_a_formula_with_its_saved_value_passes(tmp_path, cell):
    p = parts()
    p[SHEET] = p[SHEET].replace(b"</sheetData>", b'<row r="60">' + cell + b"</row></sheetData>", 1)
    inspect(write(tmp_path / "ok.xlsx", p))


# ----------------------------------------------------------------------------- 8. streamed, stopped early
def _rless_sheet(rows: int, cols: int, seed: int = 1) -> bytes:
    """A sheet whose cells carry no ``r``: random numbers, so it compresses like the audit's (about 4x)."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 10**9, size=(rows, cols))
    body = b"".join(b"<row>" + b"".join(b"<c><v>%d</v></c>" % v for v in r) + b"</row>" for r in values.tolist())
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + body + b"</sheetData></worksheet>")


def test_a_huge_sheet_without_positions_is_refused_in_pieces(tmp_path, monkeypatch):
    """The audit's 122 MB file took 26.6 s and 1.7 GB: the part was unpacked whole, then scanned.

    Scaled down (the cell limit / 1,000, pieces / 128): the scan must stop at its first piece past
    the limit, having unpacked only that much. Measured at full size by hand (docs/security.md).
    """
    import rostercheck.safety.xlsx as xlsx

    monkeypatch.setattr(xlsx, "MAX_CELLS", 20_000)
    monkeypatch.setattr(xlsx, "CHUNK", 256 * 1024)
    p = parts()
    p[SHEET] = _rless_sheet(1_000, 200)  # 200,000 cells, ten times the limit, about 4.5 MB of XML
    bad = write(tmp_path / "rless.xlsx", p)
    read = []
    real_scan = xlsx.SheetScan._scan
    monkeypatch.setattr(xlsx.SheetScan, "_scan", lambda self, data, *a, **k: (read.append(len(data)),
                                                                              real_scan(self, data, *a, **k)))
    with pytest.raises(InputError, match="limit 20,000"):
        inspect(bad)
    assert sum(read) < len(p[SHEET]) / 5, (sum(read), len(p[SHEET]))  # stopped well before the end
    assert max(read) <= 256 * 1024 + 128


@pytest.mark.parametrize("chunk", [64 * 3, 1000, 4096, 65_536])
def test_pieces_measure_what_the_whole_part_measures(tmp_path, monkeypatch, chunk):
    """Streaming must not change a verdict: cut anywhere, the same sheets pass and the same fail."""
    import rostercheck.safety.xlsx as xlsx

    samples = [f for f in sorted((ROOT / "sample_rosters").rglob("*.xlsx"))]
    sheets = [parts(f)[n] for f in samples for n in parts(f) if n.startswith("xl/worksheets/sheet")]
    sheets += [far_cell(sheets[0]), _rless_sheet(40, 30)]
    sheets += [sheets[0].replace(b"</sheetData>", b'<row r="60">' + c + b"</row></sheetData>", 1)
               for c in FORMULA_CELLS.values()]
    monkeypatch.setattr(xlsx, "MAX_CELLS", 5_000)

    def verdict(data: bytes, size: int) -> str:
        monkeypatch.setattr(xlsx, "CHUNK", size)
        scan = xlsx.SheetScan("f.xlsx", "s")
        try:
            for i in range(0, len(data), size):
                scan.feed(data[i:i + size])
            scan.close()
        except InputError as e:
            return str(e).split(":")[0] + (" formula" if "formula" in str(e) else " box")
        return "ok"

    for data in sheets:
        assert verdict(data, chunk) == verdict(data, 1 << 30)
