"""Names shared by the tables and the summary: column fragments, checkpoints, flow lists."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ddr_sim.config.calendar import month_index
from ddr_sim.core.statuses import Status

#: Dates of the domain brief's figures (DOMAIN.md section 5); kept when inside the calendar.
DEFAULT_CHECKPOINTS: tuple[str, ...] = ("2018-03", "2018-11", "2020-06", "2020-12", "2023-02")

#: Flows summed over the run and up to each checkpoint.
CUMULATIVE_FLOWS: tuple[str, ...] = (
    "pre_cantoned",
    "cantoned",
    "moc_assigned",
    "registered",
    "declared_unfit",
    "integrated",
    "reinserted",
    "rejoined",
)

#: Statuses whose head count is reported at the end and at each checkpoint.
STOCK_STATUSES: tuple[Status, ...] = (
    Status.PRE_CANTONED,
    Status.CANTONED,
    Status.MOC,
    Status.TRAINING,
    Status.INTEGRATED,
    Status.REINSERTED,
    Status.UNFIT_WAITING,
    Status.REJOINED,
)

#: First entries reported as ``first_<step>_month`` / ``first_<step>_date``.
FIRST_ENTRIES: dict[str, str] = {
    "pre_cantonment": "pre_cantoned",
    "cantonment": "cantoned",
    "registration": "registered",
    "integration": "integrated",
    "reinsertion": "reinserted",
}


def slug(text: str) -> str:
    """A snake_case fragment for a column name (``"Hills-split3"`` -> ``"hills_split3"``)."""
    return re.sub(r"[^0-9a-z]+", "_", str(text).lower()).strip("_") or "x"


def date_slug(date: str) -> str:
    """``"2020-06"`` -> ``"2020_06"``."""
    return date.replace("-", "_")


def checkpoints_in_calendar(
    checkpoints: Iterable[str] | None, start: str, months: int
) -> list[str]:
    """The checkpoint dates (default :data:`DEFAULT_CHECKPOINTS`) inside the calendar."""
    dates = DEFAULT_CHECKPOINTS if checkpoints is None else tuple(checkpoints)
    kept = [d for d in dates if 0 <= month_index(d, start) < months]
    return sorted(set(kept), key=lambda d: month_index(d, start))
