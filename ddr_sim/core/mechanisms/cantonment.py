"""Mechanism 6, cantonment is contested: sites take months to build in insecure places,
and a site only fills if the group consents (politics_gate) and its fighters choose it.

Site construction (by the mission, while present and within its site budget):
``sites_approved`` sites start at ``cantonment.approval``; each needs ``build_months`` of
work; an attack on sites in a region sets that region's sites back by
``severity * build_months / 2`` months of work. Built sites are spread over
``cantonment.regions`` in turn. Places in region r:

    places_r = built_sites_r * capacity_per_site - cantoned_r

A stay is capped at ``max_stay_months`` (the 2018 roadmap's 45 days); at the cap the
person moves on to DDR if it is open to them and otherwise goes back to the group.
Pre-cantonment is the informal variant: light support (``support_value``), no
disarmament, places limited to ``pre_cantonment.capacity`` in ``pre_cantonment.regions``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Cantonment, PreCantonment
    from ddr_sim.core.population import Population


class Sites:
    """Construction state of the formal cantonment sites (``region_index``: region name ->
    index)."""

    def __init__(self, cantonment: Cantonment, region_index: dict[str, int]):
        c = cantonment
        self.region_of_site = np.array(
            [region_index[c.regions[i % len(c.regions)]] for i in range(c.sites_approved)]
            if c.regions
            else [],
            dtype=np.int64,
        )
        self.work_done = np.zeros(len(self.region_of_site))
        self.started = False
        self.spent_usd = 0.0

    def built(self, build_months: int) -> np.ndarray:
        return self.work_done >= build_months

    def n_built(self, build_months: int) -> int:
        return int(self.built(build_months).sum())


def build_sites(
    sites: Sites,
    cantonment: Cantonment,
    *,
    month: int,
    start: str,
    presence: float,
    site_budget_usd: float,
) -> None:
    """A month of site construction by the mission (present at ``presence``, with
    ``site_budget_usd`` for sites); ``start`` is the calendar's first month."""
    c = cantonment
    if c.approval is None or len(sites.work_done) == 0:
        return
    if month < month_index(c.approval, start):
        return
    if presence <= 0:
        return
    unfinished = sites.work_done < c.build_months
    if not unfinished.any():
        return
    if not sites.started:
        needed = c.cost_per_site_usd * len(sites.work_done)
        if needed > site_budget_usd:
            affordable = int(site_budget_usd // max(c.cost_per_site_usd, 1))
            sites.work_done[affordable:] = -math.inf
            unfinished = sites.work_done < c.build_months
        sites.started = True
    building = unfinished & np.isfinite(sites.work_done)
    sites.work_done[building] += presence
    monthly_cost = c.cost_per_site_usd / c.build_months
    sites.spent_usd += monthly_cost * presence * int(building.sum())


def damage_sites(sites: Sites, build_months: int, region: int, severity: float) -> None:
    """An attack on the sites of ``region`` sets their construction back."""
    hit = (sites.region_of_site == region) & np.isfinite(sites.work_done)
    sites.work_done[hit] = np.maximum(0.0, sites.work_done[hit] - severity * build_months / 2)


def cantonment_places(sites: Sites, cantonment: Cantonment, cantoned: np.ndarray) -> np.ndarray:
    """Free formal cantonment places per region, with ``cantoned`` people in each."""
    c = cantonment
    built = sites.built(c.build_months)
    per_region = (
        np.bincount(sites.region_of_site[built], minlength=len(cantoned)) * c.capacity_per_site
    )
    return np.maximum(0, per_region - cantoned)


def pre_cantonment_places(
    pre_cantonment: PreCantonment,
    is_open: bool,
    region_index: dict[str, int],
    pre_cantoned: np.ndarray,
) -> np.ndarray:
    """Free pre-cantonment places per region (capacity shared over the listed regions),
    with ``pre_cantoned`` people in each; none unless ``is_open``."""
    p = pre_cantonment
    places = np.zeros(len(pre_cantoned))
    if not is_open or not p.regions:
        return places
    for name in p.regions:
        r = region_index[name]
        places[r] = p.capacity / len(p.regions)
    return np.maximum(0, places - pre_cantoned)


def end_of_stay(pop: Population, month: int, max_stay_months: float) -> np.ndarray:
    """Rows of cantoned people who have reached the stay cap (``max_stay_months``) by
    ``month``."""
    if pop.number_in(Status.CANTONED) == 0:
        return np.empty(0, np.intp)
    n = pop.size
    cap = math.ceil(max_stay_months)
    cantoned = pop.status[:n] == Status.CANTONED
    return np.flatnonzero(cantoned & (month - pop.since[:n] >= cap))
