"""Mechanism 4, paid delay: allowances for group members on follow-up bodies, when above
civil-service pay, reward keeping the process open rather than finishing it.

    excess = max(0, allowance / civil_service_pay - 1)

It lowers consent to the steps that end the process (politics_gate) and slows the
political-institutional implementation the follow-up bodies oversee
(``implementation_pace``). It may also raise the wish to keep sitting on the committees
(``participation_score``, with its own weight ``allowance_seat_weight``).
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


def implementation_pace(behaviour: Behaviour, economy: Economy) -> float:
    """Factor on the monthly political progress: ``1 / (1 + w_A excess)``.

    The follow-up bodies oversee the political-institutional implementation; their
    members, paid above civil-service pay while it lasts, gain from a process that stays
    open, so the steps they oversee move slower. At civil-service pay the factor is 1.
    """
    return 1.0 / (1.0 + behaviour.allowance_delay_weight * allowance_excess(economy))


def participation_score(
    behaviour: Behaviour, economy: Economy, trust: float, pressure: float
) -> float:
    """A group's wish to take part in the follow-up bodies, at its ``trust`` and the
    international ``pressure``; the group boycotts when it is below
    ``behaviour.boycott_threshold``.

        Q = w_S excess + w_T (T - 0.5) + w_pi pressure

    ``w_S`` (``allowance_seat_weight``) is the pull of the members' allowances on the
    group's choice to keep its seats; groups walk out once trust has fallen far enough.
    """
    b = behaviour
    return float(
        b.allowance_seat_weight * allowance_excess(economy)
        + b.consent_trust_weight * (trust - 0.5)
        + b.consent_pressure_weight * pressure
    )


def monthly_allowance_cost_kfcfa(
    programmes: Programmes, economy: Economy, participating_groups: int
) -> float:
    """What the committee allowances cost this month (kFCFA)."""
    return participating_groups * programmes.committee_seats * economy.committee_allowance
