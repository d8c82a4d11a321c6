"""The audit's slow refusal at full size (issue 16): a ~130 MB .xlsx whose ~505 MiB sheet holds cells
without ``r`` attributes, refused by ``rostercheck check`` in bounded memory.

    python benchmarks/slow_refusal.py            # build (once, ~40 s) into benchmarks/.cache/, then time it

The file is the internal-medicine sample with its roster sheet replaced by 23 million cells of
random 9-digit numbers, 1,000 to a row, none with a position (``<c><v>123456789</v></c>``): it
compresses about 4 times, as the audit's did. The refusal runs in a fresh process; printed are its
CPU time (user and system), wall time and peak memory (the largest resident set of any child).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "sample_rosters" / "internal-medicine" / "july-2026.xlsx"
TARGET = HERE / ".cache" / "slow-refusal.xlsx"
SHEET_BYTES = 504 * 1024 * 1024


def build(out: Path) -> None:
    rng = np.random.default_rng(0)
    cols, rows_per_block = 1000, 100
    cell = np.frombuffer(b"<c><v>000000000</v></c>", dtype=np.uint8)
    out.parent.mkdir(exist_ok=True)
    with zipfile.ZipFile(SAMPLE) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zout.writestr(info.filename, zin.read(info.filename))
        with zout.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
                     b'openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            total = 0
            while total < SHEET_BYTES:
                block = np.tile(cell, (rows_per_block, cols, 1))
                block[:, :, 6:15] = rng.integers(48, 58, size=(rows_per_block, cols, 9), dtype=np.uint8)
                data = b"".join(b"<row>" + r.tobytes() + b"</row>" for r in block.reshape(rows_per_block, -1))
                fh.write(data)
                total += len(data)
            fh.write(b"</sheetData></worksheet>")


def main() -> None:
    if not TARGET.exists():
        build(TARGET)
    info = zipfile.ZipFile(TARGET).getinfo("xl/worksheets/sheet1.xml")
    t = time.perf_counter()
    r = subprocess.run([sys.executable, "-m", "rostercheck", "check", str(TARGET)], capture_output=True, text=True,
                       check=False)
    wall = time.perf_counter() - t
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"file {TARGET.stat().st_size / 1e6:.0f} MB, sheet {info.file_size / 2**20:.0f} MiB")
    print(f"exit {r.returncode}: {r.stderr.strip()[:160]}")
    print(f"user {use.ru_utime:.2f} s, system {use.ru_stime:.2f} s, wall {wall:.2f} s, "
          f"peak {use.ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
