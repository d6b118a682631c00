"""The kept monthly series by outcome class: envelopes, and when stalls begin.

* :func:`envelopes`: per class of the experiment (and the runs in none of them), the
  median and the 10th-90th percentile band of each kept series variable, month by month.
* :func:`stall_onsets`: the month each run's longest stall begins, read from the kept
  ``stall`` series (1 in a stall month): the first kept month of the longest run of
  consecutive kept months in stall. Its precision is the spacing of the kept months
  (``series: every:`` in the experiment file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ddr_sim.analysis.results import SweepResults, class_label, class_membership

__all__ = ["NO_CLASS", "envelopes", "run_groups", "stall_onsets"]

NO_CLASS = "none of the classes"
QUANTILES = (0.1, 0.5, 0.9)


def run_groups(results: SweepResults) -> dict[str, pd.Series]:
    """Run ids per class label (a run may be in several), and those in no class."""
    ids = results.outcomes["run_id"]
    groups: dict[str, pd.Series] = {}
    anywhere = pd.Series(False, index=results.outcomes.index)
    for name in results.classes:
        member = class_membership(results, name)
        anywhere |= member
        groups[class_label(results, name)] = ids[member]
    if results.classes:
        groups[NO_CLASS] = ids[~anywhere]
    else:
        groups["all runs"] = ids
    return groups


def envelopes(results: SweepResults, series: pd.DataFrame | None = None) -> pd.DataFrame:
    """Median and 10-90 % band of each kept series variable, per class and month.

    Returns
    -------
    pandas.DataFrame
        ``group, variable, month, date, runs, mean, q10, median, q90`` (empty without
        series); for a 0/1 variable such as ``stall`` the mean is the share of runs.
    """
    series = results.series() if series is None else series
    variables = [v for v in results.series_variables if v in series.columns]
    frames = []
    for label, ids in run_groups(results).items():
        part = series[series["run_id"].isin(ids)]
        if part.empty:
            continue
        for variable in variables:
            grouped = part.groupby(["month", "date"])[variable]
            table = grouped.quantile(list(QUANTILES)).unstack()
            table.columns = ["q10", "median", "q90"]
            table.insert(0, "mean", grouped.mean())
            table.insert(0, "runs", grouped.size())
            table = table.reset_index()
            table.insert(0, "variable", variable)
            table.insert(0, "group", label)
            frames.append(table)
    columns = ["group", "variable", "month", "date", "runs", "mean", "q10", "median", "q90"]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )


def _longest_start(months: np.ndarray, flags: np.ndarray) -> float:
    best_len, best_start, length, start = 0, np.nan, 0, np.nan
    for month, flag in zip(months, flags, strict=True):
        if flag > 0:
            if length == 0:
                start = month
            length += 1
            if length > best_len:
                best_len, best_start = length, start
        else:
            length = 0
    return float(best_start)


def stall_onsets(results: SweepResults, series: pd.DataFrame | None = None) -> pd.DataFrame:
    """The month each run's longest stall begins (kept months only).

    Returns
    -------
    pandas.DataFrame
        ``run_id, onset_month, onset_date`` (NaN / empty for runs never in stall at a kept
        month), one row per succeeded run; empty when the sweep kept no ``stall`` series.
    """
    columns = ["run_id", "onset_month", "onset_date"]
    series = results.series() if series is None else series
    if "stall" not in series.columns or series.empty:
        return pd.DataFrame(columns=columns)
    dates = dict(zip(series["month"], series["date"], strict=False))
    rows = []
    for run_id, part in series.sort_values(["run_id", "month"]).groupby("run_id"):
        onset = _longest_start(part["month"].to_numpy(), part["stall"].to_numpy(float))
        rows.append([run_id, onset, dates.get(onset, "") if np.isfinite(onset) else ""])
    return pd.DataFrame(rows, columns=columns)


def kept_spacing(series: pd.DataFrame) -> int:
    """The most common number of months between kept months (the onsets' precision)."""
    months = np.unique(series["month"].to_numpy())
    if len(months) < 2:
        return 1
    gaps, counts = np.unique(np.diff(months), return_counts=True)
    return int(gaps[np.argmax(counts)])
