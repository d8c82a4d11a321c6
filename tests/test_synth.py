"""The synthetic roster generator: compliant rosters of any shape, planted violations that undo cleanly.

Benchmarks and repair tests build on two promises checked here with the real checker: a generated
roster breaks no rule (not even a warning), and a planted roster breaks exactly what its plants
say, keeps every date's staffing, and is the generated roster again once the plants are undone.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import openpyxl
import pandas as pd
import pytest

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.model import cell_name
from tools import synth
from tools.synth import CODES, KINDS, generate, plant, undo, write_long_csv, write_xlsx


def checked(s: synth.Synth, **config: object):
    return check_raw(s.raw(), parse({**s.config(), **config}, path="synth.toml"))


def errors(result) -> set[tuple[str, str]]:
    return {(f.rule, f.resident) for f in result.findings if f.severity == "error"}


# ------------------------------------------------------------------------------ compliance
@pytest.mark.parametrize(
    ("residents", "days", "seed", "start"),
    [
        (30, 31, 0, "2026-07-01"),
        (30, 28, 1, "2026-07-01"),
        (31, 28, 2, "2026-07-01"),  # one resident over five units
        (7, 28, 3, "2026-03-02"),  # a Monday
        (13, 56, 4, "2025-12-28"),  # a Sunday: the first window holds only three full weekends
        (35, 31, 5, "2026-08-01"),  # a Saturday
        (61, 90, 6, "2026-10-25"),  # across the end of daylight saving time (no zone: naive)
        (5, 28, 7, "2026-07-01"),  # research residents only, no team
        (1, 28, 8, "2026-07-01"),
        (37, 365, 9, "2026-07-01"),
        (6, 365, 10, "2027-01-04"),
        (150, 28, 11, "2026-07-01"),
    ],
)
def test_generated_rosters_break_no_rule(residents: int, days: int, seed: int, start: str) -> None:
    s = generate(residents, days, start=start, seed=seed)
    result = checked(s)
    assert (result.errors, result.warnings) == (0, 0), result.findings[:5]
    assert s.codes.shape == (residents, days)


@pytest.mark.parametrize("seed", range(12, 20))
def test_many_seeds_of_a_program_month_break_no_rule(seed: int) -> None:
    result = checked(generate(43, 35, start="2026-07-01", seed=seed))
    assert (result.errors, result.warnings) == (0, 0), result.findings[:5]


def test_compliant_with_a_time_zone_across_daylight_saving() -> None:
    result = checked(generate(30, 70, start="2026-10-05", seed=3), timezone="America/Chicago")
    assert (result.errors, result.warnings) == (0, 0), result.findings[:5]


def test_refuses_what_it_cannot_make_compliant() -> None:
    with pytest.raises(ValueError, match="at least 28"):
        generate(30, 14)
    with pytest.raises(ValueError, match="residents"):
        generate(0, 28)
    with pytest.raises(ValueError, match="program"):
        generate(30, 28, program="surgery")


# ------------------------------------------------------------------------------ shape
def test_same_seed_same_roster_other_seed_other_roster() -> None:
    a, b = generate(45, 60, seed=5), generate(45, 60, seed=5)
    pd.testing.assert_frame_equal(a.codes, b.codes)
    pd.testing.assert_series_equal(a.pgy, b.pgy)
    pd.testing.assert_series_equal(a.team, b.team)
    c = generate(45, 60, seed=6)
    assert not a.codes.equals(c.codes)
    assert list(a.codes.index) != list(c.codes.index)


def test_frame_shape_names_levels_and_teams() -> None:
    s = generate(31, 31, start="2026-07-01", seed=0)
    assert s.codes.index.is_unique and s.codes.index.name == "Resident"
    assert list(s.codes.columns) == list(pd.date_range("2026-07-01", periods=31))
    assert set(np.unique(s.codes.to_numpy())) <= set(CODES)
    assert s.pgy.index.equals(s.codes.index) and s.team.index.equals(s.codes.index)
    assert set(s.pgy) == {1, 2, 3}
    assert s.team.value_counts().to_dict() == {
        "Ward A": 6, "Ward B": 6, "Night Float": 6, "Clinic": 6, "Elective": 6, "Research": 1,
    }
    # the sheet lists teams together: wards first
    assert list(dict.fromkeys(s.team)) == ["Ward A", "Ward B", "Night Float", "Clinic", "Elective", "Research"]
    assert {"C", "PC", "NF", "CL", "EL", "D", "OFF", "W"} <= set(np.unique(s.codes.to_numpy()))


def test_stable_daily_coverage() -> None:
    """Five units staggered by two weeks: two ward calls every day, four on night float every night."""
    s = generate(30, 365, seed=2)
    v = s.codes.to_numpy()
    assert set((v == "C").sum(axis=0)) == {2}
    assert set((v == "NF").sum(axis=0)) == {4}
    # each ward team has at most one call a day, whoever is on it
    for _, rows in s.codes.groupby(s.team):
        assert ((rows.to_numpy() == "C").sum(axis=0) <= 1).all()
    # calls are followed by a post-call day and at least four days apart
    r, d = np.nonzero(v[:, :-1] == "C")
    assert (v[r, d + 1] == "PC").all()
    for row in v:
        calls = np.flatnonzero(row == "C")
        assert (np.diff(calls) >= 4).all()


def test_wellness_every_four_weeks_and_vacation_weeks() -> None:
    s = generate(60, 365, seed=4)
    v = s.codes.to_numpy()
    for row in v:
        w = np.flatnonzero(row == "W")
        assert w[0] < 28 and (np.diff(w) <= 28).all() and w[-1] >= 365 - 28
    vac = (v == "V").sum(axis=1)
    assert (vac % 5 == 0).all() and 0.5 < vac.mean() / 5 < 5  # whole weeks, a few a year


def test_big_rosters_are_fast_enough_to_build() -> None:
    s = generate(1500, 365, seed=1)  # speed is measured in the benchmarks, not asserted here
    assert s.codes.shape == (1500, 365)
    assert s.team.nunique() == 250


# ------------------------------------------------------------------------------ raw and config
def test_raw_addresses_cells_as_the_workbook_lays_them_out() -> None:
    s = generate(12, 28, seed=0)
    raw = s.raw("july.xlsx")
    assert raw.layout == "grid" and len(raw.entries.frame()) == 12 * 28
    first = raw.entries.frame().iloc[0]
    assert (cell_name(first["cell"]), first["sheet"], first["text"]) == ("D6", "Roster", s.codes.iat[0, 0])
    assert cell_name(raw.entries.frame().iloc[-1]["cell"]) == "AE17"
    assert raw.residents[0].source.cell == "A6"
    assert (raw.residents[0].name, raw.residents[0].pgy, raw.residents[0].team) == (
        s.codes.index[0], int(s.pgy.iloc[0]), s.team.iloc[0])
    assert [row.code for row in raw.legend] == s.used_codes()


def test_config_is_a_valid_rostercheck_toml() -> None:
    cfg = parse(generate(6, 28).config(), path="x")
    assert cfg.presets == ["acgme", "wellness"]
    assert set(cfg.shifts) == {"D", "C", "PC", "NF", "CL", "EL", "OFF", "V", "W"}
    assert cfg.shifts["C"].length == 24 * 60 and cfg.shifts["NF"].kind == "night"


# ------------------------------------------------------------------------------ planting
def counts_by_date(codes: pd.DataFrame) -> list[Counter]:
    return [Counter(codes[c]) for c in codes.columns]


@pytest.mark.parametrize(
    ("residents", "days", "seed", "n"),
    [(30, 31, 0, 5), (30, 28, 1, 4), (61, 365, 2, 10), (13, 56, 3, 3), (150, 28, 4, 10)],
)
def test_plants_break_their_rules_keep_staffing_and_undo(residents: int, days: int, seed: int, n: int) -> None:
    base = generate(residents, days, seed=seed)
    planted, plants = plant(base, n, seed=seed)
    assert len(plants) == n
    # every date keeps its count of residents per code
    assert counts_by_date(planted.codes) == counts_by_date(base.codes)
    result = checked(planted)
    found = errors(result)
    assert result.errors >= n
    for p in plants:
        assert (p.rule, p.resident) in found, p
        assert p.resident in p.residents and p.dates
        # changes are swaps: on each date the codes given are the codes taken
        for date in p.dates:
            on = [c for c in p.changes if c.date == date]
            assert Counter(c.old for c in on) == Counter(c.new for c in on)
        for c in p.changes:
            assert base.codes.at[c.resident, c.date] == c.old and planted.codes.at[c.resident, c.date] == c.new
            assert c.old not in ("W", "V") and c.new not in ("W", "V")  # locked cells stay put
    cells = [(c.resident, c.date) for p in plants for c in p.changes]
    assert len(cells) == len(set(cells))
    assert len({p.resident for p in plants}) == n
    restored = undo(planted, plants)
    pd.testing.assert_frame_equal(restored.codes, base.codes)
    again = checked(restored)
    assert (again.errors, again.warnings) == (0, 0)


def test_each_kind_can_be_planted_alone() -> None:
    base = generate(30, 56, seed=6)
    for kind in KINDS:
        planted, (p,) = plant(base, 1, seed=1, kinds=[kind])
        assert p.rule == kind
        assert (kind, p.resident) in errors(checked(planted))


def test_planting_is_deterministic() -> None:
    base = generate(30, 31, seed=2)
    a, pa = plant(base, 4, seed=9)
    b, pb = plant(base, 4, seed=9)
    assert pa == pb
    pd.testing.assert_frame_equal(a.codes, b.codes)
    assert plant(base, 0, seed=1)[1] == []


def test_planting_refuses_what_it_cannot_do() -> None:
    with pytest.raises(ValueError, match="unknown plant kind"):
        plant(generate(30, 28), 1, seed=0, kinds=["golden-weekend"])
    with pytest.raises(ValueError, match="could not plant"):
        plant(generate(5, 28), 1, seed=0)  # research residents only: nobody takes call or works ward days


# ------------------------------------------------------------------------------ writing
def test_workbook_looks_like_a_chiefs_and_reads_back(tmp_path) -> None:
    s = generate(30, 31, start="2026-07-01", seed=3)
    path = write_xlsx(s, tmp_path / "july.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Roster"]
    assert ws["A1"].value == "Internal Medicine Residency - July 2026"
    assert ws["A2"].value.startswith("Version 3, updated")
    assert ws["A3"].value is None
    assert [ws.cell(4, c).value for c in (4, 5, 6)] == ["Wed", "Thu", "Fri"]
    assert [ws.cell(5, c).value for c in (1, 2, 3)] == ["Resident", "PGY", "Team"]
    assert ws["D5"].value == pd.Timestamp("2026-07-01").to_pydatetime() and ws["D5"].number_format == "m/d"
    assert ws["A6"].value == s.codes.index[0] and ws["B6"].value == f"PGY-{s.pgy.iloc[0]}"
    assert ws["D6"].value == (s.codes.iat[0, 0] or None)
    assert ws["D6"].fill.fgColor.rgb[-6:] in {"EDEDED", "DDEBF7", "F8CBAD", "B4C6E7", "E2EFDA", "FFF2CC", "C6E0B4"}
    assert ws.freeze_panes == "D6"
    assert ws.cell(6 + 30 + 1, 1).value == 'Legend: see sheet "Legend"'
    legend = [[c.value for c in row] for row in wb["Legend"].iter_rows()]
    assert legend[0] == ["Code", "Description", "Start", "End", "Kind"]
    assert ["C", "24-hour in-house call", "07:00", "07:00", "call"] in legend
    assert {row[0] for row in legend[1:]} == set(s.used_codes())
    # byte-for-byte reproducible
    again = write_xlsx(s, tmp_path / "again.xlsx")
    assert path.read_bytes() == again.read_bytes()

    read = pytest.importorskip("rostercheck.read")
    raw = read.read_roster(path)
    mine = s.raw(str(path))
    assert [r.name for r in raw.residents] == [r.name for r in mine.residents]
    assert list(raw.entries.frame()["text"].fillna("")) == list(mine.entries.frame()["text"])
    assert list(raw.entries.frame()["cell"]) == list(mine.entries.frame()["cell"])
    result = check_raw(raw, parse(s.config(), path="x"))
    assert (result.errors, result.warnings) == (0, 0)


def test_big_workbooks_are_written_plain(tmp_path) -> None:
    s = generate(synth.FILL_LIMIT + 4, 28, seed=0)
    ws = openpyxl.load_workbook(write_xlsx(s, tmp_path / "big.xlsx", legend_sheet=False))["Roster"]
    assert ws["D6"].fill.fill_type is None
    assert ws.max_row == 5 + synth.FILL_LIMIT + 4  # no footer without a legend sheet


def test_long_csv(tmp_path) -> None:
    s = generate(12, 28, seed=1)
    path = write_long_csv(s, tmp_path / "roster.csv")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(frame.columns) == ["Resident", "PGY", "Team", "Date", "Code"]
    assert len(frame) == int((s.codes != "").to_numpy().sum())
    first = frame.iloc[0]
    assert (first["Resident"], first["PGY"], first["Date"], first["Code"]) == (
        s.codes.index[0], str(s.pgy.iloc[0]), "2026-07-01", s.codes.iat[0, 0])
    read = pytest.importorskip("rostercheck.read")
    raw = read.read_roster(path)
    assert raw.layout == "long" and len(raw.residents) == 12
    result = check_raw(raw, parse(s.config(), path="x"))
    assert (result.errors, result.warnings) == (0, 0)


def test_call_frequency_plants_on_a_large_roster():
    """Regression: on 150 residents the call re-dealing handed OR-Tools' assignment solver a member with
    no code it could take, and read unset mates back (an IndexError, at times a segmentation fault)."""
    s = generate(150, 56, seed=5)
    planted, notes = plant(s, 15, seed=5)  # every kind in turn: three call-frequency plants
    assert len(notes) == 15
    result = check_raw(planted.raw("x.xlsx"), parse(planted.config(), path="x"))
    assert result.errors >= 15
    assert {f.rule for f in result.findings if f.severity == "error"} >= {"call-frequency"}
