"""Follow one person: their group, status, place and trust, month by month.

The model keeps per-person state in arrays (``model.population``) but no per-person
history. A run being a pure function of (scenario, seed), the months before a person was
picked are found by replaying the run from the start with the same scenario and seed
(:class:`Replay`); from then on the dashboard adds one :class:`PersonMonth` per step
(:func:`person_now`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ddr_sim.config.calendar import month_label
from ddr_sim.config.scenario import Scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.defaults import spec
from ddr_sim.dashboard.styles import status_name


@dataclass(frozen=True)
class PersonMonth:
    """One person at the start of a month (``month`` months after the calendar start).

    ``present`` is False before the person was recruited (then the rest is empty).
    """

    month: int
    date: str
    present: bool
    group: str = ""
    status: str = ""
    where: str = ""
    home: str = ""
    trust: float = float("nan")


def person_now(model: DDRModel, row: int) -> PersonMonth:
    """Person ``row`` as the model holds them now."""
    t = int(model.month)
    date = month_label(t, spec(model).calendar.start)
    pop = model.population
    if row >= pop.size:
        return PersonMonth(t, date, present=False)
    return PersonMonth(
        month=t,
        date=date,
        present=True,
        group=model.groups[int(pop.group[row])].name,
        status=status_name(pop.status[row]),
        where=model.region_names[int(pop.where[row])],
        home=model.region_names[int(pop.home[row])],
        trust=float(pop.trust[row]),
    )


class Replay:
    """Person ``row``'s months, found by running ``(scenario, seed)`` again from the start.

    ``life`` holds the person at the start and after every month replayed so far;
    :meth:`run_to` replays further.
    """

    def __init__(self, scenario: Scenario, seed: int, row: int) -> None:
        self._model = DDRModel(scenario, seed=seed)
        self.row = row
        self.life = [person_now(self._model, row)]

    def run_to(self, month: int) -> None:
        """Replay until ``month`` months have run."""
        while self._model.month < month:
            self._model.step()
            self.life.append(person_now(self._model, self.row))


def random_person(model: DDRModel, status: Status | None, rng: np.random.Generator) -> int | None:
    """A row drawn at random among people holding ``status`` now (anyone if None)."""
    pop = model.population
    if status is None:
        return int(rng.integers(pop.size)) if pop.size else None
    rows = np.flatnonzero(pop.in_status(status))
    return int(rng.choice(rows)) if len(rows) else None


def changes(life: list[PersonMonth]) -> list[PersonMonth]:
    """The months in which group, status or place changed (the first month included)."""
    shown: list[PersonMonth] = []
    for month in life:
        if not shown or (month.present, month.group, month.status, month.where) != (
            shown[-1].present,
            shown[-1].group,
            shown[-1].status,
            shown[-1].where,
        ):
            shown.append(month)
    return shown
