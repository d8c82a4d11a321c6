"""Reports of a repair: the change list and an honest statement of what was proven."""

from __future__ import annotations

import json

from rostercheck.repair import RepairResult
from rostercheck.repair.links import describe
from rostercheck.report.json_report import document
from rostercheck.report.style import styler


def status_line(res: RepairResult) -> str:
    o = res.outcome
    if o.status == "infeasible":
        return "No compliant roster exists with these rules, coverage and locks."
    if o.status == "unknown":
        return (f"No compliant roster found within the time limit ({o.wall:.1f} s); this is not proof that "
                "none exists: raise --time-limit.")
    n = o.objective or 0
    who = f" for {o.touched} resident{'s' * (o.touched != 1)}" if o.touched is not None and n else ""
    duty_cells = sum(c.duty is not None for c in o.changes)
    if duty_cells:  # a duty list: the solver counts (person, date) assignments; the cells are names
        who += f", {duty_cells} duty cell{'s' * (duty_cells != 1)} rewritten"
    left = res.after.errors if res.after is not None else None
    if o.allow_remaining and left:
        # --allow-remaining with rules left unmet: one statement, counts as the checker reports them
        proof = ("fewest unmet rule instances and then fewest changes, proven" if o.status == "optimal" else
                 f"best found within the time limit ({o.wall:.1f} s), not proven fewest")
        return (f"{n} change{'s' * (n != 1)}{who}, {left} error{'s' * (left != 1)} left as checked: no compliant "
                f"roster exists or none was found, --allow-remaining kept the closest ({proof})")
    if o.status == "optimal":
        proof = "proven minimal" if n else "already compliant"
    else:
        why = o.model_stats.get("decomposition", {}).get("why_not_proven")  # month-by-month repairs say why
        bound = f"proven lower bound {o.bound}" if o.bound is not None else "no proven lower bound"
        proof = f"best found; {bound} ({why or f'time limit reached after {o.wall:.1f} s'})"
    return f"{n} change{'s' * (n != 1)}{who} ({proof})"


def not_canonical_note(o: object) -> str:
    """Why two runs may differ: said whenever they can, so a reviewer is not surprised."""
    what = ("the fewest changes was not proven" if o.status != "optimal"  # type: ignore[attr-defined]
            else "the canonical answer among the fewest changes was not proven")
    return (f"note: {what} within the time limit, so another run may choose other cells; a longer "
            "--time-limit makes the answer reproducible")


def render_text(res: RepairResult, written: str | None, *, color: bool = False) -> str:
    st = styler(color)

    o, b = res.outcome, res.before
    out = [f"{b.path}: {b.errors} error{'s' * (b.errors != 1)}, {b.warnings} warning{'s' * (b.warnings != 1)} "
           "before repair"]
    if o.status in ("infeasible", "unknown"):
        out.append(st(status_line(res), fg="red", bold=True))
        out += [f"  {line}" for line in o.explanation]
        return "\n".join(out) + "\n"
    out.append(st("Repair: " + status_line(res), bold=True))
    out += [f"  {line}" for line in o.explanation]
    for ch in o.changes:
        where = f" ({ch.sheet}!{ch.cell})" if ch.sheet and ch.cell else (f" ({ch.cell})" if ch.cell else "")
        slot = f" {ch.slot}" if ch.slot else ""
        label = f"{ch.date} {ch.duty}" if ch.duty is not None else f"{ch.resident} {ch.date}"
        why = describe(ch)
        out.append(f"  {label}{slot}: {ch.old or '(blank)'} -> {ch.new or '(blank)'}{where}"
                   + (f"  [{why}]" if why else ""))
    if res.after is not None:
        a = res.after
        verdict = (f"checked again: {a.errors} error{'s' * (a.errors != 1)}, "
                   f"{a.warnings} warning{'s' * (a.warnings != 1)}")
        out.append(st(verdict, fg="green" if not a.errors else "red"))
        for f in a.findings:
            if f.severity == "error":
                out.append(f"  still: {f.resident or ''} {f.rule}: {f.message}")
    if o.unencoded:
        out.append("rules only re-checked after solving (not in the model): " + ", ".join(o.unencoded))
    if o.changes and not o.canonical:
        out.append(not_canonical_note(o))
    if written:
        out.append(f"wrote {written}")
    return "\n".join(out) + "\n"


def render_json(res: RepairResult, written: str | None) -> str:
    o = res.outcome
    doc = {
        "version": 1,
        "roster": res.before.path,
        "status": o.status,
        "proven_minimal": o.status == "optimal",
        "changed_cells": o.objective,
        "lower_bound": o.bound,
        "residents_touched": o.touched,
        "warnings_left": res.after.warnings if res.after is not None else None,
        "changes": [c.as_dict() for c in o.changes],
        "before": {"errors": res.before.errors, "warnings": res.before.warnings},
        "after": (document([res.after]) if res.after is not None else None),
        "rechecked_only": o.unencoded,
        "explanation": o.explanation,
        "canonical": o.canonical,
        "allow_remaining": o.allow_remaining,
        "errors_left": res.after.errors if res.after is not None else None,
        "output": written,
        "solver": {"wall_seconds": round(o.wall, 3), "stages": o.stages, "model": o.model_stats},
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
