"""Names of what a run records, for config files that choose among them (an experiment's
``series:``). Config imports no model code, so the names are written here, once: the
model reads them (``ddr_sim.core.records`` its series; ``ddr_sim.core.statuses`` checks
its status codes against :data:`STATUS_NAMES` with :func:`checked_status_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

__all__ = ["MODEL_SERIES", "SERIES_VARIABLES", "STATUS_NAMES", "checked_status_names"]

#: The statuses a person can hold, in code order (``ddr_sim.core.statuses.Status``).
STATUS_NAMES: tuple[str, ...] = (
    "active",
    "mining",
    "pre_cantoned",
    "cantoned",
    "moc",
    "training",
    "integrated",
    "reinserted",
    "unfit_waiting",
    "rejoined",
    "killed",
)


def checked_status_names(codes: Iterable[IntEnum]) -> tuple[str, ...]:
    """:data:`STATUS_NAMES`, once ``codes`` (the model's status codes) are found to be
    these names in this order, numbered from 0.

    Raises
    ------
    RuntimeError
        Naming the difference, when a status was added, removed, renamed or moved in one
        place and not in the other.
    """
    found = [(int(code), code.name.lower()) for code in codes]
    expected = list(enumerate(STATUS_NAMES))
    if found != expected:
        differs = sorted(set(found) ^ set(expected))
        raise RuntimeError(
            f"the model's status codes differ from config's STATUS_NAMES at {differs}: "
            "change ddr_sim/config/recordables.py and ddr_sim/core/statuses.py together"
        )
    return STATUS_NAMES


#: Model-level monthly series (``ddr_sim.core.records.History.SERIES``).
MODEL_SERIES: tuple[str, ...] = (
    "political_progress",
    "pressure",
    "mission_presence",
    "cvr_usd_year",
    "sites_built",
    "quota",
    "ranks_settled",
    "agreement_in_force",
    "hardening",
    "pre_cantonment_open",
    "moc_open",
    "accelerated_ddr_open",
    "general_integration_open",
    "reinsertion_open",
    "cost_usd",
)

#: Monthly series a sweep can keep: the series table of :mod:`ddr_sim.runs.tables` and the
#: number of people holding each status (``stock_<status>``).
SERIES_VARIABLES: tuple[str, ...] = (
    *MODEL_SERIES,
    "mean_trust",
    "site_built",
    "programme_open",
    "net_into_integrated_reinserted",
    "stall",
    *(f"stock_{s}" for s in STATUS_NAMES),
)
