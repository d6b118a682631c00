"""Per-seed indicators: one summary row of a finished run, read by calibration and sweeps.

Every indicator is a snake_case column of the summary table; names are stable. The
summary is a function of the run's recorded tables alone
(:func:`ddr_sim.runs.summary.summary_of_tables`); :func:`summarize` is the same for a
model that has just run. Every column is described (meaning, unit, headline or
breakdown) in :mod:`ddr_sim.runs.registry`, from which ``docs/OUTPUTS.md`` is generated.

This module also gathers, for callers that import them from here, the names and helpers
of :mod:`ddr_sim.runs.naming`, :mod:`ddr_sim.runs.stalls` and :mod:`ddr_sim.runs.recorded`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ddr_sim.runs.naming import (
    CUMULATIVE_FLOWS,
    DEFAULT_CHECKPOINTS,
    FIRST_ENTRIES,
    STOCK_STATUSES,
    checkpoints_in_calendar,
    date_slug,
    slug,
)
from ddr_sim.runs.recorded import (
    EXIT_FLAGS,
    PROGRAMME_FLAGS,
    group_exists,
    net_into_exits,
    programme_flags,
    recorded_months,
)
from ddr_sim.runs.stalls import (
    episodes,
    final_spell_start,
    first_month,
    stall_flags,
    stall_indicators,
)
from ddr_sim.runs.summary import summary_of_tables

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

__all__ = [
    "CUMULATIVE_FLOWS",
    "DEFAULT_CHECKPOINTS",
    "EXIT_FLAGS",
    "FIRST_ENTRIES",
    "KEY_INDICATORS",
    "PROGRAMME_FLAGS",
    "STOCK_STATUSES",
    "checkpoints_in_calendar",
    "date_slug",
    "episodes",
    "final_spell_start",
    "first_month",
    "group_exists",
    "indicator_overview",
    "net_into_exits",
    "programme_flags",
    "recorded_months",
    "slug",
    "stall_flags",
    "stall_indicators",
    "summarize",
]

#: Indicators the command line printed before the registry's headline (kept for callers).
KEY_INDICATORS: tuple[str, ...] = (
    "pre_cantoned_total",
    "cantoned_total",
    "registered_total",
    "declared_unfit_total",
    "integrated_total",
    "reinserted_total",
    "rejoined_total",
    "first_integration_month",
    "stall_months",
    "longest_stall_months",
    "clashes_total",
    "attacks_total",
    "listed_end",
    "people_end",
)


def summarize(
    model: DDRModel, seed: int, checkpoints: Iterable[str] | None = None
) -> dict[str, Any]:
    """The summary row of one finished run: :func:`summary_of_tables` of its tables.

    Parameters
    ----------
    model : DDRModel
        A model after ``run()``.
    seed : int
        The seed it ran with (stored as the ``seed`` column).
    checkpoints : iterable of str, optional
        ``YYYY-MM`` dates for the ``_by_`` and stock columns; default
        :data:`DEFAULT_CHECKPOINTS`. Dates outside the calendar are skipped.

    Returns
    -------
    dict
        Indicator name -> value (ints, floats, NaN or date strings).
    """
    from ddr_sim.runs.tables import seed_tables

    return summary_of_tables(seed_tables(model, seed), checkpoints)


def indicator_overview(
    summary: pd.DataFrame, names: Iterable[str] = KEY_INDICATORS
) -> pd.DataFrame:
    """Median and 5-95 % range over seeds of numeric indicators.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary table (one row per seed).
    names : iterable of str
        Indicators to include; those absent from ``summary`` are skipped.

    Returns
    -------
    pandas.DataFrame
        Index = indicator, columns ``median, p05, p95, never`` (``never``: seeds where the
        indicator is NaN, e.g. no integration at all).
    """
    rows = {}
    for name in names:
        if name not in summary.columns:
            continue
        values = pd.to_numeric(summary[name], errors="coerce")
        rows[name] = {
            "median": values.median(),
            "p05": values.quantile(0.05),
            "p95": values.quantile(0.95),
            "never": int(values.isna().sum()),
        }
    return pd.DataFrame.from_dict(rows, orient="index", columns=["median", "p05", "p95", "never"])
