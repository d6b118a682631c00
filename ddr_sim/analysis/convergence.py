"""Do the indices still move? Sobol and Morris indices on growing parts of the sample.

Saltelli's sample is a sequence of base samples, each of ``D + 2`` design points
(``2D + 2`` with second-order indices); its first ``n`` base samples are a complete
Saltelli sample of size ``n`` (for ``n`` a power of two the scrambled Sobol' points stay
balanced). :func:`sobol_convergence` recomputes S1 and ST with their bootstrap intervals
on the first 8, 16, ... base samples up to all of them; indices that still move, or
intervals that are still wide at the full size, call for a larger sample.

A Morris sample is a sequence of trajectories of ``D + 1`` points;
:func:`morris_convergence` recomputes mu*, its interval and sigma on the first 2, 4, ...
trajectories.
"""

from __future__ import annotations

import pandas as pd

from ddr_sim.analysis.results import SweepResults
from ddr_sim.analysis.sensitivity import (
    complete_outputs,
    morris_sample,
    morris_table,
    sobol_table,
)

__all__ = ["MIN_BASE_SAMPLES", "doubling_sizes", "morris_convergence", "sobol_convergence"]

#: The smallest part of a Saltelli sample that is analysed (base samples).
MIN_BASE_SAMPLES = 8


def doubling_sizes(total: int, smallest: int) -> list[int]:
    """``smallest, 2 smallest, 4 smallest, ...`` below ``total``, then ``total``."""
    sizes = []
    size = smallest
    while size < total:
        sizes.append(size)
        size *= 2
    return [*sizes, total]


def sobol_convergence(
    results: SweepResults,
    outcome: str,
    num_resamples: int = 100,
    seed: int = 1,
    smallest: int = MIN_BASE_SAMPLES,
) -> pd.DataFrame:
    """Sobol indices of an outcome on the first 8, 16, ... base samples of the design.

    ``smallest`` is the first size (then doubled up to the full sample).

    Returns
    -------
    pandas.DataFrame
        One row per (size, parameter): ``outcome, N, points, parameter, S1, S1_conf, ST,
        ST_conf`` (``N`` base samples, ``points`` design points used).
    """
    y = complete_outputs(results, outcome)
    second_order = bool(results.manifest["design"].get("second_order"))
    d = len(results.parameter_names)
    step = 2 * d + 2 if second_order else d + 2
    total = len(y) // step
    tables = []
    for n in doubling_sizes(total, min(smallest, total)):
        table, _ = sobol_table(
            results,
            outcome,
            y[: n * step],
            second_order,
            num_resamples=num_resamples,
            seed=seed,
        )
        table.insert(1, "N", n)
        table.insert(2, "points", n * step)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def morris_convergence(
    results: SweepResults, outcome: str, num_resamples: int = 100, seed: int = 1
) -> pd.DataFrame:
    """Morris statistics of an outcome on the first 2, 4, ... trajectories of the design.

    Returns
    -------
    pandas.DataFrame
        One row per (size, parameter): ``outcome, trajectories, parameter, mu, mu_star,
        mu_star_conf, sigma``.
    """
    x = morris_sample(results)
    y = complete_outputs(results, outcome)
    step = len(results.parameter_names) + 1
    total = len(y) // step
    tables = []
    for r in doubling_sizes(total, min(2, total)):
        table = morris_table(
            results,
            outcome,
            x[: r * step],
            y[: r * step],
            num_resamples=num_resamples,
            seed=seed,
        )
        table.insert(1, "trajectories", r)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)
