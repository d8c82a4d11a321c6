"""Local time -> absolute minutes without pandas (``timeline.local_to_abs``).

The checker converts each shift's local start and end into absolute minutes, so that a night
across a clock change measures its real length. It used pandas' ``tz_localize`` (first occurrence
of a repeated hour, gaps shifted forward); it now looks the zone's offset up once per day with
``zoneinfo`` and converts the days of a change minute by minute. These tests hold it to pandas
on every 7th minute of three years in zones with every kind of change, and to hand-checked
instants where pandas itself is wrong.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rostercheck.timeline import local_to_abs

ZONES = ["America/New_York", "Europe/London", "Australia/Sydney", "America/Santiago", "Asia/Kolkata",
         "Europe/Dublin", "America/St_Johns", "Asia/Beirut", "Africa/Casablanca", "UTC"]


def _pandas(minutes: np.ndarray, tz: str) -> np.ndarray:
    idx = pd.DatetimeIndex(minutes.astype("datetime64[m]"))
    idx = idx.tz_localize(tz, ambiguous=np.ones(len(idx), dtype=bool), nonexistent="shift_forward")
    return idx.tz_convert("UTC").tz_localize(None).as_unit("s").asi8 // 60


@pytest.mark.parametrize("tz", ZONES)
def test_local_to_abs_agrees_with_pandas_over_three_years(tz: str) -> None:
    base = np.datetime64("2025-01-01", "m").astype(np.int64)
    minutes = base + np.arange(0, 3 * 366 * 1440, 7)
    got = local_to_abs(minutes.astype("datetime64[m]"), tz)
    want = _pandas(minutes, tz)
    bad = np.flatnonzero(got != want)
    assert not len(bad), f"{tz}: {minutes[bad][:3].astype('datetime64[m]')}"


def _at(text: str, tz: str) -> str:
    got = local_to_abs(np.array([text], dtype="datetime64[m]"), tz)
    return str(got.astype("datetime64[m]")[0])


def test_spring_gap_moves_to_the_change_and_repeated_hour_takes_its_first_occurrence() -> None:
    # New York, 2026-03-08: 02:00 EST -> 03:00 EDT (07:00 UTC); 2026-11-01: 02:00 EDT -> 01:00 EST
    assert _at("2026-03-08T01:59", "America/New_York") == "2026-03-08T06:59"
    assert _at("2026-03-08T02:30", "America/New_York") == "2026-03-08T07:00"
    assert _at("2026-03-08T03:00", "America/New_York") == "2026-03-08T07:00"
    assert _at("2026-11-01T01:30", "America/New_York") == "2026-11-01T05:30"  # EDT, the first 01:30


def test_half_hour_change_where_pandas_moves_a_whole_hour() -> None:
    # Lord Howe, 2025-10-05: 02:00 (+10:30) -> 02:30 (+11:00), the change at 15:30 UTC; pandas 3.1
    # moves gap minutes to 16:00 UTC (03:00 local), as if every change were an hour
    assert _at("2025-10-05T01:59", "Australia/Lord_Howe") == "2025-10-04T15:29"
    assert _at("2025-10-05T02:07", "Australia/Lord_Howe") == "2025-10-04T15:30"
    assert _at("2025-10-05T02:30", "Australia/Lord_Howe") == "2025-10-04T15:30"
    assert _at("2025-10-05T03:00", "Australia/Lord_Howe") == "2025-10-04T16:00"


def test_zone_with_a_45_minute_offset_where_pandas_is_wrong() -> None:
    # Chatham, 2025-09-28: 02:45 (+12:45) -> 03:45 (+13:45), the change at 14:00 UTC. pandas 3.1
    # shifts 02:55 to 13:15 UTC, before the change and before 02:44 (13:59): not a local time at all.
    assert _at("2025-09-28T02:44", "Pacific/Chatham") == "2025-09-27T13:59"
    assert _at("2025-09-28T02:55", "Pacific/Chatham") == "2025-09-27T14:00"
    assert _at("2025-09-28T03:36", "Pacific/Chatham") == "2025-09-27T14:00"
    assert _at("2025-09-28T03:45", "Pacific/Chatham") == "2025-09-27T14:00"
    assert _at("2025-09-28T03:46", "Pacific/Chatham") == "2025-09-27T14:01"
