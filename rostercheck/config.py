"""Configuration: discovery, presets, and validation of every key.

The config file is a contract with users, so nothing in it is silently ignored: an unknown key,
kind, code or value is an ``InputError`` naming the key and suggesting the nearest valid name.
Precedence, lowest first: built-in defaults, presets, the config file, command-line options.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from rostercheck.errors import InputError, suggest
from rostercheck.legend import KINDS, Shift, make_shift, normalise_code
from rostercheck.model import LAYOUTS, RosterOptions, RowFilter
from rostercheck.presets import DEFAULT_PRESETS, PRESETS
from rostercheck.ranges import MAX_ROWS

TOP_KEYS = ("preset", "timezone", "period-gap", "builtin-legend", "roster", "shifts", "rules", "repair")
ROSTER_KEYS = ("sheet", "layout", "header-row", "date-row", "name-column", "date-column", "code-column",
               "session-column", "year", "rows", "am", "pm", "date-order", "people")
ROWS_KEYS = ("column", "match")
COMMON_RULE_KEYS = ("kind", "severity", "enabled", "applies-to", "description", "citation")
APPLIES_KEYS = ("pgy", "teams", "roles", "residents")
SEVERITIES = ("error", "warning")
#: ``[repair]`` keys; their meaning is documented with the repair command.
REPAIR_KEYS = (
    "time-limit", "workers", "seed", "max-changes", "locks", "lock-residents", "only-residents",
    "eligibility", "allow-remaining", "keep-coverage",
)


@dataclass
class RuleConfig:
    """One configured rule instance: the kind's options filled in and validated."""

    id: str
    kind: str
    params: dict[str, Any]
    severity: str = "error"
    enabled: bool = True
    applies_to: dict[str, list] = field(default_factory=dict)
    citation: str = ""
    description: str = ""
    origin: str = "config"
    #: option -> the key the config wrote it as (`code = "C"` fills `codes`), for errors naming the key
    keys: dict[str, str] = field(default_factory=dict)


@dataclass
class Config:
    path: str | None = None
    presets: list[str] = field(default_factory=lambda: list(DEFAULT_PRESETS))
    timezone: str | None = None
    period_gap: float = 2.0
    builtin_legend: bool = True
    shifts: dict[str, Shift] = field(default_factory=dict)
    roster: RosterOptions = field(default_factory=RosterOptions)
    rules: list[RuleConfig] = field(default_factory=list)
    repair: dict[str, Any] = field(default_factory=dict)

    @property
    def enabled_rules(self) -> list[RuleConfig]:
        return [r for r in self.rules if r.enabled]


# ------------------------------------------------------------------------------------- discovery
def find_config(roster: str | os.PathLike | None, explicit: str | os.PathLike | None) -> tuple[Path, str] | None:
    """The config to use: ``--config``, else beside the roster, else the working directory, else
    ``[tool.rostercheck]`` in ./pyproject.toml. Returns (path, table) or None."""
    if explicit is not None:
        p = Path(explicit)
        if not p.is_file():  # /dev/null or a fifo exists: "not found" would send the user looking for it
            what = "not a regular file; expected a TOML file" if p.exists() else "config file not found"
            raise InputError(what, file=str(explicit))
        table = "tool.rostercheck" if p.name == "pyproject.toml" else ""
        return p, table
    # os.path, not pathlib: a batch asks this once a roster, and ``Path.resolve`` alone cost more
    # than the cached config it finds; same paths (``realpath`` is what ``resolve`` calls)
    if roster is not None:
        beside = os.path.join(os.path.dirname(os.path.realpath(roster)), "rostercheck.toml")
        if os.path.isfile(beside):
            return Path(beside), ""
    here = os.path.join(os.getcwd(), "rostercheck.toml")
    if os.path.isfile(here):
        return Path(here), ""
    pp = Path.cwd() / "pyproject.toml"
    if pp.is_file():
        try:
            data = tomllib.loads(pp.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None  # someone else's pyproject; not ours to judge
        if "rostercheck" in data.get("tool", {}):
            return pp, "tool.rostercheck"
    return None


#: parsed configs by (path, table, file identity): a batch of 200 rosters beside one config parses it once
_PARSED: dict[tuple, Config] = {}


def _fresh(cfg: Config) -> Config:
    """A copy of a cached config that its user may change (``--preset`` and reading options do)."""
    return replace(cfg, presets=list(cfg.presets), shifts=dict(cfg.shifts), roster=replace(cfg.roster),
                   rules=list(cfg.rules), repair=dict(cfg.repair))


def load(roster: str | os.PathLike | None = None, explicit: str | os.PathLike | None = None) -> Config:
    found = find_config(roster, explicit)
    if found is None:
        if None not in _PARSED:
            _PARSED[None] = parse({}, path=None)
        return _fresh(_PARSED[None])
    path, table = found
    from rostercheck.output import reading

    reading(path)
    try:
        st = path.stat()
        key: tuple | None = (str(path), table, st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    except OSError:
        key = None  # the read below says what is wrong
    if key in _PARSED:
        return _fresh(_PARSED[key])
    cfg = _load(path, table)
    if key is not None:
        _PARSED[key] = cfg
    return _fresh(cfg)


def _load(path: Path, table: str) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("config is not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"not valid TOML: {e}", file=str(path)) from None
    if table:
        data = data.get("tool", {}).get("rostercheck", {})
    return parse(data, path=str(path), prefix=table)  # raises on a bad config: nothing is cached


# ------------------------------------------------------------------------------------- parsing
class _Where:
    def __init__(self, path: str | None, prefix: str = "") -> None:
        self.path, self.prefix = path, prefix

    def err(self, key: str, msg: str) -> InputError:
        full = f"{self.prefix}.{key}" if self.prefix else key
        return InputError(msg, file=self.path or "config", key=full)

    def unknown(self, table: dict, allowed: tuple[str, ...], at: str) -> None:
        for k in table:
            if k not in allowed:
                key = f"{at}.{k}" if at else k
                raise self.err(key, f"unknown key{suggest(k, allowed)}; expected one of {', '.join(allowed)}")


def parse(data: dict[str, Any], *, path: str | None, prefix: str = "") -> Config:
    w = _Where(path, prefix)
    w.unknown(data, TOP_KEYS, "")
    cfg = Config(path=path)

    preset = data.get("preset", DEFAULT_PRESETS)
    names = [preset] if isinstance(preset, str) else preset
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise w.err("preset", "expected a preset name or a list of them")
    names = [] if names == ["none"] else names
    for n in names:
        if n not in PRESETS:
            raise w.err("preset", f"unknown preset {n!r}{suggest(n, PRESETS)}; expected one of "
                        + ", ".join([*PRESETS, "none"]))
    cfg.presets = names

    tz = data.get("timezone")
    if tz is not None:
        if not isinstance(tz, str):
            raise w.err("timezone", "expected a time zone name like 'America/Chicago'")
        try:
            from zoneinfo import ZoneInfo, available_timezones

            ZoneInfo(tz)
        except Exception:
            raise w.err("timezone", f"unknown time zone {tz!r}{suggest(tz, available_timezones())}") from None
        cfg.timezone = tz

    gap = data.get("period-gap", 2)
    if isinstance(gap, bool) or not isinstance(gap, (int, float)) or not 0 <= gap <= 24:
        raise w.err("period-gap", "expected hours between 0 and 24 (gaps shorter than this join shifts "
                    "into one work period)")
    cfg.period_gap = float(gap)

    bl = data.get("builtin-legend", True)
    if not isinstance(bl, bool):
        raise w.err("builtin-legend", "expected true or false")
    cfg.builtin_legend = bl

    cfg.roster = _roster(data.get("roster", {}), w)
    shifts = data.get("shifts", {})
    if not isinstance(shifts, dict):
        raise w.err("shifts", "expected a table of code = { start, end, kind }")
    for code, spec in shifts.items():
        key = f"shifts.{code}"
        if isinstance(spec, str):
            spec = {"kind": spec}
        if not isinstance(spec, dict):
            raise w.err(key, "expected a table like { start = \"07:00\", end = \"19:00\", kind = \"work\" }")
        if not normalise_code(code):
            raise w.err(key, "a shift code cannot be blank")
        where = {"file": path or "config", "key": f"{prefix}.{key}" if prefix else key}
        cfg.shifts[normalise_code(code)] = make_shift(code, spec, origin="config", where=where)
    cfg.roster.codes = frozenset(cfg.shifts)  # a duty list's headers are these codes

    cfg.rules = _rules(data.get("rules", {}), names, w)
    repair = data.get("repair", {})
    if not isinstance(repair, dict):
        raise w.err("repair", "expected a table")
    w.unknown(repair, REPAIR_KEYS, "repair")
    cfg.repair = repair
    return cfg


def _roster(t: Any, w: _Where) -> RosterOptions:
    if not isinstance(t, dict):
        raise w.err("roster", "expected a table")
    w.unknown(t, ROSTER_KEYS, "roster")
    o = RosterOptions()
    if "sheet" in t:
        s = t["sheet"]
        s = [s] if isinstance(s, str) else s
        if not isinstance(s, list) or not all(isinstance(x, str) for x in s):
            raise w.err("roster.sheet", "expected a sheet name or a list of them")
        o.sheet = s
    if "layout" in t:
        if t["layout"] not in LAYOUTS:
            raise w.err("roster.layout", f"expected one of {', '.join(LAYOUTS)}{suggest(str(t['layout']), LAYOUTS)}")
        o.layout = t["layout"]
    for key, attr in (("header-row", "header_row"), ("date-row", "date_row")):
        if key in t:
            v = t[key]
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_ROWS:
                raise w.err(f"roster.{key}", f"expected a row number from 1 (the first row) to {MAX_ROWS:,}, "
                            f"got {v!r}")
            setattr(o, attr, v)
    for key, example in (("name-column", "Resident"), ("date-column", "assignment_date"),
                         ("code-column", "rotation_name"), ("session-column", "slot")):  # fmt: skip
        if key in t:
            if not isinstance(t[key], str) or not t[key].strip():
                raise w.err(f"roster.{key}", f"expected a column header (\"{example}\") or letter (\"B\")")
            setattr(o, key.replace("-", "_"), t[key])
    if "year" in t:
        v = t["year"]
        if isinstance(v, bool) or not isinstance(v, int) or not 1900 <= v <= 2200:
            raise w.err("roster.year", "expected a year like 2026")
        o.year = v
    if "rows" in t:
        o.rows = _rows_filter(t["rows"], w)
    for key in ("am", "pm"):
        if key in t:
            setattr(o, key, _session(t[key], f"roster.{key}", w))
    if "date-order" in t:
        if t["date-order"] not in DATE_ORDERS:
            raise w.err("roster.date-order", f"expected one of {', '.join(DATE_ORDERS)} (day/month/year or "
                        "month/day/year)")
        o.date_order = t["date-order"]
    if "people" in t:
        o.people = _people(t["people"], w)
    return o


DATE_ORDERS = ("dmy", "mdy")
PEOPLE_KEYS = ("name", "pgy", "team", "role")


def _people(v: Any, w: _Where) -> list[dict] | str:
    """``people = [{ name = "Avery Chen", pgy = 2, team = "A" }, ...]`` or the path of a people sheet.

    A relative path is taken from the config file's folder, where the roster usually is.
    """
    if isinstance(v, str):
        if not v.strip():
            raise w.err("roster.people", "expected the path of a people sheet or csv")
        base = Path(w.path).parent if w.path else Path(".")
        return str(base / v) if not os.path.isabs(v) else v
    example = 'expected a list of tables like [{ name = "Avery Chen", pgy = 2, team = "A" }], or a path'
    if not isinstance(v, list):
        raise w.err("roster.people", example)
    out = []
    for i, p in enumerate(v):
        key = f"roster.people[{i}]"
        if not isinstance(p, dict):
            raise w.err(key, example)
        w.unknown(p, PEOPLE_KEYS, key)
        if not isinstance(p.get("name"), str) or not p["name"].strip():
            raise w.err(f"{key}.name", "expected the person's name as written in the roster")
        if "pgy" in p and (isinstance(p["pgy"], bool) or not isinstance(p["pgy"], int) or not 0 <= p["pgy"] <= 15):
            raise w.err(f"{key}.pgy", "expected a training year like 2")
        for k in ("team", "role"):
            if k in p and not isinstance(p[k], str):
                raise w.err(f"{key}.{k}", "expected text")
        out.append(dict(p))
    return out


def _rows_filter(v: Any, w: _Where) -> RowFilter:
    """``rows = { column = "ROLE", match = ["PGY*", "re:^R\\d$"] }``: which rows are residents."""
    from rostercheck.read.rows import pattern_error

    example = 'expected a table like { column = "ROLE", match = ["PGY*"] }'
    if not isinstance(v, dict):
        raise w.err("roster.rows", example)
    w.unknown(v, ROWS_KEYS, "roster.rows")
    column = v.get("column")
    if not isinstance(column, str) or not column.strip():
        raise w.err("roster.rows.column", "expected the header text (\"ROLE\") or letter (\"B\") of a column")
    match = v.get("match")
    match = [match] if isinstance(match, str) else match
    if not isinstance(match, list) or not match or not all(isinstance(x, str) for x in match):
        raise w.err("roster.rows.match", 'expected a pattern or a list of them, like ["PGY*", "R?"]')
    for x in match:
        if (problem := pattern_error(x)) is not None:
            raise w.err("roster.rows.match", problem)
    return RowFilter(column.strip(), tuple(match))


def _session(v: Any, key: str, w: _Where) -> tuple[str, str]:
    """``am = "08:00-12:00"`` -> ("08:00", "12:00"), a range within one day."""
    from rostercheck.legend import parse_time

    m = _RANGE.match(v) if isinstance(v, str) else None
    if not m:
        raise w.err(key, f"expected a time range like \"08:00-12:00\", got {v!r}")
    a = parse_time(m.group(1), where={"file": w.path or "config", "key": key})
    b = parse_time(m.group(2), where={"file": w.path or "config", "key": key})
    if b <= a:
        raise w.err(key, "the range must end after it starts, on the same day")
    return f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"


def _rules(t: Any, presets: list[str], w: _Where) -> list[RuleConfig]:
    from rostercheck import rules as registry

    if not isinstance(t, dict):
        raise w.err("rules", "expected a table of [rules.ID] tables")
    merged: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    for p in presets:
        for rid, spec in PRESETS[p].items():
            merged[rid] = dict(spec)
            origin[rid] = f"preset {p}"
    for rid, spec in t.items():
        key = f"rules.{rid}"
        if not isinstance(spec, dict):
            raise w.err(key, "expected a table of rule settings")
        if "kind" in spec and not isinstance(spec["kind"], str):
            raise w.err(f"{key}.kind", f"expected a rule kind name (one of {', '.join(registry.KINDS)}), got "
                        f"{spec['kind']!r}")
        if rid in merged:
            if "kind" in spec and spec["kind"] != merged[rid]["kind"]:
                raise w.err(f"{key}.kind", f"rule {rid!r} is a {merged[rid]['kind']} rule; give a new rule a "
                            "new id to use another kind")
            merged[rid].update(spec)
        else:
            kind = spec.get("kind", rid if rid in registry.KINDS else None)
            if kind is None:
                known = [*merged, *(r for p in PRESETS.values() for r in p)]
                raise w.err(key, f"unknown rule {rid!r}{suggest(rid, known)}; a new rule needs a `kind` "
                            f"(one of {', '.join(registry.KINDS)})")
            merged[rid] = {**spec, "kind": kind}
            origin[rid] = "config"
    return [_rule(rid, spec, origin[rid], w) for rid, spec in merged.items()]


def _rule(rid: str, spec: dict[str, Any], origin: str, w: _Where) -> RuleConfig:
    from rostercheck import rules as registry

    key = f"rules.{rid}"
    kind = spec["kind"]
    if kind not in registry.KINDS:
        raise w.err(f"{key}.kind", f"unknown rule kind {kind!r}{suggest(kind, registry.KINDS)}; expected one "
                    f"of {', '.join(registry.KINDS)}")
    opts = registry.options(kind)
    allowed = (*COMMON_RULE_KEYS, *opts)
    w.unknown(spec, allowed, key)
    params = {name: _value(o, spec.get(name, o.default), f"{key}.{name}", w) for name, o in opts.items()}
    keys: dict[str, str] = {}
    if kind == "max-count" and (params["every"] is None) == (params["max"] is None):
        raise w.err(key, "give exactly one of `every` (one in N days) and `max`")
    if kind == "coverage" and params["code"] is not None:
        if "codes" in spec:
            raise w.err(f"{key}.code", "give either `code` (one code) or `codes` (a list), not both")
        params["codes"], params["code"] = [params["code"]], None  # one spelling for rules and repair
        keys["codes"] = "code"
    if kind == "coverage" and not params["codes"]:
        raise w.err(f"{key}.codes", "a coverage rule needs the codes it counts (`codes = [...]` or `code = \"C\"`)")
    sev = spec.get("severity", "error")
    if sev not in SEVERITIES:
        raise w.err(f"{key}.severity", f"expected one of {', '.join(SEVERITIES)}{suggest(str(sev), SEVERITIES)}")
    enabled = spec.get("enabled", True)
    if not isinstance(enabled, bool):
        raise w.err(f"{key}.enabled", "expected true or false")
    applies = spec.get("applies-to", {})
    if not isinstance(applies, dict):
        raise w.err(f"{key}.applies-to", "expected a table like { pgy = [1] }")
    w.unknown(applies, APPLIES_KEYS, f"{key}.applies-to")
    scope: dict[str, list] = {}
    for k, v in applies.items():
        v = v if isinstance(v, list) else [v]
        if k == "pgy":
            if not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
                raise w.err(f"{key}.applies-to.pgy", "expected PGY levels as numbers, like [1, 2]")
        elif not all(isinstance(x, str) for x in v):
            raise w.err(f"{key}.applies-to.{k}", "expected a list of names")
        scope[k] = v
    return RuleConfig(
        id=rid, kind=kind, params=params, severity=sev, enabled=enabled, applies_to=scope,
        citation=str(spec.get("citation", "")), description=str(spec.get("description", "")), origin=origin,
        keys=keys,
    )


_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def _value(o: Any, v: Any, key: str, w: _Where) -> Any:
    """Check one option value against its declared type; return it in the form rules use."""
    if v is None:
        return None
    t = o.type
    if t in ("int", "number"):
        ok = isinstance(v, int) if t == "int" else isinstance(v, (int, float))
        if isinstance(v, bool) or not ok:
            raise w.err(key, f"expected {'a whole number' if t == 'int' else 'a number'}, got {v!r}")
        if not math.isfinite(v):
            raise w.err(key, f"expected a finite number, got {v!r}")
        if o.minimum is not None and v < o.minimum:
            raise w.err(key, f"expected at least {o.minimum:g}, got {v!r}")
        if v > o.maximum:
            raise w.err(key, f"expected at most {o.maximum:,g}, got {v!r}")
        return v
    if t == "bool":
        if not isinstance(v, bool):
            raise w.err(key, f"expected true or false, got {v!r}")
        return v
    if t == "choice":
        if v not in o.choices:
            raise w.err(key, f"expected one of {', '.join(o.choices)}{suggest(str(v), o.choices)}, got {v!r}")
        return v
    if t in ("kinds", "codes", "weekdays"):
        v = [v] if isinstance(v, str) else v
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise w.err(key, "expected a list of names")
        if t == "kinds":
            for x in v:
                if x not in KINDS:
                    raise w.err(key, f"unknown shift kind {x!r}{suggest(x, KINDS)}; expected one of {', '.join(KINDS)}")
            return list(v)
        if t == "weekdays":
            out = [x.strip().lower()[:3] for x in v]
            for x, raw in zip(out, v):
                if x not in _WEEKDAYS:
                    raise w.err(key, f"unknown weekday {raw!r}; expected mon, tue, wed, thu, fri, sat or sun")
            return out
        return [normalise_code(x) for x in v]
    if t == "code":  # one code, as text: `code = "C"`
        if not isinstance(v, str) or not normalise_code(v):
            raise w.err(key, f"expected one shift code as text, like \"C\", got {v!r}")
        return normalise_code(v)
    if t == "date":
        if isinstance(v, dt.date):
            return v.isoformat()
        try:
            return dt.date.fromisoformat(str(v)).isoformat()
        except ValueError:
            raise w.err(key, f"expected a date like 2026-07-01, got {v!r}") from None
    if t == "hhmm-range":
        m = _RANGE.match(str(v))
        if not m:
            raise w.err(key, f"expected a time range like \"18:00-23:00\", got {v!r}")
        from rostercheck.legend import parse_time

        a = parse_time(m.group(1), where={"key": key})
        b = parse_time(m.group(2), where={"key": key})
        if b <= a:
            raise w.err(key, "the range must end after it starts, on the same day")
        return (a, b)
    if t == "clock-range":  # like hhmm-range, but may cross midnight: "23:00-06:00" (kept as text)
        m = _RANGE.match(str(v))
        if not m:
            raise w.err(key, f"expected a time range like \"23:00-06:00\", got {v!r}")
        from rostercheck.legend import parse_time

        a = parse_time(m.group(1), where={"key": key}) % 1440
        b = parse_time(m.group(2), where={"key": key}) % 1440
        if a == b:
            raise w.err(key, "the range must not be empty (an end before the start means the next day)")
        return f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}"  # rules read it with clock_range()
    if t == "weekday-time":  # "sat 00:01" -> "sat 00:01" (normalised; rules parse it)
        parts = str(v).strip().lower().split()
        day = parts[0][:3] if parts else ""
        if len(parts) != 2 or day not in _WEEKDAYS or not re.fullmatch(r"\d{1,2}:\d{2}", parts[1]):
            raise w.err(key, f"expected a weekday and a time like \"sat 00:01\", got {v!r}")
        from rostercheck.legend import parse_time

        mins = parse_time(parts[1], where={"key": key})
        if mins >= 1440:
            raise w.err(key, f"expected a time before 24:00, got {v!r}")
        return f"{day} {mins // 60:02d}:{mins % 60:02d}"
    raise AssertionError(f"option type {t!r} has no validator")  # a programming error, not input


def check_codes(cfg: Config, legend: dict[str, Shift]) -> None:
    """Codes named by rules must exist in the legend actually in force for this roster."""
    w = _Where(cfg.path)
    for r in cfg.rules:
        for name, v in r.params.items():
            if isinstance(v, list) and name == "codes":
                for c in v:
                    if c not in legend:
                        raise w.err(f"rules.{r.id}.{r.keys.get(name, name)}",
                                    f"unknown shift code {c!r}{suggest(c, legend)}")
