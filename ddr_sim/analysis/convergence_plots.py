"""Figures of the indices against the size of the sample (:mod:`.convergence`)."""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from ddr_sim.analysis.sensitivity import WIDE  # noqa: E402

__all__ = ["convergence_plot"]

#: Parameters drawn in colour per panel (the others in grey).
SHOWN = 4


def convergence_plot(table: pd.DataFrame, method: str, title: str) -> Figure:
    """Indices with their intervals against the sample size, one panel per outcome.

    Sobol: ST (solid, with its interval shaded) and S1 (dashed) of the parameters with the
    largest final ST, against N, and below, the widest interval of each outcome against
    N (log scale) with the :data:`~ddr_sim.analysis.sensitivity.WIDE` line; index panels
    show -0.5 to 1.5 (wider intervals of small samples are cut off). Morris: mu* with its
    interval against the number of trajectories.
    """
    size, main, conf = (
        ("N", "ST", "ST_conf") if method == "sobol" else ("trajectories", "mu_star", "mu_star_conf")
    )
    outcomes = list(dict.fromkeys(table["outcome"]))
    panels = len(outcomes) + (1 if method == "sobol" else 0)
    cols = min(3, panels)
    rows = math.ceil(panels / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.4 * cols, 3.2 * rows), squeeze=False)
    colours = plt.get_cmap("tab10").colors
    for ax, outcome in zip(axes.flat, outcomes, strict=False):
        part = table[table["outcome"] == outcome]
        last = part[part[size] == part[size].max()].sort_values(main, ascending=False)
        for rank, name in enumerate(last["parameter"]):
            line = part[part["parameter"] == name].sort_values(size)
            shown = rank < SHOWN
            colour = colours[rank] if shown else "0.75"
            ax.plot(
                line[size],
                line[main],
                "-o",
                ms=3,
                color=colour,
                lw=1.2 if shown else 0.7,
                label=name if shown else None,
            )
            if shown:
                ax.fill_between(
                    line[size],
                    line[main] - line[conf],
                    line[main] + line[conf],
                    color=colour,
                    alpha=0.15,
                )
                if method == "sobol":
                    ax.plot(line[size], line["S1"], "--", color=colour, lw=0.9)
        ax.set_xscale("log", base=2)
        if method == "sobol":  # indices lie in [0, 1]; wide early intervals are cut off
            ax.set_ylim(-0.5, 1.5)
        ax.axhline(0, color="0.3", lw=0.5)
        ax.set_title(outcome, fontsize=9)
        ax.set_xlabel("base samples N" if method == "sobol" else "trajectories")
        ax.set_ylabel("ST (solid), S1 (dashed)" if method == "sobol" else "mu*")
        ax.legend(fontsize=6, loc="best")
        ax.grid(alpha=0.3)
    used = len(outcomes)
    if method == "sobol":
        _width_panel(axes.flat[used], table, outcomes)
        used += 1
    for ax in list(axes.flat)[used:]:
        ax.set_visible(False)
    name = "Sobol indices" if method == "sobol" else "Morris mu*"
    fig.suptitle(f"{title}: {name} against the sample size (shaded: 95 % interval)", fontsize=11)
    fig.tight_layout()
    return fig


def _width_panel(ax: Axes, table: pd.DataFrame, outcomes: list[str]) -> None:
    """The widest Sobol interval of each outcome against N, with the WIDE line."""
    colours = plt.get_cmap("tab10").colors
    for k, outcome in enumerate(outcomes):
        part = table[table["outcome"] == outcome]
        widest = part.groupby("N")[["S1_conf", "ST_conf"]].max().max(axis=1) * 2
        ax.plot(
            widest.index,
            widest.to_numpy(),
            "-o",
            ms=3,
            label=outcome,
            color=colours[k % len(colours)],
        )
    ax.axhline(WIDE, color="#b30000", ls=":", lw=1, label=f"{WIDE} (flagged above)")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_title("widest 95 % interval (S1 or ST)", fontsize=9)
    ax.set_xlabel("base samples N")
    ax.set_ylabel("interval width")
    ax.legend(fontsize=6)
    ax.grid(alpha=0.3)
