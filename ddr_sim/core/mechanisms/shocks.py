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

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.scenario import Event
from ddr_sim.core.mechanisms.cantonment import damage_sites
from ddr_sim.core.mechanisms.cvr import clash_factor
from ddr_sim.core.mechanisms.list_inflation import submit_lists
from ddr_sim.core.mechanisms.pressure import raise_pressure
from ddr_sim.core.statuses import WITH_GROUP, Status

if TYPE_CHECKING:
    from ddr_sim.core.agents import ArmedGroup
    from ddr_sim.core.model import DDRModel

FIGHT_MONTHS = 3


def kill(model: DDRModel, rows: np.ndarray) -> None:
    if len(rows) == 0:
        return
    model.population.move(rows, Status.KILLED, model.month)
    model.flows.add("killed", rows)


def kill_share(model: DDRModel, mask: np.ndarray, share: float, at_most: int | None = None) -> None:
    """Kill a random ``share`` of the rows in ``mask`` (or ``at_most`` of them)."""
    rows = np.flatnonzero(mask)
    if len(rows) == 0:
        return
    k = int(round(share * len(rows))) if at_most is None else min(at_most, len(rows))
    if k > 0:
        kill(model, model.rng_events.choice(rows, k, replace=False))


def groups_concerned(model: DDRModel, event: Event) -> list[ArmedGroup]:
    if event.groups:
        return [model.group_by_name[name] for name in event.groups if name in model.group_by_name]
    return [g for g in model.active_groups() if g.signatory]


def start_fight(model: DDRModel, group: ArmedGroup, region: int | None, severity: float) -> None:
    """A clash between the army and ``group``: trust, casualties and a fight."""
    b = model.spec.behaviour
    group.shift_trust(-b.trust_loss_clash * severity)
    if not group.fighting:
        group.war_news = True
        group.fight_severity = 0.0
    group.fight_severity = max(group.fight_severity, float(severity))
    group.fighting_until = max(group.fighting_until, model.month + FIGHT_MONTHS)
    pop = model.population
    n = pop.size
    mask = (pop.group[:n] == group.index) & pop.armed[:n] & np.isin(pop.status[:n], WITH_GROUP)
    if region is not None:
        mask &= pop.where[:n] == region
    kill_share(model, mask, b.clash_kill_share * severity)
    model.flows.bump("clashes", group.index)


def attack(model: DDRModel, region: int, target: str, severity: float, killed: int = 0) -> None:
    """An extremist attack on ``target`` in ``region``."""
    b = model.spec.behaviour
    pop = model.population
    n = pop.size
    if target == "moc":
        moc = (pop.status[:n] == Status.MOC) & (pop.where[:n] == region)
        if killed:
            kill_share(model, moc, 0.0, at_most=killed)
        else:
            kill_share(model, moc, b.attack_kill_share * severity)
        in_moc = pop.status[:n] == Status.MOC
        pop.trust[:n][in_moc] = np.maximum(0.0, pop.trust[:n][in_moc] - 0.1 * severity)
        model.danger["moc"] = min(1.0, model.danger["moc"] + severity)
    elif target == "sites":
        damage_sites(model, region, severity)
        model.danger["cantonment"] = min(1.0, model.danger["cantonment"] + severity)
    elif target == "mission":
        model.mission.capacity = max(0.3, model.mission.capacity - 0.1 * severity)
    elif target == "army":
        integrated = (pop.status[:n] == Status.INTEGRATED) & (pop.where[:n] == region)
        kill_share(model, integrated, b.attack_kill_share * severity, at_most=killed or None)
    model.flows.bump_region("attacks", region)


def extremist_hazard(model: DDRModel) -> None:
    """Monthly extremist attacks on whatever is present in each region."""
    rng = model.rng_events
    moc_here = model.population.counts[:, :, Status.MOC].sum(axis=0)  # by region, now
    sites = model.sites
    begun = sites.region_of_site[sites.work_done > 0]
    sites_here = np.bincount(begun, minlength=model.n_regions)
    for r in range(model.n_regions):
        k = rng.poisson(model.attack_rate[r])
        for _ in range(k):
            targets = ["army"]
            if moc_here[r] > 0:
                targets.append("moc")
            if sites_here[r] > 0:
                targets.append("sites")
            if model.mission.presence > 0:
                targets.append("mission")
            attack(model, r, targets[rng.integers(len(targets))], severity=rng.random())
    for key in model.danger:
        model.danger[key] *= 0.9


def clash_hazard(model: DDRModel) -> None:
    """Emergent clashes between the army and low-trust groups."""
    b = model.spec.behaviour
    rng = model.rng_events
    presence = model.mission.presence
    for group in model.active_groups():
        if b.fight_threshold <= 0:
            continue
        p = b.clash_rate * max(0.0, 1.0 - group.trust / b.fight_threshold)
        p *= (2.0 - presence) * clash_factor(model, group)
        if rng.random() < p:
            start_fight(model, group, group.stronghold, severity=rng.random())


def offensive(model: DDRModel, group: ArmedGroup, region: int, severity: float) -> None:
    """The army moves on ``region``, held by ``group``; its coalition may join the fight.

    The army holds the region (its ground and its towns) once the fight has run its
    course, ``FIGHT_MONTHS`` later (in 2023 fighting resumed in August and the army took
    Kidal in November, DOMAIN 3): until then the group still holds the towns.
    """
    start_fight(model, group, region, severity)
    model.captures[region] = model.month + FIGHT_MONTHS
    rally_coalition(model, group, severity)


def complete_captures(model: DDRModel) -> None:
    """Regions whose offensive has run its course pass to the army."""
    for region, month in list(model.captures.items()):
        if model.month >= month:
            model.region_controller[region] = -1
            model.towns_holder[region] = -1
            del model.captures[region]


def rally_coalition(model: DDRModel, group: ArmedGroup, severity: float) -> None:
    """Coalition partners not yet fighting join with probability solidarity * (1 - T)."""
    solidarity = model.spec.behaviour.coalition_solidarity
    for partner in model.active_groups():
        if partner is group or partner.coalition != group.coalition or partner.fighting:
            continue
        if model.rng_events.random() < solidarity * (1.0 - partner.trust):
            start_fight(model, partner, partner.stronghold, severity)


def apply_event(model: DDRModel, event: Event) -> None:
    """Carry out one scenario event this month (nothing, and no record, when disabled)."""
    if not event.enabled:
        return
    b = model.spec.behaviour
    region = model.region_index[event.region] if event.region else None
    groups = groups_concerned(model, event)
    state = model.programmes
    match event.type:
        case "agreement_signed":
            for g in groups:
                g.sign(model.month)
        case "registration":
            submit_lists(model, groups)
            state.registration_months.append(model.month)
        case "clash":
            for g in groups:
                start_fight(model, g, region, event.severity)
        case "attack":
            target = event.target or "moc"
            regions = [region] if region is not None else range(model.n_regions)
            for r in regions:
                attack(model, r, target, event.severity, event.killed)
        case "coup":
            gov = model.government
            gov.regime = event.regime or "transition"
            gov.political_will *= 1.0 - event.severity
            gov.military_approach = min(1.0, gov.military_approach + event.severity)
            for g in model.active_groups():
                g.shift_trust(-b.trust_loss_coup * event.severity)
        case "sanctions":
            raise_pressure(model, 0.5 * event.severity)
            if event.one_sided:
                for g in groups:
                    g.shift_trust(-b.trust_loss_sanctions_one_sided * event.severity)
        case "boycott":
            for g in groups:
                g.boycott_until = max(g.boycott_until, model.month + round(12 * event.severity))
        case "pressure_campaign":
            raise_pressure(model, event.severity)
        case "quota_offer":
            state.quota = max(state.quota, int(event.quota or 0))
            state.general_integration_open = True
            state.announce("INTEGRATE")
        case "mission_exit":
            model.mission.leave(model.month)
        case "offensive":
            targets = groups
            for g in targets:
                offensive(model, g, region if region is not None else g.stronghold, event.severity)
        case "agreement_termination":
            state.agreement_in_force = False
            for g in model.active_groups():
                if g.signatory:
                    g.war_news = g.war_news or not g.fighting
                    g.fight_severity = 1.0  # the end of the agreement: war
                    g.fighting_until = max(g.fighting_until, model.calendar_end)
    model.flows.note_event(event)
