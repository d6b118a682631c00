"""Mechanism 3, interim measures harden: the longer pre-cantonment and MOC run in place of
DDR, the more they become ends in themselves.

    H = 1 - exp(-m / tau)

m is the number of months interim measures (pre-cantonment or MOC) have been running
while no DDR programme (accelerated DDR or general integration) has launched, frozen at
the expiry date when the scenario sets one (``programmes.interim_expiry_months``).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddr_sim.model import DDRModel


def interim_months(model: DDRModel) -> int:
    """Months interim measures have run without DDR, capped at the expiry."""
    state = model.programmes
    if state.interim_started is None:
        return 0
    end = model.month if state.ddr_started is None else state.ddr_started
    months = max(0, end - state.interim_started)
    expiry = model.scenario.programmes.interim_expiry_months
    if expiry is not None:
        months = min(months, expiry)
    return months


def hardening(model: DDRModel) -> float:
    """H in [0, 1): how far interim measures have become an end in themselves."""
    tau = model.scenario.behaviour.hardening_months
    return 1.0 - math.exp(-interim_months(model) / tau)


def interim_expired(model: DDRModel) -> bool:
    """True once interim measures have reached their expiry date (if one is set)."""
    expiry = model.scenario.programmes.interim_expiry_months
    state = model.programmes
    return (
        expiry is not None
        and state.interim_started is not None
        and model.month - state.interim_started >= expiry
    )
