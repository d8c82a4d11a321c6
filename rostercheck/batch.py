"""Checking many rosters in one run: what CI needs from ``check`` and ``baseline``.

A repository of rosters is checked the way code is linted: the command takes files, directories
and globs (expanded here, so quoted globs work the same on every shell and in CI YAML), checks the
files in worker processes, and hands results back in path order so the report never depends on
which file finished first. A file that cannot be read is one line of error, not the end of the run:
the others are still checked and reported, and the caller exits 2 afterwards.

What crosses the process boundary is a ``FileOutcome``: a path plus either a ``CheckResult``
without its timeline (``CheckResult.detached``: findings and the summary the reports print) or the
error's one-line text (never a live exception, whose pickling is fragile).

Parallel runs must pay for themselves on many small rosters, where a check costs a few
milliseconds: workers are forked from a parent that has already imported the checker (pandas,
numpy, calamine), so no worker imports them again, and files are handed out in chunks rather than
one message per file.
"""

from __future__ import annotations

import glob
import importlib
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rostercheck.errors import InputError

#: Files a directory or a glob expands to. Files named explicitly may have any extension the reader
#: knows (or none: then the reader's one-line "not a spreadsheet" error says so).
ROSTER_SUFFIXES = (".xlsx", ".xlsm", ".csv")
_GLOB_CHARS = frozenset("*?[")

T = TypeVar("T")
R = TypeVar("R")


@dataclass
class FileOutcome:
    """One input's result: exactly one of ``result`` and ``error`` is set."""

    path: str
    result: Any = None  # CheckResult; Any keeps this module free of the pandas import
    error: str | None = None
    #: the result's share of the JSON report, written where it was checked (``json_report.Rendered``)
    rendered: Any = None


# ------------------------------------------------------------------------------------ expansion
def _is_roster_name(name: str) -> bool:
    return (name.lower().endswith(ROSTER_SUFFIXES) and not name.startswith("~$")  # Excel lock files
            and not name.startswith("."))


def _walk(directory: str) -> list[str]:
    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))  # .git, .venv, ...
        found += [os.path.join(root, f) for f in files if _is_roster_name(f)]
    return found


def expand_inputs(args: Iterable[str]) -> tuple[list[str], list[FileOutcome]]:
    """Files, directories and globs -> (roster paths deduplicated and sorted by path, unusable args).

    A path that does not exist is kept (the reader reports it as that input's one-line error). A
    glob or a directory that yields no roster is returned as an unusable input: in CI it almost
    always means a wrong pattern, and a check that silently checked nothing would pass.
    """
    seen: set[str] = set()
    empty: list[FileOutcome] = []
    for arg in args:
        if os.path.isdir(arg):
            hits = _walk(arg)
            if not hits:
                kinds = ", ".join("*" + s for s in ROSTER_SUFFIXES)
                empty.append(FileOutcome(arg, error=f"{arg}: no roster files ({kinds}) in this folder"))
        elif not os.path.exists(arg) and _GLOB_CHARS & set(arg):
            hits = []
            for m in sorted(glob.glob(arg, recursive=True)):
                if os.path.isdir(m):
                    hits += _walk(m)
                elif _is_roster_name(os.path.basename(m)):
                    hits.append(m)
            if not hits:
                empty.append(FileOutcome(arg, error=f"{arg}: no roster files match this pattern"))
        else:
            hits = [arg]
        seen.update(os.path.normpath(h) for h in hits)
    return sorted(seen, key=lambda p: Path(p).parts), empty


# ------------------------------------------------------------------------------------ running
def default_jobs() -> int:
    """All the cores this process may use (the affinity mask, which containers and CI runners set)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _pool_context() -> Any:
    """``fork`` on Linux, so workers start with the parent's imports already done (``preload``);
    elsewhere (macOS, Windows: fork is unsafe or absent) the platform's default start method."""
    import multiprocessing

    if sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


def _apply_all(fn: Callable[[T], R], chunk: Sequence[T]) -> list[R]:
    """One worker's share: a chunk of items, one message there and one back."""
    return [fn(x) for x in chunk]


def run_ordered(fn: Callable[[T], R], items: Sequence[T], jobs: int = 0, preload: Sequence[str] = (),
                on_crash: Callable[[T], R] | None = None) -> list[R]:
    """``[fn(x) for x in items]``, in worker processes when that can help; results in input order.

    ``jobs`` 0 means all cores; one item or ``jobs == 1`` runs here, with no pool to start. ``fn``
    must be a module-level function and its arguments and results must pickle. ``preload`` names
    modules imported here before the workers are forked, so each worker does not import them again
    (on Linux; see ``_pool_context``). Items go out in chunks, a few per worker, so a small item costs
    no message of its own. Where processes cannot be started (a sandbox without semaphores), the
    work runs serially rather than failing.

    A worker that dies (a reader aborting the process on a crafted file) breaks the whole pool, and
    which of the files in flight killed it cannot be told. So the files left unfinished are run
    again one at a time, each in a worker of its own: the one that kills its worker again is the
    culprit, and becomes ``on_crash(item)``; every other file is still done. Without ``on_crash``
    the ``BrokenProcessPool`` is raised.
    """
    jobs = jobs or default_jobs()
    workers = min(jobs, len(items))
    if workers <= 1:
        return [fn(x) for x in items]
    from concurrent.futures import ProcessPoolExecutor  # here: a single check need not import it (~10 ms)

    for name in preload:
        importlib.import_module(name)
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context())
    except (OSError, NotImplementedError, ImportError):
        return [fn(x) for x in items]
    from concurrent.futures.process import BrokenProcessPool

    done: dict[int, R] = {}
    with pool:
        futures = [(s, pool.submit(_apply_all, fn, list(items[s:e]))) for s, e in _chunks(len(items), workers)]
        for s, f in futures:  # in submission order, whatever finishes first
            try:
                done.update(enumerate(f.result(), start=s))
            except BrokenProcessPool:
                if on_crash is None:
                    raise
    left = [i for i in range(len(items)) if i not in done]
    if left:
        assert on_crash is not None
        done.update(_one_at_a_time(fn, items, left, on_crash))
    return [done[i] for i in range(len(items))]


def _chunks(n: int, workers: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the chunks ``n`` items are handed out in: large first, smaller and smaller.

    Each chunk is an eighth of what is left per worker, so the first messages carry many files
    (few messages in all) and the last ones a file or two: the workers run out of work within a
    file of each other. Equal chunks of an eighth per worker left one worker idle for up to a whole
    chunk at the end (25 small rosters, 0.2 s of a 1 s batch).
    """
    out: list[tuple[int, int]] = []
    s = 0
    while s < n:
        size = max(1, (n - s) // (workers * 4))
        out.append((s, min(n, s + size)))
        s += size
    return out


def _one_at_a_time(fn: Callable[[T], R], items: Sequence[T], left: list[int],
                   on_crash: Callable[[T], R]) -> dict[int, R]:
    """Run ``items[i]`` for each ``i`` in ``left`` in a one-worker pool, a fresh one after each death."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    out: dict[int, R] = {}
    pool: ProcessPoolExecutor | None = None
    try:
        for i in left:
            if pool is None:
                pool = ProcessPoolExecutor(max_workers=1, mp_context=_pool_context())
            try:
                out[i] = pool.submit(fn, items[i]).result()
            except BrokenProcessPool:
                out[i] = on_crash(items[i])
                pool.shutdown(wait=True)
                pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return out


@dataclass(frozen=True)
class CheckJob:
    """Everything one worker needs to check one file (plain data, so it pickles)."""

    path: str
    options: tuple[tuple[str, Any], ...]  # the command's roster options (``--config``, ``--sheet``, ...)
    previous: str | None = None
    #: "json": also write the result's share of the JSON report (in the worker, in parallel)
    render: str | None = None


def check_file(job: CheckJob) -> FileOutcome:
    """Check one roster with its own config (found beside it); an unusable input becomes its error line."""
    from rostercheck.pipeline import check_path

    try:
        result = check_path(job.path, dict(job.options), job.previous)
        rendered = None
        if job.render == "json":
            from rostercheck.report.json_report import rendered as json_part

            rendered = json_part(result)
        return FileOutcome(job.path, result=result.detached(), rendered=rendered)
    except InputError as e:
        msg = str(e)  # a config or --previous error names that file: say which roster it stopped
        return FileOutcome(job.path, error=msg if msg.startswith(job.path) else f"{job.path}: {msg}")
    except Exception as e:
        if os.environ.get("ROSTERCHECK_DEBUG"):
            raise
        return FileOutcome(job.path, error=f"{job.path}: unexpected {type(e).__name__}: {e} (set "
                           "ROSTERCHECK_DEBUG=1 for details, and please report it)")


def check_many(paths: Sequence[str], options: dict[str, Any], previous: str | None = None,
               jobs: int = 0, render: str | None = None) -> list[FileOutcome]:
    """Check every path (in parallel when there are several), results in the order of ``paths``.

    ``render="json"``: each outcome also carries its share of the JSON report (``rendered``), for
    ``render_batch`` to join.
    """
    opts = tuple(sorted(options.items()))
    return run_ordered(check_file, [CheckJob(p, opts, previous, render) for p in paths], jobs, preload=_CHECKER,
                       on_crash=crashed)


#: What a check of a workbook imports, loaded before workers are forked, so no worker imports it again
#: (tests/test_batch.py holds a check of a sample to importing nothing more).
_CHECKER = ("rostercheck.pipeline", "rostercheck.check", "rostercheck.read", "rostercheck.safety",
            "rostercheck.safety.xlsx", "rostercheck.read.xlsx_values", "rostercheck.config", "rostercheck.report",
            "rostercheck.report.json_report", "rostercheck.output", "python_calamine", "zoneinfo",
            "encodings.cp437")


def crashed(job: CheckJob) -> FileOutcome:
    """The outcome of a file whose worker process died reading it (run again alone, it died again)."""
    return FileOutcome(job.path, error=f"{job.path}: reading this file crashed the reader's process (the file is "
                       "damaged or crafted); nothing in it was checked")


# ------------------------------------------------------------------------------------ reporting
#: Formats whose renderer takes ``problems``, ``baseline`` and ``strict`` itself.
_AWARE = ("github", "junit")


def render_batch(fmt: str, results: Sequence[Any], problems: Sequence[FileOutcome] = (),
                 baseline: dict[str, Any] | None = None, rendered: Sequence[Any] | None = None,
                 **options: Any) -> tuple[str, bool]:
    """Render ``results`` in ``fmt`` with what a batch adds (unusable inputs, the baseline block).

    Returns the text and whether it carries the baseline summary; when it does not (a format that
    has no place for it), the caller prints that summary on stderr. Text and JSON are decorated
    here rather than in their renderers, so those keep their one-argument contract: JSON only gains
    keys (``baseline``, ``unusable``), text gains lines just above its final summary line.

    ``rendered``: for JSON, each result's share of the document as its worker wrote it
    (``check_many(render="json")``), aligned with ``results``, which must be the results as checked
    (not narrowed by a baseline afterwards).
    """

    from rostercheck.report import render

    if fmt in _AWARE:
        return render(fmt, results, problems=problems, baseline=baseline, **options), True
    options.pop("strict", None)
    if fmt == "text" and not results:
        return "", False  # nothing was checked: the errors on stderr say why; no "ok" line
    if fmt == "text" and baseline is not None:
        options["baselined"] = baseline.get("baselined", 0)
    if fmt == "json":  # the document once, its additions, one dump (not a dump, a parse and a dump again)
        from rostercheck.report.json_report import document, dumps, join

        extra: dict[str, Any] = {}
        if baseline is not None:
            extra["baseline"] = baseline
        if problems:
            extra["unusable"] = [{"roster": p.path, "message": p.error} for p in problems]
        if rendered is not None and len(rendered) == len(results) and all(r is not None for r in rendered):
            return join(results, rendered, extra), True
        doc = document(results)
        doc.update(extra)
        return dumps(doc) + "\n", True
    text = render(fmt, results, **options)
    if fmt == "text":
        extra = []
        if baseline is not None:  # only then: the baseline module (and hashlib) stays out of a plain check
            from rostercheck.baseline import text_lines

            extra = text_lines(baseline)
        extra += [f"not checked: {p.error}" for p in problems]
        if extra:
            lines = text.rstrip("\n").split("\n")
            text = "\n".join([*lines[:-1], *extra, lines[-1]]) + "\n"
        return text, True
    return text, False
