"""What a run records each month: status counts, flows and model-level series.

Counts are one int32 array ``counts[month, group, region, status]``, copied each month
from the running head counts that ``Population`` keeps; flows (people who entered a
status, or event counts) are arrays ``[month, group, region]``. Nothing is stored per
person.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.recordables import (
    GATE_COUNTS,
    GATES,
    MODEL_SERIES,
    STATE_SERIES,
    gate_series,
)
from ddr_sim.core.availability import EXIT_OPTIONS
from ddr_sim.core.statuses import N_STATUSES

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ddr_sim.config.scenario import Event
    from ddr_sim.core.model import DDRModel
    from ddr_sim.core.options import Option

#: Flows by group and region, per month.
FLOW_NAMES = (
    "recruited",
    "moc_assigned",
    "pre_cantoned",
    "cantoned",
    "registered",
    "declared_unfit",
    "integrated",
    "reinserted",
    "rejoined",
    "killed",
    "clashes",
    "attacks",
)


class Flows:
    """Monthly flow counters, ``values[name][month, group, region]``."""

    def __init__(self, model: DDRModel, months: int):
        self.model = model
        shape = (months, model.n_group_slots, model.n_regions)
        self.values = {name: np.zeros(shape, np.int32) for name in FLOW_NAMES}
        self.events: list[tuple[int, str, str]] = []

    def add(self, name: str, rows: np.ndarray) -> None:
        """Count people in ``rows`` under ``name`` this month, by group and region."""
        if len(rows) == 0:
            return
        m = self.model
        pop = m.population
        idx = pop.group[rows].astype(np.int64) * m.n_regions + pop.where[rows]
        counts = np.bincount(idx, minlength=m.n_group_slots * m.n_regions)
        self.values[name][m.month] += counts.reshape(m.n_group_slots, m.n_regions).astype(np.int32)

    def bump(self, name: str, group: int, region: int | None = None) -> None:
        m = self.model
        r = region if region is not None else m.groups[group].stronghold
        self.values[name][m.month, group, r] += 1

    def bump_region(self, name: str, region: int) -> None:
        """An event with no group (e.g. an extremist attack); booked on group slot 0."""
        self.values[name][self.model.month, 0, region] += 1

    def note_event(self, event: Event) -> None:
        self.events.append((self.model.month, event.type, event.note))

    def note(self, kind: str, note: str) -> None:
        """An emergent event (a split, a launch) that the scenario did not schedule."""
        self.events.append((self.model.month, kind, note))


class History:
    """Counts by month x group x region x status, and the model-level series."""

    SERIES = MODEL_SERIES
    GROUP_SERIES = (
        "exists",
        "trust",
        "hedge",
        "consent_cantonment",
        "consent_ddr",
        "boycotting",
        "fighting",
    )

    def __init__(self, model: DDRModel, months: int):
        self.model = model
        g, r = model.n_group_slots, model.n_regions
        self.counts = np.zeros((months, g, r, N_STATUSES), np.int32)
        self.series = {name: np.zeros(months) for name in STATE_SERIES}
        #: Gate counts [month, exit option, count of ``GATE_COUNTS``]; the series
        #: ``<option>_<count>`` are views of it
        self.gates = np.zeros((months, len(EXIT_OPTIONS), len(GATE_COUNTS)))
        for i, option in enumerate(EXIT_OPTIONS.values()):
            for j, count in enumerate(GATE_COUNTS):
                self.series[gate_series(option, count)] = self.gates[:, i, j]
        self.group_series = {name: np.zeros((months, g)) for name in self.GROUP_SERIES}
        self.listed = np.zeros((months, g), np.int32)
        self.listed_armed = np.zeros((months, g), np.int32)

    def record(self) -> None:
        m = self.model
        t = m.month
        pop = m.population
        self.counts[t] = pop.counts
        self.listed[t] = pop.listed_by_group
        self.listed_armed[t] = pop.listed_armed_by_group
        for name in STATE_SERIES:
            self.series[name][t] = series_value(m, name)
        for name in self.GROUP_SERIES:
            self.group_series[name][t] = m.group_array(name)

    def count_offers(self, stages: Mapping[Option, Sequence[int]]) -> None:
        """Add this month's gate counts of the exit options (``Offers.counts``: the
        candidates, then those passing each gate): the candidates, those offered, and
        those each gate was the first to close it to."""
        passing = np.array([stages[option] for option in EXIT_OPTIONS], np.float64)
        month = self.gates[self.model.month]
        month[:, _CANDIDATES] += passing[:, 0]
        month[:, _OFFERED] += passing[:, -1]
        month[:, _CLOSED] -= np.diff(passing, axis=1)

    def count_choices(self, pick: np.ndarray, admitted: Mapping[Option, np.ndarray]) -> None:
        """Add this month's choosers (``pick``: option codes) and admitted people of each
        exit option."""
        month = self.gates[self.model.month]
        chose = np.bincount(pick, minlength=max(EXIT_OPTIONS) + 1)
        month[:, _CHOSE] += chose[list(EXIT_OPTIONS)]
        month[:, _TOOK] += [len(admitted[option]) for option in EXIT_OPTIONS]


#: Columns of each count in ``History.gates`` (rows: the exit options in order).
_CANDIDATES, _OFFERED, _CHOSE, _TOOK = (
    GATE_COUNTS.index(c) for c in ("candidates", "offered", "chose", "took")
)
_CLOSED = [GATE_COUNTS.index(f"closed_by_{gate}") for gate in GATES]


def series_value(model: DDRModel, name: str) -> float:
    """The model-level series ``name`` this month (``History.SERIES``)."""
    match name:
        case "political_progress":
            return model.government.progress
        case "pressure":
            return model.mission.pressure
        case "mission_presence":
            return model.mission.presence
        case "cvr_usd_year":
            return float(model.cvr_intensity.sum() * 1e6)
        case "sites_built":
            return model.sites.n_built(model.spec.programmes.cantonment.build_months)
        case "quota":
            return model.programmes.quota
        case "ranks_settled":
            return float(model.programmes.ranks_settled)
        case "agreement_in_force":
            return float(model.programmes.agreement_in_force)
        case "hardening":
            return model.hardening()
        case "pre_cantonment_open":
            return float(model.programmes.pre_cantonment_open)
        case "moc_open":
            return float(model.moc_open())
        case "accelerated_ddr_open":
            return float(
                model.programmes.accelerated_launched is not None
                and model.programmes.agreement_in_force
            )
        case "general_integration_open":
            return float(
                model.programmes.general_integration_open and model.programmes.agreement_in_force
            )
        case "reinsertion_open":
            return float(model.reinsertion_open())
        case "cost_usd":
            return model.cost_total_usd()
    raise KeyError(name)
