"""Run totals of the exit options' gate counts: who was offered what, which gate closed it.

Each month the choice records, per exit option (pre-cantonment, cantonment, integration,
reinsertion) and among the people who reconsidered that month, the candidates (people in
a status the option leads from), those offered it, those who chose it and those admitted,
and for the others the first gate that closed it (:data:`ddr_sim.config.recordables.GATES`;
the monthly series ``<option>_<count>`` of the series table). The summary adds them up
over the run as ``<option>_<count>_total``: person-months, a person counting once in each
month they reconsidered.
"""

from __future__ import annotations

from typing import Any

from ddr_sim.config.recordables import EXIT_OPTIONS, GATE_COUNTS, GATE_SERIES, gate_series
from ddr_sim.runs.monthly import SeedTables

__all__ = ["gate_columns", "gate_total"]


def gate_total(option: str, count: str) -> str:
    """Summary column of the run total of ``count`` (``GATE_COUNTS``) for ``option``."""
    return f"{gate_series(option, count)}_total"


def gate_columns(run: SeedTables) -> dict[str, Any]:
    """The run totals of the gate counts (none for tables saved without them)."""
    series = run.series
    if not set(GATE_SERIES) <= set(series.columns):
        return {}
    return {
        gate_total(option, count): int(series[gate_series(option, count)].sum())
        for option in EXIT_OPTIONS
        for count in GATE_COUNTS
    }
