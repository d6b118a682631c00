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
    from ddr_sim.core.agents import ArmedGroup
    from ddr_sim.core.model import DDRModel


def calendar_overdue(model: DDRModel, group: ArmedGroup) -> bool:
    """The agreement promised DDR within ``politics.ddr_calendar_months`` of signing."""
    if group.signed_month is None or model.programmes.ddr_started is not None:
        return False
    return model.month - group.signed_month > model.spec.politics.ddr_calendar_months


def update_group_trust(model: DDRModel, group: ArmedGroup, exposed: bool) -> None:
    """Apply the monthly trust change of the module docstring to ``group``."""
    b = model.spec.behaviour
    mission = model.mission
    gov = model.government
    d = 0.0
    if group.covered_by_agreement(model):
        d += b.trust_from_progress * gov.progress_delta
        d += b.trust_from_mediation * mission.mediation_effort * mission.presence
    if gov.paid_late and exposed:
        d -= b.trust_loss_late_pay
    if calendar_overdue(model, group):
        d -= b.trust_loss_broken_calendar
    if group.signed_month is not None and mission.ever_present:
        d -= b.guarantee_trust_loss * (1.0 - mission.presence)
    group.shift_trust(d)


def shift_group_trust(group: ArmedGroup, delta: float) -> None:
    """Move a group's trust by ``delta`` and keep it in [0, 1]."""
    group.trust = float(min(1.0, max(0.0, group.trust + delta)))


def hedge_share(model: DDRModel, group: ArmedGroup) -> float:
    """Share of the best armed fighters the group keeps out of every process."""
    b = model.spec.behaviour
    mission = model.mission
    pull = 1.0 - group.trust + b.hedge_rent_weight * float(model.rent_ratio[group.index])
    if mission.ever_present:
        pull += b.hedge_guarantee_weight * (1.0 - mission.presence)
    return min(1.0, b.hedge_max * pull)


def held_back(model: DDRModel, rows: np.ndarray | slice) -> np.ndarray:
    """Mask over ``rows`` (row indices or a slice): armed fighters their group holds back
    this month."""
    pop = model.population
    threshold = 1.0 - model.group_array("hedge")
    return pop.armed[rows] & (pop.quality[rows] >= lookup(threshold, pop.group[rows]))


def update_person_trust(model: DDRModel) -> None:
    """Personal trust drifts to the group's; late pay hits those on a state salary."""
    pop = model.population
    n = pop.size
    k = np.float32(model.spec.behaviour.trust_person_adjust)
    trust = pop.trust[:n]
    pull = lookup(model.group_array("trust").astype(np.float32), pop.group[:n])
    pull -= trust
    pull *= k
    trust += pull
    if model.government.paid_late:
        status = pop.status[:n]
        salaried = np.flatnonzero(
            (status == Status.MOC) | (status == Status.TRAINING) | (status == Status.INTEGRATED)
        )
        trust[salaried] -= np.float32(model.spec.behaviour.trust_loss_late_pay)
        np.maximum(trust, 0.0, out=trust)
