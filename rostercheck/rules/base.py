"""The rule contract and the pieces every rule shares.

A rule kind is one module with ``KIND``, ``OPTIONS`` (typed, with defaults and docs), a docstring
that documents it with a passing and a failing example, and ``check(tl, params, scope)`` that
yields ``Hit`` records. Rules never know their id or severity (the engine stamps both), never
print, and never import the solver, openpyxl or Click.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from rostercheck.ranges import MAX_RULE_NUMBER
from rostercheck.timeline import Timeline, flatnonzero


@dataclass(frozen=True)
class Option:
    """One parameter of a rule kind."""

    name: str
    type: str  # "int", "number", "bool", "str", "kinds", "codes", "code", "date", "choice", "hhmm-range"
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float = MAX_RULE_NUMBER  # every number is bounded: a typo'd 1e12 is refused, not computed with


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
    resident. ``on[r, w]`` is the window's length less the resident's leave days in it, as int32
    (a count of days: half the bytes of an [R, W] matrix that is 13 MB at 5,000 residents and a
    year); multiply it by a rule's numbers only as int64 or float (``per_on`` does)."""

    start: np.ndarray
    end: np.ndarray
    on: np.ndarray

    @property
    def length(self) -> np.ndarray:
        return self.end - self.start

    @cached_property
    def on_range(self) -> tuple[int, int]:
        """Fewest and most on-service days of any window (``by_value`` tables span them)."""
        return (int(self.on.min()), int(self.on.max())) if self.on.size else (0, 0)

    def per_on(self, f: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
        """``f(self.on)`` for an elementwise ``f``, by a table over the on-service day counts."""
        return by_value(self.on, f, self.on_range)

    @cached_property
    def _cols(self) -> tuple[slice | np.ndarray, slice | np.ndarray]:
        """How to take the start and the end columns: a slice when they are consecutive (rolling
        windows), else the indices; worked out once, not on every ``columns`` a rule asks for."""
        return _run_or_index(self.start), _run_or_index(self.end)

    def at_start(self, M: np.ndarray) -> np.ndarray:
        """``columns(M, self.start)``: each window's start column of a [R, D + 1] matrix."""
        return M[:, self._cols[0]]

    def at_end(self, M: np.ndarray) -> np.ndarray:
        """``columns(M, self.end)``."""
        return M[:, self._cols[1]]

    def sums(self, P: np.ndarray) -> np.ndarray:
        """``between(P, self.start, self.end)``: each window's sum of [R, D + 1] prefix sums."""
        return self.at_end(P) - self.at_start(P)


def windows(tl: Timeline, days: int, p: dict[str, Any]) -> Windows:
    """Every window the rule must look at: inside the known days, touching the checked days.

    A timeline shorter than the window is one window (limits then scale with its length).
    Several rules ask for the same windows (four weeks, rolling), so they are made once per timeline.
    """
    key = (days, p.get("window", "rolling"), p.get("anchor"), bool(p.get("exclude-leave", True)))
    cache = tl.memo("windows")
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
            a = int((np.datetime64(anchor, "D") - tl.days[0]).astype(int))
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
    starts, ends = starts.astype(np.int64, copy=False), ends.astype(np.int64, copy=False)  # fresh arrays
    length = (ends - starts).astype(np.int32)  # days: int32 holds any window's
    cols = _run_or_index(starts), _run_or_index(ends)  # worked out once: for ``on`` and for every rule
    if p.get("exclude-leave", True):
        L = leave_prefix(tl)
        on = length[None, :] - (L[:, cols[1]] - L[:, cols[0]])  # int32 less int16: int32
    else:
        on = np.broadcast_to(length[None, :], (tl.n_residents, len(starts))).copy()
    w = Windows(starts, ends, on)
    w.__dict__["_cols"] = cols  # the cached property, known already
    return w


def leave_prefix(tl: Timeline) -> np.ndarray:
    """[R, D + 1] leave days before each day, made once per timeline (every averaged rule asks):
    int16 when the axis is shorter than 32,767 days (any roster's), else int32."""
    cache = tl.memo("leave_prefix")
    if "L" not in cache:
        L = prefix(tl.leave, np.int16 if tl.n_days < 1 << 15 else np.int32)  # counts of days
        L.flags.writeable = False
        cache["L"] = L
    return cache["L"]


def prefix(M: np.ndarray, dtype: type | None = None) -> np.ndarray:
    """[R, D + 1] running sums along days, starting at 0: what ``window_sums`` subtracts.

    The same sums, in the same order, as ``np.cumsum`` (floats come out bit for bit the same),
    written straight into place instead of concatenated after a zero column. ``dtype`` narrows
    the sums of small counts (flags per day: int32 holds any year), which halves their memory.
    """
    if dtype is None:
        dtype = np.cumsum(M[:1, :1], axis=1).dtype  # cumsum's own choice: int64 for bool and small ints
    P = np.empty((M.shape[0], M.shape[1] + 1), dtype=dtype)
    P[:, 0] = 0
    np.cumsum(M, axis=1, out=P[:, 1:])
    return P


def columns(M: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``M[:, cols]``, as a view when ``cols`` are consecutive (rolling windows move a day at a time),
    instead of a gather over every resident."""
    return M[:, _run_or_index(cols)]


def _run_or_index(cols: np.ndarray) -> slice | np.ndarray:
    """``cols`` as a slice when they are consecutive, else themselves (what ``columns`` indexes by)."""
    n = len(cols)
    if n and (n == 1 or bool((cols[1:] - cols[:-1] == 1).all())):
        return slice(int(cols[0]), int(cols[0]) + n)
    return cols


def between(P: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """``P[:, end] - P[:, start]`` for [R, D + 1] prefix sums ``P``: each window's sum."""
    return columns(P, end) - columns(P, start)


def window_sums(M: np.ndarray, w: Windows, dtype: type | None = None) -> np.ndarray:
    """Sum of a [R, D] matrix over each window -> [R, W] (prefix sums, no loop over windows)."""
    return w.sums(prefix(M, dtype))


def day_major_sums(HT: np.ndarray, w: Windows) -> np.ndarray:
    """``window_sums(HT.T, w)`` for a day-major [D, R] matrix, as a [R, W] view.

    The running sums go a day at a time, adding a contiguous row of every resident: the same
    additions in the same order as ``np.cumsum`` along days (floats come out bit for bit the
    same), four times faster than a cumulative sum along the short, strided axis. A few dozen
    residents are summed by one ``np.cumsum`` down the days instead (the same additions again):
    there a numpy call per day costs more than the sums.
    """
    D, R = HT.shape
    P = np.empty((D + 1, R), dtype=np.result_type(HT.dtype, np.int64))
    P[0] = 0
    if R <= 64:
        np.cumsum(HT, axis=0, out=P[1:])
    else:
        for d in range(D):
            np.add(P[d], HT[d], out=P[d + 1])
    return w.sums(P.T)


def by_value(a: np.ndarray, f: Callable[[np.ndarray], np.ndarray], bounds: tuple[int, int] | None = None) -> np.ndarray:
    """``f(a)`` for an elementwise ``f`` of small non-negative integers (on-service days), worked out
    once per distinct value and looked up: half a million windows hold a few dozen values, and
    ``np.round`` over all of them cost more than the rule. Same numbers as ``f(a)``. ``bounds``
    is ``(a.min(), a.max())`` when the caller knows it."""
    wide = np.int64 if a.dtype.kind in "iu" else a.dtype  # f multiplies by a rule's numbers: never in int32
    if not a.size:
        return f(a.astype(wide))
    lo, hi = bounds if bounds is not None else (int(a.min()), int(a.max()))
    if lo < 0 or hi > 1 << 16:
        return f(a.astype(wide))
    return np.asarray(f(np.arange(hi + 1, dtype=wide)))[a]


def runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """Maximal runs of True in a 1-D array as (first, last) index pairs."""
    if not flags.any():
        return []
    padded = np.r_[False, flags, False].astype(np.int8)
    d = np.diff(padded)
    starts = flatnonzero(d == 1)
    ends = flatnonzero(d == -1) - 1
    return list(zip(starts.tolist(), ends.tolist()))


def window_hits(
    tl: Timeline,
    bad: np.ndarray,
    score: np.ndarray | Callable[[int], np.ndarray],
    w: Windows,
    scope: np.ndarray,
    make: Callable[[int, int, int], Hit],
) -> Iterator[Hit]:
    """One hit per resident per run of overlapping bad windows, for the worst window of the run.

    ``make(r, wi, n)`` builds the hit for resident r's worst window wi, of n bad windows in that
    run; ``worst_windows`` says which.
    """
    for r, wi, n in worst_windows(bad, score, w, scope):
        yield make(r, wi, n)


def worst_windows(
    bad: np.ndarray, score: np.ndarray | Callable[[int], np.ndarray], w: Windows, scope: np.ndarray,
) -> list[tuple[int, int, int]]:
    """Per resident per run of overlapping bad windows: (resident, worst window, windows in the run).

    Rolling windows overlap, so one excess shows up in many windows; reporting each would bury a
    chief resident in near-duplicates. ``score`` orders windows (higher is worse; the first of
    equals wins): an [R, W] array, or a function giving one resident's row (only residents with a
    hit need one). A list, in resident and window order, so that a rule can look up the cells of
    all its findings at once; the runs and their maxima are found for all residents together.
    """
    if not bad.any():  # the usual answer, in one call
        return []
    rows = flatnonzero(bad.any(axis=1) & scope)
    if not len(rows):
        return []
    k, W = len(rows), bad.shape[1]
    # rows end to end, each followed by a False: no run crosses from one resident into the next
    B = np.zeros((k, W + 1), dtype=bool)
    B[:, :W] = bad[rows]
    S = np.zeros((k, W + 1))
    S[:, :W] = np.stack([score(int(r)) for r in rows]) if callable(score) else score[rows]
    # consecutive windows only belong to one run while they overlap (rolling); blocks never do
    joined = np.zeros(W + 1, dtype=bool)
    joined[1:W] = w.start[1:] < w.end[:-1]
    first = B.copy()
    first[:, 1:] &= ~(B[:, :-1] & joined[1:])
    at = flatnonzero(B.ravel())  # every bad window, run after run
    new = first.ravel()[at]
    lo = flatnonzero(new)  # where each run begins among them
    size = np.diff(np.r_[lo, len(at)])
    sc = S.ravel()[at]
    best = np.maximum.reduceat(sc, lo)
    hit = flatnonzero(sc == np.repeat(best, size))
    run_of = np.cumsum(new)[hit] - 1
    worst = hit[np.r_[True, run_of[1:] != run_of[:-1]]]  # the first maximum of each run
    pos = at[worst]
    return list(zip(rows[pos // (W + 1)].tolist(), (pos % (W + 1)).tolist(), size.tolist()))


def at_picks(picks: list[tuple[int, int, int]], *arrays: np.ndarray) -> list[list[Any]]:
    """Each [R, W] array's value at every pick of ``worst_windows``, as Python numbers: building a
    finding from numpy scalars costs more than the finding."""
    r = np.array([q[0] for q in picks], dtype=np.int64)
    wi = np.array([q[1] for q in picks], dtype=np.int64)
    return [a[r, wi].tolist() for a in arrays]


def window_cells(
    tl: Timeline, picks: list[tuple[int, int, int]], w: Windows, kinds: Iterable[str] | None = None,
    codes: Iterable[str] | None = None,
) -> list[list[int]]:
    """The cells of shifts of ``kinds``/``codes`` in each picked window (``worst_windows``), at once."""
    if not picks:
        return []
    r, wi = np.array([p[0] for p in picks], dtype=np.int64), np.array([p[1] for p in picks], dtype=np.int64)
    return tl.cells_in_days_many(r, w.start[wi], w.end[wi], kinds, codes) if len(picks) else []


def in_checked(tl: Timeline, end: int) -> bool:
    """Only what reaches into the checked roster is reported (history is context)."""
    return end > tl.checked_start


def fmt(x: float) -> str:
    """Numbers in messages: '80', '80.5', '7.5' (never '80.00000001')."""
    x = round(float(x), 2)
    return f"{x:g}" if x != int(x) else f"{int(x)}"


def ceil_div(a: np.ndarray, b: float) -> np.ndarray:
    # ``ndarray.round`` is what ``np.round`` calls, without its Python wrappers (rules call this per rule)
    return np.ceil(np.asarray(a / b).round(9)).astype(np.int64)


def floor_div(a: np.ndarray, b: float) -> np.ndarray:
    return np.floor(np.asarray(a / b).round(9)).astype(np.int64)


def hm(minutes: float) -> float:
    return round(minutes / 60.0, 2)


def isfinite(x: float) -> bool:
    return math.isfinite(x)
