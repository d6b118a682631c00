"""Figures of the kept monthly series by outcome class (:mod:`.trajectories`)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["envelope_plot", "onset_plot"]


def envelope_plot(table: pd.DataFrame, title: str) -> Figure:
    """Median (line) and 10-90 % band (shaded) of each variable, one colour per class.

    A 0/1 variable (``stall``) is drawn as the share of runs (its mean), without a band.
    """
    variables = list(dict.fromkeys(table["variable"]))
    groups = list(dict.fromkeys(table["group"]))
    cols = min(2, len(variables))
    rows = math.ceil(len(variables) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.4 * cols, 3.0 * rows + 0.6), squeeze=False)
    colours = plt.get_cmap("Set1").colors
    for ax, variable in zip(axes.flat, variables, strict=False):
        values = table.loc[table["variable"] == variable, ["q10", "q90"]].to_numpy()
        binary = bool(np.isin(values, (0.0, 1.0)).all())
        for k, group in enumerate(groups):
            part = table[(table["variable"] == variable) & (table["group"] == group)]
            if part.empty:
                continue
            colour = colours[k % len(colours)]
            runs = int(part["runs"].iloc[0])
            label = f"{group} ({runs:,} runs)"
            if binary:
                ax.plot(part["month"], part["mean"], color=colour, lw=1.6, label=label)
                continue
            ax.plot(part["month"], part["median"], color=colour, lw=1.6, label=label)
            ax.fill_between(part["month"], part["q10"], part["q90"], color=colour, alpha=0.15)
        ax.set_title(f"{variable}: share of runs" if binary else variable, fontsize=9)
        ax.set_xlabel("month of the run")
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[len(variables) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, loc="lower center", ncol=min(3, len(labels)), fontsize=8, frameon=False
    )
    fig.suptitle(f"{title}: monthly series by outcome class (median, 10-90 % band)", fontsize=10)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def onset_plot(
    onsets: pd.DataFrame, groups: dict[str, pd.Series], spacing: int, title: str
) -> Figure:
    """Histogram of the month the longest stall begins, per class (runs ever in stall)."""
    fig, ax = plt.subplots(figsize=(7.0, 3.8))
    months = onsets.dropna(subset=["onset_month"])
    colours = plt.get_cmap("Set1").colors
    if months.empty:
        ax.text(0.5, 0.5, "no run is in stall at a kept month", ha="center", transform=ax.transAxes)
    else:
        low, high = months["onset_month"].min(), months["onset_month"].max()
        edges = np.arange(low - spacing / 2, high + spacing, spacing)
        data, labels, used = [], [], []
        for k, (label, ids) in enumerate(groups.items()):
            part = months[months["run_id"].isin(ids)]["onset_month"]
            if len(part):
                data.append(part.to_numpy(float))
                labels.append(f"{label} ({len(part):,} runs)")
                used.append(colours[k % len(colours)])
        ax.hist(data, bins=edges, label=labels, color=used)
        dates = dict(zip(months["onset_month"], months["onset_date"], strict=False))
        ticks = sorted(dates)
        step = max(1, len(ticks) // 10)
        ax.set_xticks(ticks[::step], [f"{int(m)}\n{dates[m]}" for m in ticks[::step]], fontsize=7)
        ax.legend(fontsize=8)
    never = int(onsets["onset_month"].isna().sum())
    ax.set_xlabel(f"month the longest stall begins (kept every {spacing} months)")
    ax.set_ylabel("runs")
    ax.set_title(
        f"{title}: when the longest stall begins\n({never:,} runs never in stall at a kept month)",
        fontsize=10,
    )
    fig.tight_layout()
    return fig
