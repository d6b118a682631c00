"""Mechanism 10, CVR buys time: community projects demobilise no one directly, but they
reduce youth recruitment and local tension where groups operate, and ease the return of
those who leave (Kaplan & Nussio 2015).

While the mission is present and CVR has started, the yearly budget B (USD) funds
``floor(B / project_cap)`` projects a year of ``project_cap`` each. Projects are whole:
they go to regions in proportion to the living people of the model there (group members
and former members: ``targeting: groups_present``) or equally (``uniform``), by largest
remainder, so a few large projects (a consortium cap) leave some regions with none, and
many small ones (a single-NGO cap) spread the money. With c_r the USD millions a year
reaching region r (scaled by the mission's presence):

    recruitment factor_r = 1 / (1 + cvr_recruitment_cut * c_r)
    clash factor_g       = 1 / (1 + cvr_clash_cut * sum_r w_gr c_r)
    community value_r    = cvr_community_weight * c_r        (added to reinsertion, kFCFA)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index

if TYPE_CHECKING:
    from ddr_sim.core.agents import ArmedGroup
    from ddr_sim.core.model import DDRModel


def allocate_cvr(model: DDRModel) -> None:
    """Set ``model.cvr_intensity`` (USD millions a year per region) for this month."""
    c = model.spec.programmes.cvr
    intensity = np.zeros(model.n_regions)
    started = c.starts is not None and model.month >= month_index(
        c.starts, model.spec.calendar.start
    )
    presence = model.mission.presence
    if started and presence > 0 and c.budget_usd_per_year > 0:
        cap = max(c.project_cap_usd, 1.0)
        projects = int(min(c.budget_usd_per_year // cap, 10_000))
        if c.targeting == "uniform":
            weights = np.full(model.n_regions, 1.0 / model.n_regions)
        else:
            members = model.members_by_region().astype(float)
            total = members.sum()
            weights = (
                members / total if total > 0 else np.full(model.n_regions, 1.0 / model.n_regions)
            )
        per_region = whole_projects(projects, weights)
        intensity = per_region * cap * presence / 1e6
        model.costs["cvr_usd"] += per_region.sum() * cap * presence / 12.0
    model.cvr_intensity = intensity


def recruitment_factor(model: DDRModel) -> np.ndarray:
    b = model.spec.behaviour
    return 1.0 / (1.0 + b.cvr_recruitment_cut * model.cvr_intensity)


def clash_factor(model: DDRModel, group: ArmedGroup) -> float:
    b = model.spec.behaviour
    local = sum(w * model.cvr_intensity[r] for r, w in group.region_weights.items())
    return 1.0 / (1.0 + b.cvr_clash_cut * local)


def whole_projects(projects: int, weights: np.ndarray) -> np.ndarray:
    """``projects`` whole projects shared by ``weights``, by largest remainder."""
    quota = projects * weights
    count = np.floor(quota)
    left = int(projects - count.sum())
    if left > 0:
        count[np.argsort(-(quota - count), kind="stable")[:left]] += 1
    return count
