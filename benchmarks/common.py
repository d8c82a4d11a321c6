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
    out = subprocess.run([sys.executable, str(script), "--worker", *args], capture_output=True, text=True,
                         check=False)
    if out.returncode != 0:
        raise RuntimeError(f"worker {' '.join(args)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


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
