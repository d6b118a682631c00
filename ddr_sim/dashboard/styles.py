"""Colours and plain-language names the dashboard gives statuses, groups and the state."""

from __future__ import annotations

from ddr_sim.core.statuses import Status

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
GROUP_COLORS = (
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#a6761d",
    "#666666",
    "#e6ab02",
    "#17becf",
    "#8c564b",
    "#bcbd22",
    "#f781bf",
)
GOVERNMENT_COLOR = "#9ecae1"


def status_name(code: int) -> str:
    """Plain name of a status code ("killed" for the one not drawn)."""
    status = Status(int(code))
    return STATUS_STYLE[status][1] if status in STATUS_STYLE else status.name.lower()


def group_color(index: int) -> str:
    """Colour of a group by index; -1 (the government) has its own."""
    return GOVERNMENT_COLOR if index < 0 else GROUP_COLORS[index % len(GROUP_COLORS)]
