"""Programme state: what is open this month, and the MOC units that groups staff.

Opening dates in the scenario are inputs (an informal assembly area opens, MOC lists are
due, a reinsertion round is announced); whether anyone enters is decided by the groups'
consent and the people's choices. Interim measures (pre-cantonment and MOC) close for
good when ``programmes.interim_expiry_months`` has passed since each began.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.mechanisms.interim_hardening import (
    count_interim_month,
    interim_expired,
    moc_open,
)
from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Programmes, Scenario
    from ddr_sim.core.population import Population
    from ddr_sim.core.state import FlowLog, GroupView, ProgrammeState


class MocParts(Protocol):
    """What staffing the MOC units reads and changes."""

    spec: Scenario
    month: int
    region_index: dict[str, int]
    start_counts: np.ndarray
    population: Population
    programmes: ProgrammeState
    rng_population: np.random.Generator
    flows: FlowLog

    def active_groups(self) -> Sequence[GroupView]: ...

    def group_array(self, name: str) -> np.ndarray: ...


def _reached(month: int, start: str, date: str | None) -> bool:
    return date is not None and month >= month_index(date, start)


def open_programmes(
    state: ProgrammeState, programmes: Programmes, pop: Population, month: int, start: str
) -> None:
    """Open what the calendar (``programmes``' dates, ``start`` its first month) opens in
    ``month``; close interim measures at expiry, their members back to their groups."""
    pr = programmes
    expiry = pr.interim_expiry_months
    state.registered_this_month = 0
    if not state.agreement_in_force:
        state.pre_cantonment_open = False
        state.general_integration_open = False
        return
    if state.pre_cantonment_started is None and _reached(month, start, pr.pre_cantonment.opens):
        state.pre_cantonment_started = month
    state.pre_cantonment_open = state.pre_cantonment_started is not None and not interim_expired(
        state, "pre_cantonment", month, expiry
    )
    if state.moc_started is None and _reached(month, start, pr.moc.opens) and pr.moc.sites:
        state.moc_started = month
    if _reached(month, start, pr.integration.general_opens) and not state.general_integration_open:
        state.general_integration_open = True
        state.announce("INTEGRATE")
    if state.general_integration_open:
        state.mark_ddr_started(month)
    if pr.reinsertion.opens is not None and month == month_index(pr.reinsertion.opens, start):
        state.announce("REINSERT")
    for measure, status in (("pre_cantonment", Status.PRE_CANTONED), ("moc", Status.MOC)):
        if interim_expired(state, measure, month, expiry):
            release_interim(pop, status, month)
    count_interim_month(state, state.pre_cantonment_open or moc_open(state, month, expiry))


def release_interim(pop: Population, status: Status, month: int) -> None:
    """An interim measure has expired: its members (``status``) go back to their groups."""
    rows = np.flatnonzero(pop.status[: pop.size] == status)
    if len(rows):
        pop.move(rows, Status.ACTIVE, month, where=pop.home[rows])


def staff_moc(parts: MocParts) -> None:
    """Consenting groups fill their MOC places with free armed fighters.

    Each coalition has ``places_per_group`` places per MOC site, shared among its
    consenting groups by their size; a group fills the share of its places that its
    commanders consent to (its MOC consent share). Of the gap between those places and its
    members already in MOC it sends, each month, each vacant place's worth with probability
    ``staffing_rate`` (lists are agreed and people travel: units ran below strength;
    ``restaffing_rate`` once accelerated DDR has launched),
    chosen at random among its active, armed adult fighters that it does not hold back.
    """
    if not moc_open(parts.programmes, parts.month, parts.spec.programmes.interim_expiry_months):
        return
    pr = parts.spec.programmes.moc
    counts = parts.start_counts
    in_moc = counts[:, :, Status.MOC].sum(axis=1)
    size = counts.sum(axis=(1, 2)) - counts[:, :, Status.KILLED].sum(axis=1)
    groups = [g for g in parts.active_groups() if g.signatory and g.consent.get("moc", 0.0) > 0]
    coalitions: dict[str, list] = {}
    for g in groups:
        coalitions.setdefault(g.coalition, []).append(g)
    sites = np.array([parts.region_index[s] for s in pr.sites])
    gaps: dict[int, int] = {}
    for members in coalitions.values():
        strength = np.array([size[g.index] for g in members], float)
        if strength.sum() <= 0:
            continue
        places = pr.places_per_group * len(sites) * strength / strength.sum()
        for g, target in zip(members, places, strict=True):
            gap = int(target * g.consent["moc"]) - int(in_moc[g.index])
            if gap > 0:
                gaps[g.index] = gap
    if not gaps:
        return
    pop = parts.population
    n = pop.size
    everyone = slice(0, n)  # every row in use, without gathering copies
    free = np.flatnonzero(
        (pop.status[:n] == Status.ACTIVE)
        & pop.armed[:n]
        & ~pop.child[:n]
        & ~held_back(pop, everyone, parts.group_array("hedge"))
    )
    free_group = pop.group[free]
    rng = parts.rng_population
    rate = pr.staffing_rate
    if parts.programmes.accelerated_launched is not None and pr.restaffing_rate is not None:
        rate = pr.restaffing_rate
    if rate < 1.0:
        gaps = {i: int(rng.binomial(gap, rate)) for i, gap in gaps.items()}
    sent, posted = [], []
    for index, gap in gaps.items():
        candidates = free[free_group == index]
        if len(candidates) == 0:
            continue
        chosen = rng.choice(candidates, min(gap, len(candidates)), replace=False)
        sent.append(chosen)
        posted.append(sites[rng.integers(0, len(sites), len(chosen))])
    if not sent:
        return
    # the groups' candidates are disjoint, so they can all be moved at once
    chosen, posts = np.concatenate(sent), np.concatenate(posted)
    pop.move(chosen, Status.MOC, parts.month, where=posts)
    pop.mark_listed(chosen)
    parts.flows.add("moc_assigned", chosen)
