"""What a user's trial of main after issue 17 (readers and tables without pandas) found, compared
with the version before.

A csv roster's edited copy (``swap -o``, ``repair -o``) is cut into cells exactly as the reader
cut it: same decoding, same delimiter. The copy used to sniff the file again its own way, so a
csv the reader took without complaint (a title line above the grid, or Excel's UTF-16 "Unicode
text") ended the command with "unexpected Error: Could not determine delimiter" (before issue 17
too). And a TRUE cell and a 1 cell are two codes (pandas' factorize had merged them)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from rostercheck.cli import main
from tests.workbooks import days


def _roster(title: bool) -> list[list[str]]:
    dates = [d.isoformat() for d in days(7)]
    rows = [["Resident", "PGY", *dates],
            ["Ann Lee", "PGY-1", "C", "PC", "D", "D", "D", "O", "O"],
            ["Bob Roy", "PGY-1", "D", "D", "D", "C", "PC", "O", "O"]]
    # a print title above the header, with no delimiter: csv.Sniffer cannot tell the delimiter then
    return [["Internal medicine, July (draft)"], [], *rows] if title else rows


@pytest.mark.parametrize(("name", "title", "delimiter", "encoding"), [
    ("title.csv", True, ",", "utf-8"),
    ("unicode-text.csv", False, "\t", "utf-16"),  # Excel's "Unicode text": tabs, UTF-16 with a BOM
    ("semicolons.csv", True, ";", "cp1252"),
])
def test_swap_copy_of_a_csv_edits_the_cells_the_reader_read(tmp_path: Path, name: str, title: bool,
                                                              delimiter: str, encoding: str) -> None:
    rows = _roster(title)
    src = tmp_path / name
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    src.write_bytes(buf.getvalue().encode(encoding))
    before = src.read_bytes()
    out = tmp_path / "traded.csv"

    r = CliRunner().invoke(main, ["swap", str(src), "Ann Lee", "Bob Roy", "2026-07-01", "-o", str(out)])

    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert r.exit_code in (0, 1), r.stderr
    assert "unexpected" not in r.stderr
    assert src.read_bytes() == before  # the input is never modified
    got = list(csv.reader(io.StringIO(out.read_text("utf-8"), newline=""), delimiter=delimiter))
    want = [list(row) for row in rows]
    k = len(want) - 2  # Ann's row; Bob's follows; 2026-07-01 is the third column
    want[k][2], want[k + 1][2] = want[k + 1][2], want[k][2]
    assert got == want
    # and the copy reads back as the same roster with the trade made
    r = CliRunner().invoke(main, ["read", str(out), "--format", "json"])
    assert r.exit_code == 0, r.stderr


def test_a_true_cell_and_a_1_cell_are_two_codes(tmp_path: Path) -> None:
    """Python's ``True == 1`` merged them when cell values were factorized with pandas: a roster
    with a TRUE cell and a 1 cell listed one code for both, under whichever came first, with the
    other's cells counted in. Excel shows TRUE and 1, so ``codes`` must too (both undefined here)."""
    import json

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Resident", "PGY", *days(7)])
    ws.append(["Ann Lee", "PGY-1", True, "D", "D", 1, "D", "O", "O"])
    ws.append(["Bob Roy", "PGY-1", "D", 1, "D", "D", "D", "O", "O"])
    wb.save(tmp_path / "r.xlsx")

    r = CliRunner().invoke(main, ["codes", str(tmp_path / "r.xlsx"), "--format", "json"])

    assert r.exit_code == 1, r.stderr  # codes not defined
    got = {c["code"]: (c["cells"], c["first"]["cell"]) for c in json.loads(r.stdout)["codes"]}
    assert got["TRUE"] == (1, "C2")
    assert got["1"] == (2, "F2")


@pytest.mark.parametrize("residents", [3, 400])  # small workbooks go to calamine, large ones to the numpy reader
def test_a_sheet_whose_part_is_missing_is_named_as_damaged(tmp_path: Path, residents: int) -> None:
    """A workbook whose ``workbook.xml`` lists a sheet the zip does not hold (a copy cut short, a
    tool that wrote the index but not the sheet) said only "not a readable Excel workbook: Block"."""
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Block"
    dates = [d.isoformat() for d in days(28)]
    ws.append(["Resident", *dates])
    for r in range(residents):
        ws.append([f"Resident {r}", *(["D"] * 5 + ["O"] * 2) * 4])
    notes = wb.create_sheet("Notes")  # large with many residents: the kept parts then go to the numpy reader
    for r in range(residents):
        notes.append([f"note {r}", *range(28)])
    whole = tmp_path / "whole.xlsx"
    wb.save(whole)
    from rostercheck.read.source import SMALL_WORKBOOK
    from rostercheck.safety import inspect

    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(whole) as src, zipfile.ZipFile(cut, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info, src.read(info))
    kept: dict[str, bytes] = {}
    inspect(cut, keep=kept)
    assert (sum(map(len, kept.values())) >= SMALL_WORKBOOK) == (residents > 100)
    r = CliRunner().invoke(main, ["check", str(cut)])
    assert r.exit_code == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.output
    assert "cut.xlsx, sheet 'Block'" in lines[0]
    assert "lists this sheet but the file does not hold its cells" in lines[0]
    assert "save it again" in lines[0]
