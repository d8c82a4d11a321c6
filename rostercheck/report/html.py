"""The HTML report: one self-contained page a program director can open, hover and print.

Everything is inline (CSS, a small script, SVG charts), and a Content-Security-Policy forbids the
page from loading anything at all, so it opens the same offline, from an e-mail attachment or a
shared drive, and never reaches the network. Every piece of roster text placed in the page goes
through ``html.escape``: a resident called ``<script>`` is shown as text.

The page holds, for one roster: a calendar grid of residents by dates coloured by shift kind, with
the cells findings name outlined (errors red, warnings amber) and explained on hover; each
resident's hours per calendar week (Monday to Sunday) against the weekly limit; a summary by
rule; the list of findings. With a repair it also shows the changes and the roster after repair.

Grid cells are built with array operations; only flagged and changed cells (one per finding or
change) are assembled one by one.
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rostercheck.check import CheckResult
from rostercheck.legend import KINDS
from rostercheck.model import Finding, RawRoster
from rostercheck.read.cells import cell_names
from rostercheck.report.cellrange import describe
from rostercheck.timeline import Timeline
from rostercheck.wording import plural

#: When one cell holds codes of several kinds, the colour shown is the first kind in this order.
KIND_PRIORITY = ("leave", "call", "night", "work", "home-call", "wellness", "off")
KIND_LABELS = {"work": "work", "call": "in-house call", "night": "night", "home-call": "home call", "off": "off",
               "leave": "leave", "wellness": "wellness"}
SEV_RANK = {"error": 0, "warning": 1}


def e(value: object) -> str:
    """Escape text for an element or a quoted attribute; the only way text enters the page."""
    return html.escape("" if value is None else str(value), quote=True)


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------------------------ grid data


def weekly_limit(rules: Sequence[Any]) -> float | None:
    """The weekly hours limit from the first enabled max-hours rule (per 7 days), else None."""
    for rc in rules:
        if rc.enabled and rc.kind == "max-hours":
            p = rc.params
            return float(p.get("limit", 80)) * 7 / float(p.get("per", 7) or 7)
    return None


def _live(tl: Timeline) -> pd.DataFrame:
    """The shift rows of the checked days (not history), as a DataFrame: the report groups them."""
    return tl.shifts.take(tl.shifts["day"] >= tl.first).frame()


def cell_codes(result: CheckResult) -> tuple[np.ndarray, np.ndarray]:
    """Codes shown (``/``-joined) and the kind that colours each (resident, checked day) cell."""
    tl = result.timeline
    R, D = tl.n_residents, tl.n_days - tl.first
    codes = np.full((R, D), "", dtype=object)
    kinds = np.full((R, D), "", dtype=object)
    s = _live(tl)
    if len(s):
        rank = {k: i for i, k in enumerate(KIND_PRIORITY)}
        s = s.assign(rank=s["kind"].map(rank).fillna(len(rank)), d=s["day"] - tl.first)
        s = s.sort_values(["resident", "d", "entry", "start"], kind="stable")
        s = s.drop_duplicates(["resident", "d", "code"])
        g = s.groupby(["resident", "d"], sort=False)
        joined = g["code"].agg("/".join)
        top = g["rank"].min().astype(int)
        r = joined.index.get_level_values(0).to_numpy()
        d = joined.index.get_level_values(1).to_numpy()
        codes[r, d] = joined.to_numpy()
        kinds[r, d] = np.array([*KIND_PRIORITY, ""], dtype=object)[top.to_numpy()]
    return codes, kinds


def _positions(result: CheckResult, raw: RawRoster | None) -> pd.DataFrame:
    """Every roster cell address of the checked roster -> (resident, checked-day) position."""
    tl = result.timeline
    if raw is not None:
        ent = raw.entries.frame()
        day = pd.DatetimeIndex(tl.days).get_indexer(pd.to_datetime(ent["date"]))
        frame = pd.DataFrame({"sheet": ent["sheet"].to_numpy(), "cell": cell_names(ent["cell"].to_numpy()),
                              "r": ent["resident"].to_numpy(dtype=np.int64), "d": day - tl.first})
    else:  # without the read roster, only cells that hold a code can be placed
        s = _live(tl).drop_duplicates("cell")
        src = [tl.cells[int(i)] for i in s["cell"]]
        frame = pd.DataFrame({"sheet": [c.sheet for c in src], "cell": [c.cell for c in src],
                              "r": s["resident"].to_numpy(), "d": (s["day"] - tl.first).to_numpy()})
        frame = frame[[c.file == result.path for c in src]]
    frame["sheet"] = frame["sheet"].where(frame["sheet"].notna(), "").astype(str)
    return frame[(frame["d"] >= 0) & (frame["d"] < tl.n_days - tl.first)]


def flagged_cells(result: CheckResult, raw: RawRoster | None = None) -> dict[tuple[int, int], list[int]]:
    """(resident, checked day) -> indices of the findings that name a cell there."""
    rows = [(i, c.sheet or "", c.cell) for i, f in enumerate(result.findings)
            for c in f.cells if c.cell and c.file == result.path]
    if not rows:
        return {}
    named = pd.DataFrame(rows, columns=["f", "sheet", "cell"])
    hit = named.merge(_positions(result, raw), on=["sheet", "cell"]).drop_duplicates(["f", "r", "d"])
    out: dict[tuple[int, int], list[int]] = {}
    for f, r, d in zip(hit["f"].tolist(), hit["r"].tolist(), hit["d"].tolist()):
        out.setdefault((int(r), int(d)), []).append(int(f))
    return out


def weekly_hours(result: CheckResult) -> tuple[np.ndarray, pd.DatetimeIndex, np.ndarray]:
    """Work hours per resident per calendar week (Mon-Sun) of the checked days: [R, W], the
    Mondays, and how many of each week's days are in the roster."""
    tl = result.timeline
    H = tl.hours_by_day()[:, tl.first:]
    days = pd.DatetimeIndex(tl.days[tl.first:])
    monday = (days - pd.to_timedelta(days.day_of_week, unit="D")).normalize()
    starts = np.flatnonzero(np.r_[True, monday[1:] != monday[:-1]])
    W = np.add.reduceat(H, starts, axis=1) if H.shape[1] else np.zeros((H.shape[0], 0))
    return W, pd.DatetimeIndex(monday[starts]), np.diff(np.r_[starts, len(days)])


# ------------------------------------------------------------------------------------ pieces


def _finding_text(f: Finding) -> str:
    unit = f" {f.unit}" if f.unit else ""
    return f"{f.rule} ({f.severity}): {f.message} [value {_num(f.value)}{unit}, limit {_num(f.limit)}{unit}]"


def _legend() -> str:
    items = "".join(f'<li><span class="sw k-{k}"></span>{e(KIND_LABELS[k])}</li>' for k in KINDS)
    return (f'<ul class="legend">{items}<li><span class="sw mark-error"></span>error</li>'
            '<li><span class="sw mark-warning"></span>warning</li>'
            '<li><span class="sw mark-chg"></span>changed by repair</li></ul>')


#: Order of a day's sessions, top to bottom, in a calendar cell (whole-day cells have slot "").
SLOT_ORDER = ("", "AM", "PM")
#: A calendar holding more days than this is shown one calendar month at a time, so that each
#: page fits a 1,400 px window (and a landscape sheet) without scrolling sideways.
MAX_DAYS_ON_ONE_PAGE = 31


def _plain(values: pd.Series) -> pd.Series:
    """Cell text as written, with non-breaking and repeated spaces made one space."""
    return (values.fillna("").astype(str).str.replace("\u00a0", " ", regex=False)
            .str.replace(r"\s+", " ", regex=True).str.strip())


def session_texts(result: CheckResult, raw: RawRoster | None) -> tuple[list[str], list[np.ndarray]]:
    """The day's sessions (``[""]`` for a whole-day grid, ``["AM", "PM"]`` for a half-day one) and,
    per session, each (resident, checked day)'s text as the roster writes it (``PedW``, ``C/LEC``).

    The read roster gives the cells' own text; without it, the codes of the timeline are shown in
    the roster's spelling (``Timeline.written``). Several entries of one session (a long table with
    two rows for a date) are joined with ``/``.
    """
    tl = result.timeline
    R, D = tl.n_residents, tl.n_days - tl.first
    if raw is not None:
        ent = raw.entries.frame()
        frame = pd.DataFrame({"r": ent["resident"].to_numpy(dtype=np.int64),
                              "d": pd.DatetimeIndex(tl.days).get_indexer(pd.to_datetime(ent["date"])) - tl.first,
                              "slot": ent["slot"].fillna("").astype(str).to_numpy(),
                              "text": _plain(ent["text"]).to_numpy()})
    else:
        s = _live(tl)
        frame = pd.DataFrame({"r": s["resident"].to_numpy(), "d": (s["day"] - tl.first).to_numpy(),
                              "slot": "", "text": s["code"].map(tl.written).to_numpy()})
        frame = frame.drop_duplicates(["r", "d", "text"])
    frame = frame[(frame["d"] >= 0) & (frame["d"] < D) & (frame["r"] >= 0) & (frame["r"] < R)]
    used = list(pd.unique(frame["slot"]))
    slots = [s for s in SLOT_ORDER if s in used] + sorted(s for s in used if s not in SLOT_ORDER)
    if len(slots) > 1 and "" in slots:  # a whole-day entry on a half-day grid is shown in every session
        whole = frame[frame["slot"] == ""]
        frame = pd.concat([frame[frame["slot"] != ""], *(whole.assign(slot=s) for s in slots if s)])
        slots = [s for s in slots if s]
    frame = frame[frame["text"] != ""]
    if frame.duplicated(["r", "d", "slot"]).any():
        frame = frame.groupby(["r", "d", "slot"], sort=False, as_index=False)["text"].agg("/".join)
    out = []
    for s in slots or [""]:
        grid = np.full((R, D), "", dtype=object)
        part = frame[frame["slot"] == s]
        grid[part["r"].to_numpy(dtype=np.int64), part["d"].to_numpy(dtype=np.int64)] = part["text"].to_numpy()
        out.append(grid)
    return slots or [""], out


def _escaped(values: np.ndarray) -> np.ndarray:
    esc = {c: e(c) for c in pd.unique(values.ravel())}
    return np.array([esc[c] for c in values.ravel()], dtype=object).reshape(values.shape)


def cell_bodies(slots: list[str], texts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The HTML inside each calendar cell and its plain text for a tooltip.

    A half-day cell stacks its sessions, morning above afternoon (``<span class="s">``); when both
    sessions hold the same text it is written once (``class="s both"``), which is most days of a
    rotation, so a month of half-days stays one line high where nothing changes at noon.
    """
    if len(texts) == 1:
        return _escaped(texts[0]), texts[0]
    same = np.ones(texts[0].shape, dtype=bool)
    for t in texts[1:]:
        same &= t == texts[0]
    esc = [_escaped(t) for t in texts]
    split = esc[0].copy()
    split[:] = ""
    for s, t in zip(slots, esc):
        split = split + f'<span class="s" data-s="{e(s)}">' + t + "</span>"
    body = np.where(same, '<span class="s both">' + esc[0] + "</span>", split)
    body = np.where(same & (texts[0] == ""), "", body)
    plain = np.full(texts[0].shape, "", dtype=object)
    for s, t in zip(slots, texts):
        plain = plain + (s + " " + np.where(t == "", "(blank)", t) + "\n")
    return body, plain


def grid_pages(days: pd.DatetimeIndex) -> list[np.ndarray]:
    """Checked-day indices per calendar page: one page up to 31 days, else one per month."""
    if len(days) <= MAX_DAYS_ON_ONE_PAGE:
        return [np.arange(len(days))]
    month = np.asarray(days.year * 12 + days.month)
    cuts = np.flatnonzero(np.r_[True, month[1:] != month[:-1], True])
    return [np.arange(a, b) for a, b in itertools.pairwise(cuts.tolist())]


def grid_table(result: CheckResult, raw: RawRoster | None, *, name: str, prefix: str,
               changes: Sequence[Any] = (), after: bool = False) -> str:
    """The calendar: one row per resident, one column per checked date (a page per month when the
    roster is longer than a month), each cell the roster's own text.

    Flagged cells get ``class="flag sev-..."``, a ``data-f`` list of finding ids and a ``title``
    that explains every finding; changed cells get ``class="chg"`` and say what changed. Other cells
    are explained on hover by the page's script from their text, so a year of cells carries no
    tooltip text of its own.
    """
    tl = result.timeline
    R, D = tl.n_residents, tl.n_days - tl.first
    days = pd.DatetimeIndex(tl.days[tl.first:])
    _, kinds = cell_codes(result)
    slots, texts = session_texts(result, raw)
    body, plain = cell_bodies(slots, texts)
    flags = flagged_cells(result, raw)
    findings = result.findings
    names = [r.name for r in tl.residents]

    cls = np.where(kinds == "", "k-blank", "k-" + kinds).astype(object)
    attrs = np.full((R, D), "", dtype=object)
    weekend = np.asarray(days.day_of_week >= 5)
    cls[:, weekend] = cls[:, weekend] + " we"

    tips: dict[tuple[int, int], list[str]] = {}
    for (r, d), fids in flags.items():
        fids = sorted(fids, key=lambda i: (SEV_RANK.get(findings[i].severity, 9), i))
        sev = findings[fids[0]].severity
        cls[r, d] += f" flag sev-{'error' if sev == 'error' else 'warning'}"
        attrs[r, d] += f' data-f="{" ".join(f"{prefix}{i}" for i in fids)}"'
        tips[(r, d)] = [_finding_text(findings[i]) for i in fids]
    index = {n: i for i, n in enumerate(names)}
    for ch in changes:
        r = index.get(ch.resident)
        d = int(days.get_indexer([pd.Timestamp(ch.date)])[0]) if r is not None else -1
        if r is None or d < 0:
            continue
        cls[r, d] += " chg"
        slot = f" {ch.slot}" if ch.slot else ""
        line = (f"changed by repair{slot}: {ch.old or '(blank)'} -> {ch.new or '(blank)'}" if after else
                f"repair changes this{slot}: {ch.old or '(blank)'} -> {ch.new or '(blank)'}")
        tips.setdefault((r, d), []).append(line)
    for (r, d), lines in tips.items():
        kind = KIND_LABELS.get(kinds[r, d], "blank")
        text = plain[r, d].strip() or "(blank)"
        head = (f"{names[r]}, {days[d]:%a %Y-%m-%d} ({kind})\n{text}" if "\n" in text else
                f"{names[r]}, {days[d]:%a %Y-%m-%d}: {text} ({kind})")
        attrs[r, d] += f' title="{e(chr(10).join([head, *lines]))}"'
    tds = "<td class=\"" + cls + "\"" + attrs + ">" + body + "</td>" if R * D else body

    per_res: dict[int, list[int]] = {}
    for i, f in enumerate(findings):
        if f.resident is not None and f.resident in index:
            per_res.setdefault(index[f.resident], []).append(i)
    on_grid = {i for fids in flags.values() for i in fids}
    heads = []
    for r, res in enumerate(tl.residents):
        fids = per_res.get(r, [])
        n_err = sum(findings[i].severity == "error" for i in fids)
        n_warn = len(fids) - n_err
        badge = (f'<span class="badge b-error">{n_err}</span>' if n_err else "") + \
                (f'<span class="badge b-warning">{n_warn}</span>' if n_warn else "")
        off_grid = [i for i in fids if i not in on_grid]  # nothing to point at but the row
        th_cls = "name" + (" rowflag" if off_grid else "")
        th_attr = (f' data-f="{" ".join(f"{prefix}{i}" for i in off_grid)}" title="'
                   + e("\n".join([res.name, *(_finding_text(findings[i]) for i in off_grid)])) + '"'
                   if off_grid else f' title="{e(res.name)}"')
        pgy = f'<span class="pgy">PGY{res.pgy}</span>' if res.pgy else ""
        heads.append(f'<tr class="res" data-resident="{e(res.name)}"><th class="{th_cls}"{th_attr} scope="row">'
                     f'<div class="nh"><span class="nm">{e(res.name)}</span>{pgy}{badge}</div></th>')

    session_note = " ".join(slots) if len(slots) > 1 else ""
    tables = [f'<p class="note">Each date shows its sessions stacked ({e(", ".join(slots))}, top to bottom), '
              "and one line when they hold the same; hover a cell for its full text.</p>"] if session_note else []
    for page, cols in enumerate(grid_pages(days), start=1):
        sub = days[cols]
        months = []
        for label, n in pd.Series(sub.strftime("%B %Y")).groupby(sub.strftime("%Y-%m"), sort=True).agg(
                ["first", "size"]).itertuples(index=False):
            months.append(f'<th colspan="{n}" class="month">{e(label)}</th>')
        day_heads = "".join(
            f'<th class="day{" we" if w else ""}" title="{d:%A %Y-%m-%d}"><span>{d:%a}</span>{d.day}</th>'
            for d, w in zip(sub, weekend[cols]))
        body_rows = "".join(heads[r] + "".join(tds[r, cols]) + "</tr>" for r in range(R))
        tables.append(
            f'<div class="gridwrap"><table class="grid" style="min-width:{150 + 30 * len(cols)}px" '
            f'data-grid="{e(name)}" data-page="{page}" '
            f'data-residents="{R}" data-days="{len(cols)}" data-flagged="{len(flags)}"'
            f'{f" data-slots={chr(34)}{e(session_note)}{chr(34)}" if session_note else ""}>'
            f'<colgroup><col class="c-name">{"<col>" * len(cols)}</colgroup>'
            f'<thead><tr><th class="corner"></th>{"".join(months)}</tr>'
            f'<tr><th class="corner">Resident</th>{day_heads}</tr></thead><tbody>{body_rows}</tbody></table></div>')
    return "".join(tables)


def _bars(values: np.ndarray, mondays: pd.DatetimeIndex, ndays: np.ndarray, limit: float | None,
          top: float) -> str:
    """A small SVG bar chart of one resident's weekly hours, with the limit as a dashed line."""
    bw, gap, h, pad = 14, 3, 30, 3
    width = len(values) * (bw + gap) + 34
    parts = []
    for i, (v, m, n) in enumerate(zip(values, mondays, ndays)):
        bh = 0 if top <= 0 else round(float(v) / top * h, 1)
        over = limit is not None and v > limit + 1e-9
        cls = "bar" + (" over" if over else "") + (" part" if n < 7 else "")
        sunday = m + pd.Timedelta(days=6)
        part = f", {n} of 7 days in the roster" if n < 7 else ""
        lim = f" (limit {_num(limit)} h)" if limit is not None else ""
        tip = f"Week {m:%a %Y-%m-%d} to {sunday:%a %Y-%m-%d}{part}: {_num(float(v))} h{lim}"
        parts.append(f'<rect class="{cls}" x="{i * (bw + gap)}" y="{pad + h - bh}" width="{bw}" height="{bh}">'
                     f"<title>{e(tip)}</title></rect>")
    if limit is not None and top > 0:
        y = round(pad + h - limit / top * h, 1)
        x1 = len(values) * (bw + gap)
        parts.append(f'<line class="limit" x1="0" x2="{x1}" y1="{y}" y2="{y}"/>'
                     f'<text class="limit-label" x="{x1 + 2}" y="{y + 3}">{_num(limit)} h</text>')
    label = "weekly hours: " + ", ".join(f"{m:%m-%d} {_num(float(v))} h" for v, m in zip(values, mondays))
    return (f'<svg class="chart" width="{width}" height="{h + 2 * pad}" '
            f'viewBox="0 0 {width} {h + 2 * pad}" role="img" aria-label="{e(label)}">{"".join(parts)}</svg>')


def hours_table(result: CheckResult, rules: Sequence[Any], after: CheckResult | None = None) -> str:
    """Per resident, a small card: weekly hours as bars (before and, for a repair, after), the
    busiest week and the total. Cards wrap, so 30 residents take a few rows, not a page each."""
    limit = weekly_limit(rules)
    W, mondays, ndays = weekly_hours(result)
    Wa = weekly_hours(after)[0] if after is not None else None
    peak = max(float(W.max()) if W.size else 0.0, float(Wa.max()) if Wa is not None and Wa.size else 0.0)
    top = max(peak, limit or 0.0) * 1.1 or 1.0
    cards = []
    for r, res in enumerate(result.timeline.residents):
        final = Wa[r] if Wa is not None else W[r]
        busiest = float(final.max()) if final.size else 0.0
        over = " over" if limit is not None and busiest > limit + 1e-9 else ""
        charts = _bars(W[r], mondays, ndays, limit, top)
        if Wa is not None:
            charts = (f'<span class="when">before</span>{charts}<span class="when">after</span>'
                      f"{_bars(Wa[r], mondays, ndays, limit, top)}")
        cards.append(f'<figure class="hcard" data-resident="{e(res.name)}"><figcaption><span class="nm">'
                     f'{e(res.name)}</span><span class="peak{over}" title="busiest week">{_num(busiest)} h</span>'
                     f'<span class="total" title="total in the roster">{_num(float(final.sum()))} h total</span>'
                     f"</figcaption>{charts}</figure>")
    lim = (f"The dashed line is the weekly limit of {_num(limit)} h from the max-hours rule; that rule averages "
           "over its window, so one week above the line is not by itself a violation."
           if limit is not None else "No max-hours rule is enabled, so no limit line is drawn.")
    weeks = ", ".join(f"{m:%b %d}" for m in mondays)
    return (f'<p class="note">Hours of work, call and night (plus counted home-call hours) per calendar week, '
            f"Monday to Sunday; weeks start {e(weeks)}. Paler bars are weeks only partly in the roster; the number "
            f"by each name is the busiest week{' after repair' if Wa is not None else ''}. {e(lim)}</p>"
            f'<div class="hours">{"".join(cards)}</div>')


def rules_table(before: CheckResult, after: CheckResult | None = None) -> str:
    """One row per enabled rule: kind, severity, findings (before and after a repair), citation."""
    def counts(res: CheckResult) -> dict[str, tuple[int, set[str]]]:
        out: dict[str, tuple[int, set[str]]] = {}
        for f in res.findings:
            n, who = out.get(f.rule, (0, set()))
            out[f.rule] = (n + 1, who | {f.resident or "(coverage)"})
        return out

    cb = counts(before)
    ca = counts(after) if after is not None else None
    rules = [(rc.id, rc.kind, rc.severity, rc.citation or rc.description) for rc in before.rules]
    known = {r[0] for r in rules}
    sev_of = {f.rule: f.severity for f in before.findings}
    rules += [(r, "", sev_of[r], "") for r in cb if r not in known]  # a finding of a rule not listed

    def status(c: dict, rule: str, severity: str) -> str:
        n, who = c.get(rule, (0, set()))
        if not n:
            return '<td class="pass">pass</td>'
        sev = "error" if severity == "error" else "warning"
        return f'<td class="fail sev-{sev}">{plural(n, sev)} ({plural(len(who), "resident")})</td>'

    head = "<th>Before repair</th><th>After repair</th>" if ca is not None else "<th>Result</th>"
    rows = []
    for rule, kind, severity, cite in rules:
        cells = status(cb, rule, severity) + (status(ca, rule, severity) if ca is not None else "")
        rows.append(f"<tr><th scope=\"row\"><code>{e(rule)}</code></th><td>{e(kind)}</td><td>{e(severity)}</td>"
                    f'{cells}<td class="cite">{e(cite)}</td></tr>')
    return (f'<table class="rules"><thead><tr><th>Rule</th><th>Kind</th><th>Severity</th>{head}<th>Source</th>'
            f'</tr></thead><tbody>{"".join(rows)}</tbody></table>')


def findings_table(result: CheckResult, prefix: str) -> str:
    """Every finding, grouped by resident (most errors first), errors before warnings."""
    fs = result.findings
    if not fs:
        return '<p class="ok">No rule is broken.</p>'
    by: dict[str | None, list[int]] = {}
    for i, f in enumerate(fs):
        by.setdefault(f.resident, []).append(i)

    def weight(item: tuple[str | None, list[int]]) -> tuple:
        who, ids = item
        return (-sum(fs[i].severity == "error" for i in ids), -len(ids), who is None, who or "")

    groups = []
    for who, ids in sorted(by.items(), key=weight):
        ids = sorted(ids, key=lambda i: (SEV_RANK.get(fs[i].severity, 9), fs[i].start, fs[i].rule))
        rows = []
        for k, i in enumerate(ids):
            f = fs[i]
            sev = "error" if f.severity == "error" else "warning"
            cells = describe(f.cells, home=result.path)
            name = (f'<th scope="rowgroup" rowspan="{len(ids)}">{e(who or "Coverage (whole roster)")}</th>'
                    if k == 0 else "")
            unit = f" {f.unit}" if f.unit else ""
            rows.append(f'<tr data-f="{prefix}{i}" class="sev-{sev}">{name}<td class="sev">{e(f.severity)}</td>'
                        f'<td><code>{e(f.rule)}</code></td><td class="when">{e(f.when())}</td><td>{e(f.message)}</td>'
                        f"<td class=\"num\">{e(_num(f.value))} / {e(_num(f.limit))}{e(unit)}</td>"
                        f'<td class="cells">{e(cells)}</td></tr>')
        # one tbody per resident: printing breaks pages between residents, never inside one
        groups.append(f'<tbody class="who">{"".join(rows)}</tbody>')
    return ('<table class="findings"><thead><tr><th>Resident</th><th>Severity</th><th>Rule</th><th>When</th>'
            '<th>What</th><th>Value / limit</th><th>Cells</th></tr></thead>' + "".join(groups) + "</table>")


def changes_table(changes: Sequence[Any]) -> str:
    if not changes:
        return '<p class="ok">No cell had to change.</p>'
    rows = "".join(
        f"<tr><th scope=\"row\">{e(c.resident)}</th><td>{e(c.date)}{e(' ' + c.slot if c.slot else '')}</td>"
        f'<td class="old">{e(c.old or "(blank)")}</td><td class="new">{e(c.new or "(blank)")}</td>'
        f"<td>{e((c.sheet + '!' if c.sheet else '') + (c.cell or ''))}</td></tr>" for c in changes)
    return ('<table class="changes"><thead><tr><th>Resident</th><th>Date</th><th>Before</th><th>After</th>'
            f"<th>Cell</th></tr></thead><tbody>{rows}</tbody></table>")


# ------------------------------------------------------------------------------------ the page


@dataclass(frozen=True)
class Section:
    """A section another stage contributes to the page, placed after the weekly hours.

    This is the hook for the fairness section (issue 18): the swap work will hand its fairness
    records to a renderer that returns a ``Section``, and the report command passes it in
    ``extra``. ``body`` is HTML the contributor built, every roster text in it escaped with
    ``e``; ``id`` must be unique in the page.
    """

    id: str
    title: str
    body: str


PAPER = {"a4": "A4 landscape", "letter": "letter landscape"}


def _read_note(result: CheckResult) -> str:
    """The rows the reader skipped and its warnings, so the page never hides a left-out row."""
    read = result.read
    if read is None:
        return ""
    lines = [line] if (line := read.skipped_summary()) else []
    lines += [f"{w.sheet}!{w.cell}: {w.message}" if w.sheet and w.cell else w.message for w in read.warnings]
    return "".join(f'<p class="meta">{e(x)}</p>' for x in lines)


def render_page(result: CheckResult, *, raw: RawRoster | None = None, repair: Any = None,
                generated: str | None = None, paper: str = "a4", extra: Sequence[Section] = ()) -> str:
    """The whole report for one roster (``repair`` is a ``RepairResult`` for before/after).

    ``paper`` is the landscape sheet the print stylesheet lays the page out for; ``extra`` holds
    sections other stages contribute (``Section``)."""
    from rostercheck import __version__
    from rostercheck.report.text import summary_line

    after = repair.after if repair is not None else None
    changes = list(repair.outcome.changes) if repair is not None and after is not None else []
    tl = result.timeline
    title = f"Roster report: {Path(result.path).name}"
    period = f"{tl.date_of(tl.first)} to {tl.date_of(tl.n_days - 1)}"
    state = "bad" if result.errors else ("warn" if result.warnings else "good")
    sections = [
        f'<header><h1>{e(title)}</h1><p class="meta">{e(result.path)}: {plural(tl.n_residents, "resident")}, '
        f"{plural(result.days, 'day')} ({e(period)}), {plural(len(result.rules), 'rule')}</p>"
        + _read_note(result)
        + f'<p class="summary {state}">{e(summary_line([result]))}</p></header>',
    ]
    if repair is not None:
        from rostercheck.repair.report import status_line

        explain = "".join(f"<li>{e(x)}</li>" for x in repair.outcome.explanation)
        rstate = "good" if after is not None and not after.errors else "bad"
        again = (f" Checked again: {plural(after.errors, 'error')}, {plural(after.warnings, 'warning')}."
                 if after is not None else "")
        sections.append(f'<section id="repair"><h2>Repair</h2><p class="summary {rstate}">'
                        f"{e(status_line(repair))}{e(again)}</p>"
                        + (f"<ul>{explain}</ul>" if explain else "") + changes_table(changes) + "</section>")
    sections.append(f'<section id="rules"><h2>Rules</h2>{rules_table(result, after)}</section>')
    grid_title = "Calendar before repair" if repair is not None else "Calendar"
    sections.append(f'<section id="calendar"><h2>{grid_title}</h2>{_legend()}'
                    f'<p class="note hint">Hover a cell or a finding to see what it breaks.</p>'
                    f"{grid_table(result, raw, name='before', prefix='b', changes=changes)}</section>")
    if after is not None:
        sections.append(f'<section id="calendar-after"><h2>Calendar after repair</h2>'
                        f"{grid_table(after, repair.repaired, name='after', prefix='a', changes=changes, after=True)}"
                        "</section>")
    sections.append(f'<section id="hours"><h2>Weekly hours</h2>{hours_table(result, result.rules, after)}</section>')
    sections += [f'<section id="{e(s.id)}"><h2>{e(s.title)}</h2>{s.body}</section>' for s in extra]
    sections.append(f'<section id="findings"><h2>Findings{" before repair" if repair is not None else ""}</h2>'
                    f"{findings_table(result, 'b')}</section>")
    if after is not None:
        sections.append(f'<section id="findings-after"><h2>Findings after repair</h2>{findings_table(after, "a")}'
                        "</section>")
    when = generated or dt.date.today().isoformat()
    sections.append(f"<footer>rostercheck {e(__version__)}, {e(when)}</footer>")
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<link rel="icon" href="data:,"><title>{e(title)}</title><style>{CSS}'
        f'@page{{size:{PAPER.get(paper, PAPER["a4"])};margin:10mm}}</style></head>'
        f'<body>{"".join(sections)}<div id="tip" role="tooltip" hidden></div><script>{SCRIPT}</script></body></html>\n'
    )


CSS = """
:root{--err:#d9480f;--errbg:#ffe3e3;--warn:#f59f00;--line:#dee2e6;--ink:#212529;--mute:#6c757d}
*{box-sizing:border-box}
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);
margin:0 auto;padding:16px 24px;max-width:1800px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid var(--line)}
.meta,.note,footer{color:var(--mute);font-size:12px}
.summary{font-weight:600;padding:6px 10px;border-radius:4px;display:inline-block;margin:4px 0}
.summary.bad{background:#ffe3e3;color:#a51111}.summary.warn{background:#fff3bf;color:#7a4f00}
.summary.good{background:#d3f9d8;color:#1b5e20}
table{border-collapse:collapse}
th,td{padding:2px 6px;text-align:left;vertical-align:top}
.rules td,.rules th,.findings td,.findings th,.changes td,.changes th,.hours td,.hours th{border-bottom:1px
solid var(--line)}
.rules thead th,.findings thead th,.changes thead th,.hours thead th{background:#f1f3f5}
.pass{color:#2b8a3e}.fail.sev-error{color:#c92a2a;font-weight:600}.fail.sev-warning{color:#a86a00;font-weight:600}
.cite{color:var(--mute);font-size:12px;max-width:520px}
.gridwrap{overflow-x:auto;border:1px solid var(--line);margin-bottom:8px}
table.grid{font-size:11px;table-layout:fixed;width:100%}
.grid col.c-name{width:150px}
.grid th,.grid td{border:1px solid #fff;text-align:center;height:22px;padding:0 1px;white-space:nowrap;
overflow:hidden;text-overflow:ellipsis}
.grid td .s{display:block;overflow:hidden;text-overflow:ellipsis;font-size:10px;line-height:11px}
.grid td .s.both{line-height:22px}
.grid th.name{text-align:left;position:sticky;left:0;background:#f8f9fa;z-index:1;padding:0 4px}
.grid .nh{display:flex;align-items:center}.grid .nh>*{flex:none}
.grid .nh .nm{flex:0 1 auto;min-width:0;overflow:hidden;text-overflow:ellipsis}
.grid th.corner{background:#f8f9fa;position:sticky;left:0;z-index:2}
.grid th.month{background:#e9ecef;text-align:left}
.grid th.day{background:#f1f3f5;font-weight:500;font-size:11px;line-height:1.1;padding:1px 0}
.grid th.day span{display:block;color:var(--mute);font-size:10px}
.grid th.day.we{background:#dee2e6}
.grid td.we{border-color:#ced4da}
.pgy{color:var(--mute);font-size:10px;margin-left:6px}
.badge{display:inline-block;min-width:16px;padding:0 4px;margin-left:4px;border-radius:8px;font-size:10px;
text-align:center;color:#fff}
.b-error{background:#e03131}.b-warning{background:#f08c00}
.k-work{background:#d0e4ff}.k-call{background:#b197fc}.k-night{background:#3b4a9e;color:#fff}
.k-home-call{background:#e5dbff}.k-off{background:#f1f3f5;color:#868e96}.k-leave{background:#b2f2bb}
.k-wellness{background:#99e9f2}.k-blank{background:#fff}
.grid td.flag{outline:3px solid var(--err);outline-offset:-3px;font-weight:700;cursor:help}
.grid td.flag.sev-warning{outline-color:var(--warn)}
.grid th.rowflag{box-shadow:inset 4px 0 0 var(--err);cursor:help}
.grid td.chg{position:relative;cursor:help;text-decoration:underline dotted}
.grid td.chg::after{content:"";position:absolute;top:0;right:0;border-style:solid;border-width:0 8px 8px 0;
border-color:transparent #212529 transparent transparent}
.grid td.hl{box-shadow:inset 0 0 0 6px rgba(28,126,214,.5)}.findings tr.hl td{background:#e7f5ff}
.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:12px;font-size:12px}
.legend li{display:flex;align-items:center;gap:4px}
.sw{display:inline-block;width:18px;height:14px;border:1px solid #ced4da}
.sw.mark-error{outline:3px solid var(--err);outline-offset:-3px}
.sw.mark-warning{outline:3px solid var(--warn);outline-offset:-3px}
.sw.mark-chg{position:relative}.sw.mark-chg::after{content:"";position:absolute;top:0;right:0;border-style:solid;
border-width:0 8px 8px 0;border-color:transparent #212529 transparent transparent}
.findings tr.sev-error td.sev{color:#c92a2a;font-weight:600}.findings tr.sev-warning td.sev{color:#a86a00}
.findings td.cells{font-size:11px;color:var(--mute);max-width:260px;overflow-wrap:anywhere}
.findings td.num,.findings code{white-space:nowrap}
.changes td.old{text-decoration:line-through;color:var(--mute)}.changes td.new{font-weight:700}
.share rect{fill:#74c0fc}table.fairness{margin:0 0 12px}table.fairness th,table.fairness td{width:120px}
table.fairness th:first-child{width:190px}table.fairness caption{text-align:left;font-weight:600;padding:4px 0}
table.fairness td.share{white-space:nowrap}table.fairness tfoot{color:#555}
.chart .bar{fill:#74c0fc}.chart .bar.over{fill:#e03131}.chart .bar.part{opacity:.55}
.chart .limit{stroke:#c92a2a;stroke-dasharray:4 3;stroke-width:1.5}
.chart .limit-label{font-size:10px;fill:#c92a2a}
.hours{display:flex;flex-wrap:wrap;gap:6px 14px}
.hcard{margin:0;padding:4px 6px;border:1px solid var(--line);border-radius:4px;min-width:190px}
.hcard figcaption{display:flex;gap:8px;align-items:baseline;font-size:12px}
.hcard .nm{font-weight:600;flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;max-width:150px}
.hcard .peak{font-weight:600}.hcard .peak.over{color:#c92a2a}.hcard .total{color:var(--mute);font-size:11px}
.hcard .when{display:block;font-size:10px;color:var(--mute)}
.findings td.when{white-space:nowrap}
.ok{color:#2b8a3e;font-weight:600}
#tip{position:fixed;z-index:10;max-width:460px;background:#212529;color:#fff;padding:6px 8px;border-radius:4px;
font-size:12px;white-space:pre-line;pointer-events:none;box-shadow:0 2px 8px rgba(0,0,0,.3)}
footer{margin-top:24px}
@media print{
body{padding:0;max-width:none;font-size:10px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
.hint,#tip{display:none!important}
.gridwrap{overflow:visible;border:0;margin:0 0 4px}
.gridwrap+.gridwrap{break-before:page}
table.grid{min-width:0!important;font-size:8px}
.grid col.c-name{width:110px}
.grid th,.grid td{height:auto;padding:0;border-width:.5px}
.grid td .s{font-size:7px;line-height:9px}.grid td .s.both{line-height:18px}
.grid th.day{font-size:8px}.grid th.day span{font-size:7px}
.grid th.name,.grid th.corner{position:static}.grid .pgy{display:none}
.grid td.flag{outline-width:2px;outline-offset:-2px}
thead{display:table-header-group}
tr{break-inside:avoid}h2{break-after:avoid}
section{break-inside:auto}#calendar,#calendar-after{break-before:page}
.findings tbody.who{break-inside:avoid}
.findings td.cells{max-width:none}
.hcard{break-inside:avoid}
}
"""

SCRIPT = """
(function () {
  var tip = document.getElementById('tip');
  var byId = {};
  document.querySelectorAll('[data-f]').forEach(function (el) {
    if (el.title) { el.setAttribute('data-tip', el.title); el.removeAttribute('title'); }
    el.getAttribute('data-f').split(' ').forEach(function (id) { (byId[id] = byId[id] || []).push(el); });
  });
  document.querySelectorAll('td.chg[title]').forEach(function (el) {
    el.setAttribute('data-tip', el.title); el.removeAttribute('title');
  });
  function related(el) {
    var out = [];
    (el.getAttribute('data-f') || '').split(' ').forEach(function (id) { out = out.concat(byId[id] || []); });
    return out;
  }
  function enter(ev) {
    var el = ev.currentTarget;
    related(el).forEach(function (x) { x.classList.add('hl'); });
    var text = el.getAttribute('data-tip');
    if (text) { tip.textContent = text; tip.hidden = false; move(ev); }
  }
  function leave(ev) {
    related(ev.currentTarget).forEach(function (x) { x.classList.remove('hl'); });
    tip.hidden = true;
  }
  function move(ev) {
    var x = ev.clientX + 14, y = ev.clientY + 14;
    var w = tip.offsetWidth, h = tip.offsetHeight;
    if (x + w > window.innerWidth - 8) { x = Math.max(8, ev.clientX - w - 14); }
    if (y + h > window.innerHeight - 8) { y = Math.max(8, ev.clientY - h - 14); }
    tip.style.left = x + 'px'; tip.style.top = y + 'px';
  }
  document.querySelectorAll('[data-f],[data-tip]').forEach(function (el) {
    el.addEventListener('mouseenter', enter);
    el.addEventListener('mouseleave', leave);
    el.addEventListener('mousemove', function (ev) { if (!tip.hidden) { move(ev); } });
  });
  // Every other calendar cell: its full text on hover (cells clip long codes), built from the
  // cell, its row and its column, so the page carries no tooltip text per cell.
  function cellText(td) {
    var table = td.closest('table'), row = td.parentNode;
    var heads = table.tHead.rows[1].cells, date = heads[td.cellIndex] ? heads[td.cellIndex].title : '';
    var slots = (table.getAttribute('data-slots') || '').split(' ').filter(Boolean);
    var lines = [], spans = td.querySelectorAll('.s');
    if (spans.length && spans[0].classList.contains('both')) {
      lines.push(slots.join('+') + ' ' + spans[0].textContent);
    } else if (spans.length) {
      spans.forEach(function (s) { lines.push(s.getAttribute('data-s') + ' ' + (s.textContent || '(blank)')); });
    } else {
      lines.push(td.textContent || '(blank)');
    }
    return row.getAttribute('data-resident') + ', ' + date + '\\n' + lines.join('\\n');
  }
  document.querySelectorAll('table.grid').forEach(function (table) {
    table.addEventListener('mouseover', function (ev) {
      var td = ev.target.closest('td');
      if (!td || td.hasAttribute('data-tip') || td.hasAttribute('data-f')) { return; }
      tip.textContent = cellText(td); tip.hidden = false; move(ev);
    });
    table.addEventListener('mousemove', function (ev) {
      var td = ev.target.closest('td');
      if (td && !td.hasAttribute('data-tip') && !td.hasAttribute('data-f') && !tip.hidden) { move(ev); }
    });
    table.addEventListener('mouseleave', function () { tip.hidden = true; });
  });
})();
"""
