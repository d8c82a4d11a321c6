"""The reader's building blocks: addresses, cell text, date text, PGY, times; and its speed."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rostercheck.errors import InputError
from rostercheck.model import RosterOptions, cell_name, cell_position
from rostercheck.read.attributes import parse_pgy, time_text
from rostercheck.read.cells import (
    a1,
    addresses,
    cell_names,
    cell_text,
    column_index,
    column_letters,
    map_unique,
    text_array,
)
from rostercheck.read.dates import HeaderDate, parse_date_text, parse_date_value, resolve_years
from rostercheck.read.detect import classify
from rostercheck.read.grid import read_grid
from rostercheck.read.source import Sheet


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"),
                                                (702, "AAA"), (16383, "XFD")])  # fmt: skip
def test_column_letters(index: int, letters: str) -> None:
    assert column_letters(index) == letters
    assert column_index(letters) == index
    assert column_index(letters.lower()) == index


@given(st.integers(min_value=0, max_value=16383))
def test_column_letters_round_trip(index: int) -> None:
    assert column_index(column_letters(index)) == index


def test_column_index_rejects_non_letters() -> None:
    assert column_index("Resident") is None
    assert column_index("A1") is None


def test_addresses_vectorised() -> None:
    assert a1(6, 4) == "E7"
    assert addresses(np.array([6, 0, 99]), np.array([4, 27, 0])).tolist() == ["E7", "AB1", "A100"]
    packed = np.array([cell_position(6, 4), cell_position(0, 27), -1, cell_position(1_048_575, 16_383)])
    assert cell_names(packed).tolist() == ["E7", "AB1", None, "XFD1048576"]
    assert [cell_name(p) for p in packed.tolist()] == ["E7", "AB1", None, "XFD1048576"]
    assert [cell_name(v) for v in ("C3", "", None, float("nan"))] == ["C3", None, None, None]
    assert addresses(np.array([], dtype=int), np.array([], dtype=int)).tolist() == []


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""), ("  D\u00a0", "D"), ("\u200bN", "N"), (5.0, "5"), (7.5, "7.5"), (3, "3"), (True, "TRUE"),
        (float("nan"), ""), (dt.date(2026, 7, 1), "2026-07-01"), (dt.datetime(2026, 7, 1), "2026-07-01"),
        (dt.datetime(2026, 7, 1, 7, 30), "2026-07-01 07:30"), (dt.time(19, 0), "19:00"), ("cl", "cl"),
    ],
)  # fmt: skip
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_map_unique_keeps_none_and_shape() -> None:
    values = np.array([["a", None], [None, 2.0]], dtype=object)
    assert text_array(values).tolist() == [["a", ""], ["", "2"]]
    assert map_unique(values, lambda v: v is None).tolist() == [[False, True], [True, False]]


@given(st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2068, 12, 31)))
def test_date_text_formats_round_trip(day: dt.date) -> None:
    weekday = day.strftime("%a")
    full = HeaderDate(day.year, day.month, day.day)
    for text, named in (
        (day.isoformat(), False),
        (f"{day.month}/{day.day}/{day.year}", False),
        (f"{day.month}/{day.day}/{day.year % 100:02d}", False),
        (f"{weekday} {day.month}/{day.day}/{day.year}", True),
        (day.strftime("%b %d, %Y"), False),
        (day.strftime("%d-%b-%Y"), False),
        (day.strftime("%A, %B %d, %Y"), True),
        (day.strftime("%d.%m.%Y"), False),
    ):
        # the weekday written with a date is kept (issue 13: it fixes a missing year, or disagrees)
        assert parse_date_text(text) == replace(full, weekday=day.weekday() if named else None), text
    assert parse_date_text(f"{weekday} {day.month}/{day.day}") == HeaderDate(
        None, day.month, day.day, weekday=day.weekday()
    )


@pytest.mark.parametrize("text", ["", "Total", "# calls", "1", "12", "2026", "13/1/2026", "2/30/2026", "Wed", "PGY-2"])
def test_not_dates(text: str) -> None:
    assert parse_date_text(text) is None


def test_numbers_are_not_dates() -> None:
    assert parse_date_value(46204.0) is None
    assert parse_date_value(dt.datetime(2026, 7, 1, 8, 0)) == HeaderDate(2026, 7, 1)


def test_resolve_years_rolls_after_first_month() -> None:
    parsed = [HeaderDate(None, 7, 1), HeaderDate(None, 12, 31), HeaderDate(None, 1, 1), HeaderDate(2030, 5, 5)]
    out = resolve_years(parsed, 2026, lambda k: {"cell": f"X{k}"}, ["7/1", "12/31", "1/1", "5/5/2030"])
    assert out == [dt.date(2026, 7, 1), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2030, 5, 5)]
    with pytest.raises(InputError) as exc:
        resolve_years(parsed, None, lambda k: {"cell": f"X{k}"}, ["7/1", "12/31", "1/1", "5/5/2030"])
    assert exc.value.cell == "X0"
    with pytest.raises(InputError):  # 2/29 in a year without it
        resolve_years([HeaderDate(None, 2, 29)], 2026, lambda k: {}, ["2/29"])


@pytest.mark.parametrize(
    ("value", "out"),
    [(dt.time(7, 0), "07:00"), ("7:00", "07:00"), ("0730", "07:30"), ("19:00:00", "19:00"), ("7:00 PM", "19:00"),
     ("12am", "00:00"), ("12:30 p.m.", "12:30"), (0.5, "12:00"), ("", None), (None, None), ("24:00", "24:00")],
)  # fmt: skip
def test_time_text(value: object, out: str | None) -> None:
    assert time_text(value, {}) == out


@pytest.mark.parametrize("value", ["noon-ish", "25:00", "13pm", True])
def test_time_text_rejects(value: object) -> None:
    with pytest.raises(InputError):
        time_text(value, {"cell": "C3"})


@pytest.mark.parametrize("value", ["PGY-0", "PGY-20", "senior", True, "2027"])
def test_pgy_rejects(value: object) -> None:
    with pytest.raises(InputError) as exc:
        parse_pgy(value, {"cell": "B2"})
    assert exc.value.cell == "B2"


def big_sheet(n_res: int = 1500, n_days: int = 365) -> Sheet:
    """A year-long grid as calamine would hand it over (values only), offset to start at B3."""
    rng = np.random.default_rng(0)
    codes = np.array(["D", "N", "C", "PC", "OFF", "CL", "V", "", "d", "\u00a0W "], dtype=object)
    values = np.empty((n_res + 1, n_days + 2), dtype=object)
    values[0, 0], values[0, 1] = "Resident", "PGY"
    values[0, 2:] = [dt.date(2026, 7, 1) + dt.timedelta(days=k) for k in range(n_days)]
    values[1:, 0] = [f"Resident {i}" for i in range(n_res)]
    values[1:, 1] = [f"PGY-{1 + i % 5}" for i in range(n_res)]
    values[1:, 2:] = codes[rng.integers(0, len(codes), size=(n_res, n_days))]
    return Sheet("big.xlsx", "Year", values, row0=2, col0=1)


def test_large_grid_parses_every_cell() -> None:
    # speed is measured by benchmarks/, not asserted here; this checks a year-long grid reads whole
    sheet = big_sheet()
    plan = classify(sheet, RosterOptions())
    part = read_grid(sheet, plan, RosterOptions())
    assert len(part) == 1500 * 365
    assert cell_name(part.cell[0]) == "D4" and cell_name(part.cell[-1]) == f"{column_letters(1 + 2 + 364)}1503"
    assert set(part.text) <= {"D", "N", "C", "PC", "OFF", "CL", "V", "", "d", "W"}
