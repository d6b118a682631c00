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

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.mechanisms.interim_hardening import moc_open
from ddr_sim.core.soft import logistic
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.behaviour import Behaviour
    from ddr_sim.config.scenario import AcceleratedDDR, Programmes, Scenario
    from ddr_sim.core.population import Population
    from ddr_sim.core.state import (
        FlowLog,
        GovernmentView,
        GroupView,
        MissionView,
        ProgrammeState,
    )


class IntakeParts(Protocol):
    """What the launch, registration, training and posting of integrants read and change."""

    spec: Scenario
    month: int
    n_regions: int
    region_index: dict[str, int]
    start_counts: np.ndarray
    population: Population
    programmes: ProgrammeState
    government: GovernmentView
    mission: MissionView
    groups: Sequence[GroupView]
    costs: dict[str, float]
    rng_choice: np.random.Generator
    rng_events: np.random.Generator
    flows: FlowLog

    def active_groups(self) -> Sequence[GroupView]: ...


def decay_pressure(mission: MissionView, decay: float) -> None:
    """A month of decay (``behaviour.pressure_decay``) of the pressure the mission carries."""
    mission.pressure *= 1.0 - decay


def raise_pressure(mission: MissionView, amount: float) -> None:
    mission.pressure = float(min(1.0, mission.pressure + amount))


def readiness(counts: np.ndarray, groups: Sequence[GroupView], programme: str) -> float:
    """Mean consent share to ``programme`` of the signatory ``groups``, weighted by their
    living members in ``counts`` [group slot, region, status]."""
    members = counts.sum(axis=(1, 2)) - counts[:, :, Status.KILLED].sum(axis=1)
    weights, shares = [], []
    for g in groups:
        if g.signatory:
            weights.append(float(members[g.index]))
            shares.append(g.consent.get(programme, 0.0))
    total = sum(weights)
    if total <= 0:
        return 0.0
    return float(np.dot(weights, shares) / total)


def launch_score(
    accelerated: AcceleratedDDR,
    behaviour: Behaviour,
    *,
    pressure: float,
    readiness: float,
    political_will: float,
) -> float:
    """L of the module docstring: the government's case for launching accelerated DDR."""
    b = behaviour
    return (
        pressure
        - accelerated.pressure_threshold
        + b.launch_readiness_weight * (readiness - 0.5)
        + b.launch_will_weight * (political_will - 0.5)
    )


def try_launch_accelerated_ddr(parts: IntakeParts) -> None:
    """The government decides whether to launch accelerated DDR this month."""
    a = parts.spec.programmes.accelerated_ddr
    state = parts.programmes
    month = parts.month
    if state.accelerated_launched is not None or a.earliest is None:
        return
    if month < month_index(a.earliest, parts.spec.calendar.start):
        return
    # accelerated DDR takes MOC members: MOC must be running
    if not moc_open(state, month, parts.spec.programmes.interim_expiry_months):
        return
    score = launch_score(
        a,
        parts.spec.behaviour,
        pressure=parts.mission.pressure,
        readiness=readiness(parts.start_counts, parts.active_groups(), "accelerated_ddr"),
        political_will=parts.government.political_will,
    )
    p = logistic(score, parts.spec.behaviour.launch_softness)
    if parts.rng_events.random() >= p:
        return
    state.accelerated_launched = month
    state.mark_ddr_started(month)
    state.announce("INTEGRATE")
    parts.flows.note("accelerated_ddr_launch", "accelerated DDR launches")


def registration_capacity(
    state: ProgrammeState, programmes: Programmes, *, moc_support: bool, presence: float
) -> int:
    """People accelerated DDR and general integration can register this month, with the
    mission's ``moc_support`` and ``presence``."""
    cap = 0
    if state.accelerated_launched is not None and state.agreement_in_force:
        cap += programmes.accelerated_ddr.monthly_capacity
    if state.general_integration_open and state.agreement_in_force:
        cap += programmes.integration.monthly_capacity
    support = 1.0 if moc_support else 0.5
    factor = support * (0.5 + 0.5 * presence)
    return max(0, int(cap * factor) - state.registered_this_month)


def parity_room(
    margin: int | None,
    taking_part: Collection[str],
    registered: dict[str, int],
    applicants: dict[str, int],
) -> dict[str, int]:
    """People each signatory coalition may register this month under the rule of thirds,
    with ``margin`` (``integration.parity_margin``) and ``registered`` people so far by
    coalition.

    ``applicants`` counts, by coalition, those who chose integration this month. The
    coalitions register together: the one that can reach the lowest count (registered so
    far plus applicants) takes all its applicants, and every other may end at most
    ``parity_margin`` above that count. Only coalitions with a group at the table count
    (covered by the agreement, not boycotting, not fighting): one that walks out does not
    hold the others back. Empty when the scenario has no parity rule or fewer than two
    coalitions take part (module docstring).
    """
    if margin is None:
        return {}
    coalitions = sorted(set(taking_part))
    if len(coalitions) < 2:
        return {}
    count = {c: registered.get(c, 0) for c in coalitions}
    level = min(count[c] + applicants.get(c, 0) for c in coalitions)
    return {c: max(0, level + margin - count[c]) for c in coalitions}


def within_parity(
    rng: np.random.Generator,
    chosen: np.ndarray,
    coalition: np.ndarray,
    *,
    margin: int | None,
    taking_part: Collection[str],
    registered: dict[str, int],
) -> np.ndarray:
    """Positions in ``chosen`` that the parity rule lets register, taken at random within
    each coalition that has less room (``parity_room``) than applicants.

    ``coalition`` is the coalition of each person in ``chosen``; ``margin``,
    ``taking_part`` and ``registered`` are as for ``parity_room``.
    """
    if margin is None or len(chosen) == 0:
        return chosen
    names, counts = np.unique(coalition, return_counts=True)
    applicants = {str(c): int(k) for c, k in zip(names, counts, strict=True)}
    room = parity_room(margin, taking_part, registered, applicants)
    keep = np.ones(len(chosen), bool)
    for name, places in room.items():
        here = np.flatnonzero(coalition == name)
        if len(here) > places:
            keep[rng.permutation(here)[places:]] = False
    return chosen[keep]


def screen(parts: IntakeParts, rows: np.ndarray) -> None:
    """Register ``rows``: the declared unfit wait, the rest go to training."""
    if len(rows) == 0:
        return
    pop = parts.population
    strict = parts.government.screening_strictness
    declared_unfit = ~pop.fit[rows] & (parts.rng_choice.random(len(rows)) < strict)
    unfit_rows = rows[declared_unfit]
    fit_rows = rows[~declared_unfit]
    pop.mark_listed(rows)
    pop.declared_unfit[unfit_rows] = True
    parts.programmes.registered_this_month += len(rows)
    count_by_coalition(
        parts.programmes.registered_by_coalition,
        [g.coalition for g in parts.groups],
        pop.group[rows],
    )
    parts.costs["registration_usd"] += (
        len(rows) * parts.spec.programmes.accelerated_ddr.unit_cost_usd
    )
    pop.move(unfit_rows, Status.UNFIT_WAITING, parts.month)
    pop.move(fit_rows, Status.TRAINING, parts.month)
    parts.flows.add("registered", rows)
    parts.flows.add("declared_unfit", unfit_rows)


def count_by_coalition(
    registered: dict[str, int], coalition_of: Sequence[str], group: np.ndarray
) -> None:
    """Add registrants of group slots ``group`` to the running counts ``registered`` by
    coalition (``coalition_of`` each group slot; the parity rule)."""
    slots, counts = np.unique(group, return_counts=True)
    for slot, k in zip(slots, counts, strict=True):
        name = coalition_of[int(slot)]
        registered[name] = registered.get(name, 0) + int(k)


def settle_ranks(parts: IntakeParts) -> None:
    """Ranks and chain of command: settled at once if quotas were agreed up front."""
    state = parts.programmes
    if state.ranks_settled or state.ddr_started is None:
        return
    if parts.spec.programmes.integration.quota_mode == "upfront":
        state.ranks_settled = True
        return
    groups = parts.active_groups()
    mean_trust = float(np.mean([g.trust for g in groups])) if groups else 0.0
    p = (
        parts.government.chain_of_command_flexibility
        * mean_trust
        * (1.0 + parts.mission.mediation_effort * parts.mission.presence)
    )
    if parts.rng_events.random() < p:
        state.ranks_settled = True


def complete_training(parts: IntakeParts) -> None:
    """Trainees who finished training are integrated while the quota has room."""
    state = parts.programmes
    pop = parts.population
    if not state.ranks_settled or pop.number_in(Status.TRAINING) == 0:
        return
    n = pop.size
    months = parts.spec.programmes.accelerated_ddr.training_months
    done = np.flatnonzero(
        (pop.status[:n] == Status.TRAINING) & (parts.month - pop.since[:n] >= months)
    )
    room = max(0, state.quota - state.integrated_total)
    if len(done) > room:
        done = parts.rng_choice.permutation(done)[:room]
    if len(done) == 0:
        return
    post = postings(parts, done)
    pop.move(done, Status.INTEGRATED, parts.month, where=post)
    state.integrated_total += len(done)
    parts.costs["integration_usd"] += len(done) * parts.spec.programmes.integration.unit_cost_usd
    parts.flows.add("integrated", done)


def postings(parts: IntakeParts, rows: np.ndarray) -> np.ndarray:
    """Region where each of ``rows`` will serve (see the module docstring)."""
    integration = parts.spec.programmes.integration
    if integration.destination == "territorial":
        return parts.population.home[rows]  # local units, near home
    start = parts.spec.calendar.start
    if not integration.units:
        return parts.rng_choice.integers(0, parts.n_regions, len(rows))  # posted anywhere
    opens = [-1 if u.opens is None else month_index(u.opens, start) for u in integration.units]
    first = min(opens)  # before any unit opens, the first units to open take people
    units = [
        u
        for u, month in zip(integration.units, opens, strict=True)
        if u.share > 0 and month <= max(parts.month, first)
    ]
    share = np.array([u.share for u in units])
    regions = np.array([parts.region_index[u.region] for u in units])
    return regions[parts.rng_choice.choice(len(units), len(rows), p=share / share.sum())]


def review_quota(parts: IntakeParts) -> None:
    """The government revises a negotiated quota once places run short (module docstring)."""
    state = parts.programmes
    b = parts.spec.behaviour
    if state.ddr_started is None or parts.spec.programmes.integration.quota_mode != "negotiated":
        return
    taken = state.integrated_total + parts.population.number_in(Status.TRAINING)
    if taken < b.quota_review_fill * state.quota:
        return
    if parts.rng_events.random() >= b.quota_review_rate:
        return
    listed_armed = int(parts.population.listed_armed_by_group.sum())
    if listed_armed == 0:
        listed_armed = sum(
            int(g.spec.armed) for g in parts.active_groups() if g.covered_by_agreement()
        )
    offer = int(round(parts.government.political_will * listed_armed))
    if offer > state.quota:
        state.quota = offer
        parts.flows.note("quota_offer", f"the government offers {offer} integration places")


def redeploy_to_new_units(parts: IntakeParts) -> None:
    """Units that open this month take their share of those serving in the open units."""
    integration = parts.spec.programmes.integration
    if integration.destination == "territorial" or not integration.units:
        return
    start = parts.spec.calendar.start
    opens = [-1 if u.opens is None else month_index(u.opens, start) for u in integration.units]
    new = [u for u, m in zip(integration.units, opens, strict=True) if m == parts.month]
    if not new or parts.population.number_in(Status.INTEGRATED) == 0:
        return
    old = [u for u, m in zip(integration.units, opens, strict=True) if m < parts.month]
    old_regions = np.array([parts.region_index[u.region] for u in old], np.int8)
    pop = parts.population
    n = pop.size
    serving = np.flatnonzero(
        (pop.status[:n] == Status.INTEGRATED) & np.isin(pop.where[:n], old_regions)
    )
    total = sum(u.share for u in old) + sum(u.share for u in new)
    if total <= 0 or len(serving) == 0:
        return
    order = parts.rng_choice.permutation(serving)
    taken = 0
    for unit in new:
        k = int(round(len(serving) * unit.share / total))
        pop.relocate(order[taken : taken + k], parts.region_index[unit.region], parts.month)
        taken += k
