"""One followed person's months as a picture: a band coloured by status over a line of
their trust in the state (group and place are in the table beside it).

Drawn like the run's pictures (:class:`~ddr_sim.dashboard.pictures.Picture`): axes and
legend once, the band and the line each month; the legend is redrawn when the person
takes a status not seen before.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.artist import Artist
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ddr_sim.dashboard.follow import PersonMonth
from ddr_sim.dashboard.pictures import DPI, FONT, WIDTH, Picture
from ddr_sim.dashboard.styles import STATUS_STYLE

#: Colour of each status by its plain name (the names ``PersonMonth`` carries).
COLOR_BY_NAME = {label: color for color, label in STATUS_STYLE.values()}
ABSENT = "#ffffff"


@dataclass(frozen=True, eq=False)
class Life:
    """What the picture shows: the months of ``life`` (the first at ``start_year``, a
    decimal year) on an axis of ``months`` months."""

    life: list[PersonMonth]
    start_year: float
    months: int

    def held(self) -> tuple[str, ...]:
        """The statuses the person has held, in legend order."""
        return tuple(name for name in COLOR_BY_NAME if any(m.status == name for m in self.life))


def status_spans(life: list[PersonMonth], start_year: float) -> tuple[list[np.ndarray], list]:
    """Rectangles ``[x, 0..1]`` of the band, one per run of months in one status, and
    their colours (the last month is the state now: it has no span yet)."""
    boxes, colors = [], []
    first = 0
    for k in range(1, len(life)):
        if k == len(life) - 1 or _shown(life[k]) != _shown(life[first]):
            left = start_year + first / 12.0
            right = start_year + k / 12.0
            boxes.append(np.array([[left, 0], [right, 0], [right, 1], [left, 1]], float))
            colors.append(_shown(life[first]))
            first = k
    return boxes, colors


def _shown(month: PersonMonth) -> str:
    return COLOR_BY_NAME.get(month.status, "0.5") if month.present else ABSENT


class LifePicture(Picture[Life]):
    """The picture of a followed person's life; :meth:`image` takes a :class:`Life`."""

    def __init__(self) -> None:
        super().__init__()
        self._band: PolyCollection | None = None
        self._trust: Line2D | None = None

    def frame_key(self, frame: Life) -> object:
        return (frame.start_year, frame.months, frame.held())

    def draw_frame(self, frame: Life) -> Figure:
        fig = Figure(figsize=(WIDTH, 2.2), dpi=DPI)
        band = fig.add_axes((0.08, 0.62, 0.88, 0.2))
        trust = fig.add_axes((0.08, 0.16, 0.88, 0.4), sharex=band)
        held = frame.held()
        band.legend(
            handles=[Patch(color=COLOR_BY_NAME[name], label=name) for name in held],
            loc="lower left",
            bbox_to_anchor=(0, 1.02),
            ncols=max(len(held), 1),
            fontsize=FONT,
            frameon=False,
            handlelength=1.2,
            columnspacing=1.0,
            borderaxespad=0,
        )
        band.set_yticks([])
        band.set_ylim(0, 1)
        band.tick_params(labelbottom=False)
        self._band = PolyCollection([], linewidths=0)
        band.add_collection(self._band, autolim=False)
        (self._trust,) = trust.plot([], [], color="black", lw=1.5)
        trust.set_ylim(0, 1)
        trust.set_xlim(frame.start_year, frame.start_year + frame.months / 12.0)
        trust.set_ylabel("trust", fontsize=FONT)
        trust.tick_params(labelsize=FONT)
        for ax in (band, trust):
            ax.set_autoscale_on(False)
        return fig

    def draw_data(self, frame: Life, animated: bool) -> list[Artist]:
        boxes, colors = status_spans(frame.life, frame.start_year)
        self._band.set_verts(boxes)
        self._band.set_facecolor(colors)
        x = frame.start_year + np.arange(len(frame.life)) / 12.0
        self._trust.set_data(x, [m.trust if m.present else np.nan for m in frame.life])
        artists = [self._band, self._trust]
        for artist in artists:
            artist.set_animated(animated)
        return artists
