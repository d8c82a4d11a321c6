"""The rule contract and the pieces every rule shares.

A rule kind is one module with ``KIND``, ``OPTIONS`` (typed, with defaults and docs), a docstring
that documents it with a passing and a failing example, and ``check(tl, params, scope)`` that
yields ``Hit`` records. Rules never know their id or severity (the engine stamps both), never
print, and never import the solver, openpyxl or Click.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from rostercheck.timeline import Timeline


@dataclass(frozen=True)
class Option:
    """One parameter of a rule kind."""

    name: str
    type: str  # "int", "number", "bool", "str", "kinds", "codes", "date", "choice", "hhmm-range"
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None


@dataclass
class Hit:
    """A rule broken once, in timeline terms (the engine turns it into a ``Finding``)."""

    resident: int | None
    start: int
    end: int
    value: float
    limit: float
    unit: str
    message: str
    cells: list[int] = field(default_factory=list)


class RuleKind(Protocol):
    KIND: str
    OPTIONS: tuple[Option, ...]
    __doc__: str | None

    def check(self, tl: Timeline, p: dict[str, Any], scope: np.ndarray) -> Iterator[Hit]: ...


# ------------------------------------------------------------------------------ common options
WINDOW_OPTIONS = (
    Option("window", "choice", "rolling", "`rolling`: every run of `average-days` days; `block`: fixed "
           "blocks from `anchor`", choices=("rolling", "block")),
    Option("anchor", "date", None, "first day of the first block for `window = \"block\"` "
           "(default: the roster's first day)"),
    Option("exclude-leave", "bool", True, "remove leave days from the window before scaling the limit"),
)


@dataclass(frozen=True)
class Windows:
    """Day-aligned windows [start, end) on the timeline's day axis, with on-service days per
    resident. ``on[r, w]`` is the window's length less the resident's leave days in it."""

    start: np.ndarray
    end: np.ndarray
    on: np.ndarray

    @property
    def length(self) -> np.ndarray:
        return self.end - self.start


def windows(tl: Timeline, days: int, p: dict[str, Any]) -> Windows:
    """Every window the rule must look at: inside the known days, touching the checked days.

    A timeline shorter than the window is one window (limits then scale with its length).
    Several rules ask for the same windows (four weeks, rolling), so they are made once per timeline.
    """
    key = (days, p.get("window", "rolling"), p.get("anchor"), bool(p.get("exclude-leave", True)))
    cache = tl.__dict__.setdefault("_windows", {})
    if key not in cache:
        w = _windows(tl, days, p)
        for a in (w.start, w.end, w.on):
            a.flags.writeable = False  # shared by every rule that asks: nobody may change them
        cache[key] = w
    return cache[key]


def _windows(tl: Timeline, days: int, p: dict[str, Any]) -> Windows:
    D = tl.n_days
    if p.get("window", "rolling") == "block":
        anchor = p.get("anchor")
        a = tl.first
        if anchor is not None:
            a = int((np.datetime64(anchor, "D") - tl.days[0].to_datetime64().astype("datetime64[D]")).astype(int))
        k0 = -((a - 0) // days) - 1 if a > 0 else 0
        starts = np.arange(a + k0 * days, D, days)
        ends = np.minimum(starts + days, D)
        starts = np.maximum(starts, 0)
        keep = (ends > starts) & (ends > tl.first)
        starts, ends = starts[keep], ends[keep]
    elif days >= D:
        starts, ends = np.array([0]), np.array([D])
    else:
        starts = np.arange(max(0, tl.first - days + 1), D - days + 1)
        ends = starts + days
    if p.get("exclude-leave", True):
        L = np.concatenate([np.zeros((tl.n_residents, 1), int), np.cumsum(tl.leave, axis=1)], axis=1)
        on = (ends - starts)[None, :] - (L[:, ends] - L[:, starts])
    else:
        on = np.broadcast_to((ends - starts)[None, :], (tl.n_residents, len(starts))).copy()
    return Windows(starts.astype(np.int64), ends.astype(np.int64), on)


def window_sums(M: np.ndarray, w: Windows) -> np.ndarray:
    """Sum of a [R, D] matrix over each window -> [R, W] (prefix sums, no loop over windows)."""
    P = np.concatenate([np.zeros((M.shape[0], 1), M.dtype), np.cumsum(M, axis=1)], axis=1)
    return P[:, w.end] - P[:, w.start]


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in a 1-D array as (first, last) index pairs."""
    if not flags.any():
        return []
    padded = np.r_[False, flags, False].astype(np.int8)
    d = np.diff(padded)
    starts = np.flatnonzero(d == 1)
    ends = np.flatnonzero(d == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def window_hits(
    tl: Timeline,
    bad: np.ndarray,
    score: np.ndarray,
    w: Windows,
    scope: np.ndarray,
    make: Callable[[int, int, int], Hit],
) -> Iterator[Hit]:
    """One hit per resident per run of overlapping bad windows, for the worst window of the run.

    Rolling windows overlap, so one excess shows up in many windows; reporting each would bury a
    chief resident in near-duplicates. ``score`` orders windows (higher is worse); ``make(r, wi,
    n)`` builds the hit for resident r's worst window wi, of n bad windows in that run.
    """
    bad = bad & scope[:, None]
    # consecutive windows only belong to one run while they overlap (rolling); blocks never do
    joined = np.r_[w.start[1:] < w.end[:-1], False]
    for r in np.flatnonzero(bad.any(axis=1)):
        for a, b in runs(bad[r]):
            cuts = [a] + [i + 1 for i in range(a, b) if not joined[i]] + [b + 1]
            for lo, hi in itertools.pairwise(cuts):
                wi = lo + int(np.argmax(score[r, lo:hi]))
                yield make(int(r), wi, hi - lo)


def in_checked(tl: Timeline, end: int) -> bool:
    """Only what reaches into the checked roster is reported (history is context)."""
    return end > tl.checked_start


def fmt(x: float) -> str:
    """Numbers in messages: '80', '80.5', '7.5' (never '80.00000001')."""
    x = round(float(x), 2)
    return f"{x:g}" if x != int(x) else f"{int(x)}"


def ceil_div(a: np.ndarray, b: float) -> np.ndarray:
    return np.ceil(np.round(a / b, 9)).astype(np.int64)


def floor_div(a: np.ndarray, b: float) -> np.ndarray:
    return np.floor(np.round(a / b, 9)).astype(np.int64)


def hm(minutes: float) -> float:
    return round(minutes / 60.0, 2)


def isfinite(x: float) -> bool:
    return math.isfinite(x)
