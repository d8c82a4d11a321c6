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
