"""Mechanism 1, politics gates DDR: a group consents to a programme only while political
implementation keeps pace with its demands.

    score_p = w_P (P - demand) + w_T (T - 0.5) + w_pi pressure + ease_p
              - final_p (w_H H + w_A max(0, A/C - 1))
    consent_p  <=>  eligible_p and not fighting and score_p > threshold

P is political progress, T the group's trust (mechanism 2), ease_p how much less a
programme asks of the group than final DDR (``behaviour.consent_ease``). For the steps that
end the process (final_p: cantonment, accelerated DDR, integration, reinsertion) interim
hardening H (mechanism 3) and paid delay A/C, the committee allowance over civil-service
pay (mechanism 4), count against consent. Eligible: the group is covered by the agreement
(signed, in force); informal pre-cantonment only asks that it be a signatory-type group
and that no agreement has been terminated (it predates the final agreement).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddr_sim.core.mechanisms.interim_hardening import hardening
from ddr_sim.core.mechanisms.paid_delay import allowance_excess

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
    b = model.scenario.behaviour
    score = (
        b.consent_progress_weight * (model.government.progress - group.political_demand)
        + b.consent_trust_weight * (group.trust - 0.5)
        + b.consent_pressure_weight * model.mission.pressure
        + getattr(b.consent_ease, programme)
    )
    if programme in FINAL_STEPS:
        score -= b.hardening_weight * hardening(model)
        score -= b.allowance_delay_weight * allowance_excess(model.scenario.economy)
    return float(score)


def eligible(model: DDRModel, group: ArmedGroup, programme: str) -> bool:
    if programme == "pre_cantonment":
        return group.signatory and model.programmes.agreement_in_force
    return group.covered_by_agreement(model)


def decide_consent(model: DDRModel, group: ArmedGroup) -> dict[str, bool]:
    """Consent to each programme for this month."""
    threshold = model.scenario.behaviour.consent_threshold
    fighting = group.fighting
    return {
        p: bool(
            not fighting
            and eligible(model, group, p)
            and consent_score(model, group, p) > threshold
        )
        for p in PROGRAMMES
    }
