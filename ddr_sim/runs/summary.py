"""The summary row of one run, computed from its recorded tables alone.

:func:`summary_of_tables` reads the per-seed tables of :mod:`ddr_sim.runs.tables`
(``counts, series, group_series, flows, groups``) and nothing else, so a summary can be
recomputed from a saved run folder (:mod:`ddr_sim.runs.summary_files`). The columns are
described in :mod:`ddr_sim.runs.registry` (and in the generated ``docs/OUTPUTS.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.runs.breakdowns import coalition_columns
from ddr_sim.runs.collapse import collapse_columns
from ddr_sim.runs.gates import gate_columns
from ddr_sim.runs.monthly import SeedTables
from ddr_sim.runs.naming import (
    CUMULATIVE_FLOWS,
    FIRST_ENTRIES,
    STOCK_STATUSES,
    checkpoints_in_calendar,
    date_slug,
    slug,
)
from ddr_sim.runs.stalls import final_spell_start, first_month, stall_flags, stall_indicators


def _or_nan(month: int | None) -> float | int:
    return np.nan if month is None else month


def _run_columns(run: SeedTables) -> dict[str, Any]:
    t = run.months
    groups = run.groups
    return {
        "seed": run.seed,
        "months": t,
        "start": run.label(0),
        "end": run.label(t - 1),
        "people_end": int(run.stocks[-1].sum()) if t else 0,
        "recruited_total": int(run.flow("recruited").sum()),
        "killed_total": int(run.flow("killed").sum()),
        "groups_end": len(groups),
        "splits": int(groups["parent"].notna().sum()),
    }


def _flow_columns(run: SeedTables, dates: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in CUMULATIVE_FLOWS:
        cum = np.cumsum(run.flow(name))
        row[f"{name}_total"] = int(cum[-1]) if run.months else 0
        for d in dates:
            row[f"{name}_by_{date_slug(d)}"] = int(cum[run.index(d)])
    row["reinserted_signatory_total"] = int(run.by_group("reinserted")[run.signatory].sum())
    for status in STOCK_STATUSES:
        s = status.name.lower()
        column = run.stocks[:, status]
        row[f"stock_{s}_end"] = int(column[-1]) if run.months else 0
        for d in dates:
            row[f"stock_{s}_{date_slug(d)}"] = int(column[run.index(d)])
    for step, flow in FIRST_ENTRIES.items():
        m = first_month(run.flow(flow))
        row[f"first_{step}_month"] = _or_nan(m)
        row[f"first_{step}_date"] = run.label(m)
    return row


def _stall_columns(run: SeedTables, dates: list[str]) -> dict[str, Any]:
    series = run.series
    clock = series["stall_clock"].to_numpy(bool)
    start = first_month(clock)
    row: dict[str, Any] = {
        "programme_open_months": int(series["programme_open"].to_numpy(bool).sum()),
        "stall_clock_start_month": _or_nan(start),
        "stall_clock_start_date": run.label(start),
    }
    row.update(stall_indicators(series))
    stalls = np.cumsum(stall_flags(clock, series["net_into_integrated_reinserted"]))
    for d in dates:
        row[f"stall_months_by_{date_slug(d)}"] = int(stalls[run.index(d)])
    return row


def _defection_and_violence_columns(run: SeedTables, dates: list[str]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    rejoined = run.by_group("rejoined")
    for name, value in zip(run.groups["group"], rejoined, strict=True):
        row[f"rejoined_group_{slug(name)}"] = int(value)
    for name, value in zip(run.regions, run.by_region("rejoined"), strict=True):
        row[f"rejoined_region_{slug(name)}"] = int(value)
    years = np.array([int(run.label(m)[:4]) for m in range(run.months)], int)
    for name in ("clashes", "attacks"):
        row[f"{name}_total"] = int(run.flow(name).sum())
    for year in sorted(set(years.tolist())):
        for name in ("clashes", "attacks"):
            row[f"{name}_{year}"] = int(run.flow(name)[years == year].sum())
    for year in sorted(set(years.tolist())):
        row[f"rejoined_{year}"] = int(run.flow("rejoined")[years == year].sum())
    clashes = np.cumsum(run.flow("clashes"))
    for d in dates:
        row[f"clashes_by_{date_slug(d)}"] = int(clashes[run.index(d)])
    return row


def _programme_columns(run: SeedTables) -> dict[str, Any]:
    series = run.series
    launched = first_month(series["accelerated_launch"].to_numpy(bool))
    registered = run.flow("registered")
    row: dict[str, Any] = {
        "accelerated_launch_month": _or_nan(launched),
        "accelerated_launch_date": run.label(launched),
        "registered_at_launch": np.nan if launched is None else int(registered[launched]),
    }
    events = series["registration_events"].to_numpy(np.int64)
    row["registration_events"] = int(events.sum())
    listed = run.per_group_month("listed")
    armed = run.per_group_month("listed_armed")
    for m in np.flatnonzero(events > 0):
        row[f"listed_{date_slug(run.label(m))}"] = int(listed[m])
        row[f"listed_armed_{date_slug(run.label(m))}"] = int(armed[m])
    row["listed_end"] = int(listed[-1]) if run.months else 0
    row["listed_armed_end"] = int(armed[-1]) if run.months else 0
    return row


def _boycott_columns(run: SeedTables) -> dict[str, Any]:
    gs = run.group_series
    slot = run.group_slot(gs["group"])
    signatory = run.signatory[slot]
    boycotting = gs["boycotting"].to_numpy(bool)
    month = gs["month"].to_numpy(np.int64)

    def everyone_boycotts(rows: np.ndarray) -> np.ndarray:
        """Per month: some of ``rows`` exist and all of them boycott."""
        present = np.bincount(month[rows], minlength=run.months)[: run.months]
        out = np.bincount(month[rows & boycotting], minlength=run.months)[: run.months]
        return (present > 0) & (out == present)

    m = first_month(everyone_boycotts(signatory))
    row: dict[str, Any] = {
        "boycott_all_month": _or_nan(m),
        "boycott_all_date": run.label(m),
        "boycott_group_months": int(boycotting.sum()),
    }
    coalition = run.groups["coalition"].astype(str).to_numpy(object)[slot]
    walked_out = np.zeros(run.months, bool)
    for name in sorted(set(coalition[signatory].tolist())):
        walked_out |= everyone_boycotts(signatory & (coalition == name))
    m = final_spell_start(walked_out)
    row["final_boycott_month"] = _or_nan(m)
    row["final_boycott_date"] = run.label(m)
    return row


def _end_columns(run: SeedTables, dates: list[str]) -> dict[str, Any]:
    series = run.series
    row: dict[str, Any] = {}
    for column in run.cost_counters:
        row[f"cost_{slug(column.removeprefix('cost_'))}"] = float(series[column].iloc[-1])
    cost = series["cost_usd"].to_numpy(float)
    row["cost_total_usd"] = float(cost[-1]) if run.months else 0.0
    for d in dates:
        row[f"cost_total_usd_by_{date_slug(d)}"] = float(cost[run.index(d)])
    if run.months:
        last = run.group_series[run.group_series["month"] == run.months - 1]
        trust = last["trust"].to_numpy(float)
        row["political_progress_end"] = float(series["political_progress"].iloc[-1])
        row["mean_trust_end"] = float(trust.mean()) if len(trust) else np.nan
        row["quota_end"] = float(series["quota"].iloc[-1])
    return row


def summary_of_tables(
    tables: Mapping[str, pd.DataFrame], checkpoints: Iterable[str] | None = None
) -> dict[str, Any]:
    """The summary row of one run from its tables (see :mod:`ddr_sim.runs.registry`).

    Parameters
    ----------
    tables : mapping of str to pandas.DataFrame
        One seed's ``counts, series, group_series, flows, groups`` tables
        (:func:`ddr_sim.runs.tables.seed_tables`, or one seed's rows of a saved run).
    checkpoints : iterable of str, optional
        ``YYYY-MM`` dates for the ``_by_`` and stock columns; default
        :data:`ddr_sim.runs.naming.DEFAULT_CHECKPOINTS`. Dates outside the calendar are
        skipped.

    Returns
    -------
    dict
        Indicator name -> value (ints, floats, NaN or date strings; None for no date).
    """
    run = SeedTables.of(tables)
    dates = checkpoints_in_calendar(checkpoints, run.label(0), run.months) if run.months else []
    row = _run_columns(run)
    row.update(_flow_columns(run, dates))
    row.update(_stall_columns(run, dates))
    row.update(_defection_and_violence_columns(run, dates))
    row.update(_programme_columns(run))
    row.update(_boycott_columns(run))
    row.update(_end_columns(run, dates))
    row.update(coalition_columns(run))
    row.update(collapse_columns(run))
    row.update(gate_columns(run))
    return row


def summary_frame(rows: list[dict], scenario: str, scenario_hash: str) -> pd.DataFrame:
    """One row per seed, with the scenario's name and hash as columns 2 and 3.

    Group columns missing in a seed (splinters of other seeds) mean 0.
    """
    summary = pd.DataFrame(rows)
    if summary.empty:
        return summary
    per_group = [c for c in summary.columns if c.startswith("rejoined_group_")]
    summary[per_group] = summary[per_group].fillna(0).astype("int64")
    summary.insert(1, "scenario", scenario)
    summary.insert(2, "scenario_hash", scenario_hash)
    return summary
