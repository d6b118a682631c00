"""The options of the monthly choice and what the choice reads about the month."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.core.mechanisms.cantonment import cantonment_places, pre_cantonment_places
from ddr_sim.core.mechanisms.outside_options import gold_gross, miner_net_income, mining_places
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel


class Option(IntEnum):
    KEEP = 0
    ACTIVE = 1
    MINE = 2
    PRE_CANTON = 3
    CANTON = 4
    INTEGRATE = 5
    REINSERT = 6


N_OPTIONS = len(Option)


@dataclass
class MonthView:
    """What the choice reads about this month, computed once before anyone moves."""

    group_income: np.ndarray  # per group slot, kFCFA/month
    miner_income: float
    mining_places: np.ndarray  # per region
    pre_cantonment_places: np.ndarray
    cantonment_places: np.ndarray
    registration_places: int
    reinsertion_places: int
    consent: np.ndarray  # group slot x programme
    signatory: np.ndarray  # per group slot, bool

    @classmethod
    def of(cls, model: DDRModel) -> MonthView:
        sc = model.spec
        gross = gold_gross(sc.economy, model.month, sc.calendar.start)
        return cls(
            group_income=model.group_income().astype(np.float32),
            miner_income=miner_net_income(sc.economy, gross),
            mining_places=mining_places(
                model.gold_sites,
                model.members_by_region(),
                model.region_controller,
                model.in_status_by_region(Status.MINING),
            ),
            pre_cantonment_places=pre_cantonment_places(
                sc.programmes.pre_cantonment,
                model.programmes.pre_cantonment_open,
                model.region_index,
                model.in_status_by_region(Status.PRE_CANTONED),
            ),
            cantonment_places=cantonment_places(
                model.sites, sc.programmes.cantonment, model.in_status_by_region(Status.CANTONED)
            ),
            registration_places=model.registration_capacity(),
            reinsertion_places=model.reinsertion_capacity(),
            consent=model.consent_matrix(),
            signatory=model.group_array("signatory").astype(bool),
        )
