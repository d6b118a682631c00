"""Which options of the monthly choice are open to each person this month.

A step a group consents to with share c is open to the members whose ``lenience`` is below
c; places, programmes and the group's holding back close the rest (docs/ODD.md 7.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel
from ddr_sim.core.options import N_OPTIONS, MonthView, Option


@dataclass
class GroupGates:
    """Per group slot: the share of commanders who open each option (0 where the programme
    is closed; 1 where the group has no say)."""

    pre_cantonment: np.ndarray
    cantonment: np.ndarray
    accelerated: np.ndarray
    general_integration: np.ndarray
    militia_integration: np.ndarray
    reinsertion: np.ndarray

    @classmethod
    def of(cls, model: DDRModel, view: MonthView) -> GroupGates:
        state = model.programmes
        column = model.programme_column
        consent = view.consent
        signatory = view.signatory
        militia_open = model.militia_programme_open()
        offer = model.spec.programmes.militia_programme.offer
        everyone = np.ones(len(signatory), np.float32)
        return cls(
            pre_cantonment=consent[:, column["pre_cantonment"]],
            cantonment=consent[:, column["cantonment"]],
            accelerated=consent[:, column["accelerated_ddr"]]
            * (state.accelerated_launched is not None),
            general_integration=consent[:, column["integration"]] * state.general_integration_open,
            militia_integration=everyone * (~signatory & militia_open & (offer == "integration")),
            reinsertion=everyone
            * (
                (signatory & model.reinsertion_open())
                | (~signatory & militia_open & (offer == "reinsertion"))
            ),
        )


def availability(model: DDRModel, view: MonthView, rows: np.ndarray) -> np.ndarray:
    """Boolean matrix (options x rows): which options are open to each person.

    An option whose group, programme or place conditions hold nowhere is left closed
    without looking at the people.
    """
    pop = model.population
    gates = GroupGates.of(model, view)
    status = pop.status[rows]
    group = pop.group[rows].astype(np.intp)
    region = pop.where[rows].astype(np.intp)
    armed = pop.armed[rows]
    free = ~held_back(pop, rows, model.group_array("hedge"))
    armed_free = armed & free
    lenience = pop.lenience[rows]

    def allowed(share: np.ndarray) -> np.ndarray:
        """Members whose commander lets them take a step with consent ``share``."""
        return lenience < share[group]

    on_side = (status == Status.ACTIVE) | (status == Status.MINING)
    ok = np.zeros((N_OPTIONS, len(rows)), bool)
    ok[Option.KEEP] = True
    ok[Option.ACTIVE] = status != Status.ACTIVE
    mining = view.mining_places > 0
    if mining.any():
        ok[Option.MINE] = ((status == Status.ACTIVE) | (status == Status.UNFIT_WAITING)) & (
            mining[region]
        )
    pre_cantonment = view.pre_cantonment_places > 0
    if gates.pre_cantonment.any() and pre_cantonment.any():
        ok[Option.PRE_CANTON] = (
            on_side & free & allowed(gates.pre_cantonment) & pre_cantonment[region]
        )
    cantonment = view.cantonment_places > 0
    if gates.cantonment.any() and cantonment.any():
        ok[Option.CANTON] = (
            (on_side | (status == Status.PRE_CANTONED))
            & armed_free
            & allowed(gates.cantonment)
            & cantonment[region]
        )
    if view.registration_places > 0:
        ok[Option.INTEGRATE] = (
            ~pop.child[rows]
            & ~pop.declared_unfit[rows]
            & _integration_open(gates, status, on_side, armed_free, allowed)
        )
    if gates.reinsertion.any():
        leaving = (
            on_side
            | (status == Status.PRE_CANTONED)
            | (status == Status.CANTONED)
            | (status == Status.UNFIT_WAITING)
        )
        ok[Option.REINSERT] = leaving & free & (gates.reinsertion[group] > 0)
    return ok


def _integration_open(
    gates: GroupGates,
    status: np.ndarray,
    on_side: np.ndarray,
    armed_free: np.ndarray,
    allowed,
) -> np.ndarray:
    """Mask: one of the integration routes (accelerated, general, militia) is open."""
    route = np.zeros(len(status), bool)
    if gates.accelerated.any():
        route |= (status == Status.MOC) & allowed(gates.accelerated)
    if gates.general_integration.any():
        in_assembly = (status == Status.PRE_CANTONED) | (status == Status.CANTONED)
        route |= (on_side | in_assembly) & armed_free & allowed(gates.general_integration)
    if gates.militia_integration.any():
        route |= on_side & armed_free & allowed(gates.militia_integration)
    return route
