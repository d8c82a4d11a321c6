"""What the benchmark scripts share: where the repository is, the synthetic rosters, the machine line.

Every script in this folder imports this module first: it puts the repository root on ``sys.path``
so that ``tools.synth`` (the roster generator, which is test and benchmark data, not product) can
be imported when a script is run as ``python benchmarks/NAME.py``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import synth  # noqa: E402  (needs ROOT on sys.path)

#: Kinds planted: every kind ``synth`` can plant, in turn.
PLANT_KINDS = ("shift-length", "post-call-rest", "weekly-hours", "days-off", "call-frequency")


def plant_some(roster: Any, n: int, seed: int) -> tuple[Any, list]:
    """``synth.plant`` with ``PLANT_KINDS``."""
    return synth.plant(roster, n, seed=seed, kinds=list(PLANT_KINDS))



def spawn(script: Path, *args: str) -> dict[str, Any]:
    """Run ``script --worker ARGS`` in a fresh process and return the JSON it prints last.

    A fresh process per measurement keeps import time, caches and peak memory to one case.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as in run_process: measured with bytecode, as users run
    _compile_once(str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, str(script), "--worker", *args], capture_output=True, text=True,
                         check=False, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


#: A tiny interpreter that starts ``argv`` and reports its resources. It exists so that the peak
#: memory is the child's own: on Linux a process's ``ru_maxrss`` keeps the high-water mark of the
#: memory it had when it called ``exec``, and a child forked (or vforked) straight from a benchmark
#: that holds 200 MB would report at least 200 MB. This launcher holds about 10 MB when it forks.
_LAUNCHER = r"""
import json, os, sys, time
t = time.perf_counter()
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,
                      file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
_, status, ru = os.wait4(pid, 0)
print(json.dumps({"wall": time.perf_counter() - t, "user": ru.ru_utime, "sys": ru.ru_stime,
                  "cpu": ru.ru_utime + ru.ru_stime, "peak_mb": ru.ru_maxrss / 1024,
                  "code": os.waitstatus_to_exitcode(status)}))
"""


_COMPILED: set[str] = set()


def _compile_once(tree: str) -> None:
    """Write the bytecode of ``tree``'s ``rostercheck`` package once (see ``run_process``)."""
    if tree in _COMPILED:
        return
    import compileall

    compileall.compile_dir(str(Path(tree) / "rostercheck"), quiet=1)
    _COMPILED.add(tree)


def run_process(argv: list[str], ok: tuple[int, ...] = (0, 1), tree: str | None = None) -> dict[str, Any]:
    """Run ``argv`` (stdout discarded) as a process that did nothing else; its own resources.

    Returns ``wall`` (s), ``cpu`` = ``user`` + ``sys`` (s, the process's own CPU time, which other
    work on a shared machine barely changes) and ``peak_mb`` (its own peak resident memory). See
    ``_LAUNCHER`` for why the process is started through a launcher. ``tree``: another source tree
    (its root) to import ``rostercheck`` from, for a before/after comparison; the process runs in
    ``/`` so that no tree shadows it through the current directory.
    """
    env = dict(os.environ)
    # A user's installed package has its bytecode (pip compiles it; Python writes it on the first
    # run). An environment that forbids writing it (PYTHONDONTWRITEBYTECODE, set on our CI machines)
    # would make every measured process compile rostercheck from source, about 0.09 s of CPU that no
    # user pays: measure as users run, with the bytecode made once beforehand.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    _compile_once(tree or str(Path(__file__).resolve().parent.parent))
    if tree:
        env["PYTHONPATH"] = tree + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True, check=False,
                         env=env, cwd="/")
    if out.returncode != 0:
        raise RuntimeError(f"launcher for {' '.join(argv)} failed:\n{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] not in ok:
        raise RuntimeError(f"{' '.join(argv)} exited {result['code']}:\n{out.stderr}")
    return result


def paired(a: list[str], b: list[str], runs: int, ok: tuple[int, ...] = (0, 1), tree_a: str | None = None
           ) -> dict[str, Any]:
    """``a`` and ``b`` run alternately (a b, b a, a b, ...), so that load from other users falls on
    both alike; per side the median CPU, wall and the largest peak, and the medians of the per-pair
    CPU and wall ratios b / a (robust to one slow pair, and to the machine's speed drifting between
    pairs: a ratio of medians is not). ``tree_a``: ``a`` imports rostercheck from there."""
    import statistics

    ra: list[dict[str, Any]] = []
    rb: list[dict[str, Any]] = []
    for i in range(runs):
        if i % 2:
            rb.append(run_process(b, ok))
            ra.append(run_process(a, ok, tree_a))
        else:
            ra.append(run_process(a, ok, tree_a))
            rb.append(run_process(b, ok))

    def side(rs: list[dict[str, Any]]) -> dict[str, float]:
        return {"cpu": statistics.median(r["cpu"] for r in rs), "cpu_min": min(r["cpu"] for r in rs),
                "wall": statistics.median(r["wall"] for r in rs), "peak_mb": max(r["peak_mb"] for r in rs)}

    ratio = statistics.median(y["cpu"] / max(x["cpu"], 1e-9) for x, y in zip(ra, rb))
    wall_ratio = statistics.median(y["wall"] / max(x["wall"], 1e-9) for x, y in zip(ra, rb))
    return {"a": side(ra), "b": side(rb), "ratio": ratio, "wall_ratio": wall_ratio, "runs": runs}


def pyarrow_line() -> str:
    """Whether pyarrow is importable: pandas 3 then backs strings with it, and csv may read with it."""
    try:
        from importlib.metadata import version

        return f"pyarrow {version('pyarrow')} installed"
    except Exception:
        return "pyarrow not installed"


def machine() -> str:
    """One line that says what the figures were measured on."""
    import numpy
    import pandas

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    mem = ""
    try:
        line = next(ln for ln in Path("/proc/meminfo").read_text().splitlines() if ln.startswith("MemTotal"))
        kb = int(line.split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    versions = [f"Python {platform.python_version()}", f"numpy {numpy.__version__}", f"pandas {pandas.__version__}"]
    for dist in ("python-calamine", "openpyxl", "ortools"):
        try:
            from importlib.metadata import version

            versions.append(f"{dist} {version(dist)}")
        except Exception:
            pass
    return f"{cpu}, {cores} cores{mem}, {platform.system()} {platform.release()}; {', '.join(versions)}"
