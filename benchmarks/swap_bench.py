"""Swap benchmark: ``swap --suggest`` on a 30 x 31 roster, the issue's target (under 2 s).

    python benchmarks/swap_bench.py                 # the shipped internal-medicine sample, every resident
    python benchmarks/swap_bench.py --dates 2026-07-05 2026-07-14 --residents 10

For each resident and date, ``swap.suggest`` runs as the command runs it (read once, then the
check, the repair problem, candidates screened on two residents, the shown ones checked on the
whole roster). Reported per call: CPU seconds (``time.process_time``: on a shared machine other
work only adds wall time), candidates considered and how many introduce no error. For comparison,
the CPU time a full check of every candidate would have cost (``check_raw`` of the whole traded
roster, timed on the same candidates) is shown beside the two-resident screen that replaces it.
A last line times ``rostercheck swap ... --suggest`` end to end in a fresh process (start-up and
imports included), as wall and CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

from common import ROOT

from rostercheck.check import check_raw, check_residents
from rostercheck.pipeline import load_config, read_with
from rostercheck.swap import exchange, suggest

SAMPLE = ROOT / "sample_rosters/internal-medicine/july-2026.xlsx"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--roster", default=str(SAMPLE))
    ap.add_argument("--dates", nargs="+", default=["2026-07-01", "2026-07-14", "2026-07-30"])
    ap.add_argument("--residents", type=int, default=0, help="only the first N residents (0: all)")
    args = ap.parse_args()
    cfg = load_config(args.roster, {})
    raw = read_with(args.roster, cfg)
    names = [r.name for r in raw.residents][: args.residents or None]
    cpu, considered, compliant = [], [], []
    for date in args.dates:
        for name in names:
            t = time.process_time()
            found = suggest(raw, cfg, name, date)
            cpu.append(time.process_time() - t)
            considered.append(found.considered)
            compliant.append(found.compliant)
    print(f"{args.roster}: {len(raw.residents)} residents; machine: {platform.machine()}, {os.cpu_count()} cores "
          "(shared; CPU time is reported)")
    print(f"swap --suggest, {len(cpu)} calls: CPU s min {min(cpu):.3f}, median {statistics.median(cpu):.3f}, "
          f"max {max(cpu):.3f}; candidates considered median {statistics.median(considered):g} "
          f"(max {max(considered)}), compliant median {statistics.median(compliant):g}")
    # one candidate, checked two ways: the two-resident screen and a full check of the traded roster
    traded, _ = exchange(raw, 0, 1, [raw.entries["date"].min()])
    reps = 50
    t = time.process_time()
    for _ in range(reps):
        check_residents(traded, cfg, [0, 1])
    two = (time.process_time() - t) / reps
    t = time.process_time()
    for _ in range(reps):
        check_raw(traded, cfg)
    full = (time.process_time() - t) / reps
    print(f"per candidate: two-resident check {two * 1000:.1f} ms CPU, full check {full * 1000:.1f} ms CPU")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "rostercheck", "swap", args.roster, names[0], args.dates[0], "--suggest"],
                   check=False, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"CLI end to end (rostercheck swap {os.path.basename(args.roster)} {names[0]!r} {args.dates[0]} --suggest): "
          f"{wall:.2f} s wall, {child_cpu:.2f} s CPU")


if __name__ == "__main__":
    main()
