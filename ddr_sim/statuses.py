"""The statuses a person can hold. Every person holds exactly one each month."""

from __future__ import annotations

from enum import IntEnum


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


STATUS_NAMES: tuple[str, ...] = tuple(s.name.lower() for s in Status)
N_STATUSES = len(Status)

#: Statuses from which a person still takes the group-side monthly choice.
GROUP_SIDE = (Status.ACTIVE, Status.MINING, Status.REJOINED)
