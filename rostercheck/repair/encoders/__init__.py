"""Encoders: one per rule kind, beside the solver and never inside the rules.

Each takes the model, a configured rule and the residents it applies to, adds constraints under
named groups, and returns whether it could encode the rule (if not, the rule is only re-checked).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from rostercheck.config import RuleConfig
from rostercheck.repair.cpmodel import RepairModel
from rostercheck.repair.encoders import (
    consecutive,
    counts,
    coverage,
    fair_share,
    free_time,
    max_hours,
    periods,
    rolling_hours,
    weekends,
)

Encoder = Callable[[RepairModel, RuleConfig, np.ndarray], bool]

ENCODERS: dict[str, Encoder] = {
    "max-hours": max_hours.encode,
    "min-free-days": free_time.encode_days,
    "max-period-length": periods.encode_length,
    "min-rest": periods.encode_rest,
    "max-consecutive": consecutive.encode,
    "max-count": counts.encode_max,
    "min-count": counts.encode_min,
    "coverage": coverage.encode,
    "min-free-evenings": free_time.encode_evenings,
    "min-free-weekends": free_time.encode_weekends,
    "max-rolling-hours": rolling_hours.encode,
    "max-weekends": weekends.encode,
    "fair-share": fair_share.encode,
}
