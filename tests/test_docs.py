"""The documentation says what the code does: generated pages are current, every key is documented."""

from __future__ import annotations

import re
from pathlib import Path

from rostercheck.config import REPAIR_KEYS, ROSTER_KEYS, TOP_KEYS
from rostercheck.legend import SHIFT_KEYS
from rostercheck.rules_doc import markdown

DOCS = Path(__file__).parent.parent / "docs"
README = Path(__file__).parent.parent / "README.md"


def test_rules_page_is_generated_from_the_code():
    assert (DOCS / "rules.md").read_text() == markdown(), "run: rostercheck rules --markdown > docs/rules.md"


def test_every_config_key_is_documented():
    text = (DOCS / "config.md").read_text()
    for key in (*TOP_KEYS, *ROSTER_KEYS, *SHIFT_KEYS, *REPAIR_KEYS):
        assert f"`{key}`" in text or f"`[{key}]`" in text or f"## `[{key}" in text, key


def test_every_json_key_is_documented():
    text = (DOCS / "json.md").read_text()
    for key in ("version", "rosters", "summary", "residents", "days", "errors", "warnings", "rules", "files",
                "violations", "rule", "kind", "severity", "resident", "start", "end", "value", "limit", "unit",
                "message", "cells", "file", "sheet", "cell", "roster", "cell-ranges"):
        assert f"`{key}`" in text, key


def test_readme_quick_start_is_two_commands():
    text = README.read_text()
    block = re.search(r"## Quick start\n+```(?:sh|bash|console)?\n(.*?)```", text, re.S)
    assert block, "README needs a Quick start code block"
    commands = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.startswith("#")]
    assert len(commands) == 2
    assert "rostercheck check sample_rosters/" in commands[0]
    assert "pytest" in commands[1]
