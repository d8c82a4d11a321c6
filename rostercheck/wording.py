"""Words for counts, one way everywhere: "1 resident", "2 residents", "1 entry", "3 entries".

Messages are built in many places (rules, reports, the CLI); each once wrote its own ``'s' * (n != 1)``
and several forgot, printing "1 residents". No imports: rules and the CLI's light paths use it.
"""

from __future__ import annotations


def plural(n: float, word: str, many: str | None = None) -> str:
    """``n`` and the word in the number it takes: ``plural(1, "day")`` is "1 day", ``plural(2, "day")``
    "2 days", ``plural(2, "entry", "entries")`` "2 entries". Only exactly one is singular, so
    "1.5 days" and "0 days" read right; a float that is whole prints without ".0"."""
    text = str(int(n)) if isinstance(n, float) and n.is_integer() else str(n)
    return f"{text} {word if n == 1 else (many or word + 's')}"


def noun(n: float, word: str, many: str | None = None) -> str:
    """The word alone, in the number ``n`` takes (for "3 of 5 residents" style phrasing)."""
    return word if n == 1 else (many or word + "s")
