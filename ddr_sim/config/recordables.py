"""Names of what a run records, for config files that choose among them (an experiment's
``series:``). Config imports no model code, so the names are written here, once: the
model reads them (``ddr_sim.core.records`` its series; ``ddr_sim.core.statuses`` checks
its status codes against :data:`STATUS_NAMES` with :func:`checked_status_names`).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

__all__ = [
    "EXIT_OPTIONS",
    "GATES",
    "GATE_COUNTS",
    "GATE_SERIES",
    "MODEL_SERIES",
    "SERIES_VARIABLES",
    "STATE_SERIES",
    "STATUS_NAMES",
    "checked_status_names",
    "gate_series",
]

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


#: Model-level monthly series read from the model's state at the end of each month.
STATE_SERIES: tuple[str, ...] = (
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

#: The exit options of the monthly choice whose gates are counted
#: (``ddr_sim.core.availability``).
EXIT_OPTIONS: tuple[str, ...] = ("pre_cantonment", "cantonment", "integration", "reinsertion")

#: What can close an exit option to a candidate, in the order the gates are checked: the
#: programme is not open (for them), their commander does not consent, their group holds
#: them back, they are not eligible (a child, declared unfit, unarmed), no places are left.
GATES: tuple[str, ...] = ("programme", "consent", "held_back", "eligibility", "places")

#: Monthly counts per exit option, among the people who reconsidered that month:
#: ``candidates`` (in a status the option leads from), ``offered`` (open to them),
#: ``chose`` (picked it), ``took`` (admitted: the places left let them in), and
#: ``closed_by_<gate>`` (candidates to whom the gate was the first to close it).
GATE_COUNTS: tuple[str, ...] = (
    "candidates",
    "offered",
    "chose",
    "took",
    *(f"closed_by_{gate}" for gate in GATES),
)


def gate_series(option: str, count: str) -> str:
    """Name of the monthly series of ``count`` (of :data:`GATE_COUNTS`) for ``option``."""
    return f"{option}_{count}"


#: The gate counts as monthly series: ``<option>_<count>``, e.g. ``reinsertion_offered``.
GATE_SERIES: tuple[str, ...] = tuple(
    gate_series(option, count) for option in EXIT_OPTIONS for count in GATE_COUNTS
)

#: Model-level monthly series (``ddr_sim.core.records.History.SERIES``).
MODEL_SERIES: tuple[str, ...] = (*STATE_SERIES, *GATE_SERIES)

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
