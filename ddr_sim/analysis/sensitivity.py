"""Analysis of a finished sweep: Sobol and Morris indices, scenario discovery, heatmaps.

Everything here reads the sweep folder's tables (:mod:`ddr_sim.sweeps.store`) and never
imports the model, in the spirit of EMA Workbench's separation of experiments and analysis.

* **Sobol** (designs ``sobol``) and **Morris** (designs ``morris``) indices come from
  ``SALib.analyze.sobol.analyze`` and ``SALib.analyze.morris.analyze``, with bootstrap
  confidence intervals (half-widths at ``conf_level``). The model is stochastic: the
  output of a design point is the mean of the outcome over its replications, and
  :func:`noise_share` says how much of the runs' variance is seed noise within points.
* **Scenario discovery** uses PRIM from ``ema_workbench.analysis`` (the optional
  ``analysis`` extra) on the runs' parameter values and a class of the experiment file
  (``classes:``, e.g. "DDR completes" or "stall"), each run being one case. For each box
  the peeling trajectory's box with the largest coverage among those with density at
  least ``threshold`` is chosen (the densest box when none reaches it).
* **Heatmaps** show an outcome (median or mean over the runs in a cell: seeds and, for
  designs with more parameters, the other parameters) or the share of runs in a class
  over two parameters; parameters with many distinct values (sampled designs) are binned.
"""

from __future__ import annotations

import math
import operator
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.sweeps.store import SUCCEEDED, SweepStore

__all__ = [
    "AnalysisError",
    "PrimBoxSummary",
    "SweepResults",
    "analyze",
    "class_membership",
    "heatmap_table",
    "load_results",
    "morris_indices",
    "noise_share",
    "point_means",
    "prim_boxes",
    "sobol_indices",
]

_OPS = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
}
_CONDITION = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
#: Parameters with more distinct values than this are binned in heatmaps.
MAX_HEATMAP_LEVELS = 12
HEATMAP_BINS = 8


class AnalysisError(Exception):
    """The sweep folder cannot be analysed (not a sweep, no runs, an unknown name)."""


@dataclass
class SweepResults:
    """The tables of a sweep folder.

    Attributes
    ----------
    root : pathlib.Path
        The sweep folder.
    manifest : dict
        ``sweep.json``.
    design : pandas.DataFrame
        One row per run of the design.
    index : pandas.DataFrame
        One row per recorded run (status, error, duration).
    outcomes : pandas.DataFrame
        One row per succeeded run: parameters and outcomes.
    sample : pandas.DataFrame or None
        The SALib sample per design point (sampled designs).
    """

    root: Path
    manifest: dict[str, Any]
    design: pd.DataFrame
    index: pd.DataFrame
    outcomes: pd.DataFrame
    sample: pd.DataFrame | None
    _store: SweepStore = field(repr=False, default=None)

    @property
    def parameters(self) -> list[dict[str, Any]]:
        """The parameter descriptions of the manifest."""
        return list(self.manifest["parameters"])

    @property
    def parameter_names(self) -> list[str]:
        return [p["name"] for p in self.parameters]

    @property
    def outcome_names(self) -> list[str]:
        return list(self.manifest["outcomes"])

    @property
    def method(self) -> str:
        return str(self.manifest["design"]["method"])

    @property
    def classes(self) -> dict[str, dict[str, Any]]:
        return dict(self.manifest.get("classes") or {})

    def series(self) -> pd.DataFrame:
        """The kept monthly series (read on demand)."""
        return self._store.read("series")


def load_results(sweep_dir: str | os.PathLike[str]) -> SweepResults:
    """Read a sweep folder's tables.

    Raises
    ------
    AnalysisError
        The folder holds no sweep.
    """
    store = SweepStore(sweep_dir)
    if not store.exists:
        raise AnalysisError(f"{sweep_dir} is not a sweep folder (no sweep.json)")
    return SweepResults(
        root=Path(sweep_dir),
        manifest=store.manifest(),
        design=store.design(),
        index=store.read("index"),
        outcomes=store.read("outcomes"),
        sample=store.sample(),
        _store=store,
    )


def _check_outcome(results: SweepResults, outcome: str) -> None:
    if outcome not in results.outcome_names:
        raise AnalysisError(
            f"unknown outcome {outcome!r}; the sweep kept: {', '.join(results.outcome_names)}"
        )


# --------------------------------------------------------------------------------------------
# SALib indices


def point_means(results: SweepResults, outcome: str) -> pd.Series:
    """Mean of an outcome over the succeeded replications of each design point.

    Returns
    -------
    pandas.Series
        Indexed by every point of the design, NaN where no replication succeeded.
    """
    _check_outcome(results, outcome)
    n_points = int(results.manifest["points"])
    means = results.outcomes.groupby("point")[outcome].mean()
    return means.reindex(pd.RangeIndex(n_points, name="point"))


def noise_share(results: SweepResults, outcome: str) -> float:
    """Share of the outcome's variance over runs that is seed noise within design points.

    The mean within-point variance over replications divided by the variance over all
    runs (NaN without replications or with a constant outcome). Near 0: seeds barely
    matter; near 1: the parameters explain little, indices need more replications.
    """
    _check_outcome(results, outcome)
    data = results.outcomes[["point", outcome]].dropna()
    total = data[outcome].var(ddof=1)
    within = data.groupby("point")[outcome].var(ddof=1).dropna()
    if not len(within) or not total or not np.isfinite(total):
        return math.nan
    return float(min(within.mean() / total, 1.0))


def _problem(results: SweepResults) -> dict[str, Any]:
    problem = dict(results.manifest["salib_problem"])
    problem["bounds"] = [list(b) for b in problem["bounds"]]
    return problem


def _complete(y: pd.Series, outcome: str) -> np.ndarray:
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


def _salib(method: str) -> Any:
    """``SALib.analyze.<method>``, or an AnalysisError saying how to install it."""
    import importlib

    try:
        return importlib.import_module(f"SALib.analyze.{method}")
    except ImportError as err:
        raise AnalysisError(
            "sensitivity indices need SALib: install the analysis extra "
            "(pip install 'ddr-sim[analysis]')"
        ) from err


def sobol_indices(
    results: SweepResults,
    outcome: str,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """First-order and total Sobol indices of an outcome (SALib), with confidence intervals.

    Parameters
    ----------
    results : SweepResults
        A sweep with a ``sobol`` design.
    outcome : str
        One of its outcomes; each point's value is the mean over its replications.
    num_resamples, conf_level, seed
        Bootstrap settings of ``SALib.analyze.sobol.analyze``.

    Returns
    -------
    first_total : pandas.DataFrame
        One row per parameter: ``parameter, S1, S1_conf, ST, ST_conf`` (``_conf`` is the
        half-width of the ``conf_level`` interval).
    second : pandas.DataFrame or None
        With ``second_order: true``: ``parameter_1, parameter_2, S2, S2_conf``.
    """
    sobol = _salib("sobol")
    if results.method != "sobol":
        raise AnalysisError(f"Sobol indices need a sobol design (this sweep is {results.method})")
    y = _complete(point_means(results, outcome), outcome)
    second_order = bool(results.manifest["design"].get("second_order"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = sobol.analyze(
            _problem(results),
            y,
            calc_second_order=second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            seed=seed,
        )
    names = results.parameter_names
    first_total = pd.DataFrame(
        {
            "outcome": outcome,
            "parameter": names,
            "S1": si["S1"],
            "S1_conf": si["S1_conf"],
            "ST": si["ST"],
            "ST_conf": si["ST_conf"],
        }
    )
    second = None
    if second_order:
        rows = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append(
                    {
                        "outcome": outcome,
                        "parameter_1": names[i],
                        "parameter_2": names[j],
                        "S2": si["S2"][i, j],
                        "S2_conf": si["S2_conf"][i, j],
                    }
                )
        second = pd.DataFrame(rows)
    return first_total, second


def morris_indices(
    results: SweepResults,
    outcome: str,
    num_resamples: int = 100,
    conf_level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris elementary-effect statistics of an outcome (SALib), with confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``parameter, mu, mu_star, mu_star_conf, sigma``. Effects
        are per unit of the sampling space (log10 for log-scale parameters, the unit
        interval for value lists).
    """
    morris = _salib("morris")
    if results.method != "morris":
        raise AnalysisError(f"Morris indices need a morris design (this sweep is {results.method})")
    if results.sample is None:
        raise AnalysisError("the sweep folder has no sample.parquet")
    y = _complete(point_means(results, outcome), outcome)
    x = results.sample.sort_values("point")[results.parameter_names].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        si = morris.analyze(
            _problem(results),
            x,
            y,
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=int(results.manifest["design"]["levels"]),
            seed=seed,
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


# --------------------------------------------------------------------------------------------
# Classes and PRIM


def class_membership(results: SweepResults, name: str) -> pd.Series:
    """Whether each succeeded run is in a class of the experiment (all conditions hold).

    Returns
    -------
    pandas.Series of bool
        Aligned with ``results.outcomes`` (a NaN outcome fails its condition).
    """
    classes = results.classes
    if name not in classes:
        raise AnalysisError(f"unknown class {name!r}; the experiment defines: {list(classes)}")
    data = results.outcomes
    member = pd.Series(True, index=data.index)
    for outcome, text in classes[name]["when"].items():
        match = _CONDITION.match(str(text))
        if match is None:
            raise AnalysisError(f"class {name}: cannot read condition {text!r}")
        op, raw = match.groups()
        try:
            rhs: Any = float(raw)
        except ValueError:
            rhs = data[raw]
        member &= _OPS[op](data[outcome], rhs).fillna(False).astype(bool)
    return member


def class_label(results: SweepResults, name: str) -> str:
    """The class's label (its name when it has none)."""
    return results.classes.get(name, {}).get("label") or name


@dataclass
class PrimBoxSummary:
    """One PRIM box chosen on its peeling trajectory.

    Attributes
    ----------
    number : int
        1 for the first box found, 2 for the next (found on the runs outside box 1), ...
    trajectory_index : int
        The chosen entry of the peeling trajectory.
    coverage, density, mass : float
        Share of the class's runs inside the box; share of the box's runs in the class;
        share of all runs inside the box.
    n, k, res_dim : int
        Runs in the box, class runs in the box, restricted parameters.
    limits : pandas.DataFrame
        One row per restricted parameter: ``parameter, low, high, full_low, full_high,
        qp_low, qp_high`` (quasi-p values of each restriction; text for value lists).
    trajectory : pandas.DataFrame
        The peeling trajectory (coverage, density, mass, res_dim, ...).
    met_threshold : bool
        The chosen box's density reaches the threshold.
    """

    number: int
    trajectory_index: int
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    res_dim: int
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    met_threshold: bool
    box: Any = field(default=None, repr=False)

    def text(self) -> str:
        """The box as printable lines."""
        lines = [
            f"  box {self.number}: coverage {self.coverage:.2f}, density {self.density:.2f}, "
            f"mass {self.mass:.2f} ({self.k} of {self.n} runs in the box are in the class)"
            + ("" if self.met_threshold else "  [below the density threshold]")
        ]
        if self.limits.empty:
            lines.append("    (no restriction: the whole parameter space)")
        for row in self.limits.itertuples():
            lines.append(
                f"    {row.parameter:<28} {_fmt(row.low):>10} .. {_fmt(row.high):<10} "
                f"(of {_fmt(row.full_low)} .. {_fmt(row.full_high)}; qp {_fmt(row.qp)})"
            )
        return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return "-"
        return f"{value:.3g}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(str(v) for v in value)) + "}"
    return str(value)


def _prim_x(results: SweepResults, data: pd.DataFrame) -> pd.DataFrame:
    x = data[results.parameter_names].copy()
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]) or pd.api.types.is_bool_dtype(x[column]):
            x[column] = x[column].astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(x[column]):
            x[column] = x[column].astype(np.int64)
        else:
            x[column] = x[column].astype(np.float64)
    return x


def _import_prim() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from ema_workbench.analysis import prim
        except ImportError as err:
            raise AnalysisError(
                "scenario discovery needs EMA Workbench: install the analysis extra "
                "(pip install 'ddr-sim[analysis]')"
            ) from err
    return prim


def prim_boxes(
    results: SweepResults,
    class_name: str,
    threshold: float = 0.8,
    max_boxes: int = 2,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> list[PrimBoxSummary]:
    """Boxes of parameter space where runs fall in a class (PRIM, EMA Workbench).

    Parameters
    ----------
    results : SweepResults
    class_name : str
        A class of the experiment file.
    threshold : float
        Density a chosen box should reach.
    max_boxes : int
        Boxes to look for; the search stops earlier when a box misses the threshold.
    peel_alpha, mass_min : float
        PRIM's peeling share and minimum box mass.

    Returns
    -------
    list of PrimBoxSummary
        Empty when no run, or every run, is in the class.
    """
    prim = _import_prim()
    data = results.outcomes
    y = class_membership(results, class_name).to_numpy(bool)
    if len(y) == 0 or y.all() or not y.any():
        return []
    x = _prim_x(results, data)
    full = {c: (x[c].min(), x[c].max()) for c in x.columns if x[c].dtype != "category"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        boxes: list[PrimBoxSummary] = []
        for number in range(1, max_boxes + 1):
            box = finder.find_box()
            if box is None:
                break
            trajectory = box.peeling_trajectory.copy()
            good = trajectory[trajectory["density"] >= threshold]
            if len(good):
                best = good.sort_values(
                    ["coverage", "res_dim", "id"], ascending=[False, True, True]
                ).index[0]
            else:
                best = trajectory["density"].idxmax()
            i = int(best)
            box.select(i)
            entry = trajectory.iloc[i]
            boxes.append(
                PrimBoxSummary(
                    number=number,
                    trajectory_index=i,
                    coverage=float(entry["coverage"]),
                    density=float(entry["density"]),
                    mass=float(entry["mass"]),
                    n=int(entry["n"]),
                    k=int(entry["k"]),
                    res_dim=int(entry["res_dim"]),
                    limits=_limits(box, i, full),
                    trajectory=trajectory,
                    met_threshold=bool(entry["density"] >= threshold),
                    box=box,
                )
            )
            if not boxes[-1].met_threshold or boxes[-1].coverage < 0.05:
                break
    return boxes


def _limits(box: Any, i: int, full: dict[str, tuple]) -> pd.DataFrame:
    lims, initial = box.box_lims[i], box.box_lims[0]
    qp = box.p_values[i]
    rows = []
    for column in lims.columns:
        low, high = lims[column].iloc[0], lims[column].iloc[1]
        if isinstance(low, set | frozenset):
            if low == initial[column].iloc[0]:
                continue
            rows.append(
                {
                    "parameter": column,
                    "low": low,
                    "high": low,
                    "full_low": initial[column].iloc[0],
                    "full_high": initial[column].iloc[0],
                    "qp": _qp(qp.get(column)),
                }
            )
            continue
        if low == initial[column].iloc[0] and high == initial[column].iloc[1]:
            continue
        f_low, f_high = full.get(column, (initial[column].iloc[0], initial[column].iloc[1]))
        rows.append(
            {
                "parameter": column,
                "low": float(low),
                "high": float(high),
                "full_low": float(f_low),
                "full_high": float(f_high),
                "qp": _qp(qp.get(column)),
            }
        )
    return pd.DataFrame(rows, columns=["parameter", "low", "high", "full_low", "full_high", "qp"])


def _qp(values: Any) -> float:
    """The smaller quasi-p value of a restriction (EMA gives -1 for an unrestricted side)."""
    if values is None:
        return math.nan
    kept = [float(v) for v in np.atleast_1d(values) if v is not None and float(v) >= 0]
    return min(kept) if kept else math.nan


# --------------------------------------------------------------------------------------------
# Heatmaps


def _axis(
    results: SweepResults, data: pd.DataFrame, name: str, bins: int
) -> tuple[pd.Series, bool]:
    """Axis values per run: the parameter's values, or bin centres when it has many."""
    values = data[name]
    if values.nunique() <= MAX_HEATMAP_LEVELS or not pd.api.types.is_numeric_dtype(values):
        return values, False
    par = next(p for p in results.parameters if p["name"] == name)
    low, high = float(par["low"]), float(par["high"])
    if par.get("scale") == "log":
        edges = np.geomspace(low, high, bins + 1)
        centres = np.sqrt(edges[:-1] * edges[1:])
    else:
        edges = np.linspace(low, high, bins + 1)
        centres = (edges[:-1] + edges[1:]) / 2
    which = np.clip(np.searchsorted(edges, values.to_numpy(float), side="right") - 1, 0, bins - 1)
    return pd.Series(centres[which], index=values.index), True


def heatmap_table(
    results: SweepResults,
    x: str,
    y: str,
    outcome: str | None = None,
    class_name: str | None = None,
    statistic: str = "median",
    bins: int = HEATMAP_BINS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """An outcome's statistic (or a class's share of runs) over two parameters.

    Returns
    -------
    values : pandas.DataFrame
        Rows: values of ``y`` (ascending); columns: values of ``x``.
    counts : pandas.DataFrame
        Runs per cell.
    """
    for name in (x, y):
        if name not in results.parameter_names:
            raise AnalysisError(
                f"unknown parameter {name!r}; expected one of {results.parameter_names}"
            )
    data = results.outcomes
    if class_name is not None:
        z = class_membership(results, class_name).astype(float)
        stat = "mean"
    else:
        _check_outcome(results, outcome)
        z = data[outcome].astype(float)
        stat = statistic
    frame = pd.DataFrame(
        {"x": _axis(results, data, x, bins)[0], "y": _axis(results, data, y, bins)[0], "z": z}
    )
    grouped = frame.groupby(["y", "x"])["z"]
    values = grouped.agg(stat).unstack("x").sort_index()
    counts = grouped.size().unstack("x").sort_index()
    return values, counts


# --------------------------------------------------------------------------------------------
# The whole analysis


def _heatmap_specs(results: SweepResults) -> list[dict[str, Any]]:
    given = results.manifest.get("experiment", {}).get("heatmaps") or []
    if given:
        return [dict(h) for h in given]
    names = results.parameter_names
    if results.method != "grid" or len(names) < 2:
        return []
    specs = [{"x": names[0], "y": names[1], "class": c} for c in results.classes]
    specs += [
        {"x": names[0], "y": names[1], "outcome": o, "statistic": "median"}
        for o in results.outcome_names
    ]
    return specs


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower() or "x"


def analyze(
    sweep_dir: str | os.PathLike[str],
    out: str | os.PathLike[str] | None = None,
    outcomes: list[str] | None = None,
    plots: bool = True,
    prim_threshold: float = 0.8,
    max_boxes: int = 2,
    num_resamples: int = 100,
    echo: Any = print,
) -> dict[str, Path]:
    """Analyse a sweep folder and write tables, figures and ``report.txt`` to ``out``.

    Parameters
    ----------
    sweep_dir : str or path-like
        A folder written by ``ddr-sim sweep``.
    out : str or path-like, optional
        Output folder (default ``SWEEP_DIR/analysis``).
    outcomes : list of str, optional
        Outcomes for the indices (default: all the sweep kept).
    plots : bool
        Draw the figures.
    prim_threshold : float
        Density a PRIM box should reach.
    max_boxes : int
        PRIM boxes per class at most.
    num_resamples : int
        Bootstrap resamples of the SALib confidence intervals.
    echo : callable
        Receives the report's lines as they are produced.

    Returns
    -------
    dict of str to pathlib.Path
        What was written, by name.
    """
    results = load_results(sweep_dir)
    out_dir = Path(out) if out is not None else results.root / "analysis"
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    lines: list[str] = []

    def say(text: str = "") -> None:
        lines.append(text)
        echo(text)

    m = results.manifest
    n_ok = int((results.index["status"] == SUCCEEDED).sum()) if len(results.index) else 0
    n_failed = len(results.index) - n_ok
    say(
        f"sweep {m['experiment_name']} ({results.method} design, {m['points']:,} points x "
        f"{m['replications']} replication(s) = {m['runs']:,} runs of {m['scenario_name']})"
    )
    say(f"runs recorded: {len(results.index):,} ({n_ok:,} succeeded, {n_failed:,} failed)")
    if n_ok == 0:
        raise AnalysisError("no run succeeded; nothing to analyse")
    if len(results.index) < m["runs"]:
        say(f"note: the sweep is not finished ({m['runs'] - len(results.index):,} runs to go)")
    chosen = outcomes or results.outcome_names
    for name in chosen:
        _check_outcome(results, name)

    if plots:
        from ddr_sim.analysis import sweep_plots

    # SALib indices
    if results.method in ("sobol", "morris"):
        tables = []
        say()
        say(
            "Sobol indices (first order S1, total ST; ± half-width of the 95% interval)"
            if results.method == "sobol"
            else "Morris screening (mu* = mean |elementary effect|, ± half-width of the 95% "
            "interval; sigma = spread)"
        )
        seconds = []
        for name in chosen:
            try:
                if results.method == "sobol":
                    table, second = sobol_indices(results, name, num_resamples=num_resamples)
                    if second is not None:
                        seconds.append(second)
                else:
                    table = morris_indices(results, name, num_resamples=num_resamples)
            except AnalysisError as err:
                say(f"  {err}")
                continue
            table["noise_share"] = noise_share(results, name)
            notes = reliability_notes(results, name)
            table["reliable"] = not notes
            tables.append(table)
            say(_index_text(table, results.method, notes))
        if tables:
            all_tables = pd.concat(tables, ignore_index=True)
            path = out_dir / f"{results.method}.csv"
            all_tables.to_csv(path, index=False)
            written[results.method] = path
            if seconds:
                path = out_dir / "sobol_second_order.csv"
                pd.concat(seconds, ignore_index=True).to_csv(path, index=False)
                written["sobol_second_order"] = path
            if plots:
                path = sweep_plots.save(
                    sweep_plots.tornado(all_tables, results.method, m["experiment_name"]),
                    out_dir / f"{results.method}.png",
                )
                written[f"{results.method}_plot"] = path
    else:
        say()
        say(f"(no Sobol/Morris indices: the sweep's design is {results.method})")

    # scenario discovery
    for name in results.classes:
        label = class_label(results, name)
        member = class_membership(results, name)
        conditions = " and ".join(f"{k} {v}" for k, v in results.classes[name]["when"].items())
        say()
        say(
            f"class {name!r} ({label}: {conditions}): {int(member.sum()):,} of {len(member):,} "
            f"succeeded runs ({member.mean():.0%})"
        )
        if member.all() or not member.any():
            say("  PRIM needs runs both in and out of the class; skipped")
            continue
        try:
            boxes = prim_boxes(results, name, threshold=prim_threshold, max_boxes=max_boxes)
        except AnalysisError as err:
            say(f"  {err}")
            continue
        rows = []
        for box in boxes:
            say(box.text())
            for row in box.limits.to_dict("records"):
                rows.append(
                    {
                        "class": name,
                        "box": box.number,
                        "coverage": box.coverage,
                        "density": box.density,
                        "mass": box.mass,
                        **{
                            k: _fmt(v) if isinstance(v, set | frozenset) else v
                            for k, v in row.items()
                        },
                    }
                )
            if plots:
                path = sweep_plots.save(
                    sweep_plots.prim_tradeoff(box, f"{label}: PRIM box {box.number}"),
                    out_dir / f"prim_{_slug(name)}_box{box.number}_tradeoff.png",
                )
                written[f"prim_{name}_box{box.number}_tradeoff"] = path
        path = out_dir / f"prim_{_slug(name)}.csv"
        pd.DataFrame(
            rows,
            columns=[
                "class",
                "box",
                "coverage",
                "density",
                "mass",
                "parameter",
                "low",
                "high",
                "full_low",
                "full_high",
                "qp",
            ],
        ).to_csv(path, index=False)
        written[f"prim_{name}"] = path

    # heatmaps
    specs = _heatmap_specs(results)
    if specs:
        say()
        say("heatmaps")
    for spec in specs:
        class_name = spec.get("class") or spec.get("class_")
        outcome = spec.get("outcome")
        statistic = spec.get("statistic") or "median"
        try:
            values, counts = heatmap_table(
                results,
                spec["x"],
                spec["y"],
                outcome=outcome,
                class_name=class_name,
                statistic=statistic,
            )
        except AnalysisError as err:
            say(f"  {err}")
            continue
        if class_name is not None:
            what = f"share of runs: {class_label(results, class_name)}"
            key = f"share_{_slug(class_name)}"
        else:
            what = f"{statistic} {outcome}"
            key = f"{statistic}_{_slug(outcome)}"
        stem = f"heatmap_{_slug(spec['x'])}_{_slug(spec['y'])}_{key}"
        values.to_csv(out_dir / f"{stem}.csv")
        written[stem] = out_dir / f"{stem}.csv"
        say(f"  {what} over {spec['x']} x {spec['y']} -> {stem}.csv")
        if plots:
            path = sweep_plots.save(
                sweep_plots.heatmap(
                    values,
                    counts,
                    x=spec["x"],
                    y=spec["y"],
                    title=f"{m['experiment_name']}: {what}",
                    share=class_name is not None,
                ),
                out_dir / f"{stem}.png",
            )
            written[f"{stem}_plot"] = path

    path = out_dir / "report.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    written["report"] = path
    return written


#: Above this share of seed noise in the variance over runs, indices are flagged unreliable.
NOISY = 0.5
#: Above this share of design points with the same output, indices are flagged unreliable.
NEARLY_CONSTANT = 0.9


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


def _index_text(table: pd.DataFrame, method: str, notes: list[str]) -> str:
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
