"""Mechanism 8, civilian reinsertion needs a credible package.

The value a person puts on reinsertion, in kFCFA/month equivalents, is

    V = credibility * (package_value / horizon) * (1 if promoted else 0.5)
        + cvr_community_weight * cvr_intensity[region]         (mechanism 10)

Integration is the status everyone wanted, so people declared unfit for it take
``unfit_reinsertion_penalty`` off the utility of reinsertion (they hold out).
For members of non-signatory militias the parallel programme (the CRP of central Mali)
offers ``monthly_allowance`` with its own credibility instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index

if TYPE_CHECKING:
    from ddr_sim.config.behaviour import Behaviour
    from ddr_sim.config.scenario import MilitiaProgramme, Programmes, Reinsertion


def package_value(reinsertion: Reinsertion, horizon_months: float) -> float:
    """Monthly-equivalent value of the main reinsertion package (kFCFA), spread over
    ``horizon_months`` (``behaviour.reinsertion_horizon_months``)."""
    r = reinsertion
    promotion = 1.0 if r.promoted else 0.5
    return r.credibility * promotion * r.package_value / horizon_months


def militia_offer_value(militia_programme: MilitiaProgramme) -> float:
    """Monthly-equivalent value of the parallel militia programme's offer (kFCFA)."""
    m = militia_programme
    return m.credibility * m.monthly_allowance


def reinsertion_open(
    reinsertion: Reinsertion, agreement_in_force: bool, month: int, start: str
) -> bool:
    """Is the main reinsertion programme open in ``month`` (``start``: the first month)?"""
    r = reinsertion
    if r.opens is None or not agreement_in_force:
        return False
    return month >= month_index(r.opens, start)


def militia_programme_open(militia_programme: MilitiaProgramme, month: int, start: str) -> bool:
    """Is the parallel militia programme open in ``month``?"""
    m = militia_programme
    if m.opens is None:
        return False
    return month >= month_index(m.opens, start)


def reinsertion_income(
    programmes: Programmes,
    behaviour: Behaviour,
    cvr_intensity: np.ndarray,
    region: np.ndarray,
    militia: np.ndarray,
) -> np.ndarray:
    """Per-person value of reinsertion this month (kFCFA/month), for people in ``region``
    (``militia``: members of non-signatory militias), with CVR of ``cvr_intensity``."""
    b = behaviour
    base = np.where(
        militia,
        militia_offer_value(programmes.militia_programme),
        package_value(programmes.reinsertion, b.reinsertion_horizon_months),
    )
    return base + b.cvr_community_weight * cvr_intensity[region]
