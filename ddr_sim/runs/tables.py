"""Turn one finished model into tables (pandas DataFrames), and combine the tables of seeds.

All tables are long ("tidy") and carry the ``seed`` they came from, except the events
table (scenario events are the same for every seed). ``month`` is the month index from the
calendar start (int), ``date`` its ``YYYY-MM`` label. Text columns are pandas categoricals
(stored as dictionary columns in Parquet; plain pandas and pyarrow read them).

Tables
------
counts
    ``seed, month, date, group, coalition, region, status, count``: people holding each
    status at the end of each month, by group and region. **Rows with a zero count are
    left out: an absent combination means 0.** Killed people stay counted (status
    ``killed``), so for each (seed, month) the counts sum to everyone who exists by then.
series
    One row per (seed, month): the model-level series of ``History.SERIES``, ``mean_trust``
    (over the groups that exist), the per-month programme flags and stall clock of
    :func:`ddr_sim.runs.recorded.programme_flags` (``programme_open``, ``exit_open``,
    ``ddr_due``, ``stall_clock``, ...), ``net_into_integrated_reinserted``, ``stall`` (a
    month on the stall clock with ``net_into_integrated_reinserted <= 0``),
    ``accelerated_launch`` (the launch month), ``registration_events`` (events held that
    month) and the cost counters ``cost_<key>`` of ``DDRModel.costs`` (cumulative; NaN
    before the last month when the model does not record them monthly).
group_series
    One row per (seed, month, group) for the groups that exist that month: ``trust,
    hedge, consent_cantonment, consent_ddr, boycotting, fighting, listed, listed_armed``.
flows
    ``seed, month, date, group, coalition, region, flow, count``: people entering a status
    (or events, for ``clashes`` and ``attacks``) in each month, non-zero rows only (absent
    = 0). Extremist attacks belong to no group: their group and coalition are
    ``NO_GROUP``.
groups
    ``seed, slot, group, coalition, signatory, parent, first_month, first_date,
    signed_month, signed_date``: the groups of a run, splinters included (``parent`` is
    the group it split from; a splinter keeps its parent's coalition and signature;
    ``signed_month`` is -1 for a group that never signed).
events
    ``month, date, type, note``: the scenario events as the model applied them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ddr_sim.config.calendar import month_label
from ddr_sim.core.records import FLOW_NAMES, History
from ddr_sim.core.statuses import STATUS_NAMES
from ddr_sim.runs.recorded import (
    cost_counters,
    group_exists,
    month_marks,
    net_into_exits,
    programme_flags,
    recorded_months,
    spec,
)

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

#: Group and coalition of flows that belong to no group (extremist attacks).
NO_GROUP = "(no group)"

#: Flows booked without a group (``Flows.bump_region`` puts them on slot 0).
GROUPLESS_FLOWS = ("attacks",)


def _dates(model: DDRModel, months: int) -> list[str]:
    start = spec(model).calendar.start
    return [month_label(m, start) for m in range(months)]


def _codes(values: np.ndarray, categories: list[str], ordered: bool = False) -> pd.Categorical:
    return pd.Categorical.from_codes(
        values.astype(np.int64), categories=categories, ordered=ordered
    )


def _group_columns(model: DDRModel, slots: np.ndarray) -> dict[str, pd.Categorical]:
    """Group and coalition categoricals for group slot indices (``-1`` = no group)."""
    names = [g.name for g in model.groups]
    coalitions = list(dict.fromkeys(g.coalition for g in model.groups))
    coalition_code = np.array([coalitions.index(g.coalition) for g in model.groups], np.int64)
    slots = np.asarray(slots, np.int64)
    groupless = slots < 0
    group = np.where(groupless, len(names), slots)
    coalition = np.where(groupless, len(coalitions), coalition_code[np.maximum(slots, 0)])
    if groupless.any():
        names, coalitions = [*names, NO_GROUP], [*coalitions, NO_GROUP]
    return {"group": _codes(group, names), "coalition": _codes(coalition, coalitions)}


def counts_table(model: DDRModel, seed: int) -> pd.DataFrame:
    """Status counts by month, group and region (non-zero rows only; absent = 0).

    Parameters
    ----------
    model : DDRModel
        A model after ``run()``.
    seed : int
        Its seed, stored in the ``seed`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, month, date, group, coalition, region, status, count``.
    """
    t = recorded_months(model)
    counts = model.history.counts[:t, : len(model.groups)]
    month, slot, region, status = np.nonzero(counts)
    return pd.DataFrame(
        {
            "seed": np.full(len(month), seed, np.int32),
            "month": month.astype(np.int32),
            "date": _codes(month, _dates(model, t), ordered=True),
            **_group_columns(model, slot),
            "region": _codes(region, list(model.region_names)),
            "status": _codes(status, list(STATUS_NAMES), ordered=True),
            "count": counts[month, slot, region, status].astype(np.int32),
        }
    )


def series_table(model: DDRModel, seed: int) -> pd.DataFrame:
    """Model-level monthly series, programme flags and stall months (one row per month).

    Parameters
    ----------
    model : DDRModel
        A model after ``run()``.
    seed : int
        Its seed, stored in the ``seed`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, month, date``, the ``History.SERIES`` names, ``mean_trust``, the
        flags of :func:`ddr_sim.runs.recorded.programme_flags`,
        ``net_into_integrated_reinserted``, ``stall``, the marks of
        :func:`ddr_sim.runs.recorded.month_marks` and the cost counters of
        :func:`ddr_sim.runs.recorded.cost_counters`.
    """
    t = recorded_months(model)
    h = model.history
    n = len(model.groups)
    exists = group_exists(model)
    trust = np.where(exists, h.group_series["trust"][:t, :n], np.nan)
    flags = programme_flags(model)
    net = net_into_exits(model)
    table = pd.DataFrame(
        {
            "seed": np.full(t, seed, np.int32),
            "month": np.arange(t, dtype=np.int32),
            "date": _codes(np.arange(t), _dates(model, t), ordered=True),
            **{name: h.series[name][:t].astype(float) for name in History.SERIES},
            "mean_trust": np.nanmean(trust, axis=1) if t else np.zeros(0),
            **flags,
            "net_into_integrated_reinserted": net.astype(np.int32),
            "stall": flags["stall_clock"] & (net <= 0),
            **month_marks(model),
            **cost_counters(model),
        }
    )
    return table


def group_series_table(model: DDRModel, seed: int) -> pd.DataFrame:
    """Per-group monthly series, for the groups that exist in each month.

    Parameters
    ----------
    model : DDRModel
        A model after ``run()``.
    seed : int
        Its seed, stored in the ``seed`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, month, date, group, coalition``, the ``History.GROUP_SERIES``
        names (``boycotting`` and ``fighting`` as bool), ``listed`` and ``listed_armed``.
    """
    t = recorded_months(model)
    h = model.history
    n = len(model.groups)
    month, slot = np.nonzero(group_exists(model))
    values: dict[str, np.ndarray] = {
        name: h.group_series[name][:t, :n][month, slot] for name in History.GROUP_SERIES
    }
    for name in ("consent_cantonment", "consent_ddr", "boycotting", "fighting"):
        values[name] = values[name] > 0.5
    return pd.DataFrame(
        {
            "seed": np.full(len(month), seed, np.int32),
            "month": month.astype(np.int32),
            "date": _codes(month, _dates(model, t), ordered=True),
            **_group_columns(model, slot),
            **values,
            "listed": h.listed[:t, :n][month, slot].astype(np.int32),
            "listed_armed": h.listed_armed[:t, :n][month, slot].astype(np.int32),
        }
    )


def flows_table(model: DDRModel, seed: int) -> pd.DataFrame:
    """Monthly flows by group and region (non-zero rows only; absent = 0).

    Parameters
    ----------
    model : DDRModel
        A model after ``run()``.
    seed : int
        Its seed, stored in the ``seed`` column.

    Returns
    -------
    pandas.DataFrame
        Columns ``seed, month, date, group, coalition, region, flow, count``; ``flow`` is one
        of ``ddr_sim.core.records.FLOW_NAMES``.
    """
    t = recorded_months(model)
    n = len(model.groups)
    stacked = np.stack([model.flows.values[name][:t] for name in FLOW_NAMES])
    for i, name in enumerate(FLOW_NAMES):
        if name in GROUPLESS_FLOWS:  # booked on slot 0; move to a "no group" column
            stacked[i, :, 0] = stacked[i].sum(axis=1)
            stacked[i, :, 1:] = 0
    flow, month, slot, region = np.nonzero(stacked[:, :, : max(n, 1)])
    count = stacked[flow, month, slot, region]
    groupless = np.isin(flow, [FLOW_NAMES.index(f) for f in GROUPLESS_FLOWS])
    return pd.DataFrame(
        {
            "seed": np.full(len(month), seed, np.int32),
            "month": month.astype(np.int32),
            "date": _codes(month, _dates(model, t), ordered=True),
            **_group_columns(model, np.where(groupless, -1, slot)),
            "region": _codes(region, list(model.region_names)),
            "flow": _codes(flow, list(FLOW_NAMES)),
            "count": count.astype(np.int32),
        }
    ).sort_values(["month", "flow", "group", "region"], kind="stable", ignore_index=True)


def groups_table(model: DDRModel, seed: int) -> pd.DataFrame:
    """The groups of one run, splinters included, with the month each first existed."""
    exists = group_exists(model)
    first = [
        int(np.argmax(exists[:, i])) if exists[:, i].any() else -1 for i in range(len(model.groups))
    ]
    start = spec(model).calendar.start
    signed = [-1 if g.signed_month is None else int(g.signed_month) for g in model.groups]
    return pd.DataFrame(
        {
            "seed": np.full(len(model.groups), seed, np.int32),
            "slot": np.arange(len(model.groups), dtype=np.int32),
            "group": [g.name for g in model.groups],
            "coalition": [g.coalition for g in model.groups],
            "signatory": [bool(g.signatory) for g in model.groups],
            "parent": [
                None if g.parent is None else model.groups[g.parent].name for g in model.groups
            ],
            "first_month": np.array(first, np.int32),
            "first_date": [month_label(m, start) if m >= 0 else None for m in first],
            "signed_month": np.array(signed, np.int32),
            "signed_date": [month_label(m, start) if m >= 0 else None for m in signed],
        }
    )


def events_table(model: DDRModel) -> pd.DataFrame:
    """The scenario events the model applied: ``month, date, type, note``."""
    events = model.flows.events
    start = spec(model).calendar.start
    return pd.DataFrame(
        {
            "month": np.array([m for m, _, _ in events], np.int32),
            "date": [month_label(m, start) for m, _, _ in events],
            "type": [kind for _, kind, _ in events],
            "note": [note for _, _, note in events],
        }
    )


def combine(tables: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate per-seed tables, keeping text columns categorical.

    Categories are the union over the tables in order of first appearance (splinter
    groups differ between seeds); ``date`` and ``status`` stay ordered.

    Parameters
    ----------
    tables : iterable of pandas.DataFrame
        Tables with the same columns (e.g. ``counts_table`` of several seeds).

    Returns
    -------
    pandas.DataFrame
        One table with a fresh index; empty if there were no tables.
    """
    tables = [t for t in tables if t is not None]
    if not tables:
        return pd.DataFrame()
    categories: dict[str, list] = {}
    ordered: dict[str, bool] = {}
    for table in tables:
        for col in table.columns:
            if isinstance(table[col].dtype, pd.CategoricalDtype):
                seen = categories.setdefault(col, [])
                seen.extend(c for c in table[col].cat.categories if c not in seen)
                ordered[col] = ordered.get(col, False) or table[col].cat.ordered
    out = pd.concat(tables, ignore_index=True)
    for col, cats in categories.items():
        if col == "date":
            cats = sorted(cats)
        out[col] = pd.Categorical(out[col].astype(object), categories=cats, ordered=ordered[col])
    return out


#: The per-seed tables of a run, in the order they are saved.
SEED_TABLES = ("counts", "series", "group_series", "flows", "groups")


def seed_tables(model: DDRModel, seed: int) -> dict[str, pd.DataFrame]:
    """All per-seed tables of one finished model, keyed by :data:`SEED_TABLES` names."""
    return {
        "counts": counts_table(model, seed),
        "series": series_table(model, seed),
        "group_series": group_series_table(model, seed),
        "flows": flows_table(model, seed),
        "groups": groups_table(model, seed),
    }
