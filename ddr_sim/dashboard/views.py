"""The dashboard's pictures of a running model, drawn with matplotlib.

* :class:`StatusPicture`: people by status over time, stacked;
* :class:`TrustPicture`: trust per group, political progress and mission presence, with
  events as numbered dotted lines listed beside the plot;
* :class:`WherePicture`: where people are now, a grid of groups x regions, each cell split
  by the share of its people in each status, its head count written on it.

The time axis always spans the whole calendar, so a class sees the run grow month by month.

Speed: drawing text (ticks, legends) is most of matplotlib's time, and it hardly changes
from one month to the next. So each picture draws its *frame* (axes, ticks, legend, event
markers) once and keeps it as a bitmap; each month it pastes the frame and draws only the
data on top ("blitting"), then encodes the PNG. The frame is redrawn only when it changes
(a new splinter group, a new event, a population outgrowing the axis). :meth:`Picture.png`
does that; :meth:`Picture.figure` returns an ordinary figure, e.g. for a notebook.

No pyplot: no global state shared between browser sessions.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from ddr_sim.config.calendar import parse_month
from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.model import (
    events_so_far,
    group_names,
    months_done,
    series_so_far,
    status_over_time,
    trust_over_time,
    where_people_are,
)

#: Colour and legend text of each status (killed people are left out of the pictures).
STATUS_STYLE: dict[Status, tuple[str, str]] = {
    Status.ACTIVE: ("#8c2d04", "with group"),
    Status.MINING: ("#f0b400", "gold mining"),
    Status.UNFIT_WAITING: ("#bdbdbd", "unfit, waiting"),
    Status.REJOINED: ("#000000", "rejoined group"),
    Status.PRE_CANTONED: ("#fdd49e", "pre-cantonment"),
    Status.CANTONED: ("#fc8d59", "cantonment"),
    Status.MOC: ("#807dba", "MOC patrols"),
    Status.TRAINING: ("#9ecae1", "training"),
    Status.INTEGRATED: ("#2171b5", "integrated"),
    Status.REINSERTED: ("#41ab5d", "reinserted"),
}
SHOWN = list(STATUS_STYLE)
COLORS = [STATUS_STYLE[s][0] for s in SHOWN]
GROUP_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666")
DPI = 80
WIDTH = 7.5  # inches


def _time(model: DDRModel, months: np.ndarray | int) -> np.ndarray:
    """Month index -> decimal year (2015.0 is January 2015)."""
    year, month = parse_month(model.spec.calendar.start)
    return year + (month - 1 + np.asarray(months, float)) / 12.0


def _time_axis(ax: Axes, model: DDRModel) -> None:
    ax.set_xlim(_time(model, 0), _time(model, model.months))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))  # whole years
    ax.grid(axis="x", color="0.9", lw=0.8)


def _status_legend(fig: Figure) -> None:
    handles = [Patch(color=STATUS_STYLE[s][0], label=STATUS_STYLE[s][1]) for s in SHOWN]
    fig.legend(handles=handles[::-1], loc="center right", fontsize=8, frameon=False)


def event_labels(events: list[tuple[int, str]], gap: int = 4) -> list[tuple[int, str]]:
    """One label per cluster of events less than ``gap`` months apart (so markers do not
    overlap): ``(month of the first, "kind + kind")``."""
    labels: list[tuple[int, list[str]]] = []
    for month, kind in sorted(events):
        text = kind.replace("_", " ")
        if labels and month - labels[-1][0] < gap:
            if text not in labels[-1][1]:
                labels[-1][1].append(text)
        else:
            labels.append((month, [text]))
    return [(month, " + ".join(kinds)) for month, kinds in labels]


class Picture:
    """A picture whose frame is drawn once and whose data is drawn each month.

    Subclasses define :meth:`frame_key` (the frame is redrawn when it changes),
    :meth:`draw_frame` (a new figure without data; keeps what :meth:`draw_data` needs) and
    :meth:`draw_data` (adds or updates the data artists and returns them).
    """

    def __init__(self) -> None:
        self._key: object = None
        self._canvas: FigureCanvasAgg | None = None
        self._background = None

    def frame_key(self, model: DDRModel) -> object:
        raise NotImplementedError

    def draw_frame(self, model: DDRModel) -> Figure:
        raise NotImplementedError

    def draw_data(self, model: DDRModel, animated: bool) -> list[Artist]:
        raise NotImplementedError

    def figure(self, model: DDRModel) -> Figure:
        """The picture as an ordinary matplotlib figure."""
        self._key = None  # the frame drawn here is not a blitting frame
        fig = self.draw_frame(model)
        self.draw_data(model, animated=False)
        return fig

    def png(self, model: DDRModel) -> bytes:
        """The picture as PNG bytes; fast when only the data changed since the last call."""
        key = self.frame_key(model)
        if key != self._key or self._canvas is None:
            fig = self.draw_frame(model)
            self._canvas = FigureCanvasAgg(fig)
            self._canvas.draw()
            self._background = self._canvas.copy_from_bbox(fig.bbox)
            self._key = key
        canvas = self._canvas
        canvas.restore_region(self._background)
        for artist in self.draw_data(model, animated=True):
            artist.axes.draw_artist(artist)
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        out = io.BytesIO()
        image.save(out, format="PNG", compress_level=1)
        return out.getvalue()


class StatusPicture(Picture):
    """People by status over the months simulated so far, stacked."""

    def __init__(self) -> None:
        super().__init__()
        self._ax: Axes | None = None
        self._stack: list[Artist] = []

    @staticmethod
    def _top(model: DDRModel) -> float:
        """Upper end of the people axis: a round number above everyone shown so far, with
        room to grow (so the frame rarely needs redrawing)."""
        counts = status_over_time(model)
        most = max(
            counts[:, SHOWN].sum(axis=1).max() if len(counts) else 0,
            where_people_are(model)[:, :, SHOWN].sum(),
            1,
        )
        step = 10 ** np.floor(np.log10(most * 1.25))
        return float(np.ceil(most * 1.25 / step) * step)

    def frame_key(self, model: DDRModel) -> object:
        return (id(model), self._top(model))

    def draw_frame(self, model: DDRModel) -> Figure:
        fig = Figure(figsize=(WIDTH, 3.6), dpi=DPI)
        ax = fig.add_axes((0.1, 0.13, 0.66, 0.77))
        ax.set_ylim(0, self._top(model))
        _time_axis(ax, model)
        ax.set_ylabel("people")
        ax.set_title("People by status", fontsize=10)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.set_autoscale_on(False)
        _status_legend(fig)
        self._ax, self._stack = ax, []
        return fig

    def draw_data(self, model: DDRModel, animated: bool) -> list[Artist]:
        for artist in self._stack:
            artist.remove()
        counts = status_over_time(model)
        if not len(counts):
            self._stack = []
            return []
        t = _time(model, np.arange(len(counts)) + 1)  # counts are taken at the end of a month
        self._stack = self._ax.stackplot(t, counts[:, SHOWN].T, colors=COLORS, lw=0)
        for artist in self._stack:
            artist.set_animated(animated)
        return self._stack


class TrustPicture(Picture):
    """Trust per group, political progress and mission presence; events as numbered
    dotted lines, listed with their dates beside the plot."""

    def __init__(self) -> None:
        super().__init__()
        self._lines: dict[str, Line2D] = {}

    def frame_key(self, model: DDRModel) -> object:
        return (id(model), tuple(group_names(model)), tuple(event_labels(events_so_far(model))))

    def draw_frame(self, model: DDRModel) -> Figure:
        labels = event_labels(events_so_far(model))
        groups = group_names(model)
        height = max(3.6, 0.8 + 0.17 * (len(groups) + 2 + len(labels)))
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        ax = fig.add_axes((0.08, 0.5 / height, 0.6, 1 - 1.0 / height))
        self._lines = {}
        for i, name in enumerate(groups):
            color = GROUP_COLORS[i % len(GROUP_COLORS)]
            (self._lines[name],) = ax.plot([], [], color=color, lw=1.5, label=f"trust {name}")
        (self._lines["political_progress"],) = ax.plot(
            [], [], color="black", lw=2.2, label="political progress"
        )
        (self._lines["mission_presence"],) = ax.plot(
            [], [], color="#31a354", lw=1.2, ls="--", label="mission presence"
        )
        for month, _ in events_so_far(model):
            ax.axvline(float(_time(model, month + 1)), color="0.55", ls=":", lw=1)
        for n, (month, kinds) in enumerate(labels, start=1):
            x = float(_time(model, month + 1))
            ax.text(x, 1.06, str(n), fontsize=8, ha="center", va="bottom", color="0.2")
            ax.plot([], [], ls="none", label=f"{n}  {model.label(month)} {kinds}")
        ax.set_ylim(0, 1.05)
        _time_axis(ax, model)
        ax.set_ylabel("level, 0 to 1")
        ax.set_title("Trust, political progress and events", fontsize=10, pad=16)
        fig.legend(loc="upper left", bbox_to_anchor=(0.69, 0.98), fontsize=7.5, frameon=False)
        return fig

    def draw_data(self, model: DDRModel, animated: bool) -> list[Artist]:
        time = _time(model, np.arange(months_done(model)) + 1)
        trust = trust_over_time(model)
        values = {name: trust[:, i] for i, name in enumerate(group_names(model))}
        for name in ("political_progress", "mission_presence"):
            values[name] = series_so_far(model, name)
        for name, line in self._lines.items():
            line.set_data(time, values[name])
            line.set_animated(animated)
        return list(self._lines.values())


class WherePicture(Picture):
    """Groups (rows) x regions (columns): each cell split by status share, total written."""

    def __init__(self) -> None:
        super().__init__()
        self._ax: Axes | None = None
        self._cells: list[Artist] = []

    def frame_key(self, model: DDRModel) -> object:
        return (id(model), tuple(group_names(model)))

    def draw_frame(self, model: DDRModel) -> Figure:
        groups = group_names(model)
        regions = list(model.region_names)
        fig = Figure(figsize=(WIDTH, max(2.6, 0.8 + 0.55 * len(groups))), dpi=DPI)
        ax = fig.add_axes((0.16, 0.04, 0.6, 0.82))
        ax.set_xlim(0, len(regions))
        ax.set_ylim(0, len(groups))
        ax.set_xticks(np.arange(len(regions)) + 0.48, regions)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(groups)) + 0.45, groups[::-1])
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_title("Where people are now: share by status", fontsize=10, pad=18)
        ax.set_autoscale_on(False)
        _status_legend(fig)
        self._ax, self._cells = ax, []
        return fig

    def draw_data(self, model: DDRModel, animated: bool) -> list[Artist]:
        for artist in self._cells:
            artist.remove()
        counts = where_people_are(model)[:, :, SHOWN]  # [group, region, status]
        ax = self._ax
        cells: list[Artist] = []
        n_groups, n_regions = counts.shape[:2]
        for g in range(n_groups):
            y0 = n_groups - 1 - g
            for r in range(n_regions):
                cell = counts[g, r]
                total = int(cell.sum())
                if total == 0:
                    cells.append(ax.add_patch(Rectangle((r, y0), 0.96, 0.9, color="0.95")))
                    continue
                left = float(r)
                for share, color in zip(cell / total, COLORS, strict=True):
                    if share > 0:
                        cells.append(
                            ax.add_patch(
                                Rectangle((left, y0), 0.96 * share, 0.9, color=color, lw=0)
                            )
                        )
                        left += 0.96 * share
                cells.append(
                    ax.text(
                        r + 0.48,
                        y0 + 0.45,
                        f"{total:,}",
                        ha="center",
                        va="center",
                        fontsize=8,
                        color="white",
                        fontweight="bold",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "0.2", "alpha": 0.55, "lw": 0},
                    )
                )
        for artist in cells:
            artist.set_animated(animated)
        self._cells = cells
        return cells
