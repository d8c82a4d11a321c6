"""`check --format csv`: one row per finding, and nothing a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from click.testing import CliRunner
from helpers import check
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter
from workbooks import days

from rostercheck.cli import main
from rostercheck.report import FORMATS, render
from rostercheck.report.csv_report import COLUMNS

# Avery: call then a day shift, a 36 h period (one error on two cells); Ben: seven nights in a
# row (a warning) running into a call (an error).
ROWS = {
    '=HYPERLINK("x")': "D D OFF C D OFF D D OFF D D OFF D D",
    "-1+2": "N N N N N N N C PC OFF D D OFF OFF",
    "Cara Diaz": "OFF D D D OFF C PC D D OFF D D C PC",
}


def parse(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def expand(ranges: str) -> set[str]:
    """``Roster!H3:J3 Roster!L3`` -> every cell it names, to show the csv column loses nothing."""
    out = set()
    for item in ranges.split():
        sheet, _, rng = item.rpartition("!")
        first, _, last = rng.partition(":")
        (c0, r0), (c1, r1) = coordinate_from_string(first), coordinate_from_string(last or first)
        for r in range(r0, r1 + 1):
            for c in range(column_index_from_string(c0), column_index_from_string(c1) + 1):
                out.add(f"{sheet}!{get_column_letter(c)}{r}")
    return out


def test_csv_is_registered_as_a_format():
    assert "csv" in FORMATS


def test_one_row_per_finding_with_every_column():
    res = check(ROWS)
    rows = parse(render("csv", [res]))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(res.findings) == 3
    for row, f in zip(rows, res.findings):
        assert row["rule"] == f.rule and row["severity"] == f.severity
        assert row["start"] == f.start and row["end"] == f.end
        assert float(row["value"]) == f.value and float(row["limit"]) == f.limit
        assert row["unit"] == f.unit and row["message"] == f.message
        assert expand(row["cells"]) == {f"{c.sheet}!{c.cell}" for c in f.cells}
        assert int(row["cell_count"]) == len(f.cells)
        assert row["roster"] == "test.xlsx"
    first = next(r for r in rows if r["rule"] == "shift-length" and "HYPERLINK" in r["resident"])
    assert first["cells"] == "Roster!E2:F2"  # the call and the shift after it (day 1 in column B)
    assert first["value"] == "36" and first["limit"] == "28"


def test_formula_like_text_is_escaped_so_excel_never_evaluates_it():
    rows = parse(render("csv", [check(ROWS)]))
    names = {r["resident"] for r in rows}
    assert names == {"'=HYPERLINK(\"x\")", "'-1+2"}
    for r in rows:
        for col in COLUMNS:
            if col not in ("value", "limit"):
                assert not r[col].startswith(("=", "+", "-", "@", "\t", "\r")), (col, r[col])


def test_numbers_stay_plain_numbers():
    rows = parse(render("csv", [check(ROWS)]))
    for r in rows:
        float(r["value"]), float(r["limit"])
        assert "e" not in r["value"].lower()


def test_cli_writes_csv_from_a_csv_roster_and_never_touches_it(tmp_path: Path):
    src = tmp_path / "july.csv"
    with src.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Resident", "PGY", *(d.isoformat() for d in days(14))])
        for name, codes in ROWS.items():  # the reader wants a letter in a name: -1+2 becomes -Ben+2
            w.writerow([name.replace("-1+2", "-Ben+2"), 1, *codes.split()])
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "findings.csv"
    r = CliRunner().invoke(main, ["check", str(src), "--format", "csv", "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest
    rows = parse(out.read_text())
    assert {r["resident"] for r in rows} == {"'=HYPERLINK(\"x\")", "'-Ben+2"}
    assert {r["cells"] for r in rows if r["rule"] == "shift-length"} == {"F2:G2", "I3:J3"}
    assert r.stdout.strip().startswith("2 errors, 1 warning")  # the summary line, on stdout
    refused = CliRunner().invoke(main, ["check", str(src), "--format", "csv", "-o", str(src)])
    assert refused.exit_code == 2 and hashlib.sha256(src.read_bytes()).hexdigest() == digest


def test_clean_roster_gives_only_the_header():
    assert render("csv", [check({"Cara Diaz": ROWS["Cara Diaz"]})]).splitlines() == [",".join(COLUMNS)]
