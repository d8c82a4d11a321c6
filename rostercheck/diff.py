"""Roster diffs for review: what a change to a roster file changes, and what it breaks or fixes.

A workbook diff in a pull request is unreadable (a zip of XML), so ``rostercheck diff`` says it in
the roster's own terms: the assignments that changed (resident, date, old code, new code), residents
added or removed, and the findings the change introduces and fixes, so a job can comment "this
change adds 2 violations for Ben Ito".

Cells are compared by (resident name, date, slot), never by address, after legend normalisation:
"d", " D " and "D" are one assignment, and "D/W" equals "W / D". Both versions are checked with the
*new* file's config, so the findings differ only because the roster did. Findings are matched as a
baseline matches them (rule, resident, dates).

``--git REV`` reads the old version with ``git cat-file`` (binary-safe: no text conversion, no line
ending filters) into a temporary file with the right extension. A roster that does not exist at
REV is a new file: every finding it has is introduced.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rostercheck.errors import InputError
from rostercheck.model import Finding, RawRoster, Source, cell_name
from rostercheck.wording import plural

VERSION = 1


@dataclass(frozen=True)
class Change:
    """One assignment that differs: the texts are as written in each version ("" for blank)."""

    resident: str
    date: str  # ISO day
    slot: str  # "" for whole-day cells, "AM"/"PM" on half-day grids
    old: str
    new: str
    sheet: str | None = None  # where it is in the new version (the old one's when removed)
    cell: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"resident": self.resident, "date": self.date, "slot": self.slot, "old": self.old, "new": self.new,
                "sheet": self.sheet, "cell": self.cell}


@dataclass
class RosterDiff:
    old_label: str
    new_label: str
    changes: list[Change] = field(default_factory=list)
    residents_added: list[str] = field(default_factory=list)
    residents_removed: list[str] = field(default_factory=list)
    introduced: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    old_exists: bool = True
    note: str | None = None  # why the old version's findings are unknown, when they are
    result: Any = None  # the new version's CheckResult
    noun: str = "change"  # what the summary calls it ("trade" for swap)

    def fails(self, strict: bool = False) -> bool:
        return any(f.severity == "error" or strict for f in self.introduced)


# ------------------------------------------------------------------------------------ comparing
_Cell = tuple[str, str, str]  # resident name, ISO date, slot


def _cells(raw: RawRoster, legend: dict) -> dict[_Cell, tuple[str, tuple[str, ...], str | None, str | None]]:
    """(resident, date, slot) -> (text as written, normalised codes, sheet, cell). Several entries on
    one key (a long table with two rows a day) are joined, so they compare as one assignment."""
    from rostercheck.legend import normalise_code, split_codes

    names = [r.name for r in raw.residents]
    grouped: dict[_Cell, list[tuple[str, str | None, str | None]]] = {}
    e = raw.entries
    for res, date, slot, text, sheet, cell in zip(e["resident"].tolist(), np.datetime_as_string(e["date"], unit="D"),
                                                  e["slot"].tolist(), e["text"].tolist(), e["sheet"].tolist(),
                                                  e["cell"].tolist()):
        key = (names[int(res)], str(date), slot or "")
        grouped.setdefault(key, []).append((str(text or ""), sheet, cell_name(cell)))
    out = {}
    for key, items in grouped.items():
        texts = [t for t, _, _ in items if t.strip()]
        codes: list[str] = []
        for t in texts:
            split = split_codes(t, legend)
            codes += split if split is not None else [normalise_code(t)]
        out[key] = (" / ".join(texts), tuple(sorted(codes)), items[0][1], items[0][2])
    return out


def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.rule, f.resident or "", f.start, f.end)


def unmatched(a: Sequence[Finding], b: Sequence[Finding]) -> list[Finding]:
    """Findings of ``a`` not in ``b`` (a multiset difference on rule, resident and dates)."""
    left = Counter(_key(f) for f in b)
    out = []
    for f in a:
        if left[_key(f)] > 0:
            left[_key(f)] -= 1
        else:
            out.append(f)
    return out


def compare(old: RawRoster | None, new: RawRoster, cfg: Any, *, old_label: str, new_label: str,
            previous: RawRoster | None = None, old_findings: list[Finding] | None = None) -> RosterDiff:
    """The diff of two reads of a roster (``old`` None: the file is new), both checked with ``cfg``
    (and ``previous`` as history). ``old_findings``: the old version's, when already checked."""
    from rostercheck.check import check_raw, legend_for

    d = RosterDiff(old_label, new_label, old_exists=old is not None)
    new_result = check_raw(new, cfg, previous)
    d.result = new_result
    known = old_findings
    old_findings = []
    if known is not None:
        old_findings = known
    elif old is not None:
        try:
            old_findings = check_raw(old, cfg, previous).findings
        except InputError as e:
            d.note = f"the old version could not be checked ({e.message}); every finding counts as introduced"
    d.introduced = unmatched(new_result.findings, old_findings)
    # the old version may have been read from a temporary file: name it by its label instead
    d.fixed = [dataclasses.replace(f, cells=[Source(old_label, c.sheet, c.cell) for c in f.cells])
               for f in unmatched(old_findings, new_result.findings)]

    new_cells = _cells(new, legend_for(new, cfg))
    old_cells = _cells(old, legend_for(old, cfg)) if old is not None else {}
    new_names = [r.name for r in new.residents]
    old_names = [r.name for r in old.residents] if old is not None else []
    d.residents_added = [n for n in new_names if n not in set(old_names)]
    d.residents_removed = [n for n in old_names if n not in set(new_names)]
    both = set(new_names) & set(old_names)
    blank: tuple = ("", (), None, None)
    for key in sorted(set(new_cells) | set(old_cells)):
        if key[0] not in both:
            continue  # a whole resident added or removed is one line, not thirty
        o, n = old_cells.get(key, blank), new_cells.get(key, blank)
        if o[1] != n[1]:
            where = n if key in new_cells else o
            d.changes.append(Change(key[0], key[1], key[2], o[0], n[0], where[2], where[3]))
    return d


# ------------------------------------------------------------------------------------ git
def _git(args: list[str], cwd: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise InputError("--git needs git, and git is not installed (or not on PATH)") from None


def _first_line(b: bytes) -> str:
    lines = b.decode("utf-8", "replace").strip().splitlines()
    return lines[0] if lines else "git failed"


@contextmanager
def git_version(rev: str, path: str) -> Iterator[tuple[str | None, str]]:
    """The roster at ``path`` as of ``rev``, in a temporary file: yields (temp path or None, label).

    None means the file does not exist at ``rev`` (the change adds it). The repository is the one
    containing ``path``, whatever the working directory.
    """
    p = Path(path)
    start = p.parent if p.parent.is_dir() else Path.cwd()
    top = _git(["rev-parse", "--show-toplevel"], str(start))
    if top.returncode != 0:
        raise InputError(f"not in a git repository ({_first_line(top.stderr)})", file=path)
    root = os.path.realpath(top.stdout.decode().strip())
    rel = os.path.relpath(os.path.realpath(p), root).replace(os.sep, "/")
    if rel.startswith("../"):
        raise InputError("is outside the git repository", file=path)
    label = f"{rev}:{rel}"
    ok = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], root)
    if ok.returncode != 0:
        raise InputError(f"unknown git revision {rev!r}", file=path)
    if _git(["cat-file", "-e", f"{rev}:{rel}"], root).returncode != 0:
        yield None, label
        return
    blob = _git(["cat-file", "blob", f"{rev}:{rel}"], root)
    if blob.returncode != 0:
        raise InputError(f"cannot read it at {rev} ({_first_line(blob.stderr)})", file=path)
    with tempfile.TemporaryDirectory(prefix="rostercheck-diff-") as tmp:
        old = Path(tmp) / p.name  # same name and extension: the reader picks its format by extension
        old.write_bytes(blob.stdout)
        yield str(old), label


def read_version(path: str, label: str, options: Any) -> RawRoster:
    """Read an old version from its temporary file; errors name it by its label (``REV:path``), not
    by a temporary path the user never saw."""
    from rostercheck.read import read_roster

    try:
        return read_roster(path, options)
    except InputError as e:
        raise InputError(e.message, file=label, sheet=e.sheet, cell=e.cell, key=e.key) from None


# ------------------------------------------------------------------------------------ rendering
def _tally(findings: Sequence[Finding]) -> str:
    """'2 violations for Ben Ito (2 errors)', or for several people the total first, then each share:
    '3 violations for 2 residents (2 for Ben Ito, 1 for Ann Lee; 3 errors)'. The total must never
    read as one person's count."""
    per = Counter(f.resident or _ROSTER for f in findings)
    errors = sum(f.severity == "error" for f in findings)
    kinds = [plural(errors, "error")] if errors else []
    if len(findings) - errors:
        kinds.append(plural(len(findings) - errors, "warning"))
    head = plural(len(findings), "violation")
    if len(per) == 1:
        return f"{head} for {next(iter(per))}" + (f" ({', '.join(kinds)})" if kinds else "")
    people = sum(who != _ROSTER for who in per)
    whom = " and ".join(([plural(people, "resident")] if people else []) + ([_ROSTER] if _ROSTER in per else []))
    shares = ", ".join(f"{n} for {who}" for who, n in sorted(per.items(), key=lambda kv: (-kv[1], kv[0])))
    return f"{head} for {whom} ({shares}" + (f"; {', '.join(kinds)})" if kinds else ")")


_ROSTER = "the whole roster"


def summary(d: RosterDiff) -> str:
    adds = f"adds {_tally(d.introduced)}" if d.introduced else "adds no violations"
    fixes = f"fixes {_tally(d.fixed)}" if d.fixed else "fixes none"
    what = "this new roster" if not d.old_exists else f"this {d.noun}"
    if d.old_exists and not d.changes and not d.residents_added and not d.residents_removed:
        return "no assignment changed" + (f"; {adds}" if d.introduced else "")
    return f"{what} {adds} and {fixes}" if d.old_exists else f"{what} {adds}"


def _finding_lines(findings: Sequence[Finding]) -> list[str]:
    rw = max((len(f.rule) for f in findings), default=0)
    nw = max((len(f.resident or "(roster)") for f in findings), default=0)
    return [f"  {f.severity:<7}  {f.resident or '(roster)':<{nw}}  {f.rule:<{rw}}  {f.when()}  {f.message}"
            for f in findings]


def render_text(d: RosterDiff, title: str | None = None) -> str:
    """The diff for people; ``title`` replaces the "OLD -> NEW" first line (``swap`` names the trade)."""
    out = [title or f"{d.old_label} -> {d.new_label}" + ("" if d.old_exists else f" (not in "
                                                                                   f"{d.old_label.split(':')[0]}: "
                                                                                   "a new roster)")]
    if d.note:
        out.append(f"note: {d.note}")
    if d.changes:
        out.append(f"changed assignments ({len(d.changes)}):")
        nw = max(len(c.resident) for c in d.changes)
        ow = max(len(c.old or "(blank)") for c in d.changes)
        cw = max(len(c.new or "(blank)") for c in d.changes)
        for c in d.changes:
            when = c.date + (f" {c.slot}" if c.slot else "")
            where = f"  {c.sheet + '!' if c.sheet else ''}{c.cell}" if c.cell else ""
            out.append(f"  {c.resident:<{nw}}  {when:<13} {c.old or '(blank)':>{ow}} -> {c.new or '(blank)':<{cw}}"
                       f"{where}".rstrip())
    if d.residents_added:
        out.append("residents added: " + ", ".join(d.residents_added))
    if d.residents_removed:
        out.append("residents removed: " + ", ".join(d.residents_removed))
    if d.introduced:
        out.append(f"introduced findings ({len(d.introduced)}):")
        out += _finding_lines(d.introduced)
    if d.fixed:
        out.append(f"fixed findings ({len(d.fixed)}):")
        out += _finding_lines(d.fixed)
    out.append(summary(d))
    return "\n".join(out) + "\n"


def document(d: RosterDiff) -> dict[str, Any]:
    return {
        "version": VERSION,
        "old": d.old_label if d.old_exists else None,
        "new": d.new_label,
        "changes": [c.as_dict() for c in d.changes],
        "residents-added": d.residents_added,
        "residents-removed": d.residents_removed,
        "introduced": [f.as_dict() for f in d.introduced],
        "fixed": [f.as_dict() for f in d.fixed],
        "summary": {
            "changes": len(d.changes),
            "introduced-errors": sum(f.severity == "error" for f in d.introduced),
            "introduced-warnings": sum(f.severity != "error" for f in d.introduced),
            "fixed-errors": sum(f.severity == "error" for f in d.fixed),
            "fixed-warnings": sum(f.severity != "error" for f in d.fixed),
            "text": summary(d),
        },
        "note": d.note,
    }


def render_json(d: RosterDiff) -> str:
    import json

    return json.dumps(document(d), indent=2, ensure_ascii=False) + "\n"
