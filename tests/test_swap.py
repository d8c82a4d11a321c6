"""swap: a trade is checked before it is approved; suggested partners pass the checker.

The checker is the oracle throughout: a trade's findings are the full check of the traded roster,
the incremental two-resident check must find exactly what the full check finds for those two, and
every suggestion, written with ``swap -o`` and read back, must introduce no error.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import raw_roster, staffing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from workbooks import days, make_xlsx

from rostercheck.check import across_residents, check_raw, check_residents, legend_for
from rostercheck.cli import main
from rostercheck.config import parse
from rostercheck.diff import unmatched
from rostercheck.legend import split_codes
from rostercheck.model import RawRoster
from rostercheck.pipeline import load_config, read_with
from rostercheck.repair import Settings
from rostercheck.swap import exchange, suggest, trade, write_trade

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "im": ROOT / "sample_rosters/internal-medicine/july-2026.xlsx",
    "im-ok": ROOT / "sample_rosters/internal-medicine/july-2026-compliant.xlsx",
    "fm": ROOT / "sample_rosters/family-medicine/block-3.xlsx",
    "nf": ROOT / "sample_rosters/night-float/august-2026.csv",
}
_LOADED: dict[str, tuple] = {}


def sample(key: str) -> tuple:
    """(path, config, read roster), read once per test session."""
    if key not in _LOADED:
        path = str(SAMPLES[key])
        cfg = load_config(path, {})
        _LOADED[key] = (path, cfg, read_with(path, cfg))
    return _LOADED[key]


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


# Ann Lee has a 24 h call on 07-01 and is off on 07-02; Ben Ito works a night on 07-02. Trading
# 07-02 puts Ann on a 19:00 night twelve hours after her call: post-call rest is broken.
TRADE_ROWS = {"Ann Lee": "C OFF OFF D OFF D D", "Ben Ito": "D NF OFF OFF D D OFF", "Cara Diaz": "D D OFF D D OFF D"}


def grid(path: Path, rows: dict[str, str]) -> Path:
    body = [[name, 1, *codes.split()] for name, codes in rows.items()]
    return make_xlsx(path, {"Roster": [["Resident", "PGY", *days(7)], *body]})


def test_trade_that_breaks_post_call_rest_is_refused_with_the_finding_named(tmp_path: Path) -> None:
    roster = grid(tmp_path / "week.xlsx", TRADE_ROWS)
    before = roster.read_bytes()
    code, out, _ = run("swap", str(roster), "Ann Lee", "Ben Ito", "2026-07-02")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "trade: Ann Lee <-> Ben Ito on 2026-07-02"
    assert [ln.split() for ln in lines[2:4]] == [["Ann", "Lee", "2026-07-02", "OFF", "->", "NF", "Roster!D2"],
                                                 ["Ben", "Ito", "2026-07-02", "NF", "->", "OFF", "Roster!D3"]]
    assert any("post-call-rest" in ln and "Ann Lee" in ln and ln.split()[0] == "error" for ln in lines)
    assert lines[-1].startswith("this trade adds 1 violation for Ann Lee (1 error)")
    code, out, _ = run("swap", str(roster), "Ann Lee", "Ben Ito", "2026-07-02", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False
    assert [(f["rule"], f["resident"], f["severity"]) for f in doc["introduced"]] == [
        ("post-call-rest", "Ann Lee", "error")]
    assert doc["fixed"] == []
    fields = ("resident", "date", "slot", "old", "new", "sheet", "cell")
    assert [tuple(c[k] for k in fields) for c in doc["changes"]] == [
        ("Ann Lee", "2026-07-02", "", "OFF", "NF", "Roster", "D2"),
        ("Ben Ito", "2026-07-02", "", "NF", "OFF", "Roster", "D3")]
    assert roster.read_bytes() == before  # the input is never written


def test_a_compliant_trade_exits_0_and_writes_the_traded_copy(tmp_path: Path) -> None:
    roster = grid(tmp_path / "week.xlsx", TRADE_ROWS)
    out_path = tmp_path / "traded.xlsx"
    code, out, err = run("swap", str(roster), "Cara Diaz", "Ben Ito", "2026-07-02", "2026-07-03", "-o", str(out_path))
    assert code == 0, out
    assert out.splitlines()[-1] == "this trade adds no violations and fixes none"
    assert f"wrote {out_path}" in err
    ws = openpyxl.load_workbook(out_path)["Roster"]
    assert [ws["D3"].value, ws["E3"].value, ws["D4"].value, ws["E4"].value] == ["D", "OFF", "NF", "OFF"]
    assert ws["D4"].comment.text == "rostercheck swap: was D" and ws["D4"].fill.fgColor.rgb.endswith("FFF2CC")
    assert ws["B2"].comment is None and ws["D2"].value == "OFF"  # untouched cells stay as they were
    assert run("check", str(out_path))[0] == run("check", str(roster))[0] == 0


def test_strict_fails_on_new_warnings(tmp_path: Path) -> None:
    roster = grid(tmp_path / "week.xlsx", TRADE_ROWS)
    (tmp_path / "rostercheck.toml").write_text('[rules.post-call-rest]\nseverity = "warning"\n')
    assert run("swap", str(roster), "Ann Lee", "Ben Ito", "2026-07-02")[0] == 0
    code, out, _ = run("swap", str(roster), "Ann Lee", "Ben Ito", "2026-07-02", "--strict", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["ok"] is False and {f["severity"] for f in doc["introduced"]} == {"warning"}


def test_bad_names_and_dates_exit_2_with_the_nearest_name_and_the_range(tmp_path: Path) -> None:
    roster = str(grid(tmp_path / "week.xlsx", TRADE_ROWS))
    code, _, err = run("swap", roster, "Ann Lee", "Ben Itoh", "2026-07-02")
    assert code == 2 and "no resident 'Ben Itoh'" in err and "nearest: 'Ben Ito'" in err and len(err.splitlines()) == 1
    code, _, err = run("swap", roster, "Ann Lee", "Ben Ito", "2026-08-02")
    assert code == 2 and "2026-08-02 is not a date of the roster (2026-07-01 to 2026-07-07)" in err
    code, _, err = run("swap", roster, "Ann Lee", "Ben Ito", "July 2")
    assert code == 2 and "expected a date like 2026-07-01" in err
    assert run("swap", roster, "Ann Lee", "Ann Lee", "2026-07-02")[0] == 2
    assert run("swap", roster, "Ann Lee", "2026-07-02")[0] == 2  # a trade needs two residents
    assert run("swap", roster, "Ann Lee", "Ben Ito", "2026-07-02", "--suggest")[0] == 2
    code, _, err = run("swap", roster, "Ann Lee", "Ben Ito", "2026-07-02", "-o", roster)
    assert code == 2 and "never overwrites an input" in err


def test_moving_leave_or_an_ineligible_code_is_noted(tmp_path: Path) -> None:
    rows = {"Ann Lee": "V V D D OFF D D", "Ben Ito": "D D OFF OFF D D OFF"}
    raw = raw_roster(rows, pgy={"Ann Lee": 1, "Ben Ito": 2})
    t = trade(raw, parse({}, path="t"), "Ann Lee", "Ben Ito", ["2026-07-01"])
    assert any("Ann Lee's V on 2026-07-01 is leave" in n for n in t.notes)


# ------------------------------------------------------------------------------ incremental == full
def _findings(fs: list) -> list:
    return sorted((f.rule, f.resident, f.start, f.end, f.value, f.message) for f in fs)


def _shifted(raw: RawRoster, days_back: int) -> RawRoster:
    """The same roster moved back in time: a previous month to use as history."""
    e = raw.entries.frame().copy()
    e["date"] = pd.to_datetime(e["date"]) - pd.Timedelta(days=days_back)
    return RawRoster(raw.path + ".previous", raw.residents, e, raw.layout, raw.sheets, raw.legend)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(["im", "fm", "nf"]), data=st.data(), history=st.booleans())
def test_two_resident_check_finds_what_the_full_check_finds(key: str, data: st.DataObject, history: bool) -> None:
    _path, cfg, raw = sample(key)
    R = len(raw.residents)
    a = data.draw(st.integers(0, R - 1))
    b = data.draw(st.integers(0, R - 1).filter(lambda x: x != a))
    lo, hi = pd.to_datetime(raw.entries.frame()["date"]).min(), pd.to_datetime(raw.entries.frame()["date"]).max()
    n = (hi - lo).days + 1
    picks = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=3, unique=True))
    traded, _ = exchange(raw, a, b, [lo + pd.Timedelta(days=k) for k in picks])
    previous = _shifted(raw, n) if history else None
    full = check_raw(traded, cfg, previous)
    names = {raw.residents[a].name, raw.residents[b].name}
    per_resident = {rc.id for rc in cfg.rules if not across_residents(rc)}
    want = [f for f in full.findings if f.resident in names and f.rule in per_resident]
    got = check_residents(traded, cfg, sorted([a, b]), previous).findings
    assert _findings(got) == _findings(want)
    assert {f.resident for f in got} <= names


# ------------------------------------------------------------------------------ suggestions
def _protected(raw: RawRoster, cfg, text: str) -> bool:
    legend = legend_for(raw, cfg)
    return any(legend[c].kind in ("leave", "wellness") for c in split_codes(text, legend) or [])


def _held_by_peers(raw: RawRoster, cfg) -> dict[tuple, set]:
    """Codes someone of each (team, PGY) holds: what a resident may receive by default."""
    legend = legend_for(raw, cfg)
    out: dict[tuple, set] = {}
    for r, text in zip(raw.entries.frame()["resident"], raw.entries.frame()["text"]):
        who = raw.residents[int(r)]
        out.setdefault((who.team or "", who.pgy), set()).add(tuple(sorted(set(split_codes(text, legend) or []))))
    return out


def _assert_sound(key: str, name: str, date: str, found, cfg, raw, written: bool = False) -> None:
    """Each suggestion: no new error on the whole roster, coverage kept, nothing protected moved,
    every code received one the resident may take, and the payback gives back the code given;
    ``written``: also written as ``swap -o`` writes it, and the file read back and checked."""
    before = check_raw(raw, cfg)
    a = next(i for i, r in enumerate(raw.residents) if r.name == name)
    held = _held_by_peers(raw, cfg)
    legend = legend_for(raw, cfg)
    keys = [x.rank for x in found.suggestions]
    assert keys == sorted(keys)  # best first
    for x in found.suggestions:
        assert x.dates[0] == date
        b = next(i for i, r in enumerate(raw.residents) if r.name == x.partner)
        traded, _ = exchange(raw, a, b, [pd.Timestamp(d) for d in x.dates])
        after = check_raw(traded, cfg)
        new = unmatched(after.findings, before.findings)
        assert not [f for f in new if f.severity == "error"], (key, name, date, x.partner, x.dates)
        assert _findings(new) == _findings(x.introduced)
        assert staffing(traded, cfg) == staffing(raw, cfg)  # every date keeps its coverage
        for c in x.changes:
            assert not _protected(raw, cfg, c.old) and not _protected(raw, cfg, c.new)
            who = next(r for r in raw.residents if r.name == c.resident)
            assert tuple(sorted(set(split_codes(c.new, legend) or []))) in held[(who.team or "", who.pgy)]
        if len(x.dates) == 2:
            given_away = [c.old for c in x.changes if c.resident == name and c.date == x.dates[0]]
            taken_back = [c.new for c in x.changes if c.resident == name and c.date == x.dates[1]]
            assert Counter(given_away) == Counter(taken_back)
        if written:  # applied as `swap -o` applies it: the written file, read back by the checker
            t = trade(raw, cfg, name, x.partner, x.dates)
            with tempfile.TemporaryDirectory() as tmp:
                target = str(Path(tmp) / f"traded{Path(raw.path).suffix}")
                write_trade(t, raw.path, target, cfg)
                copy = read_with(target, cfg)
                again = unmatched(check_raw(copy, cfg).findings, before.findings)
                assert not [f for f in again if f.severity == "error"], (key, name, date, x.partner, x.dates)
                assert staffing(copy, cfg) == staffing(raw, cfg)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(["im", "fm", "nf", "im-ok"]), data=st.data())
def test_every_suggestion_on_the_samples_written_with_swap_o_passes_check(key: str, data: st.DataObject) -> None:
    _path, cfg, raw = sample(key)
    r = data.draw(st.integers(0, len(raw.residents) - 1))
    lo = pd.to_datetime(raw.entries.frame()["date"]).min()
    n = pd.to_datetime(raw.entries.frame()["date"]).nunique()
    date = (lo + pd.Timedelta(days=data.draw(st.integers(0, n - 1)))).date().isoformat()
    name = raw.residents[r].name
    found = suggest(raw, cfg, name, date, limit=2)
    assert found.rejected_by_full_check == 0  # the two-resident screen never let an error through
    _assert_sound(key, name, date, found, cfg, raw, written=True)


@pytest.mark.parametrize(("key", "name", "date"), [("im", "Ana Reyes", "2026-07-01"),
                                                    ("im-ok", "Yusuf Garcia", "2026-07-14"),
                                                    ("nf", "Owen Fraser", "2026-08-03")])
def test_suggestions_written_with_swap_o_pass_check(tmp_path: Path, key: str, name: str, date: str) -> None:
    path, cfg, raw = sample(key)
    code, out, _ = run("swap", path, name, date, "--suggest", "--limit", "3", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["suggestions"], out
    paybacks = 0
    for i, x in enumerate(doc["suggestions"]):
        paybacks += len(x["dates"]) == 2
        target = tmp_path / f"traded-{i}{Path(path).suffix}"
        code, _, err = run("swap", path, name, x["partner"], *x["dates"], "-o", str(target), "--config",
                           str(Path(path).parent / "rostercheck.toml"))
        assert code == 0, err
        # the written copy, read back by the checker: no error the roster did not have already
        after = check_raw(read_with(str(target), cfg), cfg)
        new = unmatched(after.findings, check_raw(raw, cfg).findings)
        assert [f for f in new if f.severity == "error"] == []
        assert staffing(read_with(str(target), cfg), cfg) == staffing(raw, cfg)
        if key == "im-ok":  # a compliant roster stays compliant
            assert run("check", str(target), "--config", str(Path(path).parent / "rostercheck.toml"))[0] == 0
    assert key != "im-ok" or paybacks  # payback trades are among those written


def test_payback_suggestions_keep_coverage_and_give_the_code_back() -> None:
    _path, cfg, raw = sample("im-ok")
    found = suggest(raw, cfg, "Yusuf Garcia", "2026-07-14", limit=50)
    paybacks = [x for x in found.suggestions if len(x.dates) == 2]
    assert paybacks and len(paybacks) < len(found.suggestions) + 1
    _assert_sound("im-ok", "Yusuf Garcia", "2026-07-14", found, cfg, raw)
    for x in paybacks:
        assert x.fairness["residents"][0]["nights"] == 0  # the night given away comes back


def test_suggest_respects_locks_leave_and_eligibility() -> None:
    _path, cfg, raw = sample("im")
    free = suggest(raw, cfg, "Ana Reyes", "2026-07-01", limit=50)
    partners = {x.partner for x in free.suggestions if len(x.dates) == 1}
    assert partners
    victim = sorted(partners)[0]
    locked = suggest(raw, cfg, "Ana Reyes", "2026-07-01", limit=50,
                     settings=Settings(locks=[f"{victim}:2026-07-01"]))
    assert victim not in {x.partner for x in locked.suggestions if len(x.dates) == 1}
    assert suggest(raw, cfg, "Ana Reyes", "2026-07-01", limit=50,
                   settings=Settings(lock_residents=["Ana Reyes"])).note.endswith("locked; repair never changes it")
    # a vacation day is not given away
    leave = suggest(raw, cfg, "Ibrahim Andersen", "2026-07-06")
    assert leave.suggestions == [] and "is leave" in leave.note
    # eligibility: only PGY-3 may take C
    senior = Settings(eligibility={"C": {"pgy": [3]}})
    for x in suggest(raw, cfg, "Ana Reyes", "2026-07-05", limit=50, settings=senior).suggestions:
        for c in x.changes:
            if "C" in c.new.split("/"):
                assert next(r for r in raw.residents if r.name == c.resident).pgy == 3


def test_suggest_cli_text_and_exit_codes() -> None:
    path, _, _ = sample("im-ok")
    code, out, _ = run("swap", path, "Yusuf Garcia", "2026-07-14", "--suggest", "--limit", "2")
    lines = out.splitlines()
    assert code == 0 and "trades that take Yusuf Garcia's NF on 2026-07-14 away" in lines[0]
    assert lines[1].startswith("  1. ") and lines[4].startswith("  2. ") and len(lines) == 7
    code, out, _ = run("swap", path, "Ibrahim Andersen", "2026-07-06", "--suggest")
    assert code == 1 and "none:" in out


def test_two_resident_sub_roster_keeps_the_day_axis_of_a_long_file() -> None:
    # Cara's rows stop early in a long file: her sub-roster must still span the roster's dates
    raw = raw_roster({"Ann Lee": "D D D D D D D", "Cara Diaz": "D D D"})
    raw.entries = raw.entries.take(raw.entries["text"] != "")
    cfg = parse({"preset": "none", "rules": {"few": {"kind": "min-count", "kinds": ["work"], "min": 7, "per": 7}}},
                path="t")
    full = check_raw(raw, cfg).findings
    sub = check_residents(raw, cfg, [1]).findings
    assert _findings(sub) == _findings([f for f in full if f.resident == "Cara Diaz"]) and sub
    assert np.datetime64(sub[0].end[:10]) == np.datetime64("2026-07-08")


def test_every_swap_json_key_is_documented() -> None:
    text = (ROOT / "docs/json.md").read_text()
    _, cfg, raw = sample("im-ok")
    t = trade(raw, cfg, "Yusuf Garcia", "Hana Petrov", ["2026-07-14"])
    from rostercheck.swap import suggestions_document, trade_document

    found = suggest(raw, cfg, "Yusuf Garcia", "2026-07-14", limit=1)
    doc, sdoc = trade_document(t), suggestions_document(found)
    keys = [*doc, *doc["summary"], *sdoc, *sdoc["suggestions"][0], *sdoc["suggestions"][0]["fairness"],
            *sdoc["suggestions"][0]["fairness"]["residents"][0], *sdoc["suggestions"][0]["changes"][0]]
    for key in keys:
        assert f"`{key}`" in text, key


def test_a_trade_no_cell_edit_can_write_is_not_written(tmp_path: Path) -> None:
    # a long file without Ben's row on 07-02: the trade moves Ann's row to Ben, which no cell edit
    # writes (writing the code cells would leave the file as it was); checked, but never written
    roster = tmp_path / "long.csv"
    roster.write_text("Resident,Date,Code\nAnn Lee,2026-07-01,D\nAnn Lee,2026-07-02,D\nAnn Lee,2026-07-03,OFF\n"
                      "Ben Ito,2026-07-01,OFF\nBen Ito,2026-07-03,D\n")
    target = tmp_path / "out.csv"
    code, out, err = run("swap", str(roster), "Ann Lee", "Ben Ito", "2026-07-02", "-o", str(target))
    assert code == 2 and "not written" in err and "the rows change hands" in err and len(err.splitlines()) == 1
    assert out.startswith("trade: Ann Lee <-> Ben Ito on 2026-07-02") and not target.exists()
    assert list(tmp_path.iterdir()) == [roster]  # no temporary file left behind either
