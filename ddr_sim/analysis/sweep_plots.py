"""Figures of a sweep's analysis, drawn from its tables only (never from the model).

* :func:`tornado`: Sobol (S1 and ST) or Morris (mu*) bars per parameter with their
  confidence intervals, one panel per outcome, parameters sorted by importance;
* :func:`heatmap`: an outcome's median (or a class's share of runs) over two parameters,
  with the limits of PRIM boxes drawn on it;
* :func:`prim_tradeoff`: PRIM's peeling trajectory (coverage against density, EMA
  Workbench's plot) with the chosen box marked.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ddr_sim.config.files import atomic_write  # noqa: E402

__all__ = ["BOX_COLOURS", "DPI", "box_patch", "heatmap", "prim_tradeoff", "save", "tornado"]

#: Resolution of the PNG files.
DPI = 100
#: Edge colours of PRIM boxes 1, 2, ... on the figures.
BOX_COLOURS = ("#e41a1c", "#ff7f00", "#f781bf", "#a65628")


def save(fig: Figure, path: Path) -> Path:
    """Write a figure as PNG through a temporary file, and close it."""
    try:
        return atomic_write(
            path, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI, bbox_inches="tight")
        )
    finally:
        plt.close(fig)


def tornado(table: pd.DataFrame, method: str, title: str = "") -> Figure:
    """Bars of sensitivity indices per parameter, one panel per outcome.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`~ddr_sim.analysis.sensitivity.sobol_indices` (``S1, S1_conf, ST, ST_conf``)
        or :func:`~ddr_sim.analysis.sensitivity.morris_indices` (``mu_star, mu_star_conf, sigma``)
        with an ``outcome`` column.
    method : str
        ``"sobol"`` or ``"morris"``.
    title : str
        Figure title.
    """
    outcomes = list(dict.fromkeys(table["outcome"]))
    n_par = table["parameter"].nunique()
    cols = min(3, len(outcomes))
    rows = math.ceil(len(outcomes) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(5.2 * cols, 0.35 * n_par * rows + 1.4 * rows), squeeze=False
    )
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        part, y = _index_bars(ax, part, method)
        ax.set_yticks(y, part["parameter"])
        noise = part["noise_share"].iloc[0] if "noise_share" in part else np.nan
        note = f"seed noise {noise:.0%}" if np.isfinite(noise) else ""
        if "reliable" in part and not part["reliable"].iloc[0]:
            note = f"{note}; UNRELIABLE" if note else "UNRELIABLE"
        ax.set_title(
            outcome + (f"\n({note})" if note else ""),
            fontsize=10,
            color="black" if "UNRELIABLE" not in note else "#b30000",
        )
        ax.grid(axis="x", alpha=0.3)
    for ax in list(axes.flat)[len(outcomes) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="lower center", ncol=2, frameon=False, bbox_to_anchor=(0.5, -0.02)
    )
    name = "Sobol indices (95% intervals)" if method == "sobol" else "Morris screening"
    fig.suptitle(f"{title}: {name}" if title else name)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def _index_bars(ax: Any, part: pd.DataFrame, method: str) -> tuple[pd.DataFrame, np.ndarray]:
    """One outcome's index bars, sorted by importance; returns the rows and positions."""
    if method == "sobol":
        part = part.sort_values("ST")
        y = np.arange(len(part))
        ax.barh(
            y + 0.2,
            part["ST"],
            height=0.4,
            xerr=part["ST_conf"],
            color="#9ecae1",
            label="total (ST)",
            capsize=2,
        )
        ax.barh(
            y - 0.2,
            part["S1"],
            height=0.4,
            xerr=part["S1_conf"],
            color="#3182bd",
            label="first order (S1)",
            capsize=2,
        )
        ax.axvline(0, color="0.3", lw=0.6)
        ax.set_xlabel("Sobol index")
    else:
        part = part.sort_values("mu_star")
        y = np.arange(len(part))
        ax.barh(
            y,
            part["mu_star"],
            height=0.6,
            xerr=part["mu_star_conf"],
            color="#3182bd",
            label="mu* (mean |effect|)",
            capsize=2,
        )
        ax.plot(part["sigma"], y, "o", color="#e6550d", ms=4, label="sigma")
        ax.set_xlabel("elementary effect (per unit of the sampled range)")
    return part, y


def _tick(value: Any) -> str:
    if isinstance(value, float | np.floating):
        return f"{value:.3g}"
    return str(value)


def heatmap(
    values: pd.DataFrame,
    counts: pd.DataFrame,
    x: str,
    y: str,
    title: str,
    share: bool = False,
    boxes: list[tuple[str, pd.DataFrame, bool]] | None = None,
    edges: tuple[np.ndarray | None, np.ndarray | None] = (None, None),
) -> Figure:
    """A heatmap of a table from :func:`ddr_sim.analysis.heatmaps.heatmap_table`.

    Parameters
    ----------
    values, counts : pandas.DataFrame
        Cell values and runs per cell (rows: ``y`` ascending, columns: ``x``).
    x, y : str
        Parameter names (axis labels).
    title : str
        Figure title.
    share : bool
        Values are shares in [0, 1] (fixed colour scale, percentages in the cells).
    boxes : list of (str, pandas.DataFrame, bool), optional
        PRIM boxes to outline: a label, the box's limits (``parameter, low, high``) and
        whether it is a finding (drawn solid; others dashed).
    edges : (array or None, array or None)
        Bin edges of the x and y axes when they are binned (None: parameter levels).
    """
    fig, ax = plt.subplots(
        figsize=(max(5.0, 1.0 + 0.75 * values.shape[1]), max(3.8, 1.2 + 0.55 * values.shape[0]))
    )
    data = values.to_numpy(float)
    if share:
        image = ax.imshow(data, origin="lower", aspect="auto", cmap="viridis", vmin=0, vmax=1)
    else:
        image = ax.imshow(data, origin="lower", aspect="auto", cmap="viridis")
    finite = data[np.isfinite(data)]
    mid = (finite.min() + finite.max()) / 2 if len(finite) else 0
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            v = data[i, j]
            if not np.isfinite(v):
                continue
            text = f"{v:.0%}" if share else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")
            dark = v < 0.5 if share else v < mid  # viridis is dark at the low end
            ax.text(
                j,
                i,
                text,
                ha="center",
                va="center",
                fontsize=7,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(values.shape[1]), [_tick(v) for v in values.columns], rotation=45)
    ax.set_yticks(range(values.shape[0]), [_tick(v) for v in values.index])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    per_cell = counts.to_numpy(float)
    per_cell = per_cell[np.isfinite(per_cell)]
    low, high = (int(per_cell.min()), int(per_cell.max())) if len(per_cell) else (0, 0)
    runs = str(low) if low == high else f"{low}-{high}"
    ax.set_title(f"{title}\n({runs} runs per cell)", fontsize=10)
    fig.colorbar(image, ax=ax, label="share of runs" if share else title.split(": ")[-1])
    fig.tight_layout()  # before the boxes' legend, which goes below without squeezing the map
    if boxes:
        _outline_boxes(ax, boxes, values, x, y, edges)
    return fig


def _span(
    levels: np.ndarray, low: float, high: float, edges: np.ndarray | None
) -> tuple[float, float]:
    """Cell positions covered by [low, high]: on bin edges, or on whole grid levels."""
    if edges is not None:
        positions = np.arange(len(edges)) - 0.5
        return float(np.interp(low, edges, positions)), float(np.interp(high, edges, positions))
    tol = 1e-9 * max(1.0, float(np.nanmax(np.abs(levels))))
    inside = np.flatnonzero((levels >= low - tol) & (levels <= high + tol))
    if not len(inside):
        return math.nan, math.nan
    return inside[0] - 0.5, inside[-1] + 0.5


def box_patch(
    ax: Any,
    corners: tuple[float, float, float, float],
    number: int,
    finding: bool,
    label: str,
    others: list[str],
) -> None:
    """Outline a PRIM box (x0, x1, y0, y1): solid for findings, dashed otherwise.

    ``others`` are the box's restrictions on parameters not on the axes (in the label).
    """
    from matplotlib.patches import Rectangle

    x0, x1, y0, y1 = corners
    ax.add_patch(
        Rectangle(
            (x0, y0),
            x1 - x0,
            y1 - y0,
            fill=False,
            ec=BOX_COLOURS[number % len(BOX_COLOURS)],
            lw=2.2,
            ls="-" if finding else "--",
            label=textwrap.fill(label + (f" (also {', '.join(others)})" if others else ""), 90),
        )
    )


def _outline_boxes(
    ax: Any,
    boxes: list[tuple[str, pd.DataFrame, bool]],
    values: pd.DataFrame,
    x: str,
    y: str,
    edges: tuple[np.ndarray | None, np.ndarray | None],
) -> None:
    axes = {
        x: (values.columns.to_numpy(float), edges[0]),
        y: (values.index.to_numpy(float), edges[1]),
    }
    drawn = False
    for number, (label, limits, finding) in enumerate(boxes):
        spans = {}
        others = []
        for row in limits.itertuples():
            if row.parameter in axes and not isinstance(row.low, set | frozenset):
                levels, cuts = axes[row.parameter]
                spans[row.parameter] = _span(levels, row.low, row.high, cuts)
            else:
                others.append(f"{row.parameter} {_tick(row.low)}-{_tick(row.high)}")
        if not spans:
            continue
        x0, x1 = spans.get(x, (-0.5, values.shape[1] - 0.5))
        y0, y1 = spans.get(y, (-0.5, values.shape[0] - 0.5))
        if not all(np.isfinite([x0, x1, y0, y1])):
            continue
        box_patch(ax, (x0, x1, y0, y1), number, finding, label, others)
        drawn = True
    if drawn:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.17), fontsize=8, frameon=False)


def prim_tradeoff(box: Any, title: str) -> Figure:
    """A PRIM box's peeling trajectory (EMA Workbench's coverage/density trade-off).

    Each dot is a box of the trajectory, coloured by the number of restricted
    parameters; the chosen box is circled.

    Parameters
    ----------
    box : PrimBoxSummary
        From :func:`ddr_sim.analysis.discovery.prim_boxes`.
    title : str
        Figure title.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fig = box.box.show_tradeoff(annotated=False)
    ax = fig.axes[0]
    ax.plot(
        [box.coverage],
        [box.density],
        "o",
        ms=14,
        mfc="none",
        mec="red",
        mew=1.5,
        label=f"chosen: coverage {box.coverage:.2f}, density {box.density:.2f}",
    )
    ax.set_xlabel("coverage (share of the class's runs in the box)")
    ax.set_ylabel("density (share of the box's runs in the class)")
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig
