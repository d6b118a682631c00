"""Text written on the pictures each month (head counts, region names), drawn fast.

matplotlib lays out and draws each ``Text`` artist on its own, about a millisecond each
with its box: with a number on every cell that was most of the time of a month. Here a
label is a path made of the outlines of its characters (each character's outline is made
once and kept), and all the labels of a picture are two collections, their boxes and
their characters, each drawn in one call. The same artists serve the blitted image and
the ordinary figure (:meth:`~ddr_sim.dashboard.pictures.Picture.figure`), so both show
the same labels.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.font_manager import FontProperties
from matplotlib.patches import BoxStyle
from matplotlib.path import Path
from matplotlib.textpath import TextPath, text_to_path
from matplotlib.transforms import Affine2D, Transform

#: Height of a line, in font sizes (as ``linespacing`` of a matplotlib text).
LINE_SPACING = 1.15


@functools.lru_cache(maxsize=512)
def glyph(char: str, size: float, weight: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Outline of one character at ``size`` points: ``(vertices, codes, advance)``, the
    vertices in points from the start of its baseline."""
    prop = FontProperties(size=size, weight=weight)
    advance = text_to_path.get_text_width_height_descent(char, prop, ismath=False)[0]
    if char.isspace():  # no outline (and matplotlib cannot make an empty TextPath)
        return np.zeros((0, 2)), np.zeros(0, np.uint8), float(advance)
    outline = TextPath((0, 0), char, prop=prop)
    return np.asarray(outline.vertices, float), np.asarray(outline.codes, np.uint8), float(advance)


def line_outline(text: str, size: float, weight: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Outline of a line of text from the start of its baseline, and its width (points)."""
    vertices, codes, x = [], [], 0.0
    for char in text:
        v, c, advance = glyph(char, size, weight)
        if len(v):
            vertices.append(v + [x, 0.0])
            codes.append(c)
        x += advance
    if not vertices:
        return np.zeros((0, 2)), np.zeros(0, np.uint8), x
    return np.concatenate(vertices), np.concatenate(codes), x


class Labels:
    """Labels at points of a picture: text, optionally on a rounded box.

    Parameters
    ----------
    ax : Axes
        The axes the labels belong to (they may reach past it).
    size : float
        Font size, points.
    weight : str
        Font weight (``"normal"``, ``"bold"``).
    color : str
        Colour of the text.
    box : str or None
        Colour of the box behind each label; None for no box.
    box_alpha : float
        Opacity of the box.
    pad : float
        Room between text and box edge, in font sizes.
    where : Transform or None
        Coordinates of the anchors: the axes' data coordinates by default.
    halign : {"center", "left"}
        Where the anchor is along a line of text.
    """

    def __init__(
        self,
        ax: Axes,
        *,
        size: float,
        weight: str = "normal",
        color: str = "black",
        box: str | None = "white",
        box_alpha: float = 0.75,
        pad: float = 0.15,
        where: Transform | None = None,
        halign: str = "center",
    ) -> None:
        self.size, self.weight, self.pad, self.halign = size, weight, pad, halign
        points = Affine2D().scale(ax.get_figure(root=True).dpi / 72.0)
        common = {
            "offset_transform": ax.transData if where is None else where,
            "edgecolors": "none",
            "linewidths": 0,
        }
        self.boxes = None
        if box is not None:
            self.boxes = PathCollection([], facecolors=box, alpha=box_alpha, **common)
        self.text = PathCollection([], facecolors=color, **common)
        for collection in self._collections():
            collection.set_transform(points)
            ax.add_collection(collection, autolim=False)
            collection.set_clip_on(False)  # as text: a label may reach past the axes

    def _collections(self) -> list[PathCollection]:
        return [self.text] if self.boxes is None else [self.boxes, self.text]

    def label_paths(self, text: str, valign: str) -> tuple[Path, Path]:
        """Path of the text and of its box, in points from the anchor. Lines are centred
        on the anchor or start at it (``halign``); the text is centred on the anchor
        (``valign="center"``), its box stands on it (``"bottom"``) or its last line's
        baseline is on it (``"baseline"``)."""
        lines = text.split("\n")
        step = LINE_SPACING * self.size
        cap = 0.73 * self.size  # height of capitals and digits in DejaVu Sans
        height = cap + step * (len(lines) - 1)
        bottom = {"center": -height / 2, "bottom": self.pad * self.size, "baseline": 0.0}[valign]
        vertices, codes, widest = [], [], 0.0
        for k, line in enumerate(lines):
            v, c, width = line_outline(line, self.size, self.weight)
            widest = max(widest, width)
            start = -width / 2 if self.halign == "center" else 0.0
            vertices.append(v + [start, bottom + step * (len(lines) - 1 - k)])
            codes.append(c)
        glyphs = Path(np.concatenate(vertices), np.concatenate(codes))
        left = -widest / 2 if self.halign == "center" else 0.0
        box = BoxStyle("round", pad=self.pad)(left, bottom, widest, height, self.size)
        return glyphs, box

    def show(
        self, anchors: np.ndarray, texts: Sequence[str], valign: str = "center"
    ) -> list[Artist]:
        """Write ``texts[i]`` at ``anchors[i]``; the artists to draw."""
        pairs = [self.label_paths(text, valign) for text in texts]
        offsets = np.asarray(anchors, float).reshape(-1, 2)
        self.text.set_paths([glyphs for glyphs, _ in pairs])
        if self.boxes is not None:
            self.boxes.set_paths([box for _, box in pairs])
        for collection in self._collections():
            collection.set_offsets(offsets)
        return list(self._collections())
