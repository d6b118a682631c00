"""The registry of summary indicators: one entry per column pattern, with its meaning.

Every column of the summary (:func:`ddr_sim.runs.summary.summary_of_tables`) matches one
:class:`Indicator` of :data:`INDICATORS`: a name pattern (``<...>`` marks a part that
varies: a group, region, coalition, year, ``yyyy_mm`` date, status, flow or cost item), a
short label, a meaning, a unit, and whether it is a *headline* indicator (the short
``summary.csv`` and the console table) or a *breakdown* (the long
``summary_breakdowns.csv``; ``by`` names what it is broken down by, empty for a single
figure). The codebook ``docs/OUTPUTS.md`` is generated from it
(:mod:`ddr_sim.runs.codebook`).

Month indices count from the scenario's ``calendar.start`` (month 0); dates are
``YYYY-MM``. Counts recorded for a month are taken at the *end* of that month, and flows
"by" a date include that month. The model's word for a defection is *rejoined*: an
integrated person who rejoins their group.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ddr_sim.runs import indicator_families as families
from ddr_sim.runs.indicator import Indicator
from ddr_sim.runs.indicator_collapse import collapse as collapse_family
from ddr_sim.runs.indicator_gates import gates as gate_family

#: Every family of summary columns. Order matters: a column is described by the first
#: entry whose pattern it matches (specific patterns before ``<coalition>`` ones).
INDICATORS: tuple[Indicator, ...] = (
    *families.run_facts(),
    *families.flow_family(),
    *families.status_and_steps(),
    *families.stalls(),
    *collapse_family(),
    *families.defections(),
    *families.violence_and_lists(),
    *families.launch_and_boycotts(),
    *families.costs_and_ends(),
    *gate_family(),
    *families.coalitions(),
)

#: Headline columns, in the order of the short summary.
HEADLINE: tuple[str, ...] = tuple(i.pattern for i in INDICATORS if i.headline)

#: Headline columns that describe the run rather than measure it (not in the console).
RUN_KEYS: tuple[str, ...] = ("seed", "scenario", "scenario_hash", "start", "end")


def describe(column: str) -> Indicator | None:
    """The registry entry of a summary column (None when no pattern matches)."""
    for indicator in INDICATORS:
        if indicator.regex.match(column):
            return indicator
    return None


def undescribed(columns: Iterable[str]) -> list[str]:
    """Columns no registry entry describes."""
    return [c for c in columns if describe(c) is None]


def headline_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The short summary: the headline columns present in ``summary``, in registry order."""
    return summary[[c for c in HEADLINE if c in summary.columns]]


def breakdown_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Every non-headline column of ``summary`` as a long table.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, column, indicator, by, key, value, unit``: one row per seed and
        column, ``indicator`` the column's pattern, ``by`` what it is broken down by
        (``group``, ``region, coalition``, ``date``, ... or empty) and ``key`` the varying
        part of the name (``kidal_cma``, ``2020_06``).
    """
    columns = [c for c in summary.columns if c not in HEADLINE]
    entries = {c: describe(c) for c in columns}
    rows = []
    for column in columns:
        entry = entries[column]
        for seed, value in zip(summary["seed"], summary[column], strict=True):
            rows.append(
                {
                    "seed": int(seed),
                    "column": column,
                    "indicator": entry.pattern if entry else column,
                    "by": entry.by if entry else "",
                    "key": entry.key(column) if entry else "",
                    "value": value,
                    "unit": entry.unit if entry else "",
                }
            )
    return pd.DataFrame(rows, columns=["seed", "column", "indicator", "by", "key", "value", "unit"])
