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
    from ddr_sim.core.model import DDRModel


def package_value(model: DDRModel) -> float:
    """Monthly-equivalent value of the main reinsertion package (kFCFA)."""
    r = model.spec.programmes.reinsertion
    promotion = 1.0 if r.promoted else 0.5
    return (
        r.credibility
        * promotion
        * r.package_value
        / model.spec.behaviour.reinsertion_horizon_months
    )


def militia_offer_value(model: DDRModel) -> float:
    """Monthly-equivalent value of the parallel militia programme's offer (kFCFA)."""
    m = model.spec.programmes.militia_programme
    return m.credibility * m.monthly_allowance


def reinsertion_open(model: DDRModel) -> bool:
    r = model.spec.programmes.reinsertion
    if r.opens is None or not model.programmes.agreement_in_force:
        return False
    return model.month >= month_index(r.opens, model.spec.calendar.start)


def militia_programme_open(model: DDRModel) -> bool:
    m = model.spec.programmes.militia_programme
    if m.opens is None:
        return False
    return model.month >= month_index(m.opens, model.spec.calendar.start)


def reinsertion_income(model: DDRModel, region: np.ndarray, militia: np.ndarray) -> np.ndarray:
    """Per-person value of reinsertion this month (kFCFA/month), for people in ``region``."""
    b = model.spec.behaviour
    base = np.where(militia, militia_offer_value(model), package_value(model))
    return base + b.cvr_community_weight * model.cvr_intensity[region]
