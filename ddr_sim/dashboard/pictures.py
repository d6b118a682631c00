"""The dashboard's pictures over time, drawn with matplotlib from a :class:`Frame`.

* :class:`StatusPicture`: people by status over time, stacked;
* :class:`TrustPicture`: trust per group, political progress and mission presence, with
  events as numbered dotted lines listed under the plot.

The time axis always spans the whole calendar, so a class sees the run grow month by month.

Speed: drawing text (ticks, legends) is most of matplotlib's time, and it hardly changes
from one month to the next. So each picture draws its *frame* (axes, ticks, legend) once
and keeps it as a bitmap; each month it pastes the frame and draws only the data on top
("blitting"), then encodes the image. The frame is redrawn only when it changes (a new
splinter group, an event list needing more rows, a population outgrowing the axis); text
that changes each month is drawn with the data (:mod:`ddr_sim.dashboard.labels`).
:meth:`Picture.image` does that; :meth:`Picture.figure` returns an ordinary figure, e.g.
for a notebook.

No pyplot, and one lock around all drawing: matplotlib's font cache is shared by every
figure of the process, so two browser sessions must not draw text at the same moment.
"""

from __future__ import annotations

import io
import threading

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator
from PIL import Image

from ddr_sim.config.calendar import parse_month
from ddr_sim.dashboard.frame import Frame
from ddr_sim.dashboard.labels import Labels
from ddr_sim.dashboard.styles import COLORS, SHOWN, STATUS_STYLE, group_color

#: Pixels per inch of every picture; fonts of 8 points and more are at least 11 px high.
DPI = 100
WIDTH = 7.0  # inches: 700 px, the main area's width on a 1024 px wide screen
FONT = 8.5

#: Drawing is serialised across the whole server (see the module docstring).
DRAW_LOCK = threading.Lock()


def decimal_year(frame: Frame, months: np.ndarray | int) -> np.ndarray:
    """Months from the calendar start -> decimal year (2015.0 is 1 January 2015)."""
    year, month = parse_month(frame.start)
    return year + (month - 1 + np.asarray(months, float)) / 12.0


def time_axis(ax: Axes, frame: Frame) -> None:
    """The whole calendar, whole years marked."""
    ax.set_xlim(decimal_year(frame, 0), decimal_year(frame, frame.months))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=8))
    ax.tick_params(labelsize=FONT)
    ax.grid(axis="x", color="0.9", lw=0.8)


def status_legend(fig: Figure, **where) -> None:
    """The status colours, in stacking order (top first)."""
    handles = [Patch(color=STATUS_STYLE[s][0], label=STATUS_STYLE[s][1]) for s in SHOWN]
    fig.legend(handles=handles[::-1], fontsize=FONT, frameon=False, **where)


#: Shorter names of event kinds, so that event labels fit under the plot.
EVENT_NAMES = {
    "accelerated_ddr_launch": "fast-track DDR",
    "pressure_campaign": "pressure",
    "mission_exit": "mission exit",
    "quota_offer": "quota offer",
}


def event_labels(events: tuple[tuple[int, str], ...], gap: int = 4) -> list[tuple[int, str]]:
    """One label per cluster of events less than ``gap`` months apart (so markers do not
    overlap): ``(month of the first, "kind + kind")``."""
    labels: list[tuple[int, list[str]]] = []
    for month, kind in sorted(events):
        text = EVENT_NAMES.get(kind, kind.replace("_", " "))
        if labels and month - labels[-1][0] < gap:
            if text not in labels[-1][1]:
                labels[-1][1].append(text)
        else:
            labels.append((month, [text]))
    return [(month, " + ".join(kinds)) for month, kinds in labels]


def _shorten(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


#: Format of the pictures sent to the browser. JPEG at high quality without chroma
#: subsampling keeps text sharp and encodes about ten times faster than PNG, which was
#: most of the time of a month (the picture is replaced the next month anyway).
IMAGE_FORMAT = "jpeg"


def image_bytes(canvas: FigureCanvasAgg) -> bytes:
    """The canvas as an image file in :data:`IMAGE_FORMAT`."""
    width, height = canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=92, subsampling=0)
    return out.getvalue()


class Picture[T]:
    """A picture whose frame is drawn once and whose data is drawn each month.

    ``T`` is what it is drawn from: a :class:`~ddr_sim.dashboard.frame.Frame` for the
    run's pictures. Subclasses define :meth:`frame_key` (the frame is redrawn when it
    changes), :meth:`draw_frame` (a new figure without data; keeps what :meth:`draw_data`
    needs) and :meth:`draw_data` (adds or updates the data artists and returns them).
    """

    def __init__(self) -> None:
        self._key: object = None
        self._canvas: FigureCanvasAgg | None = None
        self._background = None

    def frame_key(self, frame: T) -> object:
        raise NotImplementedError

    def draw_frame(self, frame: T) -> Figure:
        raise NotImplementedError

    def draw_data(self, frame: T, animated: bool) -> list[Artist]:
        raise NotImplementedError

    def figure(self, frame: T) -> Figure:
        """The picture as an ordinary matplotlib figure."""
        with DRAW_LOCK:
            self._key = None  # the frame drawn here is not a blitting frame
            fig = self.draw_frame(frame)
            self.draw_data(frame, animated=False)
        return fig

    def image(self, frame: T) -> bytes:
        """The picture as image bytes (:data:`IMAGE_FORMAT`); fast when only the data
        changed since the last call."""
        with DRAW_LOCK:
            key = self.frame_key(frame)
            if key != self._key or self._canvas is None:
                fig = self.draw_frame(frame)
                self._canvas = FigureCanvasAgg(fig)
                self._canvas.draw()
                self._background = self._canvas.copy_from_bbox(fig.bbox)
                self._key = key
            canvas = self._canvas
            canvas.restore_region(self._background)
            for artist in self.draw_data(frame, animated=True):
                artist.axes.draw_artist(artist)
            return image_bytes(canvas)


def stacked_bands(x: np.ndarray, values: np.ndarray) -> list[np.ndarray]:
    """Polygons of a stacked area chart: one per column of ``values`` ``[x, band]``."""
    top = np.cumsum(values, axis=1, dtype=float)
    bottom = np.hstack([np.zeros((len(x), 1)), top[:, :-1]])
    return [
        np.column_stack(
            [np.concatenate([x, x[::-1]]), np.concatenate([top[:, k], bottom[::-1, k]])]
        )
        for k in range(values.shape[1])
    ]


class StatusPicture(Picture[Frame]):
    """People by status over the months simulated so far, stacked."""

    def __init__(self) -> None:
        super().__init__()
        self._ax: Axes | None = None
        self._bands: PolyCollection | None = None

    @staticmethod
    def _top(frame: Frame) -> float:
        """Upper end of the people axis: a round number above everyone shown so far, with
        room to grow (so the frame rarely needs redrawing)."""
        want = 1.25 * max(frame.status[:, SHOWN].sum(axis=1).max(), 1)
        power = 10 ** np.floor(np.log10(want))
        return float(min(m * power for m in (1, 1.5, 2, 3, 4, 5, 6, 8, 10) if m * power >= want))

    def frame_key(self, frame: Frame) -> object:
        return self._top(frame)

    def draw_frame(self, frame: Frame) -> Figure:
        fig = Figure(figsize=(WIDTH, 3.0), dpi=DPI)
        ax = fig.add_axes((0.13, 0.1, 0.61, 0.8))
        ax.set_ylim(0, self._top(frame))
        time_axis(ax, frame)
        ax.set_ylabel("people", fontsize=FONT)
        ax.set_title("People by status", fontsize=FONT + 1.5)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
        ax.set_autoscale_on(False)
        status_legend(fig, loc="center left", bbox_to_anchor=(0.75, 0.5))
        self._bands = PolyCollection([], facecolors=COLORS, linewidths=0)
        ax.add_collection(self._bands, autolim=False)
        self._ax = ax
        return fig

    def draw_data(self, frame: Frame, animated: bool) -> list[Artist]:
        x = decimal_year(frame, np.arange(frame.month + 1))
        self._bands.set_verts(stacked_bands(x, frame.status[:, SHOWN]))
        self._bands.set_animated(animated)
        return [self._bands]


#: The event list under the trust picture grows by this many rows at a time (two labels a
#: row), so that the picture is redrawn whole only every few events.
EVENT_ROWS_STEP = 2


def event_rows(frame: Frame) -> int:
    """Rows kept for the event list: room for every label so far, in steps."""
    rows = (len(event_labels(frame.events)) + 1) // 2
    return -(-rows // EVENT_ROWS_STEP) * EVENT_ROWS_STEP


class TrustPicture(Picture[Frame]):
    """Trust per group, political progress and mission presence; events as numbered
    dotted lines, listed with their dates under the plot.

    The events are drawn with the data (one collection of lines, the numbers and the list
    as :class:`~ddr_sim.dashboard.labels.Labels`), so a new event costs no redraw of the
    axes and legend unless the list needs more rows.
    """

    def __init__(self) -> None:
        super().__init__()
        self._lines: dict[str, Line2D] = {}
        self._markers: LineCollection | None = None
        self._numbers: Labels | None = None
        self._list: Labels | None = None
        self._rows = 0

    def frame_key(self, frame: Frame) -> object:
        return (frame.groups, event_rows(frame))

    def draw_frame(self, frame: Frame) -> Figure:
        self._rows = rows = event_rows(frame)
        height = 3.0 + 0.2 * rows
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        bottom = (0.35 + 0.2 * rows) / height
        ax = fig.add_axes((0.08, bottom, 0.64, 1 - bottom - 0.45 / height))
        self._lines = {}
        for i, name in enumerate(frame.groups):
            (self._lines[name],) = ax.plot([], [], color=group_color(i), lw=1.5, label=name)
        (self._lines["political_progress"],) = ax.plot(
            [], [], color="black", lw=2.2, label="political progress"
        )
        (self._lines["mission_presence"],) = ax.plot(
            [], [], color="#31a354", lw=1.2, ls="--", label="mission presence"
        )
        on_time = ax.get_xaxis_transform()  # x: year, y: 0 to 1 up the axes
        self._markers = LineCollection([], colors="0.55", linestyles=":", linewidths=1)
        self._markers.set_transform(on_time)
        ax.add_collection(self._markers, autolim=False)
        self._numbers = Labels(ax, size=FONT, color="0.2", box=None)  # at y = 1.06 in data
        self._list = Labels(
            ax, size=FONT, color="0.2", box=None, where=fig.transFigure, halign="left"
        )
        ax.set_ylim(0, 1.05)
        time_axis(ax, frame)
        ax.set_ylabel("level, 0 to 1", fontsize=FONT)
        ax.set_title(
            "Each group's trust in the government, political progress, events",
            fontsize=FONT + 1.5,
            pad=14,
        )
        fig.legend(
            handles=list(self._lines.values()),
            loc="upper left",
            bbox_to_anchor=(0.73, 1 - 0.45 / height),
            fontsize=FONT,
            frameon=False,
        )
        return fig

    def draw_data(self, frame: Frame, animated: bool) -> list[Artist]:
        time = decimal_year(frame, np.arange(frame.month + 1))
        values = {name: frame.trust[:, i] for i, name in enumerate(frame.groups)}
        values["political_progress"] = frame.progress
        values["mission_presence"] = frame.presence
        for name, line in self._lines.items():
            line.set_data(time, values[name])
        artists: list[Artist] = list(self._lines.values())
        self._markers.set_segments(
            [[(x, 0), (x, 1)] for x in decimal_year(frame, [m for m, _ in frame.events])]
        )
        labels = event_labels(frame.events)
        x = decimal_year(frame, [month for month, _ in labels])
        artists += [
            self._markers,
            *self._numbers.show(
                np.column_stack([x, np.full(len(labels), 1.06)]),
                [str(n) for n in range(1, len(labels) + 1)],
                valign="bottom",
            ),
        ]
        height = 3.0 + 0.2 * self._rows
        places, texts = [], []
        for n, (month, kinds) in enumerate(labels, start=1):
            column, row = divmod(n - 1, self._rows)
            places.append((0.02 + 0.5 * column, (0.1 + 0.2 * (self._rows - 1 - row)) / height))
            texts.append(_shorten(f"{n}  {frame.label(month)} {kinds}", 52))
        artists += self._list.show(np.array(places), texts, valign="baseline")
        for artist in artists:
            artist.set_animated(animated)
        return artists
