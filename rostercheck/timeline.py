"""Normalise: from cells of text to real time intervals.

Everything after this module works on integers: absolute minutes since 1970 (UTC when a time zone
is configured, naive local time otherwise), day indices into one day axis, and resident indices.
That is what lets every rule be a handful of numpy operations instead of a loop over cells.

The day axis covers the previous roster (history, when given) followed by the roster checked;
``first`` is the index of the first day checked. Findings are only reported where they touch
the checked days, so history informs windows and rest without being judged again.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pandas as pd

from rostercheck.errors import InputError
from rostercheck.legend import (
    BUSY_KINDS,
    WHOLE_DAY_DEFAULT,
    WORK_KINDS,
    Shift,
    parse_time,
    split_codes,
    unknown_parts,
)
from rostercheck.model import RawRoster, Resident, Source

MIN_PER_DAY = 1440
#: Sentinel for "before history" / "after the roster" in gap arithmetic; far from any real time.
FAR = np.int64(2**40)
#: Offset that separates residents on one flat, sorted time axis (residents never overlap).
_LANE = np.int64(2**42)

HALF_DAY_SLOTS = {"AM": (8 * 60, 12 * 60), "PM": (13 * 60, 17 * 60)}
_EPOCH = dt.datetime(1970, 1, 1)


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
        return self.start + self.resident.astype(np.int64) * _LANE

    @cached_property
    def lane_end(self) -> np.ndarray:
        return self.end + self.resident.astype(np.int64) * _LANE

    def overlaps(self, resident: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """For each query [start, end) of a resident: does any interval overlap it?"""
        qs = start + resident.astype(np.int64) * _LANE
        qe = end + resident.astype(np.int64) * _LANE
        i = np.searchsorted(self.lane_end, qs, side="right")  # first interval ending after qs
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
    order = np.lexsort((start, resident))
    r, s, e = resident[order], start[order], end[order]
    ls, le = s + r.astype(np.int64) * _LANE, e + r.astype(np.int64) * _LANE
    run_end = np.maximum.accumulate(le) if len(le) else le
    new = np.ones(len(s), dtype=bool)
    if len(s) > 1:
        new[1:] = (r[1:] != r[:-1]) | (ls[1:] - run_end[:-1] >= max(gap, 1))
    gid = np.cumsum(new) - 1
    first = np.flatnonzero(new)
    last = np.r_[first[1:], len(s)].astype(np.int64) - 1 if len(s) else np.zeros(0, np.int64)
    merged = Intervals(r[first], s[first], run_end[last] - r[first].astype(np.int64) * _LANE)
    group = np.empty(len(s), dtype=np.int64)
    group[order] = gid
    return merged, group


@dataclass
class Timeline:
    """A roster as real time: what every rule and the repair model read."""

    residents: list[Resident]
    days: pd.DatetimeIndex
    first: int
    day_start: np.ndarray  # absolute minutes of each local midnight, len(days) + 1
    shifts: pd.DataFrame  # resident, day, code, kind, start, end, counted, cell, entry
    cells: list[Source]
    leave: np.ndarray  # bool [R, D]: the day holds a leave code
    legend: dict[str, Shift]
    tz: str | None = None
    period_gap: int = 120
    files: list[str] = field(default_factory=list)

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
    def local(self, minutes: np.ndarray | int) -> pd.DatetimeIndex:
        ts = pd.to_datetime(np.atleast_1d(np.asarray(minutes, dtype=np.int64)), unit="m")
        if self.tz:
            ts = ts.tz_localize("UTC").tz_convert(self.tz).tz_localize(None)
        return pd.DatetimeIndex(ts)

    def iso(self, minutes: int) -> str:
        """One instant as local 'YYYY-MM-DDTHH:MM' (per finding, so plain datetime, not pandas)."""
        if self.tz:
            t = dt.datetime.fromtimestamp(int(minutes) * 60, _zone(self.tz))
        else:
            t = _EPOCH + dt.timedelta(minutes=int(minutes))
        return t.strftime("%Y-%m-%dT%H:%M")

    def date_of(self, day: int) -> str:
        return self.days[day].strftime("%Y-%m-%d")

    # ---------------------------------------------------------------- derived intervals
    @cached_property
    def work_rows(self) -> pd.DataFrame:
        s = self.shifts
        return s[s["kind"].isin(WORK_KINDS) & (s["end"] > s["start"])]

    @cached_property
    def _periods(self) -> tuple[Intervals, np.ndarray]:
        w = self.work_rows
        return merge(
            w["resident"].to_numpy(), w["start"].to_numpy(), w["end"].to_numpy(), gap=self.period_gap
        )

    @cached_property
    def work(self) -> Intervals:
        """Union of work intervals per resident: what hours are summed over."""
        w = self.work_rows
        return merge(w["resident"].to_numpy(), w["start"].to_numpy(), w["end"].to_numpy())[0]

    @cached_property
    def periods(self) -> pd.DataFrame:
        """Work periods (see rules.md): span, hours, and whether they hold call or night."""
        merged, group = self._periods
        w = self.work_rows
        n = len(merged.start)
        # hours = union measure inside each period (a lunch hour is not counted)
        u = self.work
        ug = np.searchsorted(merged.lane_start, u.lane_start, side="right") - 1
        hours = np.bincount(ug, weights=(u.end - u.start), minlength=n) / 60.0 if n else np.zeros(0)
        kinds = w["kind"].to_numpy()
        has_call = np.bincount(group, weights=(kinds == "call"), minlength=n) > 0 if n else np.zeros(0, bool)
        has_night = np.bincount(group, weights=(kinds == "night"), minlength=n) > 0 if n else np.zeros(0, bool)
        return pd.DataFrame(
            {
                "resident": merged.resident,
                "start": merged.start,
                "end": merged.end,
                "span": (merged.end - merged.start) / 60.0,
                "hours": hours,
                "has_call": has_call,
                "has_night": has_night,
            }
        )

    def period_cells(self, period_ids: np.ndarray) -> list[list[int]]:
        """Cell ids behind each given work period (only for the few periods a finding names)."""
        _, group = self._periods
        cells = self.work_rows["cell"].to_numpy()
        wanted = set(int(p) for p in period_ids)
        mask = np.isin(group, list(wanted))
        by: dict[int, list[int]] = {p: [] for p in wanted}
        for g, c in zip(group[mask], cells[mask]):
            by[int(g)].append(int(c))
        return [sorted(set(by[int(p)])) for p in period_ids]

    @cached_property
    def busy(self) -> Intervals:
        """Work, call, night and home call, plus whole leave days: what a free day must avoid."""
        s = self.shifts
        b = s[s["kind"].isin(BUSY_KINDS) & (s["end"] > s["start"])]
        lr, ld = np.nonzero(self.leave)
        r = np.r_[b["resident"].to_numpy(), lr]
        st = np.r_[b["start"].to_numpy(), self.day_start[ld]]
        en = np.r_[b["end"].to_numpy(), self.day_start[ld + 1]]
        return merge(r.astype(np.int64), st.astype(np.int64), en.astype(np.int64))[0]

    def hours_by_day(self, counted_only: bool = False) -> np.ndarray:
        """Work hours of each resident on each day [R, D], intervals split at local midnight."""
        R, D = self.n_residents, self.n_days
        H = np.zeros((R, D))
        u = self.work
        if len(u.start):
            d0 = np.searchsorted(self.day_start, u.start, side="right") - 1
            longest = int(((u.end - u.start).max() // MIN_PER_DAY) + 2)
            for k in range(longest + 1):
                d = d0 + k
                ok = (d >= 0) & (d < D)
                lo = np.maximum(u.start[ok], self.day_start[d[ok]])
                hi = np.minimum(u.end[ok], self.day_start[d[ok] + 1])
                np.add.at(H, (u.resident[ok], d[ok]), np.maximum(hi - lo, 0) / 60.0)
        hc = self.shifts[self.shifts["counted"] > 0]
        if len(hc):
            np.add.at(H, (hc["resident"].to_numpy(), hc["day"].to_numpy()), hc["counted"].to_numpy())
        return H

    def count_by_day(self, kinds: list[str] | None = None, codes: list[str] | None = None) -> np.ndarray:
        """How many shifts of these kinds/codes *start* on each date [R, D] (count rules attribute a
        shift to its start date, so a call from Monday 07:00 is Monday's call)."""
        s = self.shifts
        mask = np.zeros(len(s), dtype=bool)
        if kinds:
            mask |= s["kind"].isin(kinds).to_numpy()
        if codes:
            mask |= s["code"].isin(codes).to_numpy()
        C = np.zeros((self.n_residents, self.n_days), dtype=np.int64)
        sel = s[mask].drop_duplicates(["resident", "day", "code"])
        np.add.at(C, (sel["resident"].to_numpy(), sel["day"].to_numpy()), 1)
        return C

    @cached_property
    def _by_resident_day(self) -> tuple[np.ndarray, ...]:
        """Shift rows sorted by (resident, day): a finding's cells are one binary search away."""
        s = self.shifts
        key = s["resident"].to_numpy(dtype=np.int64) * self.n_days + s["day"].to_numpy(dtype=np.int64)
        order = np.argsort(key, kind="stable")
        return (key[order], order, s["kind"].to_numpy()[order], s["code"].to_numpy()[order],
                s["cell"].to_numpy()[order], s["start"].to_numpy()[order], s["end"].to_numpy()[order])

    def rows_in_days(
        self, resident: int, d0: int, d1: int, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None
    ) -> np.ndarray:
        """Positions (in the sorted index) of one resident's shifts on days [d0, d1), optionally only
        those of some kinds or codes (a shift matching either counts)."""
        key, _, kind, code, *_ = self._by_resident_day
        lo = np.searchsorted(key, resident * self.n_days + max(d0, 0), side="left")
        hi = np.searchsorted(key, resident * self.n_days + min(d1, self.n_days), side="left")
        idx = np.arange(lo, hi)
        if kinds is None and codes is None:
            return idx
        keep = np.zeros(len(idx), dtype=bool)
        if kinds is not None:
            keep |= np.isin(kind[idx], list(kinds))
        if codes is not None:
            keep |= np.isin(code[idx], list(codes))
        return idx[keep]

    def cells_in_days(
        self, resident: int, d0: int, d1: int, kinds: Iterable[str] | None = None, codes: Iterable[str] | None = None
    ) -> list[int]:
        """Cells of one resident's shifts on days [d0, d1), optionally of some kinds or codes."""
        idx = self.rows_in_days(resident, d0, d1, kinds, codes)
        return sorted(set(self._by_resident_day[4][idx].tolist()))

    def latest_end(self, resident: int, d0: int, d1: int, kinds: Iterable[str] | None = None,
                   codes: Iterable[str] | None = None) -> int:
        idx = self.rows_in_days(resident, d0, d1, kinds, codes)
        return int(self._by_resident_day[6][idx].max())


# ==================================================================== building a timeline


def _local_to_abs(naive: pd.Series | pd.DatetimeIndex, tz: str | None) -> np.ndarray:
    """Naive local datetimes -> absolute minutes. With a zone, DST gaps shift forward and repeated
    hours take their first occurrence, so a night across a change measures its real length."""
    idx = pd.DatetimeIndex(naive)
    if tz:
        idx = idx.tz_localize(tz, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="shift_forward")
        idx = idx.tz_convert("UTC").tz_localize(None)
    return idx.as_unit("s").asi8 // 60


def _parse_texts(raw: RawRoster, legend: dict[str, Shift]) -> pd.Series:
    """Map each distinct cell text to its codes once; one error lists every unknown code."""
    texts = raw.entries["text"].fillna("").astype(str)
    uniq = pd.unique(texts)
    parsed: dict[str, list[str] | None] = {t: split_codes(t, legend) for t in uniq}
    bad = [t for t, codes in parsed.items() if codes is None]
    if bad:
        counts: Counter[str] = Counter()
        first: dict[str, tuple[str | None, str]] = {}
        bad_rows = raw.entries[texts.isin(bad)]
        for sheet, cell, text in zip(bad_rows["sheet"], bad_rows["cell"], bad_rows["text"]):
            for code in unknown_parts(str(text), legend):
                counts[code] += 1
                first.setdefault(code, (sheet, cell))
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
    return texts.map(parsed)


def _entries_to_shifts(
    raw: RawRoster, legend: dict[str, Shift], day_index: dict[pd.Timestamp, int], res_map: np.ndarray, cell0: int
) -> pd.DataFrame:
    e = raw.entries.reset_index(drop=True)
    codes = _parse_texts(raw, legend)
    df = pd.DataFrame(
        {
            "entry": np.arange(len(e)),
            "resident": res_map[e["resident"].to_numpy(dtype=np.int64)],
            "date": pd.to_datetime(e["date"]).dt.normalize(),
            "slot": e["slot"].fillna("").astype(str).to_numpy(),
            "xstart": e["start"].to_numpy(),
            "xend": e["end"].to_numpy(),
            "cell": np.arange(len(e)) + cell0,
            "code": codes.to_numpy(),
        }
    ).explode("code")
    df = df[df["code"].notna()].reset_index(drop=True)
    info = pd.DataFrame(
        {
            "code": list(legend),
            "kind": [s.kind for s in legend.values()],
            "lstart": [s.start if s.start is not None else -1 for s in legend.values()],
            "llen": [s.length if s.length is not None else -1 for s in legend.values()],
            "counted": [s.counted_hours or 0.0 for s in legend.values()],
        }
    )
    df = df.merge(info, on="code", how="left")
    start = df["lstart"].to_numpy(dtype=np.int64).copy()
    length = df["llen"].to_numpy(dtype=np.int64).copy()
    kind = df["kind"].to_numpy()
    # half-day grids: work and wellness codes take their slot's times
    for slot, (s0, s1) in HALF_DAY_SLOTS.items():
        m = (df["slot"].to_numpy() == slot) & np.isin(kind, ["work", "wellness"])
        start[m], length[m] = s0, s1 - s0
    untimed_work = (start < 0) & (kind == "work")
    start[untimed_work], length[untimed_work] = WHOLE_DAY_DEFAULT
    # explicit times from a long file win over the legend
    xs = df["xstart"].notna().to_numpy() & df["xend"].notna().to_numpy()
    if xs.any():
        rows = np.flatnonzero(xs)
        for i in rows:  # only rows that carry explicit times; few in practice
            where = {"file": raw.path, "sheet": e.at[int(df.at[i, "entry"]), "sheet"],
                     "cell": e.at[int(df.at[i, "entry"]), "cell"]}
            s0 = parse_time(df.at[i, "xstart"], where=where)
            s1 = parse_time(df.at[i, "xend"], where=where)
            start[i], length[i] = s0, (s1 - s0) % MIN_PER_DAY or MIN_PER_DAY
    timed = start >= 0
    day = df["date"].map(day_index).to_numpy(dtype=np.int64)
    base = df["date"].to_numpy(dtype="datetime64[m]")
    s_naive = base + start.astype("timedelta64[m]")
    e_naive = s_naive + length.astype("timedelta64[m]")
    return pd.DataFrame(
        {
            "resident": df["resident"].to_numpy(dtype=np.int64),
            "day": day,
            "code": df["code"].to_numpy(),
            "kind": kind,
            "timed": timed,
            "s_naive": s_naive,
            "e_naive": e_naive,
            "counted": df["counted"].to_numpy(dtype=float),
            "cell": df["cell"].to_numpy(dtype=np.int64),
            "entry": df["entry"].to_numpy(dtype=np.int64),
        }
    )


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
    cur_dates = pd.to_datetime(raw.entries["date"]).dt.normalize()
    first_date, last_date = cur_dates.min(), cur_dates.max()
    if previous is not None:
        prev_dates = pd.to_datetime(previous.entries["date"]).dt.normalize()
        start_date = min(prev_dates.min(), first_date)
    else:
        start_date = first_date
    days = pd.date_range(start_date, last_date, freq="D")
    day_index = {d: i for i, d in enumerate(days)}
    first = int(day_index[first_date])

    parts = []
    cells: list[Source] = []
    for ro in rosters:
        if ro is previous:
            res_map = np.array([by_name.get(r.name, -1) for r in ro.residents], dtype=np.int64)
            ent = ro.entries
            keep = res_map[ent["resident"].to_numpy(dtype=np.int64)] >= 0
            keep &= (pd.to_datetime(ent["date"]).dt.normalize() < first_date).to_numpy()
            ro = RawRoster(ro.path, ro.residents, ent[keep].reset_index(drop=True), ro.layout, ro.sheets)
        else:
            res_map = np.arange(len(ro.residents), dtype=np.int64)
        part = _entries_to_shifts(ro, legend, day_index, res_map, len(cells))
        cells.extend(
            Source(ro.path, sh if isinstance(sh, str) else None, c)
            for sh, c in zip(ro.entries["sheet"].tolist(), ro.entries["cell"].tolist())
        )
        parts.append(part)
    sh = pd.concat(parts, ignore_index=True)

    day_start = _local_to_abs(pd.date_range(start_date, periods=len(days) + 1, freq="D"), tz)
    st = np.zeros(len(sh), dtype=np.int64)
    en = np.zeros(len(sh), dtype=np.int64)
    t = sh["timed"].to_numpy()
    if t.any():
        st[t] = _local_to_abs(pd.DatetimeIndex(sh.loc[t, "s_naive"]), tz)
        en[t] = _local_to_abs(pd.DatetimeIndex(sh.loc[t, "e_naive"]), tz)
    # untimed codes (off, leave, untimed wellness) occupy their whole date for display and cells
    st[~t] = day_start[sh.loc[~t, "day"].to_numpy()]
    en[~t] = st[~t]
    shifts = pd.DataFrame(
        {
            "resident": sh["resident"].to_numpy(),
            "day": sh["day"].to_numpy(),
            "code": sh["code"].to_numpy(),
            "kind": sh["kind"].to_numpy(),
            "start": st,
            "end": en,
            "counted": sh["counted"].to_numpy(),
            "cell": sh["cell"].to_numpy(),
            "entry": sh["entry"].to_numpy(),
        }
    )
    leave = np.zeros((len(residents), len(days)), dtype=bool)
    lv = shifts[shifts["kind"] == "leave"]
    leave[lv["resident"].to_numpy(), lv["day"].to_numpy()] = True
    return Timeline(
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
    )
