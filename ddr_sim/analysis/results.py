"""The tables of a finished sweep, read back for analysis, and what every analysis needs.

Everything here reads the sweep folder's tables (:mod:`ddr_sim.sweeps.store`) and never
imports the model, in the spirit of EMA Workbench's separation of experiments and
analysis: the parameter values and outcomes of each run, the classes of the experiment
file (``classes:``) and the kept monthly series.
"""

from __future__ import annotations

import importlib
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

from ddr_sim.config.files import atomic_write
from ddr_sim.sweeps.store import SweepStore

__all__ = [
    "AnalysisError",
    "SweepResults",
    "check_outcome",
    "class_label",
    "class_membership",
    "clean_number",
    "fmt",
    "import_ema",
    "load_results",
    "noise_share",
    "parameter_frame",
    "point_means",
    "slug",
    "write_csv",
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
        """The parameters' column names, in the experiment's order."""
        return [p["name"] for p in self.parameters]

    @property
    def outcome_names(self) -> list[str]:
        """The outcomes the sweep kept."""
        return list(self.manifest["outcomes"])

    @property
    def method(self) -> str:
        """The design: ``grid``, ``lhs``, ``sobol`` or ``morris``."""
        return str(self.manifest["design"]["method"])

    @property
    def classes(self) -> dict[str, dict[str, Any]]:
        """The experiment's classes: name -> ``{label, when}``."""
        return dict(self.manifest.get("classes") or {})

    @property
    def series_variables(self) -> list[str]:
        """The monthly series variables the sweep kept (may be empty)."""
        return list(self.manifest.get("series_variables") or [])

    def parameter(self, name: str) -> dict[str, Any]:
        """The description of one parameter (``low``, ``high``, ``scale``, ``values``...)."""
        for par in self.parameters:
            if par["name"] == name:
                return par
        raise AnalysisError(f"unknown parameter {name!r}; expected one of {self.parameter_names}")

    def series(self) -> pd.DataFrame:
        """The kept monthly series (read on demand)."""
        return self._store.read("series")


def load_results(sweep_dir: str | os.PathLike[str]) -> SweepResults:
    """Read a sweep folder's tables.

    Raises
    ------
    AnalysisError
        The folder holds no sweep, or its manifest cannot be read.
    """
    store = SweepStore(sweep_dir)
    if not store.exists:
        raise AnalysisError(f"{sweep_dir} is not a sweep folder (no sweep.json)")
    try:
        manifest = store.manifest()
    except ValueError as err:
        raise AnalysisError(f"{sweep_dir}/sweep.json cannot be read: {err}") from err
    return SweepResults(
        root=Path(sweep_dir),
        manifest=manifest,
        design=store.design(),
        index=store.read("index"),
        outcomes=store.read("outcomes"),
        sample=store.sample(),
        _store=store,
    )


def check_outcome(results: SweepResults, outcome: str) -> None:
    """Raise an AnalysisError naming the kept outcomes when ``outcome`` is not one."""
    if outcome not in results.outcome_names:
        raise AnalysisError(
            f"unknown outcome {outcome!r}; the sweep kept: {', '.join(results.outcome_names)}"
        )


def point_means(results: SweepResults, outcome: str) -> pd.Series:
    """Mean of an outcome over the succeeded replications of each design point.

    Returns
    -------
    pandas.Series
        Indexed by every point of the design, NaN where no replication succeeded.
    """
    check_outcome(results, outcome)
    n_points = int(results.manifest["points"])
    means = results.outcomes.groupby("point")[outcome].mean()
    return means.reindex(pd.RangeIndex(n_points, name="point"))


def noise_share(results: SweepResults, outcome: str) -> float:
    """Share of the outcome's variance over runs that is seed noise within design points.

    The mean within-point variance over replications divided by the variance over all
    runs (NaN without replications or with a constant outcome). Near 0: seeds barely
    matter; near 1: the parameters explain little, indices need more replications.
    """
    check_outcome(results, outcome)
    data = results.outcomes[["point", outcome]].dropna()
    total = data[outcome].var(ddof=1)
    within = data.groupby("point")[outcome].var(ddof=1).dropna()
    if not len(within) or not total or not np.isfinite(total):
        return math.nan
    return float(min(within.mean() / total, 1.0))


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


def parameter_frame(results: SweepResults, data: pd.DataFrame | None = None) -> pd.DataFrame:
    """The runs' parameter values as PRIM, CART and feature scoring expect them.

    Numbers stay numbers (whole numbers as int64, others float64); value lists of text or
    booleans become categories.
    """
    data = results.outcomes if data is None else data
    x = data[results.parameter_names].copy()
    for column in x.columns:
        if not pd.api.types.is_numeric_dtype(x[column]) or pd.api.types.is_bool_dtype(x[column]):
            x[column] = x[column].astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(x[column]):
            x[column] = x[column].astype(np.int64)
        else:
            x[column] = x[column].astype(np.float64)
    return x


def clean_number(value: Any) -> Any:
    """A float without binary artefacts (``0.30000000000000004`` -> ``0.3``); others as given."""
    if isinstance(value, float | np.floating) and np.isfinite(value):
        return float(f"{float(value):.12g}")
    return value


def fmt(value: Any) -> str:
    """A value for printing: 3 significant digits, ``-`` for NaN, sets in braces."""
    if isinstance(value, float | np.floating):
        if not np.isfinite(value):
            return "-"
        return f"{value:.3g}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(str(v) for v in value)) + "}"
    return str(value)


def write_csv(frame: pd.DataFrame, path: Path, index: bool = False) -> Path:
    """Write a table as CSV with clean numbers (labels and values), through a temporary file."""
    clean = frame.copy()
    clean.columns = [clean_number(c) for c in clean.columns]
    if index:
        clean.index = pd.Index([clean_number(i) for i in clean.index], name=clean.index.name)
    return atomic_write(path, clean.to_csv(index=index, float_format="%.10g"))


def slug(text: str) -> str:
    """A file-name-safe form of a name."""
    return re.sub(r"[^0-9A-Za-z]+", "_", text).strip("_").lower() or "x"


def import_ema(module: str, purpose: str) -> Any:
    """``ema_workbench.analysis.<module>``, or an AnalysisError saying how to install it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return importlib.import_module(f"ema_workbench.analysis.{module}")
        except ImportError as err:
            raise AnalysisError(
                f"{purpose} needs EMA Workbench: install the analysis extra "
                "(pip install 'ddr-sim[analysis]')"
            ) from err
