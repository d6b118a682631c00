"""Per-seed indicators: one summary row of a finished run, read by calibration and sweeps.

Every indicator is a snake_case column of the summary table; names are stable. Month
indices count from the scenario's ``calendar.start`` (month 0); dates are ``YYYY-MM``.
Counts recorded for a month are taken at the *end* of that month, and flows "by" a date
include that month. Columns whose name carries a date (``integrated_by_2020_06``) exist
only when that date lies inside the calendar; columns named after groups or regions
(``rejoined_group_hills``) exist for the groups and regions of the run.

Columns
-------
seed, months, start, end
    The run: its seed, number of months, first and last month.
people_end, recruited_total, killed_total, groups_end, splits
    Everyone who ever existed (killed included) at the end; recruits and deaths over the
    run; groups at the end, splinters included; how many splinters appeared.
``<flow>_total``, ``<flow>_by_<yyyy_mm>``
    Cumulative flows (people who entered) over the run and up to each checkpoint, for the
    flows in ``CUMULATIVE_FLOWS`` (``cantoned`` is formal cantonment).
reinserted_signatory_total
    Civilian reinsertions of members of signatory groups (and their splinters): the main
    process, without the parallel programme for non-signatory militias.
``stock_<status>_end``, ``stock_<status>_<yyyy_mm>``
    People holding a status at the end and at each checkpoint (``STOCK_STATUSES``).
``first_<step>_month``, ``first_<step>_date``
    First month anyone entered cantonment, pre-cantonment, registration, integration or
    reinsertion (NaN month and empty date when never).
programme_open_months, stall_months, stall_episodes, longest_stall_months
    See :func:`stall_indicators` and :func:`programme_flags`.
``stall_months_by_<yyyy_mm>``
    Stall months up to each checkpoint (that month included).
``rejoined_group_<group>``, ``rejoined_region_<region>``, ``rejoined_<year>``
    Defections after integration by group, by region and by calendar year (partial years
    included; ``rejoined_total`` is the sum). The last year's column is the defections of
    the final collapse in the Mali scenario (``rejoined_2023``: the mission leaves and
    fighting resumes).
clashes_total, attacks_total, ``clashes_<year>``, ``attacks_<year>``, ``clashes_by_<yyyy_mm>``
    Army-group clashes and extremist attacks per calendar year (partial years included);
    clashes up to each checkpoint.
accelerated_launch_month, accelerated_launch_date, registered_at_launch
    When accelerated DDR launched and how many registered in that month.
``listed_<yyyy_mm>``, ``listed_armed_<yyyy_mm>``, listed_end, listed_armed_end
    People on the groups' lists (and those of them armed) at each ``registration`` event
    month and at the end; registration_events counts the events.
boycott_all_month, boycott_all_date, boycott_group_months
    First month every signatory group boycotted the follow-up bodies; group-months of
    boycott over the run.
final_boycott_month, final_boycott_date
    Start of the walk-out that lasts to the end of the run: the first month of the last
    unbroken spell in which every existing group of at least one signatory coalition
    boycotts the follow-up bodies (NaN / None when no coalition does in the last month).
cost_cvr_usd, cost_reinsertion_usd, cost_integration_usd, cost_allowances_kfcfa, \
cost_allowances_usd, cost_sites_usd, cost_assembly_support_usd, cost_moc_usd, \
cost_registration_usd, cost_training_usd
    The model's cost counters at the end (``DDRModel.costs``; see
    ``DDRModel.count_costs``): CVR funds, reinsertion and integration unit costs,
    committee allowances (kFCFA and USD), site construction, support in pre-cantonment
    and cantonment, MOC salaries and support, registration, trainees' pay.
cost_total_usd, ``cost_total_usd_by_<yyyy_mm>``
    Programme cost in USD (the sum of the ``cost_*_usd`` counters) at the end and up to
    each checkpoint.
political_progress_end, mean_trust_end, quota_end
    Final political progress, mean group trust and integration quota.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ddr_sim.config.calendar import month_index, month_label
from ddr_sim.core.statuses import Status
from ddr_sim.runs.collapse import collapse_indicators

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

#: Dates of the domain brief's figures (DOMAIN.md section 5); kept when inside the calendar.
DEFAULT_CHECKPOINTS: tuple[str, ...] = ("2018-03", "2018-11", "2020-06", "2020-12", "2023-02")

#: Flows summed over the run and up to each checkpoint.
CUMULATIVE_FLOWS: tuple[str, ...] = (
    "pre_cantoned",
    "cantoned",
    "moc_assigned",
    "registered",
    "declared_unfit",
    "integrated",
    "reinserted",
    "rejoined",
)

#: Statuses whose head count is reported at the end and at each checkpoint.
STOCK_STATUSES: tuple[Status, ...] = (
    Status.PRE_CANTONED,
    Status.CANTONED,
    Status.MOC,
    Status.TRAINING,
    Status.INTEGRATED,
    Status.REINSERTED,
    Status.UNFIT_WAITING,
    Status.REJOINED,
)

#: First entries reported as ``first_<step>_month`` / ``first_<step>_date``.
FIRST_ENTRIES: dict[str, str] = {
    "pre_cantonment": "pre_cantoned",
    "cantonment": "cantoned",
    "registration": "registered",
    "integration": "integrated",
    "reinsertion": "reinserted",
}

#: Programmes whose opening makes a month without net exits a stall month.
PROGRAMME_FLAGS: tuple[str, ...] = (
    "accelerated_ddr_open",
    "general_integration_open",
    "reinsertion_open",
    "pre_cantonment_open",
    "site_built",
)

#: Indicators the command line prints (median and 5-95 % over seeds).
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

_EXITS = (Status.INTEGRATED, Status.REINSERTED)


def slug(text: str) -> str:
    """A snake_case fragment for a column name (``"Hills-split3"`` -> ``"hills_split3"``)."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_") or "x"


def date_slug(date: str) -> str:
    """``"2020-06"`` -> ``"2020_06"``."""
    return date.replace("-", "_")


# --------------------------------------------------------------------------------------------
# Pure functions on monthly arrays (unit-testable on hand-made tables)


def stall_flags(programme_open: Sequence[bool], net_flow: Sequence[float]) -> np.ndarray:
    """Stall months: some programme is open but nobody net enters integration/reinsertion.

    Parameters
    ----------
    programme_open : sequence of bool
        Per month: is any programme open (accelerated DDR launched, general integration
        open, reinsertion open, pre-cantonment open, or a cantonment site built)?
    net_flow : sequence of float
        Per month: change in the number of signatory-group members integrated or
        reinserted (entries minus exits by rejoining or death); see :func:`net_into_exits`.

    Returns
    -------
    numpy.ndarray of bool
        True in months where a programme is open and ``net_flow <= 0``.
    """
    is_open = np.asarray(programme_open, bool)
    net = np.asarray(net_flow, float)
    if is_open.shape != net.shape:
        raise ValueError(f"programme_open {is_open.shape} and net_flow {net.shape} differ")
    return is_open & (net <= 0)


def episodes(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """Runs of consecutive True values as ``(first index, length)``, in order."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - start))
            start = None
    return runs


def stall_indicators(table: pd.DataFrame) -> dict[str, int]:
    """Stall months, episodes and the longest episode of one run.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per month of one run with columns ``month``, ``programme_open`` (bool) and
        ``net_into_integrated_reinserted`` (the series table of :mod:`ddr_sim.runs.tables`
        has them). Rows are sorted by month first; months must be consecutive.

    Returns
    -------
    dict
        ``programme_open_months``, ``stall_months`` (months open with zero or negative net
        flow of signatory-group members into integrated + reinserted), ``stall_episodes``
        (runs of consecutive stall months) and ``longest_stall_months`` (length of the
        longest run, 0 if none).
    """
    ordered = table.sort_values("month")
    months = ordered["month"].to_numpy()
    if len(months) > 1 and np.any(np.diff(months) != 1):
        raise ValueError("stall_indicators needs one row per consecutive month")
    is_open = ordered["programme_open"].to_numpy(bool)
    flags = stall_flags(is_open, ordered["net_into_integrated_reinserted"].to_numpy(float))
    runs = episodes(flags)
    return {
        "programme_open_months": int(is_open.sum()),
        "stall_months": int(flags.sum()),
        "stall_episodes": len(runs),
        "longest_stall_months": max((n for _, n in runs), default=0),
    }


def first_month(monthly: Sequence[float]) -> int | None:
    """Index of the first positive entry, or None."""
    hits = np.flatnonzero(np.asarray(monthly) > 0)
    return int(hits[0]) if len(hits) else None


def checkpoints_in_calendar(
    checkpoints: Iterable[str] | None, start: str, months: int
) -> list[str]:
    """The checkpoint dates (default :data:`DEFAULT_CHECKPOINTS`) inside the calendar."""
    dates = DEFAULT_CHECKPOINTS if checkpoints is None else tuple(checkpoints)
    kept = [d for d in dates if 0 <= month_index(d, start) < months]
    return sorted(set(kept), key=lambda d: month_index(d, start))


# --------------------------------------------------------------------------------------------
# Reading a finished model


def recorded_months(model: DDRModel) -> int:
    """Months the model has recorded (the whole calendar after ``run()``)."""
    return int(model.month)


def final_spell_start(flags: Sequence[bool]) -> int | None:
    """First month of the run of True that reaches the last month, or None."""
    flags = np.asarray(flags, bool)
    if len(flags) == 0 or not flags[-1]:
        return None
    off = np.flatnonzero(~flags)
    return 0 if len(off) == 0 else int(off[-1]) + 1


def group_exists(model: DDRModel) -> np.ndarray:
    """Bool ``[month, group slot]`` for the groups in ``model.groups``: does it exist yet?"""
    t = recorded_months(model)
    return model.history.group_series["exists"][:t, : len(model.groups)] > 0.5


def programme_flags(model: DDRModel) -> dict[str, np.ndarray]:
    """Per month: which programmes were open, as the model recorded them.

    Returns
    -------
    dict of str to numpy.ndarray of bool
        Keys :data:`PROGRAMME_FLAGS` plus ``programme_open`` (any of them).
    """
    t = recorded_months(model)
    series = model.history.series
    flags = {
        name: series[name][:t] > 0.5
        for name in (
            "accelerated_ddr_open",
            "general_integration_open",
            "reinsertion_open",
            "pre_cantonment_open",
        )
    }
    flags["site_built"] = series["sites_built"][:t] > 0
    flags["programme_open"] = np.logical_or.reduce([flags[k] for k in PROGRAMME_FLAGS])
    return flags


def net_into_exits(model: DDRModel) -> np.ndarray:
    """Per month: change in the number of signatory-group members integrated or reinserted.

    Only groups that signed (and their splinters) count: the parallel programme for
    non-signatory militias is a separate process and does not end a stall of the main one.
    """
    t = recorded_months(model)
    signatory = [g.index for g in model.groups if g.signatory]
    counts = model.history.counts[:t][:, signatory][..., list(_EXITS)]
    stock = counts.sum(axis=(1, 2, 3)).astype(np.int64)
    return np.diff(stock, prepend=0)


def summarize(
    model: DDRModel, seed: int, checkpoints: Iterable[str] | None = None
) -> dict[str, Any]:
    """The summary row of one finished run (see the module docstring for the columns).

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
    sc = model.spec
    start = sc.calendar.start
    t = recorded_months(model)
    n_groups = len(model.groups)
    h = model.history
    flows = {name: v[:t] for name, v in model.flows.values.items()}
    per_month = {name: v.sum(axis=(1, 2)) for name, v in flows.items()}
    stocks = h.counts[:t].sum(axis=(1, 2))  # [month, status]
    dates = checkpoints_in_calendar(checkpoints, start, t)
    label = lambda m: month_label(m, start)  # noqa: E731

    row: dict[str, Any] = {
        "seed": int(seed),
        "months": t,
        "start": label(0) if t else start,
        "end": label(t - 1) if t else start,
        "people_end": int(stocks[-1].sum()) if t else 0,
        "recruited_total": int(per_month["recruited"].sum()),
        "killed_total": int(per_month["killed"].sum()),
        "groups_end": n_groups,
        "splits": n_groups - len(sc.groups),
    }
    for name in CUMULATIVE_FLOWS:
        cum = np.cumsum(per_month[name])
        row[f"{name}_total"] = int(cum[-1]) if t else 0
        for d in dates:
            row[f"{name}_by_{date_slug(d)}"] = int(cum[month_index(d, start)])
    signatory_slots = [i for i, g in enumerate(model.groups) if g.signatory]
    row["reinserted_signatory_total"] = int(flows["reinserted"][:, signatory_slots].sum())
    for status in STOCK_STATUSES:
        s = status.name.lower()
        row[f"stock_{s}_end"] = int(stocks[-1, status]) if t else 0
        for d in dates:
            row[f"stock_{s}_{date_slug(d)}"] = int(stocks[month_index(d, start), status])
    for step, flow in FIRST_ENTRIES.items():
        m = first_month(per_month[flow])
        row[f"first_{step}_month"] = np.nan if m is None else m
        row[f"first_{step}_date"] = None if m is None else label(m)

    flags = programme_flags(model)
    net = net_into_exits(model)
    row.update(
        stall_indicators(
            pd.DataFrame(
                {
                    "month": np.arange(t),
                    "programme_open": flags["programme_open"],
                    "net_into_integrated_reinserted": net,
                }
            )
        )
    )
    stalls = np.cumsum(stall_flags(flags["programme_open"], net))
    for d in dates:
        row[f"stall_months_by_{date_slug(d)}"] = int(stalls[month_index(d, start)])

    rejoined = flows["rejoined"]
    for i, g in enumerate(model.groups):
        row[f"rejoined_group_{slug(g.name)}"] = int(rejoined[:, i].sum())
    for r, name in enumerate(model.region_names):
        row[f"rejoined_region_{slug(name)}"] = int(rejoined[:, :, r].sum())

    years = np.array([int(label(m)[:4]) for m in range(t)], int)
    for name in ("clashes", "attacks"):
        row[f"{name}_total"] = int(per_month[name].sum())
    for year in sorted(set(years.tolist())):
        for name in ("clashes", "attacks"):
            row[f"{name}_{year}"] = int(per_month[name][years == year].sum())
    for year in sorted(set(years.tolist())):
        row[f"rejoined_{year}"] = int(per_month["rejoined"][years == year].sum())
    clashes = np.cumsum(per_month["clashes"])
    for d in dates:
        row[f"clashes_by_{date_slug(d)}"] = int(clashes[month_index(d, start)])

    launched = model.programmes.accelerated_launched
    row["accelerated_launch_month"] = np.nan if launched is None else launched
    row["accelerated_launch_date"] = None if launched is None else label(launched)
    row["registered_at_launch"] = (
        np.nan if launched is None or launched >= t else int(per_month["registered"][launched])
    )

    registration = sorted({m for m in model.programmes.registration_months if 0 <= m < t})
    row["registration_events"] = len(model.programmes.registration_months)
    for m in registration:
        row[f"listed_{date_slug(label(m))}"] = int(h.listed[m, :n_groups].sum())
        row[f"listed_armed_{date_slug(label(m))}"] = int(h.listed_armed[m, :n_groups].sum())
    row["listed_end"] = int(h.listed[t - 1, :n_groups].sum()) if t else 0
    row["listed_armed_end"] = int(h.listed_armed[t - 1, :n_groups].sum()) if t else 0

    exists = group_exists(model)
    signatory = np.array([g.signatory for g in model.groups], bool)
    boycotting = h.group_series["boycotting"][:t, :n_groups] > 0.5
    members = exists & signatory
    all_boycott = members.any(axis=1) & np.all(boycotting | ~members, axis=1)
    m = first_month(all_boycott)
    row["boycott_all_month"] = np.nan if m is None else m
    row["boycott_all_date"] = None if m is None else label(m)
    row["boycott_group_months"] = int((boycotting & exists).sum())
    coalition = np.array([g.coalition for g in model.groups])
    walked_out = np.zeros(t, bool)
    for name in np.unique(coalition[signatory]):
        own = members & (coalition == name)[None, :]
        walked_out |= own.any(axis=1) & np.all(boycotting | ~own, axis=1)
    m = final_spell_start(walked_out)
    row["final_boycott_month"] = np.nan if m is None else m
    row["final_boycott_date"] = None if m is None else label(m)

    for key, value in model.costs.items():
        row[f"cost_{slug(key)}"] = float(value)
    row["cost_total_usd"] = float(model.cost_total_usd())
    cost = h.series["cost_usd"][:t]
    for d in dates:
        row[f"cost_total_usd_by_{date_slug(d)}"] = float(cost[month_index(d, start)])
    if t:
        trust = h.group_series["trust"][t - 1, :n_groups][exists[-1]]
        row["political_progress_end"] = float(h.series["political_progress"][t - 1])
        row["mean_trust_end"] = float(trust.mean()) if len(trust) else np.nan
        row["quota_end"] = float(h.series["quota"][t - 1])
    coalition = [g.coalition for g in model.groups]
    row.update(
        collapse_indicators(
            h.counts[:t, :, :, Status.INTEGRATED],
            flows["rejoined"],
            flows["integrated"],
            coalition,
            model.region_names,
            [label(m) for m in range(t)],
            slug,
        )
    )
    return row


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
