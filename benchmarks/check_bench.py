"""Check benchmark: reading, normalising, checking and reporting generated rosters at every scale.

    python benchmarks/check_bench.py            # the documented table (docs/performance.md), ~10 min
    python benchmarks/check_bench.py --quick    # 30, 150 and 500 residents, one run each, ~1 min
    python benchmarks/check_bench.py --sizes 1500 --days 365 --formats xlsx --repeat 5

Rosters come from ``tools.synth`` (teams, PGY 1-3, 24-hour call with post-call days, night
float, clinic, vacation, wellness half-days), written once as a chief resident's workbook (.xlsx,
``write_xlsx``) and as a scheduling-system export (.csv, ``write_long_csv``) into
``benchmarks/.cache/`` with the ``rostercheck.toml`` a program would keep beside them (the
``acgme`` and ``wellness`` presets, a time zone, every code). A realistic roster breaks few rules,
so each 365-day size is also measured with planted violations (``synth.plant``), so that the cost
per finding shows.

Every measurement runs in a fresh process, so import time, caches and peak memory belong to one
case. Per case:

- *fastest read*: the cells read by the fastest reader alone, nothing else (calamine for a
  workbook; pandas' C parser or the csv module for csv, whichever is faster);
- *openpyxl*: the same cells read with openpyxl (read-only, values only), the reader we do not use;
- *read*, *normalise*, *check*, *report*: the stages of ``rostercheck check`` as the command runs
  them (``read_roster``, ``timeline.build``, the rules, the text and the JSON report);
- *pipeline*: the four stages together, and that time over the fastest read;
- *CLI wall*, *CLI CPU* and *peak MB*: ``python -m rostercheck check FILE --format json`` end to end
  (start-up and imports included), its CPU time (user + sys) and its own peak resident memory.
  ``floor_bench.py`` compares that whole process with a bare read in its own process.

Times are the best of ``--repeat`` runs (other work on a shared machine only ever adds time);
peak memory is the largest seen. A final table repairs a year-long roster (150 residents x 365
days with planted violations) the way ``rostercheck repair`` does, by blocks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import PLANT_KINDS, machine, plant_some, run_process, spawn, synth

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".cache"
SIZES = (30, 150, 500, 1500)
DAYS = (28, 365)
FORMATS = ("xlsx", "csv")
SEED = 7
TIMEZONE = "America/Chicago"


# ----------------------------------------------------------------------------------- the rosters
def _stamp() -> str:
    """Generator fingerprint: cached files are rebuilt when ``synth`` changes."""
    digest = hashlib.sha256(Path(synth.__file__).read_bytes() + repr(PLANT_KINDS).encode())
    return digest.hexdigest()[:12]


def _toml(shifts: dict[str, dict[str, Any]]) -> str:
    """The program's rostercheck.toml (written by hand: the standard library reads TOML, never writes it)."""
    lines = ['preset = ["acgme", "wellness"]', f'timezone = "{TIMEZONE}"', "", "[shifts]"]
    for code, spec in shifts.items():
        items = ", ".join(f"{k} = {json.dumps(v)}" for k, v in spec.items())
        lines.append(f"{code} = {{ {items} }}")
    return "\n".join(lines) + "\n"


def planted_count(residents: int) -> int:
    """Violations planted in a roster of this size: one resident in ten, at least three."""
    return max(3, residents // 10)


def roster_path(residents: int, days: int, fmt: str, planted: bool, cache: Path = CACHE) -> Path:
    return cache / f"im-{residents}x{days}{'-planted' if planted else ''}.{fmt}"


def ensure_rosters(cases: list[tuple[int, int, str, bool]], cache: Path = CACHE, *, log=print) -> None:
    """Generate (once) every roster the cases need, plus the config beside them."""
    cache.mkdir(parents=True, exist_ok=True)
    stamp = _stamp()
    stamp_file = cache / "STAMP"
    if not stamp_file.exists() or stamp_file.read_text().strip() != stamp:
        for old in cache.glob("im-*"):
            old.unlink()
        stamp_file.write_text(stamp + "\n")
    (cache / "rostercheck.toml").write_text(_toml(synth.SHIFTS))
    for residents, days, planted in sorted({(r, d, p) for r, d, _, p in cases}):
        fmts = sorted({f for r, d, f, p in cases if (r, d, p) == (residents, days, planted)})
        missing = [f for f in fmts if not roster_path(residents, days, f, planted, cache).exists()]
        if not missing:
            continue
        t = time.perf_counter()
        roster = synth.generate(residents, days, seed=SEED)
        if planted:
            roster, _ = plant_some(roster, planted_count(residents), SEED)
        for f in missing:
            path = roster_path(residents, days, f, planted, cache)
            if f == "xlsx":
                synth.write_xlsx(roster, path)
            else:
                synth.write_long_csv(roster, path)
        log(f"# generated {residents} x {days}{' planted' if planted else ''} ({', '.join(missing)}) "
            f"in {time.perf_counter() - t:.1f} s", file=sys.stderr)


# ----------------------------------------------------------------------------------- the workers
def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def worker_raw(path: str, repeat: int, openpyxl_repeat: int) -> dict[str, Any]:
    """Only reading cells: the floor any checker pays."""
    out: dict[str, Any] = {}
    if path.endswith(".csv"):
        import csv

        import pandas as pd

        def pandas_c() -> int:
            frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, na_filter=False,
                                engine="c")
            return frame.size

        def csv_module() -> int:
            with open(path, newline="", encoding="utf-8-sig") as fh:
                return sum(len(r) for r in csv.reader(fh))

        candidates = {"pandas-c": pandas_c, "csv": csv_module}
    else:
        from python_calamine import CalamineWorkbook

        def calamine() -> int:
            wb = CalamineWorkbook.from_path(path)
            return sum(len(r) for name in wb.sheet_names for r in wb.get_sheet_by_name(name).to_python())

        candidates = {"calamine": calamine}

        def openpyxl_read() -> int:
            from openpyxl import load_workbook

            wb = load_workbook(path, read_only=True, data_only=True)
            n = sum(len(r) for ws in wb.worksheets for r in ws.iter_rows(values_only=True))
            wb.close()
            return n

        out["openpyxl"] = _best(openpyxl_read, openpyxl_repeat)
        try:
            from rostercheck.safety import inspect
        except ImportError:  # older trees have no pre-read inspection
            pass
        else:
            out["inspect"] = _best(lambda: inspect(path), repeat)
    best = {name: _best(fn, repeat) for name, fn in candidates.items()}
    out["fastest_reader"] = min(best, key=lambda k: best[k])
    out["fastest"] = best[out["fastest_reader"]]
    out["readers"] = best
    return out


def _best(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(max(repeat, 1)):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def worker_check(path: str) -> dict[str, Any]:
    """One ``rostercheck check`` in stages, as the command runs them (``batch.check_file``)."""
    t0 = time.perf_counter()
    from rostercheck.check import CheckResult, legend_for, run_rules
    from rostercheck.config import check_codes
    from rostercheck.pipeline import load_config, read_with
    from rostercheck.report import render
    from rostercheck.timeline import build

    t1 = time.perf_counter()
    cfg = load_config(path, {})
    raw = read_with(path, cfg)
    t2 = time.perf_counter()
    legend = legend_for(raw, cfg)
    check_codes(cfg, legend)
    tl = build(raw, legend, tz=cfg.timezone, period_gap_hours=cfg.period_gap)
    t3 = time.perf_counter()
    findings = run_rules(tl, cfg.rules)
    result = CheckResult(raw.path, tl, findings, cfg.enabled_rules)
    t4 = time.perf_counter()
    render("text", [result])
    render("json", [result])
    t5 = time.perf_counter()
    return {
        "imports": t1 - t0, "read": t2 - t1, "normalise": t3 - t2, "check": t4 - t3, "report": t5 - t4,
        "entries": len(raw.entries), "findings": len(findings), "errors": result.errors, "peak_mb": _peak_mb(),
    }


def run_cli(path: str) -> dict[str, Any]:
    """``rostercheck check`` as CI runs it: a new interpreter, its wall and CPU time and its own peak
    memory (``common.run_process``: not the benchmark's memory inherited through fork)."""
    cmd = [sys.executable, "-m", "rostercheck", "check", path, "--format", "json", "--jobs", "1"]
    return run_process(cmd)


def _spawn(*args: str) -> dict[str, Any]:
    return spawn(Path(__file__).resolve(), *args)


def measure(path: Path, repeat: int, openpyxl_repeat: int) -> dict[str, Any]:
    raw = _spawn("raw", str(path), str(repeat), str(openpyxl_repeat))
    runs = [_spawn("check", str(path)) for _ in range(repeat)]
    stages = ("read", "normalise", "check", "report")
    best = {s: min(r[s] for r in runs) for s in (*stages, "imports")}
    clis = [run_cli(str(path)) for _ in range(repeat)]
    pipeline = sum(best[s] for s in stages)
    return {
        **raw, **best, "pipeline": pipeline, "entries": runs[0]["entries"], "findings": runs[0]["findings"],
        "errors": runs[0]["errors"], "stage_peak_mb": max(r["peak_mb"] for r in runs),
        "cli_wall": min(c["wall"] for c in clis), "cli_cpu": min(c["cpu"] for c in clis),
        "cli_peak_mb": max(c["peak_mb"] for c in clis),
    }


def help_line(runs: int = 15) -> str:
    """``rostercheck --help`` in a new interpreter, as a user types it (the console script if installed)."""
    import shutil
    import statistics

    script = shutil.which("rostercheck")
    cmd = [script, "--help"] if script else [sys.executable, "-m", "rostercheck", "--help"]
    walls = []
    for _ in range(runs + 1):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        walls.append(time.perf_counter() - t)
    walls = walls[1:]  # the first run warms the disk cache
    return (f"`{' '.join(['rostercheck' if script else 'python -m rostercheck', '--help'])}`: median "
            f"{statistics.median(walls):.3f} s, slowest {max(walls):.3f} s over {runs} runs")


# ----------------------------------------------------------------------------------- reporting
def _f(x: float | None, nd: int = 2) -> str:
    return "-" if x is None else f"{x:.{nd}f}"


HEADER = ("| roster | file | cells | findings | fastest read s | openpyxl s | read s (inspect) | normalise s "
          "| check s | report s | pipeline s | pipeline / fastest read | after read ms per 100k cells | CLI wall s "
          "| CLI CPU s | CLI peak MB |")


def row(residents: int, days: int, fmt: str, planted: bool, m: dict[str, Any]) -> str:
    after = m["normalise"] + m["check"] + m["report"]
    per100k = after / max(m["entries"], 1) * 1e5 * 1000
    name = f"{residents} x {days}{' planted' if planted else ''}"
    reader = f"{_f(m['fastest'])} ({m['fastest_reader']})"
    return (f"| {name} | {fmt} | {m['entries']:,} | {m['findings']} | {reader} | {_f(m.get('openpyxl'))} | "
            f"{_f(m['read'])} ({_f(m.get('inspect'))}) | {_f(m['normalise'])} | {_f(m['check'])} | {_f(m['report'])} | "
            f"{_f(m['pipeline'])} | {m['pipeline'] / m['fastest']:.2f} | {per100k:.0f} | {_f(m['cli_wall'])} | "
            f"{_f(m['cli_cpu'])} | {m['cli_peak_mb']:.0f} |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="30, 150 and 500 residents, one run each, no repair")
    ap.add_argument("--sizes", type=int, nargs="+", help=f"residents (default {' '.join(map(str, SIZES))})")
    ap.add_argument("--days", type=int, nargs="+", help=f"days (default {' '.join(map(str, DAYS))})")
    ap.add_argument("--formats", nargs="+", choices=FORMATS, help="file formats (default both)")
    ap.add_argument("--repeat", type=int, help="runs per measurement, best kept (default 3; --quick 1)")
    ap.add_argument("--no-planted", action="store_true", help="skip the rosters with planted violations")
    ap.add_argument("--no-repair", action="store_true", help="skip the year-long repair")
    ap.add_argument("--repair-only", action="store_true", help="only the year-long repair")
    ap.add_argument("--cache", type=Path, default=CACHE, help="where generated rosters are kept")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        kind, *rest = args.worker
        if kind == "raw":
            result = worker_raw(rest[0], int(rest[1]), int(rest[2]))
        elif kind == "check":
            result = worker_check(rest[0])
        else:
            raise SystemExit(f"unknown worker {kind!r}")
        print(json.dumps(result))
        return 0

    sizes = args.sizes or ((30, 150, 500) if args.quick else SIZES)
    days = args.days or DAYS
    formats = args.formats or FORMATS
    repeat = args.repeat or (1 if args.quick else 3)
    print(f"# rostercheck check benchmark, {time.strftime('%Y-%m-%d')}")
    print(f"# machine: {machine()}")
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"# command: python benchmarks/check_bench.py {shown}".rstrip())
    if not args.repair_only:
        cases = [(r, d, f, False) for r in sizes for d in days for f in formats]
        if not args.no_planted:
            cases += [(r, d, "xlsx", True) for r in sizes for d in days if d >= 365]
        ensure_rosters(cases, args.cache)
        print(f"# best of {repeat} runs; times in seconds; every run in a fresh process")
        print()
        print(HEADER)
        print("|" + "---|" * HEADER.count(" | ") + "---|")
        for r, d, f, planted in cases:
            m = measure(roster_path(r, d, f, planted, args.cache), repeat, 1 if r * d > 100_000 else repeat)
            print(row(r, d, f, planted, m), flush=True)
    if not args.repair_only:
        print()
        print(help_line())
    if not (args.no_repair or args.quick) or args.repair_only:
        import repair_scale

        print()
        repair_scale.print_repair_table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
