"""Normalise: from cells of text to real time intervals.

Everything after this module works on integers: absolute minutes since 1970 (UTC when a time zone
is configured, naive local time otherwise), day indices into one day axis, and resident indices.
That is what lets every rule be a handful of numpy operations instead of a loop over cells.

The day axis covers the previous roster (history, when given) followed by the roster checked;
``first`` is the index of the first day checked. Findings are only reported where they touch
the checked days, so history informs windows and rest without being judged again.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from typing import Any, NamedTuple, overload

import numpy as np

from rostercheck.errors import InputError
from rostercheck.legend import (
    BUSY_KINDS,
    KINDS,
    WHOLE_DAY_DEFAULT,
    WORK_KINDS,
    Shift,
    code_spellings,
    parse_time,
    split_codes,
    unknown_parts,
)
from rostercheck.model import RawRoster, Resident, Source, cell_name
from rostercheck.table import Table, factorize

MIN_PER_DAY = 1440
#: Sentinel for "before history" / "after the roster" in gap arithmetic; far from any real time.
FAR = np.int64(2**40)
#: Offset that separates residents on one flat, sorted time axis (residents never overlap).
LANE = np.int64(2**42)

#: Kind of a shift row as a small integer (``Timeline.kind_id``), in the order of ``legend.KINDS``.
KIND_ID = {k: i for i, k in enumerate(KINDS)}
HALF_DAY_SLOTS = {"AM": (8 * 60, 12 * 60), "PM": (13 * 60, 17 * 60)}
_EPOCH = dt.datetime(1970, 1, 1)


def flatnonzero(a: np.ndarray) -> np.ndarray:
    """``np.flatnonzero(a)`` for an array, without numpy's layers of Python wrappers around it: a
    small roster's check asks a few dozen times, and the wrappers cost more than the search."""
    return a.ravel().nonzero()[0]


@cache
def _zone(name: str) -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


@dataclass
class Intervals:
    """Per-resident disjoint intervals, sorted by (resident, start), with lane-shifted copies."""

    resident: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @cached_property
    def lane_start(self) -> np.ndarray:
        return self.start + self.resident.astype(np.int64) * LANE

    @cached_property
    def lane_end(self) -> np.ndarray:
        return self.end + self.resident.astype(np.int64) * LANE

    def overlaps(self, resident: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """For each query [start, end) of a resident: does any interval overlap it?"""
        return self.overlaps_lanes(start + resident.astype(np.int64) * LANE, end + resident.astype(np.int64) * LANE)

    def overlaps_lanes(self, qs: np.ndarray, qe: np.ndarray) -> np.ndarray:
        """``overlaps`` for queries already on their resident's lane (start and end + resident * LANE)."""
        i = searchsorted_sorted(self.lane_end, qs, side="right")  # first interval ending after qs
        ok = i < len(self.lane_start)
        hit = np.zeros(len(qs), dtype=bool)
        hit[ok] = self.lane_start[i[ok]] < qe[ok]
        return hit


def merge(resident: np.ndarray, start: np.ndarray, end: np.ndarray, gap: int = 0) -> tuple[Intervals, np.ndarray]:
    """Union of intervals per resident, joining those separated by less than ``gap`` minutes
    (``gap=0`` joins only overlapping or touching ones).

    Returns the merged intervals and, for each input row (in input order), the index of the merged
    interval it fell into.
    """
    return _Sweep.of(resident, start, end).cut(gap)


@dataclass
class _Sweep:
    """Intervals sorted by (resident, start) and swept once: the running end of each resident's rows.

    Merging at any gap is then one comparison of the free time before each row against the gap:
    work (gap 0) and work periods (``period-gap``) are the same rows merged at two gaps, so they
    share the sort and the running end instead of paying for both twice. Only what cannot be
    derived cheaply is kept (a year of 5,000 residents has 1.1 million work rows, 8.9 MB an int64
    column): no lane-shifted copies (``Intervals`` makes them if a rule asks), and a cut that joins
    nothing (the usual roster's work and work periods) is one ``Intervals`` shared by every gap.
    """

    order: np.ndarray | None  # input row of each sorted row (None: the input came sorted)
    resident: np.ndarray
    start: np.ndarray
    run_end: np.ndarray  # plain minutes: end of the union of the resident's rows up to this one

    @classmethod
    def of(cls, resident: np.ndarray, start: np.ndarray, end: np.ndarray) -> _Sweep:
        lane = resident * LANE if resident.dtype == np.int64 else resident.astype(np.int64) * LANE
        ls = start + lane  # (resident, start) as one int64: residents never share a lane
        order = None  # rows of a grid roster come sorted: no sort at all
        if len(ls) > 1 and not bool((ls[1:] >= ls[:-1]).all()):
            order = np.argsort(ls, kind="stable")  # same order as lexsort((start, resident)), one key
            resident, start, end, lane, ls = resident[order], start[order], end[order], lane[order], ls[order]
        le = np.add(end, lane, out=lane)
        return cls.of_lanes(order, resident, start, ls, le)

    @classmethod
    def of_lanes(cls, order: np.ndarray | None, resident: np.ndarray, start: np.ndarray, ls: np.ndarray,
                 le: np.ndarray) -> _Sweep:
        """From rows already sorted by lane-shifted start (``ls`` and ``le``: arrays the sweep may
        overwrite). On the lanes a running maximum never carries one resident's end into the next
        resident's rows (lanes are 2**42 minutes apart); the lanes are then taken off again."""
        if len(le) > 1 and not bool((le[1:] >= le[:-1]).all()):
            run_end = np.maximum.accumulate(le)
        else:
            run_end = le  # ends in order too (no interval inside another): the running end is the end
        lanes = np.subtract(ls, start, out=ls)
        np.subtract(run_end, lanes, out=run_end)
        run_end.flags.writeable = False  # shared as the ends of a cut that joins nothing
        return cls(order, resident, start, run_end)

    @property
    def end(self) -> np.ndarray:
        """The ends of every cut that joins no rows (read-only)."""
        return self.run_end

    @cached_property
    def _whole(self) -> Intervals:
        """Every row its own interval: the one answer of every cut that joins nothing."""
        return Intervals(self.resident, self.start, self.run_end)

    def cut(self, gap: int, groups: bool = True) -> tuple[Intervals, np.ndarray]:
        """Merge where the free time before a row is under ``gap`` (at least 1: touching rows join).

        A resident's first row always starts a new interval. Without ``groups`` the second result
        is empty (the union alone is wanted).
        """
        n = len(self.start)
        # the free time before each row within its resident, compared with the gap
        joins = np.less(self.start[1:] - self.run_end[:-1], max(gap, 1))
        if joins.any():
            joins &= self.resident[1:] == self.resident[:-1]
        if not joins.any():  # nothing joins (the usual roster): every row is its own interval
            merged = self._whole
            gid = np.arange(n, dtype=_index_dtype(n)) if groups else None
        else:
            new = np.empty(n, dtype=bool)
            new[0] = True
            np.logical_not(joins, out=new[1:])
            first = flatnonzero(new)
            last = np.empty_like(first)  # each interval's last row: the row before the next one's first
            np.subtract(first[1:], 1, out=last[:-1])
            last[-1] = n - 1
            merged = Intervals(self.resident[first], self.start[first], self.run_end[last])
            gid = None
            if groups:  # period ids as int32 (work rows by the million): same numbers, half the bytes
                gid = np.cumsum(new, dtype=_index_dtype(n))
                gid -= 1
        if gid is None:
            return merged, np.zeros(0, dtype=np.int32)
        if self.order is None:
            return merged, gid
        group = np.empty(n, dtype=gid.dtype)
        group[self.order] = gid
        return merged, group


def _lanes(iv: Intervals) -> tuple[np.ndarray, np.ndarray]:
    """``iv``'s lane-shifted starts and ends, without keeping them on ``iv`` when it has none yet
    (the work intervals of a year of 5,000 residents: 18 MB that one merge needs for a moment)."""
    known = iv.__dict__
    if "lane_start" in known and "lane_end" in known:
        return known["lane_start"], known["lane_end"]
    lane = iv.resident * LANE if iv.resident.dtype == np.int64 else iv.resident.astype(np.int64) * LANE
    return iv.start + lane, np.add(iv.end, lane, out=lane)


def _insert_at(at: np.ndarray, n: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """A function giving ``np.insert(a, at, x)`` for arrays ``a`` of length ``n``: where the rows land
    is found once for every column, not once per column (``np.insert`` costs more than the merge
    it serves on a small roster). Same arrays, in ``a``'s dtype; one column at a time, so a caller
    may let go of each input before the next."""
    if len(at) > 1 and not bool((at[1:] >= at[:-1]).all()):  # out of order: np.insert sorts them
        return lambda a, x: np.insert(a, at, x)
    pos = at + np.arange(len(at))  # each new row lands after the rows inserted before it
    old = np.ones(n + len(at), dtype=bool)
    old[pos] = False

    def put(a: np.ndarray, x: np.ndarray) -> np.ndarray:
        m = np.empty(len(old), dtype=a.dtype)
        m[pos] = x
        m[old] = a
        return m

    return put


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The positions lo[i]..hi[i] - 1 of every range, end to end, and where each range's begin
    there (``cut``, one longer than the ranges; an empty range is a repeated cut)."""
    n = np.maximum(hi - lo, 0)
    cut = np.zeros(len(n) + 1, dtype=np.int64)
    np.cumsum(n, out=cut[1:])
    pos = np.arange(int(cut[-1]), dtype=np.int64) + np.repeat(lo - cut[:-1], n)
    return pos, cut


def _sets(values: list[int], cut: list[int]) -> list[list[int]]:
    """``values[cut[i]:cut[i + 1]]`` as a sorted list without repeats, for each i."""
    return [sorted(set(values[cut[i]:cut[i + 1]])) for i in range(len(cut) - 1)]


def _bins(a: np.ndarray) -> tuple[int, int, np.ndarray] | None:
    """A look-up table that answers ``np.searchsorted(a, t, "right")`` for integer ``t``.

    ``a`` is a sorted array of day-spaced instants (midnights, evening starts): its differences
    share a divisor ``g`` (1440, or 60 or 30 with clock changes), so ``(t - a[0]) // g`` names a bin
    holding no element of ``a`` but at its left edge. A binary search per instant over a few hundred
    days costs more than the arithmetic by a factor of five. None when the table would be huge.
    """
    if len(a) < 2:
        return None
    g = int(np.gcd.reduce(np.diff(a)))
    if g <= 0:
        return None
    nb = (int(a[-1]) - int(a[0])) // g
    if nb > 1 << 22:
        return None
    edges = int(a[0]) + np.arange(nb + 1, dtype=np.int64) * g
    table = np.empty(nb + 3, dtype=np.int64)
    table[0] = 0  # before a[0]
    table[1:-1] = np.searchsorted(a, edges, side="right")
    table[-1] = len(a)  # past a[-1]
    return int(a[0]) - g, g, table


def searchsorted_small(
    a: np.ndarray, t: np.ndarray, side: str = "right", bins: tuple[int, int, np.ndarray] | None = None
) -> np.ndarray:
    """``np.searchsorted(a, t, side)`` for integer instants ``t`` and a short, day-spaced ``a``.

    Same answers (``_bins`` says why); ``bins`` is ``_bins(a)``, made once by callers that ask often.
    """
    if bins is None:
        # a few thousand instants: a binary search each costs less than making the table
        bins = _bins(a) if len(t) > _SMALL_SEARCH else None
        if bins is None:
            return np.searchsorted(a, t, side=side)  # type: ignore[call-overload]
    base, g, table = bins
    b = (t - base if side == "right" else t - (base + 1)) // g  # "left": elements below t are those <= t - 1
    np.clip(b, 0, len(table) - 1, out=b)
    return table[b]


#: Up to this many instants ``searchsorted_small`` and ``Timeline.day_index`` search directly: on
#: a small roster making and reading a look-up table costs more than the binary searches.
_SMALL_SEARCH = 1 << 12


def searchsorted_sorted(a: np.ndarray, v: np.ndarray, side: str = "left") -> np.ndarray:
    """``np.searchsorted(a, v, side)`` for sorted ``v``, by one merge instead of a binary search each.

    Both arrays sorted: a stable sort of the two together finds two runs and merges them in linear
    time, and each value's position there, less the values before it, counts the ``a`` before it.
    Unsorted ``v``, and a few thousand values (a small roster's), take the binary search.
    """
    if len(v) <= _SMALL_SEARCH or len(a) < 64 or not bool((v[1:] >= v[:-1]).all()):
        return np.searchsorted(a, v, side=side)  # type: ignore[call-overload]
    both = np.concatenate([v, a] if side == "left" else [a, v])  # ties: v first for "left", last for "right"
    order = np.argsort(both, kind="stable")
    pos = np.empty(len(both), dtype=np.int64)
    pos[order] = np.arange(len(both))
    at = pos[: len(v)] if side == "left" else pos[len(a):]
    return at - np.arange(len(v))


class CellSources(Sequence[Source]):
    """Where each roster cell came from (``Timeline.cells``), made into a ``Source`` only when asked.

    A year-long roster has half a million cells and its findings name a handful; building one
    ``Source`` per cell up front cost more than checking every rule. Indexing gives the same
    ``Source`` a list would.
    """

    def __init__(self) -> None:
        self._offsets: list[int] = []
        self._paths: list[str] = []
        self._sheets: list[np.ndarray] = []
        self._cells: list[np.ndarray] = []
        self._n = 0

    def extend_from(self, path: str, sheets: np.ndarray, cells: np.ndarray) -> None:
        """Append one roster's cells: its path, and per entry its sheet name (or None) and cell
        (a packed position or A1 text: ``model.cell_name`` reads either, only when asked)."""
        self._offsets.append(self._n)
        self._paths.append(path)
        self._sheets.append(np.asarray(sheets, dtype=object))
        cells = np.asarray(cells)
        if cells.dtype == np.int64 and len(cells) and cells.min() >= -(1 << 31) and cells.max() < 1 << 31:
            cells = cells.astype(np.int32)  # packed positions of any sheet up to 131,072 rows: half the bytes
        self._cells.append(cells)
        self._n += len(cells)

    def __len__(self) -> int:
        return self._n

    @overload
    def __getitem__(self, i: int) -> Source: ...

    @overload
    def __getitem__(self, i: slice) -> list[Source]: ...

    def __getitem__(self, i: int | slice) -> Source | list[Source]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        i = int(i)
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("cell index out of range")
        part = 0 if len(self._offsets) == 1 else bisect.bisect_right(self._offsets, i) - 1
        k = i - self._offsets[part]
        sheet = self._sheets[part][k]
        return Source(self._paths[part], sheet if isinstance(sheet, str) else None, cell_name(self._cells[part][k]))


class DayRows(NamedTuple):
    """Shift rows sorted by (resident, day) (``Timeline.by_resident_day``), one array per column."""

    key: np.ndarray  # resident * n_days + day
    order: np.ndarray  # position of each row in ``Timeline.shifts``
    kind: np.ndarray
    code: np.ndarray
    cell: np.ndarray
    start: np.ndarray
    end: np.ndarray


@dataclass
class Timeline:
    """A roster as real time: what every rule and the repair model read.

    Rules and repair encoders read it only through its public attributes and queries, never its
    underscored fields: the shift table (``shifts``, ``col``, ``shift_mask``, ``kind_id``), work and
    its periods (``work``, ``work_index``, ``period_intervals``, ``period_flags``, ``period_span``,
    ``periods``, ``period_cells``), busy time (``busy``, ``busy_within``, ``busy_gaps_made``), rows by
    date (``by_resident_day``, ``rows_in_days``), and ``memo(name)``, a per-timeline cache a rule
    keeps derived arrays in so that several rules (or instances of one) compute them once.
    """

    residents: list[Resident]
    days: np.ndarray  # datetime64[D], every day of the axis (history first)
    first: int
    day_start: np.ndarray  # absolute minutes of each local midnight, len(days) + 1
    #: resident, day (int32), code (int16, labelled: ``shifts.named("code")`` gives the names), kind
    #: (int8 into ``legend.KINDS``, labelled), start, end (int64 minutes), counted (hours), cell, entry
    shifts: Table
    cells: Sequence[Source]  # per cell id (``shifts["cell"]``): where it is in the file
    leave: np.ndarray  # bool [R, D]: the day holds a leave code
    legend: dict[str, Shift]
    tz: str | None = None
    period_gap: int = 120
    files: list[str] = field(default_factory=list)
    #: normalised code -> as the roster writes it (``legend.code_spellings``), for what people read
    spelling: Mapping[str, str] = field(default_factory=dict)

    def written(self, code: str) -> str:
        """A code as the roster (else its legend) writes it: messages say ``PedW``, not ``PEDW``."""
        w = self.spelling.get(code)
        if w:
            return w
        s = self.legend.get(code)
        return (s.written or code) if s is not None else code

    # ---------------------------------------------------------------- basic shape
    @property
    def n_residents(self) -> int:
        return len(self.residents)

    @property
    def n_days(self) -> int:
        return len(self.days)

    @property
    def checked_start(self) -> int:
        return int(self.day_start[self.first])

    # ---------------------------------------------------------------- time display
    @cached_property
    def weekday(self) -> np.ndarray:
        """Each day's weekday, Monday 0 to Sunday 6 (1970-01-01 was a Thursday)."""
        return ((self.days.astype(np.int64) + 3) % 7).astype(np.int8)

    def date_index(self, day: object) -> int:
        """The axis index of a date (``datetime.date``, ``datetime64`` or ISO text); KeyError if off the axis."""
        d = np.datetime64(day, "D") if not isinstance(day, np.datetime64) else day.astype("datetime64[D]")
        k = int((d - self.days[0]).astype(np.int64)) if len(self.days) else -1
        if not 0 <= k < len(self.days):
            raise KeyError(str(day))
        return k

    def local(self, minutes: np.ndarray | int) -> list[dt.datetime]:
        """Instants (absolute minutes) as naive local datetimes, for the few a report shows."""
        out = []
        for m in np.atleast_1d(np.asarray(minutes, dtype=np.int64)).tolist():
            if self.tz:
                out.append(dt.datetime.fromtimestamp(m * 60, _zone(self.tz)).replace(tzinfo=None))
            else:
                out.append(_EPOCH + dt.timedelta(minutes=m))
        return out

    def iso(self, minutes: int) -> str:
        """One instant as local 'YYYY-MM-DDTHH:MM' (per finding, so plain datetime, not pandas)."""
        minutes = int(minutes)
        starts, dates = self._day_text
        d = bisect.bisect_right(starts, minutes) - 1
        if 0 <= d < len(dates) and starts[d + 1] - starts[d] == MIN_PER_DAY:
            # on the axis, on a day without a clock change: the local time is midnight plus minutes
            m = minutes - starts[d]
            return f"{dates[d]}T{m // 60:02d}:{m % 60:02d}"
        if self.tz:
            t = dt.datetime.fromtimestamp(minutes * 60, _zone(self.tz))
        else:
            t = _EPOCH + dt.timedelta(minutes=minutes)
        return t.strftime("%Y-%m-%dT%H:%M")

    def date_of(self, day: int) -> str:
        return self._day_text[1][day] if 0 <= day < self.n_days else str(self.days[day])

    @cached_property
    def _day_text(self) -> tuple[list[int], list[str]]:
        """Each day's midnight (absolute minutes) and date as text, made once: findings name dates
        by the thousand and a pandas Timestamp per name costs more than the rule."""
        return self.day_start.tolist(), np.datetime_as_string(self.days, unit="D").tolist()

    # ---------------------------------------------------------------- shift rows as integers
    def col(self, name: str) -> np.ndarray:
        """One column of ``shifts`` (the array itself: read-only)."""
        return self.shifts[name]

    @property
    def kind_id(self) -> np.ndarray:
        """Each shift row's kind as an index into ``legend.KINDS``: the ``kind`` column itself."""
        return self.shifts["kind"]

    @property
    def _code_index(self) -> tuple[np.ndarray, list[str]]:
        """Each shift row's code as an index into a list of codes: the ``code`` column and its names."""
        return self.shifts["code"], self._code_names

    @cached_property
    def _code_names(self) -> list[str]:
        return self.shifts.labels["code"].tolist()

    def shift_mask(self, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None) -> np.ndarray:
        """Rows of ``shifts`` holding one of ``kinds`` or one of ``codes``: a lookup table indexed by
        small integers, not string comparisons over half a million rows."""
        mask = None
        if kinds and len(KINDS) <= 8:
            # one bit per kind (there are seven): shifts and ands over bytes, no gather by index
            bits = np.uint8(sum(1 << KIND_ID[k] for k in set(kinds) if k in KIND_ID))
            kind = self.kind_id.astype(np.uint8, copy=False)
            mask = (np.left_shift(np.uint8(1), kind) & bits).astype(bool)
        elif kinds:
            lut = np.zeros(len(KINDS), dtype=bool)
            lut[[KIND_ID[k] for k in kinds if k in KIND_ID]] = True
            mask = lut[self.kind_id]
        if codes:
            ids, names = self._code_index
            want = set(codes)
            by_code = np.array([n in want for n in names] + [False], dtype=bool)[ids]
            mask = by_code if mask is None else mask | by_code
        return np.zeros(len(self.shifts), dtype=bool) if mask is None else mask

    def memo(self, name: str) -> dict[Any, Any]:
        """A cache dict private to this timeline and ``name``: derived arrays that several rules share."""
        return self.__dict__.setdefault(f"_memo_{name}", {})

    def busy_gaps_made(self) -> list[int]:
        """The gaps ``busy_within`` has merged busy time with so far (reusing one is cheaper than a new merge)."""
        return list(self.memo("busy_within"))

    # ---------------------------------------------------------------- derived intervals
    @cached_property
    def work_index(self) -> np.ndarray:
        st, en = self.col("start"), self.col("end")
        w = flatnonzero(self.shift_mask(WORK_KINDS) & (en > st))
        return w.astype(np.int32) if len(st) < 1 << 31 else w  # positions: int32 holds any roster's

    @cached_property
    def work_rows(self) -> Table:
        return self.shifts.take(self.work_index)

    @cached_property
    def _work_sweep(self) -> _Sweep:
        """Work rows sorted and swept once, for both merges of them (work and work periods)."""
        w = self.work_index
        return _Sweep.of(self.col("resident")[w], self.col("start")[w], self.col("end")[w])

    @cached_property
    def period_intervals(self) -> tuple[Intervals, np.ndarray]:
        """Work periods as intervals and, per work row (``work_index`` order), its period."""
        return self._work_sweep.cut(self.period_gap)

    @cached_property
    def work(self) -> Intervals:
        """Union of work intervals per resident: what hours are summed over."""
        if self.period_gap <= 1:  # periods join exactly what the union joins
            return self.period_intervals[0]
        return self._work_sweep.cut(0, groups=False)[0]

    @cached_property
    def period_span(self) -> np.ndarray:
        """Each work period's span in hours, first start to last end (``periods["span"]``), as an
        array: rules read periods by the hundred thousand and a DataFrame costs more than they do."""
        merged = self.period_intervals[0]
        return (merged.end - merged.start) / 60.0

    @cached_property
    def period_flags(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether each work period holds a call shift, and a night shift."""
        merged, group = self.period_intervals
        kinds = self.kind_id[self.work_index]
        out = []
        for kind in ("call", "night"):
            has = np.zeros(len(merged.start), dtype=bool)
            has[group[kinds == KIND_ID[kind]]] = True
            out.append(has)
        return out[0], out[1]

    @cached_property
    def periods(self) -> Table:
        """Work periods (see rules.md): span, hours, and whether they hold call or night."""
        merged, _ = self.period_intervals
        n = len(merged.start)
        # hours = union measure inside each period (a lunch hour is not counted)
        u = self.work
        if u is merged:
            hours = (u.end - u.start) / 60.0
        else:
            ug = np.searchsorted(merged.lane_start, u.lane_start, side="right") - 1
            hours = np.bincount(ug, weights=(u.end - u.start), minlength=n) / 60.0 if n else np.zeros(0)
        has_call, has_night = self.period_flags
        return Table(
            {
                "resident": merged.resident,
                "start": merged.start,
                "end": merged.end,
                "span": self.period_span,
                "hours": hours,
                "has_call": has_call,
                "has_night": has_night,
            }
        )

    @cached_property
    def _period_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Work rows (``work_index`` positions) grouped by period: rows ``rows[bounds[p]:bounds[p + 1]]``
        are period ``p``'s, so a finding's cells are a slice, not a pass over every work row."""
        _, group = self.period_intervals
        if len(group) > 1 and not bool((group[1:] >= group[:-1]).all()):
            rows = np.argsort(group, kind="stable")
        else:
            rows = np.arange(len(group))
        g = group[rows]
        bounds = np.r_[0, flatnonzero(g[1:] != g[:-1]) + 1, len(g)] if len(g) else np.zeros(1, np.int64)
        return rows, bounds

    def period_cells(self, period_ids: np.ndarray) -> list[list[int]]:
        """Cell ids behind each given work period (only for the periods findings name)."""
        ids = np.asarray(period_ids, dtype=np.int64)
        if not len(ids):
            return []
        rows, bounds = self._period_rows
        pos, cut = _ranges(bounds[ids], bounds[ids + 1])
        return _sets(self.col("cell")[self.work_index[rows[pos]]].tolist(), cut.tolist())

    @cached_property
    def busy(self) -> Intervals:
        """Work, call, night and home call, plus whole leave days: what a free day must avoid."""
        return self.busy_within(0)

    @cached_property
    def _busy_extra(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Busy time that is not work: home call and whole leave days, sorted (resident, start, end)."""
        st, en = self.col("start"), self.col("end")
        D = self.n_days
        extra = self.shift_mask(BUSY_KINDS - WORK_KINDS)  # home call
        hc = flatnonzero(extra & (en > st)) if extra.any() else np.zeros(0, dtype=np.int64)
        ld = flatnonzero(self.leave.ravel())
        lr, ld = ld // D, ld % D
        if not len(hc):  # no home call (the usual roster): leave days alone, already in order
            return lr.astype(np.int64, copy=False), self.day_start[ld], self.day_start[ld + 1]
        r = np.concatenate([self.col("resident")[hc], lr]).astype(np.int64, copy=False)
        xs = np.concatenate([st[hc], self.day_start[ld]]).astype(np.int64, copy=False)
        xe = np.concatenate([en[hc], self.day_start[ld + 1]]).astype(np.int64, copy=False)
        if len(hc) and len(ld):
            order = np.argsort(xs + r * LANE, kind="stable")
            r, xs, xe = r[order], xs[order], xe[order]
        return r, xs, xe

    def busy_within(self, gap: int) -> Intervals:
        """``busy`` with every gap shorter than ``gap`` minutes filled in (made once per gap).

        A rule that only asks about free stretches of ``gap`` minutes or more (a free day, a free
        weekend) sees the same answers with a third of the intervals. Work is merged at that gap
        first (its rows are swept already), then home call and leave days are merged in: filling
        short gaps before or after adding more busy time gives the same result.
        """
        cache = self.memo("busy_within")
        if gap not in cache:
            u = self.work if max(gap, 1) == 1 else self._work_sweep.cut(gap, groups=False)[0]
            r, xs, xe = self._busy_extra
            if not len(r):
                cache[gap] = u
            else:
                lane = r * LANE
                xls = xs + lane
                # slot the few extra intervals in among the sorted ones, then merge as usual
                uls, ule = _lanes(u)
                at = np.searchsorted(uls, xls, side="right")
                put = _insert_at(at, len(uls))
                ls = put(uls, xls)
                le = put(ule, xe + lane)
                del uls, ule
                resident = put(u.resident, r)
                start = put(u.start, xs)
                sweep = _Sweep.of_lanes(None, resident, start, ls, le)
                cache[gap] = sweep.cut(gap, groups=False)[0]
        return cache[gap]

    @cached_property
    def _day_bins(self) -> tuple[int, int, np.ndarray] | None:
        return _bins(self.day_start)

    def day_index(self, t: np.ndarray, side: str = "right") -> np.ndarray:
        """``np.searchsorted(day_start, t, side)`` for integer instants, by table look-up: the day
        holding instant ``t`` is ``day_index(t) - 1`` (-1 before the axis, ``n_days`` after it)."""
        t = np.asarray(t, dtype=np.int64)
        if t.size <= _SMALL_SEARCH:  # a small roster's instants: the table would cost more than it saves
            return np.searchsorted(self.day_start, t, side=side)  # type: ignore[call-overload]
        return searchsorted_small(self.day_start, t, side, self._day_bins)

    def hours_by_day(self, counted_only: bool = False, codes: Iterable[str] | None = None) -> np.ndarray:
        """Work hours of each resident on each day [R, D], intervals split at local midnight.

        With ``codes``, only shifts with those codes count, measured exactly as all work is
        (overlaps once, split at midnight, home call's stated hours on its date). The array is
        the transpose of a day-major one (``hours_by_day().T`` is contiguous): running sums over
        days then add whole rows of residents at a time.
        """
        counted = self.col("counted")
        if codes is None:
            u = self.work
            hc = flatnonzero(counted > 0) if counted.max(initial=0) > 0 else np.zeros(0, dtype=np.int64)
        else:
            keep = self.shift_mask(codes=codes)
            w = self.work_index[keep[self.work_index]]
            u = merge(self.col("resident")[w], self.col("start")[w], self.col("end")[w])[0]
            hc = flatnonzero((counted > 0) & keep)
        R, D = self.n_residents, self.n_days
        ds = self.day_start
        if len(u.start):
            # each interval adds to the days it touches: its first, then (for the few that cross
            # midnight) the next, and so on; one bincount over all the pieces at the end
            # (in place where it can: a year of 5,000 residents has 1.3 million work intervals)
            k = self.day_index(u.start)  # the day after the one holding the start
            off_axis = k.min() < 1 or k.max() > D  # starts before or after the axis (never from build)
            nxt = ds[np.clip(k, 0, D) if off_axis else k]
            d0 = k
            d0 -= 1
            del k
            c = flatnonzero((u.end > nxt) & (d0 < D))
            np.minimum(u.end, nxt, out=nxt)
            nxt -= u.start
            minutes = [nxt]  # each interval's minutes on its first day
            del nxt
            r, e, d = u.resident[c], u.end[c], d0[c] + 1  # each reaches into day d
            if off_axis:  # only their days on the axis count
                on = flatnonzero((d0 >= 0) & (d0 < D))
                d0, minutes[0] = d0[on], minutes[0][on]
                idx = [d0 * R + u.resident[on]]
            else:
                d0 *= R
                d0 += u.resident
                idx = [d0]
            del d0
            while len(d):
                if d.max() >= D:  # past the axis: nothing more to count
                    on = flatnonzero(d < D)
                    r, e, d = r[on], e[on], d[on]
                nxt = ds[d + 1]
                idx.append(d * R + r)
                minutes.append(np.minimum(e, nxt) - ds[d])
                c = flatnonzero(e > nxt)  # the few that reach the day after, too
                r, e, d = r[c], e[c], d[c] + 1
            weights = np.concatenate(minutes, dtype=np.float64)  # float weights: bincount is 4x faster
            del minutes
            at = idx[0] if len(idx) == 1 else np.concatenate(idx)
            del idx
            M = np.bincount(at, weights=weights, minlength=R * D)
            del at, weights
        else:
            M = np.zeros(R * D)
        M /= 60.0
        H = M.reshape(D, R)
        if len(hc):
            np.add.at(H, (self.col("day")[hc], self.col("resident")[hc]), counted[hc])
        return H.T

    @cached_property
    def _rows_are_cells(self) -> bool:
        """Whether the shift rows are exactly the [R, D] cells in order (a full grid, one code a cell):
        then a per-row mask is already the per-date one."""
        R, D = self.n_residents, self.n_days
        if len(self.shifts) != R * D:
            return False
        key = self.col("resident") * D + self.col("day")
        return bool(key[0] == 0) and bool((key[1:] - key[:-1] == 1).all())

    def days_with(self, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None) -> np.ndarray:
        """[R, D] True on each date holding a shift of these kinds/codes (by the date it starts)."""
        R, D = self.n_residents, self.n_days
        if self._rows_are_cells:
            return self.shift_mask(kinds, codes).reshape(R, D)
        sel = flatnonzero(self.shift_mask(kinds, codes))
        seen = np.zeros(R * D, dtype=bool)
        seen[self.col("resident")[sel] * D + self.col("day")[sel]] = True
        return seen.reshape(R, D)

    def count_by_day(self, kinds: list[str] | None = None, codes: list[str] | None = None) -> np.ndarray:
        """How many shifts of these kinds/codes *start* on each date [R, D] (count rules attribute a
        shift to its start date, so a call from Monday 07:00 is Monday's call)."""
        return self.day_counts(kinds, codes).astype(np.int64)

    def day_counts(self, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None) -> np.ndarray:
        """``count_by_day`` as the smallest integers that hold it (flags when one code is picked):
        a count per date is a handful, and a year of dates is half a million of them."""
        R, D = self.n_residents, self.n_days
        if self._rows_are_cells:  # one code a date: a date holds one of them or not
            return self.shift_mask(kinds, codes).reshape(R, D)
        sel = flatnonzero(self.shift_mask(kinds, codes))
        ids = self._code_index[0][sel]
        present = np.zeros(len(self._code_index[1]) + 1, dtype=bool)
        present[ids] = True  # the few codes selected
        cell = self.col("resident")[sel] * D + self.col("day")[sel]
        if present.sum() <= 1:  # one code: a date holds it or not
            seen = np.zeros(R * D, dtype=bool)
            seen[cell] = True
            return seen.reshape(R, D)
        compact = (np.cumsum(present) - 1)[ids]
        marks = np.zeros((int(present.sum()), R * D), dtype=bool)  # a code twice on one date counts once
        marks[compact, cell] = True
        return marks.sum(axis=0, dtype=np.int16 if len(marks) < 1 << 15 else np.int64).reshape(R, D)

    @cached_property
    def by_resident_day(self) -> DayRows:
        """Shift rows sorted by (resident, day): a finding's cells are a slice (``_day_offsets``).

        A ``DayRows`` (key, order, kind, code, cell, start, end), so rules may unpack it or read fields."""
        key = self.col("resident").astype(np.int64) * self.n_days + self.col("day").astype(np.int64)
        cols = (self.kind_id, self._code_index[0], self.col("cell"), self.col("start"), self.col("end"))
        if len(key) < 2 or bool((key[1:] >= key[:-1]).all()):
            # a grid roster's rows come in this order already: the columns as they are
            return DayRows(key, np.arange(len(key)), *cols)
        order = np.argsort(key, kind="stable")
        return DayRows(key[order], order, *(c[order] for c in cols))

    def rows_in_days(
        self, resident: int, d0: int, d1: int, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None
    ) -> np.ndarray:
        """Positions (in the sorted index) of one resident's shifts on days [d0, d1), optionally only
        those of some kinds or codes (a shift matching either counts)."""
        _, _, kind, code, *_ = self.by_resident_day
        D, off = self.n_days, self._day_offsets
        last = len(off) - 1
        lo = int(off[min(max(resident * D + max(d0, 0), 0), last)])
        hi = int(off[min(max(resident * D + min(d1, D), 0), last)])
        if kinds is None and codes is None:
            return np.arange(lo, hi)
        keep = np.zeros(max(hi - lo, 0), dtype=bool)
        if kinds is not None:
            keep |= self._lut("kinds", kinds)[kind[lo:hi]]
        if codes is not None:
            keep |= self._lut("codes", codes)[code[lo:hi]]
        return flatnonzero(keep) + lo

    @cached_property
    def _day_offsets(self) -> np.ndarray:
        """Where each (resident, date) key's rows begin in ``by_resident_day`` [R * D + 1]: a
        finding's rows are two look-ups, not two binary searches over half a million keys."""
        key = self.by_resident_day[0]
        n = self.n_residents * self.n_days
        if len(key) and (key[0] < 0 or key[-1] >= n):  # off the grid (never from build): search
            return np.searchsorted(key, np.arange(n + 1), side="left")
        off = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(key, minlength=n), out=off[1:])
        return off

    def _lut(self, what: str, values: Iterable[str]) -> np.ndarray:
        """A boolean table over kind ids or code ids (the last entry for "no code"), made once per set."""
        cache = self.__dict__.setdefault("_luts", {})
        key = (what, frozenset(values))
        if key not in cache:
            if what == "kinds":
                cache[key] = np.array([k in key[1] for k in KINDS], dtype=bool)
            else:
                cache[key] = np.array([n in key[1] for n in self._code_index[1]] + [False], dtype=bool)
        return cache[key]

    def cells_in_days(
        self, resident: int, d0: int, d1: int, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None
    ) -> list[int]:
        """Cells of one resident's shifts on days [d0, d1), optionally of some kinds or codes."""
        idx = self.rows_in_days(resident, d0, d1, kinds, codes)
        return sorted(set(self.by_resident_day[4][idx].tolist()))

    def cells_in_days_many(
        self, residents: np.ndarray, d0: np.ndarray, d1: np.ndarray, kinds: Iterable[str] | None = None,
        codes: Iterable[str] | None = None,
    ) -> list[list[int]]:
        """``cells_in_days`` for many (resident, d0, d1) at once: tens of thousands of findings
        share the numpy calls instead of paying for them one by one."""
        if not len(residents):  # no finding: nothing to index
            return []
        pos, cut = self.rows_in_days_many(residents, d0, d1, kinds, codes)
        return _sets(self.by_resident_day[4][pos].tolist(), cut.tolist())

    def rows_in_days_many(
        self, residents: np.ndarray, d0: np.ndarray, d1: np.ndarray, kinds: Iterable[str] | None = None,
        codes: Iterable[str] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """``rows_in_days`` for many (resident, d0, d1): every range's positions end to end, and
        where each range begins among them (``cut``, one longer than the ranges)."""
        _, _, kind, code, *_ = self.by_resident_day
        D, off = self.n_days, self._day_offsets
        base = np.asarray(residents, dtype=np.int64) * D
        last = len(off) - 1
        lo = off[np.clip(base + np.maximum(d0, 0), 0, last)]
        hi = off[np.clip(base + np.minimum(d1, D), 0, last)]
        pos, cut = _ranges(lo, hi)
        if kinds is not None or codes is not None:
            keep = np.zeros(len(pos), dtype=bool)
            if kinds is not None:
                keep |= self._lut("kinds", kinds)[kind[pos]]
            if codes is not None:
                keep |= self._lut("codes", codes)[code[pos]]
            cut = np.r_[0, np.cumsum(keep)][cut]
            pos = pos[keep]
        return pos, cut

    def latest_end(self, resident: int, d0: int, d1: int, kinds: Iterable[str] | None = None,
                   codes: Iterable[str] | None = None) -> int:
        idx = self.rows_in_days(resident, d0, d1, kinds, codes)
        return int(self.by_resident_day[6][idx].max())


# ==================================================================== building a timeline


def local_to_abs(naive: np.ndarray, tz: str | None) -> np.ndarray:
    """Naive local datetimes -> absolute minutes. With a zone, DST gaps shift forward and repeated
    hours take their first occurrence, so a night across a change measures its real length."""
    minutes = np.asarray(naive, dtype="datetime64[m]").astype(np.int64)
    if not tz or not len(minutes):  # naive time is the axis itself: a cast
        return minutes
    return _zone_minutes(minutes, tz)


def _zone_minutes(minutes: np.ndarray, tz: str, out: np.ndarray | None = None) -> np.ndarray:
    """Local minutes since 1970 in zone ``tz`` -> absolute minutes (UTC), into ``out`` if given
    (``minutes`` itself: the timeline converts its columns in place).

    A zone's offset changes a few times a year, so it is looked up once per local day (a year of
    shifts is half a million minutes over 366 days) and subtracted in one vectorised step; only
    the minutes of a day whose offset changes before the next midnight are converted one by one,
    exactly (``_zone_minute``).
    """
    zone = _zone(tz)
    if not len(minutes):
        return minutes.copy() if out is None else out
    lo = int(minutes.min()) // MIN_PER_DAY
    n = int(minutes.max()) // MIN_PER_DAY - lo + 2
    offset, changing = _day_offsets(tz, lo, n)
    res = np.empty_like(minutes) if out is None else out
    exact: dict[int, int] = {}
    # a block of rows at a time: the day and offset of every row are two int64 temporaries, 29 MB
    # at once for a year of 5,000 residents, a few MB a block (the same subtraction, row by row)
    for a in range(0, len(minutes), _ZONE_BLOCK):
        m = minutes[a:a + _ZONE_BLOCK]
        k = m // MIN_PER_DAY
        k -= lo
        rows = flatnonzero(np.isin(k, changing)) if len(changing) else None
        held = m[rows] if rows is not None and len(rows) else None  # before ``out`` overwrites them
        np.subtract(m, offset[k], out=res[a:a + _ZONE_BLOCK])
        if held is not None:
            for x in set(held.tolist()) - exact.keys():
                exact[x] = _zone_minute(zone, x)
            res[a + rows] = [exact[x] for x in held.tolist()]
    return res


@lru_cache(maxsize=64)
def _day_offsets(tz: str, lo: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The zone's offset at each of ``n`` local midnights from day ``lo`` (days since 1970), and the
    days whose offset differs from the next one's, made once per axis: a check converts its axis,
    its shifts and its evenings over the same days, and a batch checks many rosters of one month
    (a few kilobytes each, read-only)."""
    zone = _zone(tz)
    offset = np.array([_offset(zone, (lo + j) * MIN_PER_DAY) for j in range(n)], dtype=np.int64)
    changing = flatnonzero(offset[1:] != offset[:-1])
    offset.flags.writeable = False
    changing.flags.writeable = False
    return offset, changing


#: Rows converted at a time by ``_zone_minutes``.
_ZONE_BLOCK = 1 << 18


@lru_cache(maxsize=1 << 16)  # per local midnight of every axis and window a check converts
def _offset(zone: dt.tzinfo, local_minute: int) -> int:
    """The zone's UTC offset in minutes at a local minute (its first occurrence when repeated)."""
    t = (_EPOCH + dt.timedelta(minutes=local_minute)).replace(tzinfo=zone)
    return int(t.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]


def _zone_minute(zone: dt.tzinfo, local_minute: int) -> int:
    """One local minute -> absolute minutes: a repeated minute takes its first occurrence (fold 0);
    a minute in a spring-forward gap does not exist and moves forward to the end of the gap, the
    instant of the change (what pandas calls ``nonexistent="shift_forward"``)."""
    utc = local_minute - _offset(zone, local_minute)
    back = dt.datetime.fromtimestamp(utc * 60, zone).replace(tzinfo=None)
    if back == _EPOCH + dt.timedelta(minutes=local_minute):
        return utc
    # in a gap: fold 0 used the offset before the change, so the change came earlier than ``utc``
    lo, hi = utc - 24 * 60, utc  # the change lies in (lo, hi]; offsets differ across it
    before = _abs_offset(zone, lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _abs_offset(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


def _abs_offset(zone: dt.tzinfo, utc_minute: int) -> int:
    t = dt.datetime.fromtimestamp(utc_minute * 60, zone)
    return int(t.utcoffset().total_seconds()) // 60  # type: ignore[union-attr]


def _given(values: np.ndarray) -> np.ndarray:
    """Which cells of an object column hold a value (not None, not NaN): explicit times of a long file."""
    if values.strides == (0,) and len(values):  # one value on every row (table.constant): ask it once
        v = values[0]
        return np.full(len(values), v is not None and not (isinstance(v, float) and v != v))
    given = np.asarray(values != None, dtype=bool)  # noqa: E711 (elementwise over objects)
    if given.any():
        held = values[given]
        given[given] = ~np.asarray(held != held, dtype=bool)  # only NaN differs from itself
    return given


class _LegendArrays(NamedTuple):
    """What the normaliser reads of a legend, per code (in the legend's order) as small arrays."""

    shifts: tuple[Shift, ...]
    code_id: dict[str, int]
    kind: np.ndarray  # int8 into ``KINDS``
    start: np.ndarray  # int32 minutes after midnight, -1 untimed
    length: np.ndarray  # int32 minutes, -1 untimed
    counted: np.ndarray  # float hours of home call (0 else)
    elapsed: np.ndarray  # bool: the length was given as hours
    own_code: np.ndarray  # bool: the config times the code itself
    names: np.ndarray  # object: the codes (the ``code`` column's labels)
    split: dict[str, list[str] | None]  # ``split_codes`` of every cell text seen with this legend


#: Legends seen lately, by their codes: a batch builds every roster's timeline from one config's
#: legend (a fresh dict holding the same frozen ``Shift`` objects each time), and working its
#: arrays out again per roster cost a tenth of building a small timeline.
_LEGENDS: dict[tuple[str, ...], _LegendArrays] = {}


def _legend_arrays(legend: dict[str, Shift]) -> _LegendArrays:
    """The legend's ``_LegendArrays``, made once per legend (the same codes holding the very same
    ``Shift`` objects: they are frozen, so the arrays are too). The arrays are read-only."""
    key = tuple(legend)
    shifts = tuple(legend.values())
    hit = _LEGENDS.get(key)
    if hit is not None and hit.shifts == shifts:  # the same objects (or equal ones: the same arrays)
        return hit
    arrays = [
        np.array([KIND_ID[s.kind] for s in shifts], dtype=np.int8),
        np.array([s.start if s.start is not None else -1 for s in shifts], dtype=np.int32),
        np.array([s.length if s.length is not None else -1 for s in shifts], dtype=np.int32),
        np.array([s.counted_hours or 0.0 for s in shifts], dtype=float),
        np.array([s.elapsed for s in shifts], dtype=bool),
        np.array([s.origin == "config" and s.timed for s in shifts], dtype=bool),
        np.array(list(legend), dtype=object),
    ]
    for a in arrays:
        a.flags.writeable = False
    made = _LegendArrays(shifts, {c: i for i, c in enumerate(legend)}, *arrays, {})
    if len(_LEGENDS) >= 8:
        _LEGENDS.clear()
    _LEGENDS[key] = made
    return made


def _parse_texts(
    raw: RawRoster, legend: dict[str, Shift], code_id: dict[str, int],
    split: dict[str, list[str] | None] | None = None,
) -> tuple[np.ndarray, list[list[int]]]:
    """Map each distinct cell text to its codes once; one error lists every unknown code.

    Returns, per entry, the index of its text among the distinct texts, and per distinct text the
    ids (``code_id``) of its codes in cell order. A blank cell is a text with no codes.
    """
    tid, uniq = raw.entries.factors("text")
    texts = ["" if u is None or (isinstance(u, float) and u != u) else str(u) for u in uniq] + [""]
    if len(tid) and tid.min() < 0:  # missing text: the blank added last (``factors`` leaves room for it)
        tid = np.where(tid < 0, len(uniq), tid).astype(tid.dtype)
    if split is None or len(split) > 1 << 12:  # free text by the thousand: no memo worth keeping
        split = {}
    parsed: dict[str, list[str] | None] = {}
    for t in set(texts):  # each distinct text once per legend (``split``: what this legend made already)
        if t not in split:
            split[t] = split_codes(t, legend)
        parsed[t] = split[t]
    bad = [t for t, codes in parsed.items() if codes is None]
    if bad:
        counts: Counter[str] = Counter()
        first: dict[str, tuple[str | None, str]] = {}
        bad_rows = raw.entries.take(np.isin(tid, [k for k, t in enumerate(texts) if parsed[t] is None]))
        # name codes as `codes` and `init` do: L&D stays one code unless L and D stand alone elsewhere
        from rostercheck.onboard import cell_codes

        as_codes = cell_codes([t for t in texts if t], legend)
        for sheet, cell, text in zip(bad_rows["sheet"].tolist(), bad_rows["cell"].tolist(), bad_rows["text"].tolist()):
            parts = [c for c in as_codes.get(str(text), []) if c not in legend] or unknown_parts(str(text), legend)
            for code in parts:
                counts[code] += 1
                first.setdefault(code, (sheet, cell_name(cell)))
        listed = "; ".join(
            f"{code!r} ({n} cell{'s' if n > 1 else ''}, first at "
            f"{(first[code][0] + '!') if first[code][0] else ''}{first[code][1]})"
            for code, n in counts.most_common()
        )
        sheet0, cell0 = first[counts.most_common(1)[0][0]]
        raise InputError(
            f"unknown shift code{'s' if len(counts) > 1 else ''}: {listed}; define them under [shifts] "
            "in rostercheck.toml (`rostercheck codes` lists every code, `rostercheck init` drafts a config)",
            file=raw.path,
            sheet=sheet0,
            cell=cell0,
        )
    return tid, [[code_id[c] for c in parsed[t] or ()] for t in texts]


def _spellings(raw: RawRoster, legend: dict[str, Shift]) -> Spellings:
    """How the checked roster spells each code, counted per distinct text (not per cell)."""
    tid, uniq = raw.entries.factors("text")
    counts = np.bincount(tid[tid >= 0], minlength=len(uniq))
    return Spellings(uniq, counts, legend)


class Spellings(Mapping[str, str]):
    """``code_spellings(texts, counts, legend)``, worked out when a message first names a code:
    most checks of a small roster name none, and a Python pass over its texts cost a tenth of
    building its timeline. The same mapping a dict of it would be."""

    def __init__(self, texts: list, counts: np.ndarray, legend: dict[str, Shift]) -> None:
        self._args: tuple | None = (texts, counts, legend)
        self._made: dict[str, str] = {}

    @property
    def _map(self) -> dict[str, str]:
        if self._args is not None:
            self._made = code_spellings(*self._args)
            self._args = None
        return self._made

    def __getitem__(self, code: str) -> str:
        return self._map[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._map)

    def __len__(self) -> int:
        return len(self._map)


def slot_times(legend: dict[str, Shift]) -> dict[str, tuple[int, int]]:
    """Times of a half-day grid's AM and PM columns, in minutes after midnight.

    They are the legend's ``AM`` and ``PM`` codes when those are timed within one day (the
    built-in legend has 08:00-12:00 and 13:00-17:00; ``[roster] am``/``pm`` and ``[shifts]``
    change them), so that every stage building a timeline from one legend agrees; else
    ``HALF_DAY_SLOTS``.
    """
    out = dict(HALF_DAY_SLOTS)
    for slot in out:
        s = legend.get(slot)
        if s is not None and s.start is not None and s.length is not None and s.start + s.length <= MIN_PER_DAY:
            out[slot] = (s.start, s.start + s.length)
    return out


def _entries_to_shifts(
    raw: RawRoster, legend: dict[str, Shift], start_day: np.datetime64, res_map: np.ndarray, cell0: int,
    lg: _LegendArrays | None = None,
) -> dict[str, np.ndarray]:
    """One row per code in a cell (a ``CL/W`` cell gives two), as column arrays in entry order.

    Everything is per distinct text or per legend code, then spread with integer takes: a year of
    1,500 residents is half a million cells holding a dozen distinct texts.
    """
    e = raw.entries
    n = len(e)
    lg = lg or _legend_arrays(legend)
    tid, per_text = _parse_texts(raw, legend, lg.code_id, lg.split)
    per_count = np.array([len(c) for c in per_text], dtype=np.int64)  # codes in each distinct text
    # narrow integers where the values are provably small (issue 17: a year of 5,000 residents is
    # 1.8 million rows, and every byte a row is 1.8 MB): entries, days, residents and cells fit
    # int32, codes int16, legend minutes int32; minutes since 1970 stay int64 (products with LANE)
    index_dtype = _index_dtype(n + cell0)
    code_dtype = np.int16 if len(legend) < 1 << 15 else np.int32
    if per_count.max(initial=0) <= 1:
        entry = flatnonzero((per_count > 0)[tid]).astype(index_dtype, copy=False)
        first_code = np.array([c[0] if c else -1 for c in per_text], dtype=code_dtype)
        code = first_code[tid[entry]]
    else:  # multi-code cells: repeat the entry once per code
        count = per_count[tid]
        entry = np.repeat(np.arange(n, dtype=np.int64), count)
        offsets = np.cumsum(count) - count
        k = np.arange(len(entry), dtype=np.int64) - np.repeat(offsets, count)
        flat = np.array([x for c in per_text for x in c], dtype=np.int64)
        text_offsets = np.cumsum([len(c) for c in per_text]) - np.array([len(c) for c in per_text])
        code = flat[text_offsets[tid[entry]] + k].astype(code_dtype)
        del count, offsets, k
        entry = entry.astype(index_dtype, copy=False)
    del tid
    kind_of, lstart, llen, counted, lelapsed = lg.kind, lg.start, lg.length, lg.counted, lg.elapsed
    kind = kind_of[code]
    start = lstart[code]
    length = llen[code]
    elapsed = lelapsed[code]  # a length given as `hours`: elapsed time, unless times below replace it
    # half-day grids: work and wellness codes take their slot's times (a whole-day grid has no
    # slots, so its half a million blank slot texts are not even looked at), except a code the
    # config gives its own start and end: a 07:00-19:00 ward code is 12 hours, not two sessions
    by_slot = (kind == KIND_ID["work"]) | (kind == KIND_ID["wellness"]) if raw.layout != "grid" else None
    own_code = lg.own_code
    if by_slot is not None and own_code.any():
        by_slot &= ~own_code[code]
    timed_by_slot = flatnonzero(by_slot) if by_slot is not None else np.empty(0, dtype=np.int64)
    if raw.layout == "duty-list":  # a duty split "A (AM) B (PM)": each half is its session, whatever the duty
        timed_by_slot = flatnonzero(lstart[code] >= 0)
    if len(timed_by_slot):
        slot_ids, slot_names = factorize(e["slot"][entry[timed_by_slot]])
        sessions = slot_times(legend)
        for k_slot, name in enumerate(slot_names):
            if name in sessions:
                s0, s1 = sessions[name]
                m = timed_by_slot[slot_ids == k_slot]
                start[m], length[m], elapsed[m] = s0, s1 - s0, False
    untimed_work = (start < 0) & (kind == KIND_ID["work"])
    start[untimed_work], length[untimed_work] = WHOLE_DAY_DEFAULT
    # explicit times from a long file win over the legend (grids have none)
    xstart = e["start"]
    xend = e["end"]
    has = _given(xstart) & _given(xend) if raw.layout == "long" else np.zeros(n, dtype=bool)
    if has.any():
        rows = flatnonzero(has[entry])
        for i in rows.tolist():  # only rows that carry explicit times; few in practice
            j = int(entry[i])
            where = {"file": raw.path, "sheet": e["sheet"][j], "cell": cell_name(e["cell"][j])}
            s0 = parse_time(xstart[j], where=where)
            s1 = parse_time(xend[j], where=where)
            start[i], length[i], elapsed[i] = s0, (s1 - s0) % MIN_PER_DAY or MIN_PER_DAY, False
    # the day of each row, then its naive start minute, in one int64 array worked in place (no
    # datetime64 temporaries: each would be 14.6 MB at 5,000 residents x 365 days)
    s_naive = e["date"].astype("datetime64[D]", copy=False)[entry].view(np.int64)  # days since 1970
    first_day = int(start_day.astype("datetime64[D]").astype(np.int64))
    s_naive -= first_day
    day = s_naive.astype(np.int32)
    s_naive += first_day
    s_naive *= MIN_PER_DAY
    timed = start >= 0
    s_naive += start
    del start
    e_naive = s_naive + length
    del length
    rid = e["resident"][entry]
    identity = len(res_map) and bool((res_map == np.arange(len(res_map))).all())
    return {
        "resident": rid.astype(np.int32, copy=False) if identity else res_map.astype(np.int32)[rid],
        "day": day,
        "code": code,
        "kind": kind,
        "timed": timed,
        "s_naive": s_naive,
        "e_naive": e_naive,
        "elapsed": elapsed,
        "counted": _spread(counted, code),
        "cell": entry + cell0 if cell0 else entry,  # the same array when they agree: 4 MB less a year-long roster
        "entry": entry,
    }


def _index_dtype(n: int) -> type:
    """The narrowest of int32 and int64 that holds indices up to ``n``."""
    return np.int32 if n < 1 << 31 else np.int64


def _spread(per_code: np.ndarray, code: np.ndarray) -> np.ndarray:
    """``per_code[code]``, as a column that takes no memory when every code gives the same value
    (counted hours: zero on every row of a roster without home call)."""
    if len(per_code) and (per_code == per_code[0]).all():
        one = np.full(1, per_code[0], dtype=per_code.dtype)
        # np.broadcast_to(one, (len(code),)), made directly: the same read-only zero-stride view
        col = np.ndarray((len(code),), dtype=one.dtype, buffer=one, strides=(0,))
        col.flags.writeable = False
        return col
    return per_code[code]


def build(
    raw: RawRoster,
    legend: dict[str, Shift],
    *,
    tz: str | None = None,
    period_gap_hours: float = 2.0,
    previous: RawRoster | None = None,
) -> Timeline:
    """Turn a read roster into a timeline. ``previous`` gives history before the first day."""
    if raw.entries.empty or not raw.residents:
        raise InputError("the roster has no residents or no dates", file=raw.path)
    rosters = [r for r in (previous, raw) if r is not None]
    # residents: the checked roster's, in its order; history only for people who are in it
    residents = list(raw.residents)
    by_name = {r.name: i for i, r in enumerate(residents)}
    cur_dates = raw.entries["date"].astype("datetime64[D]", copy=False)
    first_date, last_date = cur_dates.min(), cur_dates.max()
    if previous is not None:
        prev_dates = previous.entries["date"].astype("datetime64[D]", copy=False)
        start_date = min(prev_dates.min(), first_date)
        # history that cannot be history is a mistaken file, not an empty one: say so
        if not len(prev_dates) or prev_dates.min() >= first_date:
            raise InputError(f"--previous holds no date before the roster's first date, {first_date}; expected the "
                             "roster of the period just before it", file=previous.path)
        if not any(r.name in by_name for r in previous.residents):
            raise InputError(f"--previous names none of the residents of {raw.path}; expected the same residents' "
                             "roster for the period before", file=previous.path)
    else:
        start_date = first_date
    days = np.arange(start_date, last_date + np.timedelta64(1, "D"), dtype="datetime64[D]")
    first = int((first_date - start_date).astype(np.int64))

    parts = []
    cells = CellSources()
    lg = _legend_arrays(legend)
    for ro in rosters:
        if ro is previous:
            res_map = np.array([by_name.get(r.name, -1) for r in ro.residents], dtype=np.int64)
            ent = ro.entries
            keep = res_map[ent["resident"].astype(np.int64, copy=False)] >= 0
            keep &= ent["date"].astype("datetime64[D]", copy=False) < first_date
            ro = RawRoster(ro.path, ro.residents, ent.take(keep), ro.layout, ro.sheets)
        else:
            res_map = np.arange(len(ro.residents), dtype=np.int64)
        part = _entries_to_shifts(ro, legend, start_date, res_map, len(cells), lg)
        cells.extend_from(
            ro.path, ro.entries["sheet"], ro.entries["cell"]
        )
        parts.append(part)
    # one roster (no --previous): its columns as they are; a concatenation would copy them all
    sh = parts[0] if len(parts) == 1 else {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    day_start = local_to_abs(np.arange(start_date, last_date + np.timedelta64(2, "D"), dtype="datetime64[D]"), tz)
    t = sh["timed"]
    s_naive, e_naive = sh.pop("s_naive"), sh.pop("e_naive")  # converted in place: build owns them
    if t.all() and not tz:
        st, en = s_naive, e_naive
    else:
        # every row is converted (an untimed row's minute is then replaced by its day's midnight),
        # into the arrays themselves: no second pair of int64 columns at the peak
        el = flatnonzero(t & sh["elapsed"]) if tz else np.zeros(0, dtype=np.int64)
        # an `end` is a clock time (a night across a change is 11 or 13 h); `hours` are elapsed
        # from the start instant (a 28 h call across the autumn change ends at 10:00 on the clock)
        elapsed = e_naive[el] - s_naive[el]
        st = _zone_minutes(s_naive, tz, out=s_naive) if tz else s_naive
        en = _zone_minutes(e_naive, tz, out=e_naive) if tz else e_naive
        en[el] = st[el] + elapsed
        # untimed codes (off, leave, untimed wellness) occupy their whole date for display and cells
        if not t.all():
            off = flatnonzero(~t)
            st[off] = day_start[sh["day"][off]]
            en[off] = st[off]
    del s_naive, e_naive
    code_names = lg.names
    shifts = Table(
        {
            "resident": sh["resident"],
            "day": sh["day"],
            "code": sh["code"],
            "kind": sh["kind"],
            "start": st,
            "end": en,
            "counted": sh["counted"],
            "cell": sh["cell"],
            "entry": sh["entry"],
        },  # the table holds these arrays; a copy would double the peak memory of a year-long roster
        labels={"code": code_names, "kind": np.array(KINDS, dtype=object)},
    )
    leave = np.zeros((len(residents), len(days)), dtype=bool)
    lv = sh["kind"] == KIND_ID["leave"]
    leave[sh["resident"][lv], sh["day"][lv]] = True
    del sh, parts, st, en, t, lv  # the timeline keeps only the table's columns
    tl = Timeline(
        residents=residents,
        days=days,
        first=first,
        day_start=day_start,
        shifts=shifts,
        cells=cells,
        leave=leave,
        legend=legend,
        tz=tz,
        period_gap=round(period_gap_hours * 60),
        files=[r.path for r in rosters],
        spelling=_spellings(raw, legend),
    )
    return tl
