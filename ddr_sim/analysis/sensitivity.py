"""Sobol and Morris indices of a sweep's outcomes (SALib), with their warnings.

* **Sobol** (designs ``sobol``) and **Morris** (designs ``morris``) indices come from
  ``SALib.analyze.sobol.analyze`` and ``SALib.analyze.morris.analyze``, with bootstrap
  confidence intervals (half-widths at ``conf_level``). The model is stochastic: the
  output of a design point is the mean of the outcome over its replications, and
  :func:`~ddr_sim.analysis.results.noise_share` says how much of the runs' variance is
  seed noise within points.
* :func:`index_warnings` flags what a reader should not take at face value: S1 above ST,
  an index negative beyond its interval, an interval wider than :data:`WIDE`.
* :func:`reliability_notes` flags outcomes whose indices mean little (seed noise
  dominates, or almost every point gives the same value).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.analysis.results import (
    AnalysisError,
    SweepResults,
    noise_share,
    point_means,
)

__all__ = [
    "NEARLY_CONSTANT",
    "NOISY",
    "WIDE",
    "index_text",
    "index_warnings",
    "morris_indices",
    "reliability_notes",
    "salib_problem",
    "sobol_indices",
]

#: Above this share of seed noise in the variance over runs, indices are flagged unreliable.
NOISY = 0.5
#: Above this share of design points with the same output, indices are flagged unreliable.
NEARLY_CONSTANT = 0.9
#: A Sobol index whose 95 % interval is wider than this (in full) is flagged imprecise.
WIDE = 0.1


def salib(method: str) -> Any:
    """``SALib.analyze.<method>``, or an AnalysisError saying how to install it."""
    try:
        return importlib.import_module(f"SALib.analyze.{method}")
    except ImportError as err:
        raise AnalysisError(
            "sensitivity indices need SALib: install the analysis extra "
            "(pip install 'ddr-sim[analysis]')"
        ) from err


def salib_problem(results: SweepResults) -> dict[str, Any]:
    """The SALib problem stored with the sweep."""
    problem = dict(results.manifest["salib_problem"])
    problem["bounds"] = [list(b) for b in problem["bounds"]]
    return problem


def complete_outputs(results: SweepResults, outcome: str) -> np.ndarray:
    """Each design point's output (mean over replications); every point must have one."""
    y = point_means(results, outcome)
    missing = int(y.isna().sum())
    if missing:
        raise AnalysisError(
            f"{outcome}: {missing} of {len(y)} design points have no succeeded run; the "
            f"indices need every point (finish the sweep, or --retry-failed)"
        )
    values = y.to_numpy(float)
    if np.nanstd(values) == 0:
        raise AnalysisError(f"{outcome} is constant over the design; no index can be computed")
    return values


def sobol_table(
    results: SweepResults, outcome: str, y: np.ndarray, second_order: bool, **bootstrap: Any
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """SALib's Sobol analysis of outputs ``y`` as a table (one row per parameter)."""
    sobol = salib("sobol")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = sobol.analyze(salib_problem(results), y, calc_second_order=second_order, **bootstrap)
    table = pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": results.parameter_names,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )
    return table, si


def sobol_indices(
    results: SweepResults,
    outcome: str,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First-order and total Sobol indices of an outcome (SALib), with confidence intervals.

    Parameters
    ----------
    results : SweepResults
        A sweep with a ``sobol`` design.
    outcome : str
        One of its outcomes; each point's value is the mean over its replications.
    num_resamples, conf_level, seed
        Bootstrap settings of ``SALib.analyze.sobol.analyze`` (a positive seed: SALib
        leaves the bootstrap unseeded for 0, and the intervals would vary between calls).

    Returns
    -------
    first_total : pandas.DataFrame
        One row per parameter: ``parameter, S1, S1_conf, ST, ST_conf`` (``_conf`` is the
        half-width of the ``conf_level`` interval).
    second : pandas.DataFrame or None
        With ``second_order: true``: ``parameter_1, parameter_2, S2, S2_conf``.
    """
    if results.method != "sobol":
        raise AnalysisError(f"Sobol indices need a sobol design (this sweep is {results.method})")
    y = complete_outputs(results, outcome)
    second_order = bool(results.manifest["design"].get("second_order"))
    first_total, si = sobol_table(
        results,
        outcome,
        y,
        second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=seed,
    )
    if not second_order:
        return first_total, None
    names = results.parameter_names
    rows = [
        {
            "outcome": outcome,
            "parameter_1": names[i],
            "parameter_2": names[j],
            "S2": si["S2"][i, j],
            "S2_conf": si["S2_conf"][i, j],
        }
        for i in range(len(names))
        for j in range(i + 1, len(names))
    ]
    return first_total, pd.DataFrame(rows)


def morris_table(
    results: SweepResults, outcome: str, x: np.ndarray, y: np.ndarray, **bootstrap: Any
) -> pd.DataFrame:
    """SALib's Morris analysis of a sample ``x`` and outputs ``y`` as a table."""
    morris = salib("morris")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        si = morris.analyze(
            salib_problem(results),
            x,
            y,
            num_levels=int(results.manifest["design"]["levels"]),
            **bootstrap,
        )
    return pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": results.parameter_names,
            "mu": np.asarray(si["mu"], float),
            "mu_star": np.asarray(si["mu_star"], float),
            "mu_star_conf": np.asarray(si["mu_star_conf"], float),
            "sigma": np.asarray(si["sigma"], float),
        }
    )


def morris_sample(results: SweepResults) -> np.ndarray:
    """The Morris sample (one row per design point, in point order)."""
    if results.method != "morris":
        raise AnalysisError(f"Morris indices need a morris design (this sweep is {results.method})")
    if results.sample is None:
        raise AnalysisError("the sweep folder has no sample.parquet")
    return results.sample.sort_values("point")[results.parameter_names].to_numpy(float)


def morris_indices(
    results: SweepResults,
    outcome: str,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 1,
) -> pd.DataFrame:
    """Morris elementary-effect statistics of an outcome (SALib), with confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter, mu, mu_star, mu_star_conf, sigma``. Effects
        are per unit of the sampling space (log10 for log-scale parameters, the unit
        interval for value lists).
    """
    x = morris_sample(results)
    y = complete_outputs(results, outcome)
    return morris_table(
        results, outcome, x, y, num_resamples=num_resamples, conf_level=conf_level, seed=seed
    )


def index_warnings(table: pd.DataFrame) -> list[str]:
    """What a reader should not take at face value in one outcome's Sobol indices.

    S1 above ST (the first-order effect cannot exceed the total: sampling error), an index
    negative beyond its interval (index + half-width < 0), and intervals wider than
    :data:`WIDE` in full.
    """
    found = []
    above = table[table["S1"] > table["ST"]]
    if len(above):
        names = ", ".join(f"{r.parameter} ({r.S1:.2f} > {r.ST:.2f})" for r in above.itertuples())
        found.append(f"S1 > ST for {names}: sampling error; increase samples")
    for column in ("S1", "ST"):
        negative = table[table[column] + table[f"{column}_conf"] < 0]
        if len(negative):
            names = ", ".join(
                f"{r.parameter} ({getattr(r, column):.2f})" for r in negative.itertuples()
            )
            found.append(f"{column} negative beyond its interval for {names}")
    widest = max(table["S1_conf"].max(), table["ST_conf"].max()) * 2
    if widest > WIDE:
        n_wide = int(((table[["S1_conf", "ST_conf"]] * 2) > WIDE).to_numpy().sum())
        found.append(
            f"{n_wide} of {2 * len(table)} intervals are wider than {WIDE} (widest "
            f"{widest:.2f}): increase samples"
        )
    return found


def reliability_notes(results: SweepResults, outcome: str) -> list[str]:
    """Warnings about an outcome's indices: seed noise dominates, or nearly constant."""
    notes = []
    noise = noise_share(results, outcome)
    if np.isfinite(noise) and noise >= NOISY:
        notes.append(
            f"seed noise is {noise:.0%} of the variance over runs: these indices are "
            f"unreliable; add replications"
        )
    means = point_means(results, outcome).dropna()
    if len(means):
        modal = means.value_counts(normalize=True).iloc[0]
        if modal >= NEARLY_CONSTANT:
            notes.append(
                f"{modal:.1%} of the design points give the same value: these indices are "
                f"unreliable"
            )
    return notes


def index_text(table: pd.DataFrame, method: str, notes: list[str]) -> str:
    """One outcome's indices as printable lines, notes and warnings first."""
    outcome = table["outcome"].iloc[0]
    noise = table["noise_share"].iloc[0]
    head = f"  {outcome}" + (
        f"  (seed noise: {noise:.0%} of the variance over runs)" if np.isfinite(noise) else ""
    )
    lines = [head, *(f"    NOTE: {n}" for n in notes)]
    if method == "sobol":
        ordered = table.sort_values("ST", ascending=False)
        lines.append(f"    {'parameter':<30} {'S1':>14} {'ST':>14}")
        for r in ordered.itertuples():
            lines.append(
                f"    {r.parameter:<30} {r.S1:>6.3f} ± {r.S1_conf:<5.3f} "
                f"{r.ST:>6.3f} ± {r.ST_conf:<5.3f}"
            )
    else:
        ordered = table.sort_values("mu_star", ascending=False)
        lines.append(f"    {'parameter':<30} {'mu*':>18} {'mu':>10} {'sigma':>10}")
        for r in ordered.itertuples():
            lines.append(
                f"    {r.parameter:<30} {r.mu_star:>9.4g} ± {r.mu_star_conf:<6.3g} "
                f"{r.mu:>10.4g} {r.sigma:>10.4g}"
            )
    return "\n".join(lines)
