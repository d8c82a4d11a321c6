"""ReadReport: the record of how a roster was read (docs/json.md, ``files[i].read``)."""

from __future__ import annotations

from rostercheck.read.result import ReadReport, ReadResident, ReadWarning, SheetUse, SkippedRow


def _report() -> ReadReport:
    skipped = tuple(SkippedRow("Block", 10 + i, f"Dr {i}", "rows filter", "ROLE=FAC") for i in range(12))
    skipped += (SkippedRow("Block", 3, "Interns", "section title"), SkippedRow("Block", 8, "Seniors", "section title"))
    return ReadReport(
        residents=(ReadResident("F", 1, None, "RES", "Block", 4, 28),),
        skipped=skipped,
        sheets=(SheetUse("Block", True, "a whole-day grid"), SheetUse("__REF__", False, "legend (Code/Description)")),
        warnings=(ReadWarning("Block", "C2", "weekday 'Tue' but 2025-03-10 is a Monday"),),
    )


def test_summary_line_counts_by_reason() -> None:
    assert _report().skipped_summary() == "skipped 14 rows: 12 rows filter (ROLE=FAC), 2 section titles"
    assert ReadReport().skipped_summary() is None
    one = ReadReport(skipped=(SkippedRow(None, 7, "TBD", "placeholder"),))
    assert one.skipped_summary() == "skipped 1 row: 1 placeholder"


def test_json_form() -> None:
    doc = _report().to_json()
    assert set(doc) == {"residents", "skipped", "sheets", "warnings"}
    assert doc["residents"] == [
        {"name": "F", "pgy": 1, "team": None, "role": "RES", "sheet": "Block", "row": 4, "codes": 28}
    ]
    assert doc["skipped"][-1] == {
        "sheet": "Block",
        "row": 8,
        "text": "Seniors",
        "reason": "section title",
        "detail": "",
    }
    assert doc["sheets"][1] == {"sheet": "__REF__", "used": False, "reason": "legend (Code/Description)"}
    assert doc["warnings"] == [{"sheet": "Block", "cell": "C2", "message": "weekday 'Tue' but 2025-03-10 is a Monday"}]


def test_merged_keeps_order() -> None:
    a = ReadReport(sheets=(SheetUse("A", True, "a whole-day grid"),))
    b = ReadReport(sheets=(SheetUse("B", False, "hidden"),))
    assert [s.sheet for s in a.merged(b).sheets] == ["A", "B"]
