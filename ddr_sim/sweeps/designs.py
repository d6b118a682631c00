"""Design points of a sweep (grids and SALib samples) and the runs with their seeds.

A design point is one combination of parameter values; a run is a design point with one
seed. Sampled designs are drawn by SALib in a *sampling space*: a range parameter is
sampled on ``[low, high]`` (``[log10 low, log10 high]`` with ``scale: log``), a whole-number
parameter on ``[low, high + 1)`` and floored (so each whole number is equally likely), and a
value-list parameter on ``[0, 1)``, cut into equal shares, one per value. The sample matrix in
that space is kept (``sample.parquet``) because SALib's analyses read it back.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.config.experiment import Design, SweepParameter

__all__ = [
    "design_points",
    "design_size",
    "grid_levels",
    "point_settings",
    "run_seed",
    "runs_table",
    "salib_problem",
    "to_value",
]

_INT31 = np.uint32(0x7FFF_FFFF)


def salib_problem(parameters: Sequence[SweepParameter]) -> dict[str, Any]:
    """The SALib problem (names and bounds in the sampling space) of the parameters."""
    bounds = []
    for p in parameters:
        if not p.is_range:
            bounds.append([0.0, 1.0])
            continue
        low, high = float(p.low), float(p.high) + (1.0 if p.integer else 0.0)
        if p.scale == "log":
            low, high = math.log10(low), math.log10(high)
        bounds.append([low, high])
    return {"num_vars": len(parameters), "names": [p.name for p in parameters], "bounds": bounds}


def to_value(parameter: SweepParameter, x: float) -> Any:
    """The parameter value of sampling-space coordinate ``x`` (see the module docstring)."""
    if not parameter.is_range:
        k = len(parameter.values)
        return parameter.values[min(max(int(math.floor(x * k)), 0), k - 1)]
    value = 10.0**x if parameter.scale == "log" else float(x)
    if parameter.integer:
        return int(min(max(math.floor(value), parameter.low), parameter.high))
    return float(min(max(value, parameter.low), parameter.high))


def grid_levels(parameter: SweepParameter) -> list[Any]:
    """The values a grid design takes for one parameter."""
    if not parameter.is_range:
        return list(parameter.values)
    n = int(parameter.levels)
    if parameter.scale == "log":
        levels = np.geomspace(parameter.low, parameter.high, n)
    else:
        levels = np.linspace(parameter.low, parameter.high, n)
    if parameter.integer:
        return [int(round(v)) for v in levels]
    return [float(v) for v in levels]


def design_size(parameters: Sequence[SweepParameter], design: Design) -> int:
    """Number of design points, without drawing them."""
    d = len(parameters)
    if design.method == "grid":
        return math.prod(int(p.levels) if p.is_range else len(p.values) for p in parameters)
    n = int(design.samples)
    if design.method == "lhs":
        return n
    if design.method == "sobol":
        return n * (2 * d + 2 if design.second_order else d + 2)
    return n * (d + 1)  # morris


def sample_matrix(parameters: Sequence[SweepParameter], design: Design) -> np.ndarray | None:
    """The SALib sample (points x parameters, sampling space); None for grid designs."""
    problem = salib_problem(parameters)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        if design.method == "lhs":
            from SALib.sample import latin

            return latin.sample(problem, int(design.samples), seed=design.seed)
        if design.method == "sobol":
            from SALib.sample import sobol

            return sobol.sample(
                problem,
                int(design.samples),
                calc_second_order=design.second_order,
                scramble=True,
                seed=design.seed,
            )
        if design.method == "morris":
            from SALib.sample import morris

            return morris.sample(
                problem, int(design.samples), num_levels=design.levels, seed=design.seed
            )
    return None


def design_points(
    parameters: Sequence[SweepParameter], design: Design
) -> tuple[pd.DataFrame, np.ndarray | None]:
    """The design points and, for sampled designs, the sample in the sampling space.

    Returns
    -------
    points : pandas.DataFrame
        One row per design point (``point`` = row number, from 0): ``point`` and one column
        per parameter with the value the runs use.
    sample : numpy.ndarray or None
        The SALib sample (same row order), None for grid designs.
    """
    names = [p.name for p in parameters]
    if design.method == "grid":
        rows = list(itertools.product(*(grid_levels(p) for p in parameters)))
        sample = None
    else:
        sample = sample_matrix(parameters, design)
        rows = [
            tuple(to_value(p, x) for p, x in zip(parameters, row, strict=True)) for row in sample
        ]
    columns = {"point": np.arange(len(rows), dtype=np.int64)}
    for j, p in enumerate(parameters):
        columns[p.name] = _column([row[j] for row in rows], p)
    points = pd.DataFrame(columns)
    assert list(points.columns[1:]) == names
    return points, sample


def _column(values: list[Any], parameter: SweepParameter) -> Any:
    if parameter.is_range:
        return np.asarray(values, np.int64 if parameter.integer else np.float64)
    return pd.array(values) if any(v is None for v in values) else values


def point_settings(parameters: Sequence[SweepParameter], row: dict[str, Any]) -> list[tuple]:
    """``(scenario path, value)`` pairs that put a scenario at one design point.

    ``row`` maps parameter names to the values of a points/design table row; values read
    back from a table are turned into the exact values of the experiment (whole numbers to
    int, a missing value of a value list to None).
    """
    settings = []
    for p in parameters:
        cell = row[p.name]
        if p.is_range:
            value: Any = int(cell) if p.integer else float(cell)
        else:
            value = _original_value(p.values, cell)
        settings.extend((path, value) for path in p.paths)
    return settings


def _original_value(values: Sequence[Any], cell: Any) -> Any:
    """The value of ``values`` that a table cell holds (bools and None kept apart)."""
    missing = cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell))
    if missing and None in values:
        return None
    is_bool = isinstance(cell, bool | np.bool_)
    for v in values:
        if v is None or missing or isinstance(v, bool) != is_bool:
            continue
        if v == cell:
            return v
    raise ValueError(f"{cell!r} is not one of the values {list(values)}")


def run_seed(root: int, point: int, replication: int, common: bool = False) -> int:
    """The seed of one run: ``SeedSequence(root, spawn_key=(point, replication))``.

    Parameters
    ----------
    root : int
        The experiment's ``seed``.
    point, replication : int
        The design point and the replication (0-based).
    common : bool
        Common random numbers: the key is ``(replication,)`` alone, so every point uses
        the same seed for replication ``r``.

    Returns
    -------
    int
        A non-negative 31-bit integer (the run tables of :mod:`ddr_sim.runs.tables` store
        seeds as int32), the ``seed`` of :class:`ddr_sim.core.model.DDRModel`.
    """
    key = (int(replication),) if common else (int(point), int(replication))
    state = np.random.SeedSequence(int(root), spawn_key=key).generate_state(1, np.uint32)[0]
    return int(state & _INT31)


def runs_table(
    points: pd.DataFrame, replications: int, root: int, common: bool = False
) -> pd.DataFrame:
    """One row per run: ``run_id, point, replication, seed`` and the parameter values.

    ``run_id = point * replications + replication``, so run ids follow the design order.
    """
    n = len(points)
    point = np.repeat(np.arange(n, dtype=np.int64), replications)
    replication = np.tile(np.arange(replications, dtype=np.int64), n)
    seeds = np.fromiter(
        (run_seed(root, p, r, common) for p, r in zip(point, replication, strict=True)),
        dtype=np.int64,
        count=len(point),
    )
    runs = pd.DataFrame(
        {
            "run_id": np.arange(len(point), dtype=np.int64),
            "point": point,
            "replication": replication,
            "seed": seeds,
        }
    )
    params = points.drop(columns="point").iloc[point].reset_index(drop=True)
    return pd.concat([runs, params], axis=1)
