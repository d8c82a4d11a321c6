"""The terminal report: aligned, grouped by resident (most serious first), colour only when asked."""

from __future__ import annotations

import io
import re

from click.testing import CliRunner
from helpers import check
from workbooks import days, make_xlsx

from rostercheck.cli import _use_color, main
from rostercheck.report.text import render, summary_line

# Avery: one error (call then a day shift). Ben: seven nights then call: one error and one warning.
# Cara: clean. Ben is the most serious (1 error + 1 warning), then Avery.
ROWS = {
    "Avery Chen": "D D OFF C D OFF D D OFF D D OFF D D",
    "Ben Ito": "N N N N N N N C PC OFF D D OFF OFF",
    "Cara Diaz": "OFF D D D OFF C PC D D OFF D D C PC",
}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def finding_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.startswith(("  error", "  warning"))]


def test_grouped_by_resident_most_serious_first_errors_before_warnings():
    text = render([check(ROWS)])
    heads = [ln for ln in text.splitlines() if ln and not ln.startswith(" ")]
    assert heads[1:3] == ["Ben Ito  (1 error, 1 warning)", "Avery Chen  (1 error)"]
    assert "Cara Diaz" not in text
    ben = text[text.index("Ben Ito"): text.index("Avery Chen")]
    assert ben.index("error    shift-length") < ben.index("warning  consecutive-nights")


def test_columns_are_aligned_across_residents():
    lines = finding_lines(render([check(ROWS)]))
    assert len(lines) == 3
    rule_col = {ln.index(rule) for ln in lines for rule in ("shift-length", "consecutive-nights") if rule in ln}
    assert rule_col == {11}
    msg_col = {ln.index(m) for ln in lines for m in ("36 h of", "7 night shifts") if m in ln}
    assert len(msg_col) == 1
    cells = [ln for ln in render([check(ROWS)]).splitlines() if "cells:" in ln]
    assert {ln.index("cells:") for ln in cells} == msg_col


def test_whole_day_ranges_are_inclusive():
    text = render([check({"Dee Ek": "D " * 14})])  # no day off in 14 days: a whole-days finding
    assert "days-off" in text and "2026-07-01..07-14" in text  # the record's end is 07-15, exclusive
    assert "2026-07-04 07:00 -> 07-05 19:00" in render([check(ROWS)])


def test_colour_only_when_asked():
    res = check(ROWS)
    assert not ANSI.search(render([res]))
    coloured = render([res], color=True)
    assert "\x1b[31m" in coloured  # red for errors
    assert ANSI.sub("", coloured) == render([res])  # same text, same alignment


def test_cli_colours_only_a_terminal_without_no_color(monkeypatch):
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert _use_color(Tty()) is True
    assert _use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert _use_color(Tty()) is False


def test_quiet_prints_only_the_summary_line(tmp_path):
    p = make_xlsx(tmp_path / "july.xlsx", {"July": [["Resident", "PGY", *days(14)],
                                                   *([n, 1, *c.split()] for n, c in ROWS.items())]})
    r = CliRunner().invoke(main, ["check", str(p), "--quiet", "--format", "text"])
    assert r.exit_code == 1
    assert r.stdout.splitlines() == [f"2 errors, 1 warning for 2 of 3 residents in {p}"]
    assert not ANSI.search(r.stdout)  # not a terminal: no colour
    full = CliRunner().invoke(main, ["check", str(p), "--format", "text"]).stdout
    assert full.splitlines()[-1] == r.stdout.strip()


def test_summary_line_fits_a_ci_log():
    res = check(ROWS)
    line = summary_line([res])
    assert "\n" not in line and len(line) < 100
    assert line == "2 errors, 1 warning for 2 of 3 residents in test.xlsx"
    assert summary_line([check({"Cara Diaz": ROWS["Cara Diaz"]})]) == "ok: no rule broken in test.xlsx (1 resident)"
