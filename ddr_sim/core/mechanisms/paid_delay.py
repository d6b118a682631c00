"""Mechanism 4, paid delay: allowances for group members on follow-up bodies, when above
civil-service pay, reward keeping the process open rather than finishing it.

    excess = max(0, allowance / civil_service_pay - 1)

It lowers consent to the steps that end the process (politics_gate) and raises the wish
to keep sitting on the committees (``participation_score``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddr_sim.config.behaviour import Behaviour
    from ddr_sim.config.scenario import Economy, Programmes


def allowance_excess(economy: Economy) -> float:
    """How far the committee allowance exceeds civil-service pay, as a ratio minus one."""
    if economy.civil_service_pay <= 0:
        return 0.0
    return max(0.0, economy.committee_allowance / economy.civil_service_pay - 1.0)


def participation_score(
    behaviour: Behaviour, economy: Economy, trust: float, pressure: float
) -> float:
    """A group's wish to take part in the follow-up bodies, at its ``trust`` and the
    international ``pressure``; the group boycotts when it is below
    ``behaviour.boycott_threshold``.

        Q = w_A excess + w_T (T - 0.5) + w_pi pressure

    Allowances above civil-service pay keep groups at the table (paid delay) even as
    trust erodes; they walk out once trust has fallen far enough.
    """
    b = behaviour
    return float(
        b.allowance_delay_weight * allowance_excess(economy)
        + b.consent_trust_weight * (trust - 0.5)
        + b.consent_pressure_weight * pressure
    )


def monthly_allowance_cost_kfcfa(
    programmes: Programmes, economy: Economy, participating_groups: int
) -> float:
    """What the committee allowances cost this month (kFCFA)."""
    return participating_groups * programmes.committee_seats * economy.committee_allowance
