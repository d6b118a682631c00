"""Mechanism 1, politics gates DDR: a group consents to a programme only while political
implementation keeps pace with its demands.

    score_p = w_P (P - demand) + w_T (T - 0.5) + w_pi pressure + ease_p
              - final_p (w_H H + w_A max(0, A/C - 1) + w_R rent + w_G (1 - presence))
    consent_p = eligible_p * (not fighting) * 1 / (1 + exp(-(score_p - threshold) / s))

P is political progress, T the group's trust (mechanism 2), ease_p how much less a
programme asks of the group than final DDR (``behaviour.consent_ease``). For the steps that
end the process (final_p: cantonment, accelerated DDR, integration, reinsertion) interim
hardening H (mechanism 3), paid delay A/C, the committee allowance over civil-service
pay (mechanism 4), the outside income the group controls (``rent``, per member, relative to
army pay; mechanism 5) and the absence of the mission that guarantees the deal (Walter
1997) count against consent. A group is not one will: consent_p is the *share* of its
commanders who let their people take the step (s = ``behaviour.decision_softness``); a
person may take it when their own ``lenience`` is below the share. Eligible: the group is
covered by the agreement (signed, in force); informal pre-cantonment only asks that it be
a signatory-type group and that no agreement has been terminated (it predates the final
agreement).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ddr_sim.core.mechanisms.interim_hardening import hardening
from ddr_sim.core.mechanisms.paid_delay import allowance_excess
from ddr_sim.core.soft import logistic

if TYPE_CHECKING:
    from ddr_sim.config.behaviour import Behaviour
    from ddr_sim.config.scenario import Economy
    from ddr_sim.core.state import GroupView, MissionView

PROGRAMMES = (
    "pre_cantonment",
    "moc",
    "cantonment",
    "accelerated_ddr",
    "integration",
    "reinsertion",
    "lists",
)
FINAL_STEPS = frozenset({"cantonment", "accelerated_ddr", "integration", "reinsertion"})


@dataclass(frozen=True)
class ConsentClimate:
    """This month's forces on consent that are the same for every group.

    progress: P; pressure: pi; hardening: H (mechanism 3); allowance_excess: A/C - 1
    (mechanism 4, at least 0); mission_presence and mission_ever_present: the guarantor's
    presence in [0, 1] and whether it ever deployed.
    """

    progress: float
    pressure: float
    hardening: float
    allowance_excess: float
    mission_presence: float
    mission_ever_present: bool


def consent_climate(
    behaviour: Behaviour,
    economy: Economy,
    *,
    progress: float,
    mission: MissionView,
    interim_months: int,
) -> ConsentClimate:
    """The climate of political ``progress``, the ``mission``'s pressure and presence,
    interim hardening after ``interim_months`` and paid delay."""
    return ConsentClimate(
        progress=progress,
        pressure=mission.pressure,
        hardening=hardening(interim_months, behaviour.hardening_months),
        allowance_excess=allowance_excess(economy),
        mission_presence=mission.presence,
        mission_ever_present=mission.ever_present,
    )


def consent_score(
    behaviour: Behaviour,
    climate: ConsentClimate,
    programme: str,
    *,
    trust: float,
    demand: float,
    rent: float,
) -> float:
    """A group's consent score for ``programme`` this month (see module docstring), with its
    ``trust``, political ``demand`` and outside income ``rent`` (relative to army pay)."""
    b = behaviour
    score = (
        b.consent_progress_weight * (climate.progress - demand)
        + b.consent_trust_weight * (trust - 0.5)
        + b.consent_pressure_weight * climate.pressure
        + getattr(b.consent_ease, programme)
    )
    if programme in FINAL_STEPS:
        score -= b.hardening_weight * climate.hardening
        score -= b.allowance_delay_weight * climate.allowance_excess
        score -= b.consent_rent_weight * rent
        if climate.mission_ever_present:
            score -= b.consent_guarantee_weight * (1.0 - climate.mission_presence)
    return float(score)


def eligible(programme: str, *, signatory: bool, agreement_in_force: bool, covered: bool) -> bool:
    """May a group consent to ``programme``: ``covered`` by the agreement (pre-cantonment:
    a ``signatory``-type group while the agreement is in force)."""
    if programme == "pre_cantonment":
        return signatory and agreement_in_force
    return covered


def decide_consent(
    behaviour: Behaviour,
    climate: ConsentClimate,
    group: GroupView,
    *,
    covered: bool,
    agreement_in_force: bool,
    rent: float,
) -> dict[str, float]:
    """The share of the group's commanders who consent to each programme this month."""
    b = behaviour
    if group.fighting:
        return dict.fromkeys(PROGRAMMES, 0.0)
    return {
        p: logistic(
            consent_score(
                b, climate, p, trust=group.trust, demand=group.political_demand, rent=rent
            )
            - b.consent_threshold,
            b.decision_softness,
        )
        if eligible(
            p,
            signatory=group.signatory,
            agreement_in_force=agreement_in_force,
            covered=covered,
        )
        else 0.0
        for p in PROGRAMMES
    }
