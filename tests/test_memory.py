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
