"""Annotated workbooks (`check --annotate`, `repair --annotate`): the right cells, nothing else.

Every test builds its roster here and names the exact cells it expects, so a finding drawn on the
wrong cell, a missing finding or a lost piece of the original formatting fails a test.
"""

from __future__ import annotations

import csv
import hashlib
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from workbooks import days

from rostercheck.cli import main
from rostercheck.report.annotate import BORDERS, COLUMNS, ERROR_FILL, WARNING_FILL
from rostercheck.workbook import CHANGED_FILL

# Header in row 1, names in A, PGY in B, 2026-07-01 in column C.
# Avery: call on 07-04 (F) then a day shift (G): 36 h of continuous work, an error on F2 and G2.
# Ben: nights 07-01..07-07 (C..I) then call on 07-08 (J): seven nights in a row is a warning on C3..I3;
#      the last night runs into the call, an error on I3 and J3. I3 has both: the error wins.
# Cara: clean.
ROWS = {
    "Avery Chen": "D D OFF C D OFF D D OFF D D OFF D D",
    "Ben Ito": "N N N N N N N C PC OFF D D OFF OFF",
    "Cara Diaz": "OFF D D D OFF C PC D D OFF D D C PC",
}
RED = {"F2", "G2", "I3", "J3"}
AMBER = {"C3", "D3", "E3", "F3", "G3", "H3"}


def rgb(cell) -> str | None:
    """The solid fill colour of a cell as 6 hex digits, None when not filled."""
    f = cell.fill
    if f is None or f.fill_type != "solid":
        return None
    return str(f.fgColor.rgb)[-6:].upper()


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_xlsx(path: Path, rows: dict[str, str], *, sheet: str = "July", extra: bool = True) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(["Resident", "PGY", *days(14)])
    for name, codes in rows.items():
        ws.append([name, 1, *codes.split()])
        cell = ws.cell(ws.max_row, 1)
        cell.data_type = "s"  # a name like =HYPERLINK(..) is text in the roster, not a formula
    if extra:
        ws["A1"].font = Font(bold=True, color="FF0000")
        ws["A1"].fill = PatternFill(start_color="FFCCE5FF", end_color="FFCCE5FF", fill_type="solid")
        ws["K4"].fill = PatternFill(start_color="FF00B050", end_color="FF00B050", fill_type="solid")
        ws.column_dimensions["A"].width = 27
        ws["G2"].comment = Comment("swap agreed with Ben", "Chief")
        notes = wb.create_sheet("Notes")
        notes["A1"] = "Swap requests go to the chief resident."
    wb.save(path)
    return path


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture
def roster(tmp_path: Path) -> Path:
    return write_xlsx(tmp_path / "july.xlsx", ROWS)


def annotated(tmp_path: Path, roster: Path, *extra: str) -> openpyxl.Workbook:
    out = tmp_path / "july-checked.xlsx"
    before = sha(roster)
    code, _, err = run("check", str(roster), "--annotate", str(out), *extra)
    assert code == 1, err
    assert sha(roster) == before, "the input must never be modified"
    return openpyxl.load_workbook(out)


# ------------------------------------------------------------------------------------ check


def test_exactly_the_offending_cells_are_filled_error_over_warning(tmp_path, roster):
    ws = annotated(tmp_path, roster)["July"]
    filled = {}
    for row in ws.iter_rows(min_row=2, max_row=4, min_col=3, max_col=16):
        for c in row:
            if rgb(c) is not None:
                filled[c.coordinate] = rgb(c)
    expected = {a: ERROR_FILL for a in RED} | {a: WARNING_FILL for a in AMBER} | {"K4": "00B050"}
    assert filled == expected
    bordered = {c.coordinate: str(c.border.left.color.rgb)[-6:] for row in ws.iter_rows() for c in row
                if c.border.left.style == "medium" and c.border.bottom.style == "medium"}
    assert bordered == {a: BORDERS["error"] for a in RED} | {a: BORDERS["warning"] for a in AMBER}


def test_each_finding_is_explained_once_on_its_first_cell(tmp_path, roster):
    ws = annotated(tmp_path, roster)["July"]
    ours = {c.coordinate for row in ws.iter_rows() for c in row
            if c.comment is not None and "rostercheck" in c.comment.text}
    assert ours == {"F2", "C3", "I3"}  # one comment per finding's first cell, not one per named cell
    i3 = ws["I3"].comment.text
    assert "shift-length (error): 36 hours, limit 28 hours; 2026-07-07 19:00 -> 07-09 07:00" in i3
    assert "cells July!I3:J3 (2 cells)" in i3 and "consecutive-nights" not in i3
    c3 = ws["C3"].comment.text
    assert "consecutive-nights (warning): 7 consecutive night shifts, limit 6" in c3
    assert "cells July!C3:I3 (7 cells)" in c3
    for a in ("A2", "C2", "E2", "D3", "H3", "J3", "C4", "P4"):  # D3..H3, J3: filled, no comment
        assert ws[a].comment is None, a
    # the roster's own note is kept as it was on a cell that is filled but not an anchor
    assert ws["G2"].comment.text == "swap agreed with Ben"


def test_overlapping_findings_give_one_comment_listing_each_once(tmp_path):
    # a call then thirteen day shifts: days-off, weekly-hours, post-call-rest and shift-length, all
    # starting on C2; the old copy put a comment on each of the 14 cells (up to four findings each)
    p = write_xlsx(tmp_path / "busy.xlsx", {"Ben Ito": "C D D D D D D D D D D D D D"}, extra=False)
    wb = annotated(tmp_path, p)
    ws = wb["July"]
    notes = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None}
    assert list(notes) == ["C2"]
    lines = notes["C2"].splitlines()
    assert lines[0] == "rostercheck: 4 findings"
    assert sorted(ln.split(" (")[0] for ln in lines[1:]) == ["days-off", "post-call-rest", "shift-length",
                                                             "weekly-hours"]
    assert "days-off (error): 0 days, limit 2 days; 2026-07-01..07-14; cells July!C2:P2 (14 cells)" in lines
    assert all(rgb(ws.cell(2, c)) == ERROR_FILL for c in range(3, 17))  # every named cell still filled
    assert wb["Violations"].max_row == 1 + 4  # one row per finding


def test_formatting_and_other_sheets_are_kept(tmp_path, roster):
    wb = annotated(tmp_path, roster)
    assert wb.sheetnames == ["Violations", "July", "Notes"]
    assert wb.active.title == "Violations"
    ws = wb["July"]
    assert ws["A1"].font.bold and str(ws["A1"].font.color.rgb).endswith("FF0000")
    assert rgb(ws["A1"]) == "CCE5FF"
    assert ws.column_dimensions["A"].width == 27
    assert ws["F2"].value == "C" and ws["A3"].value == "Ben Ito"  # values untouched
    assert wb["Notes"]["A1"].value == "Swap requests go to the chief resident."


def test_violations_sheet_lists_every_finding_with_links(tmp_path, roster):
    _code, out, _ = run("check", str(roster), "--format", "json")
    findings = json.loads(out)["violations"]
    ws = annotated(tmp_path, roster)["Violations"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][: len(COLUMNS)] == COLUMNS
    body = [r[: len(COLUMNS)] for r in rows[1:]]
    assert len(body) == len(findings) == 3
    assert [r[1] for r in body] == ["error", "error", "warning"]  # errors first
    assert sorted((r[0], r[2]) for r in body) == sorted((f["rule"], f["resident"]) for f in findings)
    by_rule = {(r[0], r[2]): i + 2 for i, r in enumerate(body)}
    link = ws.cell(by_rule[("shift-length", "Avery Chen")], len(COLUMNS)).hyperlink
    assert link.location == "'July'!F2"
    assert ws.cell(by_rule[("shift-length", "Avery Chen")], len(COLUMNS)).value == "July!F2:G2 (2 cells)"
    nights = by_rule[("consecutive-nights", "Ben Ito")]
    assert ws.cell(nights, len(COLUMNS)).hyperlink.location == "'July'!C3"
    assert ws.cell(nights, 6).value == 7 and ws.cell(nights, 7).value == 6
    assert ws.cell(nights, 4).value.isoformat().startswith("2026-07-01")
    assert "2 errors, 1 warning" in str(ws.cell(1, len(COLUMNS) + 2).value)


def test_formula_like_names_are_escaped_in_the_violations_sheet(tmp_path):
    rows = {'=HYPERLINK("x")': ROWS["Avery Chen"], "-Ben+2": ROWS["Ben Ito"]}  # the reader needs a letter
    p = write_xlsx(tmp_path / "names.xlsx", rows, extra=False)
    wb = annotated(tmp_path, p)
    names = [r[2] for r in wb["Violations"].iter_rows(min_row=2, values_only=True)]
    assert set(names) == {"'=HYPERLINK(\"x\")", "'-Ben+2"}
    for row in wb["Violations"].iter_rows(min_row=2):
        for c in row:
            assert c.data_type != "f", c.coordinate
    assert wb["July"]["A2"].value == '=HYPERLINK("x")' and wb["July"]["A2"].data_type == "s"


def test_a_clean_roster_gets_an_empty_violations_sheet(tmp_path):
    p = write_xlsx(tmp_path / "clean.xlsx", {"Cara Diaz": ROWS["Cara Diaz"]}, extra=False)
    out = tmp_path / "out.xlsx"
    code, _, _ = run("check", str(p), "--annotate", str(out))
    assert code == 0
    wb = openpyxl.load_workbook(out)
    assert wb["Violations"].max_row == 1
    assert all(rgb(c) is None for row in wb["July"].iter_rows() for c in row)


def test_csv_roster_becomes_a_new_workbook_at_the_same_addresses(tmp_path):
    p = tmp_path / "july.csv"
    with p.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["Resident", "PGY", *(d.isoformat() for d in days(14))])
        for name, codes in {'=HYPERLINK("x")': ROWS["Avery Chen"], **ROWS}.items():
            w.writerow([name, 1, *codes.split()])
    before = sha(p)
    out = tmp_path / "july-checked.xlsx"
    code, _, _ = run("check", str(p), "--annotate", str(out))
    assert code == 1 and sha(p) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Violations", "Roster"]
    ws = wb["Roster"]
    assert ws["A2"].value == '=HYPERLINK("x")' and ws["A2"].data_type == "s"  # text, never a formula
    assert ws["B2"].value == 1 and ws["F3"].value == "C"
    # the same roster one row lower: Avery is row 3, Ben row 4
    red = {f"{a[0]}{int(a[1:]) + 1}" for a in RED} | {"F2", "G2"}
    amber = {f"{a[0]}{int(a[1:]) + 1}" for a in AMBER}
    got = {c.coordinate: rgb(c) for row in ws.iter_rows() for c in row if rgb(c)}
    assert got == {a: ERROR_FILL for a in red} | {a: WARNING_FILL for a in amber}
    link = wb["Violations"].cell(2, len(COLUMNS)).hyperlink
    assert link.location.startswith("'Roster'!")


# ------------------------------------------------------------------------------------ refusals


@pytest.mark.parametrize("name", ["july.xlsx", "other.xlsm", "notes.txt"])
def test_bad_outputs_are_refused_with_one_line(tmp_path, roster, name):
    out = roster if name == "july.xlsx" else tmp_path / name
    before = sha(roster)
    code, _stdout, err = run("check", str(roster), "--annotate", str(out))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("rostercheck: error:")
    assert sha(roster) == before
    assert not (tmp_path / "other.xlsm").exists() and not (tmp_path / "notes.txt").exists()


def test_annotate_needs_exactly_one_roster(tmp_path, roster):
    other = write_xlsx(tmp_path / "aug.xlsx", ROWS, extra=False)
    code, _, err = run("check", str(roster), str(other), "--annotate", str(tmp_path / "a.xlsx"))
    assert code == 2 and "exactly one roster" in err


def test_same_file_for_two_outputs_is_refused(tmp_path, roster):
    out = tmp_path / "x.xlsx"
    code, _, _err = run("check", str(roster), "-o", str(out), "--annotate", str(out))
    assert code == 2 and not out.exists()


def make_xlsm(tmp_path: Path) -> Path:
    """An .xlsm with a (stand-in) VBA project part, wired up as Excel does."""
    src = write_xlsx(tmp_path / "m.xlsx", ROWS, extra=False)
    out = tmp_path / "m.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for name in zin.namelist():
            data = zin.read(name)
            if name == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml")
                data = data.replace(b'<Default Extension="xml"', b'<Default Extension="bin" '
                                    b'ContentType="application/vnd.ms-office.vbaProject"/><Default Extension="xml"')
            if name == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVBA" Type="http://schemas.microsoft'
                                    b'.com/office/2006/relationships/vbaProject" Target="vbaProject.bin"/>'
                                    b"</Relationships>")
            zout.writestr(name, data)
        zout.writestr("xl/vbaProject.bin", VBA)
    return out


VBA = b"stand-in VBA project"


def test_macros_are_kept_only_when_asked(tmp_path):
    xlsm = make_xlsm(tmp_path)
    before = sha(xlsm)
    # names that would give a file Excel refuses to open are refused up front
    assert run("check", str(xlsm), "--annotate", str(tmp_path / "a.xlsm"))[0] == 2
    assert run("check", str(xlsm), "--keep-macros", "--annotate", str(tmp_path / "a.xlsx"))[0] == 2
    assert run("check", str(xlsm), "--keep-macros", "--annotate", str(tmp_path / "kept.xlsm"))[0] == 1
    assert run("check", str(xlsm), "--annotate", str(tmp_path / "dropped.xlsx"))[0] == 1
    assert sha(xlsm) == before
    with zipfile.ZipFile(tmp_path / "kept.xlsm") as z:
        assert z.read("xl/vbaProject.bin") == VBA and b"macroEnabled" in z.read("[Content_Types].xml")
    with zipfile.ZipFile(tmp_path / "dropped.xlsx") as z:
        assert "xl/vbaProject.bin" not in z.namelist() and b"macroEnabled" not in z.read("[Content_Types].xml")
    for name in ("kept.xlsm", "dropped.xlsx"):
        wb = openpyxl.load_workbook(tmp_path / name)
        assert wb.sheetnames[0] == "Violations" and rgb(wb["July"]["F2"]) == ERROR_FILL


# ------------------------------------------------------------------------------------ repair

CYCLE = ["C", "PC", "D", "OFF"]


def cycle_rows() -> dict[str, str]:
    """Four residents on a call cycle, with R1 and R2 swapped on 07-06: two cells to change back."""
    rows = {f"R{i + 1}": [CYCLE[(d + i) % 4] for d in range(14)] for i in range(4)}
    rows["R1"][5], rows["R2"][5] = rows["R2"][5], rows["R1"][5]
    return {k: " ".join(v) for k, v in rows.items()}


def test_repair_annotate_marks_changed_cells_and_lists_them(tmp_path):
    p = write_xlsx(tmp_path / "cycle.xlsx", cycle_rows(), extra=False)
    before = sha(p)
    out = tmp_path / "fixed.xlsx"
    code, stdout, err = run("repair", str(p), "--annotate", str(out), "--format", "json", "--time-limit", "10",
                            "--seed", "1", "--workers", "1")
    assert code == 0, stdout + err
    assert sha(p) == before
    changes = json.loads(stdout)["changes"]
    assert len(changes) == 2
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Violations", "Changes", "July"]
    ws = wb["July"]
    changed = {c["cell"] for c in changes}
    for c in changes:
        cell = ws[c["cell"]]
        assert (cell.value or "") == c["new"]
        assert rgb(cell) == CHANGED_FILL
        assert cell.comment.text.startswith(f"rostercheck repair: was {c['old'] or '(blank)'}")
    others = {c.coordinate for row in ws.iter_rows() for c in row if rgb(c)} - changed
    assert others == set()  # no finding left, nothing else marked
    assert wb["Violations"].max_row == 1
    ch = list(wb["Changes"].iter_rows(min_row=2))
    assert sorted(r[5].value for r in ch) == sorted(f"July!{c}" for c in changed)
    assert all(r[5].hyperlink.location.startswith("'July'!") for r in ch)


def test_repair_annotate_without_a_repair_marks_the_findings(tmp_path):
    # everyone on call the same day and on D after it: no compliant roster exists
    p = write_xlsx(tmp_path / "stuck.xlsx", {"A": "C D OFF OFF OFF OFF OFF", "B": "C D OFF OFF OFF OFF OFF",
                                             "C": "C D OFF OFF OFF OFF OFF"}, extra=False)
    out = tmp_path / "stuck-annotated.xlsx"
    code, _, _ = run("repair", str(p), "--annotate", str(out), "--time-limit", "10")
    assert code == 3
    wb = openpyxl.load_workbook(out)
    assert {rgb(wb["July"][a]) for a in ("C2", "D2", "C3", "D3", "C4", "D4")} == {ERROR_FILL}
    assert "no repair written" in str(wb["Violations"].cell(1, len(COLUMNS) + 2).value)


def test_a_half_day_block_gets_one_comment_per_finding_not_per_cell(tmp_path):
    """The 17-resident block: a days-off finding names all 56 sessions of Rafael Ortiz's row and a
    shift-length finding three of Priya Shah's. Every named cell is filled; each finding is
    explained by one comment on its first cell and one Violations row."""
    from workbooks import BLOCK_SHEET, half_day_block

    p = half_day_block(tmp_path / "block-9.xlsx")
    wb = annotated(tmp_path, p)
    ws = wb[BLOCK_SHEET]
    comments = {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment is not None}
    assert set(comments) == {"C4", "U5"}
    assert comments["C4"].splitlines() == [
        "rostercheck: 1 finding",
        "days-off (error): 0 days, limit 4 days; 2026-02-02..03-01; cells Block 9!C4:BF4 (56 cells)"]
    assert "shift-length (error): 29 hours, limit 28 hours" in comments["U5"]
    filled = {c.coordinate for row in ws.iter_rows() for c in row if rgb(c) == ERROR_FILL}
    assert len(filled) == 56 + 3
    rows = list(wb["Violations"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 2
    assert {r[len(COLUMNS) - 1] for r in rows} == {"Block 9!C4:BF4 (56 cells)", "Block 9!U5:W5 (3 cells)"}


def test_an_annotated_copy_checks_again_with_the_same_findings(tmp_path: Path) -> None:
    """A coordinator re-checks the copy they were sent: the Violations and Changes sheets are ours,
    skipped with a reason, not read as rosters full of unknown codes."""
    sample = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
    cfg = str(sample.parent / "rostercheck.toml")
    checked, repaired, annotated = tmp_path / "checked.xlsx", tmp_path / "fixed.xlsx", tmp_path / "fixed-marked.xlsx"

    def findings(path: Path) -> list[tuple]:
        code, out, err = run("check", str(path), "--config", cfg, "--format", "json")
        assert code in (0, 1), err
        doc = json.loads(out)
        return sorted((v["rule"], v["resident"], v["start"], v["end"]) for v in doc["violations"])

    assert run("check", str(sample), "--config", cfg, "--annotate", str(checked))[0] == 1
    assert findings(checked) == findings(sample)
    code, out, err = run("read", str(checked), "--format", "json", "--config", cfg)
    assert code == 0, err
    skipped = {s["sheet"]: s for s in json.loads(out)["sheets"]}
    assert not skipped["Violations"]["used"] and "--annotate" in skipped["Violations"]["reason"]

    code, _, err = run("repair", str(sample), "--config", cfg, "-o", str(repaired), "--annotate", str(annotated),
                       "--time-limit", "60")
    assert code == 0, err
    assert findings(annotated) == findings(repaired)
