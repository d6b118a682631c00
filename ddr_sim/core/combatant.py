"""The people: one ``Combatant`` Mesa agent per person, a view on their row of the arrays.

The person's monthly rule is the random-utility choice of ``ddr_sim.core.choice`` (and,
once integrated, the reversal choice of ``ddr_sim.core.mechanisms.reversal``): among the
options open to them, pick one with probability proportional to exp(utility). The model
takes these choices for everyone at once, on the population's arrays; that is the batched
form of each agent's rule, not a different rule. The agents exist so that Mesa's tools
answer questions about people: ``model.agents_by_type[Combatant].select(lambda a:
a.status == Status.INTEGRATED and a.serves_in == "Kidal")``, or one person's life in
``agent.moves``.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import mesa

from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel


class Combatant(mesa.Agent):
    """A person in (or listed by) an armed group: a view on row ``row`` of the population.

    Attributes (read from the model's arrays, ``ddr_sim.core.population``): group, region
    (where the person is now), serves_in (the region of their unit while integrated),
    home_region, armed, status, months_in_status, income_expectation, trust in the state,
    risk_tolerance, fit, listed, and moves (their history: month, status, region).
    """

    def __init__(self, model: DDRModel, row: int):
        super().__init__(model)
        self.row = row

    @classmethod
    def create_rows(cls, model: DDRModel, rows: list[int]) -> None:
        """One agent per row, through Mesa's public ``Agent.__init__``.

        The cyclic garbage collector is paused while they are made: they are all kept,
        and otherwise it would scan the growing heap again and again.
        """
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for row in rows:
                cls(model, row)
        finally:
            if was_enabled:
                gc.enable()

    @property
    def _pop(self):
        return self.model.population

    @property
    def group(self) -> str:
        return self.model.groups[self._pop.group[self.row]].name

    @property
    def region(self) -> str:
        return self.model.region_names[self._pop.where[self.row]]

    @property
    def serves_in(self) -> str | None:
        """Region of the person's unit while integrated, else None."""
        return self.region if self.status == Status.INTEGRATED else None

    @property
    def home_region(self) -> str:
        return self.model.region_names[self._pop.home[self.row]]

    @property
    def armed(self) -> bool:
        return bool(self._pop.armed[self.row])

    @property
    def status(self) -> Status:
        return Status(int(self._pop.status[self.row]))

    @property
    def months_in_status(self) -> int:
        return int(self.model.month - self._pop.since[self.row])

    @property
    def income_expectation(self) -> float:
        return float(self._pop.income[self.row])

    @property
    def trust(self) -> float:
        return float(self._pop.trust[self.row])

    @property
    def risk_tolerance(self) -> float:
        return float(self._pop.risk_tolerance[self.row])

    @property
    def fit(self) -> bool:
        return bool(self._pop.fit[self.row])

    @property
    def listed(self) -> bool:
        return bool(self._pop.listed[self.row])

    @property
    def moves(self) -> list[dict]:
        """The person's history: each change of status or region, oldest first."""
        names = self.model.region_names
        return [
            {
                "month": month,
                "date": self.model.label(month),
                "status": Status(status).name.lower(),
                "region": names[where],
            }
            for month, status, where in self._pop.history(self.row)
        ]
