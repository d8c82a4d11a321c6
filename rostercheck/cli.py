"""The command line. The only module that wires stages together, prints, or exits.

Heavy imports (pandas, numpy, ortools, openpyxl) happen inside commands so that ``--help``
stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

import click

EXIT_OK, EXIT_ERRORS, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3

EXIT_HELP = """\b
Exit codes:
  0  no errors (warnings allowed unless --strict)
  1  the roster breaks a rule (an error, or a warning with --strict)
  2  an input file or the config cannot be used (one line says where)
  3  repair: no compliant roster exists (the reason is explained)"""


def _fail(message: str) -> NoReturn:
    click.echo(f"rostercheck: error: {message}", err=True)
    sys.exit(EXIT_INPUT)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input is a one-line message and exit 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from rostercheck.errors import InputError

        try:
            return fn(*args, **kwargs)
        except InputError as e:
            _fail(str(e))
        except KeyboardInterrupt:
            click.echo("rostercheck: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as e:
            if os.environ.get("ROSTERCHECK_DEBUG"):
                raise
            _fail(f"unexpected {type(e).__name__}: {e} (set ROSTERCHECK_DEBUG=1 for details, and please report it)")

    return wrapper


def _use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


roster_options = [
    click.option("--config", "config_path", type=click.Path(dir_okay=False), help="rostercheck.toml to use "
                 "(default: beside the roster, then the working directory, then [tool.rostercheck] in "
                 "pyproject.toml)."),
    click.option("--sheet", multiple=True, help="Sheet to read (repeatable; default: every sheet that "
                 "looks like a roster)."),
    click.option("--layout", type=click.Choice(["grid", "half-day", "long"]), help="Roster layout "
                 "(default: detected)."),
    click.option("--header-row", type=click.IntRange(min=1), help="Row of the column headers (1-based)."),
    click.option("--date-row", type=click.IntRange(min=1), help="Row of the dates, when not the header row."),
    click.option("--name-column", help="Header text or letter of the resident-name column."),
    click.option("--year", type=click.IntRange(1900, 2200), help="Year for dates written as M/D."),
    click.option("--preset", help="Comma-separated presets to use instead of the config's (e.g. "
                 "acgme,wellness; 'none' for only the config's rules)."),
]


def with_roster_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(roster_options):
        fn = opt(fn)
    return fn


def load_config(roster: str | None, kw: dict[str, Any]) -> Any:
    """Config file, then command-line options on top."""
    from rostercheck import config as cfgmod

    cfg = cfgmod.load(roster, kw.get("config_path"))
    o = cfg.roster
    if kw.get("sheet"):
        o.sheet = list(kw["sheet"])
    for attr in ("layout", "header_row", "date_row", "name_column", "year"):
        if kw.get(attr) is not None:
            setattr(o, attr, kw[attr])
    if kw.get("preset"):
        names = [n.strip() for n in kw["preset"].split(",") if n.strip()]
        data = {"preset": names}
        base = cfgmod.parse(data, path="--preset")
        user = {r.id: r for r in cfg.rules if r.origin == "config"}
        cfg.presets = base.presets
        cfg.rules = [r for r in base.rules if r.id not in user] + list(user.values())
    return cfg


def read_with(path: str, cfg: Any) -> Any:
    from rostercheck.read import read_roster

    return read_roster(path, cfg.roster)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_HELP)
@click.version_option(package_name="rostercheck", prog_name="rostercheck")
def main() -> None:
    """Check residency rosters against duty-hour and protected-time rules, and repair them.

    \b
    rostercheck check july.xlsx            what rules does this roster break?
    rostercheck repair july.xlsx -o out.xlsx   the fewest changes that fix it
    rostercheck rules                      every rule kind and preset, with examples
    """


@main.command(epilog=EXIT_HELP)
@click.argument("rosters", nargs=-1, required=True, type=click.Path())
@with_roster_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file "
              "instead of stdout.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option("--quiet", "-q", is_flag=True, help="Text format: print only the summary line.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as history for averaging "
              "windows and rest at the start of the month.")
@guarded
def check(rosters: tuple[str, ...], fmt: str, output: str | None, strict: bool, quiet: bool,
          previous: str | None, **kw: Any) -> None:
    """Check ROSTERS (xlsx, xlsm or csv) against the configured rules."""
    from rostercheck.check import check_raw
    from rostercheck.output import atomic_write, refuse_inputs

    if output:
        refuse_inputs(output, [*rosters, *([previous] if previous else [])], option="--output")
    results = []
    for path in rosters:
        cfg = load_config(path, kw)
        raw = read_with(path, cfg)
        prev = read_with(previous, cfg) if previous else None
        results.append(check_raw(raw, cfg, prev))
    if fmt == "json":
        from rostercheck.report import json_report

        text = json_report.render(results)
    else:
        from rostercheck.report import text as text_report

        text = text_report.render(results, color=not output and _use_color(sys.stdout), quiet=quiet)
    if output:
        atomic_write(output, text)
        if fmt != "json":
            from rostercheck.report.text import summary_line

            click.echo(summary_line(results))
    else:
        click.echo(text, nl=False)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    sys.exit(EXIT_ERRORS if errors or (strict and warnings) else EXIT_OK)


@main.command(epilog=EXIT_HELP)
@click.argument("roster", type=click.Path())
@with_roster_options
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the repaired copy here (same "
              "format as the input; never the input itself).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Format of the change report on stdout.")
@click.option("--changes", "changes_path", type=click.Path(dir_okay=False), help="Also write the change "
              "list as csv.")
@click.option("--lock", multiple=True, metavar="'NAME:YYYY-MM-DD'", help="A cell that must not change "
              "(repeatable).")
@click.option("--lock-resident", multiple=True, metavar="NAME", help="A resident whose cells must not "
              "change (repeatable).")
@click.option("--only-residents", metavar="NAMES", help="Comma-separated residents who may be changed; "
              "everyone else is locked.")
@click.option("--max-changes", type=click.IntRange(min=0), help="Refuse answers with more changed cells.")
@click.option("--time-limit", type=click.FloatRange(min=0.1), help="Seconds for the solver (default 30).")
@click.option("--workers", type=click.IntRange(min=0), help="Solver threads (default: all cores).")
@click.option("--seed", type=int, help="Same seed, same answer (deterministic search).")
@click.option("--allow-remaining", is_flag=True, help="If no compliant roster exists, return the one with "
              "the fewest remaining errors instead.")
@click.option("--fix-warnings", is_flag=True, help="Treat warnings as rules the repair must satisfy.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as fixed history.")
@click.option("--keep-macros", is_flag=True, help="Keep VBA macros in a repaired .xlsm copy.")
@guarded
def repair(roster: str, output: str | None, fmt: str, changes_path: str | None, lock: tuple[str, ...],
           lock_resident: tuple[str, ...], only_residents: str | None, max_changes: int | None,
           time_limit: float | None, workers: int | None, seed: int | None, allow_remaining: bool,
           fix_warnings: bool, previous: str | None, keep_macros: bool, **kw: Any) -> None:
    """Repair ROSTER with the fewest changed cells: every error fixed, coverage kept, leave,
    wellness time and locked cells untouched."""
    from rostercheck.output import atomic_write, refuse_inputs
    from rostercheck.repair import Settings
    from rostercheck.repair import repair as run_repair
    from rostercheck.repair.report import render_json, render_text
    from rostercheck.repair.solve import print_progress
    from rostercheck.workbook import changes_csv, write_changes

    inputs = [roster, *([previous] if previous else [])]
    for path, opt in ((output, "--output"), (changes_path, "--changes")):
        if path:
            refuse_inputs(path, inputs, option=opt)
    cfg = load_config(roster, kw)
    st = Settings.from_config(cfg.repair, cfg.path)
    st.locks += list(lock)
    st.lock_residents += list(lock_resident)
    if only_residents:
        st.only_residents = [n.strip() for n in only_residents.split(",") if n.strip()]
    for name, value in (("max_changes", max_changes), ("time_limit", time_limit), ("workers", workers),
                        ("seed", seed)):
        if value is not None:
            setattr(st, name, value)
    st.allow_remaining = st.allow_remaining or allow_remaining
    st.fix_warnings = fix_warnings
    raw = read_with(roster, cfg)
    prev = read_with(previous, cfg) if previous else None
    progress = print_progress() if fmt == "text" else None
    result = run_repair(raw, cfg, st, previous=prev, progress=progress)
    if progress:
        sys.stderr.write("\r" + " " * 70 + "\r")
    written = None
    if result.repaired is not None and output:
        write_changes(roster, output, result.outcome.changes, keep_macros=keep_macros)
        written = output
    if changes_path and result.repaired is not None:
        atomic_write(changes_path, changes_csv(result.outcome.changes))
    if fmt == "json":
        click.echo(render_json(result, written), nl=False)
    else:
        click.echo(render_text(result, written, color=_use_color(sys.stdout)), nl=False)
    if result.outcome.status == "infeasible":
        sys.exit(EXIT_INFEASIBLE)
    if result.after is None or result.after.errors or (result.after.warnings and fix_warnings):
        sys.exit(EXIT_ERRORS)
    sys.exit(EXIT_OK)


@main.command()
@click.argument("rule_id", required=False)
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Show rules as this config "
              "sets them.")
@guarded
def rules(rule_id: str | None, config_path: str | None) -> None:
    """List every rule kind and preset, or show one rule or kind in full."""
    from rostercheck.rules_doc import describe, overview

    click.echo(describe(rule_id, config_path) if rule_id else overview(config_path), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main()
