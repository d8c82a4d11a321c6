"""What each cell option means when only some of its shifts count.

Rules that count only some codes or kinds (``max-hours`` with ``codes``, the shifts a
``max-consecutive`` run is made of) need, per option, the time of just those shifts. They are
built by the same normalisation as every other fact: the problem's own ``_facts``, run with a
legend in which every other code is an untimed day off, so solver and checker cannot disagree.
"""

from __future__ import annotations

import dataclasses

from rostercheck.legend import Shift
from rostercheck.repair.cpmodel import RepairModel
from rostercheck.repair.problem import Facts, _facts


def facts_of(m: RepairModel, kinds: list[str], codes: list[str]) -> dict[tuple[int, str, int], Facts]:
    """Facts of every option on every date and slot, counting only shifts of ``kinds`` or ``codes``."""
    key = (tuple(sorted(kinds)), tuple(sorted(codes)))
    cache = m.__dict__.setdefault("_filtered_facts", {})
    if key not in cache:
        tl = m.pb.tl
        legend = {c: sh if (sh.kind in kinds or c in codes) else Shift(code=c, kind="off")
                  for c, sh in tl.legend.items()}
        cache[key] = _facts(dataclasses.replace(tl, legend=legend), m.pb.raw, m.pb.options, m.pb.slots)
    return cache[key]
