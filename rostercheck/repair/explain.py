"""Why no compliant roster exists, in a few sentences a coordinator can act on.

The model's hard rule instances are gathered into *classes*: one per coverage requirement (a code's
staffing, over all its dates) and one per rule and resident. An unsatisfiable core is then sought
over the classes, not the instances, so it is small and quick to prove and shrink (dozens of
assumptions, not thousands), and each class reads as one cause across all its dates: "from 07-01
to 07-28, C needs 1 resident a day (28 in all); the 3 residents who may take C may take at most 9
each under call-frequency (27)". Each sentence names the kind of constraint that binds (coverage
kept from the original or a coverage rule, eligibility, a lock, leave, a rule) and the option or
config key that would relax it.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.sat.python import cp_model as cp

from rostercheck.repair.cpmodel import Group, RepairModel

#: Names listed in a sentence at most; the rest are counted.
_NAMES = 5
#: Sentences of causes at most (the relaxing line comes on top).
_LINES = 3
_FIXED_WORDS = {"leave": "on leave", "wellness": "at wellness time", "locked": "locked (--lock, --lock-resident "
                "or [repair] locks)", "history": "in the previous roster", "not in --only-residents":
                "outside --only-residents"}


def _names(names: list[str]) -> str:
    names = sorted(set(names))
    shown = ", ".join(names[:_NAMES])
    return shown + (f" and {len(names) - _NAMES} more" if len(names) > _NAMES else "")


def _class_of(g: Group) -> tuple:
    if g.kind == "max-changes":
        return ("limit", g.rule, None)
    if g.severity == "coverage" or g.kind == "coverage":
        return ("coverage", g.rule, tuple(g.extra.get("codes") or ()))
    return ("rule", g.rule, g.resident)


def classes(hard: list[Group]) -> dict[tuple, list[Group]]:
    out: dict[tuple, list[Group]] = {}
    for g in hard:
        out.setdefault(_class_of(g), []).append(g)
    return out


def _infeasible(model: cp.CpModel, hard: list[Group], enforce: set[int], seconds: float) -> bool:
    """Is the model infeasible with only the ``enforce`` groups (indices into ``hard``) required?
    A plain solve, so presolve and every worker help: CP-SAT proves most of these in a fraction of
    a second, where a solve under assumptions (one literal per class) searched for minutes."""
    c = model.clone()
    c.clear_hints()
    c.clear_objective()
    for i, g in enumerate(hard):
        var = c.proto.variables[g.lit.index]
        var.domain.clear()
        var.domain.extend([1 if i in enforce else 0, 1])
    s = cp.CpSolver()
    s.parameters.max_time_in_seconds = max(seconds, 0.05)
    return s.solve(c) == cp.INFEASIBLE


def core(m: RepairModel, hard: list[Group], deadline: float) -> dict[tuple, list[Group]] | None:
    """Classes that cannot hold together, each with the instances that bind (minimal when there
    was time); None if even the whole was not proven infeasible in time.

    Deletion by halves, each step a plain feasibility solve: first whole rules (every resident's
    instances of one rule at once), then halves of the classes left, then, inside each class left,
    halves of its instances (the dates that bind).
    """
    index = {id(g): i for i, g in enumerate(hard)}
    groups = classes(hard)
    keys = sorted(groups, key=lambda k: (k[0] != "coverage", str(k[1]), str(k[2])))
    ids = {k: {index[id(g)] for g in groups[k]} for k in keys}

    def left() -> float:
        return deadline - time.monotonic()

    keep = set(range(len(hard)))
    if not _infeasible(m.m, hard, keep, left()):
        return None

    def drop(parts: list[set[int]]) -> None:
        """Leave out each part in turn (halving the ones that cannot go) while still infeasible."""
        nonlocal keep
        todo = list(reversed(parts))
        while todo and left() > 0.1:
            part = todo.pop() & keep
            if not part:
                continue
            if _infeasible(m.m, hard, keep - part, min(left(), 5.0)):
                keep -= part
            elif len(part) > 1:
                items = sorted(part)
                todo += [set(items[len(items) // 2:]), set(items[: len(items) // 2])]

    by_rule: dict[str, set[int]] = {}
    for k in keys:
        by_rule.setdefault(k[1], set()).update(ids[k])
    for part in by_rule.values():  # whole rules, not halved yet
        if left() > 0.1 and _infeasible(m.m, hard, keep - part, min(left(), 5.0)):
            keep -= part
    drop([ids[k] for k in keys if ids[k] & keep])  # classes, halved down to single instances
    return {k: [g for g in groups[k] if index[id(g)] in keep] for k in keys if ids[k] & keep}


def explain(m: RepairModel, hard: list[Group], deadline: float) -> list[str]:
    """Why no compliant roster exists, in words, from an unsatisfiable core of classes."""
    found = core(m, hard, deadline)
    if found is None:
        # the infeasibility was proven but not narrowed in time: still say what binds, by kind
        kinds = sorted({k[1] for k in classes(hard)})
        return [f"No compliant roster exists (the solver proved it), but there was no time left to narrow "
                f"the cause among: {', '.join(kinds)}. Raise --time-limit for the reason in words."]
    if not found:
        return ["No compliant roster exists with these rules, coverage and locks."]
    return words(m, list(found), found)


def _dates(m: RepairModel, gs: list[Group]) -> str:
    tl = m.pb.tl
    a, b = min(g.d0 for g in gs), max(g.d1 for g in gs) - 1
    return f"on {tl.date_of(a)}" if a == b else f"from {tl.date_of(a)} to {tl.date_of(b)}"


def _may_take(m: RepairModel, codes: set[str], gs: list[Group]) -> list[int]:
    """Residents who may hold one of ``codes`` on some date of ``gs``."""
    pb = m.pb
    opts = [o for o, opt in enumerate(pb.options) if codes & set(opt)]
    days = sorted({d for g in gs for d in range(g.d0, g.d1)})
    if not opts or not days:
        return []
    ok = m.allowed[:, days][..., opts].any(axis=(1, 2, 3))
    return np.flatnonzero(ok).tolist()


def _fixed_reasons(m: RepairModel, r: int, gs: list[Group]) -> list[str]:
    cells = m.pb.cells
    days = {d for g in gs for d in range(g.d0, g.d1)}
    rows = cells[(cells["r"] == r) & cells["d"].isin(days) & cells["fixed"]]
    return sorted({_FIXED_WORDS.get(x, x) for x in rows["reason"]})


def _rule_phrase(m: RepairModel, rule: str, residents: list[int], groups: dict[tuple, list[Group]]) -> str:
    """What a rule asks of these residents: "may take at most 9 each under call-frequency (27)"."""
    res = m.pb.tl.residents
    gs = [g for r in residents for g in groups[("rule", rule, r)]]
    at_most = {g.extra.get("at_most") for g in gs}
    names = _names([res[r].name for r in residents])
    counted = all(g.kind == "max-count" for g in gs)  # "may take at most 9" reads right for counts only
    if counted and len(at_most) == 1 and None not in at_most and len(residents) > 1:
        k = at_most.pop()
        return f"{names} may take at most {k} each under {rule} ({k * len(residents)} in all)"
    texts = sorted({g.text for g in gs})
    what = texts[0] if len(texts) == 1 else f"{texts[0]} (and {len(texts) - 1} more windows)"
    return f"{names} {'each need' if len(residents) > 1 else 'needs'} {what} ({rule})"


def words(m: RepairModel, found: list[tuple], groups: dict[tuple, list[Group]]) -> list[str]:
    pb, tl = m.pb, m.pb.tl
    res = tl.residents
    trivially = {id(g) for g in m.trivially_false}
    rules: dict[str, list[int]] = {}
    for k in found:
        if k[0] == "rule" and k[2] is not None:
            rules.setdefault(k[1], []).append(k[2])
    relax: list[str] = []
    lines: list[str] = []
    labels: list[str] = []  # a short name per line, for the summary of lines past ``_LINES``
    used: set[str] = set()
    for k in (k for k in found if k[0] == "coverage"):
        gs = groups[k]
        codes = set(k[2]) or {c for g in gs for c in g.extra.get("codes", [])}
        code = "/".join(sorted(map(tl.written, codes))) or "the codes"
        gs = [g for g in gs if int(g.extra.get("need") or 0) > 0] or gs  # dates that need nobody say nothing
        needs = [int(g.extra.get("need") or 0) for g in gs]
        per = "half-day" if len(pb.slots) > 1 and any(g.extra.get("slot") for g in gs) else "day"
        usual = max(set(needs), key=needs.count)
        odd = [g for g, n in zip(gs, needs) if n != usual]
        except_ = ""
        if odd and len(odd) <= 3:
            except_ = "; " + ", ".join(f"{int(g.extra.get('need') or 0)} on {tl.date_of(g.d0)}" for g in odd)
        elif odd:
            usual = f"{min(needs)} to {max(needs)}"
        kept = k[1] == "coverage"
        how = ("coverage kept from the original" if kept else f"coverage rule {k[1]}")
        when = _dates(m, gs)
        comma = "," if when.startswith("from") else ""
        s = (f"{when}{comma} {code} needs {usual} resident{'s' * (max(needs) != 1)} a {per} "
             f"({sum(needs)} in all{except_}; {how})")
        relax.append("add a coverage rule with a lower min for "
                     f"{code} ([rules.NAME] kind = \"coverage\")" if kept else f"a lower min in [rules.{k[1]}]")
        every = [g for g in m.groups if _class_of(g) == k]  # every date: who may take the code at all
        ever = _may_take(m, codes, every)
        here = _may_take(m, codes, gs)
        if len(ever) < tl.n_residents:
            s += (f"; only {len(ever)} resident{'s' * (len(ever) != 1)} may take {code}"
                  + (f" ({_names([res[r].name for r in ever])})" if ever else "")
                  + " (eligibility: codes someone of the same team and PGY holds)")
            relax.append(f"[repair] eligibility for {code}")
        away: dict[str, list[str]] = {}
        for r in ever:
            if r not in here:
                for why in _fixed_reasons(m, r, gs) or ["not free"]:
                    away.setdefault(why, []).append(res[r].name)
        for why, names in away.items():
            s += f"; {len(names)} {why} ({_names(names)})"
            if "locked" in why:
                relax.append("fewer locks (--lock, --lock-resident, [repair] locks)")
        who = here
        for rule, rs in rules.items():
            mine = [r for r in rs if r in who]
            if mine and rule not in used:
                s += f"; {_rule_phrase(m, rule, mine, groups)}"
                used.add(rule)
                relax.append(f"[rules.{rule}] (a looser limit, or severity = \"warning\")")
        lines.append(s[0].upper() + s[1:] + ".")
        labels.append(f"{code} coverage")
    for rule, rs in rules.items():
        if rule in used:
            continue
        s = _rule_phrase(m, rule, rs, groups)
        relax.append(f"[rules.{rule}] (a looser limit, or severity = \"warning\")")
        stuck = [r for r in rs if all(id(g) in trivially for g in groups[("rule", rule, r)])]
        if stuck:
            # everyone else in the same position: the core names one, the coordinator needs all
            every = classes([g for g in m.groups if g.rule == rule])
            alike = [r for r in range(tl.n_residents) if r not in rs and ("rule", rule, r) in every
                     and any(id(g) in trivially for g in every[("rule", rule, r)])]
            for r in alike:
                groups[("rule", rule, r)] = [g for g in every[("rule", rule, r)] if id(g) in trivially]
            rs, stuck = rs + alike, stuck + alike
            s = _rule_phrase(m, rule, rs, groups)
            gs = [g for r in stuck for g in groups[("rule", rule, r)]]
            why = sorted({w for r in stuck for w in _fixed_reasons(m, r, gs)})
            days = {d for g in gs for d in range(g.d0, g.d1)}
            cells = pb.cells[pb.cells["r"].isin(stuck) & pb.cells["d"].isin(days)]
            if why and bool(cells["fixed"].all()):  # every cell fixed: the fixing is the cause
                s += f", but their cells on these dates cannot change ({', '.join(why)})"
                relax.append("fewer locks (--lock, --lock-resident, [repair] locks)" if any("locked" in w for w in why)
                             else "the cells on leave or wellness time are never changed")
            else:  # cells free to change, but to nothing that would do: eligibility
                open_codes = sorted({pb.option_text[o] or "(blank)" for r in stuck for g in gs
                                     for d in range(g.d0, g.d1) for o in np.flatnonzero(m.allowed[r, d].any(axis=0))})
                s += (", but nothing that would do is open to them on these dates "
                      f"(only {', '.join(open_codes[:5])}: eligibility gives a resident only codes someone of the same "
                      "team and PGY holds in the roster" + (f"; some cells are {', '.join(why)}" if why else "") + ")")
                relax.append("[repair] eligibility (for example OFF = { pgy = [1, 2, 3] })")
        lines.append(s[0].upper() + s[1:] + ".")
        labels.append(rule)
    if any(k[0] == "limit" for k in found):
        n = pb.settings.max_changes
        lines.append(f"At most {n} cell{'s' * (n != 1)} may change (--max-changes).")
        labels.append("--max-changes")
        relax.append("a higher --max-changes")
    if len(lines) > _LINES:  # the core was not narrowed in time: the first causes, the rest named
        rest = labels[_LINES - 1:]
        lines = [*lines[: _LINES - 1], f"Together with {len(rest)} more: {', '.join(rest)} (raise --time-limit "
                 "to narrow them down)."]
    out = ["No compliant roster: " + lines[0], *lines[1:]] if lines else \
        ["No compliant roster exists with these rules, coverage and locks."]
    if relax:
        seen = list(dict.fromkeys(relax))
        more = f"; or {len(seen) - _LINES} more of these kinds" if len(seen) > _LINES + 1 else ""
        out.append("To relax it: " + "; or ".join(seen[: _LINES + 1 if not more else _LINES]) + more + ".")
    return out
