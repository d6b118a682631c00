"""Names of what a run records, for config files that choose among them (an experiment's
``series:``). Config imports no model code, so the names are written here; a test checks
them against the model's own lists (``ddr_sim.core.records``, ``ddr_sim.core.statuses``).
"""

from __future__ import annotations

__all__ = ["MODEL_SERIES", "SERIES_VARIABLES", "STATUS_NAMES"]

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
