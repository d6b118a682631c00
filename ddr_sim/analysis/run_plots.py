"""Figures of a run, drawn from its tables only (never from the model).

* ``status_counts.png``: people in each status over time, one panel per status, the
  median over seeds with 50 % and 90 % bands;
* ``trust_progress.png``: trust of each group and political progress over time, with the
  scenario's events as labelled vertical lines;
* ``cumulative_vs_targets.png``: cumulative registered, declared unfit, integrated,
  reinserted and formally cantoned people against the observed figures of the scenario's
  targets file (:mod:`ddr_sim.config.targets`, the ``plot:`` entries) inside the calendar.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ddr_sim.config.files import atomic_write
from ddr_sim.core.statuses import STATUS_NAMES  # noqa: E402

if TYPE_CHECKING:
    from ddr_sim.config.targets import Target


#: Cumulative flows drawn in ``cumulative_vs_targets.png``, with panel titles.
CUMULATIVE_PANELS: dict[str, str] = {
    "registered": "Registered for DDR",
    "declared_unfit": "Declared medically unfit",
    "integrated": "Integrated into the army",
    "reinserted": "Civilian reinsertion completed",
    "cantoned": "Entered formal cantonment",
    "pre_cantoned": "Entered pre-cantonment",
}

FIGURES = ("status_counts.png", "trust_progress.png", "cumulative_vs_targets.png")
_BAND_COLOR = "tab:blue"


# --------------------------------------------------------------------------------------------
# helpers


def _to_time(dates) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(pd.Index(dates).astype(str), format="%Y-%m"))


def _calendar(series: pd.DataFrame) -> pd.Series:
    """Month index -> date label of the run (every month is in the series table)."""
    return series.drop_duplicates("month").set_index("month")["date"].astype(str).sort_index()


def _quantiles(wide: pd.DataFrame) -> pd.DataFrame:
    """Rows = months, columns = seeds -> columns q05, q25, q50, q75, q95."""
    q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
    q.columns = ["q05", "q25", "q50", "q75", "q95"]
    return q


def _draw_band(ax, time, q: pd.DataFrame, color: str, label: str | None = None) -> None:
    ax.fill_between(time, q["q05"], q["q95"], color=color, alpha=0.15, lw=0)
    ax.fill_between(time, q["q25"], q["q75"], color=color, alpha=0.3, lw=0)
    ax.plot(time, q["q50"], color=color, lw=1.6, label=label)


def _count_axis(ax, top: float = 0.0) -> None:
    """People on the y axis: from 0, whole numbers with thousands separators."""
    ax.set_ylim(0, max(ax.get_ylim()[1], top, 5.0))
    ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))


def _date_axis(ax) -> None:
    locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.grid(True, alpha=0.3)


def _dense(table: pd.DataFrame, key: str, months: pd.Index, seeds: list[int]) -> dict:
    """Sum ``count`` by (key, month, seed) into {key value: DataFrame[month x seed]} with 0s."""
    totals = table.groupby([key, "month", "seed"], observed=True)["count"].sum()
    out = {}
    full = pd.MultiIndex.from_product([months, seeds], names=["month", "seed"])
    for value, part in totals.groupby(level=0, observed=True):
        out[value] = part.droplevel(0).reindex(full, fill_value=0).unstack("seed")
    return out


def _save(fig: Figure, path: Path) -> Path:
    """Write the figure to a temporary file next to ``path``, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return atomic_write(
            path, lambda tmp: fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
        )
    finally:
        plt.close(fig)


def _prefix(title: str) -> str:
    return f"{title}: " if title else ""


def _seed_note(seeds: list[int]) -> str:
    n = len(seeds)
    return f"{n} seed{'s' if n != 1 else ''}: median line, 50 % and 90 % bands"


# --------------------------------------------------------------------------------------------
# figures


def plot_status_counts(
    counts: pd.DataFrame, series: pd.DataFrame, path: str | os.PathLike[str], title: str = ""
) -> Path:
    """Small multiples of people per status over time (median and bands over seeds).

    Parameters
    ----------
    counts : pandas.DataFrame
        The counts table (``ddr_sim.runs.tables.counts_table`` of one or more seeds).
    series : pandas.DataFrame
        The series table (gives the full calendar and the seeds).
    path : str or path-like
        PNG file to write.
    title : str
        Figure title (e.g. the scenario name).
    """
    calendar = _calendar(series)
    seeds = sorted(series["seed"].unique().tolist())
    time = _to_time(calendar.values)
    per_status = _dense(counts, "status", calendar.index, seeds)
    ncols = 4
    nrows = int(np.ceil(len(STATUS_NAMES) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(15, 3.0 * nrows), sharex=True)
    for ax, status in zip(axes.flat, STATUS_NAMES, strict=False):
        wide = per_status.get(status)
        if wide is None:
            wide = pd.DataFrame(0, index=calendar.index, columns=seeds)
        _draw_band(ax, time, _quantiles(wide), _BAND_COLOR)
        ax.set_title(status.replace("_", " "), fontsize=11)
        _count_axis(ax)
        _date_axis(ax)
    for ax in axes.flat[len(STATUS_NAMES) :]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("people")
    fig.suptitle(f"{_prefix(title)}people by status ({_seed_note(seeds)})", fontsize=13)
    fig.tight_layout()
    return _save(fig, Path(path))


def _mark_events(ax, events: pd.DataFrame, label: bool) -> None:
    if events is None or events.empty:
        return
    for date, group in events.groupby(events["date"].astype(str), sort=True):
        when = _to_time([date])[0]
        ax.axvline(when, color="0.35", ls=":", lw=1)
        if label:
            text = ", ".join(dict.fromkeys(t.replace("_", " ") for t in group["type"]))
            ax.annotate(
                text,
                xy=(when, 0.98),
                xycoords=("data", "axes fraction"),
                xytext=(2, 0),
                textcoords="offset points",
                rotation=90,
                fontsize=8,
                color="0.25",
                va="top",
                ha="left",
            )


def _roots(groups: pd.DataFrame | None) -> dict[str, str]:
    """Group name -> the scenario group it descends from (itself for scenario groups)."""
    roots: dict[str, str] = {}
    if groups is None or groups.empty:
        return roots
    for _, part in groups.groupby("seed"):
        parent = dict(zip(part["group"].astype(str), part["parent"], strict=True))
        for name in parent:
            root = name
            while isinstance(parent.get(root), str) and parent[root] != root:
                root = parent[root]
            roots[name] = root
    return roots


def plot_trust_progress(
    series: pd.DataFrame,
    group_series: pd.DataFrame,
    events: pd.DataFrame,
    path: str | os.PathLike[str],
    title: str = "",
    groups: pd.DataFrame | None = None,
) -> Path:
    """Trust of each group (top) and political progress, pressure, mission presence (bottom).

    Scenario groups are drawn as the median over seeds with a 50 % band; splinter groups
    (known from ``groups``) as thin dashed lines, one per seed, in the colour of the group
    they split from. Scenario events are dotted vertical lines labelled by type.

    Parameters
    ----------
    series, group_series, events : pandas.DataFrame
        Tables of ``ddr_sim.runs.tables``.
    path : str or path-like
        PNG file to write.
    title : str
        Figure title (e.g. the scenario name).
    groups : pandas.DataFrame, optional
        The groups table (``parent`` tells splinters apart); without it every group is
        drawn as a scenario group.
    """
    calendar = _calendar(series)
    time_of = dict(zip(calendar.index, _to_time(calendar.values), strict=True))
    seeds = sorted(series["seed"].unique().tolist())
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(14, 8.5), sharex=True)
    names = list(dict.fromkeys(group_series["group"].astype(str)))
    roots = _roots(groups)
    scenario_groups = [n for n in names if roots.get(n, n) == n]
    palette = plt.get_cmap("tab10" if len(scenario_groups) <= 10 else "tab20")
    color_of = {n: palette(i % palette.N) for i, n in enumerate(scenario_groups)}
    by_group = {str(k): v for k, v in group_series.groupby("group", observed=True)}
    for name in scenario_groups:
        wide = by_group[name].pivot_table(
            index="month", columns="seed", values="trust", observed=True
        )
        q = wide.quantile([0.25, 0.5, 0.75], axis=1).T
        t = [time_of[m] for m in q.index]
        top.fill_between(t, q[0.25], q[0.75], color=color_of[name], alpha=0.2, lw=0)
        top.plot(t, q[0.5], color=color_of[name], lw=1.8, label=name)
    splinters = [n for n in names if n not in color_of]
    for name in splinters:
        color = color_of.get(roots.get(name, name), "0.4")
        for _, part in by_group[name].groupby("seed"):
            t = [time_of[m] for m in part["month"]]
            top.plot(t, part["trust"], color=color, lw=0.9, ls="--", alpha=0.8)
    handles, labels = top.get_legend_handles_labels()
    if splinters:
        handles.append(Line2D([], [], color="0.4", lw=0.9, ls="--"))
        labels.append(
            f"splinter groups ({len(splinters)}; one line per seed,\n"
            "colour of the group they split from)"
        )
    top.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    top.set_ylabel("trust between government and group")
    top.set_ylim(0, 1)
    top.set_title("Trust per group (median, 50 % band)", fontsize=11, loc="left")
    _mark_events(top, events, label=True)
    _date_axis(top)

    time = _to_time(calendar.values)
    for name, color, label in (
        ("political_progress", "black", "political progress"),
        ("pressure", "tab:red", "international pressure"),
        ("mission_presence", "tab:green", "mission presence"),
    ):
        wide = series.pivot_table(index="month", columns="seed", values=name, observed=True)
        wide = wide.reindex(calendar.index)
        _draw_band(bottom, time, _quantiles(wide), color, label)
    bottom.set_ylim(0, 1.05)
    bottom.set_ylabel("level (0 to 1)")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    bottom.set_title("Political progress, pressure and mission presence", fontsize=11, loc="left")
    _mark_events(bottom, events, label=False)
    _date_axis(bottom)
    fig.suptitle(f"{_prefix(title)}trust and politics ({_seed_note(seeds)})", fontsize=13)
    fig.tight_layout()
    return _save(fig, Path(path))


def plot_cumulative_vs_targets(
    flows: pd.DataFrame,
    series: pd.DataFrame,
    path: str | os.PathLike[str],
    title: str = "",
    targets: Sequence[Target] = (),
) -> Path:
    """Cumulative flows against observed figures inside the calendar.

    Parameters
    ----------
    flows : pandas.DataFrame
        The flows table of one or more seeds.
    series : pandas.DataFrame
        The series table (gives the full calendar and the seeds).
    path : str or path-like
        PNG file to write.
    title : str
        Figure title (e.g. the scenario name).
    targets : sequence of ddr_sim.config.targets.Target
        Observed figures; those with a ``plot`` entry dated inside the calendar are drawn.
    """
    calendar = _calendar(series)
    seeds = sorted(series["seed"].unique().tolist())
    time = _to_time(calendar.values)
    per_flow = _dense(flows, "flow", calendar.index, seeds)
    first, last = calendar.iloc[0], calendar.iloc[-1]
    points = [t for t in targets if t.plot is not None and first <= t.plot.date <= last]
    ncols = 3
    nrows = int(np.ceil(len(CUMULATIVE_PANELS) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(15, 4.0 * nrows), sharex=True)
    for ax, (flow, panel) in zip(axes.flat, CUMULATIVE_PANELS.items(), strict=False):
        wide = per_flow.get(flow)
        if wide is None:
            wide = pd.DataFrame(0, index=calendar.index, columns=seeds)
        _draw_band(ax, time, _quantiles(wide.cumsum()), _BAND_COLOR, "simulated (median)")
        for target in (t for t in points if t.plot.flow == flow):
            spec = target.plot
            when = _to_time([spec.date])[0]
            ax.plot(
                when,
                target.observed,
                marker="X" if spec.missed else "o",
                ms=9,
                ls="none",
                mfc="none" if spec.missed else "tab:orange",
                mec="tab:red" if spec.missed else "black",
                mew=1.6,
                label=f"{spec.label} ({spec.date})",
                zorder=5,
            )
            ax.axhline(target.observed, color="0.6", lw=0.8, ls="--", zorder=1)
        ax.set_title(panel, fontsize=11)
        highest = max([t.observed for t in points if t.plot.flow == flow], default=0.0)
        _count_axis(ax, top=1.35 * max(highest, float(wide.sum().max())))
        ax.legend(loc="best", fontsize=8, framealpha=0.9)
        _date_axis(ax)
    for ax in axes.flat[len(CUMULATIVE_PANELS) :]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("people (cumulative)")
    fig.suptitle(
        f"{_prefix(title)}cumulative flows vs observed figures ({_seed_note(seeds)})",
        fontsize=13,
    )
    fig.tight_layout()
    return _save(fig, Path(path))


def save_plots(
    out_dir: str | os.PathLike[str],
    *,
    counts: pd.DataFrame,
    series: pd.DataFrame,
    group_series: pd.DataFrame,
    flows: pd.DataFrame,
    events: pd.DataFrame,
    groups: pd.DataFrame | None = None,
    title: str = "",
    targets: Sequence[Target] = (),
) -> list[Path]:
    """Draw the three figures of :data:`FIGURES` into ``out_dir``; return their paths."""
    out = Path(out_dir)
    return [
        plot_status_counts(counts, series, out / FIGURES[0], title),
        plot_trust_progress(series, group_series, events, out / FIGURES[1], title, groups),
        plot_cumulative_vs_targets(flows, series, out / FIGURES[2], title, targets),
    ]
