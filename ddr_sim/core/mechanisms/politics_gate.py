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

from typing import TYPE_CHECKING

from ddr_sim.core.mechanisms.interim_hardening import hardening
from ddr_sim.core.mechanisms.paid_delay import allowance_excess
from ddr_sim.core.soft import logistic

if TYPE_CHECKING:
    from ddr_sim.core.agents import ArmedGroup
    from ddr_sim.core.model import DDRModel

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


def consent_score(model: DDRModel, group: ArmedGroup, programme: str) -> float:
    """The group's consent score for ``programme`` this month (see module docstring)."""
    b = model.spec.behaviour
    score = (
        b.consent_progress_weight * (model.government.progress - group.political_demand)
        + b.consent_trust_weight * (group.trust - 0.5)
        + b.consent_pressure_weight * model.mission.pressure
        + getattr(b.consent_ease, programme)
    )
    if programme in FINAL_STEPS:
        score -= b.hardening_weight * hardening(model)
        score -= b.allowance_delay_weight * allowance_excess(model.spec.economy)
        score -= b.consent_rent_weight * float(model.rent_ratio[group.index])
        if model.mission.ever_present:
            score -= b.consent_guarantee_weight * (1.0 - model.mission.presence)
    return float(score)


def eligible(model: DDRModel, group: ArmedGroup, programme: str) -> bool:
    if programme == "pre_cantonment":
        return group.signatory and model.programmes.agreement_in_force
    return group.covered_by_agreement(model)


def decide_consent(model: DDRModel, group: ArmedGroup) -> dict[str, float]:
    """The share of the group's commanders who consent to each programme this month."""
    b = model.spec.behaviour
    if group.fighting:
        return dict.fromkeys(PROGRAMMES, 0.0)
    return {
        p: logistic(consent_score(model, group, p) - b.consent_threshold, b.decision_softness)
        if eligible(model, group, p)
        else 0.0
        for p in PROGRAMMES
    }
