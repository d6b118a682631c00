"""Mechanism 7, pressure can restart a stalled process, partially.

International pressure pi in [0, 1] rises with pressure campaigns and sanctions (events)
and decays by ``pressure_decay`` a month. Accelerated DDR launches in the first month
when all hold: the date is at or after ``accelerated_ddr.earliest``; pi >= the launch
threshold; MOC is running (started, not expired) and the agreement is in force; and at
least one signatory group consents to it (politics_gate, where pi enters the score). It
takes MOC members who choose integration. Registration places a month (accelerated DDR
and, once open, general integration together) are

    places = (accelerated.monthly_capacity + integration.monthly_capacity if open)
             * (1 if mission.moc_support else 0.5) * (0.5 + 0.5 * presence)
             - registered so far this month

Each registrant is screened: a medically unfit person is declared unfit with probability
``screening_strictness`` and then waits (``UNFIT_WAITING``), refusing civilian reinsertion
(mechanism 8 gives them a penalty on it). The fit go to training for ``training_months``;
they are integrated only while places remain under the quota and once ranks and chain of
command are settled. With quotas negotiated during implementation, settlement happens
with monthly probability

    p_settle = chain_of_command_flexibility * mean_trust * (1 + mediation * presence)

and with quotas agreed up front it is settled from the start.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.programmes import moc_open
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel


def decay_pressure(model: DDRModel) -> None:
    m = model.mission
    m.pressure *= 1.0 - model.scenario.behaviour.pressure_decay


def raise_pressure(model: DDRModel, amount: float) -> None:
    m = model.mission
    m.pressure = float(min(1.0, m.pressure + amount))


def try_launch_accelerated_ddr(model: DDRModel) -> None:
    """Launch accelerated DDR in the first month its conditions hold."""
    a = model.scenario.programmes.accelerated_ddr
    state = model.programmes
    if state.accelerated_launched is not None or a.earliest is None:
        return
    if model.month < month_index(a.earliest, model.scenario.calendar.start):
        return
    if model.mission.pressure < a.pressure_threshold:
        return
    if not moc_open(model):  # accelerated DDR takes MOC members: MOC must be running
        return
    if not any(
        g.signatory and g.consent.get("accelerated_ddr", False) for g in model.active_groups()
    ):
        return
    state.accelerated_launched = model.month
    state.mark_ddr_started(model.month)
    state.announce("INTEGRATE")
    model.flows.note("accelerated_ddr_launch", "accelerated DDR launches")


def registration_capacity(model: DDRModel) -> int:
    """People accelerated DDR and general integration can register this month."""
    state = model.programmes
    cap = 0
    if state.accelerated_launched is not None and state.agreement_in_force:
        cap += model.scenario.programmes.accelerated_ddr.monthly_capacity
    if state.general_integration_open and state.agreement_in_force:
        cap += model.scenario.programmes.integration.monthly_capacity
    support = 1.0 if model.scenario.mission.moc_support else 0.5
    factor = support * (0.5 + 0.5 * model.mission.presence)
    return max(0, int(cap * factor) - state.registered_this_month)


def screen(model: DDRModel, rows: np.ndarray) -> None:
    """Register ``rows``: the declared unfit wait, the rest go to training."""
    if len(rows) == 0:
        return
    pop = model.population
    strict = model.government.screening_strictness
    declared_unfit = ~pop.fit[rows] & (model.rng_choice.random(len(rows)) < strict)
    unfit_rows = rows[declared_unfit]
    fit_rows = rows[~declared_unfit]
    pop.mark_listed(rows)
    model.programmes.registered_this_month += len(rows)
    model.costs["registration_usd"] += (
        len(rows) * model.scenario.programmes.accelerated_ddr.unit_cost_usd
    )
    pop.move(unfit_rows, Status.UNFIT_WAITING, model.month)
    pop.move(fit_rows, Status.TRAINING, model.month)
    model.flows.add("registered", rows)
    model.flows.add("declared_unfit", unfit_rows)


def settle_ranks(model: DDRModel) -> None:
    """Ranks and chain of command: settled at once if quotas were agreed up front."""
    state = model.programmes
    if state.ranks_settled or state.ddr_started is None:
        return
    if model.scenario.programmes.integration.quota_mode == "upfront":
        state.ranks_settled = True
        return
    groups = model.active_groups()
    mean_trust = float(np.mean([g.trust for g in groups])) if groups else 0.0
    p = (
        model.government.chain_of_command_flexibility
        * mean_trust
        * (1.0 + model.mission.mediation_effort * model.mission.presence)
    )
    if model.rng_events.random() < p:
        state.ranks_settled = True


def complete_training(model: DDRModel) -> None:
    """Trainees who finished training are integrated while the quota has room."""
    state = model.programmes
    pop = model.population
    if not state.ranks_settled or pop.number_in(Status.TRAINING) == 0:
        return
    n = pop.size
    months = model.scenario.programmes.accelerated_ddr.training_months
    done = np.flatnonzero(
        (pop.status[:n] == Status.TRAINING) & (model.month - pop.since[:n] >= months)
    )
    room = max(0, state.quota - state.integrated_total)
    if len(done) > room:
        done = model.rng_choice.permutation(done)[:room]
    if len(done) == 0:
        return
    if model.scenario.programmes.integration.destination == "territorial":
        post = pop.home[done]  # local units, near home
    else:
        post = model.rng_choice.integers(0, model.n_regions, len(done))  # posted anywhere
    pop.move(done, Status.INTEGRATED, model.month, where=post)
    state.integrated_total += len(done)
    model.costs["integration_usd"] += (
        len(done) * model.scenario.programmes.integration.unit_cost_usd
    )
    model.flows.add("integrated", done)
