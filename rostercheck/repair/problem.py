"""What a repair may change, and what each possible cell value means in time.

A *cell* is one (resident, date, slot) of the roster; an *option* is a set of codes a cell can
hold (a multi-code cell is one option). Each cell either is fixed (history, leave, wellness, a
lock, a resident outside ``--only-residents``) or has a domain of options the resident is
eligible for. Every option's intervals on every date are computed once, through the very same
``timeline.build`` the checker uses, so the solver and the checker can never disagree about what
"C on 2026-07-04" means.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rostercheck.errors import InputError, suggest
from rostercheck.legend import BUSY_KINDS, WORK_KINDS, Shift, normalise_code, split_codes
from rostercheck.model import RawRoster, Resident
from rostercheck.ranges import MAX_CHANGES, MAX_TIME_LIMIT, MAX_WORKERS, SEED_RANGE
from rostercheck.timeline import Timeline, build, merge

Option = tuple[str, ...]  # sorted codes; () is a blank cell
_FLAGS = {"locks": "--lock", "lock_residents": "--lock-resident", "only_residents": "--only-residents"}
PROTECTED_KINDS = frozenset({"leave", "wellness"})


@dataclass
class Settings:
    """Repair settings: ``[repair]`` in the config, overridden by the command line."""

    time_limit: float = 30.0
    workers: int = 0  # 0: all cores
    seed: int | None = None
    max_changes: int | None = None
    locks: list[str] = field(default_factory=list)  # "Resident Name:2026-07-04"
    lock_residents: list[str] = field(default_factory=list)
    only_residents: list[str] = field(default_factory=list)
    eligibility: dict[str, dict[str, list]] = field(default_factory=dict)
    allow_remaining: bool = False
    fix_warnings: bool = False
    #: time.monotonic() when the command began (set by the CLI before reading): --time-limit counts
    #: from there, model building included. None: from the start of the solve.
    started: float | None = None
    #: explain an infeasible roster (a month of a long roster is tried wider instead)
    explain: bool = True
    #: seconds kept back from the limit for checking the answer again after solving
    reserve: float = 0.0
    #: the config file and, per list (``locks``, ...), the entries it gave: an error about one names
    #: ``repair.locks`` in that file, an entry added on the command line its option (``--lock``)
    config_file: str | None = None
    from_config_lists: dict[str, frozenset[str]] = field(default_factory=dict)

    def error(self, attr: str, value: str, message: str) -> InputError:
        """An error about one entry of a list setting, naming where the user wrote it."""
        if value in self.from_config_lists.get(attr, frozenset()):
            return InputError(f"{value!r}: {message}", file=self.config_file or "config",
                              key="repair." + attr.replace("_", "-"))
        return InputError(f"{_FLAGS[attr]} {value!r}: {message}")

    @classmethod
    def from_config(cls, table: dict, where: str | None) -> Settings:
        s = cls()
        key = "repair"

        def err(k: str, msg: str) -> InputError:
            return InputError(msg, file=where or "config", key=f"{key}.{k}")

        for k, v in table.items():
            if k == "time-limit":
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= MAX_TIME_LIMIT:
                    raise err(k, f"expected seconds, a number above 0 and at most {MAX_TIME_LIMIT:,}, got {v!r}")
                s.time_limit = float(v)
            elif k == "workers":
                if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_WORKERS:
                    raise err(k, f"expected a whole number of workers from 0 (all cores) to {MAX_WORKERS}, got {v!r}")
                s.workers = v
            elif k == "seed":
                if isinstance(v, bool) or not isinstance(v, int) or not SEED_RANGE[0] <= v <= SEED_RANGE[1]:
                    raise err(k, f"expected a whole number from {SEED_RANGE[0]:,} to {SEED_RANGE[1]:,}, got {v!r}")
                s.seed = v
            elif k == "max-changes":
                if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= MAX_CHANGES:
                    raise err(k, f"expected a whole number from 0 to {MAX_CHANGES:,}, got {v!r}")
                s.max_changes = v
            elif k in ("locks", "lock-residents", "only-residents"):
                if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
                    raise err(k, "expected a list of strings")
                setattr(s, k.replace("-", "_"), list(v))
                s.from_config_lists[k.replace("-", "_")] = frozenset(v)
                s.config_file = where
            elif k == "eligibility":
                if not isinstance(v, dict):
                    raise err(k, "expected a table like { C = { pgy = [2, 3] } }")
                for code, rule in v.items():
                    if not isinstance(rule, dict):
                        raise err(f"{k}.{code}", "expected a table like { pgy = [2, 3] }")
                    for rk in rule:
                        if rk not in ("pgy", "teams", "roles", "residents"):
                            keys = ["pgy", "teams", "roles", "residents"]
                            raise err(f"{k}.{code}.{rk}", f"unknown key{suggest(rk, keys)}")
                    s.eligibility[normalise_code(code)] = {
                        a: (b if isinstance(b, list) else [b]) for a, b in rule.items()
                    }
            elif k in ("allow-remaining", "keep-coverage"):
                if not isinstance(v, bool):
                    raise err(k, "expected true or false")
                if k == "allow-remaining":
                    s.allow_remaining = v
        return s


@dataclass
class Facts:
    """What one option means on one date and slot, in timeline minutes."""

    work: list[tuple[int, int]]  # union of work intervals
    segments: list[tuple[int, int]]  # work joined across gaps < period-gap (pieces of periods)
    seg_kinds: list[frozenset[str]]
    busy: list[tuple[int, int]]  # work, call, night, home call
    hours_by_day: dict[int, int]  # minutes of work falling on each day index (home call's stated hours included)
    codes: frozenset[str]
    kinds: frozenset[str]
    minutes: int  # total counted minutes


@dataclass
class Problem:
    tl: Timeline
    raw: RawRoster
    settings: Settings
    options: list[Option]
    option_text: list[str]
    cells: pd.DataFrame  # r, d, slot, opt, fixed, reason, sheet, cell, entry
    domains: list[list[int]]  # per cell row: allowed option ids (fixed cells: [orig])
    facts: dict[tuple[int, str, int], Facts]
    slots: list[str]
    previous: RawRoster | None = None

    def fact(self, d: int, slot: str, o: int) -> Facts:
        return self.facts[(d, slot, o)]

    @property
    def residents(self) -> list[Resident]:
        return self.tl.residents


def _option_of(text: str, legend: dict[str, Shift]) -> Option:
    codes = split_codes(text, legend) or []
    return tuple(sorted(set(codes)))


def build_problem(raw: RawRoster, tl: Timeline, settings: Settings, previous: RawRoster | None = None, *,
                  domain_from: RawRoster | None = None) -> Problem:
    """The repair problem for ``raw``. ``domain_from`` (a longer roster holding ``raw``) decides which
    options each resident may take, so that a block of a year-long roster offers exactly what the
    whole year would (``repair.decompose``); by default ``raw`` itself decides."""
    legend = tl.legend
    slots = sorted({"" if s is None or s != s else str(s) for s in raw.entries["slot"].tolist()}) or [""]
    by_name = {r.name: i for i, r in enumerate(tl.residents)}
    day_index = {d: i for i, d in enumerate(pd.DatetimeIndex(tl.days))}

    # ---- cells: every (resident, day, slot) on the axis; history from the previous roster
    frames = []
    for ro, hist in ((previous, True), (raw, False)):
        if ro is None:
            continue
        e = ro.entries.frame()
        rmap = np.array([by_name.get(r.name, -1) for r in ro.residents], dtype=np.int64)
        f = pd.DataFrame({
            "r": rmap[e["resident"].to_numpy(dtype=np.int64)],
            "d": pd.to_datetime(e["date"]).dt.normalize().map(day_index),
            "slot": e["slot"].fillna("").astype(str).to_numpy(),
            "text": e["text"].fillna("").astype(str).to_numpy(),
            "sheet": e["sheet"].to_numpy(),
            "cell": e["cell"].to_numpy(),
            "entry": np.arange(len(e)),
            "hist": hist,
        })
        f = f[(f["r"] >= 0) & f["d"].notna()]
        if hist:
            f = f[f["d"] < tl.first]
        frames.append(f)
    cells = pd.concat(frames, ignore_index=True)
    cells["d"] = cells["d"].astype(np.int64)
    cells = cells.drop_duplicates(["r", "d", "slot"], keep="last")
    # complete the grid: a long file leaves blank days out, but a repair may fill them
    full = pd.MultiIndex.from_product(
        [range(tl.n_residents), range(tl.n_days), slots], names=["r", "d", "slot"]
    ).to_frame(index=False)
    cells = full.merge(cells, on=["r", "d", "slot"], how="left")
    cells["text"] = cells["text"].fillna("")
    cells["hist"] = cells["hist"].fillna(cells["d"] < tl.first).astype(bool)
    cells["entry"] = cells["entry"].fillna(-1).astype(np.int64)

    # ---- options
    uniq = pd.unique(cells["text"])
    domain_texts = None
    if domain_from is not None:
        domain_texts = domain_from.entries.frame()["text"].fillna("").astype(str).to_numpy()
        uniq = pd.unique(np.r_[uniq, pd.unique(domain_texts)])
    opt_of_text = {t: _option_of(t, legend) for t in uniq}
    cells["key"] = cells["text"].map(opt_of_text)
    options: list[Option] = sorted(set(opt_of_text.values()), key=lambda o: (len(o), o))
    oid = {o: i for i, o in enumerate(options)}
    cells["opt"] = cells["key"].map(oid).astype(np.int64)
    # the text to write for an option: the most common spelling in the roster
    spell: dict[int, Counter] = {}
    for t, o in opt_of_text.items():
        spell.setdefault(oid[o], Counter())[t] += int((cells["text"] == t).sum())
    option_text = [spell[i].most_common(1)[0][0] if i in spell else "/".join(o) for i, o in enumerate(options)]
    kinds_of = [frozenset(legend[c].kind for c in o) for o in options]
    protected = np.array([bool(k & PROTECTED_KINDS) for k in kinds_of])

    # ---- fixed cells and why
    reason = np.full(len(cells), "", dtype=object)
    reason[cells["hist"].to_numpy()] = "history"
    prot = protected[cells["opt"].to_numpy()] & (reason == "")
    reason[prot] = np.where(
        [("leave" in kinds_of[o]) for o in cells["opt"].to_numpy()[prot]], "leave", "wellness"
    )
    names = [r.name for r in tl.residents]
    folded = {n.casefold(): i for i, n in enumerate(names)}

    def resident_id(name: str, attr: str, value: str) -> int:
        i = folded.get(name.strip().casefold())
        if i is None:
            raise settings.error(attr, value, f"no resident {name!r} in the roster{suggest(name, names)}")
        return i

    for name in settings.lock_residents:
        i = resident_id(name, "lock_residents", name)
        reason[(cells["r"].to_numpy() == i) & (reason == "")] = "locked"
    if settings.only_residents:
        keep = {resident_id(n, "only_residents", n) for n in settings.only_residents}
        reason[~np.isin(cells["r"].to_numpy(), list(keep)) & (reason == "")] = "not in --only-residents"
    for lock in settings.locks:
        name, _, date = lock.rpartition(":")
        if not name:
            raise settings.error("locks", lock, "expected 'Resident Name:YYYY-MM-DD'")
        i = resident_id(name, "locks", lock)
        try:
            day = pd.Timestamp(dt.date.fromisoformat(date.strip()))
        except ValueError:
            raise settings.error("locks", lock, "expected a date like 2026-07-04 after the name") from None
        if day not in day_index:
            raise settings.error("locks", lock, f"{date} is not a date of the roster")
        reason[(cells["r"].to_numpy() == i) & (cells["d"].to_numpy() == day_index[day]) & (reason == "")] = "locked"
    cells["reason"] = reason
    cells["fixed"] = reason != ""

    # ---- domains: options someone of the same team and PGY holds (and eligibility overrides)
    res = tl.residents
    group = [(r.team or "", r.pgy) for r in res]
    held: dict[tuple, set[int]] = {}
    live = cells[~cells["hist"]]
    pairs = set(zip(live["r"].tolist(), live["opt"].tolist()))
    if domain_from is not None:
        rmap = np.array([by_name.get(r.name, -1) for r in domain_from.residents], dtype=np.int64)
        dr = rmap[domain_from.entries["resident"].astype(np.int64)]
        text_oid = {t: oid[o] for t, o in opt_of_text.items()}
        dopt = pd.Series(domain_texts).map(text_oid).to_numpy()
        pairs |= {(r, int(o)) for r, o in set(zip(dr.tolist(), dopt.tolist())) if r >= 0}
    for r, o in pairs:
        held.setdefault(group[r], set()).add(o)
    assignable = [o for o in range(len(options)) if not protected[o]]

    def eligible(r: int, code: str) -> bool | None:
        rule = settings.eligibility.get(code)
        if rule is None:
            return None
        who = res[r]
        ok = True
        if "pgy" in rule:
            ok &= who.pgy in rule["pgy"]
        if "teams" in rule:
            ok &= (who.team or "").casefold() in {t.casefold() for t in rule["teams"]}
        if "roles" in rule:
            ok &= (who.role or "").casefold() in {t.casefold() for t in rule["roles"]}
        if "residents" in rule:
            ok &= who.name.casefold() in {t.casefold() for t in rule["residents"]}
        return ok

    for code in settings.eligibility:
        if code not in legend:
            raise InputError(f"unknown shift code{suggest(code, legend)}", key=f"repair.eligibility.{code}")
    res_domain: list[list[int]] = []
    for r in range(tl.n_residents):
        dom = set()
        for o in assignable:
            verdicts = [eligible(r, c) for c in options[o]]
            if any(v is False for v in verdicts):
                continue
            if o in held.get(group[r], set()) or any(v is True for v in verdicts):
                dom.add(o)
        res_domain.append(sorted(dom))
    domains = [
        [o] if fixed else sorted(set(res_domain[r]) | {o})
        for r, o, fixed in zip(cells["r"].tolist(), cells["opt"].tolist(), cells["fixed"].tolist())
    ]

    facts = _facts(tl, raw, options, slots)
    return Problem(tl, raw, settings, options, option_text, cells.drop(columns=["key"]), domains, facts, slots,
                   previous)


def _facts(tl: Timeline, raw: RawRoster, options: list[Option], slots: list[str]) -> dict[tuple[int, str, int], Facts]:
    """Every option on every day and slot, built by the checker's own normalisation."""
    D = tl.n_days
    keys = [(d, s, o) for d in range(D) for s in slots for o in range(len(options))]
    entries = pd.DataFrame({
        "resident": 0,
        "date": np.array([tl.days[d] for d, _, _ in keys], dtype="datetime64[D]"),
        "slot": [s for _, s, _ in keys],
        "text": ["/".join(options[o]) for _, _, o in keys],
        "start": None, "end": None, "sheet": None, "cell": "",
    })
    pseudo = RawRoster(raw.path, [Resident("_")], entries, raw.layout)
    u = build(pseudo, tl.legend, tz=tl.tz, period_gap_hours=tl.period_gap / 60)
    u.day_start = tl.day_start  # same axis by construction
    sh = u.shifts.frame()
    out: dict[tuple[int, str, int], Facts] = {}
    groups = {int(e): g for e, g in sh.groupby("entry")}
    empty = pd.DataFrame(columns=sh.columns)
    for i, (d, s, o) in enumerate(keys):
        g = groups.get(i, empty)
        kinds = g["kind"].to_numpy() if len(g) else np.zeros(0, dtype=object)
        st = g["start"].to_numpy(dtype=np.int64) if len(g) else np.zeros(0, np.int64)
        en = g["end"].to_numpy(dtype=np.int64) if len(g) else np.zeros(0, np.int64)
        wk = np.isin(kinds, list(WORK_KINDS)) & (en > st)
        bz = np.isin(kinds, list(BUSY_KINDS)) & (en > st)
        work = _union(st[wk], en[wk], 0)
        segs, seg_kinds = [], []
        if wk.any():
            m, grp = merge(np.zeros(int(wk.sum()), np.int64), st[wk], en[wk], gap=tl.period_gap)
            segs = list(zip(m.start.tolist(), m.end.tolist()))
            kw = kinds[wk]
            seg_kinds = [frozenset(kw[grp == j]) for j in range(len(segs))]
        hbd: dict[int, int] = {}
        for a, b in work:
            k0 = int(np.searchsorted(tl.day_start, a, side="right") - 1)
            k = k0
            while k < D and tl.day_start[k] < b:
                lo, hi = max(a, int(tl.day_start[k])), min(b, int(tl.day_start[k + 1]))
                if hi > lo and k >= 0:
                    hbd[k] = hbd.get(k, 0) + hi - lo
                k += 1
        counted = int(round(float(g["counted"].sum()) * 60)) if len(g) else 0
        if counted:
            hbd[d] = hbd.get(d, 0) + counted
        out[(d, s, o)] = Facts(
            work=work, segments=segs, seg_kinds=seg_kinds, busy=_union(st[bz], en[bz], 0),
            hours_by_day=hbd, codes=frozenset(options[o]), kinds=frozenset(kinds.tolist()),
            minutes=sum(hbd.values()),
        )
    return out


def _union(st: np.ndarray, en: np.ndarray, gap: int) -> list[tuple[int, int]]:
    if not len(st):
        return []
    m, _ = merge(np.zeros(len(st), np.int64), st, en, gap=gap)
    return list(zip(m.start.tolist(), m.end.tolist()))


def apply_changes(raw: RawRoster, changes: list, cells: pd.DataFrame) -> RawRoster:
    """A copy of the read roster with the changes written in (blank days of long files added)."""
    e = raw.entries.frame()
    add = []
    for ch in changes:
        entry = int(cells.at[ch.row, "entry"])
        if entry >= 0 and not bool(cells.at[ch.row, "hist"]):
            e.at[entry, "text"] = ch.new
        else:
            r = int(cells.at[ch.row, "r"])
            add.append({"resident": r, "date": pd.Timestamp(ch.date), "slot": ch.slot, "text": ch.new,
                        "start": None, "end": None, "sheet": None, "cell": None})
    if add:
        e = pd.concat([e, pd.DataFrame(add)], ignore_index=True)
    return RawRoster(raw.path, raw.residents, e, raw.layout, raw.sheets, raw.legend)


