"""The one error type users see.

Every problem with an input file or a config becomes an ``InputError`` that knows *where* it is
(file, sheet, cell, or config key). The CLI prints it as one line and exits 2; nothing below the CLI
prints or exits, so the library stays usable from Python and the messages stay testable.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class InputError(Exception):
    """An input file or config that cannot be used, with the place it went wrong."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        cell: str | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.sheet = sheet
        self.cell = cell
        self.key = key

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet!r}")
        if self.cell:
            parts.append(f"cell {self.cell}")
        if self.key:
            parts.append(f"key {self.key!r}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


def suggest(name: str, choices: Iterable[str]) -> str:
    """A ' (did you mean X?)' suffix, or '' when nothing is close: typo'd keys are the common case."""
    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
