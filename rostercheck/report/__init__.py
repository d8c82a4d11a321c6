"""Renderings of findings. Every format is a function of the same records (``CheckResult`` list).

The registry maps a format name to ``module:function``; modules are imported only when used, so
``rostercheck --help`` never pays for pandas or openpyxl. A renderer takes the results and keyword
options (``color``, ``quiet``) and returns the text to print or write.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from typing import Any

FORMATS: dict[str, str] = {
    "text": "rostercheck.report.text:render",
    "json": "rostercheck.report.json_report:render",
    "csv": "rostercheck.report.csv_report:render",
    "github": "rostercheck.report.github:render",
    "junit": "rostercheck.report.junit:render",
}


def render(name: str, results: Sequence[Any], **options: Any) -> str:
    module, _, func = FORMATS[name].partition(":")
    return getattr(importlib.import_module(module), func)(results, **options)
