"""The layout rules of docs/architecture.md that a machine can check: imports flow one way."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "rostercheck"


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (lazy imports inside functions included)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def test_only_the_cli_knows_click_and_nothing_imports_the_cli() -> None:
    for path in _modules():
        if path.name == "cli.py" and path.parent == PACKAGE:
            continue
        imported = _imports(path)
        rel = path.relative_to(ROOT)
        assert not any(m == "click" or m.startswith("click.") for m in imported), f"{rel} imports click"
        assert "rostercheck.cli" not in imported, f"{rel} imports rostercheck.cli"


def test_rules_never_import_the_solver_openpyxl_or_the_report() -> None:
    banned = ("ortools", "openpyxl", "rostercheck.repair", "rostercheck.report")
    for path in (PACKAGE / "rules").glob("*.py"):
        for m in _imports(path):
            assert not m.startswith(banned), f"{path.relative_to(ROOT)} imports {m}"


def test_nothing_outside_the_timeline_reads_its_private_fields() -> None:
    private = re.compile(r"\b(tl|timeline)\.(_[a-z]|__dict__)")
    for path in _modules():
        if path.name == "timeline.py":
            continue
        text = path.read_text()
        assert not private.search(text), f"{path.relative_to(ROOT)}: {private.search(text).group(0)}"
        for m in _imports(path):
            if m.startswith("rostercheck.timeline."):
                assert not m.rsplit(".", 1)[1].startswith("_"), f"{path.relative_to(ROOT)} imports {m}"


def test_the_package_holds_no_test_data_generator() -> None:
    assert not (PACKAGE / "synth.py").exists()
    assert (ROOT / "tools" / "synth.py").exists()


# ``python -m rostercheck`` ends in ``os._exit`` after the atexit handlers (``cli.run``): the report is
# printed from one of them, which also shows that they still run.
_LOADED = """
import atexit, runpy, sys
atexit.register(lambda: print("LOADED", " ".join(sorted(m for m in ("pandas", "ortools", "openpyxl")
                                                        if m in sys.modules)), file=sys.stderr))
sys.argv = ["rostercheck", "check", *sys.argv[1:], "--format", "json"]
runpy.run_module("rostercheck", run_name="__main__")
"""


@pytest.mark.parametrize("roster", ["internal-medicine/july-2026.xlsx", "family-medicine/block-3.xlsx"])
def test_check_never_imports_pandas_the_solver_or_openpyxl(roster: str) -> None:
    """A check is a fresh process, many times a day in CI and batches: importing pandas alone
    costs more CPU than checking a year-long roster (issue 17). Repair, the HTML report and init
    may import it; check, with its JSON report, must not."""
    import subprocess
    import sys

    path = ROOT / "sample_rosters" / roster
    proc = subprocess.run([sys.executable, "-c", _LOADED, str(path)], capture_output=True, text=True, cwd=ROOT)
    loaded = [line.strip() for line in proc.stderr.splitlines() if line.startswith("LOADED")]
    assert "\"rule\": " in proc.stdout and loaded == ["LOADED"], proc.stderr[-2000:]


def test_a_csv_check_never_imports_pandas_either() -> None:
    """The csv reader is numpy over the bytes (and the csv module for quoted files), issue 17."""
    import subprocess
    import sys

    path = ROOT / "sample_rosters" / "night-float" / "august-2026.csv"
    proc = subprocess.run([sys.executable, "-c", _LOADED, str(path)], capture_output=True, text=True, cwd=ROOT)
    loaded = [line.strip() for line in proc.stderr.splitlines() if line.startswith("LOADED")]
    assert "\"rule\": " in proc.stdout and loaded == ["LOADED"], proc.stderr[-2000:]
