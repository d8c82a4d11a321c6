"""`rostercheck rules`: the rule documentation, generated from the rule modules themselves.

Each kind's docstring holds its meaning and a passing and a failing example; options come from
``OPTIONS``. Writing the docs from the code keeps them from drifting.
"""

from __future__ import annotations

import inspect

from rostercheck import rules as registry
from rostercheck.config import RuleConfig, load, parse
from rostercheck.errors import InputError, suggest
from rostercheck.presets import PRESETS

#: What every rule shares: how cells become time and windows. Printed by `rostercheck rules` (and so
#: in docs/rules.md) because it decides findings as much as any option does.
TIME_MODEL = """\
How every rule measures time:
  - Hours are elapsed time. With `timezone`, a shift given by `start` and `end` runs between those
    clock times, so a night across a daylight-saving change counts its real length (11 or 13 h); a
    shift given by `start` and `hours` lasts exactly that many elapsed hours (a 28-hour call from
    07:00 across the autumn change ends at 10:00 on the clock, not 11:00).
  - Overlapping shifts of one resident count once: hours are the length of their union.
  - A work period is a maximal union of work, call and night shifts with no gap of `period-gap`
    (2 h) or more. Its length is its span, first start to last end (shift-length and the 24-hour
    trigger of post-call-rest); its hours, for weekly-hours, are the time worked in it (a lunch
    hour inside a period is not work).
  - Averaged rules look at every window of `average-days` consecutive days inside the roster
    (`window = "rolling"`) or fixed blocks (`window = "block"`); a roster shorter than the window
    is one window and limits scale with its length. With `--previous`, windows may start in it.
  - Leave days leave the windows of averaged rules (the limit scales with the on-service days left)
    and are not free days; `exclude-leave = false` turns this off. protected-evening: an evening on
    leave is free, and leave neither shrinks its window nor fails it. golden-weekend: a weekend
    touching leave is not counted either way; the requirement scales with the weekends left (1 per
    4, rounded up; none when none is left).
  - A window with no on-service day (all leave) requires nothing of any rule.
  - Limits are inclusive: exactly 80.0 h, exactly 8 h of rest, exactly 28 h pass.
"""


def _param(v: object) -> str:
    if isinstance(v, tuple) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return f'"{v[0] // 60:02d}:{v[0] % 60:02d}-{v[1] // 60:02d}:{v[1] % 60:02d}"'
    if isinstance(v, str):
        return f'"{v}"'
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, list):
        return "[" + ", ".join(_param(x) for x in v) + "]"
    return "none" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


def _summary(rc: RuleConfig) -> str:
    opts = registry.options(rc.kind)
    shown = [f"{k} = {_param(v)}" for k, v in rc.params.items()
             if v is not None and (v != opts[k].default or k in ("limit", "min", "max", "every", "min-hours"))]
    return ", ".join(shown)


def _all_preset_rules() -> dict[str, list[RuleConfig]]:
    return {name: parse({"preset": [name]}, path="preset").rules for name in PRESETS}


def overview(config_path: str | None = None) -> str:
    out = ["Presets (set `preset = [...]` in rostercheck.toml; the default is \"acgme\"):", ""]
    for name, rules in _all_preset_rules().items():
        out.append(f"  {name}")
        for rc in rules:
            out.append(f"    {rc.id:<22} {rc.severity:<8} {rc.kind:<18} {_summary(rc)}")
        out.append("")
    if config_path:
        cfg = load(None, config_path)
        out.append(f"In force with {config_path}:")
        for rc in cfg.rules:
            state = rc.severity if rc.enabled else "disabled"
            out.append(f"    {rc.id:<22} {state:<8} {rc.kind:<18} {_summary(rc)}")
        out.append("")
    out.append("Rule kinds (add your own instance with `[rules.NAME]` and `kind = \"...\"`):")
    out.append("")
    for kind, mod in registry.KINDS.items():
        first = inspect.getdoc(mod).splitlines()[0]
        out.append(f"  {kind:<18} {first}")
    out += ["", "Every rule also takes severity (\"error\"/\"warning\"), enabled, and applies-to "
            "({ pgy = [1], teams = [...], roles = [...], residents = [...] }).", "", *TIME_MODEL.splitlines(),
            "", "`rostercheck rules ID` shows one rule or kind with its options and examples.", ""]
    return "\n".join(out)


def _kind_doc(kind: str) -> list[str]:
    mod = registry.get(kind)
    out = [f"kind: {kind}", "", *("  " + ln if ln else "" for ln in inspect.getdoc(mod).splitlines()), "",
           "Options (default):"]
    for o in mod.OPTIONS:
        extra = f" [{' | '.join(o.choices)}]" if o.choices else ""
        out.append(f"  {o.name:<18} {_param(o.default):<14} {o.doc}{extra}")
    err = '"error"'
    out.append(f"  {'severity':<18} {err:<14} " + '"error" or "warning"')
    out.append(f"  {'enabled':<18} {'true':<14} false turns the rule off")
    out.append(f"  {'applies-to':<18} {'{}':<14} {{ pgy = [1], teams = [...], roles = [...], residents = [...] }}")
    return out


def describe(rule_id: str, config_path: str | None = None) -> str:
    if rule_id in registry.KINDS:
        return "\n".join(_kind_doc(rule_id)) + "\n"
    rules = {rc.id: rc for rs in _all_preset_rules().values() for rc in rs}
    if config_path:
        rules.update({rc.id: rc for rc in load(None, config_path).rules})
    rc = rules.get(rule_id)
    if rc is None:
        names = [*rules, *registry.KINDS]
        raise InputError(f"no rule or kind {rule_id!r}{suggest(rule_id, names)}; `rostercheck rules` lists them",
                         key=rule_id)
    presets = [n for n, p in PRESETS.items() if rule_id in p]
    out = [f"rule: {rc.id}" + (f" (preset {', '.join(presets)})" if presets else ""),
           f"severity: {rc.severity}", f"source: {rc.citation}" if rc.citation else "", "",
           f"[rules.{rc.id}]"]
    out += [f"{k} = {_param(v)}" for k, v in rc.params.items() if v is not None]
    out += ["", *_kind_doc(rc.kind)]
    return "\n".join(x for x in out if x is not None) + "\n"


def markdown() -> str:
    """docs/rules.md: every preset and kind, generated from the code (a test keeps it current)."""
    from rostercheck import rules as registry

    out = ["# Rules", "", "Generated by `rostercheck rules --markdown`; do not edit by hand.", "", "```text",
           overview().rstrip(), "```", ""]
    for rs in _all_preset_rules().values():
        for rc in rs:
            out += [f"## `{rc.id}`", "", "```text", describe(rc.id).rstrip(), "```", ""]
    for kind in registry.KINDS:
        out += [f"## kind `{kind}`", "", "```text", "\n".join(_kind_doc(kind)).rstrip(), "```", ""]
    return "\n".join(out)
