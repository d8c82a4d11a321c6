"""The csv reader alone against the floor and against pandas, whole processes and in-process.

    python benchmarks/csv_reader_bench.py              # 1,500 x 365 export, 5 rounds
    python benchmarks/csv_reader_bench.py --runs 3 --file path/to/export.csv

*Whole process* (``common.run_process``: CPU = user + sys, the process's own peak memory; the three
run in turn, reversed every other round, medians): the ``csv`` module reading every row (the floor
of issue 17), the reader ``main`` had before the csv reader change (``pd.read_csv(dtype="category")``
into codes and categories, pandas imported), and ``read/csv_columns.py`` loaded on its own (the
``rostercheck.read`` package would import pandas through the other readers; the process fails if
pandas gets imported). *In-process*: ``read_columns`` best of three after a first call, and its
peak of traced allocations (``tracemalloc``, numpy's buffers included), the file's bytes excluded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import check_bench
from common import machine, run_process

ROOT = Path(__file__).resolve().parent.parent

PROGRAMS = {
    "csv module (floor)": """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8-sig") as fh:
    n = sum(len(r) for r in csv.reader(fh))
""",
    "pandas C parser into categories (main's reader)": """
import io, sys
import numpy as np, pandas as pd
raw = open(sys.argv[1], "rb").read()
width = len(raw[: raw.index(b"\\n")].split(b","))
f = pd.read_csv(io.BytesIO(raw), sep=",", header=None, names=range(width), dtype="category",
                keep_default_na=False, na_filter=False, skip_blank_lines=False, engine="c", encoding="utf-8-sig")
cols = [(np.asarray(f[j].array.codes, dtype=np.int64), f[j].array.categories.to_numpy(dtype=object))
        for j in range(width)]
""",
    "read/csv_columns.py (numpy, no pandas)": f"""
import importlib.util, sys
spec = importlib.util.spec_from_file_location("csv_columns", {str(ROOT / "rostercheck" / "read" / "csv_columns.py")!r})
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
raw = open(sys.argv[1], "rb").read()
n, cols = mod.read_columns(raw, ",")
if "pandas" in sys.modules:
    sys.exit(3)
""",
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--file", type=Path, help="a comma-separated export (default: the 1,500 x 365 one)")
    args = ap.parse_args(argv)
    if args.file is None:
        check_bench.ensure_rosters([(1500, 365, "csv", False)])
        args.file = check_bench.roster_path(1500, 365, "csv", False)
    path = str(args.file)
    print(f"# csv reader benchmark, {time.strftime('%Y-%m-%d %H:%M')}; {machine()}")
    print(f"# command: python benchmarks/csv_reader_bench.py {' '.join(argv if argv is not None else sys.argv[1:])}")
    print(f"# file: {path} ({args.file.stat().st_size / 2**20:.1f} MB); {args.runs} rounds, medians")
    print()
    print("| reader, whole process | CPU s (median) | CPU s (best) | peak MB |")
    print("|---|---|---|---|")
    results: dict[str, list[dict]] = {k: [] for k in PROGRAMS}
    items = list(PROGRAMS.items())
    for i in range(args.runs):
        for label, prog in items if i % 2 == 0 else items[::-1]:
            results[label].append(run_process([sys.executable, "-c", prog, path], ok=(0,)))
    for label, runs in results.items():
        print(f"| {label} | {statistics.median(r['cpu'] for r in runs):.3f} | {min(r['cpu'] for r in runs):.3f} "
              f"| {max(r['peak_mb'] for r in runs):.0f} |")

    sys.path.insert(0, str(ROOT))
    from rostercheck.read.csv_columns import read_columns

    raw = args.file.read_bytes()
    read_columns(raw, ",")
    best = min(_cpu(lambda: read_columns(raw, ",")) for _ in range(3))
    tracemalloc.start()
    read_columns(raw, ",")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print()
    print(f"In-process: read_columns best of 3 {best * 1000:.0f} ms CPU; traced peak {peak / 2**20:.0f} MB "
          "(the file's bytes not included)")
    return 0


def _cpu(func) -> float:
    t = time.process_time()
    func()
    return time.process_time() - t


if __name__ == "__main__":
    raise SystemExit(main())
