"""Parts of the run figures: event marks with labels that do not collide, readable event
names, and the trust lines of groups in bundles (groups whose lines lie on top of each
other share a colour and a legend entry)."""

from __future__ import annotations

import re
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

#: Words written in capitals in event names.
_ACRONYMS = {"ddr": "DDR", "moc": "MOC", "cvr": "CVR", "un": "UN", "minusma": "MINUSMA"}

#: Event label font size (points) and the gap kept between two labels.
LABEL_SIZE = 8.0
_GAP = 1.0


def to_time(dates) -> pd.DatetimeIndex:
    """``YYYY-MM`` labels as timestamps (the first of each month)."""
    return pd.DatetimeIndex(pd.to_datetime(pd.Index(dates).astype(str), format="%Y-%m"))


def event_name(kind: str) -> str:
    """``"accelerated_ddr_launch"`` -> ``"accelerated DDR launch"``."""
    words = re.split(r"[_\s]+", str(kind).strip())
    return " ".join(_ACRONYMS.get(w.lower(), w) for w in words if w)


def events_by_date(events: pd.DataFrame | None) -> list[tuple[str, list[str]]]:
    """``[(date, [event names])]`` in date order, each name once per date."""
    if events is None or events.empty:
        return []
    out = []
    for date, group in events.groupby(events["date"].astype(str), sort=True):
        out.append((date, list(dict.fromkeys(event_name(t) for t in group["type"]))))
    return out


def spread(positions: list[float], widths: list[float], gap: float = _GAP) -> list[float]:
    """Left edges of labels, in order, each at or right of its position and clear of the
    label before it (positions and widths in the same unit, positions sorted)."""
    lefts: list[float] = []
    right = -np.inf
    for x, w in zip(positions, widths, strict=True):
        left = max(x, right + gap)
        lefts.append(left)
        right = left + w
    return lefts


def label_events(ax, marks: list[tuple[pd.Timestamp, list[str]]], renderer) -> None:
    """Write each date's event names, rotated, at the top of ``ax`` beside its line,
    shifting labels right where they would overlap the one before."""
    if not marks:
        return
    box = ax.get_window_extent(renderer)
    points_per_pixel = 72.0 / ax.figure.dpi
    x0, x1 = ax.get_xlim()
    width_pt = box.width * points_per_pixel
    line = LABEL_SIZE * 1.25
    nums = [ax.xaxis.convert_units(when) for when, _ in marks]
    positions = [(float(n) - x0) / (x1 - x0) * width_pt + 2 for n in nums]
    widths = [line * len(names) for _, names in marks]
    for (when, names), pos, left in zip(marks, positions, spread(positions, widths), strict=True):
        ax.annotate(
            "\n".join(names),
            xy=(when, 0.99),
            xycoords=("data", "axes fraction"),
            xytext=(left - pos + 2, 0),
            textcoords="offset points",
            rotation=90,
            fontsize=LABEL_SIZE,
            color="0.2",
            va="top",
            ha="left",
            linespacing=1.0,
        )


def event_key(events: list[tuple[str, list[str]]], width: int = 170) -> str:
    """One line (wrapped) naming the dotted lines: ``2014-05 clash · 2014-08 split ...``."""
    text = "Dotted lines: events of the first seed: " + " · ".join(
        f"{date} {', '.join(names)}" for date, names in events
    )
    return "\n".join(textwrap.wrap(text, width))


def bundles(medians: dict[str, np.ndarray], tolerance: float = 0.02) -> list[list[str]]:
    """Groups whose median lines lie on top of each other: within ``tolerance`` of the
    bundle's first member on average over the months both exist. Lists of names in order
    (each group joins the first bundle it follows)."""
    out: list[list[str]] = []
    for name, line in medians.items():
        for bundle in out:
            lead = medians[bundle[0]]
            both = ~np.isnan(lead) & ~np.isnan(line)
            if both.any() and np.mean(np.abs(lead[both] - line[both])) <= tolerance:
                bundle.append(name)
                break
        else:
            out.append([name])
    return out


def bundle_label(names: list[str], width: int = 28) -> str:
    """Legend text of a bundle: its names, wrapped."""
    return "\n".join(textwrap.wrap(", ".join(names), width))


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


def draw_trust(
    ax, group_series: pd.DataFrame, groups: pd.DataFrame | None, calendar: pd.Series
) -> tuple[list, list[str]]:
    """Scenario groups as median and 50 % band, one colour and legend entry per bundle of
    groups whose lines overlap; splinters dashed, one line per seed, in their root's colour."""
    time_of = dict(zip(calendar.index, to_time(calendar.values), strict=True))
    names = list(dict.fromkeys(group_series["group"].astype(str)))
    roots = _roots(groups)
    by_group = {str(k): v for k, v in group_series.groupby("group", observed=True)}
    quantiles = {}
    for name in (n for n in names if roots.get(n, n) == n):
        wide = by_group[name].pivot_table(
            index="month", columns="seed", values="trust", observed=True
        )
        quantiles[name] = wide.quantile([0.25, 0.5, 0.75], axis=1).T.reindex(calendar.index)
    groups_in = bundles({n: q[0.5].to_numpy(float) for n, q in quantiles.items()})
    palette = plt.get_cmap("tab10" if len(groups_in) <= 10 else "tab20")
    color_of = {n: palette(i % palette.N) for i, b in enumerate(groups_in) for n in b}
    handles, labels = [], []
    for bundle in groups_in:
        for name in bundle:
            q = quantiles[name].dropna()
            t = [time_of[m] for m in q.index]
            ax.fill_between(t, q[0.25], q[0.75], color=color_of[name], alpha=0.2, lw=0)
            (line,) = ax.plot(t, q[0.5], color=color_of[name], lw=1.8)
        handles.append(line)
        labels.append(bundle_label(bundle))
    splinters = [n for n in names if n not in color_of]
    for name in splinters:
        color = color_of.get(roots.get(name, name), "0.4")
        for _, part in by_group[name].groupby("seed"):
            t = [time_of[m] for m in part["month"]]
            ax.plot(t, part["trust"], color=color, lw=0.9, ls="--", alpha=0.8)
    if splinters:
        handles.append(Line2D([], [], color="0.4", lw=0.9, ls="--"))
        labels.append(
            f"splinter groups ({len(splinters)};\none line per seed, colour\n"
            "of the group they split from)"
        )
    return handles, labels
