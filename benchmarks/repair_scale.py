"""Repair at scale: a year-long roster repaired month by month (``rostercheck.repair.decompose``).

Used by ``check_bench.py`` (its last table) and runnable alone (each repair in a fresh process,
``--worker``):

    python benchmarks/repair_scale.py                      # 150 residents x 365 days, 20 violations, 2 seeds
    python benchmarks/repair_scale.py --residents 60 --violations 10 --seeds 1

Each case generates a compliant year (``synth.generate``), plants violations that keep every
date's staffing (``synth.plant``), runs ``repair`` with the default settings (as ``rostercheck
repair`` does, time limit included), and checks the repaired roster again as one. Reported: the
proven lower bound and the gap to it, or that none is proven.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from common import plant_some, spawn, synth

#: (residents, days, violations planted, seed) of each year-long repair.
CASES = ((150, 365, 20, 1), (150, 365, 20, 2))


def worker_repair(residents: str, days: str, violations: str, seed: str) -> dict[str, Any]:
    """One repair in this (fresh) process: wall time, result, peak memory."""
    import resource

    from rostercheck.check import check_raw
    from rostercheck.config import parse
    from rostercheck.repair import Settings, repair

    base = synth.generate(int(residents), int(days), seed=int(seed))
    planted, plants = plant_some(base, int(violations), int(seed))
    cfg = parse(planted.config(), path="bench.toml")
    raw = planted.raw(f"bench-{residents}x{days}.xlsx")
    before = check_raw(raw, cfg)
    t = time.perf_counter()
    res = repair(raw, cfg, Settings())
    wall = time.perf_counter() - t
    o = res.outcome
    dec = o.model_stats.get("decomposition", {})
    return {
        "residents": int(residents), "days": int(days), "planted": len(plants), "seed": int(seed),
        "planted_cells": sum(len(p.changes) for p in plants), "errors_before": before.errors,
        "status": o.status, "changes": o.objective, "bound": o.bound, "gap": dec.get("gap"),
        "errors_after": res.after.errors if res.after is not None else None,
        "solves": len(dec.get("solves", [])),
        "optimal_solves": sum(s["status"] == "optimal" for s in dec.get("solves", [])),
        "wall": round(wall, 1), "time_limit": Settings().time_limit,
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


HEADER = ("| residents x days | planted (cells) | errors before | status | changed cells | proven lower bound | gap "
          "| errors after (re-checked) | month solves (proven for their group) | wall s | peak MB |")


def print_repair_table(cases: tuple = CASES) -> None:
    from rostercheck.repair.decompose import SPLIT_DAYS

    print(f"# repair at scale: month by month (rosters over {SPLIT_DAYS} days), default settings")
    print()
    print(HEADER)
    print("|" + "---|" * (HEADER.count(" | ") + 1))
    for residents, days, violations, seed in cases:
        r = _spawn(str(residents), str(days), str(violations), str(seed))
        bound = "not proven" if r["bound"] is None else r["bound"]
        gap = "-" if r["gap"] is None else r["gap"]
        print(f"| {residents} x {days} | {r['planted']} ({r['planted_cells']}) | {r['errors_before']} | "
              f"{r['status']} | {r['changes']} | {bound} | {gap} | {r['errors_after']} | "
              f"{r['solves']} ({r['optimal_solves']}) | "
              f"{r['wall']} | {r['peak_mb']} |", flush=True)


def _spawn(*args: str) -> dict[str, Any]:
    return spawn(Path(__file__).resolve(), *args)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--residents", type=int, default=150)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--violations", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker_repair(*args.worker)))
        return 0
    print_repair_table(tuple((args.residents, args.days, args.violations, s + 1) for s in range(args.seeds)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
