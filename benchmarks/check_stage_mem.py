"""Memory of the check stage on its own (normalise + rules), after the read, in one process.

    PYTHONPATH=TREE python benchmarks/check_stage_mem.py benchmarks/.cache/im-5000x365.xlsx [--trace]

Reads the roster as ``rostercheck check`` does (``pipeline.load_config``, ``read_roster``), resets
the process's high-water mark (``/proc/self/clear_refs`` 5) and, with ``--trace``, tracemalloc's
peak, then hands ``check_raw`` the only reference to the read roster. A whole process's peak is the
read's (docs/performance.md, "Memory after the read"); this is the check's share of it. RSS after a
read includes heap the read freed but the C allocator kept, so the tracemalloc figures (everything
allocated by Python and numpy, the entries still held included) are the ones to compare.
"""

from __future__ import annotations

import gc
import sys
import time


def _status(key: str) -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) // 1024 for line in f if line.startswith(key))


def main(path: str, trace: bool) -> None:
    import tracemalloc

    from rostercheck import check, pipeline
    from rostercheck.read import read_roster

    cfg = pipeline.load_config(path, {})
    if trace:
        tracemalloc.start(1)
    box = [read_roster(path, cfg.roster)]
    gc.collect()
    after_read = tracemalloc.get_traced_memory()[0] if trace else 0
    if trace:
        tracemalloc.reset_peak()
    rss0 = _status("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    t = time.process_time()
    result = check.check_raw(box.pop(), cfg)  # held: the timeline stays live, as a report needs it
    t = time.process_time() - t
    out = (f"{path.rsplit('/', 1)[-1]}: RSS after read {rss0} MB, check peak RSS {_status('VmHWM')} MB, "
           f"cpu {t:.2f} s, {len(result.findings)} findings")
    if trace:
        cur, peak = tracemalloc.get_traced_memory()
        out += (f"; traced after read {after_read / 1e6:.0f} MB, check peak {peak / 1e6:.0f} MB, "
                f"live at end {cur / 1e6:.0f} MB")
    print(out)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--trace"]
    if len(args) != 1:
        sys.exit(__doc__)
    main(args[0], "--trace" in sys.argv[1:])
