"""Mechanism 12, reversal: when the process collapses and fighting resumes, integrated
fighters may return to their groups, depending on their group, where they serve, who
holds the ground there, and how much they trust the state.

The integrated people who reconsider choose between staying and returning (binary logit
with the choice scale):

    U_stay   = w_I army_pay * reliability + w_T (trust - 0.5) + integration_status_bonus
    U_return = w_I group_income_g + w_tie tie - desertion_cost
               + rejoin_weight_collapse * war_g * (1 + rejoin_weight_held_ground * held)
               + rejoin_weight_far_posting * (post != home)

``war_g`` is, while the person's group is fighting the army, the severity of that fight
(a clash of severity s in [0, 1): a skirmish pulls less than a war; an offensive on its
towns: the government's military approach; a coalition partner's fight it joined: that
fight's severity; the agreement's termination: 1), and 0 otherwise; ``held`` is 1 where
a group of the person's coalition holds the towns of the region they serve in (the unit
sits among their own side's fighters; in Kidal the CMA held the town, DOMAIN 5).

Who reconsiders: a share ``revision_rate`` each month, as for every choice; and, in the
month after a group goes to war (a fight that is not a skirmish, ``shocks.start_fight``),
every integrated member of that group at once: a war between one's group and one's army
is news no one waits to weigh. A skirmish pulls by its severity those who reconsider.
Outside war the same logit gives a low background relapse (desertion) rate, set by
``desertion_cost`` against the group's pull (docs/ODD.md section 7.13 gives its source).
Defections are counted in the region where the person served; the person goes home to
the group.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np
from scipy.special import expit

from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Scenario
    from ddr_sim.core.population import Population
    from ddr_sim.core.state import FlowLog, GovernmentView, GroupView


class ReversalParts(Protocol):
    """What the reversal choice reads and changes."""

    spec: Scenario
    month: int
    population: Population
    government: GovernmentView
    towns_holder: np.ndarray
    rng_choice: np.random.Generator
    flows: FlowLog

    def active_groups(self) -> Sequence[GroupView]: ...

    def group_array(self, name: str) -> np.ndarray: ...

    def coalition_array(self) -> np.ndarray: ...


def facing_war(groups: Sequence[GroupView], pop: Population) -> np.ndarray:
    """Integrated rows whose group's fight began since they last weighed it; clears the news."""
    news = [g.index for g in groups if g.war_news]
    for g in groups:
        g.war_news = False
    if not news:
        return np.empty(0, np.intp)
    n = pop.size
    integrated = pop.status[:n] == Status.INTEGRATED
    return np.flatnonzero(integrated & np.isin(pop.group[:n], np.array(news, np.int16)))


def held_by_coalition(
    pop: Population, rows: np.ndarray, coalition: np.ndarray, towns_holder: np.ndarray
) -> np.ndarray:
    """Mask: a group of the person's coalition holds the towns where they serve.

    ``coalition`` is each group slot's coalition index, ``towns_holder`` each region's
    holder (a group slot, -1 for the government).
    """
    holder = towns_holder[pop.where[rows].astype(np.intp)]
    held_by = np.where(holder >= 0, coalition[np.maximum(holder, 0)], -2)
    return held_by == coalition[pop.group[rows].astype(np.intp)]


def reconsider_integration(
    parts: ReversalParts, revising: np.ndarray, group_income: np.ndarray
) -> None:
    """Integrated people among ``revising`` rows (and all facing a new war) stay or return;
    ``group_income`` is what staying with each group pays per member this month."""
    pop = parts.population
    rows = revising[pop.status[revising] == Status.INTEGRATED]
    at_war = facing_war(parts.active_groups(), pop)
    if len(at_war):
        rows = np.union1d(rows, at_war)
    if len(rows) == 0:
        return
    b = parts.spec.behaviour
    eco = parts.spec.economy
    gov = parts.government
    group = pop.group[rows]
    u_stay = (
        b.income_weight * eco.army_pay * gov.pay_reliability
        + b.trust_weight * (pop.trust[rows] - 0.5)
        + b.integration_status_bonus
    )
    war = parts.group_array("war")[group]
    held = held_by_coalition(pop, rows, parts.coalition_array(), parts.towns_holder)
    u_return = (
        b.income_weight * group_income[group]
        + b.tie_weight * pop.tie[rows]
        + b.rejoin_weight_collapse * war * (1.0 + b.rejoin_weight_held_ground * held)
        + b.rejoin_weight_far_posting * (pop.where[rows] != pop.home[rows])
        - b.desertion_cost
    )
    p_return = expit(b.choice_scale * (u_return - u_stay))
    leaving = rows[parts.rng_choice.random(len(rows)) < p_return]
    if len(leaving) == 0:
        return
    parts.flows.add("rejoined", leaving)  # counted where they served
    pop.move(leaving, Status.REJOINED, parts.month, where=pop.home[leaving])
