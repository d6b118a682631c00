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
    from ddr_sim.config.behaviour import Behaviour
    from ddr_sim.config.scenario import CVR


def allocate_cvr(
    cvr: CVR, month: int, start: str, presence: float, members: np.ndarray
) -> tuple[np.ndarray, float]:
    """This month's CVR intensity (USD millions a year per region) and its cost (USD).

    ``cvr`` is the programme, ``month`` the month (``start`` the calendar's first),
    ``presence`` the mission's and ``members`` the living people by region.
    """
    c = cvr
    n_regions = len(members)
    intensity = np.zeros(n_regions)
    cost = 0.0
    started = c.starts is not None and month >= month_index(c.starts, start)
    if started and presence > 0 and c.budget_usd_per_year > 0:
        cap = max(c.project_cap_usd, 1.0)
        projects = int(min(c.budget_usd_per_year // cap, 10_000))
        if c.targeting == "uniform":
            weights = np.full(n_regions, 1.0 / n_regions)
        else:
            members = members.astype(float)
            total = members.sum()
            weights = members / total if total > 0 else np.full(n_regions, 1.0 / n_regions)
        per_region = whole_projects(projects, weights)
        intensity = per_region * cap * presence / 1e6
        cost = per_region.sum() * cap * presence / 12.0
    return intensity, cost


def recruitment_factor(behaviour: Behaviour, intensity: np.ndarray) -> np.ndarray:
    """Per region: how far CVR of ``intensity`` (USD millions a year) cuts recruitment."""
    return 1.0 / (1.0 + behaviour.cvr_recruitment_cut * intensity)


def clash_factor(
    behaviour: Behaviour, region_weights: dict[int, float], intensity: np.ndarray
) -> float:
    """How far CVR cuts the clash hazard of a group spread over ``region_weights``."""
    local = sum(w * intensity[r] for r, w in region_weights.items())
    return 1.0 / (1.0 + behaviour.cvr_clash_cut * local)


def whole_projects(projects: int, weights: np.ndarray) -> np.ndarray:
    """``projects`` whole projects shared by ``weights``, by largest remainder."""
    quota = projects * weights
    count = np.floor(quota)
    left = int(projects - count.sum())
    if left > 0:
        count[np.argsort(-(quota - count), kind="stable")[:left]] += 1
    return count
