"""A small CART tree per outcome or class, and its leaves as boxes of parameter space.

scikit-learn's ``DecisionTreeRegressor`` (outcomes) or ``DecisionTreeClassifier``
(classes) on the runs' parameter values, at most :data:`MAX_DEPTH` levels deep and with
leaves of at least ``mass_min`` of the runs (as EMA Workbench's CART). A tree is a readable
alternative to PRIM: its leaves partition the space, and the leaves where a class is
frequent together describe regions PRIM's single boxes cannot (an L shape).
Value lists of text are coded 0, 1, ... in the order of their categories.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.analysis.results import (
    SweepResults,
    class_membership,
    fmt,
    parameter_frame,
)

__all__ = ["MAX_DEPTH", "CartTree", "cart_tree"]

#: Depth of the trees drawn and reported.
MAX_DEPTH = 3


@dataclass
class CartTree:
    """A fitted tree and its leaves.

    Attributes
    ----------
    target : str
        The outcome, or ``class:<name>``.
    classify : bool
        A class (leaf values are shares of runs in it) or an outcome (leaf means).
    score : float
        R² (outcomes) or accuracy (classes) on the runs it was fitted on.
    leaves : pandas.DataFrame
        One row per leaf: ``leaf, n, value, rule`` (``value``: mean outcome or share
        of runs in the class), largest value first.
    limits : dict
        Leaf -> {parameter: (low, high)} (open sides are -inf / inf).
    model : object
        The scikit-learn tree.
    features : list of str
        Parameter names, in the tree's order.
    categories : dict
        Categorical parameter -> its categories (coded 0, 1, ...).
    run_leaf : numpy.ndarray
        The leaf of each run (runs with a NaN outcome: -1), aligned with the outcomes.
    """

    target: str
    classify: bool
    score: float
    leaves: pd.DataFrame
    limits: dict[int, dict[str, tuple[float, float]]]
    model: Any = field(repr=False)
    features: list[str]
    categories: dict[str, list[str]]
    run_leaf: np.ndarray = field(repr=False)

    def text(self, top: int = 4) -> str:
        """The leaves with the largest values, as printable lines."""
        what = "share in class" if self.classify else "mean"
        measure = "accuracy" if self.classify else "R²"
        lines = [f"  CART {self.target} ({len(self.leaves)} leaves, {measure} {self.score:.2f})"]
        for row in self.leaves.head(top).itertuples():
            value = f"{row.value:.0%}" if self.classify else fmt(float(row.value))
            lines.append(f"    {what} {value:>6} of {row.n:>5} runs: {row.rule}")
        return "\n".join(lines)


def _coded(x: pd.DataFrame) -> tuple[np.ndarray, dict[str, list[str]]]:
    categories = {}
    coded = x.copy()
    for column in x.columns:
        if isinstance(x[column].dtype, pd.CategoricalDtype):
            categories[column] = [str(c) for c in x[column].cat.categories]
            coded[column] = x[column].cat.codes
    return coded.to_numpy(float), categories


def _leaf_limits(model: Any, features: list[str]) -> dict[int, dict[str, tuple[float, float]]]:
    tree = model.tree_
    found: dict[int, dict[str, tuple[float, float]]] = {}

    def walk(node: int, bounds: dict[str, tuple[float, float]]) -> None:
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            found[node] = bounds
            return
        name, cut = features[tree.feature[node]], float(tree.threshold[node])
        low, high = bounds.get(name, (-np.inf, np.inf))
        walk(left, {**bounds, name: (low, min(high, cut))})
        walk(right, {**bounds, name: (max(low, cut), high)})

    walk(0, {})
    return found


def _rule(bounds: dict[str, tuple[float, float]], categories: dict[str, list[str]]) -> str:
    parts = []
    for name, (low, high) in bounds.items():
        if name in categories:
            kept = [c for i, c in enumerate(categories[name]) if low < i <= high]
            parts.append(f"{name} in {{{', '.join(kept)}}}")
        elif np.isfinite(low) and np.isfinite(high):
            parts.append(f"{fmt(low)} < {name} <= {fmt(high)}")
        elif np.isfinite(low):
            parts.append(f"{name} > {fmt(low)}")
        else:
            parts.append(f"{name} <= {fmt(high)}")
    return " and ".join(parts) or "(all runs)"


def cart_tree(
    results: SweepResults,
    target: str,
    max_depth: int = MAX_DEPTH,
    mass_min: float = 0.05,
    seed: int = 0,
) -> CartTree:
    """Fit a small CART tree of an outcome, or of a class (``class:<name>``).

    Parameters
    ----------
    results : SweepResults
    target : str
        An outcome, or ``class:<name>``.
    max_depth : int
        Levels of the tree.
    mass_min : float
        Smallest share of the runs in a leaf.
    seed : int
        Seed of scikit-learn's tie-breaking among equally good splits.
    """
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    classify = target.startswith("class:")
    if classify:
        y = class_membership(results, target.removeprefix("class:")).to_numpy(int)
        keep = np.ones(len(y), bool)
    else:
        y = results.outcomes[target].to_numpy(float)
        keep = np.isfinite(y)
    x, categories = _coded(parameter_frame(results))
    x, y = x[keep], y[keep]
    leaf_size = max(1, int(mass_min * len(y)))
    kind = DecisionTreeClassifier if classify else DecisionTreeRegressor
    model = kind(max_depth=max_depth, min_samples_leaf=leaf_size, random_state=seed)
    model.fit(x, y)
    features = results.parameter_names
    limits = _leaf_limits(model, features)
    leaf_of = model.apply(x)
    run_leaf = np.full(len(keep), -1, np.int64)
    run_leaf[keep] = leaf_of
    rows = []
    for leaf, bounds in limits.items():
        inside = y[leaf_of == leaf]
        rows.append({"leaf": leaf, "n": len(inside), "value": float(inside.mean()), "rule": ""})
        rows[-1]["rule"] = _rule(bounds, categories)
    leaves = pd.DataFrame(rows).sort_values(["value", "n"], ascending=False, kind="stable")
    return CartTree(
        target=target,
        classify=classify,
        score=float(model.score(x, y)),
        leaves=leaves.reset_index(drop=True),
        limits=limits,
        model=model,
        features=features,
        categories=categories,
        run_leaf=run_leaf,
    )
