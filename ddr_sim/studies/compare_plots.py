"""The figures of a comparison: differences per indicator, and each variant over time."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ddr_sim.config.files import atomic_write as _atomic
from ddr_sim.config.policies import BASELINE
from ddr_sim.runs.headline import HEADLINE
from ddr_sim.studies.compare_report import OVER_TIME, _figure_name, _horizon_label, _label
from ddr_sim.studies.compare_stats import MEASURES, Measure, _stat

if TYPE_CHECKING:
    from ddr_sim.studies.compare import Comparison


def plot_differences(comparison: Comparison, out_dir: Path) -> list[Path]:
    """One figure per horizon: a panel per indicator, median and 90 % interval per policy."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    c = comparison
    year = c.prepared.final_year
    names = list(c.stats["policy"].unique())
    labels = [_label(c, n) for n in names]
    paths = []
    for horizon in c.prepared.horizons:
        ncols = 3
        nrows = math.ceil(len(MEASURES) / ncols)
        height = max(3.0, 0.32 * len(names) + 1.2)
        fig = Figure(figsize=(5.2 * ncols, height * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
        y = list(range(len(names)))
        axes[0].set_yticks(y, labels, fontsize=8)
        axes[0].set_ylim(len(names) - 0.5, -0.5)  # first policy at the top
        for ax, m in zip(axes, MEASURES, strict=False):
            for i, name in enumerate(names):
                s = _stat(c, name, horizon, m.key)
                if s is None:
                    continue
                med, lo, hi = s["median"] * m.scale, s["p05"] * m.scale, s["p95"] * m.scale
                colour = "0.55" if s["contains_zero"] else _colour(m, med)
                ax.plot([lo, hi], [i, i], color=colour, lw=2.2, solid_capstyle="round")
                ax.plot([med], [i], "o", color=colour, ms=6)
            ax.axvline(0.0, color="black", lw=0.8)
            ax.set_title(m.title(horizon, year), fontsize=10)
            ax.tick_params(axis="y", labelsize=8)
            ax.set_xlabel(f"change against baseline ({m.unit})", fontsize=8)
            ax.grid(axis="x", alpha=0.3)
        for ax in axes[len(MEASURES) :]:
            ax.set_visible(False)
        fig.suptitle(
            f"{c.prepared.baseline.name}: policy - baseline {_horizon_label(horizon, c)}, "
            f"median and 90 % interval over {len(c.seeds)} paired seeds "
            "(grey: interval contains 0)",
            fontsize=11,
        )
        path = out_dir / _figure_name(horizon)
        _atomic(path, lambda tmp, fig=fig: fig.savefig(tmp, dpi=110, format="png"))
        paths.append(path)
    return paths


def _colour(measure: Measure, median: float) -> str:
    if measure.better == 0:
        return "tab:blue"
    good = (median > 0) == (measure.better > 0)
    return "tab:green" if good else "tab:red"


def _bands(table: pd.DataFrame, column: str) -> pd.DataFrame:
    """Median, 5th and 95th percentile over seeds, per month."""
    grouped = table.groupby("month")[column]
    return pd.DataFrame(
        {
            "median": grouped.median(),
            "p05": grouped.quantile(0.05),
            "p95": grouped.quantile(0.95),
        }
    )


def plot_over_time(comparison: Comparison, headline: pd.DataFrame, out_dir: Path) -> list[Path]:
    """One figure per variant: the headline series of the variant against the baseline,
    median and 90 % band over seeds, month by month (``over_time_<variant>.png``)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    c = comparison
    if headline.empty:
        return []
    base = headline[headline["policy"] == BASELINE]
    dates = base.drop_duplicates("month").set_index("month")["date"]
    ticks = [m for m in dates.index if str(dates[m]).endswith("-01")][::2] or list(dates.index)
    paths = []
    for name in [n for n in headline["policy"].unique() if n != BASELINE]:
        mine = headline[headline["policy"] == name]
        fig = Figure(figsize=(11, 6.4), layout="constrained")
        axes = fig.subplots(2, 2, sharex=True).ravel()
        for ax, (column, (label, unit)) in zip(axes, HEADLINE.items(), strict=True):
            for part, colour, who in (
                (base, "0.45", "baseline"),
                (mine, "tab:blue", _label(c, name)),
            ):
                band = _bands(part, column)
                ax.fill_between(
                    band.index, band["p05"], band["p95"], color=colour, alpha=0.22, lw=0
                )
                ax.plot(band.index, band["median"], color=colour, lw=1.8, label=who)
            ax.set_title(label, fontsize=10)
            ax.set_ylabel(unit, fontsize=9)
            ax.grid(alpha=0.3)
            ax.set_xticks(ticks, [str(dates[m])[:4] for m in ticks], fontsize=8)
        axes[0].legend(fontsize=8, loc="upper left", frameon=False)
        n_seeds = mine["seed"].nunique()
        fig.suptitle(
            f"{_label(c, name)} against the baseline ({c.prepared.baseline.name}): "
            f"median and 90 % band over {n_seeds} paired seeds",
            fontsize=11,
        )
        path = out_dir / f"{OVER_TIME}{name}.png"
        _atomic(path, lambda tmp, fig=fig: fig.savefig(tmp, dpi=100, format="png"))
        paths.append(path)
    return paths
