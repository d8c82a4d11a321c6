"""The JSON report: a stable contract (version 1), documented in docs/json.md.

Keys are only ever added, never renamed or removed, within a version.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring as _enc
from operator import add, call
from typing import Any

from rostercheck.check import CheckResult
from rostercheck.report.cellrange import ranges_json

VERSION = 1


def _violations(res: CheckResult) -> list[dict]:
    out = []
    for f in res.findings:
        d = f.as_dict()
        d["roster"] = res.path
        d["cell-ranges"] = ranges_json(f.cells)
        out.append(d)
    return out


def _file(r: CheckResult) -> dict:
    return {
        "roster": r.path,
        "residents": r.n_residents,
        "days": r.days,
        "first-date": r.first_date,
        "last-date": r.last_date,
        "errors": r.errors,
        "warnings": r.warnings,
        "read": r.read.to_json() if r.read is not None else None,
    }


def _summary(results: Sequence[CheckResult]) -> dict:
    return {
        "residents": sum(r.n_residents for r in results),
        "days": max((r.days for r in results), default=0),
        "errors": sum(r.errors for r in results),
        "warnings": sum(r.warnings for r in results),
        "rules": sorted({rc.id for r in results for rc in r.rules}),
    }


def document(results: Sequence[CheckResult]) -> dict:
    return {
        "version": VERSION,
        "rosters": [r.path for r in results],
        "summary": _summary(results),
        "files": [_file(r) for r in results],
        "violations": [v for res in results for v in _violations(res)],
    }


def render(results: Sequence[CheckResult], **_: object) -> str:
    return dumps(document(results)) + "\n"


# ---------------------------------------------------------------- a batch's document, written in parts
#: Where a roster's parts sit in the document: items of the top-level "files" and "violations" lists.
_DEPTH = 2


@dataclass(frozen=True)
class Rendered:
    """One roster's share of the document as ``render`` writes it: its "files" item and its
    "violations" items, each already indented for its place.

    Python's ``json`` writes indented output in pure Python (the C encoder cannot indent): for a
    batch of 200 small rosters that was 60 ms of the parent's time, while its workers, which have
    the results in hand, could each write their own share in parallel. The parent then only
    joins the parts (``join``), and the bytes are those of ``render``.
    """

    file: str
    violations: tuple[str, ...]


def rendered(res: CheckResult) -> Rendered:
    return Rendered(dumps(_file(res), _DEPTH), tuple(dumps(v, _DEPTH) for v in _violations(res)))


def _items(items: Sequence[str], depth: int) -> str:
    """A list whose items are already written at ``depth + 1``, as ``json.dumps`` writes a list."""
    if not items:
        return "[]"
    pad = "\n" + "  " * (depth + 1)
    return "[" + pad + ("," + pad).join(items) + "\n" + "  " * depth + "]"


def join(results: Sequence[CheckResult], parts: Sequence[Rendered], extra: dict | None = None) -> str:
    """``render(results)`` (with ``extra``'s keys added at the end of the document) from the parts
    ``rendered`` wrote for each result: the same bytes, without writing the rosters' parts again."""
    fields = [(k, dumps(v, 1)) for k, v in (("version", VERSION), ("rosters", [r.path for r in results]),
                                                 ("summary", _summary(results)))]
    fields.append(("files", _items([p.file for p in parts], 1)))
    fields.append(("violations", _items([v for p in parts for v in p.violations], 1)))
    fields += [(k, dumps(v, 1)) for k, v in (extra or {}).items()]
    body = ",\n  ".join(f"{json.dumps(k, ensure_ascii=False)}: {v}" for k, v in fields)
    return "{\n  " + body + "\n}\n"


# --------------------------------------------------------------------------- indented JSON, faster
_INF = float("inf")



def _scalar(v: object) -> str | None:
    """A scalar as ``json`` writes it (bool before int, as json tests), or None for a container."""
    if isinstance(v, str):
        return _enc(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return int.__repr__(v)
    if isinstance(v, float):
        return _float(v)
    return None


def _float(v: float) -> str:
    if v != v:
        return "NaN"
    if v == _INF:
        return "Infinity"
    if v == -_INF:
        return "-Infinity"
    return float.__repr__(v)


#: exact type -> how ``_scalar`` writes it, every one but float's a C function: one dict look-up
#: and one C call per value instead of a call through ``_scalar``'s isinstance chain (subclasses,
#: rarer, still go through ``_scalar``)
_WRITERS: dict[type, Callable[[Any], str]] = {
    str: _enc,
    int: int.__repr__,
    float: _float,
    bool: {True: "true", False: "false"}.__getitem__,
    type(None): {None: "null"}.__getitem__,
}
#: (the keys of a dict, depth) -> each key's line start (``\n``, indent, key, ``": "``): a document
#: repeats one shape of dict (a resident, a skipped row) many times
_PREFIXES: dict[tuple, tuple[str, ...]] = {}


def _prefixes(keys: tuple, depth: int) -> tuple[str, ...]:
    hit = _PREFIXES.get((keys, depth))
    if hit is None:
        if len(_PREFIXES) > 4096:
            _PREFIXES.clear()
        pad = "\n" + "  " * (depth + 1)
        hit = _PREFIXES[(keys, depth)] = tuple(pad + _enc(k) + ": " for k in keys)
    return hit


_STR = frozenset({str})


def _write(v: object, depth: int, w: Callable[[str], object]) -> None:
    s = _scalar(v)
    if s is not None:
        w(s)
        return
    writers = _WRITERS
    if isinstance(v, dict) and _STR.issuperset(map(type, v)):  # every key a str (a C loop)
        if not v:
            w("{}")
            return
        values = v.values()
        funcs = list(map(writers.get, map(type, values)))
        keys = tuple(v)
        if None not in funcs:  # every value a plain scalar: the whole dict in one join, from C
            w("{" + ",".join(map(add, _prefixes(keys, depth), map(call, funcs, values))) + "\n" + "  " * depth + "}")
            return
        sep = "{"
        for prefix, f, x in zip(_prefixes(keys, depth), funcs, values, strict=True):
            s = f(x) if f is not None else _scalar(x)
            if s is not None:
                w(sep + prefix + s)
            else:
                w(sep + prefix)
                _write(x, depth + 1, w)
            sep = ","
        w("\n" + "  " * depth + "}")
    elif isinstance(v, (list, tuple)):
        if not v:
            w("[]")
            return
        pad = "\n" + "  " * (depth + 1)
        funcs = list(map(writers.get, map(type, v)))
        if None not in funcs:  # a list of plain scalars
            w("[" + pad + ("," + pad).join(map(call, funcs, v)) + "\n" + "  " * depth + "]")
            return
        sep = "[" + pad
        for f, x in zip(funcs, v, strict=True):
            s = f(x) if f is not None else _scalar(x)
            if s is not None:
                w(sep + s)
            else:
                w(sep)
                _write(x, depth + 1, w)
            sep = "," + pad
        w("\n" + "  " * depth + "]")
    else:
        w(json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth))


def dumps(value: object, depth: int = 0) -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte, about three times faster,
    with every line after the first indented ``depth`` more levels.

    Python 3.11's C encoder cannot indent, so ``json`` writes an indented document through nested
    generators, a call per value; at 1,500 residents the read report alone made that 18 ms of a
    check. Flat dicts and lists of scalars (most of the document) are written here a line per value;
    anything else (a dict with non-string keys, a type json does not know) goes to ``json.dumps``
    itself, which also raises what it raised before."""
    out = []
    _write(value, depth, out.append)
    return "".join(out)
