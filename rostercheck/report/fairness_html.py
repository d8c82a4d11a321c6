"""The fairness section of the HTML report: who carries the load, group by group.

A programme director reads the duty-hour findings to see what is illegal and this section to see
what is unfair ("four residents had three calls, one had none"). It renders the records of
``rostercheck.fairness`` (the same figures ``rostercheck fairness`` prints), so the page and the
command never disagree. Per group, one row per resident with a small bar per measure, each bar
scaled to the largest value of that measure in the group and prorated by on-service days as the
group statistics are; the raw count is printed beside it.
"""

from __future__ import annotations

from rostercheck.fairness import HEADERS, MEASURES, Fairness
from rostercheck.report.html import Section, e
from rostercheck.wording import plural

_BAR_W = 60  # px of the longest bar in a group


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _bar(value: float, top: float, label: str) -> str:
    w = 0 if top <= 0 else round(_BAR_W * value / top)
    return (f'<svg class="share" width="{_BAR_W}" height="10" role="img" aria-label="{e(label)}">'
            f'<rect x="0" y="1" width="{w}" height="8"></rect></svg>')


def fairness_section(fa: Fairness) -> Section:
    """The ``fairness`` section for ``render_page(extra=...)``."""
    n = fa.days
    by_name = {r.resident: r for r in fa.residents}
    head = "".join(f"<th>{e(HEADERS[m])}</th>" for m in MEASURES)
    parts = [f'<p class="note">Counts over the {n} checked days ({e(fa.first)} to {e(fa.last)}), grouped by '
             f"{e(fa.by)}. Bars compare residents within a group, prorated by on-service days (a resident on "
             "leave for a week is scaled up as if present throughout); the numbers are the cells as counted. "
             "Spread is the largest minus the smallest prorated value in the group.</p>"]
    for g in fa.groups:
        members = [by_name[name] for name in g.residents]
        top = {m: g.stats[m].max for m in MEASURES}
        rows = []
        for r in members:
            cells = []
            for m in MEASURES:
                value = r.value(m)
                prorated = value * n / r.on_service_days if r.on_service_days else 0.0
                label = f"{r.resident}: {_num(value)} {HEADERS[m]}" + (
                    f" ({_num(prorated)} prorated to {plural(n, 'day')})" if r.on_service_days != n else "")
                cells.append(f'<td class="share">{_bar(prorated, top[m], label)} {_num(value)}</td>')
            rows.append(f"<tr><th scope=\"row\">{e(r.resident)}</th><td>{r.on_service_days}</td>{''.join(cells)}</tr>")
        spread = "".join(f"<td>{_num(g.stats[m].spread)}</td>" for m in MEASURES)
        parts.append(f'<table class="fairness"><caption>{e(g.group)}</caption><thead><tr><th>resident</th>'
                     f"<th>on-service days</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody>"
                     f'<tfoot><tr><th scope="row">spread (prorated)</th><td></td>{spread}</tr></tfoot></table>')
    return Section("fairness", "Fair shares", "".join(parts))
