"""Scale: the fast paths give exactly what the plain ones did, and year-long repairs are sound.

Speed itself is measured by ``benchmarks/check_bench.py``, never asserted here. These tests pin the
behaviour the speed work must keep: lazily made cell sources, time-zone conversion of distinct
minutes, integer masks over shift rows, per-interval day splits, shared windows, and the
month-by-month repair (re-checked as one roster, coverage kept, an honest bound).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
from helpers import staffing

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.legend import WORK_KINDS
from rostercheck.model import Source, cell_name
from rostercheck.repair import Settings, repair
from rostercheck.repair.decompose import (
    MIN_BLOCK_DAYS,
    SPLIT_DAYS,
    month_blocks,
    relaxation,
    should_decompose,
)
from rostercheck.repair.report import render_json, status_line
from rostercheck.rules.base import windows
from rostercheck.rules.min_free_evenings import free_evenings
from rostercheck.timeline import _EPOCH, _zone, _zone_minutes, local_to_abs
from tools import synth

#: Plant kinds that fit every generated roster (call-frequency plants need room a small one lacks).
KINDS = ["shift-length", "post-call-rest", "weekly-hours", "days-off"]


def year(residents: int = 24, days: int = 120, seed: int = 3, planted: int = 0, tz: str | None = None):
    s = synth.generate(residents, days, seed=seed)
    if planted:
        s, _ = synth.plant(s, planted, seed=seed, kinds=KINDS)
    c = s.config()
    if tz:
        c["timezone"] = tz
    cfg = parse(c, path="x.toml")
    return s, cfg


# ---------------------------------------------------------------------------- timeline fast paths
def test_cell_sources_index_like_the_list_they_replace() -> None:
    s, cfg = year(12, 40)
    prev = s.raw("june.xlsx", sheet="June")
    prev = dataclasses.replace(prev, entries=prev.entries.assign(date=prev.entries["date"] - np.timedelta64(40, "D")))
    # history: the 40 days before
    raw = s.raw("july.xlsx")
    tl = check_raw(raw, cfg, prev).timeline
    expected = [Source(r.path, sh, cell_name(c)) for r in (prev, raw)
                for sh, c in zip(r.entries.frame()["sheet"], r.entries.frame()["cell"])]
    assert len(tl.cells) == len(expected)
    assert [tl.cells[i] for i in range(len(expected))] == expected
    assert tl.cells[-1] == expected[-1] and tl.cells[5:9] == expected[5:9]
    assert list(tl.cells)[:3] == expected[:3]
    with pytest.raises(IndexError):
        tl.cells[len(expected)]


@pytest.mark.parametrize("tz", ["America/Chicago", "Europe/London", "Australia/Lord_Howe"])
def test_time_zone_conversion_of_distinct_minutes_matches_pandas(tz: str) -> None:
    rng = np.random.default_rng(1)
    days = pd.date_range("2026-01-01", "2027-12-31", freq="D").values.astype("datetime64[m]").astype(np.int64)
    minutes = (np.repeat(days, 8) + rng.choice([0, 60, 90, 120, 150, 180, 420, 1140], size=8 * len(days)))
    assert len(minutes) > 4096  # the look-up-table path
    assert np.array_equal(local_to_abs(minutes.astype("datetime64[m]"), tz), _zone_minutes(minutes, tz))


@pytest.mark.parametrize("tz", [None, "America/Chicago", "Europe/London"])
def test_iso_matches_datetime_formatting(tz: str | None) -> None:
    _, cfg = year(6, 365, tz=tz)
    tl = check_raw(synth.generate(6, 365, seed=3).raw(), cfg).timeline
    probes = [int(m) + k for m in tl.day_start[::3] for k in (-61, -1, 0, 59, 120, 179, 1439)]
    probes += [int(tl.day_start[0]) - 5000, int(tl.day_start[-1]) + 5000]
    for m in probes:
        t = dt.datetime.fromtimestamp(m * 60, _zone(tz)) if tz else _EPOCH + dt.timedelta(minutes=m)
        assert tl.iso(m) == t.strftime("%Y-%m-%dT%H:%M")
    assert [tl.date_of(d) for d in range(tl.n_days)] == np.datetime_as_string(tl.days, unit="D").tolist()


def _multi_code_timeline():
    s, cfg = year(18, 60, seed=5, planted=3)
    codes = s.codes.copy()
    codes.iloc[0, 2] = "CL/W"  # a cell with two codes
    codes.iloc[1, 3] = "D/D"  # the same code twice in a cell
    codes.iloc[2, 4] = "C/NF"
    return check_raw(s.with_codes(codes).raw(), cfg).timeline


def test_shift_masks_and_counts_match_string_comparisons() -> None:
    tl = _multi_code_timeline()
    s = tl.shifts.frame()
    for kinds, codes in ((["call"], []), (list(WORK_KINDS), []), ([], ["W", "CL"]), (["night"], ["W"]), ([], ["X"])):
        mask = np.zeros(len(s), dtype=bool)
        if kinds:
            mask |= s["kind"].isin(kinds).to_numpy()
        if codes:
            mask |= s["code"].isin(codes).to_numpy()
        assert np.array_equal(tl.shift_mask(kinds, codes), mask)
        expected = np.zeros((tl.n_residents, tl.n_days), dtype=np.int64)
        sel = s[mask].drop_duplicates(["resident", "day", "code"])
        np.add.at(expected, (sel["resident"].to_numpy(), sel["day"].to_numpy()), 1)
        assert np.array_equal(tl.count_by_day(kinds, codes), expected)
    assert tl.cells_in_days(0, 0, tl.n_days, codes=["W"]) == sorted(
        set(s[(s["resident"] == 0) & (s["code"] == "W")]["cell"].tolist()))


def test_hours_by_day_split_every_interval_at_midnight() -> None:
    s, cfg = year(12, 60, seed=2, planted=2, tz="America/Chicago")
    tl = check_raw(s.raw(), cfg).timeline
    expected = np.zeros((tl.n_residents, tl.n_days))
    u = tl.work
    for r, a, b in zip(u.resident.tolist(), u.start.tolist(), u.end.tolist()):
        for d in range(tl.n_days):
            lo, hi = max(a, int(tl.day_start[d])), min(b, int(tl.day_start[d + 1]))
            if hi > lo:
                expected[r, d] += (hi - lo) / 60
    assert np.allclose(tl.hours_by_day(), expected)


@pytest.mark.parametrize("evening", [(1080, 1380), (0, 60), (420, 1439)])
def test_free_evenings_match_an_overlap_query_per_evening(evening: tuple[int, int]) -> None:
    s, cfg = year(12, 60, seed=4, planted=2, tz="Europe/London")
    tl = check_raw(s.raw(), cfg).timeline
    base = tl.days.astype("datetime64[m]")
    es = local_to_abs(base + np.timedelta64(evening[0], "m"), tl.tz)
    ee = local_to_abs(base + np.timedelta64(evening[1], "m"), tl.tz)
    R, D = tl.n_residents, tl.n_days
    r = np.repeat(np.arange(R, dtype=np.int64), D)
    expected = ~tl.work.overlaps(r, np.tile(es, R), np.tile(ee, R)).reshape(R, D)
    assert np.array_equal(free_evenings(tl, evening), expected)  # an evening on leave is free
    assert np.array_equal(free_evenings(tl, evening, leave=False), expected & ~tl.leave)


def test_windows_are_made_once_and_cannot_be_changed() -> None:
    s, cfg = year(6, 60)
    tl = check_raw(s.raw(), cfg).timeline
    a = windows(tl, 28, {"window": "rolling"})
    assert windows(tl, 28, {}) is a
    assert windows(tl, 7, {}) is not a
    with pytest.raises(ValueError):
        a.on[0, 0] = 99


def test_a_year_of_planted_violations_is_found() -> None:
    base = synth.generate(60, 365, seed=2)
    planted, plants = synth.plant(base, 8, seed=2, kinds=KINDS)
    cfg = parse(planted.config(), path="x.toml")
    assert check_raw(base.raw(), cfg).errors == 0
    found = {(f.rule, f.resident) for f in check_raw(planted.raw(), cfg).findings if f.severity == "error"}
    assert {(p.rule, p.resident) for p in plants} <= found


# ---------------------------------------------------------------------------- month by month
def test_months_become_blocks_and_short_ones_join_a_neighbour() -> None:
    s = synth.generate(6, 120, seed=1, start="2026-07-20")
    blocks = month_blocks(s.raw())
    # July 20-31 joins August; November 1-16 joins October
    assert [b.label for b in blocks] == ["2026-07..2026-08", "2026-09", "2026-10..2026-11"]
    assert [b.days for b in blocks] == [12 + 31, 30, 31 + 16]
    assert all(b.days >= MIN_BLOCK_DAYS for b in blocks)
    covered = np.sort(np.concatenate([b.entries for b in blocks]))
    assert np.array_equal(covered, np.arange(len(s.raw().entries.frame())))


def test_only_rosters_over_two_months_are_split() -> None:
    assert not should_decompose(synth.generate(6, SPLIT_DAYS, seed=1).raw())
    assert should_decompose(synth.generate(6, SPLIT_DAYS + 1, seed=1).raw())


def test_the_bound_is_claimed_only_where_months_alone_are_relaxations() -> None:
    cfg = parse(synth.generate(6, 28).config(), path="x")
    assert relaxation(cfg, 28) is None
    longer = parse({**synth.generate(6, 28).config(), "rules": {"weekly-hours": {"average-days": 56}}}, path="x")
    assert "56 days" in relaxation(longer, 28)
    blocks = parse({**synth.generate(6, 28).config(), "rules": {"weekly-hours": {"window": "block"}}}, path="x")
    assert "fixed blocks" in relaxation(blocks, 28)


def test_a_long_roster_is_repaired_month_by_month_and_checked_as_one() -> None:
    base = synth.generate(24, 90, seed=6)
    planted, plants = synth.plant(base, 3, seed=6, kinds=KINDS)
    cfg = parse(planted.config(), path="x.toml")
    raw = planted.raw("year.xlsx")
    res = repair(raw, cfg, Settings(time_limit=20, seed=1))  # seeded: one thread per group (see decompose)
    o = res.outcome
    dec = o.model_stats["decomposition"]
    assert res.after is not None and res.after.errors == 0, [f.message for f in res.after.findings]
    assert check_raw(res.repaired, cfg).errors == 0  # the oracle, once more from scratch
    assert staffing(res.repaired, cfg) == staffing(raw, cfg)  # every date keeps its staffing
    # the change list is exactly the difference between the rosters
    old = raw.entries.frame()["text"].tolist()
    new = res.repaired.entries["text"].tolist()
    assert sorted(c.row for c in o.changes) == [i for i, (a, b) in enumerate(zip(old, new)) if a != b]
    assert all(old[c.row] == c.old and new[c.row] == c.new for c in o.changes)
    assert o.objective == len(o.changes) <= sum(len(p.changes) for p in plants) * 2
    # an honest bound: valid (never above the answer), and "optimal" only when met
    assert dec["lower_bound_is_valid"] and o.bound is not None and o.bound <= o.objective
    assert dec["lower_bound"] >= 1 and (o.status == "optimal") == (o.objective == dec["lower_bound"])
    assert dec["gap"] == o.objective - dec["lower_bound"]
    assert o.status in ("optimal", "feasible")
    if o.status == "feasible":
        assert "lower bound" in status_line(res) and "month by month" in status_line(res)
    assert render_json(res, None)  # the JSON report renders decomposed results too


def test_a_compliant_long_roster_comes_back_unchanged() -> None:
    s, cfg = year(18, 90, seed=8)
    res = repair(s.raw(), cfg, Settings(time_limit=10))
    assert res.outcome.status == "optimal" and res.outcome.changes == [] and res.after.errors == 0
    assert status_line(res).startswith("0 changes")


def test_short_rosters_keep_the_single_model() -> None:
    base = synth.generate(18, 28, seed=4)
    planted, _ = synth.plant(base, 1, seed=4, kinds=KINDS)
    cfg = parse(planted.config(), path="x.toml")
    res = repair(planted.raw(), cfg, Settings(time_limit=20, seed=1))
    assert "decomposition" not in res.outcome.model_stats
    assert res.outcome.status == "optimal" and res.after.errors == 0
