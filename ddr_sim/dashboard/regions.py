"""Pictures of where people are now, drawn with matplotlib from a :class:`Frame`.

* :class:`RegionsPicture`: each region coloured by who holds the ground (the model's
  ``region_controller``), with a bar of its people by status and their number. On a map
  of Mali when the scenario's regions are Mali's (:mod:`ddr_sim.dashboard.geography`),
  else on a schematic: one box per region.
* :class:`WherePicture`: groups (rows) x regions (columns), each cell split by the share
  of its people in each status, its head count written on it.
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ddr_sim.dashboard.frame import Frame
from ddr_sim.dashboard.geography import label_point, mali_regions, match_regions
from ddr_sim.dashboard.labels import Labels
from ddr_sim.dashboard.pictures import DPI, FONT, WIDTH, Picture, status_legend
from ddr_sim.dashboard.styles import COLORS, SHOWN, group_color

OUTSIDE = "#f2f2f2"  # a region of Mali the scenario does not model


def _holder(frame: Frame, region: int) -> int:
    return int(frame.controller[region])


def _holders(frame: Frame) -> tuple[int, ...]:
    """Who holds some region now (-1 the government), in legend order."""
    return tuple(sorted({int(c) for c in frame.controller}))


def _bars(frame: Frame, anchors: np.ndarray, width: float, height: float) -> list[np.ndarray]:
    """Rectangles of each region's status bar (share of its people), left to right."""
    people = frame.where[:, :, SHOWN].sum(axis=0)  # [region, status]
    boxes = []
    for r, (x, y) in enumerate(anchors):
        total = people[r].sum()
        shares = people[r] / total if total else np.zeros(len(SHOWN))
        left = x - width / 2
        for share in shares:
            right = left + width * share
            boxes.append(np.array([[left, y], [right, y], [right, y + height], [left, y + height]]))
            left = right
    return boxes


class RegionsPicture(Picture[Frame]):
    """Who holds each region, and its people by status (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._ax: Axes | None = None
        self._areas: PolyCollection | None = None
        self._bars: PolyCollection | None = None
        self._labels: Labels | None = None
        self._anchors = np.zeros((0, 2))
        self._bar_size = (1.0, 0.2)

    def frame_key(self, frame: Frame) -> object:
        return (frame.regions, _holders(frame))

    def _outlines(self, frame: Frame) -> tuple[list[np.ndarray], bool]:
        """Each scenario region's outline, and whether they are map shapes."""
        matched = match_regions(frame.regions)
        if matched is None:
            outlines = [
                np.array([[r, 0], [r + 0.92, 0], [r + 0.92, 1], [r, 1]], float)
                for r in range(len(frame.regions))
            ]
            return outlines, False
        shapes = mali_regions()
        return [shapes[matched[name]][0] for name in frame.regions], True

    def draw_frame(self, frame: Frame) -> Figure:
        outlines, is_map = self._outlines(frame)
        fig = Figure(figsize=(WIDTH, 4.2 if is_map else 2.8), dpi=DPI)
        ax = fig.add_axes((0.01, 0.06, 0.6, 0.84))
        ax.set_axis_off()
        if is_map:
            used = set(match_regions(frame.regions).values())
            rest = [o for name, (o, _) in mali_regions().items() if name not in used]
            ax.add_collection(PolyCollection(rest, facecolors=OUTSIDE, edgecolors="0.6", lw=0.6))
            ax.set_xlim(-12.5, 4.5)
            ax.set_ylim(10, 25.2)
            ax.set_aspect("equal")
            self._anchors = np.array([label_point(o) for o in outlines])
            self._bar_size = (1.9, 0.4)
            title = "Who holds the ground, and people by status (Mali's regions)"
            note = "Grey: regions not in the scenario. Menaka's boundary is approximate."
        else:
            ax.set_xlim(-0.05, len(outlines))
            ax.set_ylim(-0.05, 1.05)
            self._anchors = np.array([[r + 0.46, 0.3] for r in range(len(outlines))])
            self._bar_size = (0.8, 0.14)
            title = "Who holds the ground, and people by status (schematic)"
            note = "A box per region of the scenario (no map for these regions)."
        ax.set_autoscale_on(False)
        self._areas = PolyCollection(outlines, edgecolors="0.3", lw=1.0)
        ax.add_collection(self._areas)
        self._bars = PolyCollection([], facecolors=COLORS, edgecolors="none")
        ax.add_collection(self._bars)
        self._labels = Labels(ax, size=FONT, box="white", box_alpha=0.75)
        fig.suptitle(title, fontsize=FONT + 1.5, x=0.02, ha="left", y=0.98)
        fig.text(0.02, 0.01, note, fontsize=FONT, color="0.35")
        holders = [
            Patch(
                facecolor=group_color(i),
                edgecolor="0.3",
                label="government" if i < 0 else frame.groups[i],
            )
            for i in _holders(frame)
        ]
        fig.legend(
            handles=holders,
            loc="upper left",
            bbox_to_anchor=(0.62, 0.92),
            fontsize=FONT,
            frameon=False,
            title="held by",
            title_fontsize=FONT,
            alignment="left",
        )
        status_legend(
            fig,
            loc="lower left",
            bbox_to_anchor=(0.62, 0.06),
            ncols=2,
            title="people by status",
            title_fontsize=FONT,
            alignment="left",
            columnspacing=0.8,
            handlelength=1.2,
        )
        self._ax = ax
        return fig

    def draw_data(self, frame: Frame, animated: bool) -> list[Artist]:
        n = len(frame.regions)
        self._areas.set_facecolor([group_color(_holder(frame, r)) for r in range(n)])
        width, height = self._bar_size
        self._bars.set_verts(_bars(frame, self._anchors - [0, height / 2], width, height))
        self._bars.set_facecolor(COLORS * n)
        people = frame.where[:, :, SHOWN].sum(axis=(0, 2))
        labels = self._labels.show(
            self._anchors + [0, height * 0.8],
            [f"{frame.regions[r]}\n{people[r]:,}" for r in range(n)],
            valign="bottom",
        )
        artists = [self._areas, self._bars, *labels]
        for artist in artists:
            artist.set_animated(animated)
        return artists


class WherePicture(Picture[Frame]):
    """Groups (rows) x regions (columns): each cell split by status share, total written."""

    def __init__(self) -> None:
        super().__init__()
        self._ax: Axes | None = None
        self._cells: PolyCollection | None = None
        self._labels: Labels | None = None

    def frame_key(self, frame: Frame) -> object:
        return (frame.groups, frame.regions)

    def draw_frame(self, frame: Frame) -> Figure:
        groups, regions = frame.groups, frame.regions
        height = max(2.4, 0.9 + 0.32 * len(groups))
        fig = Figure(figsize=(WIDTH, height), dpi=DPI)
        left = 0.04 + 0.012 * max(len(g) for g in groups)
        ax = fig.add_axes((left, 0.03, 0.74 - left, 1 - 0.75 / height))
        ax.set_xlim(0, len(regions))
        ax.set_ylim(0, len(groups))
        ax.set_xticks(np.arange(len(regions)) + 0.48, regions, fontsize=FONT)
        ax.xaxis.tick_top()
        ax.set_yticks(np.arange(len(groups)) + 0.45, groups[::-1], fontsize=FONT)
        ax.tick_params(length=0)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.set_title("Where each group's people are now, by status", fontsize=FONT + 1.5, pad=18)
        ax.set_autoscale_on(False)
        status_legend(fig, loc="center left", bbox_to_anchor=(0.75, 0.5))
        self._cells = PolyCollection([], edgecolors="none")
        ax.add_collection(self._cells)
        self._labels = Labels(
            ax, size=FONT, weight="bold", color="white", box="0.2", box_alpha=0.55
        )
        self._ax = ax
        return fig

    def draw_data(self, frame: Frame, animated: bool) -> list[Artist]:
        counts = frame.where[:, :, SHOWN]  # [group, region, status]
        n_groups, n_regions = counts.shape[:2]
        boxes, colors, anchors, texts = [], [], [], []
        for g in range(n_groups):
            y0 = n_groups - 1 - g
            for r in range(n_regions):
                total = int(counts[g, r].sum())
                if total == 0:
                    boxes.append(_box(r, y0, 0.96))
                    colors.append("0.95")
                    continue
                left = float(r)
                for share, color in zip(counts[g, r] / total, COLORS, strict=True):
                    if share > 0:
                        boxes.append(_box(left, y0, 0.96 * share))
                        colors.append(color)
                        left += 0.96 * share
                anchors.append((r + 0.48, y0 + 0.45))
                texts.append(f"{total:,}")
        self._cells.set_verts(boxes)
        self._cells.set_facecolor(colors)
        artists = [self._cells, *self._labels.show(np.array(anchors), texts)]
        for artist in artists:
            artist.set_animated(animated)
        return artists


def _box(left: float, bottom: float, width: float, height: float = 0.9) -> np.ndarray:
    return np.array(
        [
            [left, bottom],
            [left + width, bottom],
            [left + width, bottom + height],
            [left, bottom + height],
        ]
    )
