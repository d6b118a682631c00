"""Mechanism 2, trust is the bottleneck.

Group trust T_g in [0, 1] moves each month by

    dT = (a_P dP + a_M mediation * present) * covered_g - a_L late_pay * exposed_g
         - a_C overdue_g - a_G (1 - present) * signed_g

dP is political progress delivered this month, covered_g is 1 for groups the agreement
covers (progress is the agreement's implementation; mediation works through its bodies),
``late_pay`` is 1 in a month the
government pays MOC and army salaries late, ``exposed_g`` is 1 when the group has members
in MOC, training or the army, ``overdue_g`` is 1 while the agreement's DDR calendar has
passed without DDR (a broken calendar), and the last term is the credible-commitment
loss once the mission (the guarantor) has left. Clashes, one-sided sanctions and coups
remove trust at once (``shocks``). Low trust makes groups hedge:

    held-back share h_g = min(1, hedge_max ((1 - T_g) + w_R rent_g + w_G (1 - presence)))

of their best armed fighters (quality above 1 - h_g) stay out of every programme. rent_g is
the outside income the group controls per member (gold taxes, trafficking; mechanism 5)
relative to army pay: the richer the group's own economy, the more its leaders keep back
(DOMAIN 4.5); the last term counts once the mission (the guarantor) has deployed and
left.
A person's trust in the state drifts towards the group's at ``trust_person_adjust`` a month
and drops when the person's own salary is late.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.core.population import lookup
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.behaviour import Behaviour
    from ddr_sim.core.population import Population
    from ddr_sim.core.state import GovernmentView, GroupView, MissionView


def calendar_overdue(
    signed_month: int | None, ddr_started: int | None, month: int, calendar_months: int
) -> bool:
    """The agreement, signed in ``signed_month``, promised DDR within ``calendar_months``
    (``politics.ddr_calendar_months``) and DDR had not started by ``month``."""
    if signed_month is None or ddr_started is not None:
        return False
    return month - signed_month > calendar_months


def update_group_trust(
    group: GroupView,
    behaviour: Behaviour,
    government: GovernmentView,
    mission: MissionView,
    *,
    covered: bool,
    exposed: bool,
    overdue: bool,
) -> None:
    """Apply the monthly trust change of the module docstring to ``group``: ``covered``
    by the agreement, ``exposed`` to state pay, its DDR calendar ``overdue``."""
    b = behaviour
    d = 0.0
    if covered:
        d += b.trust_from_progress * government.progress_delta
        d += b.trust_from_mediation * mission.mediation_effort * mission.presence
    if government.paid_late and exposed:
        d -= b.trust_loss_late_pay
    if overdue:
        d -= b.trust_loss_broken_calendar
    if group.signed_month is not None and mission.ever_present:
        d -= b.guarantee_trust_loss * (1.0 - mission.presence)
    group.shift_trust(d)


def shift_group_trust(group: GroupView, delta: float) -> None:
    """Move a group's trust by ``delta`` and keep it in [0, 1]."""
    group.trust = float(min(1.0, max(0.0, group.trust + delta)))


def hedge_share(behaviour: Behaviour, mission: MissionView, trust: float, rent: float) -> float:
    """Share of the best armed fighters a group with ``trust`` and outside income ``rent``
    (per member, relative to army pay) keeps out of every process."""
    b = behaviour
    pull = 1.0 - trust + b.hedge_rent_weight * rent
    if mission.ever_present:
        pull += b.hedge_guarantee_weight * (1.0 - mission.presence)
    return min(1.0, b.hedge_max * pull)


def held_back(pop: Population, rows: np.ndarray | slice, hedge: np.ndarray) -> np.ndarray:
    """Mask over ``rows`` (row indices or a slice): armed fighters their group holds back
    this month, given each group slot's held-back share ``hedge``."""
    threshold = 1.0 - hedge
    return pop.armed[rows] & (pop.quality[rows] >= lookup(threshold, pop.group[rows]))


def update_person_trust(
    pop: Population, group_trust: np.ndarray, behaviour: Behaviour, paid_late: bool
) -> None:
    """Personal trust drifts to the group's (``group_trust`` per group slot); late pay
    (``paid_late``) hits those on a state salary."""
    n = pop.size
    k = np.float32(behaviour.trust_person_adjust)
    trust = pop.trust[:n]
    pull = lookup(group_trust.astype(np.float32), pop.group[:n])
    pull -= trust
    pull *= k
    trust += pull
    if paid_late:
        status = pop.status[:n]
        salaried = np.flatnonzero(
            (status == Status.MOC) | (status == Status.TRAINING) | (status == Status.INTEGRATED)
        )
        trust[salaried] -= np.float32(behaviour.trust_loss_late_pay)
        np.maximum(trust, 0.0, out=trust)
