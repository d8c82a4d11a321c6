"""Repair benchmark: time and change count on generated rosters with planted violations.

    python benchmarks/repair_bench.py                 # the documented table (docs/performance.md)
    python benchmarks/repair_bench.py --sizes 30 --violations 5 --seeds 1

Each case generates a compliant roster (``tools.synth``), plants violations that keep every
date's staffing (so a repair always exists: undoing the swaps), runs ``repair`` with the default
settings, and re-checks the result. Reported: build and solve seconds, whether the change count is
proven minimal, changes against the planted upper bound, and errors left after repair (always 0).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time

from common import synth

from rostercheck.check import check_raw
from rostercheck.config import parse
from rostercheck.repair import Settings, repair


def run_case(residents: int, days: int, violations: int, seed: int, time_limit: float) -> dict:
    base = synth.generate(residents, days, seed=seed)
    planted, plants = synth.plant(base, violations, seed=seed)
    cfg = parse(planted.config(), path="bench.toml")
    raw = planted.raw(f"bench-{residents}x{days}.xlsx")
    before = check_raw(raw, cfg)
    upper = sum(len(p.changes) for p in plants)
    t, c = time.perf_counter(), time.process_time()
    res = repair(raw, cfg, Settings(time_limit=time_limit))
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    o = res.outcome
    first = next((s for s in o.stages if s["stage"] == "changed cells"), {})
    return {
        "residents": residents, "days": days, "planted": len(plants), "seed": seed,
        "errors_before": before.errors, "status": o.status, "changes": o.objective, "bound": o.bound,
        "planted_cells": upper, "errors_after": res.after.errors if res.after else None,
        "stage1_s": first.get("seconds"), "total_s": round(wall, 2), "cpu_s": round(cpu, 1),
        "canonical": o.canonical,
        "gap": (f"{(o.objective - o.bound) / o.bound:.0%}" if o.bound and o.objective is not None else "-"),
        "build_s": o.model_stats.get("build_seconds"), "variables": o.model_stats.get("variables"),
        "lazy_rounds": o.model_stats.get("lazy_rounds"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 60, 150])
    ap.add_argument("--days", type=int, default=28)
    ap.add_argument("--violations", type=int, nargs="+", default=[5, 10, 20])
    ap.add_argument("--seeds", type=int, default=2, help="seeds per size and violation count")
    ap.add_argument("--time-limit", type=float, default=30.0)
    args = ap.parse_args(argv)
    print(f"# repair benchmark: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, time limit {args.time_limit:g} s")
    print(f"# load average at start: {os.getloadavg()[0]:.1f} (wall seconds stretch with it; CPU seconds less)")
    print("| residents x days | planted | errors before | status | changes (planted cells) | lower bound | gap "
          "| canonical | errors after | proof s | total s | CPU s | variables |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        for v in args.violations:
            for seed in range(args.seeds):
                try:
                    r = run_case(n, args.days, v, seed, args.time_limit)
                except ValueError as e:  # the generator found no room for that many violations
                    print(f"| {n} x {args.days} | {v} | - | {e} | | | | | | | | | |", flush=True)
                    continue
                print(f"| {n} x {args.days} | {r['planted']} | {r['errors_before']} | {r['status']} | "
                      f"{r['changes']} ({r['planted_cells']}) | {r['bound']} | {r['gap']} | {r['canonical']} | "
                      f"{r['errors_after']} | {r['stage1_s']} | {r['total_s']} | {r['cpu_s']} | {r['variables']} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
