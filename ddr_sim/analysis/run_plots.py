"""Figures of a run, drawn from its tables only (never from the model).

* ``status_counts.png``: people in each status over time, one panel per status, the
  median over seeds with 50 % and 90 % bands, the scenario's events as dotted lines named
  below the panels; a status nobody held in any seed gets "none in any seed" instead of
  an empty plot;
* ``trust_progress.png``: trust of each group and political progress over time, with the
  scenario's events as labelled vertical lines (labels shifted apart where they would
  overlap); groups whose trust lines lie on top of each other share one legend entry;
* ``cumulative_vs_targets.png``: cumulative registered, declared unfit, integrated,
  reinserted and formally cantoned people, against the observed figures of the scenario's
  targets file (:mod:`ddr_sim.config.targets`, the ``plot:`` entries) inside the calendar
  when there are any ("vs observed figures" is in the title only then).
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

from ddr_sim.analysis.run_plot_marks import (  # noqa: E402
    draw_trust,
    event_key,
    events_by_date,
    label_events,
)
from ddr_sim.analysis.run_plot_marks import to_time as _to_time  # noqa: E402
from ddr_sim.config.files import atomic_write  # noqa: E402
from ddr_sim.core.statuses import STATUS_NAMES  # noqa: E402
from ddr_sim.runs.indicator_words import STATUS_WORDS  # noqa: E402

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


def _none_panel(ax, title: str) -> None:
    """A panel for a quantity that is zero throughout in every seed."""
    ax.set_title(title, fontsize=11)
    ax.tick_params(bottom=False, labelbottom=False, left=False, labelleft=False)
    ax.grid(False)
    for side in ax.spines.values():
        side.set_color("0.85")
    ax.text(
        0.5,
        0.5,
        "none in any seed",
        ha="center",
        va="center",
        color="0.4",
        fontsize=11,
        transform=ax.transAxes,
    )


def _label_last_row(axes: np.ndarray, used: int, drawn: list) -> None:
    """Switch off the unused panels; date labels under every drawn panel that has no
    drawn panel below it (shared x axes label only the bottom row)."""
    for ax in axes.flat[used:]:
        ax.axis("off")
    nrows, ncols = axes.shape
    for i, ax in enumerate(axes.flat[:used]):
        below = i + ncols
        if ax in drawn and (below >= used or axes.flat[below] not in drawn):
            ax.tick_params(labelbottom=True)


def _event_lines(ax, events: list[tuple[str, list[str]]]) -> list:
    """Dotted vertical lines at the event dates; returns ``[(time, names)]``."""
    marks = [(_to_time([date])[0], names) for date, names in events]
    for when, _ in marks:
        ax.axvline(when, color="0.35", ls=":", lw=1)
    return marks


def plot_status_counts(
    counts: pd.DataFrame,
    series: pd.DataFrame,
    path: str | os.PathLike[str],
    title: str = "",
    events: pd.DataFrame | None = None,
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
    events : pandas.DataFrame, optional
        The events table: dotted lines in every panel, named under the panels.
    """
    calendar = _calendar(series)
    seeds = sorted(series["seed"].unique().tolist())
    time = _to_time(calendar.values)
    per_status = _dense(counts, "status", calendar.index, seeds)
    marks = events_by_date(events)
    ncols = 4
    nrows = int(np.ceil(len(STATUS_NAMES) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(15, 3.0 * nrows + 0.4), sharex=True)
    drawn = []
    for ax, status in zip(axes.flat, STATUS_NAMES, strict=False):
        wide = per_status.get(status)
        label = STATUS_WORDS.get(status, status.replace("_", " "))
        if wide is None or not wide.to_numpy().any():
            _none_panel(ax, label)
            continue
        drawn.append(ax)
        _draw_band(ax, time, _quantiles(wide), _BAND_COLOR)
        _event_lines(ax, marks)
        ax.set_title(label, fontsize=11)
        _count_axis(ax)
        _date_axis(ax)
        ax.set_xlim(time[0], time[-1])
    _label_last_row(axes, len(STATUS_NAMES), drawn)
    for ax in (a for a in axes[:, 0] if a in drawn):
        ax.set_ylabel("people")
    fig.suptitle(f"{_prefix(title)}people by status ({_seed_note(seeds)})", fontsize=13)
    key = event_key(marks) if marks else ""
    lines = key.count("\n") + 1 if key else 0
    fig.tight_layout(rect=(0, 0.017 * (lines + 0.5) if lines else 0, 1, 1))
    if key:
        fig.text(0.01, 0.005, key, fontsize=8.5, color="0.25", va="bottom")
    return _save(fig, Path(path))


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
    seeds = sorted(series["seed"].unique().tolist())
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(14, 8.5), sharex=True)
    handles, labels = draw_trust(top, group_series, groups, calendar)
    top.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    top.set_ylabel("trust between government and group")
    top.set_ylim(0, 1)
    top.set_title("Trust per group (median, 50 % band)", fontsize=11, loc="left")
    marks = events_by_date(events)
    time = _to_time(calendar.values)
    for ax in (top, bottom):
        _event_lines(ax, marks)
        _date_axis(ax)
    for name, color, label in (
        ("political_progress", "black", "political progress"),
        ("pressure", "tab:red", "international pressure"),
        ("mission_presence", "tab:green", "mission presence"),
    ):
        wide = series.pivot_table(index="month", columns="seed", values=name, observed=True)
        wide = wide.reindex(calendar.index)
        _draw_band(bottom, time, _quantiles(wide), color, label)
    bottom.set_ylim(0, 1.05)
    bottom.set_xlim(time[0], time[-1])
    bottom.set_ylabel("level (0 to 1)")
    bottom.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    bottom.set_title(
        "Political progress, pressure and mission presence (median, 50 % and 90 % bands)",
        fontsize=11,
        loc="left",
    )
    n = len(seeds)
    fig.suptitle(f"{_prefix(title)}trust and politics ({n} seed{'s' if n != 1 else ''})")
    fig.tight_layout()
    label_events(top, [(_to_time([d])[0], names) for d, names in marks], _renderer(fig))
    return _save(fig, Path(path))


def _renderer(fig: Figure):
    fig.canvas.draw()
    return fig.canvas.get_renderer()


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
    drawn = []
    for ax, (flow, panel) in zip(axes.flat, CUMULATIVE_PANELS.items(), strict=False):
        wide = per_flow.get(flow)
        here = [t for t in points if t.plot.flow == flow]
        if (wide is None or not wide.to_numpy().any()) and not here:
            _none_panel(ax, panel)
            continue
        drawn.append(ax)
        if wide is None:
            wide = pd.DataFrame(0, index=calendar.index, columns=seeds)
        _draw_band(ax, time, _quantiles(wide.cumsum()), _BAND_COLOR, "simulated (median)")
        _draw_observed(ax, here)
        ax.set_title(panel, fontsize=11)
        highest = max([t.observed for t in here], default=0.0)
        _count_axis(ax, top=1.35 * max(highest, float(wide.sum().max())))
        if here:
            ax.legend(loc="best", fontsize=8, framealpha=0.9)
        _date_axis(ax)
        ax.set_xlim(time[0], time[-1])
    _label_last_row(axes, len(CUMULATIVE_PANELS), drawn)
    for ax in (a for a in axes[:, 0] if a in drawn):
        ax.set_ylabel("people (cumulative)")
    against = " vs observed figures" if points else ""
    fig.suptitle(f"{_prefix(title)}cumulative flows{against} ({_seed_note(seeds)})", fontsize=13)
    fig.tight_layout()
    return _save(fig, Path(path))


def _draw_observed(ax, targets: Sequence[Target]) -> None:
    """Observed figures as points (a cross when the figure was a target that was missed)
    with a dashed level line."""
    for target in targets:
        spec = target.plot
        ax.plot(
            _to_time([spec.date])[0],
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
        plot_status_counts(counts, series, out / FIGURES[0], title, events),
        plot_trust_progress(series, group_series, events, out / FIGURES[1], title, groups),
        plot_cumulative_vs_targets(flows, series, out / FIGURES[2], title, targets),
    ]
