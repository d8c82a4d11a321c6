"""Repairs of duty lists: who holds each duty on each date, written back as names.

The solver repairs a duty list in its residents x dates shape (``read.duty``), where the default
coverage constraint keeps every date's count of holders of each duty: a repair can only move a
duty from one person to another, never leave it unheld or add a second holder. Here that
solution is turned back into the cells people wrote: per (date, duty), the people who kept the
duty stay in their cells and the freed cells get the new holders, each cell's new text is the
names (``A (AM) B (PM)`` for a split duty), and a cell whose holders did not change is not
touched, however it was spelt.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from rostercheck.legend import Shift, normalise_code, split_codes
from rostercheck.model import RawRoster, cell_name
from rostercheck.read.duty import entries_for
from rostercheck.repair.solve import Change

_SLOT_ORDER = {"": 0, "AM": 1, "PM": 2}


def cell_text(holders: list[tuple[str, str]]) -> str:
    """Names as a person would write them: ``A``, ``A (AM) B (PM)``, ``A / B``."""
    holders = sorted(holders, key=lambda h: _SLOT_ORDER.get(h[0], 9))
    whole = [n for s, n in holders if s == ""]
    halves = [f"{n} ({s})" for s, n in holders if s != ""]
    return " ".join([" / ".join(whole)] * bool(whole) + halves)


def duty_repair(raw: RawRoster, repaired: RawRoster, legend: dict[str, Shift]) -> tuple[list[Change], RawRoster]:
    """The cell changes that turn ``raw`` (a duty list) into ``repaired``, and ``repaired`` rebuilt
    from those cells (so that findings after the repair point at the duty cells, too)."""
    duties = raw.duties
    assert duties is not None
    names = [r.name for r in raw.residents]
    e = repaired.entries.frame()
    new: dict[tuple, Counter] = {}  # (date, code) -> Counter of (slot, resident)
    for r, date, slot, text in zip(e["resident"].tolist(), pd.to_datetime(e["date"]).tolist(),
                                   e["slot"].fillna("").tolist(), e["text"].fillna("").tolist(), strict=True):
        for code in split_codes(str(text), legend) or []:
            new.setdefault((date, code), Counter())[(slot, int(r))] += 1

    d = duties.frame()
    d["date"] = pd.to_datetime(d["date"])
    d["code"] = [normalise_code(x) for x in d["duty"].tolist()]
    changes: list[Change] = []
    rows: list[dict] = []
    for (date, code), group in d.groupby(["date", "code"], sort=True):
        cells = list(dict.fromkeys(zip(group["sheet"].tolist(), group["cell"].tolist(), strict=True)))
        before: dict[tuple, list[tuple[str, int]]] = {c: [] for c in cells}
        text_of: dict[tuple, str] = {}
        duty_of: dict[tuple, str] = {}
        for sheet, cell, slot, r, text, duty in zip(group["sheet"], group["cell"], group["slot"], group["resident"],
                                                    group["text"], group["duty"], strict=True):
            text_of[(sheet, cell)] = text
            duty_of[(sheet, cell)] = duty
            if r >= 0:
                before[(sheet, cell)].append((slot, int(r)))
        left = Counter(new.get((date, code), Counter()))
        after: dict[tuple, list[tuple[str, int]]] = {}
        for c in cells:  # holders who keep the duty keep their cell
            kept = []
            for h in before[c]:
                if left[h] > 0:
                    left[h] -= 1
                    kept.append(h)
            after[c] = kept
        for h in sorted(left.elements()):  # the rest fill the halves and cells others left
            target = next((c for c in cells if any(s == h[0] for s, _ in before[c])
                           and sum(s == h[0] for s, _ in after[c]) < sum(s == h[0] for s, _ in before[c])),
                          next((c for c in cells if not after[c]), cells[0]))
            after[target].append(h)
        for c in cells:
            sheet, cell = c
            old_set = Counter(before[c])
            holders = after[c]
            text = text_of[c]
            if Counter(holders) != old_set:
                text = cell_text([(s, names[r]) for s, r in holders])
                ordered = sorted(holders, key=lambda h: _SLOT_ORDER.get(h[0], 9))
                who = ", ".join(dict.fromkeys(names[r] for _, r in ordered))
                changes.append(Change(who, date.date().isoformat(), "", text_of[c], text, sheet, cell_name(cell), -1,
                                      duty=duty_of[c]))
            for s, r in holders or [("", -1)]:
                rows.append({"date": date.to_datetime64(), "duty": duty_of[c], "slot": s,
                             "name": names[r] if r >= 0 else "", "sheet": sheet, "cell": cell, "text": text,
                             "resident": r})
    table = pd.DataFrame(rows)
    dates = np.unique(raw.entries["date"].astype("datetime64[D]"))
    entries, table = entries_for(table, len(raw.residents), dates)
    rebuilt = RawRoster(raw.path, raw.residents, entries, raw.layout, raw.sheets, raw.legend, read=raw.read,
                        duties=table)
    changes.sort(key=lambda c: (c.date, c.sheet or "", c.cell or ""))
    return changes, rebuilt
