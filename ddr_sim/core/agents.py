"""The Mesa agents that decide for many: armed groups, the government and the UN mission.

They are few and are stepped every month. The people (``Combatant``, in
``ddr_sim.core.combatant``) are many and decide together in one vectorized pass
(``ddr_sim.core.choice``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.mechanisms.paid_delay import implementation_pace, participation_score
from ddr_sim.core.mechanisms.politics_gate import consent_climate, decide_consent
from ddr_sim.core.mechanisms.pressure import review_quota
from ddr_sim.core.mechanisms.shocks import offensive
from ddr_sim.core.mechanisms.trust import (
    calendar_overdue,
    hedge_share,
    shift_group_trust,
    update_group_trust,
)

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Group
    from ddr_sim.core.model import DDRModel


class ArmedGroup(mesa.Agent):
    """An armed group: consents to programmes, hedges, boycotts, fights and splits.

    Rule: the share of its commanders who consent to a programme rises with the consent
    score (political progress against its demand, trust, pressure, less interim hardening,
    paid delay, outside income and the guarantor's absence) along a logistic curve; hold
    back a share of its best fighters that rises as trust falls and outside income grows;
    boycott the follow-up bodies when the participation score falls below the boycott
    threshold; split with a hazard that grows as cohesion and trust fall.

    Attributes: index (row in group arrays), name, coalition, signatory, signed_month,
    political_demand, trust (government <-> group), cohesion, recruitment_share,
    region_weights {region index: share}, stronghold (region with most members),
    consent {programme: share of commanders consenting}, hedge (held-back share),
    boycott_until, boycotting, fighting_until, fight_severity, at_war (the fight is a war,
    not a skirmish), war_news (a war began and
    its integrated members have not yet weighed it), parent (index of the group it split
    from, or None).
    """

    def __init__(self, model: DDRModel, index: int, spec: Group, name: str | None = None):
        super().__init__(model)
        self.index = index
        self.name = name or spec.name
        self.coalition = spec.coalition
        self.signatory = spec.signatory
        self.signed_month: int | None = None
        if spec.signs is not None:
            signs = month_index(spec.signs, model.spec.calendar.start)
            if signs <= 0:
                self.signed_month = 0
        self.planned_signing = (
            month_index(spec.signs, model.spec.calendar.start) if spec.signs else None
        )
        self.political_demand = spec.political_demand
        self.trust = spec.initial_trust
        self.cohesion = spec.cohesion
        self.recruitment_share = spec.recruitment_share
        self.region_weights = {model.region_index[r]: w for r, w in spec.regions.items() if w > 0}
        self.stronghold = max(self.region_weights, key=self.region_weights.get)
        self.consent: dict[str, float] = {}
        self.hedge = hedge_share(
            model.spec.behaviour, model.mission, self.trust, float(model.rent_ratio[index])
        )
        self.boycott_until = -1
        self.boycotting = False
        self.fighting_until = -1
        self.fight_severity = 0.0
        self.at_war = False
        self.war_news = False
        self.parent: int | None = None
        self.spec = spec

    # -- state helpers -------------------------------------------------------------
    @property
    def fighting(self) -> bool:
        return self.model.month < self.fighting_until

    @property
    def at_the_table(self) -> bool:
        """Covered by the agreement and not boycotting its follow-up bodies."""
        return self.covered_by_agreement() and not self.boycotting

    @property
    def war(self) -> float:
        """How hard the group is fighting the army this month: the severity of its fight
        (a skirmish near 0, the army moving on its towns or the end of the agreement near
        1); 0 when it is not fighting."""
        return self.fight_severity if self.fighting else 0.0

    def sign(self, month: int) -> None:
        if self.signatory and self.signed_month is None:
            self.signed_month = month

    def covered_by_agreement(self) -> bool:
        """Signed and in force; non-signatories are covered only when militias are included."""
        model = self.model
        if not model.programmes.agreement_in_force:
            return False
        if self.signatory:
            return self.signed_month is not None
        return model.spec.programmes.militia_programme.included_in_agreement

    def shift_trust(self, delta: float) -> None:
        shift_group_trust(self, delta)

    # -- the monthly decision ------------------------------------------------------
    def step(self) -> None:
        model = self.model
        b = model.spec.behaviour
        state = model.programmes
        if self.planned_signing is not None and model.month >= self.planned_signing:
            self.sign(self.planned_signing)
        covered = self.covered_by_agreement()
        overdue = calendar_overdue(
            self.signed_month,
            state.ddr_started,
            model.month,
            model.spec.politics.ddr_calendar_months,
        )
        update_group_trust(
            self,
            b,
            model.government,
            model.mission,
            covered=covered,
            exposed=model.exposed_to_state_pay(self.index),
            overdue=overdue,
        )
        rent = float(model.rent_ratio[self.index])
        self.hedge = hedge_share(b, model.mission, self.trust, rent)
        self.boycotting = model.month < self.boycott_until or (
            covered
            and participation_score(b, model.spec.economy, self.trust, model.mission.pressure)
            < b.boycott_threshold
        )
        climate = consent_climate(
            b,
            model.spec.economy,
            progress=model.government.progress,
            mission=model.mission,
            interim_months=state.interim_months,
        )
        self.consent = decide_consent(
            b,
            climate,
            self,
            covered=covered,
            agreement_in_force=state.agreement_in_force,
            rent=rent,
        )
        if self.boycotting:
            self.consent = dict.fromkeys(self.consent, 0.0)
        self.maybe_split()

    def maybe_split(self) -> None:
        """Split with monthly probability split_rate (1 - cohesion)(1.5 - trust)."""
        model = self.model
        b = model.spec.behaviour
        p = b.split_rate * (1.0 - self.cohesion) * (1.5 - self.trust)
        if p > 0 and model.rng_events.random() < p:
            model.split_group(self)


class Government(mesa.Agent):
    """The government: delivers political progress, pays salaries (or late), screens,
    settles ranks, and may launch offensives.

    Rule: political progress grows each month by
    ``progress_rate * will * (0.5 + progress_trust_feedback * mean trust)
    * (1 + mediation * presence) * (1 - P)`` while the agreement is in force; salaries
    are paid late with probability ``1 - pay_reliability``; the integration quota is
    revised when places run short (``review_quota``); the army moves on towns a group
    holds with a monthly chance that grows with the military approach, the mission's
    absence and the group's lack of trust (``decide_offensives``).

    Attributes: regime, political_will, progress (P in [0, 1]), progress_delta,
    pay_reliability, paid_late, screening_strictness, chain_of_command_flexibility,
    military_approach.
    """

    def __init__(self, model: DDRModel):
        super().__init__(model)
        p = model.spec.politics
        self.regime = p.regime
        self.political_will = p.political_will
        self.progress = p.initial_progress
        self.progress_delta = 0.0
        self.pay_reliability = p.pay_reliability
        self.paid_late = False
        self.screening_strictness = p.screening_strictness
        self.chain_of_command_flexibility = p.chain_of_command_flexibility
        self.military_approach = p.military_approach

    def step(self) -> None:
        model = self.model
        p = model.spec.politics
        b = model.spec.behaviour
        groups = [g for g in model.active_groups() if g.signed_month is not None]
        self.progress_delta = 0.0
        if model.programmes.agreement_in_force and groups:
            mean_trust = sum(g.trust for g in groups) / len(groups)
            mediation = model.mission.mediation_effort * model.mission.presence
            rate = (
                p.progress_rate
                * self.political_will
                * (0.5 + b.progress_trust_feedback * mean_trust)
                * (1.0 + mediation)
                * implementation_pace(b, model.spec.economy)
            )
            self.progress_delta = rate * (1.0 - self.progress)
            self.progress += self.progress_delta
        self.paid_late = bool(model.rng_events.random() > self.pay_reliability)
        review_quota(model)
        self.decide_offensives()

    def decide_offensives(self) -> None:
        """Move on each region whose towns a group holds, with monthly probability

        ``offensive_rate * military_approach * (1 - presence) * (1 - T_g)``:

        the state wants its authority back where groups hold the towns; the mission's
        presence stands between them (Walter 1997; Fortna 2008), trust makes force less
        wanted. A taken region passes to the army (``shocks.offensive``).
        """
        model = self.model
        b = model.spec.behaviour
        absent = 1.0 - model.mission.presence
        if absent <= 0 or self.military_approach <= 0:
            return
        for region in np.flatnonzero(model.towns_holder >= 0):
            if int(region) in model.captures:
                continue
            group = model.groups[int(model.towns_holder[region])]
            p = b.offensive_rate * self.military_approach * absent * (1.0 - group.trust)
            if model.rng_events.random() < p:
                offensive(model, group, int(region), severity=self.military_approach)


class Mission(mesa.Agent):
    """The UN mission: builds sites, funds CVR, supports MOC and accelerated DDR,
    mediates, carries international pressure, and leaves.

    Rule: present (``presence`` = 1) from deployment to mandate end, then winding down
    linearly to 0 over ``exit_months``; every activity scales with presence. A
    ``mission_exit`` event brings the mandate end forward to that month.

    Attributes: presence in [0, 1], ever_present, mediation_effort, pressure (the
    international pressure it carries, in [0, 1]), capacity (reduced by attacks),
    mandate_end (month index or None).
    """

    def __init__(self, model: DDRModel):
        super().__init__(model)
        m = model.spec.mission
        start = model.spec.calendar.start
        self.deploys = month_index(m.deploys, start) if m.deploys else None
        self.mandate_end = month_index(m.mandate_end, start) if m.mandate_end else None
        self.exit_months = m.exit_months
        self.base_mediation = m.mediation_effort
        self.capacity = 1.0
        self.pressure = 0.0
        self.presence = 0.0
        self.ever_present = False
        self.update_presence()

    @property
    def mediation_effort(self) -> float:
        return self.base_mediation * self.capacity

    def leave(self, month: int) -> None:
        if self.mandate_end is None or month < self.mandate_end:
            self.mandate_end = month

    def update_presence(self) -> None:
        t = self.model.month
        if self.deploys is None or t < self.deploys:
            self.presence = 0.0
        elif self.mandate_end is None or t < self.mandate_end:
            self.presence = 1.0
        elif self.exit_months > 0:
            self.presence = max(0.0, 1.0 - (t - self.mandate_end + 1) / (self.exit_months + 1))
        else:
            self.presence = 0.0
        self.ever_present = self.ever_present or self.presence > 0

    def step(self) -> None:
        self.update_presence()
        self.capacity = min(1.0, self.capacity + 0.02)
