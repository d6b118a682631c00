"""Mechanism 12, reversal: when the process collapses and fighting resumes, integrated
fighters may return to their groups, depending on their group, where they serve, who
holds the ground there, and how much they trust the state.

Each month the integrated people who reconsider (``revision_rate``) choose between
staying and returning (binary logit with the choice scale):

    U_stay   = w_I army_pay * reliability + w_T (trust - 0.5) + integration_status_bonus
    U_return = w_I group_income_g + w_tie tie - desertion_cost
               + rejoin_weight_collapse * fighting_g * (1 + held_by_group_g(post))
               + rejoin_weight_far_posting * (post != home)

``fighting_g`` is 1 while the person's group is fighting the army (a clash, an offensive,
or the agreement's termination); ``held_by_group_g(post)`` is 1 where the group holds the
region the person is posted in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.core.mechanisms.outside_options import group_income_per_member
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel


def reconsider_integration(model: DDRModel, revising: np.ndarray) -> None:
    """Integrated people among ``revising`` rows stay or return to their group."""
    pop = model.population
    rows = revising[pop.status[revising] == Status.INTEGRATED]
    if len(rows) == 0:
        return
    b = model.scenario.behaviour
    eco = model.scenario.economy
    gov = model.government
    group = pop.group[rows]
    u_stay = (
        b.income_weight * eco.army_pay * gov.pay_reliability
        + b.trust_weight * (pop.trust[rows] - 0.5)
        + b.integration_status_bonus
    )
    fighting = model.group_array("fighting")[group]
    held = model.region_controller[pop.where[rows]] == group
    u_return = (
        b.income_weight * group_income_per_member(model)[group]
        + b.tie_weight * pop.tie[rows]
        + b.rejoin_weight_collapse * fighting * (1.0 + held)
        + b.rejoin_weight_far_posting * (pop.where[rows] != pop.home[rows])
        - b.desertion_cost
    )
    p_return = 1.0 / (1.0 + np.exp(-b.choice_scale * (u_return - u_stay)))
    leaving = rows[model.rng_choice.random(len(rows)) < p_return]
    if len(leaving) == 0:
        return
    pop.move(leaving, Status.REJOINED, model.month, where=pop.home[leaving])
    model.flows.add("rejoined", leaving)
