"""Issue 17, small rosters: the short paths the check takes on a few dozen residents give exactly
what the general ones do (the general ones are forced by lowering each path's threshold).

Speed is measured by ``/work``'s batch benchmark and ``benchmarks/check_bench.py``, never here.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rostercheck import timeline as T
from rostercheck.check import check_raw, legend_for, scope
from rostercheck.config import parse
from rostercheck.legend import code_spellings
from rostercheck.rules import base, min_free_days, min_free_evenings, min_free_weekends
from tools import synth

KINDS = ["shift-length", "post-call-rest", "weekly-hours", "days-off"]


def _timeline(residents: int = 14, days: int = 45, seed: int = 5, tz: str | None = "America/Chicago",
              planted: int = 3, start: str | None = None):
    s = synth.generate(residents, days, seed=seed, **({"start": start} if start else {}))
    if planted:
        s, _ = synth.plant(s, planted, seed=seed, kinds=KINDS)
    data = s.config()
    if tz:
        data["timezone"] = tz
    cfg = parse(data, path="x.toml")
    return check_raw(s.raw(), cfg).timeline


WINDOWS = [
    (28, {"window": "rolling"}),
    (7, {"window": "rolling"}),
    (7, {"window": "rolling", "exclude-leave": False}),
    (10, {"window": "block"}),
    (28, {"window": "block", "anchor": "2026-06-20"}),
    (400, {"window": "rolling"}),
]


@pytest.mark.parametrize("tz", [None, "America/Chicago", "Europe/London"])
@pytest.mark.parametrize("seed", [1, 7])
def test_free_blocks_clipped_gap_by_window_match_the_edge_sums(tz: str | None, seed: int, monkeypatch) -> None:
    tl = _timeline(seed=seed, tz=tz)
    for days, p in WINDOWS:
        w = base.windows(tl, days, p)
        for block in (1440, 600, 2880, 1441):
            dense = min_free_days.free_blocks(tl, w, block)
            with monkeypatch.context() as m:
                m.setattr(min_free_days, "DENSE", -1)
                edges = min_free_days.free_blocks(tl, w, block)
            assert dense.dtype == edges.dtype and np.array_equal(dense, edges), (days, p, block)


def test_free_blocks_of_residents_with_no_busy_time_at_all(monkeypatch) -> None:
    tl = _timeline(residents=6, days=30, seed=3, planted=0)
    w = base.windows(tl, 7, {})
    free = T.Intervals(np.zeros(0, np.int32), np.zeros(0, np.int64), np.zeros(0, np.int64))
    monkeypatch.setattr(tl, "busy_within", lambda gap: free)
    dense = min_free_days.free_blocks(tl, w, 1440)
    monkeypatch.setattr(min_free_days, "DENSE", -1)
    assert np.array_equal(dense, min_free_days.free_blocks(tl, w, 1440))
    assert (dense == 7).all()  # every window of 7 midnight-aligned days is 7 free days


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 60), max_size=25), st.lists(st.integers(0, 60), max_size=8), st.booleans(),
       st.sampled_from([np.int32, np.int64]))
def test_one_insert_for_every_column_is_np_insert(a: list[int], x: list[int], search: bool, dtype: type) -> None:
    arr = np.sort(np.array(a, dtype=dtype))
    xs = np.array(x, dtype=np.int64)
    # as busy time inserts (positions in order), and in any order (np.insert sorts them)
    at = np.searchsorted(arr, np.sort(xs), side="right") if search else np.array(
        [v % (len(arr) + 1) for v in x], dtype=np.int64)
    vals = np.sort(xs) if search else xs
    got = T._insert_at(at, len(arr))(arr, vals)
    want = np.insert(arr, at, vals)
    assert got.dtype == want.dtype and np.array_equal(got, want)


def test_busy_time_is_the_same_with_leave_inserted_column_by_column(monkeypatch) -> None:
    tl = _timeline(seed=2)
    mine = {g: tl.busy_within(g) for g in (0, 600, 1440)}
    fresh = _timeline(seed=2)
    monkeypatch.setattr(T, "_insert_at", lambda at, n: (lambda a, x: np.insert(a, at, x)))
    for g, iv in mine.items():
        ref = fresh.busy_within(g)
        for col in ("resident", "start", "end"):
            assert np.array_equal(getattr(iv, col), getattr(ref, col)), (g, col)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-3000, 60000), max_size=60), st.sampled_from(["left", "right"]))
def test_small_searches_match_the_look_up_table(t: list[int], side: str) -> None:
    a = np.arange(0, 45 * 1440 + 1, 1440, dtype=np.int64)
    a[20:] -= 60  # a clock change: days of 1380 minutes and of 1440
    v = np.array(t, dtype=np.int64)
    want = np.searchsorted(a, v, side=side)
    assert np.array_equal(T.searchsorted_small(a, v, side), want)
    assert np.array_equal(T.searchsorted_small(a, v, side, T._bins(a)), want)
    sv = np.sort(v)
    assert np.array_equal(T.searchsorted_sorted(np.arange(100, dtype=np.int64) * 700, sv, side),
                          np.searchsorted(np.arange(100, dtype=np.int64) * 700, sv, side=side))


def test_day_index_of_a_few_instants_is_the_table_answer(monkeypatch) -> None:
    tl = _timeline(tz="Europe/London")
    t = np.concatenate([tl.col("start"), tl.col("end"), tl.day_start, tl.day_start - 1, [-(1 << 40), 1 << 40]])
    for side in ("left", "right"):
        small = tl.day_index(t, side)
        monkeypatch.setattr(T, "_SMALL_SEARCH", -1)
        assert np.array_equal(small, tl.day_index(t, side))
        monkeypatch.undo()


@pytest.mark.parametrize("residents", [3, 30, 64, 65, 200])
def test_running_sums_down_the_days_are_bit_for_bit_the_loops(residents: int) -> None:
    rng = np.random.default_rng(residents)
    HT = rng.random((40, residents)) * 13.7
    tl = _timeline(residents=4, days=40, seed=1, planted=0)
    for days, p in WINDOWS[:4]:
        w = base.windows(tl, days, p)
        P = np.zeros((41, residents))
        for d in range(40):
            np.add(P[d], HT[d], out=P[d + 1])
        want = P.T[:, w.end] - P.T[:, w.start]
        got = base.day_major_sums(HT, w)
        assert np.array_equal(got, want)
        assert np.array_equal(got, base.window_sums(np.ascontiguousarray(HT.T), w))


def test_window_columns_are_the_gathers() -> None:
    tl = _timeline()
    M = np.arange(tl.n_residents * (tl.n_days + 1)).reshape(tl.n_residents, tl.n_days + 1)
    for days, p in WINDOWS:
        w = base.windows(tl, days, p)
        assert np.array_equal(w.at_start(M), M[:, w.start]) and np.array_equal(w.at_end(M), M[:, w.end])
        assert np.array_equal(w.sums(M), M[:, w.end] - M[:, w.start])
        assert np.array_equal(base.columns(M, w.start), M[:, w.start])
    for cols in ([3], [2, 3, 4], [4, 3], [1, 3, 5], [0, 1, 1]):
        c = np.array(cols)
        assert np.array_equal(base.columns(M, c), M[:, c])


def test_weekend_ranges_of_ordered_windows_are_np_unique() -> None:
    tl = _timeline(days=90)
    sat = min_free_weekends.saturdays(tl)
    for days, p in WINDOWS:
        w = base.windows(tl, days, p)
        j0, j1, which = min_free_weekends._in_windows(tl, w)
        last = np.maximum(w.end - 1, w.start)
        key = np.searchsorted(sat, w.start, side="left") * (len(sat) + 1) + np.searchsorted(sat, last, side="left")
        pairs, inv = np.unique(key, return_inverse=True)
        assert np.array_equal(j0, pairs // (len(sat) + 1)) and np.array_equal(j1, pairs % (len(sat) + 1))
        assert np.array_equal(which, inv.ravel())


def test_evenings_needed_is_the_masked_requirement() -> None:
    tl = _timeline()
    for days, p in WINDOWS:
        w = base.windows(tl, days, p)
        for q in ({"min": 1, "per": 7}, {"min": 2.5, "per": 10}):
            need = base.ceil_div(q["min"] * w.length, q["per"])[None, :].astype(np.int32)
            want = np.where(w.on > 0, need, np.int32(0))
            got = min_free_evenings.evenings_needed(w, q)
            assert got.dtype == want.dtype and np.array_equal(got, want)


def test_spellings_are_code_spellings_made_when_asked() -> None:
    s = synth.generate(8, 28, seed=4)
    cfg = parse(s.config(), path="x.toml")
    raw = s.raw()
    legend = legend_for(raw, cfg)
    tid, uniq = raw.entries.factors("text")
    counts = np.bincount(tid[tid >= 0], minlength=len(uniq))
    lazy = T.Spellings(uniq, counts, legend)
    want = code_spellings(uniq, counts, legend)
    assert dict(lazy) == want and len(lazy) == len(want) and lazy.get("nope") is None
    assert all(lazy[k] == v for k, v in want.items())


def test_legend_arrays_are_made_once_and_follow_a_changed_legend() -> None:
    s = synth.generate(8, 28, seed=4)
    cfg = parse(s.config(), path="x.toml")
    raw = s.raw()
    a = T._legend_arrays(legend_for(raw, cfg))
    assert T._legend_arrays(legend_for(raw, cfg)) is a  # a fresh dict of the same shifts
    with pytest.raises(ValueError):
        a.start[0] = 5
    legend = legend_for(raw, cfg)
    code = next(c for c, sh in legend.items() if sh.start is not None)
    import dataclasses

    legend[code] = dataclasses.replace(legend[code], start=(legend[code].start + 60) % 1440)
    b = T._legend_arrays(legend)
    assert b is not a and b.start[b.code_id[code]] == legend[code].start


def test_a_timeline_is_the_same_with_its_legend_remembered_or_not() -> None:
    s = synth.generate(10, 35, seed=9)
    cfg = parse({**s.config(), "timezone": "America/Chicago"}, path="x.toml")
    T._LEGENDS.clear()
    first = check_raw(s.raw(), cfg)
    again = check_raw(s.raw(), cfg)  # the legend's arrays and splits come from the cache
    for col in first.timeline.shifts.columns:
        assert np.array_equal(first.timeline.shifts[col], again.timeline.shifts[col])
    assert first.findings == again.findings


def test_rules_that_apply_to_everyone_share_one_read_only_mask() -> None:
    tl = _timeline(residents=5, days=28, planted=0)
    everyone = scope(tl, {})
    assert everyone is scope(tl, {}) and everyone.all() and len(everyone) == 5
    with pytest.raises(ValueError):
        everyone[0] = False
    assert scope(tl, {"pgy": [99]}).sum() == 0


def test_zone_offsets_are_kept_read_only() -> None:
    off, changing = T._day_offsets("Europe/London", 20_000, 400)
    assert T._day_offsets("Europe/London", 20_000, 400)[0] is off
    with pytest.raises(ValueError):
        off[0] = 1
    assert np.array_equal(changing, np.flatnonzero(off[1:] != off[:-1]))
    assert len(changing) == 3  # October 2024, March and October 2025


def test_flatnonzero_is_numpys() -> None:
    rng = np.random.default_rng(1)
    for shape in ((0,), (7,), (3, 5), (2, 0)):
        a = rng.random(shape) < 0.4
        assert np.array_equal(T.flatnonzero(a), np.flatnonzero(a))
    v = rng.random((6, 4)) < 0.5
    assert np.array_equal(T.flatnonzero(v[:, ::2]), np.flatnonzero(v[:, ::2]))


@pytest.mark.parametrize("seed", [2, 8])
def test_weekends_counted_by_a_window_table_match_the_running_counts(seed: int, monkeypatch) -> None:
    tl = _timeline(days=60, seed=seed)
    free = min_free_weekends.free_saturdays(tl)
    for days, p in WINDOWS:
        w = base.windows(tl, days, p)
        for q in ({"min": 1, "per": 28}, {"min": 2, "per": 14, "exclude-leave": False}):
            small, which = min_free_weekends._per_window(tl, w)
            got = (small(free)[:, which], min_free_weekends.weekend_need(tl, w, q))
            with monkeypatch.context() as m:
                m.setattr(min_free_weekends, "DENSE", -1)
                big, which_big = min_free_weekends._per_window(tl, w)
                want = (big(free)[:, which_big], min_free_weekends.weekend_need(tl, w, q))
                rule = {**q, "average-days": days, **p}
                hits = list(min_free_weekends.check(tl, rule, np.ones(tl.n_residents, bool)))
            for a, b in zip(got, want):
                assert a.dtype == b.dtype and np.array_equal(a, b), (days, p, q)
            assert hits == list(min_free_weekends.check(tl, {**q, "average-days": days, **p},
                                                        np.ones(tl.n_residents, bool)))
