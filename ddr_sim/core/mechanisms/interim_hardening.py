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
    from ddr_sim.core.state import ProgrammeState

MEASURES = ("pre_cantonment", "moc")


def count_interim_month(state: ProgrammeState, any_open: bool) -> None:
    """Add this month to m when an interim measure is open and DDR has not started."""
    if any_open and state.ddr_started is None:
        state.interim_months += 1


def hardening(interim_months: int, hardening_months: float) -> float:
    """H in [0, 1): how far interim measures have become an end in themselves, after
    ``interim_months`` months of interim measures in place of DDR (tau =
    ``behaviour.hardening_months``)."""
    return 1.0 - math.exp(-interim_months / hardening_months)


def interim_expired(
    state: ProgrammeState, measure: str, month: int, expiry_months: int | None
) -> bool:
    """True once ``measure`` ("pre_cantonment" or "moc") has run ``expiry_months``
    (``programmes.interim_expiry_months``; None: never expires) by ``month``."""
    started = state.started_month(measure)
    return expiry_months is not None and started is not None and month - started >= expiry_months


def moc_open(state: ProgrammeState, month: int, expiry_months: int | None) -> bool:
    """Is MOC running in ``month`` (started, agreement in force, not expired after
    ``expiry_months``)?"""
    return (
        state.moc_started is not None
        and state.agreement_in_force
        and not interim_expired(state, "moc", month, expiry_months)
    )
