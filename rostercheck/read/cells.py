"""Cell values to text and cell positions to A1 addresses.

Spreadsheets hand us a mix of str, float, bool, date and time objects. Everything downstream
wants text, so conversion happens here once. Large grids have few distinct values (a few dozen
shift codes over half a million cells), so the array helpers convert each *distinct* value once
and spread the result with a vectorised take instead of touching every cell in Python.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from rostercheck.model import CELL_STRIDE, a1, cell_name, column_letters
from rostercheck.table import factorize, factorize_ids, filled

# here since before model and table had them; readers import them from here
__all__ = ["a1", "column_letters", "factorize", "factorize_ids", "filled"]

#: Characters that look like a space (or nothing) in Excel but are not ASCII spaces.
_ODD_SPACES = str.maketrans({"\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u200b": "", "\ufeff": ""})
_LETTERS_RE = re.compile(r"^[A-Za-z]{1,3}$")


def column_index(letters: str) -> int | None:
    """Excel letters -> 0-based index, or None when the text cannot be a column reference."""
    if not _LETTERS_RE.match(letters.strip()):
        return None
    n = 0
    for ch in letters.strip().upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def addresses(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """A1 addresses for many cells at once (0-based absolute positions), as an object array.

    Only reports that place every cell need this (the HTML grid); readers keep packed positions.

    Letters and row numbers are formatted once per distinct column and row, then joined with a
    vectorised string add, so a year-long grid does not format half a million addresses by hand.
    """
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    if rows.size == 0:
        return np.empty(0, dtype=object)
    ucols, cinv = np.unique(cols, return_inverse=True)
    urows, rinv = np.unique(rows, return_inverse=True)
    letters = np.array([column_letters(c) for c in ucols.tolist()], dtype=object)
    numbers = np.array(list(map(str, (urows + 1).tolist())), dtype=object)
    return np.add(letters[cinv], numbers[rinv])  # object add: builds each str once, in C


def object_array(items: list) -> np.ndarray:
    """A 1-D object array of ``items`` (``np.array`` would build 2-D from tuples, or guess a dtype)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def cell_text(value: object) -> str:
    """One cell value as the text a person sees, stripped (NBSP and zero-width spaces included).

    Whole numbers lose their ".0" (Excel shows 5, calamine gives 5.0); dates are ISO; times
    "HH:MM", so a code or a PGY typed as a number reads the same as one typed as text.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.translate(_ODD_SPACES).strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        if math.isnan(value):
            return ""
        return str(int(value)) if float(value).is_integer() else format(float(value), "g")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).translate(_ODD_SPACES).strip()


#: The value types a per-process memo may hold: no two of them are equal unless they read the same
#: (1 == 1.0 == True read differently, so numbers and booleans are never remembered)
MEMO_TYPES = frozenset({str, dt.date, dt.datetime})
#: entries a memo holds before it is cleared whole
MEMO_MAX = 65_536


def memo_map(values: list, memo: dict, fn: Callable[[Any], Any]) -> list:
    """``[fn(v) for v in values]`` (the distinct values of a sheet), through ``memo``: the same names,
    codes, headers and dates come back in every roster of a batch and every sheet of a workbook, so
    each is a dictionary look-up from C after its first time. ``fn`` never returns None; only
    ``MEMO_TYPES`` are remembered, and a full memo is cleared whole (bounded memory)."""
    out = list(map(memo.get, values))  # None where not remembered: a number never finds a key
    if None not in out:
        return out
    for k, v in enumerate(values):
        if out[k] is None:
            out[k] = got = fn(v)
            if type(v) in MEMO_TYPES:
                if len(memo) >= MEMO_MAX:
                    memo.clear()
                memo[v] = got
    return out


#: cell value -> its text (``cell_texts``)
_TEXTS: dict[object, str] = {}


def cell_texts(values: list) -> list[str]:
    """``cell_text`` of each value (the distinct values of a sheet), through a per-process memo."""
    return memo_map(values, _TEXTS, cell_text)


def collapse(text: str) -> str:
    """Stripped text with every whitespace run as one space: names compare as people read them."""
    return " ".join(text.translate(_ODD_SPACES).split())


def map_unique(values: np.ndarray, func) -> np.ndarray:
    """Apply ``func`` to each distinct value of an object array and spread the results back.

    Shift grids repeat a few codes many times, so this is the difference between ~30 Python calls
    and ~500,000. ``factorize`` hashes in C (a dict) and keeps first-appearance order.
    """
    flat = np.asarray(values, dtype=object).ravel()
    if flat.size == 0:
        return np.empty(np.shape(values), dtype=object)
    codes, uniques = factorize(flat)
    mapped = np.empty(len(uniques), dtype=object)
    for k, u in enumerate(uniques):
        mapped[k] = func(u)
    return mapped[codes].reshape(np.shape(values))


def text_array(values: np.ndarray) -> np.ndarray:
    """``cell_text`` over an array of any shape, once per distinct value."""
    return map_unique(values, cell_text)


def has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def first_true(mask: np.ndarray) -> int | None:
    """Index of the first True in a 1-D mask, or None: where to point an error."""
    hits = np.flatnonzero(mask)
    return int(hits[0]) if hits.size else None


def cell_names(values: np.ndarray) -> np.ndarray:
    """``model.cell_name`` over an entries ``cell`` column: packed positions in one vectorised pass."""
    values = np.asarray(values)
    if values.dtype.kind in "iu":
        out = addresses(values // CELL_STRIDE, values % CELL_STRIDE)
        out[values < 0] = None
        return out
    return np.array([cell_name(v) for v in values.tolist()], dtype=object)
