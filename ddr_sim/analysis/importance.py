"""Which parameters matter, for any design: extra-trees feature scores (EMA Workbench).

:func:`feature_scores` is EMA Workbench's ``feature_scoring.get_ex_feature_scores``
(extra trees; max_features = D / 3 and min_samples_leaf from the number of runs, after
Jaxa-Rozen & Kwakkel 2018) on the runs' parameter values, one score column per outcome
(regression) and per class of the experiment (classification). Each run is one case, so
seed noise is part of what the trees cannot explain. Scores of a column sum to 1; they
rank parameters, they are not variance shares like Sobol indices.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ddr_sim.analysis.results import (
    SweepResults,
    class_membership,
    import_ema,
    parameter_frame,
)

__all__ = ["feature_scores", "top_parameters"]

#: Trees in the forest.
TREES = 100


def _score(x: pd.DataFrame, y: np.ndarray, classify: bool, seed: int) -> pd.Series:
    scorer = import_ema("feature_scoring", "feature scoring").get_ex_feature_scores
    kind = import_ema("scenario_discovery_util", "feature scoring").RuleInductionType
    keep = np.isfinite(y)
    x, y = x[keep].reset_index(drop=True), y[keep]
    if len(y) < 4 or np.nanstd(y) == 0:
        return pd.Series(np.nan, index=x.columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, _ = scorer(
            x,
            y.astype(int) if classify else y,
            mode=kind.CLASSIFICATION if classify else kind.REGRESSION,
            nr_trees=TREES,
            max_features=max(1, round(x.shape[1] / 3)),
            random_state=seed,
        )
    return scores.iloc[:, 0].reindex(x.columns)


def feature_scores(
    results: SweepResults,
    outcomes: list[str] | None = None,
    classes: list[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Extra-trees feature scores of each parameter for outcomes and classes.

    Parameters
    ----------
    results : SweepResults
    outcomes : list of str, optional
        Outcomes to score (default: all kept).
    classes : list of str, optional
        Classes to score (default: all of the experiment); columns ``class:<name>``.
    seed : int
        Seed of the trees (the scores are a pure function of the tables and the seed).

    Returns
    -------
    pandas.DataFrame
        Rows: parameters (in the experiment's order); columns: outcomes and classes; NaN
        for a constant target.
    """
    x = parameter_frame(results)
    columns = {}
    for name in results.outcome_names if outcomes is None else outcomes:
        y = results.outcomes[name].to_numpy(float)
        columns[name] = _score(x, y, classify=False, seed=seed)
    for name in results.classes if classes is None else classes:
        y = class_membership(results, name).to_numpy(float)
        columns[f"class:{name}"] = _score(x, y, classify=True, seed=seed)
    table = pd.DataFrame(columns, index=pd.Index(results.parameter_names, name="parameter"))
    return table


def top_parameters(scores: pd.DataFrame, n: int) -> list[str]:
    """The ``n`` parameters with the highest mean score over the columns."""
    mean = scores.mean(axis=1, skipna=True).fillna(0)
    return list(mean.sort_values(ascending=False, kind="stable").index[:n])
