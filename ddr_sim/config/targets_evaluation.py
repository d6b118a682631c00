"""How a set of seeds lands on the calibration targets of a targets file
(:mod:`ddr_sim.config.targets`): the share of seeds in each band and the distance of the
medians outside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.config.calendar import month_index

__all__ = ["Evaluation", "evaluate"]


@dataclass
class Evaluation:
    """How a set of seeds lands on the targets.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per target: ``name``, ``pattern``, ``observed``, ``low``, ``high`` (as
        numbers), ``median``, ``p05``, ``p95``, ``median_met`` and ``share_met`` (share of
        seeds in the band), ``distance`` (of the median outside the band, in band scales).
    met : pandas.DataFrame
        Bool, one row per seed, one column per target.
    values : pandas.DataFrame
        The compared values, one row per seed, one column per target.
    """

    table: pd.DataFrame
    met: pd.DataFrame
    values: pd.DataFrame

    @property
    def joint_share(self) -> float:
        """Share of seeds meeting every band at once."""
        return float(self.met.all(axis=1).mean()) if len(self.met) else 0.0

    @property
    def all_medians_met(self) -> bool:
        return bool(self.table["median_met"].all())

    def distance(self, joint_weight: float = 2.0) -> float:
        """Sum of the medians' distances outside the bands plus ``joint_weight`` times the
        share of seeds that miss at least one band."""
        return float(self.table["distance"].sum() + joint_weight * (1.0 - self.joint_share))


def _scale(low: float, high: float, observed: float | None) -> float:
    """The unit of distance outside a band: its width, or a tenth of the value."""
    known = observed is not None and not math.isnan(observed)
    candidates = [high - low, abs(observed) * 0.1 if known else 0.0, 1.0]
    return max(candidates)


def evaluate(targets: list[Any], summary: pd.DataFrame, start: str) -> Evaluation:
    """Compare the summary rows of some seeds with the targets.

    Parameters
    ----------
    targets : list of ddr_sim.config.targets.Target
    summary : pandas.DataFrame
        One row per seed (:func:`ddr_sim.runs.indicators.summarize` columns; a missing column
        counts as missing values).
    start : str
        The scenario's ``calendar.start`` (month bands are converted with it).
    """
    rows = []
    met = {}
    values = {}
    for t in targets:
        low, high = t.bounds(start)
        column = summary[t.column] if t.column in summary else pd.Series(np.nan, summary.index)
        x = pd.to_numeric(column, errors="coerce").astype(float)
        ok = (x >= low) & (x <= high)
        median = float(x.median()) if x.notna().any() else math.nan
        observed = (
            float(month_index(t.observed, start)) if isinstance(t.observed, str) else t.observed
        )
        observed = math.nan if observed is None else observed
        if math.isnan(median):
            distance = 10.0
        else:
            outside = max(low - median, median - high, 0.0)
            distance = outside / _scale(low, high, observed)
        # a median over seeds where some have no value (NaN) is judged on the share too
        missing = float(x.isna().mean())
        rows.append(
            {
                "name": t.name,
                "pattern": t.pattern,
                "column": t.column,
                "observed": observed,
                "low": low,
                "high": high,
                "median": median,
                "p05": float(x.quantile(0.05)) if x.notna().any() else math.nan,
                "p95": float(x.quantile(0.95)) if x.notna().any() else math.nan,
                "median_met": bool(low <= median <= high) and missing < 0.5,
                "share_met": float(ok.mean()) if len(ok) else 0.0,
                "distance": distance + missing,
            }
        )
        met[t.name] = ok.to_numpy()
        values[t.name] = x.to_numpy()
    index = summary["seed"].to_numpy() if "seed" in summary else summary.index
    return Evaluation(
        table=pd.DataFrame(rows),
        met=pd.DataFrame(met, index=index),
        values=pd.DataFrame(values, index=index),
    )
