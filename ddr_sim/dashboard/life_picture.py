"""One followed person's months as a picture: a band coloured by status over a line of
their trust in the state (group and place are in the table beside it)."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ddr_sim.dashboard.follow import PersonMonth
from ddr_sim.dashboard.pictures import DPI, DRAW_LOCK, FONT, WIDTH, image_bytes
from ddr_sim.dashboard.styles import STATUS_STYLE

#: Colour of each status by its plain name (the names ``PersonMonth`` carries).
COLOR_BY_NAME = {label: color for color, label in STATUS_STYLE.values()}
ABSENT = "#ffffff"


def life_image(life: list[PersonMonth], start_year: float, months: int) -> bytes:
    """The picture of ``life`` (months from the calendar start) as image bytes."""
    with DRAW_LOCK:
        fig = Figure(figsize=(WIDTH, 2.2), dpi=DPI)
        band = fig.add_axes((0.08, 0.62, 0.88, 0.2))
        trust = fig.add_axes((0.08, 0.16, 0.88, 0.4), sharex=band)
        x = start_year + np.arange(len(life)) / 12.0
        for m, when in zip(life[:-1], x[:-1], strict=True):
            color = COLOR_BY_NAME.get(m.status, "0.5") if m.present else ABSENT
            band.axvspan(when, when + 1 / 12, color=color, lw=0)
        held = [name for name in COLOR_BY_NAME if any(m.status == name for m in life)]
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
        values = [m.trust if m.present else np.nan for m in life]
        trust.plot(x, values, color="black", lw=1.5)
        trust.set_ylim(0, 1)
        trust.set_xlim(start_year, start_year + months / 12.0)
        trust.set_ylabel("trust", fontsize=FONT)
        trust.tick_params(labelsize=FONT)
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return image_bytes(canvas)
