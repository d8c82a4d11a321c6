"""How far ``rostercheck check`` is from the floor: reading the file, whole process against whole process.

    python benchmarks/floor_bench.py                  # the documented table (docs/performance.md), ~6 min
    python benchmarks/floor_bench.py --quick          # 30 x 31 and 1,500 x 365 only, 3 pairs
    python benchmarks/floor_bench.py --only batch     # one section: startup, single, batch

``check_bench.py`` times the stages inside one interpreter (its *pipeline* ratio leaves out the
interpreter start and imports). This script measures what a user waits for and pays: every figure
is a separate process that did nothing else, started through a small launcher so that its peak
memory is its own (``common.run_process``), and timed by its own CPU time (user + sys), which other
users of a shared machine barely change. Each comparison runs its two commands alternately
(``common.paired``) and reports the median of the per-pair ratios.

- *end to end*: ``rostercheck check FILE --format json --jobs 1`` (interpreter, imports, config,
  read, safety scan, check, JSON output) against a bare read of the same cells in its own process:
  python-calamine for a workbook; for csv the fastest reader installed (the ``csv`` module,
  pandas' C parser, pyarrow's reader when pyarrow is installed), each whole process;
- *peak memory*: the check's own peak resident memory, and per cell at the largest size;
- *startup*: ``rostercheck --help`` and one 30 x 31 check, wall and CPU;
- *batch*: 200 small rosters (30 residents x 31 days, different seeds) in one call, ``--jobs 1``
  against the default (all cores), and against reading the 200 files in one bare process. Parallel
  speed-up is a wall-clock figure, so it is the noisy one on a shared machine: run it when the
  machine is quiet, and read the CPU columns beside it.

Targets (issue 17) are printed beside each figure; they live here, never in timed unit tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

if "--worker" not in sys.argv:  # the measured batch parent imports rostercheck only, as the CLI's does
    import check_bench
    from common import machine, paired, pyarrow_line, run_process, synth

HERE = Path(__file__).resolve().parent
BATCH = 200
BATCH_SIZE = (30, 31)

CALAMINE = """
import sys
from python_calamine import CalamineWorkbook
n = 0
for path in sys.argv[1:]:
    wb = CalamineWorkbook.from_path(path)
    n += sum(len(r) for name in wb.sheet_names for r in wb.get_sheet_by_name(name).to_python())
"""

CSV_READERS = {
    "csv": """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as fh:
    n = sum(len(r) for r in csv.reader(fh))
""",
    "pandas-c": """
import sys
import pandas as pd
n = pd.read_csv(sys.argv[1], header=None, dtype=str, keep_default_na=False, na_filter=False, engine="c").size
""",
    "pyarrow": """
import sys
import pyarrow.csv as pc
n = pc.read_csv(sys.argv[1], read_options=pc.ReadOptions(autogenerate_column_names=True)).num_rows
""",
}


def _py(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


def _check(*args: str) -> list[str]:
    return [sys.executable, "-m", "rostercheck", "check", *args]


def fastest_csv_reader(path: str, runs: int) -> str:
    """The csv reader with the least CPU for this file, whole process (pyarrow only if installed)."""
    import importlib.util

    best: dict[str, float] = {}
    for name, code in CSV_READERS.items():
        if name == "pyarrow" and importlib.util.find_spec("pyarrow") is None:
            continue
        best[name] = min(run_process(_py(code, path))["cpu"] for _ in range(max(2, runs // 2)))
    return min(best, key=lambda k: best[k])


def end_to_end(residents: int, days: int, fmt: str, runs: int) -> dict[str, Any]:
    path = str(check_bench.roster_path(residents, days, fmt, False))
    if fmt == "csv":
        reader = fastest_csv_reader(path, runs)
        bare = _py(CSV_READERS[reader], path)
    else:
        reader, bare = "calamine", _py(CALAMINE, path)
    p = paired(bare, _check(path, "--format", "json", "--jobs", "1"), runs)
    return {"reader": reader, "cells": residents * days, **p}


def ensure_batch(cache: Path) -> Path:
    """200 small rosters with different seeds and the benchmark's config, made once."""
    folder = cache / f"batch-{BATCH}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rostercheck.toml").write_text(check_bench._toml(synth.SHIFTS))
    stamp = check_bench._stamp()
    if (folder / "STAMP").exists() and (folder / "STAMP").read_text().strip() == stamp:
        return folder
    for old in folder.glob("*.xlsx"):
        old.unlink()
    t = time.perf_counter()
    for seed in range(BATCH):
        synth.write_xlsx(synth.generate(*BATCH_SIZE, seed=seed), folder / f"r{seed:03d}.xlsx")
    (folder / "STAMP").write_text(stamp + "\n")
    print(f"# generated {BATCH} rosters in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return folder


def _timed_check(job: Any) -> tuple[Any, int, float]:
    """``batch.check_file`` plus which process ran it and that process's CPU time so far."""
    import os
    import resource

    from rostercheck.batch import check_file

    out = check_file(job)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return out, os.getpid(), ru.ru_utime + ru.ru_stime


def critical_path(folder: str) -> dict[str, Any]:
    """One default-``--jobs`` batch as ``rostercheck check`` runs it, with the CPU time of each process.

    On a shared machine the wall time of a parallel run measures the other users as much as the
    run. What the run itself needs is its critical path: the parent's CPU (start-up, imports,
    rendering) plus the busiest worker's CPU, which is the wall time on free cores.
    """
    import resource

    import rostercheck.cli  # noqa: F401  (what the command's parent loads, and its one-OpenBLAS-thread setting)
    from rostercheck import batch

    paths, _ = batch.expand_inputs([folder])
    jobs = [batch.CheckJob(p, (), render="json") for p in paths]  # as ``check --format json`` makes them
    got = batch.run_ordered(_timed_check, jobs, 0, preload=batch._CHECKER)
    batch.render_batch("json", [o.result for o, _, _ in got], rendered=[o.rendered for o, _, _ in got])
    per_worker: dict[int, float] = {}
    for _, pid, used in got:
        per_worker[pid] = max(per_worker.get(pid, 0.0), used)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return {"parent": ru.ru_utime + ru.ru_stime, "workers": sorted(per_worker.values(), reverse=True)}


def _row(*cells: Any) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="30 x 31 and 1,500 x 365 only, 3 pairs")
    ap.add_argument("--runs", type=int, help="pairs per comparison (default 5; --quick 3)")
    ap.add_argument("--only", choices=("e2e", "startup", "batch"), nargs="+", help="sections to run")
    ap.add_argument("--cache", type=Path, default=None, help="where the rosters are kept (benchmarks/.cache)")
    ap.add_argument("--base", help="another source tree (e.g. `git archive main | tar -x -C /tmp/base`): also "
                    "time its check against this one's, interleaved, same files")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        import json

        print(json.dumps(critical_path(args.worker[1])))
        return 0
    args.cache = args.cache or check_bench.CACHE
    runs = args.runs or (3 if args.quick else 5)
    only = set(args.only or ("e2e", "startup", "batch"))
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"# rostercheck floor benchmark, {time.strftime('%Y-%m-%d %H:%M')}")
    print(f"# machine: {machine()}; {pyarrow_line()}")
    print(f"# command: python benchmarks/floor_bench.py {shown}".rstrip())
    print(f"# {runs} alternating pairs per comparison; CPU = user + sys of that process; medians")

    before_after: list[tuple[str, dict[str, Any]]] = []
    if "e2e" in only:
        cases = [(30, 31, "xlsx"), (1500, 365, "xlsx"), (1500, 365, "csv")]
        if not args.quick:
            cases += [(5000, 365, "xlsx"), (5000, 365, "csv")]
        check_bench.ensure_rosters([(r, d, f, False) for r, d, f in cases], args.cache)
        print()
        print(_row("roster", "file", "bare read", "read CPU s", "check CPU s", "check / read (CPU, paired)",
                   "target", "check wall s", "read peak MB", "check peak MB", "check bytes per cell"))
        print("|---" * 11 + "|")
        for r, d, f in cases:
            m = end_to_end(r, d, f, runs)
            target = {"xlsx": "1.5x", "csv": "2x"}[f] if r * d > 100_000 else "-"
            per_cell = m["b"]["peak_mb"] * 2**20 / m["cells"]
            print(_row(f"{r} x {d}", f, m["reader"], f"{m['a']['cpu']:.2f}", f"{m['b']['cpu']:.2f}",
                       f"{m['ratio']:.2f}x", target, f"{m['b']['wall']:.2f}", f"{m['a']['peak_mb']:.0f}",
                       f"{m['b']['peak_mb']:.0f}", f"{per_cell:.0f}"), flush=True)
            if args.base:
                path = str(check_bench.roster_path(r, d, f, False, args.cache))
                cmd = _check(path, "--format", "json", "--jobs", "1")
                before_after.append((f"{r} x {d} {f}", paired(cmd, cmd, runs, tree_a=args.base)))

    if "startup" in only:
        import statistics

        check_bench.ensure_rosters([(30, 31, "xlsx", False)], args.cache)
        small = str(check_bench.roster_path(30, 31, "xlsx", False, args.cache))
        print()
        print(_row("command", "wall s (median)", "wall s (slowest)", "CPU s (median)", "peak MB", "target"))
        print("|---" * 6 + "|")
        for label, cmd, target in (
            ("rostercheck --help", [sys.executable, "-m", "rostercheck", "--help"], "< 0.1 s wall"),
            ("rostercheck check 30 x 31 xlsx", _check(small, "--format", "json", "--jobs", "1"), "< 0.2 s wall"),
            ("bare python: import numpy", _py("import numpy"), "-"),
        ):
            rs = [run_process(cmd) for _ in range(2 * runs + 1)][1:]  # the first warms the disk cache
            print(_row(f"`{label}`", f"{statistics.median(r['wall'] for r in rs):.3f}",
                       f"{max(r['wall'] for r in rs):.3f}", f"{statistics.median(r['cpu'] for r in rs):.3f}",
                       f"{max(r['peak_mb'] for r in rs):.0f}", target), flush=True)

    if "batch" in only:
        folder = ensure_batch(args.cache)
        files = sorted(str(p) for p in folder.glob("*.xlsx"))
        one = paired(_check(str(folder), "--format", "json", "--jobs", "1"),
                     _check(str(folder), "--format", "json"), runs)
        bare = paired(_py(CALAMINE, *files), _check(str(folder), "--format", "json"), runs)
        print()
        print(f"Batch: {BATCH} rosters of {BATCH_SIZE[0]} x {BATCH_SIZE[1]} in one call (`rostercheck check "
              f"FOLDER --format json`), default `--jobs` = all cores")
        print()
        print(_row("run", "wall s (median)", "CPU s (median, all its processes)", "peak MB (largest process)"))
        print("|---" * 4 + "|")
        for label, side in (("bare calamine read of the 200 files, one process", bare["a"]),
                            ("`--jobs 1`", one["a"]), ("default `--jobs`", one["b"])):
            print(_row(label, f"{side['wall']:.2f}", f"{side['cpu']:.2f}", f"{side['peak_mb']:.0f}"))
        speedup = one["a"]["wall"] / one["b"]["wall"]
        over_read = bare["b"]["wall"] / bare["a"]["wall"]
        print()
        print(f"- default `--jobs` against `--jobs 1`: {speedup:.2f}x faster, wall (target at least 1.25x); "
              f"median of the per-pair ratios {1 / one['wall_ratio']:.2f}x")
        print(f"- default `--jobs` against the bare read: {over_read:.2f}x the wall time (target under 4x); "
              f"median of the per-pair ratios {bare['wall_ratio']:.2f}x")
        import statistics

        from common import spawn

        # each critical path paired with a bare read taken just before or after it, as ``paired`` does:
        # the machine's speed drifts by a fifth within minutes here
        crit, reads = [], []
        for i in range(runs):
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for side in order:
                if side == 0:
                    crit.append(spawn(Path(__file__).resolve(), "batch", str(folder)))
                else:
                    reads.append(run_process(_py(CALAMINE, *files))["cpu"])
        paths = [c["parent"] + c["workers"][0] for c in crit]
        path = statistics.median(paths)
        per_pair = statistics.median(p / r for p, r in zip(paths, reads))
        c = crit[0]
        print(f"- critical path of the default run (the wall time on free cores): parent CPU + busiest worker's "
              f"CPU = {path:.2f} s (median of {runs}; e.g. parent {c['parent']:.2f} s, workers "
              f"{', '.join(f'{w:.2f}' for w in c['workers'])} s): {one['a']['cpu'] / path:.2f}x faster than the "
              f"`--jobs 1` CPU time, {per_pair:.2f}x the CPU of a bare read taken beside it (median of the "
              f"per-pair ratios; bare reads {statistics.median(reads):.2f} s)")
        if args.base:
            for label, cmd in (("batch --jobs 1", _check(str(folder), "--format", "json", "--jobs", "1")),
                               ("batch, default --jobs", _check(str(folder), "--format", "json"))):
                before_after.append((label, paired(cmd, cmd, runs, tree_a=args.base)))
    if before_after:
        print()
        print(f"Before ({args.base}) and after (this tree), interleaved pairs:")
        print()
        print(_row("case", "CPU s before", "CPU s after", "after / before (CPU, paired)", "wall s before",
                   "wall s after", "peak MB before", "peak MB after"))
        print("|---" * 8 + "|")
        for label, m in before_after:
            print(_row(label, f"{m['a']['cpu']:.2f}", f"{m['b']['cpu']:.2f}", f"{m['ratio']:.2f}",
                       f"{m['a']['wall']:.2f}", f"{m['b']['wall']:.2f}", f"{m['a']['peak_mb']:.0f}",
                       f"{m['b']['peak_mb']:.0f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
