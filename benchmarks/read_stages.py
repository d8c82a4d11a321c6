"""CPU of the read stages of one roster, in one process (best of three), for before/after comparisons.

    python benchmarks/read_stages.py benchmarks/.cache/im-1500x365.xlsx
    PYTHONPATH=/tmp/base python benchmarks/read_stages.py benchmarks/.cache/im-1500x365.xlsx   # another tree

Prints the safety inspection, ``open_book`` with every sheet's values and their texts (what the
readers start from), and the whole ``read_roster``; the tree timed is the one ``rostercheck`` is
imported from (``PYTHONPATH`` picks another, e.g. ``git archive main | tar -x -C /tmp/base``).
"""

from __future__ import annotations

import gc
import inspect as pyinspect
import sys
import time
from pathlib import Path


def best(f, n: int = 3) -> float:
    out = float("inf")
    for _ in range(n):
        gc.collect()
        t = time.process_time()
        f()
        out = min(out, time.process_time() - t)
    return out


def main(path: str) -> None:
    import rostercheck
    from rostercheck.pipeline import load_config
    from rostercheck.read import read_roster, source
    from rostercheck.read.cells import text_array
    from rostercheck.safety import inspect

    cfg = load_config(path, {})
    keeps = "keep" in pyinspect.signature(inspect).parameters

    def values_and_texts() -> None:
        book = source.open_book(path)
        for name in book.names:
            sheet = book.sheet(name)
            sheet.texts() if hasattr(sheet, "texts") else text_array(sheet.values)

    t_inspect = best(lambda: inspect(path, path, **({"keep": {}} if keeps else {})))
    t_open = best(values_and_texts)
    t_read = best(lambda: read_roster(path, cfg.roster))
    print(f"{Path(rostercheck.__file__).parent.parent}: inspect {t_inspect:.3f} s | open_book + every sheet's "
          f"values and texts {t_open:.3f} s | read_roster {t_read:.3f} s")


if __name__ == "__main__":
    main(sys.argv[1])
