"""Mechanism 7, pressure can restart a stalled process, partially.

International pressure pi in [0, 1] rises with pressure campaigns and sanctions (events)
and decays by ``pressure_decay`` a month. Launching accelerated DDR is the government's
decision. From ``accelerated_ddr.earliest`` on, while MOC is running (started, not
expired) and the agreement is in force, it launches in a month with probability

    p_launch = 1 / (1 + exp(-L / launch_softness))
    L = pi - pressure_threshold + w_C (C - 0.5) + w_W (will - 0.5)

C is the groups' readiness (the mean, weighted by size, of the signatory groups' consent
shares to accelerated DDR, politics_gate) and ``will`` the government's political will:
outside pressure, groups that are ready and a government that wants it can each bring the
launch closer. It takes MOC members who choose integration. Registration places a month
(accelerated DDR and, once open, general integration together) are

    places = (accelerated.monthly_capacity + integration.monthly_capacity if open)
             * (1 if mission.moc_support else 0.5) * (0.5 + 0.5 * presence)
             - registered so far this month

With ``integration.parity_margin`` m (the rule of thirds at intake: MOC contingents of equal
size went through accelerated DDR together), a signatory coalition c may register at most
``min over other coalitions of R_c' + m - R_c`` more people, R counting registrations so
far; the more willing coalition waits for the other.

Each registrant is screened once: a medically unfit person is declared unfit with
probability ``screening_strictness`` and then waits (``UNFIT_WAITING``), refusing civilian
reinsertion (mechanism 8 gives them a penalty on it); a person declared unfit never
registers again. The fit go to training for ``training_months``;
they are integrated only while places remain under the quota and once ranks and chain of
command are settled. With quotas negotiated during implementation, settlement happens
with monthly probability

    p_settle = chain_of_command_flexibility * mean_trust * (1 + mediation * presence)

and with quotas agreed up front it is settled from the start.

The quota is the government's offer. With quotas negotiated during implementation, once
the integrated and those in training fill ``quota_review_fill`` of it, the government
revises it with monthly probability ``quota_review_rate`` to the share of the listed armed
combatants (all armed members of covered groups while nothing is listed) equal to its
political will, if that is more: a willing government offers places to more of them.

Where the integrated serve: with ``integration.units`` (the BATFAR battalions of Mali),
each new integrant is posted to a unit open that month, chosen in proportion to the
units' ``share``; every coalition is spread over the units alike (the rule of thirds of the
2020 roadmap). A unit that opens later is formed by redeployment: in its opening month it
takes, at random, its share (of all open units' shares) of the integrated serving in the
other units (reconstituted battalions were formed and then deployed, DOMAIN 5).
Territorial integration posts people near home; the national army with no units listed
posts them to any region.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.programmes import moc_open
from ddr_sim.core.soft import logistic
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel


def decay_pressure(model: DDRModel) -> None:
    m = model.mission
    m.pressure *= 1.0 - model.spec.behaviour.pressure_decay


def raise_pressure(model: DDRModel, amount: float) -> None:
    m = model.mission
    m.pressure = float(min(1.0, m.pressure + amount))


def readiness(model: DDRModel, programme: str) -> float:
    """Mean consent share to ``programme`` of the signatory groups, weighted by members."""
    counts = model.start_counts
    members = counts.sum(axis=(1, 2)) - counts[:, :, Status.KILLED].sum(axis=1)
    weights, shares = [], []
    for g in model.active_groups():
        if g.signatory:
            weights.append(float(members[g.index]))
            shares.append(g.consent.get(programme, 0.0))
    total = sum(weights)
    if total <= 0:
        return 0.0
    return float(np.dot(weights, shares) / total)


def launch_score(model: DDRModel) -> float:
    """L of the module docstring: the government's case for launching accelerated DDR."""
    a = model.spec.programmes.accelerated_ddr
    b = model.spec.behaviour
    return (
        model.mission.pressure
        - a.pressure_threshold
        + b.launch_readiness_weight * (readiness(model, "accelerated_ddr") - 0.5)
        + b.launch_will_weight * (model.government.political_will - 0.5)
    )


def try_launch_accelerated_ddr(model: DDRModel) -> None:
    """The government decides whether to launch accelerated DDR this month."""
    a = model.spec.programmes.accelerated_ddr
    state = model.programmes
    if state.accelerated_launched is not None or a.earliest is None:
        return
    if model.month < month_index(a.earliest, model.spec.calendar.start):
        return
    if not moc_open(model):  # accelerated DDR takes MOC members: MOC must be running
        return
    p = logistic(launch_score(model), model.spec.behaviour.launch_softness)
    if model.rng_events.random() >= p:
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
        cap += model.spec.programmes.accelerated_ddr.monthly_capacity
    if state.general_integration_open and state.agreement_in_force:
        cap += model.spec.programmes.integration.monthly_capacity
    support = 1.0 if model.spec.mission.moc_support else 0.5
    factor = support * (0.5 + 0.5 * model.mission.presence)
    return max(0, int(cap * factor) - state.registered_this_month)


def parity_room(model: DDRModel, applicants: dict[str, int]) -> dict[str, int]:
    """People each signatory coalition may register this month under the rule of thirds.

    ``applicants`` counts, by coalition, those who chose integration this month. The
    coalitions register together: the one that can reach the lowest count (registered so
    far plus applicants) takes all its applicants, and every other may end at most
    ``parity_margin`` above that count. Only coalitions with a group at the table count
    (covered by the agreement, not boycotting, not fighting): one that walks out does not
    hold the others back. Empty when the scenario has no parity rule or fewer than two
    coalitions take part (module docstring).
    """
    margin = model.spec.programmes.integration.parity_margin
    if margin is None:
        return {}
    coalitions = sorted({g.coalition for g in model.active_groups() if _takes_part(model, g)})
    if len(coalitions) < 2:
        return {}
    done = model.programmes.registered_by_coalition
    count = {c: done.get(c, 0) for c in coalitions}
    level = min(count[c] + applicants.get(c, 0) for c in coalitions)
    return {c: max(0, level + margin - count[c]) for c in coalitions}


def _takes_part(model: DDRModel, group) -> bool:
    """A signatory group covered by the agreement, at the table and not at war: its
    coalition counts for the parity rule (one that walks out does not hold the others)."""
    return (
        group.signatory
        and group.covered_by_agreement(model)
        and not group.boycotting
        and not group.fighting
    )


def within_parity(
    model: DDRModel, rng: np.random.Generator, rows: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Positions in ``chosen`` (into ``rows``) that the parity rule lets register, taken at
    random within each coalition that has less room than applicants."""
    if model.spec.programmes.integration.parity_margin is None or len(chosen) == 0:
        return chosen
    coalition = np.array([model.groups[g].coalition for g in model.population.group[rows[chosen]]])
    names, counts = np.unique(coalition, return_counts=True)
    room = parity_room(model, {str(c): int(k) for c, k in zip(names, counts, strict=True)})
    keep = np.ones(len(chosen), bool)
    for name, places in room.items():
        here = np.flatnonzero(coalition == name)
        if len(here) > places:
            keep[rng.permutation(here)[places:]] = False
    return chosen[keep]


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
    pop.declared_unfit[unfit_rows] = True
    model.programmes.registered_this_month += len(rows)
    _count_by_coalition(model, rows)
    model.costs["registration_usd"] += (
        len(rows) * model.spec.programmes.accelerated_ddr.unit_cost_usd
    )
    pop.move(unfit_rows, Status.UNFIT_WAITING, model.month)
    pop.move(fit_rows, Status.TRAINING, model.month)
    model.flows.add("registered", rows)
    model.flows.add("declared_unfit", unfit_rows)


def _count_by_coalition(model: DDRModel, rows: np.ndarray) -> None:
    """Add the registrants ``rows`` to their coalitions' running counts (parity rule)."""
    done = model.programmes.registered_by_coalition
    slots, counts = np.unique(model.population.group[rows], return_counts=True)
    for slot, k in zip(slots, counts, strict=True):
        name = model.groups[int(slot)].coalition
        done[name] = done.get(name, 0) + int(k)


def settle_ranks(model: DDRModel) -> None:
    """Ranks and chain of command: settled at once if quotas were agreed up front."""
    state = model.programmes
    if state.ranks_settled or state.ddr_started is None:
        return
    if model.spec.programmes.integration.quota_mode == "upfront":
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
    months = model.spec.programmes.accelerated_ddr.training_months
    done = np.flatnonzero(
        (pop.status[:n] == Status.TRAINING) & (model.month - pop.since[:n] >= months)
    )
    room = max(0, state.quota - state.integrated_total)
    if len(done) > room:
        done = model.rng_choice.permutation(done)[:room]
    if len(done) == 0:
        return
    post = postings(model, done)
    pop.move(done, Status.INTEGRATED, model.month, where=post)
    state.integrated_total += len(done)
    model.costs["integration_usd"] += len(done) * model.spec.programmes.integration.unit_cost_usd
    model.flows.add("integrated", done)


def postings(model: DDRModel, rows: np.ndarray) -> np.ndarray:
    """Region where each of ``rows`` will serve (see the module docstring)."""
    integration = model.spec.programmes.integration
    if integration.destination == "territorial":
        return model.population.home[rows]  # local units, near home
    start = model.spec.calendar.start
    if not integration.units:
        return model.rng_choice.integers(0, model.n_regions, len(rows))  # posted anywhere
    opens = [-1 if u.opens is None else month_index(u.opens, start) for u in integration.units]
    first = min(opens)  # before any unit opens, the first units to open take people
    units = [
        u
        for u, month in zip(integration.units, opens, strict=True)
        if u.share > 0 and month <= max(model.month, first)
    ]
    share = np.array([u.share for u in units])
    regions = np.array([model.region_index[u.region] for u in units])
    return regions[model.rng_choice.choice(len(units), len(rows), p=share / share.sum())]


def review_quota(model: DDRModel) -> None:
    """The government revises a negotiated quota once places run short (module docstring)."""
    state = model.programmes
    b = model.spec.behaviour
    if state.ddr_started is None or model.spec.programmes.integration.quota_mode != "negotiated":
        return
    taken = state.integrated_total + model.population.number_in(Status.TRAINING)
    if taken < b.quota_review_fill * state.quota:
        return
    if model.rng_events.random() >= b.quota_review_rate:
        return
    listed_armed = int(model.population.listed_armed_by_group.sum())
    if listed_armed == 0:
        listed_armed = sum(
            int(g.spec.armed) for g in model.active_groups() if g.covered_by_agreement(model)
        )
    offer = int(round(model.government.political_will * listed_armed))
    if offer > state.quota:
        state.quota = offer
        model.flows.note("quota_offer", f"the government offers {offer} integration places")


def redeploy_to_new_units(model: DDRModel) -> None:
    """Units that open this month take their share of those serving in the open units."""
    integration = model.spec.programmes.integration
    if integration.destination == "territorial" or not integration.units:
        return
    start = model.spec.calendar.start
    opens = [-1 if u.opens is None else month_index(u.opens, start) for u in integration.units]
    new = [u for u, m in zip(integration.units, opens, strict=True) if m == model.month]
    if not new or model.population.number_in(Status.INTEGRATED) == 0:
        return
    old = [u for u, m in zip(integration.units, opens, strict=True) if m < model.month]
    old_regions = np.array([model.region_index[u.region] for u in old], np.int8)
    pop = model.population
    n = pop.size
    serving = np.flatnonzero(
        (pop.status[:n] == Status.INTEGRATED) & np.isin(pop.where[:n], old_regions)
    )
    total = sum(u.share for u in old) + sum(u.share for u in new)
    if total <= 0 or len(serving) == 0:
        return
    order = model.rng_choice.permutation(serving)
    taken = 0
    for unit in new:
        k = int(round(len(serving) * unit.share / total))
        pop.relocate(order[taken : taken + k], model.region_index[unit.region], model.month)
        taken += k
