"""Mechanism 11, shocks: clashes, attacks, coups, sanctions, boycotts, the mission's exit
and offensives change trust, capacity and the balance of power at once.

Scenario events are inputs (a date and a typed event); ``apply_event`` carries each out.
On top of them two hazards run every month:

* extremist attacks (outside, total spoilers; Stedman 1997): in region r a Poisson number
  with mean ``regions.attack_rate`` hits a target chosen at random among those present
  there (the army always; a MOC unit, cantonment sites under construction or built, the
  mission), with a random severity s in [0, 1): it kills ``attack_kill_share * s`` of the
  MOC unit or of the integrated soldiers posted there, sets sites back, lowers the trust
  of people in MOC, or wears down the mission's capacity;
* clashes between the army and a group g, with monthly probability

      p_g = clash_rate * max(0, 1 - T_g / fight_threshold) * (2 - presence) * clash_factor_g

  (the mission's presence halves it; CVR lowers it, mechanism 10). A clash of severity s
  costs trust ``trust_loss_clash * s``, kills ``clash_kill_share * s`` of the group's armed
  members still with it (``statuses.WITH_GROUP``) in the clash region (its stronghold for
  hazard clashes) and puts the group in a fight for ``FIGHT_MONTHS`` (3) months.

The government decides offensives (``Government.decide_offensives``): it moves on the
towns groups hold, more likely the stronger its military approach, the further the
mission has gone and the lower the group's trust; an offensive is a clash that also hands
the region (its ground and its towns) to the army. When the army moves on a group's
towns, each other group of its coalition joins the fight with probability
``coalition_solidarity * (1 - T)`` (in 2023 the CMA's groups fought together).
A new fight reaches the group's integrated members at once (``war_news``, mechanism 12).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ddr_sim.core.mechanisms.cantonment import damage_sites
from ddr_sim.core.mechanisms.cvr import clash_factor
from ddr_sim.core.mechanisms.list_inflation import submit_lists
from ddr_sim.core.mechanisms.pressure import raise_pressure
from ddr_sim.core.statuses import WITH_GROUP, Status

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Event, Scenario
    from ddr_sim.core.mechanisms.cantonment import Sites
    from ddr_sim.core.population import Population
    from ddr_sim.core.state import (
        FlowLog,
        GovernmentView,
        GroupView,
        MissionView,
        ProgrammeState,
    )


class ShockParts(Protocol):
    """What scenario events and the monthly hazards read and change: shocks reach every
    part of the process."""

    spec: Scenario
    month: int
    calendar_end: int
    n_regions: int
    region_index: dict[str, int]
    attack_rate: np.ndarray
    region_controller: np.ndarray
    towns_holder: np.ndarray
    captures: dict[int, int]
    cvr_intensity: np.ndarray
    danger: dict[str, float]
    programme_column: dict[str, int]
    population: Population
    programmes: ProgrammeState
    government: GovernmentView
    mission: MissionView
    sites: Sites
    group_by_name: dict[str, GroupView]
    rng_events: np.random.Generator
    flows: FlowLog

    def active_groups(self) -> Sequence[GroupView]: ...

    def group_array(self, name: str) -> np.ndarray: ...

    def consent_matrix(self) -> np.ndarray: ...


FIGHT_MONTHS = 3


def kill(parts: ShockParts, rows: np.ndarray) -> None:
    if len(rows) == 0:
        return
    parts.population.move(rows, Status.KILLED, parts.month)
    parts.flows.add("killed", rows)


def kill_share(
    parts: ShockParts, mask: np.ndarray, share: float, at_most: int | None = None
) -> None:
    """Kill a random ``share`` of the rows in ``mask`` (or ``at_most`` of them)."""
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return
    k = int(round(share * len(rows))) if at_most is None else min(at_most, len(rows))
    if k > 0:
        kill(parts, parts.rng_events.choice(rows, k, replace=False))


def groups_concerned(parts: ShockParts, event: Event) -> list[GroupView]:
    if event.groups:
        return [parts.group_by_name[name] for name in event.groups if name in parts.group_by_name]
    return [g for g in parts.active_groups() if g.signatory]


def escalate(group: GroupView, severity: float, war: bool) -> None:
    """The group's fight reaches ``severity`` (a new fight starts from nothing); a war that
    begins while the group was not at war is news for its integrated members."""
    if not group.fighting:
        group.fight_severity = 0.0
        group.at_war = False
    if war and not group.at_war:
        group.war_news = True
        group.at_war = True
    group.fight_severity = max(group.fight_severity, float(severity))


def start_fight(
    parts: ShockParts, group: GroupView, region: int | None, severity: float, war: bool = True
) -> None:
    """A clash between the army and ``group``: trust, casualties and a fight.

    ``war`` is False for a skirmish (the monthly clash hazard): it pulls the group's
    integrated members by its severity when they reconsider, but is not news that makes
    them all weigh it at once; a war (an offensive, a partner's rally, a scenario clash,
    the end of the agreement) is, also when it follows a skirmish.
    """
    b = parts.spec.behaviour
    group.shift_trust(-b.trust_loss_clash * severity)
    escalate(group, severity, war)
    group.fighting_until = max(group.fighting_until, parts.month + FIGHT_MONTHS)
    pop = parts.population
    n = pop.size
    mask = (pop.group[:n] == group.index) & pop.armed[:n] & np.isin(pop.status[:n], WITH_GROUP)
    if region is not None:
        mask &= pop.where[:n] == region
    kill_share(parts, mask, b.clash_kill_share * severity)
    parts.flows.bump("clashes", group.index)


def attack(parts: ShockParts, region: int, target: str, severity: float, killed: int = 0) -> None:
    """An extremist attack on ``target`` in ``region``."""
    b = parts.spec.behaviour
    pop = parts.population
    n = pop.size
    if target == "moc":
        moc = (pop.status[:n] == Status.MOC) & (pop.where[:n] == region)
        if killed:
            kill_share(parts, moc, 0.0, at_most=killed)
        else:
            kill_share(parts, moc, b.attack_kill_share * severity)
        in_moc = pop.status[:n] == Status.MOC
        pop.trust[:n][in_moc] = np.maximum(0.0, pop.trust[:n][in_moc] - 0.1 * severity)
        parts.danger["moc"] = min(1.0, parts.danger["moc"] + severity)
    elif target == "sites":
        damage_sites(parts.sites, parts.spec.programmes.cantonment.build_months, region, severity)
        parts.danger["cantonment"] = min(1.0, parts.danger["cantonment"] + severity)
    elif target == "mission":
        parts.mission.capacity = max(0.3, parts.mission.capacity - 0.1 * severity)
    elif target == "army":
        integrated = (pop.status[:n] == Status.INTEGRATED) & (pop.where[:n] == region)
        kill_share(parts, integrated, b.attack_kill_share * severity, at_most=killed or None)
    parts.flows.bump_region("attacks", region)


def extremist_hazard(parts: ShockParts) -> None:
    """Monthly extremist attacks on whatever is present in each region."""
    rng = parts.rng_events
    moc_here = parts.population.counts[:, :, Status.MOC].sum(axis=0)  # by region, now
    sites = parts.sites
    begun = sites.region_of_site[sites.work_done > 0]
    sites_here = np.bincount(begun, minlength=parts.n_regions)
    for r in range(parts.n_regions):
        k = rng.poisson(parts.attack_rate[r])
        for _ in range(k):
            targets = ["army"]
            if moc_here[r] > 0:
                targets.append("moc")
            if sites_here[r] > 0:
                targets.append("sites")
            if parts.mission.presence > 0:
                targets.append("mission")
            attack(parts, r, targets[rng.integers(len(targets))], severity=rng.random())
    for key in parts.danger:
        parts.danger[key] *= 0.9


def clash_hazard(parts: ShockParts) -> None:
    """Emergent clashes between the army and low-trust groups."""
    b = parts.spec.behaviour
    rng = parts.rng_events
    presence = parts.mission.presence
    for group in parts.active_groups():
        if b.fight_threshold <= 0:
            continue
        p = b.clash_rate * max(0.0, 1.0 - group.trust / b.fight_threshold)
        p *= (2.0 - presence) * clash_factor(b, group.region_weights, parts.cvr_intensity)
        if rng.random() < p:
            start_fight(parts, group, group.stronghold, severity=rng.random(), war=False)


def offensive(parts: ShockParts, group: GroupView, region: int, severity: float) -> None:
    """The army moves on ``region``, held by ``group``; its coalition may join the fight.

    The army holds the region (its ground and its towns) once the fight has run its
    course, ``FIGHT_MONTHS`` later (in 2023 fighting resumed in August and the army took
    Kidal in November, DOMAIN 3): until then the group still holds the towns.
    """
    start_fight(parts, group, region, severity)
    parts.captures[region] = parts.month + FIGHT_MONTHS
    rally_coalition(parts, group, severity)


def complete_captures(parts: ShockParts) -> None:
    """Regions whose offensive has run its course pass to the army."""
    for region, month in list(parts.captures.items()):
        if parts.month >= month:
            parts.region_controller[region] = -1
            parts.towns_holder[region] = -1
            del parts.captures[region]


def rally_coalition(parts: ShockParts, group: GroupView, severity: float) -> None:
    """Coalition partners not yet at war join with probability solidarity * (1 - T); a
    partner in a skirmish of its own may join the war too."""
    solidarity = parts.spec.behaviour.coalition_solidarity
    for partner in parts.active_groups():
        at_war = partner.fighting and partner.at_war
        if partner is group or partner.coalition != group.coalition or at_war:
            continue
        if parts.rng_events.random() < solidarity * (1.0 - partner.trust):
            start_fight(parts, partner, partner.stronghold, severity)


def apply_event(parts: ShockParts, event: Event) -> None:
    """Carry out one scenario event this month (nothing, and no record, when disabled)."""
    if not event.enabled:
        return
    b = parts.spec.behaviour
    region = parts.region_index[event.region] if event.region else None
    groups = groups_concerned(parts, event)
    state = parts.programmes
    match event.type:
        case "agreement_signed":
            for g in groups:
                g.sign(parts.month)
        case "registration":
            share = parts.consent_matrix()[:, parts.programme_column["lists"]]
            submit_lists(parts.population, groups, share, parts.group_array("hedge"))
            state.registration_months.append(parts.month)
        case "clash":
            for g in groups:
                start_fight(parts, g, region, event.severity)
        case "attack":
            target = event.target or "moc"
            regions = [region] if region is not None else range(parts.n_regions)
            for r in regions:
                attack(parts, r, target, event.severity, event.killed)
        case "coup":
            gov = parts.government
            gov.regime = event.regime or "transition"
            gov.political_will *= 1.0 - event.severity
            gov.military_approach = min(1.0, gov.military_approach + event.severity)
            for g in parts.active_groups():
                g.shift_trust(-b.trust_loss_coup * event.severity)
        case "sanctions":
            raise_pressure(parts.mission, 0.5 * event.severity)
            if event.one_sided:
                for g in groups:
                    g.shift_trust(-b.trust_loss_sanctions_one_sided * event.severity)
        case "boycott":
            for g in groups:
                g.boycott_until = max(g.boycott_until, parts.month + round(12 * event.severity))
        case "pressure_campaign":
            raise_pressure(parts.mission, event.severity)
        case "quota_offer":
            state.quota = max(state.quota, int(event.quota or 0))
            state.general_integration_open = True
            state.announce("INTEGRATE")
        case "mission_exit":
            parts.mission.leave(parts.month)
        case "offensive":
            targets = groups
            for g in targets:
                offensive(parts, g, region if region is not None else g.stronghold, event.severity)
        case "agreement_termination":
            state.agreement_in_force = False
            for g in parts.active_groups():
                if g.signatory:
                    escalate(g, 1.0, war=True)  # the end of the agreement: war
                    g.fighting_until = max(g.fighting_until, parts.calendar_end)
    parts.flows.note_event(event)
