"""Which options of the monthly choice are open to each person this month, and which gate
closed an exit option to those it was closed to.

A step a group consents to with share c is open to the members whose ``lenience`` is below
c; places, programmes and the group's holding back close the rest (docs/ODD.md 7.1).

Each exit option (pre-cantonment, cantonment, integration, reinsertion) is reached by one
or more *routes* (integration: accelerated DDR from the MOC, general integration, the
militia programme). A route has its candidates (the people in a status it leads from) and
five gates, checked in a fixed order (:data:`ddr_sim.config.recordables.GATES`): the
programme is open to them, their commander consents, their group does not hold them back,
they are eligible, places are left. The option is open to a person when every gate of one
of their routes is; the *stages* of an option are the people still passing after each gate
(any route), so the people a gate closed the option to are the difference between two
consecutive stages. The stages are read from the same masks that decide the choice: the
counts cannot disagree with what people were offered, and they draw no random numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config import recordables
from ddr_sim.config.recordables import GATES
from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.options import N_OPTIONS, MonthView, Option
from ddr_sim.core.population import lookup
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

#: The exit options whose gates are counted, with their names in the recorded series.
EXIT_OPTIONS: dict[Option, str] = dict(
    zip(
        (Option.PRE_CANTON, Option.CANTON, Option.INTEGRATE, Option.REINSERT),
        recordables.EXIT_OPTIONS,
        strict=True,
    )
)

#: A gate: True (passes everyone), False (closes to everyone), a mask over the rows, or a
#: function returning a mask, called only when someone is still passing.
Gate = bool | np.ndarray | Callable[[], np.ndarray]


@dataclass
class Route:
    """One way into an option: its candidates and its gates, in :data:`GATES` order."""

    candidates: np.ndarray
    programme: Gate = True
    consent: Gate = True
    held_back: Gate = True
    eligibility: Gate = True
    places: Gate = True

    def stages(self, nobody: np.ndarray) -> list[np.ndarray]:
        """The candidates, then those still passing after each gate (``len(GATES) + 1``
        masks; ``nobody``, an all-False mask, once nobody passes)."""
        passing = self.candidates
        out = [passing]
        for name in GATES:
            gate = getattr(self, name)
            if gate is False:
                passing = nobody
            elif gate is not True and passing is not nobody:
                if callable(gate):
                    gate = gate() if passing.any() else False
                passing = passing & gate if gate is not False else nobody
            out.append(passing)
        return out


@dataclass
class Offers:
    """What the choice offers this month to ``rows``.

    Attributes
    ----------
    ok : numpy.ndarray
        Boolean matrix (options x rows): which options are open to each person.
    stages : dict
        Per exit option, the masks over the rows of :meth:`Route.stages` (any route): the
        candidates, then those passing each gate; the last one is ``ok`` of the option.
    nobody : numpy.ndarray
        The all-False mask that stands for every stage nobody reaches.
    """

    ok: np.ndarray
    stages: dict[Option, list[np.ndarray]]
    nobody: np.ndarray

    def counts(self, among: Mapping[Option, np.ndarray] | None = None) -> dict[Option, list[int]]:
        """People at each stage of each exit option (``len(GATES) + 1`` numbers: the
        candidates, then those passing each gate), optionally only those of the ``among``
        mask of each option."""
        out = {}
        for option, stages in self.stages.items():
            mask = None if among is None else among[option]
            out[option] = [
                0
                if stage is self.nobody
                else int(np.count_nonzero(stage if mask is None else stage & mask))
                for stage in stages
            ]
        return out


def offers(model: DDRModel, view: MonthView, rows: np.ndarray) -> Offers:
    """The options open to each of ``rows`` and the gates that closed the exit options."""
    pop = model.population
    status = pop.status[rows]
    ok = np.zeros((N_OPTIONS, len(rows)), bool)
    ok[Option.KEEP] = True
    ok[Option.ACTIVE] = status != Status.ACTIVE
    _keep_moc_posts(model, view, rows, status, ok[Option.ACTIVE])
    mining = view.mining_places > 0
    if mining.any():
        region = pop.where[rows]
        ok[Option.MINE] = ((status == Status.ACTIVE) | (status == Status.UNFIT_WAITING)) & (
            mining[region]
        )
    nobody = np.zeros(len(rows), bool)
    stages = {}
    for option, routes in _exit_routes(model, view, rows, status).items():
        per_route = [route.stages(nobody) for route in routes]
        stages[option] = [_union(masks, nobody) for masks in zip(*per_route, strict=True)]
        ok[option] = stages[option][-1]
    return Offers(ok, stages, nobody)


def _keep_moc_posts(
    model: DDRModel, view: MonthView, rows: np.ndarray, status: np.ndarray, back: np.ndarray
) -> None:
    """A MOC member holds a post their commander gave them: going back to the group
    (``back``, changed in place) is open to them only once that commander no longer
    consents to MOC (or the MOC has closed)."""
    in_moc = np.flatnonzero(status == Status.MOC)
    if len(in_moc) == 0:
        return
    pop = model.population
    share = view.consent[:, model.programme_column["moc"]]
    posted = pop.lenience[rows[in_moc]] < lookup(share, pop.group[rows[in_moc]])
    back[in_moc[posted]] = False


def _union(masks: tuple[np.ndarray, ...], nobody: np.ndarray) -> np.ndarray:
    """People in any of ``masks`` (``nobody`` when all are)."""
    live = [m for m in masks if m is not nobody]
    if not live:
        return nobody
    out = live[0]
    for mask in live[1:]:
        out = out | mask
    return out


def availability(model: DDRModel, view: MonthView, rows: np.ndarray) -> np.ndarray:
    """Boolean matrix (options x rows): which options are open to each person."""
    return offers(model, view, rows).ok


def _statuses(*codes: Status) -> np.ndarray:
    """A table over status codes: True for ``codes``."""
    table = np.zeros(len(Status), bool)
    table[list(codes)] = True
    return table


#: The statuses each route leads from.
_ON_SIDE = _statuses(Status.ACTIVE, Status.MINING)
_TO_CANTONMENT = _statuses(Status.ACTIVE, Status.MINING, Status.PRE_CANTONED)
_TO_INTEGRATION = _statuses(Status.ACTIVE, Status.MINING, Status.PRE_CANTONED, Status.CANTONED)
_TO_REINSERTION = _statuses(
    Status.ACTIVE, Status.MINING, Status.PRE_CANTONED, Status.CANTONED, Status.UNFIT_WAITING
)
_IN_MOC = _statuses(Status.MOC)


class _Choosers:
    """What the gates read about ``rows``, each mask computed once, when first needed."""

    def __init__(self, model: DDRModel, view: MonthView, rows: np.ndarray, status: np.ndarray):
        pop = model.population
        self.model, self.view, self.rows, self.status = model, view, rows, status
        self.group = pop.group[rows]
        self.region = pop.where[rows]
        self.on_side = self.among(_ON_SIDE)
        self._free: np.ndarray | None = None
        self._lenience: np.ndarray | None = None

    def among(self, statuses: np.ndarray) -> np.ndarray:
        """Those holding one of ``statuses`` (a table over status codes)."""
        return lookup(statuses, self.status)

    def free(self) -> np.ndarray:
        """Not held back by their group (armed fighters above its threshold are)."""
        if self._free is None:
            self._free = ~held_back(
                self.model.population, self.rows, self.model.group_array("hedge")
            )
        return self._free

    def allowed(self, programme: str) -> Callable[[], np.ndarray]:
        """Members whose commander lets them take a step to ``programme``."""
        share = self.view.consent[:, self.model.programme_column[programme]]

        def mask() -> np.ndarray:
            if self._lenience is None:
                self._lenience = self.model.population.lenience[self.rows]
            return self._lenience < lookup(share, self.group)

        return mask

    def fit_to_register(self, armed: bool) -> Callable[[], np.ndarray]:
        """Not a child, never declared unfit (and armed, when ``armed``)."""

        def mask() -> np.ndarray:
            pop = self.model.population
            out = ~pop.child[self.rows] & ~pop.declared_unfit[self.rows]
            return out & pop.armed[self.rows] if armed else out

        return mask

    def armed(self) -> np.ndarray:
        return self.model.population.armed[self.rows]

    def places(self, per_region: np.ndarray) -> Callable[[], np.ndarray]:
        """Those in a region with places left (``per_region``)."""
        return lambda: lookup(per_region > 0, self.region)


def _exit_routes(
    model: DDRModel, view: MonthView, rows: np.ndarray, status: np.ndarray
) -> dict[Option, list[Route]]:
    """The routes into each exit option, with their gates (docs/ODD.md 7.1)."""
    who = _Choosers(model, view, rows, status)
    build_months = model.spec.programmes.cantonment.build_months
    return {
        Option.PRE_CANTON: [
            Route(
                who.on_side,
                programme=model.programmes.pre_cantonment_open,
                consent=who.allowed("pre_cantonment"),
                held_back=who.free,
                places=who.places(view.pre_cantonment_places),
            )
        ],
        Option.CANTON: [
            Route(
                who.among(_TO_CANTONMENT),
                programme=model.sites.n_built(build_months) > 0,
                consent=who.allowed("cantonment"),
                held_back=who.free,
                eligibility=who.armed,
                places=who.places(view.cantonment_places),
            )
        ],
        Option.INTEGRATE: _integration_routes(who),
        Option.REINSERT: [_reinsertion_route(who)],
    }


def _integration_routes(who: _Choosers) -> list[Route]:
    """Accelerated DDR (from the MOC), general integration and the militia programme."""
    state = who.model.programmes
    in_force = state.agreement_in_force
    registration = who.view.registration_places > 0
    routes = [
        Route(  # MOC members, whom their group sent: never held back
            who.among(_IN_MOC),
            programme=state.accelerated_launched is not None and in_force,
            consent=who.allowed("accelerated_ddr"),
            eligibility=who.fit_to_register(armed=False),
            places=registration,
        ),
        Route(  # from the group or an assembly area
            who.among(_TO_INTEGRATION),
            programme=state.general_integration_open and in_force,
            consent=who.allowed("integration"),
            held_back=who.free,
            eligibility=who.fit_to_register(armed=True),
            places=registration,
        ),
    ]
    militia = who.model.spec.programmes.militia_programme
    # its candidates are also the general route's: while it is closed it changes no count
    if who.model.militia_programme_open() and militia.offer == "integration":
        routes.append(
            Route(  # the group has no say
                who.on_side & ~lookup(who.view.signatory, who.group),
                held_back=who.free,
                eligibility=who.fit_to_register(armed=True),
                places=registration,
            )
        )
    return routes


def _reinsertion_route(who: _Choosers) -> Route:
    """Civilian reinsertion: the group's refusal only costs utility (``choice.utilities``)."""
    model = who.model
    militia = model.spec.programmes.militia_programme
    programme = np.where(
        who.view.signatory,
        model.reinsertion_open(),
        model.militia_programme_open() and militia.offer == "reinsertion",
    )
    return Route(
        who.among(_TO_REINSERTION),
        programme=(lambda: lookup(programme, who.group)) if programme.any() else False,
        held_back=who.free,
    )
