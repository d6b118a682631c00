"""Tables over two (or more) parameters: heatmaps and dimensional stacking.

* :func:`heatmap_table`: an outcome's statistic (median or mean over the runs in a cell:
  seeds and, for designs with more parameters, the other parameters) or the share of
  runs in a class, over two parameters. Parameters with many distinct values (sampled
  designs) are cut into bins; the number of bins comes from the number of design points
  (:func:`bins_for`), so that a cell holds about :data:`POINTS_PER_CELL` points.
* :func:`stacked_table`: dimensional stacking (EMA Workbench's pivot of discretised
  parameters): a class's share of runs over up to four parameters, two nested on each
  axis, the most important outermost.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ddr_sim.analysis.results import (
    AnalysisError,
    SweepResults,
    check_outcome,
    class_membership,
    clean_number,
)

__all__ = [
    "MAX_LEVELS",
    "POINTS_PER_CELL",
    "axis_edges",
    "bin_centres",
    "bins_for",
    "heatmap_table",
    "stacked_table",
]

#: Parameters with more distinct values than this are binned in heatmaps.
MAX_LEVELS = 12
#: Design points a heatmap cell of a sampled design should hold on average.
POINTS_PER_CELL = 5
#: Bins per axis at most.
MAX_BINS = 8


def bins_for(n_points: int, axes: int = 2) -> int:
    """Bins per axis so that a cell holds about POINTS_PER_CELL points (2 to MAX_BINS)."""
    per_axis = (max(n_points, 1) / POINTS_PER_CELL) ** (1 / axes)
    return int(min(MAX_BINS, max(2, math.floor(per_axis))))


def axis_edges(results: SweepResults, name: str, bins: int) -> np.ndarray:
    """Bin edges of a binned parameter (geometric for log-scale parameters)."""
    par = results.parameter(name)
    low, high = float(par["low"]), float(par["high"])
    if par.get("scale") == "log":
        return np.geomspace(low, high, bins + 1)
    return np.linspace(low, high, bins + 1)


def is_binned(values: pd.Series) -> bool:
    """Whether a parameter's values are cut into bins rather than shown level by level."""
    return pd.api.types.is_numeric_dtype(values) and values.nunique() > MAX_LEVELS


def bin_centres(results: SweepResults, name: str, bins: int) -> list[float]:
    """The centres of a binned parameter's bins (geometric for log-scale parameters)."""
    edges = axis_edges(results, name, bins)
    if results.parameter(name).get("scale") == "log":
        centres = np.sqrt(edges[:-1] * edges[1:])
    else:
        centres = (edges[:-1] + edges[1:]) / 2
    return [clean_number(float(f"{c:.4g}")) for c in centres]


def _axis(results: SweepResults, data: pd.DataFrame, name: str, bins: int) -> pd.Series:
    """Axis values per run: the parameter's values, or bin centres when it has many."""
    values = data[name]
    if not is_binned(values):
        return values.map(clean_number)
    edges = axis_edges(results, name, bins)
    centres = np.array(bin_centres(results, name, bins))
    which = np.clip(np.searchsorted(edges, values.to_numpy(float), side="right") - 1, 0, bins - 1)
    return pd.Series(centres[which], index=values.index)


def _target(
    results: SweepResults, outcome: str | None, class_name: str | None, statistic: str
) -> tuple[pd.Series, str]:
    if class_name is not None:
        return class_membership(results, class_name).astype(float), "mean"
    if outcome is None:
        raise AnalysisError("a heatmap needs an outcome or a class")
    check_outcome(results, outcome)
    return results.outcomes[outcome].astype(float), statistic


def heatmap_table(
    results: SweepResults,
    x: str,
    y: str,
    outcome: str | None = None,
    class_name: str | None = None,
    statistic: str = "median",
    bins: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An outcome's statistic (or a class's share of runs) over two parameters.

    Parameters
    ----------
    bins : int, optional
        Bins per axis for many-valued parameters (default: :func:`bins_for` the number
        of design points).

    Returns
    -------
    values : pandas.DataFrame
        Rows: values of ``y`` (ascending); columns: values of ``x`` (bin centres when
        binned).
    counts : pandas.DataFrame
        Runs per cell.
    """
    for name in (x, y):
        results.parameter(name)
    data = results.outcomes
    z, stat = _target(results, outcome, class_name, statistic)
    bins = bins or bins_for(int(results.manifest["points"]))
    frame = pd.DataFrame(
        {"x": _axis(results, data, x, bins), "y": _axis(results, data, y, bins), "z": z}
    )
    grouped = frame.groupby(["y", "x"])["z"]
    values = grouped.agg(stat).unstack("x").sort_index()
    counts = grouped.size().unstack("x").sort_index()
    if is_binned(data[x]):  # every bin, also empty ones, so that cells match the edges
        values = values.reindex(columns=bin_centres(results, x, bins))
        counts = counts.reindex(columns=values.columns)
    if is_binned(data[y]):
        values = values.reindex(bin_centres(results, y, bins))
        counts = counts.reindex(values.index)
    values.index.name, values.columns.name = y, x
    counts.index.name, counts.columns.name = y, x
    return values, counts


def stacked_table(
    results: SweepResults, class_name: str, order: list[str], levels: int = 2, bins: int = 3
) -> pd.DataFrame:
    """Dimensional stacking: a class's share of runs over up to ``2 * levels`` parameters.

    Parameters
    ----------
    order : list of str
        Parameters, most important first (e.g. by feature score); the 1st, 3rd, ... go
        on the rows, the 2nd, 4th, ... on the columns, outermost first.
    levels : int
        Parameters nested on each axis.
    bins : int
        Bins of many-valued parameters (grid levels are kept as they are).

    Returns
    -------
    pandas.DataFrame
        A pivot table (MultiIndex rows and columns) of shares in [0, 1].
    """
    chosen = order[: 2 * levels]
    if len(chosen) < 2:
        raise AnalysisError("dimensional stacking needs at least two parameters")
    data = results.outcomes
    frame = pd.DataFrame({name: _axis(results, data, name, bins) for name in chosen})
    frame["share"] = class_membership(results, class_name).astype(float)
    return pd.pivot_table(
        frame,
        values="share",
        index=chosen[0::2],
        columns=chosen[1::2],
        aggfunc="mean",
        dropna=False,
        observed=False,
    )
