"""The behavioural section of a scenario: the free parameters of every decision rule.

Decision weights of the people's monthly choice, trust dynamics, the groups' and the
government's decisions, recruitment, hazards and the reversal of integration. Each field
is typed and range-checked (:mod:`ddr_sim.config.fields`); ``docs/ODD.md`` section 8 gives
each one's meaning and source.
"""

from __future__ import annotations

from pydantic import Field

from ddr_sim.config.fields import (
    Horizon,
    Rate,
    Score,
    Share,
    Strict,
    Weight,
)


class ConsentEase(Strict):
    """How much easier (positive) or harder each programme is to consent to than final DDR."""

    pre_cantonment: Score = 3.0
    moc: Score = 3.0
    cantonment: Score = 0.0
    accelerated_ddr: Score = 2.0
    integration: Score = 0.0
    reinsertion: Score = 0.0
    lists: Score = 3.0


class Behaviour(Strict):
    """Free behavioural parameters (decision weights, dynamics, hazards)."""

    # person choice (random utility)
    revision_rate: Share = Field(0.15, description="Share of people who reconsider each month.")
    income_weight: Weight = Field(0.03, description="Utility per kFCFA/month.")
    tie_weight: Weight = Field(1.5, description="Utility of ties to commander and comrades.")
    trust_weight: Weight = Field(2.0, description="Utility of trusting the state (state options).")
    integration_status_bonus: Score = Field(1.0, description="Prestige of joining the army.")
    far_posting_aversion: Weight = Field(
        0.5,
        description="Utility lost per unit of tie to commander and comrades when integration "
        "posts people anywhere (national army).",
    )
    unfit_reinsertion_penalty: Weight = Field(
        2.0, description="Reluctance of people declared unfit to accept civilian reinsertion."
    )
    reinsertion_horizon_months: Horizon = Field(
        12.0, description="Months over which a one-off package is valued."
    )
    risk_weight: Weight = Field(1.0, description="Utility lost per unit of perceived danger.")
    choice_scale: Weight = Field(2.0, description="Logit scale (larger = more deterministic).")
    # trust and politics
    trust_from_progress: Weight = Field(0.5, description="Trust gained per unit of progress.")
    trust_from_mediation: Weight = Field(0.002, description="Monthly trust from mediation.")
    trust_loss_late_pay: Weight = Field(0.005, description="Trust lost in a month of late pay.")
    trust_loss_broken_calendar: Weight = Field(0.002, description="Monthly loss while late.")
    trust_loss_clash: Weight = Field(0.15)
    trust_loss_sanctions_one_sided: Weight = Field(0.06)
    trust_loss_coup: Weight = Field(0.08)
    trust_person_adjust: Share = Field(0.05, description="Monthly pull of personal to group trust.")
    progress_trust_feedback: Weight = Field(
        0.5, description="How much group trust speeds political implementation."
    )
    # group decisions
    consent_threshold: Score = Field(0.0, description="Consent when the consent score exceeds it.")
    consent_progress_weight: Weight = 4.0
    consent_trust_weight: Weight = 3.0
    consent_pressure_weight: Weight = 2.0
    consent_ease: ConsentEase = Field(default_factory=ConsentEase)
    hedge_max: Share = Field(0.3, description="Share of best fighters held back at zero trust.")
    hardening_months: Horizon = Field(
        36.0, description="Time scale on which interim measures become ends in themselves."
    )
    hardening_weight: Weight = 1.0
    allowance_delay_weight: Weight = Field(
        0.5,
        description="Consent lost per unit of allowance above civil-service pay; political "
        "progress is slowed by the factor 1 / (1 + weight * excess).",
    )
    allowance_seat_weight: Weight = Field(
        0.0,
        description="Pull, per unit of allowance above civil-service pay, on a group's choice "
        "to keep its seats on the follow-up bodies (participation score).",
    )
    boycott_threshold: Score = Field(
        -0.3, description="Participation score below which to boycott."
    )
    fight_threshold: Share = Field(0.15, description="Trust below which clashes become likely.")
    clash_rate: Rate = Field(0.05, description="Monthly clash hazard per group at zero trust.")
    split_rate: Rate = Field(0.002, description="Monthly split hazard at zero cohesion.")
    # recruitment and listing
    recruitment_rate: Share = Field(0.002, description="Monthly joining rate from the youth pool.")
    inflation_gain: Weight = Field(5.0, description="Recruitment multiplier from DDR prospects.")
    recruit_armed_share: Share = 0.1
    child_share: Share = Field(0.1, description="Share of recruits who are children.")
    cvr_recruitment_cut: Weight = Field(
        0.5, description="Recruitment cut per USD 1 M of CVR a year in a region."
    )
    cvr_clash_cut: Weight = Field(0.5, description="Clash hazard cut per USD 1 M a year.")
    cvr_community_weight: Weight = Field(
        5.0, description="Reinsertion value (kFCFA/month) per USD 1 M a year of CVR in a region."
    )
    # shocks and hazards
    attack_kill_share: Share = Field(
        0.02, description="Share of a targeted unit killed per attack."
    )
    clash_kill_share: Share = Field(0.005)
    fitness_base: Share = Field(0.8, description="Share of people medically fit.")
    pressure_decay: Share = Field(0.05, description="Monthly decay of international pressure.")
    guarantee_trust_loss: Weight = Field(
        0.02, description="Monthly trust lost once the mission (guarantor) is gone."
    )
    # reversal
    rejoin_weight_collapse: Weight = Field(3.0, description="Pull of the group when fighting.")
    rejoin_weight_far_posting: Weight = Field(0.5)
    desertion_cost: Weight = Field(5.0, description="Utility cost of deserting the army.")
    rejoin_weight_held_ground: Weight = Field(
        1.0,
        description="Extra pull of a group at war on those serving where its coalition holds "
        "the towns.",
    )
    # soft decisions of groups and government
    decision_softness: Weight = Field(
        0.5,
        description="Logistic scale of group consent: the share of a group's commanders who "
        "allow a step is 1 / (1 + exp(-(score - threshold) / softness)).",
    )
    consent_rent_weight: Weight = Field(
        1.0,
        description="Consent lost to final steps per unit of outside income the group controls "
        "(per member, relative to army pay).",
    )
    consent_guarantee_weight: Weight = Field(
        1.0, description="Consent lost to final steps when the mission (the guarantor) is gone."
    )
    reinsertion_veto_weight: Weight = Field(
        2.0,
        description="Utility cost, per unit of tie, of taking civilian reinsertion against the "
        "group's will (scaled by the share of commanders who refuse it).",
    )
    hedge_rent_weight: Weight = Field(
        1.0, description="Extra held-back share per unit of outside income relative to army pay."
    )
    hedge_guarantee_weight: Weight = Field(
        0.5, description="Extra held-back share when the mission (the guarantor) is gone."
    )
    launch_softness: Weight = Field(
        0.1, description="Logistic scale (pressure units) of the government's launch decision."
    )
    launch_readiness_weight: Weight = Field(
        1.0, description="Weight of the groups' readiness in the government's launch decision."
    )
    launch_will_weight: Weight = Field(
        1.0, description="Weight of political will in the government's launch decision."
    )
    quota_review_rate: Share = Field(
        0.25, description="Monthly chance the government revises the quota once places run short."
    )
    quota_review_fill: Share = Field(
        0.8,
        description="Share of the quota taken (integrated + in training) that prompts a review.",
    )
    offensive_rate: Share = Field(
        0.2,
        description="Monthly chance, at full military approach with no mission and no trust, "
        "that the army moves on towns a group holds.",
    )
    coalition_solidarity: Share = Field(
        1.0,
        description="Chance, at zero trust, that a group joins a coalition partner's fight "
        "(times 1 - trust).",
    )
