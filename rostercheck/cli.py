"""The command line. The only module that wires stages together, prints, or exits.

Heavy imports (pandas, numpy, ortools, openpyxl) happen inside commands so that ``--help``
stays fast.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from typing import Any, NoReturn

# numpy's OpenBLAS starts a thread per core when numpy is imported, which costs every check about
# 0.06 s of CPU (as much as checking a month); rostercheck never multiplies matrices large enough to
# use them. Set before numpy loads (the commands import it); a value the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import click

from rostercheck.pipeline import apply_reading_options, load_config, read_with
from rostercheck.ranges import MAX_CHANGES, MAX_ROWS, MAX_TIME_LIMIT, MAX_WORKERS, SEED_RANGE
from rostercheck.report import FORMATS
from rostercheck.wording import plural

EXIT_OK, EXIT_ERRORS, EXIT_INPUT, EXIT_INFEASIBLE = 0, 1, 2, 3
FORMAT_NAMES = list(FORMATS)

EXIT_HELP = """\b
Exit codes:
  0  no errors (warnings allowed unless --strict)
  1  the roster breaks a rule (an error, or a warning with --strict); diff: the change adds one
  2  an input file, the config or a baseline cannot be used (one line says where; with
     several rosters, the usable ones are still checked and reported first)
  3  repair: no compliant roster exists (the reason is explained)"""


def _fail(message: str) -> NoReturn:
    click.echo(f"rostercheck: error: {message}", err=True)
    sys.exit(EXIT_INPUT)


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input is a one-line message and exit 2, never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from rostercheck.errors import InputError
        from rostercheck.output import begin

        begin()  # this command's inputs only: an earlier command in the same process constrains nothing
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


def _claim(outputs: dict[str, str | None], rosters: list[str] | tuple[str, ...], kw: dict[str, Any],
           previous: str | None = None, *others: str | None) -> None:
    """Before any work: every output a file of its own, never a file the command reads (the rosters,
    ``--previous``, ``others`` such as a baseline, and each roster's config, given or found), and
    ``--previous`` not a roster being checked (the month as its own history doubles every count).
    One check for every command; ``atomic_write`` enforces it again as each output is written."""
    import os

    from rostercheck.errors import InputError
    from rostercheck.output import claim
    from rostercheck.pipeline import inputs_of

    if previous is not None and os.path.realpath(previous) in {os.path.realpath(r) for r in rosters}:
        raise InputError("--previous is the roster itself; give the prior month's roster (or leave --previous out)",
                         file=previous)
    if any(outputs.values()):
        claim(outputs, inputs_of(rosters, kw, previous, *others))


class Seconds(click.ParamType):
    """A time limit: a finite number of seconds from 0.1 to a day (``FloatRange`` lets ``nan`` through)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            v = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not 0.1 <= v <= MAX_TIME_LIMIT:  # false for nan
            self.fail(f"{value!r} is not a number of seconds from 0.1 to {MAX_TIME_LIMIT}", param, ctx)
        return v


SECONDS = Seconds()


def _use_color(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


#: How to read a roster: the command-line side of ``[roster]`` (``init`` takes only these).
reading_options = [
    click.option("--sheet", multiple=True, help="Sheet to read (repeatable; default: every sheet that "
                 "looks like a roster)."),
    click.option("--layout", type=click.Choice(["grid", "half-day", "long", "duty-list", "transposed"]),
                 help="Roster layout (default: detected)."),
    click.option("--header-row", type=click.IntRange(1, MAX_ROWS), help="Row of the column headers (1-based)."),
    click.option("--date-row", type=click.IntRange(1, MAX_ROWS), help="Row of the dates, when not the header row."),
    click.option("--name-column", help="Header text or letter of the resident-name column."),
    click.option("--date-column", help="Long table: header text or letter of the date column."),
    click.option("--code-column", help="Long table: header text or letter of the code (shift, rotation) column."),
    click.option("--session-column", help="Long table: header text or letter of the AM/PM column."),
    click.option("--year", type=click.IntRange(1900, 2200), help="Year for dates written as M/D."),
    click.option("--date-order", type=click.Choice(["dmy", "mdy"]), help="Read dates like 03/04/2026 day "
                 "first (dmy) or month first (mdy) (default: decided from the file)."),
    click.option("--rows", "rows", multiple=True, metavar="COLUMN=PATTERN", help="Read only rows whose COLUMN "
                 "(header text or letter) matches PATTERN: a case-blind glob like 'ROLE=PGY*', or 're:' and a "
                 "regular expression (repeatable, one column)."),
    click.option("--am", metavar="HH:MM-HH:MM", help="Times of a half-day grid's AM columns (default 08:00-12:00)."),
    click.option("--pm", metavar="HH:MM-HH:MM", help="Times of a half-day grid's PM columns (default 13:00-17:00)."),
]
roster_options = [
    click.option("--config", "config_path", type=click.Path(dir_okay=False), help="rostercheck.toml to use "
                 "(default: beside the roster, then the working directory, then [tool.rostercheck] in "
                 "pyproject.toml)."),
    *reading_options,
    click.option("--preset", help="Comma-separated presets to use instead of the config's (e.g. "
                 "acgme,wellness; 'none' for only the config's rules)."),
]


def with_roster_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(roster_options):
        fn = opt(fn)
    return fn


def with_reading_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(reading_options):
        fn = opt(fn)
    return fn


def _one_line(error: click.UsageError) -> click.UsageError:
    """A command-line mistake is one line on stderr, as every other bad input is, not click's
    three (usage, hint, error): logs and CI annotations keep one line per problem."""

    def show(file: Any = None) -> None:
        where = error.ctx.command_path if error.ctx is not None else "rostercheck"
        click.echo(f"rostercheck: error: {error.format_message()} (see '{where} --help')", err=True)

    error.show = show  # type: ignore[method-assign]
    return error


class _Group(click.Group):
    """The command group, with command-line mistakes reported in one line (``_one_line``)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as e:
            raise _one_line(e) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as e:
            raise _one_line(e) from None


def _repair_settings(cfg: Any, lock: tuple[str, ...], lock_resident: tuple[str, ...]) -> Any:
    """``[repair]`` with the command line's locks added (repair and swap respect the same locks)."""
    from rostercheck.repair import Settings

    st = Settings.from_config(cfg.repair, cfg.path)
    st.locks += list(lock)
    st.lock_residents += list(lock_resident)
    return st


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_HELP)
@click.version_option(package_name="rostercheck", prog_name="rostercheck")
def main() -> None:
    """Check residency rosters against duty-hour and protected-time rules, and repair them.

    \b
    rostercheck init block.xlsx            draft a commented config for a new workbook
    rostercheck codes block.xlsx           the codes in use and what each means
    rostercheck read block.xlsx            how the file was read: sheets, rows, residents, skipped rows
    rostercheck check july.xlsx            what rules does this roster break?
    rostercheck repair july.xlsx -o out.xlsx   the fewest changes that fix it
    rostercheck swap july.xlsx A B 2026-07-04   is this trade compliant? (--suggest: who could take it)
    rostercheck fairness july.xlsx         who carries the load: calls, nights, weekends, hours
    rostercheck rules                      every rule kind and preset, with examples
    rostercheck report july.xlsx --html r.html   a page for people who do not read a terminal
    """


@main.command(epilog=EXIT_HELP)
@click.argument("rosters", nargs=-1, required=True, type=click.Path())
@with_roster_options
@click.option("--format", "fmt", type=click.Choice(["auto", *FORMAT_NAMES]), default="auto", show_default=True,
              help="Report format. auto: github (workflow-command annotations) under GitHub Actions "
              "(GITHUB_ACTIONS=true) when printing to stdout, else text. junit: JUnit XML for GitLab and "
              "Jenkins test widgets.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the report to this file "
              "instead of stdout.")
@click.option("--strict", is_flag=True, help="Warnings fail the check too (exit 1).")
@click.option("--quiet", "-q", is_flag=True, help="Text format: print only the summary line.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as history for averaging "
              "windows and rest at the start of the month.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Rosters checked at once, in "
              "worker processes (default 0: all cores; 1: one after another).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False), help="Fail only on findings "
              "not recorded in this file (made by `rostercheck baseline`); recorded ones that no longer "
              "occur are listed as fixed.")
@click.option("--annotate", "annotate_path", type=click.Path(dir_okay=False), help="Also write a copy of "
              "the roster workbook (.xlsx) with offending cells filled and commented and a first sheet "
              "'Violations' linking to them (one roster at a time; a csv roster gives a new .xlsx).")
@click.option("--keep-macros", is_flag=True, help="Keep VBA macros in an annotated .xlsm copy.")
@guarded
def check(rosters: tuple[str, ...], fmt: str, output: str | None, strict: bool, quiet: bool,
          previous: str | None, jobs: int, baseline_path: str | None, annotate_path: str | None,
          keep_macros: bool, **kw: Any) -> None:
    """Check ROSTERS against the configured rules: files (xlsx, xlsm or csv), directories (searched
    recursively for *.xlsx, *.xlsm and *.csv) and globs (expanded here, so quote them in CI). Each
    roster uses the config beside it; output is in path order."""
    from rostercheck.batch import check_many, expand_inputs, render_batch
    from rostercheck.output import atomic_write

    paths, problems = expand_inputs(rosters)
    if annotate_path and (len(paths) != 1 or problems):
        _fail("--annotate writes one annotated copy: give exactly one roster file")
    _claim({"--output": output, "--annotate": annotate_path}, paths, kw, previous, baseline_path)
    if annotate_path:
        from rostercheck.report.annotate import check_target

        check_target(annotate_path, paths[0], keep_macros=keep_macros)
    base = None
    if baseline_path:
        from rostercheck import baseline as bl

        base = bl.load(baseline_path)
    if fmt == "auto":
        from rostercheck.report.github import auto_format

        fmt = auto_format(to_file=bool(output))
    # JSON: each worker writes its roster's share of the report (a baseline changes the findings after)
    parts = "json" if fmt == "json" and base is None else None
    outcomes = check_many(paths, kw, previous, jobs, render=parts)
    results = [o.result for o in outcomes if o.error is None]
    rendered = [o.rendered for o in outcomes if o.error is None] if parts else None
    problems = sorted(problems + [o for o in outcomes if o.error is not None], key=lambda o: o.path)
    block = None
    if base is not None:
        results, comparison = bl.apply(base, results)
        block = comparison.block()
    text, carried = render_batch(fmt, results, problems, block, rendered=rendered,
                                 color=not output and _use_color(sys.stdout), quiet=quiet, strict=strict)
    if output:
        atomic_write(output, text, option="--output")
        if fmt != "json" and results:
            from rostercheck.report.text import summary_line

            click.echo(summary_line(results, block["baselined"] if block else 0))
    else:
        click.echo(text, nl=False)
    if annotate_path and results:
        from rostercheck.report.annotate import annotate_check

        done = annotate_check(results[0], annotate_path, keep_macros=keep_macros)
        if not quiet:
            click.echo(f"rostercheck: wrote {done.path} ({plural(done.cells, 'cell')} marked, "
                       f"{plural(done.comments, 'comment')})",
                       err=True)
    if block is not None and not carried:
        click.echo(bl.text_lines(block)[0], err=True)
    for p in problems:
        click.echo(f"rostercheck: error: {p.error}", err=True)
    errors = sum(r.errors for r in results)
    warnings = sum(r.warnings for r in results)
    if problems:
        sys.exit(EXIT_INPUT)
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
@click.option("--max-changes", type=click.IntRange(0, MAX_CHANGES), help="Refuse answers with more changed cells.")
@click.option("--time-limit", type=SECONDS, help="Seconds for the whole command, model building included "
              "(default 30).")
@click.option("--workers", type=click.IntRange(0, MAX_WORKERS), help="Solver threads (default: all cores).")
@click.option("--seed", type=click.IntRange(*SEED_RANGE), help="The solver's random seed (answers are the same "
              "on every run anyway).")
@click.option("--allow-remaining", is_flag=True, help="If no compliant roster exists, return the one with "
              "the fewest remaining errors instead.")
@click.option("--fix-warnings", is_flag=True, help="Treat warnings as rules the repair must satisfy.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as fixed history.")
@click.option("--keep-macros", is_flag=True, help="Keep VBA macros in a repaired .xlsm copy.")
@click.option("--annotate", "annotate_path", type=click.Path(dir_okay=False), help="Also write an annotated "
              "copy (.xlsx): changed cells marked as in the repaired copy, findings left after the repair "
              "filled and commented, and a first sheet 'Violations' linking to them.")
@guarded
def repair(roster: str, output: str | None, fmt: str, changes_path: str | None, lock: tuple[str, ...],
           lock_resident: tuple[str, ...], only_residents: str | None, max_changes: int | None,
           time_limit: float | None, workers: int | None, seed: int | None, allow_remaining: bool,
           fix_warnings: bool, previous: str | None, keep_macros: bool, annotate_path: str | None,
           **kw: Any) -> None:
    """Repair ROSTER with the fewest changed cells: every error fixed, coverage kept, leave,
    wellness time and locked cells untouched."""
    started = time.monotonic()  # --time-limit counts from here: reading and model building included
    from rostercheck.output import atomic_write
    from rostercheck.repair import repair as run_repair
    from rostercheck.repair.report import render_json, render_text
    from rostercheck.repair.solve import print_progress
    from rostercheck.workbook import changes_csv, check_copy_target, write_changes

    _claim({"--output": output, "--changes": changes_path, "--annotate": annotate_path}, [roster], kw, previous)
    if output:
        check_copy_target(output, roster, keep_macros=keep_macros)
    if annotate_path:
        from rostercheck.report.annotate import check_target

        check_target(annotate_path, roster, keep_macros=keep_macros)
    cfg = load_config(roster, kw)
    st = _repair_settings(cfg, lock, lock_resident)
    if only_residents:
        st.only_residents = [n.strip() for n in only_residents.split(",") if n.strip()]
        st.from_config_lists.pop("only_residents", None)  # the option replaces the config's list
    for name, value in (("max_changes", max_changes), ("time_limit", time_limit), ("workers", workers),
                        ("seed", seed)):
        if value is not None:
            setattr(st, name, value)
    st.allow_remaining = st.allow_remaining or allow_remaining
    st.fix_warnings = fix_warnings
    st.started = started
    raw = read_with(roster, cfg)
    prev = read_with(previous, cfg) if previous else None
    progress = print_progress() if fmt == "text" else None
    result = run_repair(raw, cfg, st, previous=prev, progress=progress)
    if progress:
        sys.stderr.write("\r" + " " * 70 + "\r")
    written = None
    # the output is a compliant roster (README: every error rule holds in it), or with
    # --allow-remaining the closest one found; a repair cut short with errors left writes nothing
    usable = result.repaired is not None and result.after is not None and (
        not result.after.errors or st.allow_remaining)
    if result.repaired is not None and not usable and (output or changes_path or annotate_path):
        click.echo(f"rostercheck: nothing written: {plural(result.after.errors, 'error')} left in the best roster "
                   "found (--allow-remaining writes it anyway)", err=True)
    if usable and output:
        write_changes(roster, output, result.outcome.changes, keep_macros=keep_macros)
        written = output
    if changes_path and usable:
        atomic_write(changes_path, changes_csv(result.outcome.changes), option="--changes")
    if annotate_path and (usable or result.repaired is None):
        from rostercheck.report.annotate import annotate_repair

        done = annotate_repair(result, annotate_path, keep_macros=keep_macros)
        click.echo(f"rostercheck: wrote {done.path} ({done.changed} changed, {plural(done.cells, 'cell')} marked)",
                   err=True)
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
@click.option("--markdown", is_flag=True, help="Every preset and kind as one Markdown page (docs/rules.md).")
@guarded
def rules(rule_id: str | None, config_path: str | None, markdown: bool) -> None:
    """List every rule kind and preset, or show one rule or kind in full."""
    from rostercheck.rules_doc import describe, overview
    from rostercheck.rules_doc import markdown as as_markdown

    if markdown:
        click.echo(as_markdown(), nl=False)
        return
    click.echo(describe(rule_id, config_path) if rule_id else overview(config_path), nl=False)


@main.command("baseline", epilog=EXIT_HELP)
@click.argument("rosters", nargs=-1, required=True, type=click.Path())
@with_roster_options
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=".rostercheck-baseline.json",
              show_default=True, help="The baseline file to write (rosters are named relative to its folder).")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as for check.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=0, help="Rosters checked at once (default 0: "
              "all cores).")
@guarded
def baseline_command(rosters: tuple[str, ...], output: str, previous: str | None, jobs: int, **kw: Any) -> None:
    """Record the current findings of ROSTERS (files, directories, globs), so that
    `check --baseline FILE` fails only on findings added later. Findings are matched by roster, rule,
    resident and dates, not by cell, so inserting a row keeps the baseline valid."""
    from rostercheck import baseline as bl
    from rostercheck.batch import check_many, expand_inputs
    from rostercheck.output import atomic_write

    paths, problems = expand_inputs(rosters)
    _claim({"--output": output}, paths, kw, previous)
    outcomes = check_many(paths, kw, previous, jobs)
    problems = sorted(problems + [o for o in outcomes if o.error is not None], key=lambda o: o.path)
    if problems:  # a baseline missing a file's findings would fail that file's every check later
        for p in problems:
            click.echo(f"rostercheck: error: {p.error}", err=True)
        _fail(f"{output}: not written: every roster must be readable to record a baseline")
    results = [o.result for o in outcomes]
    doc = bl.document(results, os.path.dirname(os.path.abspath(output)))
    atomic_write(output, bl.dumps(doc), option="--output")
    n, errors = len(doc["entries"]), sum(r.errors for r in results)
    click.echo(f"recorded {plural(n, 'finding')} ({plural(errors, 'error')}, "
               f"{plural(n - errors, 'warning')}) from {plural(len(results), 'roster')} in {output}")
    sys.exit(EXIT_OK)


@main.command("diff", epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@with_roster_options
@click.option("--git", "rev", metavar="REV", help="Compare PATH with its version at this git revision "
              "(commit, branch or tag), e.g. `diff --git origin/main -- rosters/july.xlsx`.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--strict", is_flag=True, help="Warnings the change introduces fail too (exit 1).")
@guarded
def diff_command(paths: tuple[str, ...], rev: str | None, fmt: str, strict: bool, **kw: Any) -> None:
    """What a change to a roster does: `diff OLD NEW` or `diff --git REV -- PATH`.

    Lists the changed assignments (resident, date, old code, new code), residents added or removed,
    and the findings the change introduces and fixes, both versions checked with PATH's (NEW's)
    config. Exits 1 when the change introduces an error."""
    from rostercheck.diff import compare, git_version, read_version, render_json, render_text

    if rev is None and len(paths) != 2:
        raise click.UsageError("give two rosters (OLD NEW), or one with --git REV -- PATH")
    if rev is not None and len(paths) != 1:
        raise click.UsageError("with --git, give one roster: --git REV -- PATH")
    new_path = paths[-1]
    cfg = load_config(new_path, kw)
    new = read_with(new_path, cfg)
    if rev is None:
        d = compare(read_with(paths[0], cfg), new, cfg, old_label=paths[0], new_label=new_path)
    else:
        with git_version(rev, new_path) as (tmp, label):
            old = read_version(tmp, label, cfg.roster) if tmp else None
            d = compare(old, new, cfg, old_label=label, new_label=new_path)
    click.echo(render_json(d) if fmt == "json" else render_text(d), nl=False)
    sys.exit(EXIT_ERRORS if d.fails(strict) else EXIT_OK)


@main.command("report", epilog="\b\nExit codes:\n  0  the page was written (whatever the roster breaks)\n"
              "  2  an input file or the config cannot be used (one line says where)")
@click.argument("roster", type=click.Path())
@with_roster_options
@click.option("--html", "html_path", required=True, type=click.Path(dir_okay=False), help="Write the report "
              "here: one self-contained page (no network) with the calendar, weekly hours, rules and findings.")
@click.option("--pdf", "pdf_path", type=click.Path(dir_okay=False), help="Also print the page to this PDF "
              "through a headless Chromium (Debian's `chromium` package), as its print stylesheet lays it out.")
@click.option("--paper", type=click.Choice(["a4", "letter"], case_sensitive=False), default="a4", show_default=True,
              help="Landscape sheet the page prints on (and --pdf writes).")
@click.option("--repair", "do_repair", is_flag=True, help="Also repair the roster and show before and after "
              "with the changes marked (settings from the config's [repair] table).")
@click.option("--time-limit", type=SECONDS, help="With --repair: seconds for the whole command, model "
              "building included (default 30).")
@click.option("--workers", type=click.IntRange(0, MAX_WORKERS), help="With --repair: solver threads (default: "
              "all cores; as for repair, a proven answer is the same whatever the number).")
@click.option("--seed", type=click.IntRange(*SEED_RANGE), help="With --repair: the solver's random seed.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as for check.")
@guarded
def report_command(roster: str, html_path: str, pdf_path: str | None, paper: str, do_repair: bool,
                   time_limit: float | None, workers: int | None, seed: int | None, previous: str | None,
                   **kw: Any) -> None:
    """Write an HTML report of ROSTER for people who do not read a terminal. Prints the summary
    line; exits 0 once the page is written, whatever the roster breaks (gate CI with `check`)."""
    started = time.monotonic()
    from rostercheck.check import check_raw
    from rostercheck.output import atomic_write
    from rostercheck.report.html import render_page
    from rostercheck.report.text import summary_line

    _claim({"--html": html_path, "--pdf": pdf_path}, [roster], kw, previous)
    browser = None
    if pdf_path:
        from rostercheck.report.pdf import require_browser

        browser = require_browser(pdf_path)  # before any work: say which package is missing
    cfg = load_config(roster, kw)
    raw = read_with(roster, cfg)
    prev = read_with(previous, cfg) if previous else None
    fixed = None
    if do_repair:
        from rostercheck.repair import repair as run_repair

        st = _repair_settings(cfg, (), ())
        for name, value in (("time_limit", time_limit), ("workers", workers), ("seed", seed)):
            if value is not None:
                setattr(st, name, value)
        st.started = started
        fixed = run_repair(raw, cfg, st, previous=prev)
        result = fixed.before
    else:
        result = check_raw(raw, cfg, prev)
    from rostercheck.fairness import fairness
    from rostercheck.report.fairness_html import fairness_section

    extra = [fairness_section(fairness(result.timeline, result.path))]
    atomic_write(html_path, render_page(result, raw=raw, repair=fixed, paper=paper.lower(), extra=extra),
                 option="--html")
    if pdf_path:
        from rostercheck.report.pdf import write_pdf

        write_pdf(html_path, pdf_path, browser=browser)
    click.echo(summary_line([result]))
    if fixed is not None:
        from rostercheck.repair.report import status_line

        click.echo(f"repair: {status_line(fixed)}")
    click.echo(f"wrote {html_path}" + (f" and {pdf_path}" if pdf_path else ""))
    sys.exit(EXIT_OK)


@main.command("init", epilog="\b\nExit codes:\n  0  the config was written\n  2  the roster cannot be read, or "
              "the config file already exists (init never overwrites one)")
@click.argument("roster", type=click.Path())
@with_reading_options
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the config here instead of "
              "rostercheck.toml beside the roster (never over an existing file).")
@guarded
def init_command(roster: str, output: str | None, **kw: Any) -> None:
    """Inspect ROSTER and write a commented rostercheck.toml beside it: the layout found, a `rows`
    filter when residents share the sheet with faculty or students, and every code with a guessed
    meaning (CONFIRM: a guess to check; TODO: unknown, counted as work). Prints what it found and
    what is left to decide; `rostercheck check ROSTER` runs with the file as written."""
    from rostercheck import onboard
    from rostercheck.model import RosterOptions
    from rostercheck.output import atomic_write

    options = apply_reading_options(RosterOptions(), kw)
    _claim({"--output": output}, [roster], {})
    target = onboard.init_target(roster, output)
    found = onboard.draft(roster, options)
    text = onboard.render_config(found, options)
    onboard.check_draft(text, roster, options)
    atomic_write(target, text)
    shown = output or os.path.join(os.path.dirname(roster), onboard.CONFIG_NAME)
    beside = os.path.realpath(target) == os.path.realpath(
        os.path.join(os.path.dirname(os.path.abspath(roster)), onboard.CONFIG_NAME))
    then = f"rostercheck check {roster}" + ("" if beside else f" --config {output}")
    click.echo(onboard.render_summary(found, shown, then), nl=False)
    sys.exit(EXIT_OK)


@main.command("codes", epilog="\b\nExit codes:\n  0  every code in the roster is defined\n  1  some codes are "
              "not defined (shown as NOT DEFINED; check would stop on them)\n  2  the roster or the config cannot "
              "be used (one line says where)")
@click.argument("roster", type=click.Path())
@with_roster_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format.")
@guarded
def codes_command(roster: str, fmt: str, **kw: Any) -> None:
    """List the codes in ROSTER: how many cells hold each, where it first appears, and what it means
    under the config in force (kind, times, and whether that comes from the built-in legend, the
    workbook's legend sheet or the config), or NOT DEFINED."""
    from rostercheck.check import legend_for
    from rostercheck.onboard import codes_report, render_codes_json, render_codes_text

    cfg = load_config(roster, kw)
    raw = read_with(roster, cfg)
    report = codes_report(raw, legend_for(raw, cfg), cfg.path)
    click.echo(render_codes_json(report) if fmt == "json" else render_codes_text(report), nl=False)
    sys.exit(EXIT_ERRORS if report.undefined else EXIT_OK)


SWAP_EXIT = """\b
Exit codes:
  0  the trade introduces no error (warnings allowed unless --strict); --suggest: at least one
     compliant trade was found
  1  the trade introduces an error (or, with --strict, a warning); --suggest: none was found
  2  the roster, the config or the command line cannot be used (an unknown name suggests the
     nearest, a date outside the roster names its range)"""


@main.command("swap", epilog=SWAP_EXIT)
@click.argument("roster", type=click.Path())
@click.argument("args", nargs=-1, required=True, metavar="NAME_A NAME_B DATE [DATE ...] | NAME DATE --suggest")
@with_roster_options
@click.option("--suggest", is_flag=True, help="List trades that take NAME's cell(s) on DATE away: a same-date "
              "exchange with a partner, or that plus one payback date; each introduces no error.")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True, help="--suggest: how many "
              "trades to list.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the traded copy here (same format "
              "as the input; changed cells highlighted and commented; never the input itself).")
@click.option("--strict", is_flag=True, help="Warnings the trade introduces fail too (exit 1).")
@click.option("--lock", multiple=True, metavar="'NAME:YYYY-MM-DD'", help="A cell no trade may move "
              "(repeatable; with [repair] locks).")
@click.option("--lock-resident", multiple=True, metavar="NAME", help="A resident whose cells no trade may move.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as history for windows and rest.")
@click.option("--keep-macros", is_flag=True, help="Keep VBA macros in a traded .xlsm copy.")
@guarded
def swap_command(roster: str, args: tuple[str, ...], suggest: bool, limit: int, fmt: str, output: str | None,
                 strict: bool, lock: tuple[str, ...], lock_resident: tuple[str, ...], previous: str | None,
                 keep_macros: bool, **kw: Any) -> None:
    """Check a trade before it is approved: `swap ROSTER NAME_A NAME_B DATE [DATE ...]` exchanges the
    two residents' cells (every slot) on each DATE and reports what the trade introduces and fixes,
    matched as `diff` matches. `swap ROSTER NAME DATE --suggest` lists partners for whom taking
    NAME's cell(s) on DATE is compliant, best first: fewest new warnings, smallest change in fair
    shares, nearest payback date. Locks, leave, wellness and eligibility are respected as by repair."""
    from rostercheck import swap as sw

    if suggest and len(args) != 2:
        raise click.UsageError("with --suggest, give one resident and one date: swap ROSTER NAME DATE --suggest")
    if not suggest and len(args) < 3:
        raise click.UsageError("give two residents and at least one date: swap ROSTER NAME_A NAME_B DATE [DATE ...]")
    if suggest and output:
        raise click.UsageError("--output writes one trade: run swap with the suggested partner and dates")
    _claim({"--output": output}, [roster], kw, previous)
    if output:
        from rostercheck.workbook import check_copy_target

        check_copy_target(output, roster, keep_macros=keep_macros)
    cfg = load_config(roster, kw)
    st = _repair_settings(cfg, lock, lock_resident)
    raw = read_with(roster, cfg)
    prev = read_with(previous, cfg) if previous else None
    if suggest:
        found = sw.suggest(raw, cfg, args[0], args[1], previous=prev, settings=st, limit=limit)
        text = sw.render_suggestions_json(found) if fmt == "json" else sw.render_suggestions_text(found)
        click.echo(text, nl=False)
        sys.exit(EXIT_OK if found.suggestions else EXIT_ERRORS)
    t = sw.trade(raw, cfg, args[0], args[1], list(args[2:]), previous=prev, settings=st)
    text = sw.render_trade_json(t, strict) if fmt == "json" else sw.render_trade_text(t)
    click.echo(text, nl=False)
    if output:
        sw.write_trade(t, roster, output, cfg, previous=prev, keep_macros=keep_macros)
        click.echo(f"rostercheck: wrote {output} ({plural(len(t.diff.changes), 'cell')} changed)", err=True)
    sys.exit(EXIT_ERRORS if t.fails(strict) else EXIT_OK)


@main.command("fairness", epilog="\b\nExit codes:\n  0  the figures were written\n  2  the roster or the config "
              "cannot be used (one line says where)")
@click.argument("roster", type=click.Path())
@with_roster_options
@click.option("--by", "by", type=click.Choice(["team-pgy", "team", "pgy", "role", "all"]), default="team-pgy",
              show_default=True, help="Groups residents are compared within.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True,
              help="Output format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@click.option("--previous", type=click.Path(), help="The prior month's roster, as for check (history is not "
              "counted).")
@guarded
def fairness_command(roster: str, by: str, fmt: str, output: str | None, previous: str | None, **kw: Any) -> None:
    """Who carries the load in ROSTER: per resident, calls, nights, weekend days worked, golden
    weekends, hours and cells per code; per group (team and PGY, or --by), the mean, min, max and
    spread, prorated by on-service days when leave differs."""
    from rostercheck.check import check_raw
    from rostercheck.fairness import fairness, render_csv, render_json, render_text
    from rostercheck.output import atomic_write

    _claim({"--output": output}, [roster], kw, previous)
    cfg = load_config(roster, kw)
    raw = read_with(roster, cfg)
    prev = read_with(previous, cfg) if previous else None
    result = check_raw(raw, cfg, prev)
    fa = fairness(result.timeline, roster, by)
    text = {"json": render_json, "csv": render_csv}.get(fmt, render_text)(fa)
    if output:
        atomic_write(output, text, option="--output")
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_OK)


@main.command("read", epilog="\b\nExit codes:\n  0  the roster was read (warnings allowed)\n  2  the roster or "
              "the config cannot be used (one line says where)")
@click.argument("roster", type=click.Path())
@with_roster_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Output format; json prints the 'read' object of docs/json.md.")
@guarded
def read_command(roster: str, fmt: str, **kw: Any) -> None:
    """Show how ROSTER was read, before any rule: each sheet used or skipped and why; the layout,
    header, date and session rows, name and attribute columns and the dates; every resident with
    their row and number of codes; every skipped row with its reason; and warnings. Run it when a
    count of residents looks wrong."""
    from rostercheck.check import legend_for
    from rostercheck.read import inspect_roster
    from rostercheck.report.reading import render_json, render_text

    cfg = load_config(roster, kw)
    raw = inspect_roster(roster, cfg.roster, lenient=False).roster
    legend_for(raw, cfg)  # adds a warning for each legend-sheet row that cannot be used
    assert raw.read is not None
    click.echo(render_json(raw.read) if fmt == "json" else render_text(roster, raw.read), nl=False)
    sys.exit(EXIT_OK)


def run() -> NoReturn:
    """The console script (and ``python -m rostercheck``): the command, then an exit without the
    interpreter's teardown.

    Freeing every module and object at exit (numpy, the checker, the results) costs 20-30 ms of CPU,
    a seventh of a one-roster check, and no user waits for it usefully. Everything a command writes
    is complete before ``main`` returns (outputs are closed and renamed into place as they are
    written), so only what a normal exit would still do is done here: the ``atexit`` handlers (the
    temporary folders of ``diff`` and ``swap``, multiprocessing's clean-up) and flushing stdout and
    stderr. Where that cannot be done as Python would (another interpreter, a thread still running),
    the exit is the normal one. Tests call ``main`` through Click's runner and never reach this.
    """
    import atexit
    import threading

    try:
        main()
        status: Any = 0
    except SystemExit as e:
        status = e.code
    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if run_exitfuncs is None or threading.active_count() > 1:
        sys.exit(status)
    run_exitfuncs()
    if status is None:
        status = 0
    elif not isinstance(status, int):  # as sys.exit("text") would: the text on stderr, status 1
        print(status, file=sys.stderr)
        status = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (``| head``): Python's own exit reports 120
        status = status or 120
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    run()
