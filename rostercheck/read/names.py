"""People's names as coordinators type them into duty cells.

A duty list is kept by hand: the same person appears as ``James``, ``JAMES`` and `` James ``, a
cell holds two people for the two halves of a day (``James (AM) William (PM)``) or a note
(``James (instead of William)``), and a name is now and then misspelt (``Wiliam``). Reading must
neither split one person into three residents nor quietly merge two people, so: case and spaces
merge (the most frequent spelling is shown), a one-letter difference is only warned about, and
every note kept out of a name is warned about with its cell.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rostercheck.read.cells import collapse
from rostercheck.read.dates import slot_label

#: ``(AM)``, ``(p.m.)``, ``(morning)``: a half-day marker after a name.
_PAREN = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]")


@dataclass(frozen=True)
class Part:
    """One person named in a cell: ``slot`` is "" for the whole duty, else "AM" or "PM"."""

    name: str
    slot: str


@dataclass(frozen=True)
class ParsedCell:
    parts: tuple[Part, ...]
    notes: tuple[str, ...]  # parenthesised text kept out of the names, as written


def parse_cell(text: str) -> ParsedCell:
    """The people in one duty cell and the notes around them.

    ``James (AM) William (PM)`` -> James in the AM half, William in the PM half; ``James (instead
    of William)`` -> James for the whole duty, note "instead of William". Text after the last
    half-day marker (``James (AM) William``) is the other half's holder.
    """
    text = collapse(text)
    parts: list[Part] = []
    notes: list[str] = []
    pending = ""  # name text seen since the last marker
    pos = 0
    for m in _PAREN.finditer(text):
        pending += text[pos : m.start()]
        pos = m.end()
        inner = collapse(m.group(1) if m.group(1) is not None else m.group(2))
        slot = slot_label(inner)
        if slot is not None and collapse(pending):
            parts.append(Part(collapse(pending), slot))
            pending = ""
        else:
            notes.append(inner)
    pending = collapse(pending + text[pos:])
    if pending:
        if parts:  # "James (AM) William": the rest holds the other half
            taken = {p.slot for p in parts}
            other = "PM" if "AM" in taken and "PM" not in taken else ("AM" if "AM" not in taken else "")
            parts.append(Part(pending, other))
        else:
            parts.append(Part(pending, ""))
    return ParsedCell(tuple(parts), tuple(notes))


def name_key(name: str) -> str:
    """What makes two spellings one person: case and spaces do not count."""
    return collapse(name).casefold()


def canonical_spellings(uses: dict[str, int]) -> dict[str, str]:
    """Per ``name_key``, the spelling shown: the most used one (``uses``: spelling -> cells, in
    order of first appearance), the first seen on a tie."""
    counts: dict[str, Counter[str]] = {}
    for n, k in uses.items():
        counts.setdefault(name_key(n), Counter())[collapse(n)] += k
    return {k: c.most_common(1)[0][0] for k, c in counts.items()}


def one_edit_apart(a: str, b: str) -> bool:
    """One letter added, dropped or changed (``Wiliam``/``William``), compared case-blind."""
    a, b = a.casefold(), b.casefold()
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def near_misses(keys: list[str]) -> list[tuple[str, str]]:
    """Pairs of distinct names one edit apart. Names are few (a program has dozens of people), so
    all pairs are compared; the length test skips most of them."""
    out = []
    ordered = sorted(set(keys), key=lambda k: (len(k), k))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if len(b) > len(a) + 1:
                break
            if len(a) >= 3 and one_edit_apart(a, b):
                out.append((a, b))
    return out
