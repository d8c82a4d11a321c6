"""Which finding(s) each change of a repair fixes, so a coordinator can review a change list.

A finding of the roster before the repair is *fixed* when the checker no longer reports it after
(same rule, resident and start). A change fixes the fixed findings of its own resident whose dates
hold the change's date (or whose cells include the changed cell); a change of someone else on the
same date, with no finding of their own, is a swap partner keeping that date's coverage, and says
whose findings the swap fixes.
"""

from __future__ import annotations

from collections.abc import Iterable

from rostercheck.model import Finding


def finding_ref(f: Finding) -> dict:
    """The keys that identify a finding in the checker's output (rule, resident, start)."""
    return {"rule": f.rule, "resident": f.resident, "start": f.start}


def _key(f: Finding) -> tuple:
    return (f.rule, f.resident, f.start)


def link(changes: Iterable, before: Iterable[Finding], after: Iterable[Finding]) -> None:
    """Set ``fixes`` (findings, as ``finding_ref``) and ``role`` ("fixes", "coverage" or "")
    on every change."""
    changes = list(changes)
    still = {_key(f) for f in after}
    fixed = [f for f in before if _key(f) not in still]
    by_res: dict[str | None, list[Finding]] = {}
    for f in fixed:
        by_res.setdefault(f.resident, []).append(f)
    for ch in changes:
        mine = by_res.get(ch.resident, [])
        hit = [f for f in mine if f.start[:10] <= ch.date <= f.end[:10]
               or any(c.cell == ch.cell and c.sheet == ch.sheet for c in f.cells if ch.cell)]
        if not hit:
            # coverage and fair-share findings have no resident: a change on their dates serves them,
            # and of several (one per group), those naming the changed cell say which
            pool = [f for f in by_res.get(None, []) if f.start[:10] <= ch.date <= f.end[:10]]
            own = [f for f in pool if ch.cell and any(c.cell == ch.cell and c.sheet == ch.sheet for c in f.cells)]
            hit = own or pool
        ch.fixes = [finding_ref(f) for f in hit]
        ch.role = "fixes" if hit else ""
    by_date: dict[str, list] = {}
    for ch in changes:
        if ch.role == "fixes":
            by_date.setdefault(ch.date, []).append(ch)
    for ch in changes:
        if ch.role:
            continue
        partners = [c for c in by_date.get(ch.date, []) if c.resident != ch.resident]
        if not partners:  # a change of another day (a run of shifts moved along)
            partners = [c for c in changes if c.role == "fixes" and c.resident != ch.resident]
        seen: dict[tuple, dict] = {}
        for c in partners:
            for ref in c.fixes:
                seen.setdefault(tuple(ref.values()), ref)
        ch.fixes = list(seen.values())
        ch.role = "coverage" if ch.fixes else ""


def describe(ch: object) -> str:
    """The change's link in words: "fixes days-off (Ann, 07-01)" or "keeps coverage for ..."."""
    fixes = getattr(ch, "fixes", [])
    if not fixes:
        return ""
    labels = list(dict.fromkeys(  # one label once: two groups' findings of one rule and date read alike
        f"{f['rule']} ({f['resident'] + ', ' if f['resident'] else ''}{f['start'][5:10]})" for f in fixes))
    refs = ", ".join(labels[:3]) + (f" and {len(labels) - 3} more" if len(labels) > 3 else "")
    return f"fixes {refs}" if getattr(ch, "role", "") == "fixes" else f"keeps coverage for {refs}"
