"""Differential check of two source trees: same rosters, same ``check`` output, byte for byte.

    git archive main | (mkdir -p /tmp/base && tar -x -C /tmp/base)
    python tools/compare_check.py /tmp/base --rosters 40

Writes random rosters with ``tools.synth`` (sizes, seeds and planted violations drawn from
``--seed``; xlsx grids and long csv exports, some checked with ``--previous``, a config with the
``acgme`` and ``wellness`` presets and a time zone), then runs ``python -m rostercheck check ...
--format json`` and ``--format text`` once with the tree given on ``PYTHONPATH`` (the base) and
once with this checkout, and compares stdout and the exit code. A speed change must leave every
one identical; the first difference is printed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tools import synth  # noqa: E402

KINDS = ["shift-length", "post-call-rest", "weekly-hours", "days-off", "call-frequency"]


def write_rosters(folder: Path, n: int, seed: int) -> list[list[str]]:
    """``n`` check invocations' arguments (roster, maybe ``--previous``), rosters written to ``folder``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    shifts = "\n".join(f"{code} = {{ {', '.join(f'{k} = {json.dumps(v)}' for k, v in spec.items())} }}"
                       for code, spec in synth.SHIFTS.items())
    (folder / "rostercheck.toml").write_text(
        f'preset = ["acgme", "wellness"]\ntimezone = "America/Chicago"\n\n[shifts]\n{shifts}\n')
    calls: list[list[str]] = []
    for i in range(n):
        residents = int(rng.integers(18, 80))
        days = int(rng.choice([28, 31, 62, 120]))
        s = synth.generate(residents, days, seed=int(rng.integers(1 << 30)))
        with contextlib.suppress(ValueError):  # no room for that many on a small roster: keep it compliant
            s, _ = synth.plant(s, int(rng.integers(0, 6)), seed=i, kinds=KINDS)
        fmt = "csv" if i % 3 == 2 else "xlsx"
        path = folder / f"r{i:03d}.{fmt}"
        if fmt == "csv":
            synth.write_long_csv(s, path)
        else:
            synth.write_xlsx(s, path)
        args = [str(path)]
        if i % 5 == 4 and calls:
            args += ["--previous", calls[-1][0]]
        calls.append(args)
    return calls


def run(tree: str | None, args: list[str], fmt: str) -> tuple[int, str]:
    env = dict(os.environ)
    if tree:
        env["PYTHONPATH"] = tree
    out = subprocess.run([sys.executable, "-m", "rostercheck", "check", *args, "--format", fmt, "--jobs", "1"],
                         capture_output=True, text=True, env=env, cwd=tree or ROOT, check=False)
    return out.returncode, out.stdout + out.stderr


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("base", help="the other source tree (its root, holding rostercheck/)")
    ap.add_argument("--rosters", type=int, default=30)
    ap.add_argument("--seed", type=int, default=17)
    args = ap.parse_args(argv)
    base = str(Path(args.base).resolve())
    with tempfile.TemporaryDirectory() as tmp:
        calls = write_rosters(Path(tmp), args.rosters, args.seed)
        findings = 0
        for call in calls:
            for fmt in ("json", "text"):
                old, new = run(base, call, fmt), run(None, call, fmt)
                if old != new:
                    print(f"DIFFERENT: check {' '.join(call)} --format {fmt}\n--- base (exit {old[0]})\n{old[1]}\n"
                          f"--- this tree (exit {new[0]})\n{new[1]}")
                    return 1
                if fmt == "json" and old[0] in (0, 1):
                    findings += len(json.loads(old[1])["violations"])
        print(f"identical: {len(calls)} rosters, json and text, {findings} findings in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
