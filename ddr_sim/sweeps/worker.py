"""What a sweep's worker does: run a batch of runs and keep the experiment's outcomes.

For each run, the resolved base scenario with the run's settings is validated,
``DDRModel(scenario, seed).run()`` is run and the experiment's outcomes (from
:func:`ddr_sim.runs.indicators.summarize`) and series are returned. A run that raises is
recorded as failed with its error. A run is a pure function of ``(scenario, settings,
seed)``, so the results do not depend on the worker it ran on.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ddr_sim.config.experiment import apply_settings
from ddr_sim.runs.finite import check_finite
from ddr_sim.sweeps.store import SUCCEEDED, RunRecord

__all__ = ["Batch", "BatchResult", "RunSpec", "run_batch"]


@dataclass(frozen=True)
class RunSpec:
    """One run: its id, seed and ``(scenario path, value)`` settings."""

    run_id: int
    seed: int
    settings: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Batch:
    """Runs sent to a worker together, with what to keep of them."""

    scenario: dict[str, Any]
    runs: tuple[RunSpec, ...]
    outcomes: tuple[str, ...]
    checkpoints: tuple[str, ...] | None
    series_variables: tuple[str, ...] = ()
    series_months: tuple[int, ...] = ()
    columns: bool = False


@dataclass
class BatchResult:
    """The records of a batch; with ``columns``, the summary columns and their kinds."""

    records: list[RunRecord]
    columns: dict[str, str] | None = None


def _kind(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "number"
    if isinstance(value, int | float | np.integer | np.floating):
        return "number"
    return "text"


def _number(value: Any) -> float:
    if value is None or isinstance(value, str):
        return math.nan
    return float(value)


def _series(model: Any, seed: int, variables: Sequence[str], months: Sequence[int]) -> list:
    from ddr_sim.runs.tables import series_table

    months = [m for m in months if m < int(model.month)]
    table = series_table(model, seed).set_index("month")
    counts = model.history.counts[months].sum(axis=(1, 2))  # [month, status]
    from ddr_sim.core.statuses import STATUS_NAMES

    rows = []
    for i, m in enumerate(months):
        row = []
        for name in variables:
            if name.startswith("stock_"):
                row.append(float(counts[i, STATUS_NAMES.index(name.removeprefix("stock_"))]))
            else:
                row.append(float(table.at[m, name]))
        rows.append(row)
    return rows


def run_batch(batch: Batch) -> BatchResult:
    """Run every run of a batch (on a worker); a run that raises is recorded as failed.

    Parameters
    ----------
    batch : Batch

    Returns
    -------
    BatchResult
        One record per run, in batch order; with ``batch.columns``, the summary columns of
        the first run that succeeded (name -> ``"number"`` or ``"text"``).
    """
    from ddr_sim.core.model import DDRModel
    from ddr_sim.runs.indicators import summarize

    records: list[RunRecord] = []
    columns: dict[str, str] | None = None
    for spec in batch.runs:
        t0 = time.perf_counter()
        try:
            scenario = apply_settings(batch.scenario, spec.settings)
            model = DDRModel(scenario, seed=spec.seed).run()
            check_finite(model)  # no NaN, infinity or overflowed count leaves a run
            row = summarize(model, spec.seed, batch.checkpoints)
            outcomes = [_number(row.get(name)) for name in batch.outcomes]
            series = (
                _series(model, spec.seed, batch.series_variables, batch.series_months)
                if batch.series_variables
                else None
            )
            del model
        except Exception as err:  # a failed run is recorded; the sweep goes on
            duration = time.perf_counter() - t0
            records.append(
                RunRecord(run_id=spec.run_id, duration_s=duration, **RunRecord.failure(err))
            )
            continue
        if batch.columns and columns is None:
            columns = {name: _kind(value) for name, value in row.items()}
        records.append(
            RunRecord(
                run_id=spec.run_id,
                status=SUCCEEDED,
                duration_s=time.perf_counter() - t0,
                outcomes=outcomes,
                series=series,
            )
        )
    return BatchResult(records, columns)
