"""Repair: the checker is the oracle for everything the solver proposes.

Tiny rosters are made in code; where the solver says "optimal", a brute-force search over every
roster the model could choose (same domains, same coverage) with fewer changes is run through the
checker, and none may pass.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from helpers import raw_roster, staffing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rostercheck.check import check_raw, legend_for
from rostercheck.config import parse
from rostercheck.legend import BUSY_KINDS, split_codes
from rostercheck.repair import Settings, repair

ACGME = parse({}, path="test.toml")


def cycle_roster(n: int, days: int, cycle: list[str], swaps: list[tuple[int, int, int]] = ()) -> dict[str, list[str]]:
    """Residents each on ``cycle`` shifted by one day; then swap (day, a, b) codes between residents."""
    rows = {f"R{i + 1}": [cycle[(d + i) % len(cycle)] for d in range(days)] for i in range(n)}
    names = list(rows)
    for d, a, b in swaps:
        rows[names[a]][d], rows[names[b]][d] = rows[names[b]][d], rows[names[a]][d]
    return rows


def assert_sound(raw, res, locked: set[tuple[str, str]] = frozenset()) -> None:
    """The repaired roster passes check, keeps coverage, and touched no leave, wellness or lock."""
    assert res.after is not None
    assert res.after.errors == 0, [f.message for f in res.after.findings]
    assert staffing(res.repaired, ACGME) == staffing(raw, ACGME)
    legend = legend_for(raw, ACGME)
    for ch in res.outcome.changes:
        assert (ch.resident, ch.date) not in locked
        for text in (ch.old, ch.new):
            kinds = {legend[c].kind for c in split_codes(text, legend) or []}
            assert not kinds & {"leave", "wellness"}, ch


def fewer_changes_exist(raw, k: int, cfg=ACGME) -> bool:
    """Is there a roster with fewer than k changes, same coverage, same domains, that passes check?

    Enumerates day by day the coverage-keeping assignments of the options in use (everyone here is
    one team and PGY, so every resident may take every non-leave option in the roster).
    """
    legend = legend_for(raw, cfg)
    e = raw.entries.frame()
    texts = sorted(set(e["text"]))
    protected = {t for t in texts if {legend[c].kind for c in split_codes(t, legend) or []} & {"leave", "wellness"}}
    options = [t for t in texts if t not in protected]

    def key(t: str) -> Counter:
        return Counter(c for c in split_codes(t, legend) or [] if legend[c].kind in BUSY_KINDS)

    per_day = []
    for _, day in e.groupby("date", sort=True):
        idx = day.index.tolist()
        orig = day["text"].tolist()
        want = sum((key(t) for t in orig), Counter())
        choices = []
        free = [i for i, t in zip(idx, orig) if t not in protected]
        for combo in itertools.product(options, repeat=len(free)):
            new = dict(zip(free, combo))
            texts_day = [new.get(i, t) for i, t in zip(idx, orig)]
            if sum((key(t) for t in texts_day), Counter()) != want:
                continue
            dist = sum(a != b for a, b in zip(texts_day, orig))
            if dist < k:
                choices.append((dist, new))
        per_day.append(sorted(choices, key=lambda c: c[0]))

    def search(i: int, budget: int, acc: dict) -> bool:
        if i == len(per_day):
            if not acc:
                return False
            e2 = e.copy()
            for row, t in acc.items():
                e2.at[row, "text"] = t
            r2 = type(raw)(raw.path, raw.residents, e2, raw.layout, raw.sheets)
            return check_raw(r2, cfg).errors == 0
        for dist, new in per_day[i]:
            if dist > budget:
                break
            if search(i + 1, budget - dist, {**acc, **{r: t for r, t in new.items() if t != e.at[r, 'text']}}):
                return True
        return False

    return search(0, k - 1, {})


# --------------------------------------------------------------------------------------- basics
CYCLE = ["C", "PC", "D", "OFF"]


def test_compliant_roster_needs_no_change():
    raw = raw_roster(cycle_roster(4, 14, CYCLE))
    assert check_raw(raw, ACGME).errors == 0
    res = repair(raw, ACGME, Settings(time_limit=10))
    assert res.outcome.status == "optimal" and res.outcome.changes == []
    assert res.after.errors == 0


def test_planted_swap_is_undone_with_two_changes():
    raw = raw_roster(cycle_roster(4, 14, CYCLE, swaps=[(5, 0, 1)]))
    assert check_raw(raw, ACGME).errors > 0
    res = repair(raw, ACGME, Settings(time_limit=10))
    assert res.outcome.status == "optimal"
    assert res.outcome.objective == 2 and len(res.outcome.changes) == 2
    assert_sound(raw, res)


def test_locks_are_respected_and_leave_never_moves():
    rows = cycle_roster(4, 14, CYCLE, swaps=[(5, 0, 1)])
    rows["R3"][8] = "V"  # leave on a day R3 had D... coverage of D that day drops, kept as is
    raw = raw_roster(rows)
    lock = ("R1", "2026-07-06")
    res = repair(raw, ACGME, Settings(time_limit=10, locks=[f"{lock[0]}:{lock[1]}"]))
    assert res.outcome.status in ("optimal", "infeasible")
    if res.outcome.status == "optimal":
        assert_sound(raw, res, locked={lock})


def test_same_seed_same_answer():
    raw = raw_roster(cycle_roster(5, 21, ["C", "PC", "D", "OFF", "D"], swaps=[(4, 0, 2), (9, 1, 3)]))
    a = repair(raw, ACGME, Settings(time_limit=10, seed=7, workers=2))
    b = repair(raw, ACGME, Settings(time_limit=10, seed=7, workers=2))
    assert [c.as_dict() for c in a.outcome.changes] == [c.as_dict() for c in b.outcome.changes]


def test_max_changes_refuses_bigger_answers():
    raw = raw_roster(cycle_roster(4, 14, CYCLE, swaps=[(5, 0, 1)]))
    res = repair(raw, ACGME, Settings(time_limit=10, max_changes=1))
    assert res.outcome.status == "infeasible"


def test_infeasible_roster_is_explained_in_words():
    # every resident is on call on the same day and on D after it: coverage forces a 36 h period
    raw = raw_roster({"A": "C D - - - - -", "B": "C D - - - - -", "C": "C D - - - - -"})
    res = repair(raw, ACGME, Settings(time_limit=10))
    assert res.outcome.status == "infeasible"
    text = " ".join(res.outcome.explanation)
    assert "No compliant roster" in text and "2026-07-0" in text
    assert "shift-length" in text or "post-call-rest" in text


def test_leave_is_named_in_a_coverage_explanation():
    # call must stay covered on 07-07, but the two others are on leave and A had call on 07-06
    raw = raw_roster({
        "A": "D OFF D D OFF C C OFF D D OFF D D OFF",
        "B": "D D OFF D D V V D OFF D D OFF D D",
        "C": "OFF D D OFF D V V D D OFF D D OFF D",
    })
    res = repair(raw, ACGME, Settings(time_limit=10))
    assert res.outcome.status == "infeasible"
    text = " ".join(res.outcome.explanation)
    # both call days bind (A cannot take two calls in a row): the sentence spans them
    assert "to 2026-07-07, C needs 1 resident a day" in text
    assert "2 on leave (B, C)" in text


def test_allow_remaining_returns_the_best_partial_roster():
    raw = raw_roster({"A": "C D - - - - -", "B": "C D - - - - -", "C": "C D - - - - -"})
    res = repair(raw, ACGME, Settings(time_limit=10, allow_remaining=True))
    assert res.outcome.status in ("optimal", "feasible")
    assert res.after is not None and res.after.errors > 0
    assert res.outcome.remaining_groups


# ------------------------------------------------------------------------- brute-force minimality
@pytest.mark.parametrize("swaps", [[(2, 0, 1)], [(3, 1, 2)], [(1, 0, 2)], [(4, 0, 1), (1, 1, 2)]])
def test_optimal_agrees_with_brute_force(swaps):
    raw = raw_roster(cycle_roster(3, 6, ["C", "PC", "OFF"], swaps=swaps))
    res = repair(raw, ACGME, Settings(time_limit=10, workers=1))
    assert res.outcome.status == "optimal"
    assert_sound(raw, res)
    assert not fewer_changes_exist(raw, res.outcome.objective)


CODES = ["C", "PC", "D", "OFF", ""]


@st.composite
def tiny_rosters(draw):
    n = draw(st.integers(3, 4))
    days = draw(st.integers(4, 6))
    base = cycle_roster(n, days, draw(st.sampled_from([["C", "PC", "OFF"], ["C", "PC", "D", "OFF"],
                                                        ["D", "D", "OFF"], ["N", "N", "OFF", "OFF"]])))
    rnd = random.Random(draw(st.integers(0, 10_000)))
    for _ in range(draw(st.integers(1, 2))):
        d = rnd.randrange(days)
        a, b = rnd.sample(range(n), 2)
        names = list(base)
        base[names[a]][d], base[names[b]][d] = base[names[b]][d], base[names[a]][d]
    if draw(st.booleans()):
        names = list(base)
        base[names[rnd.randrange(n)]][rnd.randrange(days)] = rnd.choice(CODES)
    return base


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_rosters(), st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), max_size=2))
def test_property_repairs_pass_check_and_are_minimal(rows, lock_at):
    raw = raw_roster(rows)
    names = list(rows)
    n_days = len(next(iter(rows.values())))
    locked = {(names[r % len(names)], f"2026-07-{(d % n_days) + 1:02d}") for r, d in lock_at}
    res = repair(raw, ACGME, Settings(time_limit=10, workers=1, seed=1, locks=[f"{n}:{d}" for n, d in locked]))
    if res.outcome.status == "infeasible":
        assert res.outcome.explanation
        return
    assert res.outcome.status == "optimal"
    assert_sound(raw, res, locked=locked)
    if res.outcome.objective <= 3 and not locked:
        assert not fewer_changes_exist(raw, res.outcome.objective)


def test_progress_line_reports_best_and_bound():
    lines: list[str] = []
    raw = raw_roster(cycle_roster(4, 14, CYCLE, swaps=[(5, 0, 1)]))
    repair(raw, ACGME, Settings(time_limit=10, workers=1), progress=lines.append)
    solving = [ln for ln in lines if not ln.startswith("building the model")]
    assert any(ln.startswith("building the model") for ln in lines)  # building shows too
    assert solving and all("best" in ln and "bound" in ln for ln in solving)


def test_repair_uses_the_checker_as_oracle_on_generated_rosters():
    from tools.synth import generate, plant

    for seed in range(3):
        base = generate(18, 28, seed=seed)
        planted, plants = plant(base, 3, seed=seed)
        cfg = parse(planted.config(), path="synth.toml")
        raw = planted.raw()
        assert check_raw(raw, cfg).errors > 0
        res = repair(raw, cfg, Settings(time_limit=20, workers=2, seed=seed))
        assert res.outcome.status == "optimal"
        assert res.after.errors == 0
        assert res.outcome.objective <= sum(len(p.changes) for p in plants)
        assert staffing(res.repaired, cfg) == staffing(raw, cfg)


def test_apply_changes_never_touches_the_original():
    raw = raw_roster(cycle_roster(4, 14, CYCLE, swaps=[(5, 0, 1)]))
    before = raw.entries.frame().copy()
    res = repair(raw, ACGME, Settings(time_limit=10))
    assert raw.entries.frame().equals(before)
    assert res.repaired is not raw and not res.repaired.entries.frame().equals(before)
