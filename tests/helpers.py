"""Small rosters made in code, so each rule can be tested alone on the smallest input."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from rostercheck.check import CheckResult, check_raw, legend_for
from rostercheck.config import Config, parse
from rostercheck.legend import BUSY_KINDS, split_codes
from rostercheck.model import RawRoster, Resident, Source


def raw_roster(
    rows: dict[str, list[str] | str],
    start: str = "2026-07-01",
    *,
    pgy: dict[str, int] | None = None,
    team: dict[str, str] | None = None,
    path: str = "test.xlsx",
    sheet: str = "Roster",
) -> RawRoster:
    """A grid roster: one list of cell texts per resident (or a space-separated string), day by day.

    Cells sit at row 2 + i, column B + day, as a reader would report them for a header in row 1.
    """
    residents, recs = [], []
    for i, (name, cells) in enumerate(rows.items()):
        codes = cells.split() if isinstance(cells, str) else cells
        codes = ["" if c in ("-", ".") else c for c in codes]
        residents.append(Resident(name, (pgy or {}).get(name, 1), (team or {}).get(name), None,
                                  Source(path, sheet, f"A{i + 2}")))
        for d, text in enumerate(codes):
            recs.append({
                "resident": i, "date": pd.Timestamp(start) + pd.Timedelta(days=d), "slot": "", "text": text,
                "start": None, "end": None, "sheet": sheet, "cell": f"{get_column_letter(d + 2)}{i + 2}",
            })
    return RawRoster(path, residents, pd.DataFrame(recs), "grid", [sheet])


def check(rows: dict[str, list[str] | str], config: dict[str, Any] | None = None, **kw: Any) -> CheckResult:
    return check_raw(raw_roster(rows, **kw), parse(config or {}, path="test.toml"))


def only(config_rules: dict[str, Any], *, preset: str | list[str] = "none", **extra: Any) -> dict[str, Any]:
    """A config with just these rules."""
    return {"preset": preset, "rules": config_rules, **extra}


def rule_hits(result: CheckResult, rule: str) -> list:
    return [f for f in result.findings if f.rule == rule]


def staffing(raw: RawRoster, cfg: Config) -> Counter:
    """Residents per (date, slot, working code): what a repair promises to keep (off codes may trade)."""
    legend = legend_for(raw, cfg)
    out: Counter = Counter()
    for date, slot, text in zip(raw.entries.frame()["date"], raw.entries.frame()["slot"], raw.entries.frame()["text"]):
        for c in split_codes(text, legend) or []:
            if legend[c].kind in BUSY_KINDS:
                out[(date, slot, c)] += 1
    return out


# ---------------------------------------------------------------------------- the CLI, for hostile input
def run(*args: str) -> tuple[int, str]:
    """``rostercheck ARGS`` in process: exit code and stderr; anything but a clean exit fails the test."""
    from click.testing import CliRunner

    from rostercheck.cli import main

    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stderr


def run_cli(*args: str) -> tuple[int, str, str]:
    """``rostercheck ARGS`` in process: exit code, stdout and stderr (a crash fails the test)."""
    from click.testing import CliRunner

    from rostercheck.cli import main

    r = CliRunner().invoke(main, list(args))
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


def one_line_exit_2(code: int, err: str, *needles: str) -> None:
    """Exit 2 and one line of stderr holding every needle: no traceback, no "unexpected error"."""
    assert code == 2, err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in err and "unexpected" not in err, err
    for n in needles:
        assert n in lines[0], (n, lines[0])
