"""The library side of a command: find the config, read a roster with the options given, check it.

The CLI, batch runs, ``diff``, ``baseline`` and onboarding all start the same way (config file,
command-line options on top, read the roster), so that start lives here once, below ``cli.py``:
library code never depends on Click. Options arrive as a plain ``dict`` keyed like the CLI's
parameters (``config_path``, ``sheet``, ``layout``, ``rows``, ``preset``, ...), which also pickles
for worker processes.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
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
    if kw.get("preset") is not None:
        names = [n.strip() for n in kw["preset"].split(",") if n.strip()]
        if not names:
            from rostercheck.presets import PRESETS

            raise InputError(f"--preset {kw['preset']!r} names no preset; expected one or more of "
                             f"{', '.join(PRESETS)} separated by commas, or 'none'")
        base = cfgmod.parse({"preset": names}, path="--preset")
        user = {r.id: r for r in cfg.rules if r.origin == "config"}
        cfg.presets = base.presets
        cfg.rules = [r for r in base.rules if r.id not in user] + list(user.values())
    return cfg


def inputs_of(rosters: Iterable[str], kw: dict[str, Any], *others: str | None) -> list[str]:
    """Every file a command given these rosters and options will read: the rosters, ``others``
    (``--previous``, a baseline) and the config of each roster (``--config``, or the one found for it).

    Outputs are checked against these before any work starts (``output.claim``), so an output
    naming the config a roster would find is refused as surely as one naming the roster.
    """
    from rostercheck.config import find_config

    found = []
    seen_dirs: set[str] = set()
    explicit = kw.get("config_path")
    for r in rosters:
        folder = os.path.dirname(os.path.abspath(r))
        if explicit is None and folder in seen_dirs:
            continue  # the same folder finds the same config
        seen_dirs.add(folder)
        with contextlib.suppress(InputError):  # a missing --config is reported where it is loaded
            hit = find_config(r, explicit)
            if hit is not None:
                found.append(str(hit[0]))
        if explicit is not None:
            break
    if not rosters and explicit is not None:
        found.append(explicit)
    return [*rosters, *(o for o in others if o), *found]


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
