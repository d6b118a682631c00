"""The narrow state the mechanisms read and change, defined below the model.

``ProgrammeState`` is the programmes' month-to-month state (what is open, since when, the
integration quota and counts). The protocols name the few attributes a mechanism reads of
an armed group, the government, the mission and the run's flow records; the Mesa agents
(``ddr_sim.core.agents``) and the records (``ddr_sim.core.records``) have them, and a test
can build a small stand-in without a model or a scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np

    from ddr_sim.config.scenario import Event, Group


@dataclass
class ProgrammeState:
    """Month-to-month state of the programmes (all months are model month indices)."""

    quota: int
    agreement_in_force: bool = True
    pre_cantonment_open: bool = False
    moc_started: int | None = None
    pre_cantonment_started: int | None = None
    interim_months: int = 0  # months an interim measure ran before DDR (mechanism 3)
    ddr_started: int | None = None
    accelerated_launched: int | None = None
    general_integration_open: bool = False
    ranks_settled: bool = False
    integrated_total: int = 0
    registered_this_month: int = 0
    #: people registered for integration so far, by coalition name (the parity rule)
    registered_by_coalition: dict[str, int] = field(default_factory=dict)
    #: options ("INTEGRATE", "REINSERT") that opened this month: all it is open to reconsider
    announced: set[str] = field(default_factory=set)
    registration_months: list[int] = field(default_factory=list)

    def started_month(self, measure: str) -> int | None:
        """First month the interim ``measure`` ("pre_cantonment" or "moc") was open."""
        return self.pre_cantonment_started if measure == "pre_cantonment" else self.moc_started

    def announce(self, option: str) -> None:
        self.announced.add(option)

    def take_announcements(self) -> set[str]:
        announced, self.announced = self.announced, set()
        return announced

    def mark_ddr_started(self, month: int) -> None:
        if self.ddr_started is None:
            self.ddr_started = month


class MissionView(Protocol):
    """What the mechanisms read (and shocks change) of the UN mission."""

    presence: float
    ever_present: bool
    pressure: float
    capacity: float

    @property
    def mediation_effort(self) -> float: ...

    def leave(self, month: int) -> None: ...


class GovernmentView(Protocol):
    """What the mechanisms read (and a coup changes) of the government."""

    regime: str
    political_will: float
    progress: float
    progress_delta: float
    pay_reliability: float
    paid_late: bool
    screening_strictness: float
    chain_of_command_flexibility: float
    military_approach: float


class GroupView(Protocol):
    """What the mechanisms read and change of an armed group (``agents.ArmedGroup``)."""

    index: int
    name: str
    coalition: str
    signatory: bool
    signed_month: int | None
    political_demand: float
    trust: float
    hedge: float
    recruitment_share: float
    region_weights: dict[int, float]
    stronghold: int
    consent: dict[str, float]
    boycott_until: int
    fighting_until: int
    fight_severity: float
    at_war: bool
    war_news: bool
    spec: Group

    @property
    def fighting(self) -> bool: ...

    def covered_by_agreement(self) -> bool: ...

    def sign(self, month: int) -> None: ...

    def shift_trust(self, delta: float) -> None: ...


class FlowLog(Protocol):
    """Where mechanisms book the month's flows and emergent events (``records.Flows``)."""

    def add(self, name: str, rows: np.ndarray) -> None: ...

    def bump(self, name: str, group: int, region: int | None = None) -> None: ...

    def bump_region(self, name: str, region: int) -> None: ...

    def note(self, kind: str, note: str) -> None: ...

    def note_event(self, event: Event) -> None: ...
