"""The HTML report as text: the right cells flagged, every name escaped, nothing fetched.

The same page is opened in a real browser in test_report_browser.py; these tests read the markup
with the standard library's parser so they run everywhere and pin down each cell.
"""

from __future__ import annotations

import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from helpers import raw_roster
from workbooks import days, make_xlsx

from rostercheck.check import check_raw
from rostercheck.cli import main
from rostercheck.config import parse
from rostercheck.model import cell_name
from rostercheck.repair import Settings, repair
from rostercheck.report.html import render_page, weekly_hours, weekly_limit

XSS = "<script>alert(1)</script>"
IMG = '<img src=x onerror="window.__xss=1">'
# Avery: call then a day shift (error on 07-04, 07-05). Ben: seven nights then call (warning on
# 07-01..07-07, error on 07-07 and 07-08). The resident named like a script tag is clean.
ROWS = {
    "Avery Chen": "D D OFF C D OFF D D OFF D D OFF D D",
    "Ben Ito": "N N N N N N N C PC OFF D D OFF OFF",
    XSS: "OFF D D D OFF C PC D D OFF D D C PC",
}
CFG = parse({}, path="test.toml")


class Grid(HTMLParser):
    """Collects, per grid table, each resident row's cells as (class, data-f, title, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.grids: dict[str, list[list[dict]]] = {}
        self.names: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict]] = []
        self._grid: str | None = None
        self._cell: dict | None = None
        self._in_name = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and "grid" in (a.get("class") or ""):
            self._grid = a["data-grid"]
            self.grids[self._grid], self.names[self._grid] = [], []
        elif self._grid and tag == "tr" and a.get("class") == "res":
            self.grids[self._grid].append([])
            self.names[self._grid].append(a["data-resident"])
        elif self._grid and tag == "td":
            self._cell = {"class": a.get("class", ""), "f": a.get("data-f"), "title": a.get("title"), "text": ""}
            self.grids[self._grid][-1].append(self._cell)
        elif self._grid and tag == "span" and a.get("class") == "nm":
            self._in_name = True

    def handle_endtag(self, tag):
        if tag == "table":
            self._grid = None
        elif tag == "td":
            self._cell = None
        elif tag == "span":
            self._in_name = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell["text"] += data


def parsed(page: str) -> Grid:
    g = Grid()
    g.feed(page)
    return g


def expected_flags(raw, result) -> set[tuple[int, int]]:
    """(resident, day) of every cell a finding names, found through the read roster's addresses."""
    where = {(s, cell_name(c)): (int(r), (pd.Timestamp(d) - pd.Timestamp("2026-07-01")).days)
             for s, c, r, d in zip(raw.entries["sheet"], raw.entries["cell"], raw.entries["resident"],
                                   raw.entries.frame()["date"])}
    return {where[(c.sheet, c.cell)] for f in result.findings for c in f.cells if (c.sheet, c.cell) in where}


def flagged(grid: list[list[dict]], sev: str | None = None) -> set[tuple[int, int]]:
    return {(r, d) for r, row in enumerate(grid) for d, c in enumerate(row)
            if " flag" in c["class"] and (sev is None or f"sev-{sev}" in c["class"])}


@pytest.fixture(scope="module")
def page() -> tuple[str, object, object]:
    raw = raw_roster(ROWS)
    res = check_raw(raw, CFG)
    return render_page(res, raw=raw), raw, res


def test_grid_has_every_resident_and_day_coloured_by_kind(page):
    html, _raw, _res = page
    g = parsed(html)
    assert g.names["before"] == list(ROWS)
    grid = g.grids["before"]
    assert [len(row) for row in grid] == [14, 14, 14]
    assert [c["text"] for c in grid[0][:5]] == ["D", "D", "OFF", "C", "D"]
    assert "k-call" in grid[0][3]["class"] and "k-night" in grid[1][0]["class"]
    assert "k-off" in grid[0][2]["class"] and "k-work" in grid[0][0]["class"]
    assert " we" in grid[0][3]["class"]  # 2026-07-04 is a Saturday


def test_exactly_the_named_cells_are_flagged_error_over_warning(page):
    html, raw, res = page
    grid = parsed(html).grids["before"]
    assert flagged(grid) == expected_flags(raw, res)
    assert flagged(grid, "error") == {(0, 3), (0, 4), (1, 6), (1, 7)}
    assert flagged(grid, "warning") == {(1, d) for d in range(6)}
    both = grid[1][6]
    assert "shift-length" in both["title"] and "consecutive-nights" in both["title"]
    assert both["title"].index("shift-length") < both["title"].index("consecutive-nights")
    assert "value 36 hours, limit 28 hours" in both["title"]
    assert all(c["title"] is None for c in grid[2])
    # without the read roster, the cells are placed through the timeline: the same flags
    assert flagged(parsed(render_page(res)).grids["before"]) == flagged(grid)


def test_names_and_messages_are_escaped(page):
    html, _, _ = page
    assert XSS not in html and "<img" not in html
    assert html.count("<script>") == 1  # the page's own script, nothing else
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    raw = raw_roster({IMG: ROWS["Avery Chen"], "A&B \"quoted\" 'name'": ROWS["Ben Ito"]})
    other = render_page(check_raw(raw, CFG), raw=raw)
    assert "<img" not in other and "onerror=\"" not in other
    assert parsed(other).names["before"] == [IMG, "A&B \"quoted\" 'name'"]


def test_nothing_is_fetched_from_anywhere(page):
    html, _, _ = page
    assert "http:" not in html and "https:" not in html and "//" not in re.sub(r"<script>.*?</script>", "", html,
                                                                               flags=re.S)
    assert "default-src 'none'" in html  # the browser itself refuses any request
    for tag, a in parsed(html).tags:
        for attr in ("src", "href"):
            assert a.get(attr) in (None, "data:,"), (tag, a)
    assert "@media print" in html


def test_weekly_hours_are_summed_monday_to_sunday():
    raw = raw_roster({"Dee Ek": "D " * 14, "Eli Fox": "OFF " * 14})  # 12 h days from Wednesday 07-01
    res = check_raw(raw, CFG)
    W, mondays, ndays = weekly_hours(res)
    assert [m.strftime("%Y-%m-%d") for m in mondays] == ["2026-06-29", "2026-07-06", "2026-07-13"]
    assert ndays.tolist() == [5, 7, 2]
    assert np.allclose(W, [[60, 84, 24], [0, 0, 0]])
    assert weekly_limit(res.rules) == 80
    html = render_page(res, raw=raw)
    hours = html[html.index('id="hours"'):]
    assert hours.count('class="bar over"') == 1  # only the 84 h week is over the 80 h line
    assert "84 h (limit 80 h)" in hours and 'class="limit"' in hours


def test_rule_summary_counts_findings(page):
    html, _, res = page
    rules = html[html.index('id="rules"'):html.index('id="calendar"')]
    assert "2 errors (2 residents)" in rules and "1 warning (1 resident)" in rules
    assert rules.count(">pass<") == len(res.rules) - 2


def cycle_rows() -> dict[str, str]:
    cycle = ["C", "PC", "D", "OFF"]
    rows = {f"R{i + 1}": [cycle[(d + i) % 4] for d in range(14)] for i in range(4)}
    rows["R1"][5], rows["R2"][5] = rows["R2"][5], rows["R1"][5]
    return {k: " ".join(v) for k, v in rows.items()}


def test_repair_shows_before_and_after_with_the_changes_marked():
    raw = raw_roster(cycle_rows())
    fixed = repair(raw, CFG, Settings(time_limit=10, seed=1, workers=1))
    assert fixed.after is not None and len(fixed.outcome.changes) == 2
    html = render_page(fixed.before, raw=raw, repair=fixed)
    g = parsed(html)
    assert set(g.grids) == {"before", "after"}
    changed = {(int(c.resident[1:]) - 1, 5) for c in fixed.outcome.changes}
    for name in ("before", "after"):
        marks = {(r, d) for r, row in enumerate(g.grids[name]) for d, c in enumerate(row) if " chg" in c["class"]}
        assert marks == changed
    assert flagged(g.grids["before"]) == expected_flags(raw, fixed.before) != set()
    assert flagged(g.grids["after"]) == set()
    for c in fixed.outcome.changes:
        r = int(c.resident[1:]) - 1
        assert g.grids["before"][r][5]["text"] == c.old and g.grids["after"][r][5]["text"] == c.new
        assert f"{c.old} -> {c.new}" in g.grids["after"][r][5]["title"]
    assert "Calendar after repair" in html and 'class="changes"' in html


def test_report_command_writes_the_page_and_never_touches_the_roster(tmp_path: Path):
    p = make_xlsx(tmp_path / "july.xlsx", {"July": [["Resident", "PGY", *days(14)],
                                                   *([n, 1, *c.split()] for n, c in ROWS.items())]})
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["report", str(p), "--html", str(out)])
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[0] == f"2 errors, 1 warning for 2 of 3 residents in {p}"
    assert hashlib.sha256(p.read_bytes()).hexdigest() == digest
    g = parsed(out.read_text())
    assert g.names["before"] == list(ROWS) and len(flagged(g.grids["before"])) == 10
    refused = CliRunner().invoke(main, ["report", str(p), "--html", str(p)])
    assert refused.exit_code == 2 and hashlib.sha256(p.read_bytes()).hexdigest() == digest
    assert len(refused.stderr.strip().splitlines()) == 1


def test_report_command_with_repair(tmp_path: Path):
    p = make_xlsx(tmp_path / "cycle.xlsx", {"July": [["Resident", "PGY", *days(14)],
                                                    *([n, 1, *c.split()] for n, c in cycle_rows().items())]})
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["report", str(p), "--html", str(out), "--repair", "--time-limit", "10",
                                  "--seed", "1"])
    assert r.exit_code == 0, r.output
    assert "repair: 2 changes" in r.stdout
    g = parsed(out.read_text())
    assert len(g.grids["after"]) == 4
    assert sum(" chg" in c["class"] for row in g.grids["after"] for c in row) == 2


# ------------------------------------------------------------------------------ codes as written
SPELT = {"PedW": {"kind": "work", "start": "07:00", "end": "17:00"}, "C/LEC": {"kind": "work", "start": "08:00",
                                                                             "end": "12:00"}}


def test_the_calendar_shows_codes_as_the_roster_writes_them():
    rows = {"Ana": "PedW PedW pedw C/LEC OFF", "Ben": "c/lec PedW OFF PedW PedW"}
    cfg = parse({"shifts": SPELT}, path="test.toml")
    raw = raw_roster(rows)
    res = check_raw(raw, cfg)
    with_raw = parsed(render_page(res, raw=raw)).grids["before"]
    assert [c["text"] for c in with_raw[0]] == ["PedW", "PedW", "pedw", "C/LEC", "OFF"]  # each cell's own text
    assert [c["text"] for c in with_raw[1]] == ["c/lec", "PedW", "OFF", "PedW", "PedW"]
    # without the read roster, each code in the spelling most cells use; matching stayed case-blind
    without = parsed(render_page(res)).grids["before"]
    assert [c["text"] for c in without[0]] == ["PedW", "PedW", "PedW", "C/LEC", "OFF"]
    assert res.timeline.written("PEDW") == "PedW" and res.timeline.written("C/LEC") == "C/LEC"
    assert all(k in ("work", "off") for k in res.timeline.shifts.named("kind"))


def test_rule_messages_name_codes_as_written():
    cfg = parse({"preset": "none", "shifts": SPELT,
                 "rules": {"peds-cover": {"kind": "coverage", "codes": ["PEDW"], "min": 2}}}, path="test.toml")
    res = check_raw(raw_roster({"Ana": "PedW OFF", "Ben": "PedW PedW"}), cfg)
    (f,) = res.findings
    assert f.message == "1 resident on PedW on 2026-07-02 (needs at least 2)"


def test_pdf_without_a_browser_is_one_line_naming_the_package(tmp_path: Path, monkeypatch):
    p = make_xlsx(tmp_path / "july.xlsx", {"July": [["Resident", "PGY", *days(14)],
                                                   *([n, 1, *c.split()] for n, c in ROWS.items())]})
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to run here
    monkeypatch.delenv("ROSTERCHECK_CHROMIUM", raising=False)
    r = CliRunner().invoke(main, ["report", str(p), "--html", str(tmp_path / "r.html"), "--pdf",
                                  str(tmp_path / "r.pdf")])
    assert r.exit_code == 2
    (line,) = r.stderr.strip().splitlines()
    assert "r.pdf" in line and "`chromium` package" in line and "apt-get install chromium" in line
    assert not (tmp_path / "r.pdf").exists() and not (tmp_path / "r.html").exists()  # refused before any work


def test_pdf_over_an_input_is_refused(tmp_path: Path):
    p = make_xlsx(tmp_path / "july.xlsx", {"July": [["Resident", "PGY", *days(14)], ["A", 1, *["D"] * 14]]})
    r = CliRunner().invoke(main, ["report", str(p), "--html", str(tmp_path / "r.html"), "--pdf", str(p)])
    assert r.exit_code == 2 and "--pdf must not be an input file" in r.stderr


def test_report_has_a_fair_shares_section_with_the_fairness_commands_figures(tmp_path: Path) -> None:
    """The page's fairness section shows, per group and resident, the counts `rostercheck fairness` gives."""
    from rostercheck.fairness import MEASURES, fairness
    from rostercheck.pipeline import check_path

    sample = Path(__file__).resolve().parent.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["report", str(sample), "--html", str(out)])
    assert r.exit_code == 0, r.output
    page = out.read_text()
    section = re.search(r'<section id="fairness">(.*?)</section>', page, re.S)
    assert section, "no fairness section"
    fa = fairness(check_path(str(sample), {}).timeline, str(sample))
    rows = dict(re.findall(r'<tr><th scope="row">([^<]+)</th><td>\d+</td>(.*?)</tr>', section.group(1)))
    assert set(rows) == {x.resident for x in fa.residents}
    for rec in fa.residents:
        shown = re.findall(r"</svg> ([0-9.]+)</td>", rows[rec.resident])
        assert [float(v) for v in shown] == [round(rec.value(m), 1) for m in MEASURES], rec.resident
    captions = re.findall(r"<caption>([^<]+)</caption>", section.group(1))
    assert captions == [g.group for g in fa.groups]
    busiest = max(fa.residents, key=lambda x: x.calls)
    assert f'aria-label="{busiest.resident}: {busiest.calls} calls' in section.group(1)
