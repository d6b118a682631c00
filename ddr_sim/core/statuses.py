"""The statuses a person can hold. Every person holds exactly one each month."""

from __future__ import annotations

from enum import IntEnum

import numpy as np

from ddr_sim.config.recordables import checked_status_names


class Status(IntEnum):
    """Status codes stored in the population's ``status`` array (int8)."""

    ACTIVE = 0  # with the armed group (armed fighter or unarmed affiliate)
    MINING = 1  # artisanal gold mining, still affiliated with the group
    PRE_CANTONED = 2  # informal assembly area with light support
    CANTONED = 3  # formal cantonment site
    MOC = 4  # mixed patrol unit of the Operational Coordination Mechanism
    TRAINING = 5  # registered and screened fit, in training before integration
    INTEGRATED = 6  # serving in the army / territorial units
    REINSERTED = 7  # civilian socio-economic reinsertion completed
    UNFIT_WAITING = 8  # declared medically unfit, holding out for integration
    REJOINED = 9  # returned to a group after integration (defection)
    KILLED = 10


STATUS_NAMES: tuple[str, ...] = checked_status_names(Status)  # one list, in config
N_STATUSES = len(Status)

#: Statuses of people still living with their group (not on the state's side, not out):
#: those a clash can kill and a splinter faction can take along.
WITH_GROUP = np.array(
    [
        Status.ACTIVE,
        Status.MINING,
        Status.PRE_CANTONED,
        Status.UNFIT_WAITING,
        Status.REJOINED,
    ],
    np.int8,
)
