"""Year-long repairs, month by month.

One model for a whole year (150 residents x 365 days: 55,000 cells and every rolling window of the
year) is too big to solve in the minute a coordinator will wait, but duty-hour rules are local:
every window is four weeks at most. So a long roster is repaired a calendar month at a time, in
order, with a rolling horizon:

* **The horizon.** Month *k* is solved together with month *k + 1* (so that every window starting
  in month *k* is seen whole), with the months before it, already repaired, as fixed history (as
  ``--previous`` would give them). Only month *k*'s changes are kept; month *k + 1* is solved again
  as the next horizon. A horizon that breaks nothing in month *k* is skipped.
* **The neighbourhood.** Only the residents who break a rule in the horizon and a few colleagues
  each (the ones they could best swap shifts with without changing a date's staffing) are in the
  model; everyone else keeps their cells, which keeps each model small. A group with no answer is
  solved again with a wider circle of colleagues (``_PARTNERS``).
* **Time.** The time limit bounds the whole command (counted from its start, the final check of
  the year kept back): it is shared among the months, each solve asking for a few seconds when
  there are, none starting in the last half second. Whatever is still broken after the pass over
  the year gets a second pass over the months concerned, with wider circles.
* **Shifting the window.** A month still proven infeasible with its widest circle is solved once
  more together with the month before it, which is otherwise fixed history: the cells that made
  it impossible (a repair of the previous month, a call on its last night) may then change too.
  The final advice follows the cause: out of time (raise ``--time-limit``) or proven impossible.
* **The proof.** Each horizon is proven minimal *for its neighbourhood* or not; the whole is a
  heuristic. What is proven for the whole roster is a lower bound: each month checked alone (the
  first with ``--previous``) sees only its own cells and full windows inside it, so a resident
  breaking a rule there must have one of their cells in that month changed by *any* repair. That
  holds when every rule is one of the built-in kinds with rolling windows no longer than the
  shortest month (``relaxation``); then the count of such residents, summed over months, bounds
  the changes from below, and the report states the gap. Otherwise it says no bound is proven.

The checker stays the oracle: the months' answers are checked again as one roster. Options a
resident may take come from the whole roster, not the horizon (``build_problem(domain_from=...)``),
so a month offers what the whole-year model would.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from rostercheck.check import CheckResult, check_raw
from rostercheck.config import Config
from rostercheck.model import Finding, RawRoster, cell_name
from rostercheck.repair.links import link
from rostercheck.table import Table
from rostercheck.wording import plural

#: Rosters spanning more days than this are repaired by months; shorter ones keep one model.
SPLIT_DAYS = 62
#: A month shorter than this (a roster starting on the 20th) joins its neighbour.
MIN_BLOCK_DAYS = 28
#: Rule kinds whose month-alone version is known to be a relaxation (see the module docstring).
RELAXABLE_KINDS = frozenset({
    "max-hours", "min-free-days", "max-period-length", "min-rest", "max-consecutive", "max-count",
    "min-count", "coverage", "min-free-evenings", "min-free-weekends",
})
#: Swap partners per resident breaking a rule, tried in turn while a group finds no answer.
_PARTNERS = (4, 12, 30)
#: Seconds a horizon's solve asks for at least (model building included), time permitting: no solve
#: runs past the command's deadline (--time-limit, counted from its start).
_MIN_SOLVE_SECONDS = 3.0
#: No new solve starts with less than this left before the deadline.
_MIN_SECONDS = 0.5
#: Parameters that give a rule's window in days.
_WINDOW_KEYS = ("average-days", "per", "days", "window-days")


@dataclass
class Block:
    """A run of days repaired together: usually one calendar month."""

    label: str  # "2026-07", or "2026-07..2026-08" for merged months
    first: np.datetime64  # first day (datetime64[D])
    end: np.datetime64  # day after the last
    entries: np.ndarray  # positions in the roster's entries

    @property
    def days(self) -> int:
        return int((self.end - self.first).astype(int))


@dataclass
class BlockRun:
    """One solve of one block: what it proved and what it changed."""

    block: str
    phase: str  # "neighbourhood" (the residents involved and their teams), "everyone", or a shifted window
    status: str  # optimal, feasible, infeasible, unknown (of the horizon's own model)
    changes: int = 0
    bound: int | None = 0
    seconds: float = 0.0
    variables: int = 0
    texts: dict[int, str] = field(default_factory=dict)  # roster entry -> new text
    added: list[dict] = field(default_factory=list)  # cells a long file left out, now filled
    explanation: list[str] = field(default_factory=list)
    unencoded: list[str] = field(default_factory=list)
    freed: int = 0  # residents free to change
    canonical: bool = False  # the solve's answer is its canonical one (``solve``), or it was proven infeasible

    def as_dict(self) -> dict:
        return {"month": self.block, "free": self.phase, "residents_free": self.freed, "status": self.status,
                "changes_kept": self.changes, "seconds": round(self.seconds, 3), "variables": self.variables}


# ------------------------------------------------------------------------------------ blocks
def _dates(raw: RawRoster) -> np.ndarray:
    return raw.entries["date"].astype("datetime64[D]", copy=False)


def should_decompose(raw: RawRoster) -> bool:
    """Longer than two months: the default single model stays for rosters of up to ~60 days."""
    if raw.entries.empty:
        return False
    d = _dates(raw)
    return int((d.max() - d.min()).astype(int)) + 1 > SPLIT_DAYS


def month_blocks(raw: RawRoster) -> list[Block]:
    """Calendar months of the roster's days; a month shorter than ``MIN_BLOCK_DAYS`` joins a neighbour."""
    dates = _dates(raw)
    first, last = dates.min(), dates.max() + 1
    months = np.arange(first.astype("datetime64[M]"), (last - 1).astype("datetime64[M]") + 1)
    bounds = [max(m.astype("datetime64[D]"), first) for m in months] + [last]
    spans = [[bounds[i], bounds[i + 1], str(months[i])] for i in range(len(months))]
    while len(spans) > 1:
        short = [i for i, (a, b, _) in enumerate(spans) if int((b - a).astype(int)) < MIN_BLOCK_DAYS]
        if not short:
            break
        i = short[0]
        j = i + 1 if i == 0 else i - 1  # the first month joins the next; any other the one before
        lo, hi = min(i, j), max(i, j)
        label = f"{spans[lo][2].split('..')[0]}..{spans[hi][2].split('..')[-1]}"
        spans[lo:hi + 1] = [[spans[lo][0], spans[hi][1], label]]
    order = np.argsort(dates, kind="stable")
    out = []
    for a, b, label in spans:
        lo, hi = np.searchsorted(dates[order], [a, b])
        out.append(Block(label, a, b, np.sort(order[lo:hi])))
    return out


#: Rule kinds that compare residents over the whole roster: a month cannot decide them.
WHOLE_ROSTER_KINDS = frozenset({"fair-share"})


def monthly(cfg: Config) -> Config:
    """The rules a month's horizon is repaired under: all but those judged on the whole roster only
    (fair shares over the year), which the final check still reports."""
    return dataclasses.replace(cfg, rules=[rc for rc in cfg.rules if rc.kind not in WHOLE_ROSTER_KINDS])


def relaxation(cfg: Config, shortest: int) -> str | None:
    """Why a month alone is not a relaxation of the whole problem, or None when it is."""
    for rc in cfg.enabled_rules:
        if rc.kind not in RELAXABLE_KINDS:
            return f"rule {rc.id} is of kind {rc.kind}, not known to be checkable month by month"
        if rc.params.get("window") == "block":
            return f"rule {rc.id} uses fixed blocks, which months would cut"
        for key in _WINDOW_KEYS:
            v = rc.params.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and v > shortest:
                return f"rule {rc.id} looks at {v:g} days, more than the shortest month ({shortest} days)"
    return None


def _lookback(cfg: Config) -> int:
    """Days of repaired history a month needs before it: the longest window, and a week for rest."""
    days = [int(v) for rc in cfg.enabled_rules for k in _WINDOW_KEYS
            if isinstance(v := rc.params.get(k), (int, float)) and not isinstance(v, bool)]
    return max([28, *days]) + 7


# ------------------------------------------------------------------------------------ rosters
def _subset(raw: RawRoster, rows: np.ndarray, people: list[str] | None = None) -> RawRoster:
    """Some entries of a roster; with ``people``, only theirs, and only they on the roster."""
    e = raw.entries.take(rows).frame()
    residents = raw.residents
    if people is not None:
        keep = set(people)
        new_index = np.full(len(raw.residents), -1, dtype=np.int64)
        residents = [r for r in raw.residents if r.name in keep]
        new_index[[i for i, r in enumerate(raw.residents) if r.name in keep]] = np.arange(len(residents))
        e = e[new_index[e["resident"].to_numpy(dtype=np.int64)] >= 0].copy()
        e["resident"] = new_index[e["resident"].to_numpy(dtype=np.int64)]
    return RawRoster(raw.path, residents, e.reset_index(drop=True), raw.layout, raw.sheets, raw.legend)


def _concat(a: RawRoster, b: RawRoster) -> RawRoster:
    """``b``'s entries after ``a``'s, residents matched by name (history from two rosters)."""
    index = {r.name: i for i, r in enumerate(a.residents)}
    residents = list(a.residents)
    remap = np.empty(len(b.residents), dtype=np.int64)
    for k, r in enumerate(b.residents):
        if r.name not in index:
            index[r.name] = len(residents)
            residents.append(r)
        remap[k] = index[r.name]
    eb = b.entries.assign(resident=remap[b.entries["resident"].astype(np.int64)])
    return RawRoster(a.path, residents, Table.concat([a.entries, eb]), a.layout, a.sheets, a.legend)


def _apply(roster: RawRoster, run: BlockRun) -> RawRoster:
    """The roster with one solve's answer written in (texts by entry, cells a long file left out added)."""
    e = roster.entries.frame()
    text = e["text"].to_numpy(dtype=object).copy()
    for i, t in run.texts.items():
        text[i] = t
    e["text"] = text
    if run.added:
        e = pd.concat([e, pd.DataFrame(run.added)], ignore_index=True)
    return RawRoster(roster.path, roster.residents, e, roster.layout, roster.sheets, roster.legend)


def _history(composed: RawRoster, previous: RawRoster | None, start: np.datetime64, days: int) -> RawRoster | None:
    """What a block sees before it: the repaired roster's last ``days`` days, then ``--previous``."""
    d = _dates(composed)
    rows = np.flatnonzero((d < start) & (d >= start - days))
    hist = _subset(composed, rows) if len(rows) else None
    if previous is not None and start - days < _dates(composed).min():
        hist = previous if hist is None else _concat(previous, hist)
    return hist


def _block_settings(settings: object, blk: Block, seconds: float, max_changes: int | None) -> object:
    """The repair settings for one block: its share of time, its locks, what is left of --max-changes."""
    locks = []
    for lock in settings.locks:  # type: ignore[attr-defined]
        _, _, date = lock.rpartition(":")
        try:
            day = np.datetime64(date.strip(), "D")
        except ValueError:
            locks.append(lock)  # malformed: the block's own parser reports it
            continue
        if blk.first <= day < blk.end:
            locks.append(lock)
    return dataclasses.replace(settings, time_limit=max(seconds, 0.5), locks=locks,  # type: ignore[type-var]
                               max_changes=max_changes, started=None)


def _errors(res: CheckResult, fix_warnings: bool) -> list[Finding]:
    return [f for f in res.findings if f.severity == "error" or (fix_warnings and f.severity == "warning")]


# ------------------------------------------------------------------------------------ solving
def lower_bound(raw: RawRoster, cfg: Config, blocks: list[Block], previous: RawRoster | None,
                fix_warnings: bool) -> list[int]:
    """Per month: residents who break a rule of their own in the month checked alone (see the
    module docstring: each needs a changed cell in that month, whatever the repair)."""
    out = []
    for k, blk in enumerate(blocks):
        alone = check_raw(_subset(raw, blk.entries), cfg, previous if k == 0 else None)
        out.append(len({f.resident for f in _errors(alone, fix_warnings) if f.resident is not None}))
    return out


def _neighbourhoods(roster: RawRoster, rows: np.ndarray, errors: list[Finding], allowed: set[str] | None,
                    partners: int, domain: RawRoster) -> list[list[str]]:
    """Who may change in a horizon, as independent groups: each resident breaking a rule with the
    ``partners`` colleagues they could best swap shifts with on the dates of the breach.

    A swap keeps each date's staffing, so a partner is someone who, on a date of the breach, holds
    a code the resident may take while the resident holds one the partner may take (the model's
    own rule: a code someone of the same team and PGY holds somewhere in the roster). Best are
    swaps that undo an odd cell on both sides (a clinic day in a ward week traded for a post-call
    day in a clinic week, neither code seen on the days around): what a careless swap looks like.
    Ties go to people on the same service in these weeks (the same codes on the same days); team
    labels are no guide, since people rotate through services while their label stays. Groups that
    share someone merge.
    """
    names = {f.resident for f in errors}
    everyone = [r.name for r in roster.residents if allowed is None or r.name in allowed]
    if None in names:  # coverage: anyone eligible for the code may be needed
        return [everyone]
    R = len(roster.residents)
    e = roster.entries.take(rows).frame()
    texts = np.r_[e["text"].fillna("").astype(str).to_numpy(),
                  domain.entries.frame()["text"].fillna("").astype(str).to_numpy()]
    codes, uniq = pd.factorize(texts)
    here, there = codes[: len(e)], codes[len(e):]
    res = e["resident"].to_numpy(dtype=np.int64)
    day = _dates(roster)[rows]
    first = day.min()
    col = (day - first).astype(np.int64)
    D, C = int(col.max()) + 1, len(uniq)
    grid = np.full((R, D), -1, dtype=np.int64)
    grid[res, col] = here  # half-day grids: one slot stands for the date; enough to rank partners
    # who may take which code: held by someone of the same team and PGY anywhere in the roster
    groups_of = {}
    group = np.array([groups_of.setdefault((r.team or "", r.pgy), len(groups_of)) for r in roster.residents])
    index = {r.name: i for i, r in enumerate(roster.residents)}
    dom_res = np.array([index.get(r.name, -1) for r in domain.residents])
    dom_res = dom_res[domain.entries["resident"].astype(np.int64)]
    may = np.zeros((len(groups_of), C), dtype=bool)
    may[group[dom_res[dom_res >= 0]], there[dom_res >= 0]] = True
    may = may[group]  # [R, C]
    ok = np.array([allowed is None or r.name in allowed for r in roster.residents])
    parent = {n: n for n in names}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for f in errors:
        v = index[f.resident]
        lo = max(int((np.datetime64(f.start[:10]) - first).astype(int)), 0)
        hi = min(int((np.datetime64(f.end[:10]) - first).astype(int)) + 1, D)
        score = np.zeros(R, dtype=np.int64)
        for d in range(lo, hi):
            mine = grid[v, d]
            if mine < 0:
                continue
            theirs = grid[:, d]
            t = np.maximum(theirs, 0)
            swap = (theirs != mine) & (theirs >= 0) & may[v, t] & may[:, mine]
            # odd: nobody holds their code of that date on the days around it (a week either side)
            around = np.r_[max(d - 3, 0):d, d + 1:min(d + 4, D)]
            odd_v = not (grid[v, around] == mine).any()
            odd_u = ~(grid[:, around] == theirs[:, None]).any(axis=1)
            score += swap * (1 + 10 * odd_v + 10 * odd_u + 20 * (odd_v & odd_u))
        # ties: people on the same service as the resident these weeks (same codes on the same days)
        score = 1000 * score + (grid == grid[v]).sum(axis=1) * (grid[v] >= 0).any()
        score[v] = 0
        score[~ok] = 0
        for u in np.argsort(-score, kind="stable")[:partners]:
            if score[u] <= 0:
                break
            name = roster.residents[int(u)].name
            parent.setdefault(name, name)
            parent[find(name)] = find(f.resident)
    found: dict[str, list[str]] = {}
    for n in parent:
        found.setdefault(find(n), []).append(n)
    return [sorted(g, key=index.__getitem__) for g in found.values() if any(x in names for x in g)]


def _solve(raw: RawRoster, blk: Block, rows: np.ndarray, cfg: Config, settings: object, history: RawRoster | None,
           seconds: float, max_changes: int | None, only: list[str] | None,
           progress: Callable[[str], None] | None, domain: RawRoster) -> tuple[BlockRun, RawRoster | None]:
    """Repair the horizon ``rows`` of ``raw`` (the roster as repaired so far); ``domain``: the
    original roster, which decides the options each resident may take."""
    from rostercheck.repair import repair_whole

    t = time.monotonic()
    st = _block_settings(settings, blk, seconds, max_changes)
    if only is not None and not any(rc.kind == "coverage" for rc in cfg.enabled_rules):
        # Everyone else keeps their cells, and no rule of theirs depends on anyone else's (coverage
        # would): leave them out of the model altogether; the kept staffing per date is then the
        # neighbourhood's own.
        keep = set(only)
        who = np.array([r.name in keep for r in raw.residents])
        rows = rows[who[raw.entries["resident"].astype(np.int64)[rows]]]
        sub = _subset(raw, rows, only)
        if history is not None:
            history = _subset(history, np.arange(len(history.entries)), [r.name for r in history.residents
                                                                           if r.name in keep])
        st = dataclasses.replace(  # type: ignore[type-var]
            st, only_residents=[n for n in st.only_residents if n in keep],  # type: ignore[attr-defined]
            lock_residents=[n for n in st.lock_residents if n in keep],  # type: ignore[attr-defined]
            locks=[x for x in st.locks if x.rpartition(":")[0].strip() in keep])  # type: ignore[attr-defined]
    else:
        sub = _subset(raw, rows)
        if only is not None:
            st = dataclasses.replace(st, only_residents=only)  # type: ignore[type-var]
    st = dataclasses.replace(st, explain=False)  # type: ignore[type-var]  # a group with no answer is tried wider
    shown = (lambda text: progress(f"{blk.label} {text}")) if progress else None
    res = repair_whole(sub, cfg, st, previous=history, progress=shown, domain_from=domain)
    o = res.outcome
    run = BlockRun(blk.label, "neighbourhood" if only is not None else "everyone", o.status,
                   bound=o.bound, seconds=time.monotonic() - t, variables=int(o.model_stats.get("variables", 0)),
                   explanation=[f"{blk.label}: {x}" for x in o.explanation], unencoded=list(o.unencoded),
                   canonical=o.canonical or o.status == "infeasible")
    run.freed = len(only) if only is not None else len(raw.residents)
    if res.repaired is not None:
        new = res.repaired.entries.frame()
        n = len(sub.entries)
        old_text = sub.entries.frame()["text"].fillna("").astype(str).to_numpy()
        new_text = new["text"].fillna("").astype(str).to_numpy()
        for k in np.flatnonzero(old_text != new_text[:n]).tolist():
            run.texts[int(rows[k])] = new["text"].iat[k]
        extra = new.iloc[n:].copy()
        if len(extra):  # back to the whole roster's resident numbers
            index = {r.name: i for i, r in enumerate(raw.residents)}
            local = np.array([index[r.name] for r in res.repaired.residents], dtype=np.int64)
            extra["resident"] = local[extra["resident"].to_numpy(dtype=np.int64)]
            run.added = extra.to_dict("records")
        run.changes = len(run.texts) + sum(1 for a in run.added if a.get("text"))
    return run, res.repaired


def repair_by_blocks(
    raw: RawRoster,
    cfg: Config,
    settings: object,
    *,
    previous: RawRoster | None = None,
    progress: Callable[[str], None] | None = None,
) -> object:
    """Repair a long roster month by month (see the module docstring); returns a ``RepairResult``."""
    from rostercheck.repair import RepairResult
    from rostercheck.repair.solve import Change, Outcome

    t0 = time.monotonic()
    started = settings.started if settings.started is not None else t0  # type: ignore[attr-defined]
    budget = float(settings.time_limit)  # type: ignore[attr-defined]
    fix_warnings = bool(settings.fix_warnings)  # type: ignore[attr-defined]
    max_changes = settings.max_changes  # type: ignore[attr-defined]
    allowed = set(settings.only_residents) if settings.only_residents else None  # type: ignore[attr-defined]
    before = check_raw(raw, cfg, previous)
    # --time-limit bounds the whole command: keep back what the final check of the year will take
    deadline = started + budget - min(1.5 * (time.monotonic() - t0) + 0.2, 0.25 * budget)

    def remaining() -> float:
        return deadline - time.monotonic()

    whole = cfg  # the final check, and the report, judge every rule on the whole roster
    cfg = monthly(cfg)
    blocks = month_blocks(raw)
    why = relaxation(whole, min(b.days for b in blocks))
    if why is None and settings.allow_remaining:  # type: ignore[attr-defined]
        why = "with --allow-remaining a repair may leave rules broken, so no month must change"
    per_month = lower_bound(raw, cfg, blocks, previous, fix_warnings) if why is None else None
    lookback = _lookback(cfg)

    solves: list[BlockRun] = []
    composed = raw  # the roster as repaired so far: months before the horizon final, the rest as left
    used = 0
    todo = list(range(len(blocks)))
    impossible: set[int] = set()  # months proven infeasible with everyone involved free and shifted back
    for sweep in range(2):  # the second sweep only revisits months where something is still broken
        for k in todo:
            if k in impossible:
                continue  # proven: another sweep would only prove it again
            blk = blocks[k]
            end = blocks[k + 1].end if k + 1 < len(blocks) else blk.end
            dates = _dates(composed)
            rows = np.flatnonzero((dates >= blk.first) & (dates < end))
            hist = _history(composed, previous, blk.first, lookback)
            errors = _errors(check_raw(_subset(composed, rows), cfg, hist), fix_warnings)
            if not any(f.start < str(blk.end) for f in errors):
                continue  # nothing broken that starts in this month: the next horizon sees what is left
            failed: list[Finding] = []
            first_run = len(solves)
            for level, partners in enumerate(_PARTNERS[sweep:], start=sweep):
                if remaining() < _MIN_SECONDS:
                    break  # out of time: what is left is reported
                groups = _neighbourhoods(composed, rows, errors, allowed, partners, raw)
                failed = []
                for g, people in enumerate(groups):
                    if remaining() < _MIN_SECONDS:
                        failed += [f for f in errors if f.resident in people]
                        continue
                    share = max(remaining(), 0.0) / (len(blocks) - k) / (len(groups) - g)
                    cap = None if max_changes is None else max(max_changes - used, 0)
                    seconds = min(max(share, _MIN_SOLVE_SECONDS) * (1 + level), remaining())
                    run, _ = _solve(composed, blk, rows, cfg, settings, hist, seconds, cap, people, progress, raw)
                    solves.append(run)
                    if run.status in ("optimal", "feasible"):
                        composed = _apply(composed, run)  # the whole horizon: the next one starts from it
                        used += run.changes
                    else:
                        failed += [f for f in errors if f.resident in people]
                if not failed:
                    break
                errors = failed  # a wider circle of partners for the groups that found no answer
            proven_stuck = failed and any(r.status == "infeasible" for r in solves[first_run:])
            if proven_stuck and k > 0 and remaining() > _MIN_SECONDS:
                # proven infeasible with the months before as fixed history: shift the window back a
                # month, so the cells that made this month impossible may change too
                prev = blocks[k - 1]
                wide = Block(f"{prev.label}..{blk.label}", prev.first, blk.end, np.r_[prev.entries, blk.entries])
                rows_w = np.flatnonzero((dates >= prev.first) & (dates < end))
                hist_w = _history(composed, previous, prev.first, lookback)
                people = sorted({n for grp in _neighbourhoods(composed, rows_w, failed, allowed, _PARTNERS[-1], raw)
                                 for n in grp}, key=[r.name for r in composed.residents].index)
                cap = None if max_changes is None else max(max_changes - used, 0)
                run, _ = _solve(composed, wide, rows_w, cfg, settings, hist_w, remaining() / max(len(blocks) - k, 1),
                                cap, people, progress, raw)
                run.phase = "window shifted back a month"
                solves.append(run)
                if run.status in ("optimal", "feasible"):
                    composed = _apply(composed, run)
                    used += run.changes
                elif run.status == "infeasible":
                    impossible.add(k)
            elif proven_stuck and k == 0 and all(r.status == "infeasible" for r in solves[first_run:]):
                impossible.add(k)  # nothing before it to shift into
        left = _errors(check_raw(composed, cfg, previous), fix_warnings)
        firsts = np.array([b.first for b in blocks])
        todo = sorted({int(np.searchsorted(firsts, np.datetime64(f.start[:10]), side="right")) - 1 for f in left})
        todo = [max(k, 0) for k in todo]
        if not todo:
            break

    # ---- the whole roster, checked as one
    after = check_raw(composed, whole, previous)
    changes = _changes(raw, composed, Change)
    link(changes, before.findings, after.findings)
    total = len(changes)
    lower = sum(per_month) if per_month is not None else None
    left = _errors(after, fix_warnings)
    if not left and lower is not None and total == lower:
        status, note = "optimal", None
    elif not solves and not left:
        status, note = "optimal", None  # nothing was broken
        lower = 0
    else:
        status = "feasible"
        if why is not None:
            note = f"repaired month by month; no lower bound is proven because {why}"
        else:
            note = ("repaired month by month, each month with the next in view and only the residents "
                    "involved free to change; the bound counts residents who must change in each month alone")
    if left and not solves:
        status = "unknown"
    out = Outcome(status, changes=changes, objective=total, bound=lower if status != "optimal" else total,
                  wall=time.monotonic() - t0)
    out.unencoded = sorted({u for r in solves for u in r.unencoded})
    out.allow_remaining = bool(settings.allow_remaining)  # type: ignore[attr-defined]
    # every solve proven (canonical answers, or proven impossible) and none cut short: each step
    # and so the sequence of steps is the same on every run
    out.canonical = all(r.canonical for r in solves) and not (left and remaining() < _MIN_SECONDS)
    out.touched = len({c.resident for c in changes})
    out.warnings_left = after.warnings
    out.stages = [{"stage": f"month {r.block} ({r.phase}, {r.freed} residents free)", "value": r.changes,
                   "bound": r.bound, "status": r.status, "seconds": round(r.seconds, 3)} for r in solves]
    out.model_stats = _stats(solves, blocks, why, lookback, note=note, lower=lower, total=total,
                             per_month=per_month)
    if left:
        kinds = {rc.id for rc in whole.enabled_rules if rc.kind in WHOLE_ROSTER_KINDS}
        if any(f.rule in kinds for f in left):
            out.explanation.append(f"{', '.join(sorted(kinds))} compares residents over the whole roster and is not "
                                   "repaired month by month; repair two months or fewer at a time to even it out")
        # the advice follows the cause: proven impossible where it stands, or out of time
        stuck = [blocks[k].label for k in sorted(impossible)]
        timed = sorted({r.block for r in solves if r.status == "unknown"} - set(stuck))
        said = f"{plural(len(left), 'error')} left after repairing month by month"
        if stuck:
            said += (f": {', '.join(stuck)} proven impossible with the residents involved and their circles of "
                     "colleagues free, the window shifted back a month too (repair such a month alone, with "
                     "--previous, for the reason in words)")
        if timed or (not stuck and remaining() < 1):
            said += (f"{'; ' if stuck else ': '}the time limit ran out"
                     + (f" ({', '.join(timed)})" if timed else "") + ": raise --time-limit")
        elif not stuck:
            said += ": repair the months concerned alone (with --previous) to see why"
        out.explanation.append(said)
        out.explanation += [x for r in solves for x in r.explanation]
    return RepairResult(before, after, out, composed)


def _changes(raw: RawRoster, composed: RawRoster, change_cls: type) -> list:
    """Every cell whose text differs from the original, as ``Change`` records in date order."""
    e, c = raw.entries.frame(), composed.entries.frame()
    n = len(e)
    old = e["text"].fillna("").astype(str).to_numpy()
    new = c["text"].fillna("").astype(str).to_numpy()
    rows = np.flatnonzero(old != new[:n]).tolist() + [i for i in range(n, len(c)) if new[i]]
    names = [r.name for r in composed.residents]
    out = []
    for i in rows:
        src = c.iloc[i]
        sheet = src["sheet"]
        cell = src["cell"]
        out.append(change_cls(
            resident=names[int(src["resident"])], date=pd.Timestamp(src["date"]).strftime("%Y-%m-%d"),
            slot=str(src["slot"] or ""), old=old[i] if i < n else "", new=new[i],
            sheet=sheet if isinstance(sheet, str) else None, cell=cell_name(cell), row=i))
    out.sort(key=lambda ch: (ch.date, ch.resident))
    return out


def _stats(runs: list[BlockRun], blocks: list[Block], why: str | None, lookback: int, *, note: str | None = None,
           lower: int | None = None, total: int | None = None, per_month: list[int] | None = None) -> dict:
    return {
        "variables": sum(r.variables for r in runs),
        "decomposition": {
            "blocks": [b.label for b in blocks],
            "solves": [r.as_dict() for r in runs],
            "lower_bound_is_valid": why is None,
            "why_no_lower_bound": why,
            "lower_bound_by_month": dict(zip([b.label for b in blocks], per_month)) if per_month else None,
            "lower_bound": lower,
            "changed_cells": total,
            "gap": (total - lower) if total is not None and lower is not None else None,
            "history_days": lookback,
            "why_not_proven": note,
        },
    }
