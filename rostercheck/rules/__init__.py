"""The registry of rule kinds: one module each, looked up by kind name.

Deliberately boring (after yamllint): import every module, key it by its ``KIND``.
"""

from __future__ import annotations

from types import ModuleType

from rostercheck.rules import (
    coverage,
    fair_share,
    max_consecutive,
    max_count,
    max_hours,
    max_period_length,
    max_rolling_hours,
    max_weekends,
    min_count,
    min_free_days,
    min_free_evenings,
    min_free_weekends,
    min_rest,
)
from rostercheck.rules.base import Option

KINDS: dict[str, ModuleType] = {
    m.KIND: m
    for m in (
        max_hours,
        min_free_days,
        max_period_length,
        min_rest,
        max_consecutive,
        max_count,
        min_count,
        coverage,
        min_free_evenings,
        min_free_weekends,
        max_rolling_hours,
        max_weekends,
        fair_share,
    )
}


def get(kind: str) -> ModuleType:
    return KINDS[kind]


def options(kind: str) -> dict[str, Option]:
    return {o.name: o for o in KINDS[kind].OPTIONS}
