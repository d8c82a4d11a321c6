"""``json_report.dumps`` writes exactly what ``json.dumps(..., indent=2, ensure_ascii=False)`` writes.

The JSON report's bytes are part of its contract (diffs of reports in CI, golden files): the faster
writer must not move a space. Any JSON-able value, nested, with every odd string and number."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rostercheck.report.json_report import dumps

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2**70, 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(),  # control characters, quotes, surrogates
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.tuples(inner, inner),
                            st.dictionaries(st.text(max_size=8), inner, max_size=5)),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(value=VALUES, depth=st.integers(0, 3))
def test_same_bytes_as_json_dumps(value: object, depth: int) -> None:
    want = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)
    assert dumps(value, depth) == want


@pytest.mark.parametrize("value", [
    {1: "a", None: [1.5, True]},  # keys json turns into strings
    {"a": {2.5: {}}, "b": []},
    [{}, [], "", 0, -0.0, 1e300, 5e-324],
])
def test_odd_keys_and_numbers(value: object) -> None:
    assert dumps(value) == json.dumps(value, indent=2, ensure_ascii=False)


def test_what_json_refuses_is_refused_the_same_way() -> None:
    with pytest.raises(TypeError):
        json.dumps({"a": {1, 2}}, indent=2)
    with pytest.raises(TypeError):
        dumps({"a": {1, 2}})
