"""Figures of which parameters matter and where classes lie, from tables only.

* :func:`feature_score_plot`: extra-trees scores, parameters x outcomes and classes;
* :func:`cart_plot`: a small CART tree (scikit-learn's ``plot_tree``);
* :func:`class_scatter`: runs over two parameters, coloured by a class, PRIM boxes drawn;
* :func:`scatter_matrix`: the most important parameters pairwise, coloured by a class;
* :func:`parallel_plot`: parallel coordinates of the parameters (EMA Workbench's
  ``ParallelAxes``), runs coloured by a class;
* :func:`stacking_plot`: dimensional stacking (EMA Workbench's ``plot_pivot_table``).
"""

from __future__ import annotations

import warnings
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ddr_sim.analysis.sweep_plots import box_patch  # noqa: E402

__all__ = [
    "cart_plot",
    "class_scatter",
    "feature_score_plot",
    "parallel_plot",
    "scatter_matrix",
    "stacking_plot",
]

IN_CLASS, OUT_CLASS = "#d62728", "#9e9e9e"
#: Runs drawn at most in scatter and parallel plots (an even subsample beyond).
MAX_DRAWN = 3000


def feature_score_plot(scores: pd.DataFrame, title: str) -> Figure:
    """Extra-trees feature scores: parameters (rows) x outcomes and classes (columns)."""
    data = scores.to_numpy(float)
    fig, ax = plt.subplots(
        figsize=(2.5 + 0.75 * data.shape[1], 1.3 + 0.38 * data.shape[0]), layout="constrained"
    )
    image = ax.imshow(data, cmap="Blues", vmin=0, vmax=max(np.nanmax(data), 0.01), aspect="auto")
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if np.isfinite(data[i, j]):
                dark = data[i, j] > 0.6 * np.nanmax(data)
                ax.text(
                    j,
                    i,
                    f"{data[i, j]:.2f}",
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if dark else "black",
                )
    ax.set_xticks(range(data.shape[1]), list(scores.columns), rotation=40, ha="right")
    ax.set_yticks(range(data.shape[0]), list(scores.index))
    ax.set_title(f"{title}: feature scores (extra trees)", fontsize=10)
    fig.colorbar(image, ax=ax, label="score (a column sums to 1)", shrink=0.8)
    return fig


def cart_plot(tree: Any, title: str) -> Figure:
    """A fitted :class:`~ddr_sim.analysis.trees.CartTree`, drawn with its splits."""
    from sklearn.tree import plot_tree

    leaves = len(tree.leaves)
    fig, ax = plt.subplots(figsize=(max(7.0, 1.6 * leaves), 4.8))
    plot_tree(
        tree.model,
        feature_names=tree.features,
        class_names=["out", "in"] if tree.classify else None,
        filled=True,
        impurity=False,
        proportion=False,
        precision=3,
        fontsize=7,
        ax=ax,
    )
    measure = "accuracy" if tree.classify else "R²"
    ax.set_title(f"{title}\n(CART, {leaves} leaves, {measure} {tree.score:.2f})", fontsize=10)
    return fig


def _subsample(n: int) -> np.ndarray:
    return np.arange(n) if n <= MAX_DRAWN else np.linspace(0, n - 1, MAX_DRAWN).astype(int)


def class_scatter(
    x: pd.DataFrame,
    member: np.ndarray,
    px: str,
    py: str,
    label: str,
    boxes: list[tuple[str, pd.DataFrame, bool]],
    log: tuple[bool, bool] = (False, False),
) -> Figure:
    """Runs over two parameters, in the class or not, with PRIM boxes outlined.

    ``boxes`` holds (label, limits, finding) of each box; boxes that are not findings
    are dashed.
    """
    fig, ax = plt.subplots(figsize=(6.4, 5.0))
    keep = _subsample(len(x))
    xs, ys, inside = x[px].to_numpy()[keep], x[py].to_numpy()[keep], member[keep]
    ax.scatter(xs[~inside], ys[~inside], s=12, c=OUT_CLASS, alpha=0.6, label="other runs")
    ax.scatter(xs[inside], ys[inside], s=12, c=IN_CLASS, alpha=0.7, label=label)
    full = {c: (float(x[c].min()), float(x[c].max())) for c in (px, py)}
    for number, (name, limits, finding) in enumerate(boxes):
        spans = {r.parameter: (r.low, r.high) for r in limits.itertuples()}
        if px not in spans and py not in spans:
            continue
        x0, x1 = spans.get(px, full[px])
        y0, y1 = spans.get(py, full[py])
        others = [f"{p} {a:.3g}-{b:.3g}" for p, (a, b) in spans.items() if p not in (px, py)]
        box_patch(ax, (x0, x1, y0, y1), number, finding, name, others)
    if log[0]:
        ax.set_xscale("log")
    if log[1]:
        ax.set_yscale("log")
    ax.set_xlabel(px)
    ax.set_ylabel(py)
    ax.set_title(f"{label}: runs and PRIM boxes", fontsize=10)
    fig.tight_layout()  # before the legend, which goes below without squeezing the plot
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), fontsize=8, frameon=False)
    return fig


def scatter_matrix(
    x: pd.DataFrame,
    member: np.ndarray,
    names: list[str],
    label: str,
    log: frozenset[str] = frozenset(),
) -> Figure:
    """The chosen parameters pairwise (lower triangle), runs coloured by a class.

    Parameters named in ``log`` (sampled log-uniformly) get logarithmic axes.
    """
    k = len(names)
    fig, axes = plt.subplots(k, k, figsize=(1.9 * k + 1, 1.9 * k + 0.6), squeeze=False)
    keep = _subsample(len(x))
    inside = member[keep]
    for i, row in enumerate(names):
        for j, col in enumerate(names):
            ax = axes[i, j]
            if j > i:
                ax.set_visible(False)
                continue
            xs = x[col].to_numpy()[keep]
            if col in log:
                ax.set_xscale("log")
            if i == j:
                bins = np.geomspace(xs.min(), xs.max(), 11) if col in log else 10
                ax.hist(
                    [xs[~inside], xs[inside]], bins=bins, stacked=True, color=[OUT_CLASS, IN_CLASS]
                )
            else:
                ys = x[row].to_numpy()[keep]
                if row in log:
                    ax.set_yscale("log")
                ax.scatter(xs[~inside], ys[~inside], s=4, c=OUT_CLASS, alpha=0.5)
                ax.scatter(xs[inside], ys[inside], s=4, c=IN_CLASS, alpha=0.6)
            ax.tick_params(labelsize=6)
            if i == k - 1:
                ax.set_xlabel(col, fontsize=8)
            else:
                ax.set_xticklabels([])
            if j == 0 and i > 0:
                ax.set_ylabel(row, fontsize=8)
    handles = [
        plt.Line2D([], [], marker="o", ls="", color=IN_CLASS, label=label),
        plt.Line2D([], [], marker="o", ls="", color=OUT_CLASS, label="other runs"),
    ]
    fig.legend(handles=handles, loc="upper right", fontsize=8, frameon=False)
    fig.suptitle("most important parameters, pairwise", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


def parallel_plot(x: pd.DataFrame, member: np.ndarray, label: str) -> Figure:
    """Parallel coordinates of the parameters (EMA Workbench), runs coloured by a class.

    The axes are in the order of ``x``'s columns (put the most important first).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import parcoords

    keep = _subsample(len(x))
    data = x.iloc[keep].reset_index(drop=True)
    inside = member[keep]
    with plt.rc_context():
        formats = {c: ".3g" for c in data.columns if data[c].dtype != "category"}
        axes = parcoords.ParallelAxes(
            parcoords.get_limits(data), formatter=formats, fontsize=8, rot=30
        )
        axes.plot(data[~inside], color=OUT_CLASS, lw=0.5, alpha=0.35, label="other runs")
        axes.plot(data[inside], color=IN_CLASS, lw=0.7, alpha=0.5, label=label)
        axes.legend()
        fig = axes.fig
    fig.set_size_inches(1.3 * max(len(x.columns), 3) + 2.5, 4.2)
    fig.suptitle(f"parameters of the runs: {label} (red) and the others", fontsize=10, y=1.02)
    return fig


def stacking_plot(table: pd.DataFrame, title: str) -> Figure:
    """Dimensional stacking of a class's share of runs (EMA Workbench's pivot plot)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis.dimensional_stacking import plot_pivot_table

        with plt.rc_context():
            fig = plot_pivot_table(table, figsize=(7, 6))
    fig.suptitle(
        f"{title}\n(rows: {', '.join(table.index.names)}; "
        f"columns: {', '.join(table.columns.names)})",
        fontsize=10,
        y=0.99,
    )
    return fig
