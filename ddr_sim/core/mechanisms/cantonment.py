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
    from ddr_sim.core.model import DDRModel


class Sites:
    """Construction state of the formal cantonment sites."""

    def __init__(self, model: DDRModel):
        c = model.spec.programmes.cantonment
        self.region_of_site = np.array(
            [model.region_index[c.regions[i % len(c.regions)]] for i in range(c.sites_approved)]
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


def build_sites(model: DDRModel) -> None:
    """A month of site construction by the mission."""
    c = model.spec.programmes.cantonment
    sites = model.sites
    if c.approval is None or len(sites.work_done) == 0:
        return
    if model.month < month_index(c.approval, model.spec.calendar.start):
        return
    if model.mission.presence <= 0:
        return
    unfinished = sites.work_done < c.build_months
    if not unfinished.any():
        return
    if not sites.started:
        needed = c.cost_per_site_usd * len(sites.work_done)
        if needed > model.spec.mission.site_budget_usd:
            affordable = int(model.spec.mission.site_budget_usd // max(c.cost_per_site_usd, 1))
            sites.work_done[affordable:] = -math.inf
            unfinished = sites.work_done < c.build_months
        sites.started = True
    building = unfinished & np.isfinite(sites.work_done)
    sites.work_done[building] += model.mission.presence
    monthly_cost = c.cost_per_site_usd / c.build_months
    sites.spent_usd += monthly_cost * model.mission.presence * int(building.sum())


def damage_sites(model: DDRModel, region: int, severity: float) -> None:
    """An attack on the sites of ``region`` sets their construction back."""
    c = model.spec.programmes.cantonment
    sites = model.sites
    hit = (sites.region_of_site == region) & np.isfinite(sites.work_done)
    sites.work_done[hit] = np.maximum(0.0, sites.work_done[hit] - severity * c.build_months / 2)


def cantonment_places(model: DDRModel) -> np.ndarray:
    """Free formal cantonment places per region."""
    c = model.spec.programmes.cantonment
    built = model.sites.built(c.build_months)
    per_region = (
        np.bincount(model.sites.region_of_site[built], minlength=model.n_regions)
        * c.capacity_per_site
    )
    return np.maximum(0, per_region - model.in_status_by_region(Status.CANTONED))


def pre_cantonment_places(model: DDRModel) -> np.ndarray:
    """Free pre-cantonment places per region (capacity shared over the listed regions)."""
    p = model.spec.programmes.pre_cantonment
    places = np.zeros(model.n_regions)
    if not model.programmes.pre_cantonment_open or not p.regions:
        return places
    used = model.in_status_by_region(Status.PRE_CANTONED)
    for name in p.regions:
        r = model.region_index[name]
        places[r] = p.capacity / len(p.regions)
    return np.maximum(0, places - used)


def end_of_stay(model: DDRModel) -> np.ndarray:
    """Rows of cantoned people who have reached the stay cap this month."""
    pop = model.population
    if pop.number_in(Status.CANTONED) == 0:
        return np.empty(0, np.intp)
    n = pop.size
    cap = math.ceil(model.spec.programmes.cantonment.max_stay_months)
    cantoned = pop.status[:n] == Status.CANTONED
    return np.flatnonzero(cantoned & (model.month - pop.since[:n] >= cap))
