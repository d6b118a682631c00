"""Mechanism 3, interim measures harden: the longer pre-cantonment and MOC run in place of
DDR, the more they become ends in themselves.

    H = 1 - exp(-m / tau)

m counts the months in which an interim measure (pre-cantonment or MOC) was open while no
DDR programme (accelerated DDR or general integration) had started; it stops growing once
DDR starts or every interim measure has closed. With ``programmes.interim_expiry_months``
set, each measure closes that many months after it began (its own clock), and its members
go back to their groups.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

MEASURES = ("pre_cantonment", "moc")


def count_interim_month(model: DDRModel, any_open: bool) -> None:
    """Add this month to m when an interim measure is open and DDR has not started."""
    state = model.programmes
    if any_open and state.ddr_started is None:
        state.interim_months += 1


def hardening(model: DDRModel) -> float:
    """H in [0, 1): how far interim measures have become an end in themselves."""
    tau = model.spec.behaviour.hardening_months
    return 1.0 - math.exp(-model.programmes.interim_months / tau)


def interim_expired(model: DDRModel, measure: str) -> bool:
    """True once ``measure`` ("pre_cantonment" or "moc") has reached its expiry date."""
    expiry = model.spec.programmes.interim_expiry_months
    started = model.programmes.started_month(measure)
    return expiry is not None and started is not None and model.month - started >= expiry
