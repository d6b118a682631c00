"""Figures of a sweep's analysis, drawn from its tables only (never from the model).

* :func:`tornado`: Sobol (S1 and ST) or Morris (mu*) bars per parameter with their
  confidence intervals, one panel per outcome, parameters sorted by importance;
* :func:`heatmap`: an outcome's median (or a class's share of runs) over two parameters;
* :func:`prim_tradeoff`: PRIM's coverage/density trade-off (EMA Workbench's plot) with
  the chosen box marked.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ddr_sim.config.files import atomic_write  # noqa: E402

__all__ = ["heatmap", "prim_tradeoff", "save", "tornado"]


def save(fig: Figure, path: Path) -> Path:
    """Write a figure as PNG through a temporary file, and close it."""
    try:
        return atomic_write(
            path, lambda tmp: fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        )
    finally:
        plt.close(fig)


def tornado(table: pd.DataFrame, method: str, title: str = "") -> Figure:
    """Bars of sensitivity indices per parameter, one panel per outcome.

    Parameters
    ----------
    table : pandas.DataFrame
        Rows of :func:`ddr_sim.analysis.sensitivity.sobol_indices` (``S1, S1_conf, ST, ST_conf``)
        or :func:`ddr_sim.analysis.sensitivity.morris_indices` (``mu_star, mu_star_conf, sigma``)
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
) -> Figure:
    """A heatmap of a table from :func:`ddr_sim.analysis.sensitivity.heatmap_table`.

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
    """
    fig, ax = plt.subplots(figsize=(1.0 + 0.75 * values.shape[1], 1.2 + 0.55 * values.shape[0]))
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
    fig.tight_layout()
    return fig


def prim_tradeoff(box: Any, title: str) -> Figure:
    """EMA Workbench's coverage/density trade-off of a PRIM box, with the chosen box marked.

    Parameters
    ----------
    box : PrimBoxSummary
        From :func:`ddr_sim.analysis.sensitivity.prim_boxes`.
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
    ax.legend(loc="lower left", fontsize=8)
    ax.set_title(title, fontsize=10)
    return fig
