"""Issue 17, memory: the timeline's columns are as narrow as their values allow, and narrow columns
read exactly as the wide ones did (names where people read them, int64 wherever rules multiply).

Peak memory itself is measured in ``benchmarks/`` (docs/performance.md), never in a timed test;
these tests pin the layout that keeps it down, and that the layout changes no answer.
"""

from __future__ import annotations

import numpy as np
import pytest

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.legend import KINDS
from rostercheck.rules.base import by_value, windows
from rostercheck.table import Table
from tools import synth


def _timeline(tz: str | None = "America/Chicago"):
    s = synth.generate(20, 60, seed=11)
    s, _ = synth.plant(s, 3, seed=2, kinds=["shift-length", "weekly-hours", "days-off"])
    data = s.config()
    if tz:
        data["timezone"] = tz
    cfg = parse(data, path="test")
    return check_raw(s.raw(), cfg).timeline


def test_shift_columns_are_narrow_and_name_their_codes() -> None:
    tl = _timeline()
    sh = tl.shifts
    assert sh["resident"].dtype == np.int32 and sh["day"].dtype == np.int32
    assert sh["code"].dtype == np.int16 and sh["kind"].dtype == np.int8
    assert sh["cell"].dtype == np.int32 and sh["entry"].dtype == np.int32
    assert sh["start"].dtype == np.int64 and sh["end"].dtype == np.int64  # minutes since 1970 times LANE
    names = sh.named("code")
    assert names.dtype == object and set(names.tolist()) <= set(tl.legend)
    assert set(sh.named("kind").tolist()) <= set(KINDS)
    # the names are exactly the legend's codes and the kinds the legend gives them
    assert all(tl.legend[c].kind == k for c, k in zip(names.tolist(), sh.named("kind").tolist()))
    frame = sh.frame()
    assert frame["code"].tolist() == names.tolist() and frame["kind"].tolist() == sh.named("kind").tolist()
    some = sh.take(sh["day"] >= tl.first)
    assert some.named("code").tolist() == names[sh["day"] >= tl.first].tolist()


def test_counted_hours_take_no_memory_when_no_code_counts_hours() -> None:
    tl = _timeline()
    counted = tl.shifts["counted"]
    assert not counted.any() and counted.strides == (0,)


def test_labelled_columns_survive_take_assign_and_concat() -> None:
    t = Table({"code": np.array([1, 0, 1], dtype=np.int16), "x": np.arange(3)}, labels={"code": ["A", "B"]})
    assert t.named("code").tolist() == ["B", "A", "B"]
    assert t.take(np.array([2, 1])).named("code").tolist() == ["B", "A"]
    assert t.assign(x=np.zeros(3)).named("code").tolist() == ["B", "A", "B"]
    assert t.assign(code=np.array(["z", "y", "x"], dtype=object)).named("code").tolist() == ["z", "y", "x"]
    u = Table({"code": np.array([0], dtype=np.int16), "x": np.arange(1)}, labels={"code": ["C"]})
    assert Table.concat([t, u]).named("code").tolist() == ["B", "A", "B", "C"]  # different names: joined as names
    assert Table.concat([t, t]).named("code").tolist() == ["B", "A", "B"] * 2
    with pytest.raises(ValueError):
        Table({"code": np.array(["A"], dtype=object)}, labels={"code": ["A"]})


def test_on_service_days_are_int32_and_rule_arithmetic_stays_int64() -> None:
    tl = _timeline(None)
    w = windows(tl, 28, {"window": "rolling", "exclude-leave": True})
    assert w.on.dtype == np.int32
    # a rule's number times on-service days never wraps around in int32
    big = by_value(np.array([[30_000]], dtype=np.int32), lambda on: 100_000 * on)
    assert big.dtype == np.int64 and int(big[0, 0]) == 3_000_000_000


# ---------------------------------------------------------------- the check stage after the read (issue 17)
def _row_bytes(t: Table) -> int:
    """Bytes a row of ``t`` really holds: a column that says the same on every row (a zero stride,
    ``table.constant``) holds none."""
    return sum(a.itemsize for a in t._cols.values() if a.strides != (0,))


def _read_grid(tmp_path, n: int = 12, days: int = 40):
    from rostercheck.read import read_roster

    s = synth.generate(n, days, seed=5)
    s, _ = synth.plant(s, 4, seed=3, kinds=["shift-length", "weekly-hours", "days-off"])
    path = synth.write_xlsx(s, tmp_path / "r.xlsx")
    return s, read_roster(path)


def test_entries_read_from_a_grid_are_narrow(tmp_path) -> None:
    _, raw = _read_grid(tmp_path)
    e = raw.entries
    assert e["resident"].dtype == np.int32 and e["cell"].dtype == np.int32
    assert e["date"].dtype == np.dtype("datetime64[D]")
    for name in ("slot", "start", "end", "sheet"):  # the same on every cell of a one-sheet grid
        assert e[name].strides == (0,), name
    # resident 4 + date 8 + cell 4 + text 8 (an object): 24 bytes a cell, down from 40
    assert _row_bytes(e) == 24
    codes, uniques = e.factors("text")
    assert codes.dtype == np.int8 and len(uniques) < 100
    # and they still read as the numbers and names every stage expects
    f = e.frame()
    assert f["resident"].max() == len(raw.residents) - 1 and str(f["date"].dtype).startswith("datetime64")


def test_narrow_cells_keeps_positions_that_do_not_fit_int32() -> None:
    from rostercheck.model import narrow_cells

    assert narrow_cells(np.array([0, (1 << 31) - 1])).dtype == np.int32
    big = narrow_cells(np.array([0, 1 << 31]))
    assert big.dtype == np.int64 and big[1] == 1 << 31


def test_text_codes_are_as_narrow_as_the_distinct_texts_allow() -> None:
    from rostercheck.table import narrow_codes

    assert narrow_codes(np.arange(3), 127).dtype == np.int8  # room for a blank at 127
    assert narrow_codes(np.arange(3), 128).dtype == np.int16
    assert narrow_codes(np.arange(3), 1 << 15).dtype == np.int32
    texts = np.array(["D", None, "N", "D"] * 50, dtype=object)
    codes, uniques = Table({"text": texts}).factors("text")
    assert codes.dtype == np.int8 and [uniques[c] for c in codes.tolist()] == texts.tolist()


def test_rule_caches_are_narrow() -> None:
    from rostercheck.rules.base import leave_prefix
    from rostercheck.rules.period_facts import rest_minutes

    tl = _timeline()
    _, group = tl.period_intervals
    assert group.dtype == np.int32
    L = leave_prefix(tl)
    assert L.dtype == np.int16 and (L[:, -1] == tl.leave.sum(axis=1)).all()
    rest = rest_minutes(tl)
    assert rest.dtype == np.int32
    merged = tl.period_intervals[0]
    wide = merged.lane_start[1:] - merged.lane_end[:-1]
    same = merged.resident[1:] == merged.resident[:-1]
    assert (rest[same] == wide[same]).all()  # within a resident: exact minutes
    assert (rest[~same] == np.iinfo(np.int32).max).all()  # across residents: never short of anything


def test_a_timeline_built_from_a_read_grid_is_narrow_and_reads_the_same(tmp_path) -> None:
    s, raw = _read_grid(tmp_path)
    cfg = parse(s.config(), path="test")
    wide = _widened(raw)
    narrow = check_raw(raw, cfg)
    sh = narrow.timeline.shifts
    # resident 4, day 4, code 2, kind 1, start 8, end 8, cell = entry 4 (one array): 31 bytes a row
    assert sum(a.itemsize for k, a in sh.items() if a.strides != (0,) and k != "cell") == 31
    assert sh["cell"] is sh["entry"]
    again = check_raw(wide, cfg)
    assert narrow.findings  # planted: the comparison below compares something
    assert [f.as_dict() for f in narrow.findings] == [f.as_dict() for f in again.findings]
    for k in ("resident", "day", "code", "start", "end"):
        assert (again.timeline.shifts[k] == sh[k]).all(), k


def _widened(raw):
    """``raw`` with its entries' narrow columns widened back to int64 (as before issue 17's third
    session): the timeline built from either must be the same."""
    import dataclasses

    e = raw.entries
    wide = e.assign(resident=e["resident"].astype(np.int64), cell=e["cell"].astype(np.int64))
    return dataclasses.replace(raw, entries=wide)


def test_the_work_sweep_keeps_no_lane_copies() -> None:
    tl = _timeline()
    sweep = tl._work_sweep
    arrays = [a for a in vars(sweep).values() if isinstance(a, np.ndarray)]
    # resident 4 + start 8 + running end 8 (and the sort order, when the rows came unsorted)
    n = len(tl.work_index)
    assert sum(a.nbytes for a in arrays if a is not sweep.order) == 20 * n
    assert sweep.resident.dtype == np.int32
    # the running ends are plain minutes: a cut that joins nothing ends where its rows end
    if len(tl.work.start) == n:
        assert (tl.work.end == sweep.run_end).all() and tl.work.end.max() < 2**40
