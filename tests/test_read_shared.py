"""The small-roster fast paths of the reader read exactly what the plain paths read.

A sheet is factorized and turned into text once (``Sheet.factors``), its top rows share that with the
whole sheet (``Sheet.head_sheet``), and per-process memos remember what a batch's rosters repeat (cell
texts, name-column tests, legend times). Each is held here to the computation it replaces, on edge
values and on generated ones, including a memo that fills up and starts again.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from enum import IntEnum
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbooks import days, make_xlsx

from rostercheck import table
from rostercheck.errors import InputError
from rostercheck.read import cells, grid, legend_sheet
from rostercheck.read import headers as H
from rostercheck.read.attributes import time_text
from rostercheck.read.cells import cell_text, cell_texts, object_array
from rostercheck.read.dates import is_weekday_label, slot_label
from rostercheck.read.detect import HeadScan
from rostercheck.read.source import Sheet, open_book
from rostercheck.report.json_report import dumps

ODD = [
    "", " ", "D", " D ", "d", "\u00a0N\u00a0", "\u200bC", "\ufeff", "Resident", "resident:", "7/1/2026", "13/07/2026",
    "Wed 7/1", "Mon", "AM", "Total", "PGY 1 Rotations", 0, 1, 0.0, 1.0, True, False, 2, 2.5, -0.0, float("nan"),
    None, dt.date(2026, 7, 1), dt.datetime(2026, 7, 1), dt.datetime(2026, 7, 1, 7, 30), dt.time(7, 0), 45839.0,
]
VALUES = st.one_of(
    st.sampled_from(ODD), st.text(max_size=6), st.integers(-3, 3), st.floats(allow_nan=True, width=32),
    st.booleans(), st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
)


def _factorize_reference(values: np.ndarray) -> tuple[list[int], list]:
    """``table.factorize`` as it was written before its fast paths (the contract: first appearance,
    None last, TRUE never merged with 1)."""
    items = np.asarray(values, dtype=object).ravel().tolist()
    keys = list(dict.fromkeys((type(v) is bool, v) for v in items))
    uniq = [v for _, v in keys]
    look = {k: i for i, k in enumerate(keys)}
    codes = [look[(type(v) is bool, v)] for v in items]
    if any(u is None for u in uniq):
        k = next(i for i, u in enumerate(uniq) if u is None)
        codes = [c if c < k else (len(uniq) - 1 if c == k else c - 1) for c in codes]
        uniq = uniq[:k] + uniq[k + 1 :] + [None]
    return codes, uniq


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(
        type(x) is type(y) and (x == y or (isinstance(x, float) and math.isnan(x) and math.isnan(y)))
        for x, y in zip(a, b, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(items=st.lists(VALUES, max_size=40), small=st.booleans())
def test_factorize_is_the_plain_factorize(items: list, small: bool) -> None:
    arr = object_array(items)
    saved = table._GETTER_ITEMS
    table._GETTER_ITEMS = 3 if small else saved  # both ways of looking the codes up
    try:
        codes, uniq = table.factorize(arr)
    finally:
        table._GETTER_ITEMS = saved
    want_codes, want_uniq = _factorize_reference(arr)
    # NaN is never equal to itself: each NaN object is its own value in both
    assert codes.tolist() == want_codes
    assert _same(uniq, want_uniq)


@settings(max_examples=300, deadline=None)
@given(items=st.lists(VALUES, max_size=30))
def test_cell_texts_is_cell_text_of_each(items: list) -> None:
    for _ in range(2):  # the second time from the memo
        assert cell_texts(items) == [cell_text(v) for v in items]


def test_cell_texts_memo_that_fills_up_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cells, "_TEXTS", {})
    monkeypatch.setattr(cells, "MEMO_MAX", 4)
    values = [f" v{k}\u00a0" for k in range(10)] + [dt.date(2026, 7, k) for k in range(1, 10)]
    for _ in range(3):
        assert cell_texts(values) == [cell_text(v) for v in values]
        assert len(cells._TEXTS) <= 4
    # TRUE, 1 and 1.0 read differently and are never remembered under one key
    assert cell_texts([1, True, 1.0, "1", dt.datetime(2026, 7, 1), dt.date(2026, 7, 1)]) == [
        "1", "TRUE", "1", "1", "2026-07-01", "2026-07-01"]


@settings(max_examples=200, deadline=None)
@given(
    rows=st.integers(1, 12), width=st.integers(1, 6), head=st.integers(0, 14),
    data=st.data(),
)
def test_head_sheet_reads_as_a_sheet_of_its_own(rows: int, width: int, head: int, data) -> None:
    values = object_array(data.draw(st.lists(VALUES, min_size=rows * width, max_size=rows * width))).reshape(
        rows, width)
    full = Sheet("f.xlsx", "S", values, 2, 3, [])
    shared = full.head_sheet(head)
    alone = Sheet("f.xlsx", "S", values[:head].copy(), 2, 3, [])
    for n in (head, head + 3, 0):
        a, b = HeadScan(shared, n), HeadScan(alone, n)
        assert a.nrows == b.nrows
        assert a.texts.tolist() == b.texts.tolist()
        assert a.keys.tolist() == b.keys.tolist()
        assert a.is_date.tolist() == b.is_date.tolist()
    assert shared.texts().tolist() == alone.texts().tolist() == [[cell_text(v) for v in r] for r in values[:head]]
    assert full.texts().tolist() == [[cell_text(v) for v in r] for r in values]


def test_texts_are_shared_and_read_only() -> None:
    sheet = Sheet("f.xlsx", "S", object_array(["a", " b", 1.0, None]).reshape(2, 2))
    assert sheet.texts() is sheet.texts()
    with pytest.raises(ValueError):
        sheet.texts()[0, 0] = "x"
    with pytest.raises(ValueError):
        sheet.head_sheet(1).texts()[0, 0] = "x"


def test_a_workbooks_top_rows_are_its_first_rows(tmp_path: Path) -> None:
    header = ["Resident", "PGY", *days(5)]
    rows = [["July"], [], header, ["Avery Chen", 1, "D", "D", "", "N", "OFF"],
            ["Blake Diaz", 2, "N", "", "D", "D", "D"]]
    path = make_xlsx(tmp_path / "r.xlsx", {"July": rows}, top=2, left=2, merges={"July": ["B2:D2"]})
    head = open_book(path).sheet("July", 3)
    full = open_book(path).sheet("July")
    assert head.values.tolist() == full.values[:3].tolist()
    assert (head.row0, head.col0, head.merged) == (full.row0, full.col0, full.merged)
    assert head.texts().tolist() == full.texts()[:3].tolist()


@pytest.mark.parametrize("name", [
    "Avery Chen", "Total", "Notes: swap", "Staff Call", "Resident", "PGY 1 Rotations", "Faculty", "12", "-1+1",
    "Mon", "AM", "TBD", "Day", "", "#", "F",
])
def test_name_facts_are_the_tests_they_remember(name: str) -> None:
    facts = grid._name_facts(name)
    assert facts == (
        H.is_footer(name), H.is_duty(name), H.header_key(name), H.is_section(name), cells.has_letter(name),
        is_weekday_label(name) or slot_label(name) is not None, H.is_placeholder(name),
    )
    assert grid._collapsed(f" {name}\u00a0 ") == cells.collapse(f" {name}\u00a0 ")


def test_legend_times_are_time_text_and_a_bad_one_fails_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(legend_sheet, "_TIMES", {})
    values = object_array(["07:00", "7:00 PM", " 0700 ", "", "25:99", 0.5, dt.time(19, 0), None]).reshape(1, 8)
    sheet = Sheet("f.xlsx", "Legend", values)
    for _ in range(2):
        for j, v in enumerate(values[0].tolist()):
            try:
                want: object = time_text(v, sheet.where(0, j))
            except InputError as exc:
                with pytest.raises(InputError) as got:
                    legend_sheet._time(sheet, 0, j)
                assert (got.value.message, got.value.cell) == (exc.message, exc.cell)
                continue
            assert legend_sheet._time(sheet, 0, j) == want
    assert "25:99" not in legend_sheet._TIMES


class _Level(IntEnum):
    ONE = 1


class _Text(str):
    pass


def test_json_scalars_of_subclasses_are_written_as_json_writes_them() -> None:
    value = {"a": _Level.ONE, "b": [_Text("x"), 1.5, float("inf"), -float("inf"), float("nan"), None, True]}
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)
    assert dumps([value], 2) == json.dumps([value], indent=2, ensure_ascii=False).replace("\n", "\n    ")


@settings(max_examples=200, deadline=None)
@given(items=st.lists(VALUES, max_size=20))
def test_remembered_date_tests_are_the_date_tests(items: list) -> None:
    from rostercheck.read import date_order, detect

    for _ in range(2):  # the second time from the memos
        assert [date_order._date_value(v) for v in items] == [date_order.parse_date_value(v) for v in items]
        assert detect._dates(items) == [bool(date_order.is_date(v)) for v in items]
    assert date_order._date_value([1, 2]) is None  # an unhashable value is read, not remembered
