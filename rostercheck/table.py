"""Equal-length numpy columns: a roster's entries and a timeline's shifts.

Why not a pandas DataFrame: ``rostercheck check`` runs as a fresh process, once per roster in CI
and hundreds of times a day in batches, and importing pandas costs 0.26 s of CPU, more than
checking a year-long roster of 1,500 residents after it is read (issue 17). Everything the check
does with these tables is column arithmetic, which numpy does by itself. Stages that do use
pandas (repair bookkeeping, the HTML report, ``init``) ask for a DataFrame with ``frame()`` and
pay for the import there; a DataFrame handed to ``RawRoster`` is turned back into columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from operator import itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


class Table:
    """Named 1-D numpy columns of one length, in order.

    ``t["text"]`` is a column (the array itself, not a copy: treat it as read-only), ``t.text``
    the same for code that reads like prose, ``len(t)`` the rows, ``t.take(rows)`` a new table of
    some rows (an index array or a boolean mask).

    A *labelled* column holds small integers that index a list of names (``labels``): a timeline's
    shift codes and kinds are a dozen names over millions of rows, and an object array of them
    costs 8 bytes a row where an ``int16`` costs 2. ``t["code"]`` is then the integers,
    ``t.named("code")`` the names, and ``frame()`` gives the names, as pandas code expects.
    """

    __slots__ = ("_cols", "_factors", "_labels", "_n")

    def __init__(self, columns: Mapping[str, Any], n: int | None = None,
                 labels: Mapping[str, np.ndarray] | None = None) -> None:
        cols: dict[str, np.ndarray] = {}
        for name, values in columns.items():
            arr = values if isinstance(values, np.ndarray) else _as_array(values)
            if arr.ndim != 1:
                raise ValueError(f"column {name!r} is {arr.ndim}-D; a table's columns are 1-D")
            cols[name] = arr
        lengths = {len(a) for a in cols.values()}
        if len(lengths) > 1:
            raise ValueError(f"columns of different lengths: { {k: len(a) for k, a in cols.items()} }")
        self._cols = cols
        self._n = lengths.pop() if lengths else (n or 0)
        self._factors: dict[str, tuple[np.ndarray, np.ndarray, list]] = {}
        self._labels: dict[str, np.ndarray] = {}
        for name, names in (labels or {}).items():
            if name not in cols or cols[name].dtype.kind not in "iu":
                raise ValueError(f"labelled column {name!r} must be an integer column of the table")
            self._labels[name] = np.asarray(names, dtype=object)

    # ------------------------------------------------------------------ reading
    def __getitem__(self, name: str) -> np.ndarray:
        return self._cols[name]

    def __getattr__(self, name: str) -> np.ndarray:
        if name.startswith("_"):  # slots not set yet (copy, pickle): never a column
            raise AttributeError(name)
        try:
            return self._cols[name]  # type: ignore[index]
        except KeyError:
            raise AttributeError(name) from None

    def __contains__(self, name: object) -> bool:
        return name in self._cols

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        return iter(self._cols)

    def __repr__(self) -> str:
        return f"Table({len(self)} rows: {', '.join(self._cols)})"

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self._cols)

    @property
    def empty(self) -> bool:
        return self._n == 0

    def items(self) -> Iterable[tuple[str, np.ndarray]]:
        return self._cols.items()

    @property
    def labels(self) -> dict[str, np.ndarray]:
        """The names behind each labelled column (column -> names its integers index)."""
        return dict(self._labels)

    def named(self, name: str) -> np.ndarray:
        """A column as the values people read: the names of a labelled column (a new object array),
        any other column as it is."""
        names = self._labels.get(name)
        return self._cols[name] if names is None else names[self._cols[name]]

    def factors(self, name: str) -> tuple[np.ndarray, list]:
        """``factorize(self[name])``, made once per column: the normaliser asks for a roster's cell
        texts twice (codes, and how the roster spells them), and a reader that read the column as
        codes already knows them (``give_factors``). Valid while the column is the same array;
        columns are never written in place. The codes are the narrowest signed integers that
        hold one more than the distinct values (a roster's few dozen texts: one byte a row)."""
        arr = self._cols[name]
        hit = self._factors.get(name)
        if hit is not None and hit[0] is arr:
            return hit[1], hit[2]
        codes, uniques = factorize(arr)
        codes = narrow_codes(codes, len(uniques))
        codes.flags.writeable = False  # shared by every caller
        self._factors[name] = (arr, codes, uniques)
        return codes, uniques

    def give_factors(self, name: str, codes: np.ndarray, uniques: list) -> None:
        """Record what ``factors(name)`` would compute (codes in order of first appearance, None last),
        from a reader that has them for free."""
        codes = narrow_codes(codes, len(uniques))
        codes.flags.writeable = False
        self._factors[name] = (self._cols[name], codes, uniques)

    # ------------------------------------------------------------------ new tables
    def take(self, rows: np.ndarray | slice) -> Table:
        """Some rows (indices, a boolean mask or a slice), as a new table; the columns are copies
        except for a slice, which numpy gives as views."""
        if not isinstance(rows, slice):
            rows = np.asarray(rows)
            if rows.dtype == bool:
                rows = np.flatnonzero(rows)
        return Table({k: a[rows] for k, a in self._cols.items()}, n=0, labels=self._labels)

    def assign(self, **columns: Any) -> Table:
        """This table with some columns replaced or added (the others shared, not copied)."""
        out = dict(self._cols)
        for k, v in columns.items():
            out[k] = v if isinstance(v, np.ndarray) else _as_array(v, len(self))
        t = Table(out, n=self._n, labels={k: v for k, v in self._labels.items() if k not in columns})
        t._factors = {k: f for k, f in self._factors.items() if k not in columns}  # untouched columns keep theirs
        return t

    def copy(self) -> Table:
        return Table({k: a.copy() for k, a in self._cols.items()}, n=self._n, labels=self._labels)

    @staticmethod
    def concat(tables: list[Table]) -> Table:
        """Rows of several tables with the same columns, one after another."""
        if len(tables) == 1:
            return tables[0]
        names = tables[0].columns
        if any(t._labels.keys() != tables[0]._labels.keys() for t in tables) or any(
            not np.array_equal(t._labels[k], tables[0]._labels[k]) for t in tables for k in t._labels
        ):
            # different names behind the integers: join the names themselves
            return Table({k: _concat([t.named(k) for t in tables]) for k in names}, n=0)
        return Table({k: _concat([t[k] for t in tables]) for k in names}, n=0, labels=tables[0]._labels)

    # ------------------------------------------------------------------ pandas, for the stages that use it
    def frame(self) -> pd.DataFrame:
        """The table as a new DataFrame (imports pandas: repair, the HTML report and ``init`` use it).

        Day columns (``datetime64[D]``) become pandas' nanosecond timestamps, as the rest of the
        pandas code expects; object columns stay object; labelled columns become their names.
        """
        import pandas as pd

        data = {}
        for k, a in self._cols.items():
            if k in self._labels:
                a = self.named(k)
            if a.dtype.kind == "M":
                a = a.astype("datetime64[ns]")
            data[k] = pd.Series(a, dtype=object, copy=True) if a.dtype == object else a.copy()
        return pd.DataFrame(data, index=pd.RangeIndex(self._n))

    @classmethod
    def of(cls, data: Any) -> Table:
        """A Table from a Table (itself), a DataFrame, or a mapping of columns."""
        if isinstance(data, Table):
            return data
        if hasattr(data, "to_numpy") and hasattr(data, "columns"):  # a DataFrame: no pandas import here
            cols = {}
            for k in data.columns:
                s = data[k]
                kind = getattr(s.dtype, "kind", "O")
                if kind == "M":
                    arr = s.to_numpy()
                    if getattr(s.dtype, "tz", None) is not None:  # pragma: no cover - never made by rostercheck
                        raise ValueError(f"column {k!r} has a time zone; expected local dates")
                    cols[str(k)] = arr
                elif kind in "biuf":
                    cols[str(k)] = s.to_numpy()
                else:  # object, pandas strings, categories: Python objects, missing as None
                    arr = s.to_numpy(dtype=object, na_value=None)
                    cols[str(k)] = arr
            return cls(cols, n=len(data))
        return cls(dict(data))


def factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Per value, the index of its distinct value; and the distinct values in order of first
    appearance, None (if any) last.

    A dict does the hashing in C (``dict.fromkeys``, then ``map`` of its look-up): about as fast
    as pandas' hash table for the few dozen distinct texts of a roster, without importing pandas
    in every check. Python's ``True == 1 == 1.0`` would merge a TRUE cell with a 1 cell, which read
    differently, so when a boolean meets a 0 or 1 the values are told apart by type as well.
    """
    flat = np.asarray(values, dtype=object).ravel()
    items = flat.tolist()
    uniq = list(dict.fromkeys(items))
    types = set(map(type, uniq))  # one pass in C; the usual sheet (texts, dates) stops here
    if bool in types or (
        (int in types or float in types)
        and any(type(u) in (int, float) and u in (0, 1) for u in uniq)
        and bool in set(map(type, items))
    ):
        typed = [(type(v) is bool, v) for v in items]
        keys = list(dict.fromkeys(typed))
        uniq = [v for _, v in keys]
        look = {k: i for i, k in enumerate(keys)}
        codes = np.fromiter(map(look.__getitem__, typed), dtype=np.int64, count=len(typed))
    else:
        look = dict(zip(uniq, range(len(uniq))))
        codes = _codes(look, items)
    if None in look or (False, None) in look:
        k = next(i for i, u in enumerate(uniq) if u is None)
        if k != len(uniq) - 1:  # None last, the others keep their order
            remap = np.arange(len(uniq), dtype=np.int64)
            remap[k] = len(uniq) - 1
            remap[k + 1:] -= 1
            codes = remap[codes]
            uniq = uniq[:k] + uniq[k + 1:] + [None]
    return codes, uniq


def _codes(look: dict, items: list) -> np.ndarray:
    """``look[item]`` for every item, as int64. Up to ``_GETTER_ITEMS`` items one ``itemgetter``
    call looks them all up in C (its argument tuple is one pointer an item); beyond, a stream."""
    n = len(items)
    if 2 <= n <= _GETTER_ITEMS:
        return np.fromiter(itemgetter(*items)(look), dtype=np.int64, count=n)
    return np.fromiter(map(look.__getitem__, items), dtype=np.int64, count=n)


#: items (cells) up to which ``_codes`` builds the look-up tuple whole
_GETTER_ITEMS = 65_536


def code_dtype(n: int) -> type:
    """The narrowest signed integer type holding 0..n: codes of ``n`` distinct values and room for
    one more (a blank a caller adds last)."""
    return np.int8 if n < 1 << 7 else np.int16 if n < 1 << 15 else np.int32 if n < 1 << 31 else np.int64


def narrow_codes(codes: np.ndarray, n: int) -> np.ndarray:
    """Codes of ``n`` distinct values in ``code_dtype(n)``: 1.8 million cell texts are 1.8 MB as
    int8, 14.6 MB as int64."""
    return codes.astype(code_dtype(n), copy=False)


def factorize_ids(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``factorize`` for small non-negative integers (ids of distinct values, spread over rows):
    codes numbered in order of first appearance, and the ids in that order. A bincount-sized
    table instead of a sort of every row."""
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size == 0:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    n = int(ids.max()) + 1
    first = np.full(n, ids.size, dtype=np.int64)
    np.minimum.at(first, ids, np.arange(ids.size, dtype=np.int64))
    present = np.flatnonzero(first < ids.size)
    order = present[np.argsort(first[present], kind="stable")]
    rank = np.full(n, -1, dtype=np.int64)
    rank[order] = np.arange(order.size, dtype=np.int64)
    return rank[ids], order


def filled(n: int, value: object) -> np.ndarray:
    """An object array of ``n`` copies of ``value`` (``np.full`` is several times slower for objects)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def constant(n: int, value: object) -> np.ndarray:
    """A read-only object column of ``n`` copies of ``value`` that takes no memory (a zero stride):
    columns that say the same thing on every row of a roster (no explicit times, one sheet, whole
    days) cost nothing at any size. Writing into one raises, so no stage can change them by accident;
    ``take`` and ``concat`` make real arrays."""
    one = np.empty(1, dtype=object)
    one[0] = value
    return np.broadcast_to(one, (n,))


def _as_array(values: Any, n: int | None = None) -> np.ndarray:
    """A 1-D array of ``values``; strings and mixed values as objects (never numpy's fixed-width str),
    a scalar repeated ``n`` times."""
    if n is not None and (np.isscalar(values) or values is None):
        out = np.empty(n, dtype=object)
        out.fill(values)
        if values is None or isinstance(values, str):
            return out
        return np.asarray(out.tolist())
    items = list(values)
    if items and all(isinstance(v, (bool, np.bool_)) for v in items):
        return np.array(items, dtype=bool)
    if items and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
        return np.array(items, dtype=np.int64)
    if items and all(isinstance(v, (float, np.floating)) for v in items):
        return np.array(items, dtype=float)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    """Concatenate columns; mixed kinds (an int cell position beside a text one) become objects."""
    kinds = {a.dtype.kind for a in arrays}
    if len(kinds) > 1 and not kinds <= set("iu"):
        return np.concatenate([a.astype(object) for a in arrays])
    return np.concatenate(arrays)
