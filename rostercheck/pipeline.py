"""The library side of a command: find the config, read a roster with the options given, check it.

The CLI, batch runs, ``diff``, ``baseline`` and onboarding all start the same way (config file,
command-line options on top, read the roster), so that start lives here once, below ``cli.py``:
library code never depends on Click. Options arrive as a plain ``dict`` keyed like the CLI's
parameters (``config_path``, ``sheet``, ``layout``, ``rows``, ``preset``, ...), which also pickles
for worker processes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rostercheck.errors import InputError

if TYPE_CHECKING:
    from rostercheck.check import CheckResult
    from rostercheck.config import Config
    from rostercheck.model import RawRoster, RosterOptions


def apply_reading_options(o: RosterOptions, kw: dict[str, Any]) -> RosterOptions:
    """Command-line reading options over ``o``, validated exactly as the ``[roster]`` keys are."""
    from rostercheck import config as cfgmod

    if kw.get("sheet"):
        o.sheet = list(kw["sheet"])
    for attr in ("layout", "header_row", "date_row", "name_column", "date_column", "code_column", "session_column",
                 "year", "date_order"):  # fmt: skip
        if kw.get(attr) is not None:
            setattr(o, attr, kw[attr])
    if kw.get("rows"):
        pairs = [r.partition("=") for r in kw["rows"]]
        columns = {c.strip() for c, _, _ in pairs}
        if any(not eq or not c.strip() for c, eq, _ in pairs) or len(columns) != 1:
            raise InputError("--rows: expected COLUMN=PATTERN, one column for every --rows (e.g. --rows 'ROLE=PGY*')")
        rows = {"column": columns.pop(), "match": [p for _, _, p in pairs]}
        o.rows = cfgmod.parse({"roster": {"rows": rows}}, path="--rows").roster.rows
    for key in ("am", "pm"):
        if kw.get(key) is not None:
            setattr(o, key, getattr(cfgmod.parse({"roster": {key: kw[key]}}, path=f"--{key}").roster, key))
    return o


def load_config(roster: str | None, kw: dict[str, Any]) -> Config:
    """The config file found for ``roster`` (or ``kw["config_path"]``), then the options on top."""
    from rostercheck import config as cfgmod

    cfg = cfgmod.load(roster, kw.get("config_path"))
    apply_reading_options(cfg.roster, kw)
    if kw.get("preset"):
        names = [n.strip() for n in kw["preset"].split(",") if n.strip()]
        base = cfgmod.parse({"preset": names}, path="--preset")
        user = {r.id: r for r in cfg.rules if r.origin == "config"}
        cfg.presets = base.presets
        cfg.rules = [r for r in base.rules if r.id not in user] + list(user.values())
    return cfg


def read_with(path: str, cfg: Config) -> RawRoster:
    """Read ``path`` as ``cfg``'s ``[roster]`` table (with the command-line options applied) says."""
    from rostercheck.read import read_roster

    return read_roster(path, cfg.roster)


def check_path(path: str, kw: dict[str, Any], previous: str | None = None) -> CheckResult:
    """Config, read, check: the whole of ``check`` for one roster, without any rendering."""
    from rostercheck.check import check_raw

    cfg = load_config(path, kw)
    read = [read_with(path, cfg)]
    if previous:
        read.append(read_with(previous, cfg))
    # hand the only references over (``check_raw`` frees the entries before the rules run)
    prev = read.pop() if previous else None
    return check_raw(read.pop(), cfg, prev)
