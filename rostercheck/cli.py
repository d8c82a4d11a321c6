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
