"""Programme state: what is open this month, and the MOC units that groups staff.

Opening dates in the scenario are inputs (an informal assembly area opens, MOC lists are
due, a reinsertion round is announced); whether anyone enters is decided by the groups'
consent and the people's choices. Interim measures (pre-cantonment and MOC) close for
good when ``programmes.interim_expiry_months`` has passed since each began.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.mechanisms.interim_hardening import count_interim_month, interim_expired
from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel


@dataclass
class ProgrammeState:
    """Month-to-month state of the programmes (all months are model month indices)."""

    quota: int
    agreement_in_force: bool = True
    pre_cantonment_open: bool = False
    moc_started: int | None = None
    pre_cantonment_started: int | None = None
    interim_months: int = 0  # months an interim measure ran before DDR (mechanism 3)
    ddr_started: int | None = None
    accelerated_launched: int | None = None
    general_integration_open: bool = False
    ranks_settled: bool = False
    integrated_total: int = 0
    registered_this_month: int = 0
    #: people registered for integration so far, by coalition name (the parity rule)
    registered_by_coalition: dict[str, int] = field(default_factory=dict)
    #: options ("INTEGRATE", "REINSERT") that opened this month: all it is open to reconsider
    announced: set[str] = field(default_factory=set)
    registration_months: list[int] = field(default_factory=list)

    def started_month(self, measure: str) -> int | None:
        """First month the interim ``measure`` ("pre_cantonment" or "moc") was open."""
        return self.pre_cantonment_started if measure == "pre_cantonment" else self.moc_started

    def announce(self, option: str) -> None:
        self.announced.add(option)

    def take_announcements(self) -> set[str]:
        announced, self.announced = self.announced, set()
        return announced

    def mark_ddr_started(self, month: int) -> None:
        if self.ddr_started is None:
            self.ddr_started = month


def _reached(model: DDRModel, date: str | None) -> bool:
    return date is not None and model.month >= month_index(date, model.spec.calendar.start)


def open_programmes(model: DDRModel) -> None:
    """Open what the calendar opens this month; close interim measures at expiry."""
    pr = model.spec.programmes
    state = model.programmes
    state.registered_this_month = 0
    if not state.agreement_in_force:
        state.pre_cantonment_open = False
        state.general_integration_open = False
        return
    if state.pre_cantonment_started is None and _reached(model, pr.pre_cantonment.opens):
        state.pre_cantonment_started = model.month
    state.pre_cantonment_open = state.pre_cantonment_started is not None and not interim_expired(
        model, "pre_cantonment"
    )
    if state.moc_started is None and _reached(model, pr.moc.opens) and pr.moc.sites:
        state.moc_started = model.month
    if _reached(model, pr.integration.general_opens) and not state.general_integration_open:
        state.general_integration_open = True
        state.announce("INTEGRATE")
    if state.general_integration_open:
        state.mark_ddr_started(model.month)
    if pr.reinsertion.opens is not None and model.month == month_index(
        pr.reinsertion.opens, model.spec.calendar.start
    ):
        state.announce("REINSERT")
    for measure, status in (("pre_cantonment", Status.PRE_CANTONED), ("moc", Status.MOC)):
        if interim_expired(model, measure):
            release_interim(model, status)
    count_interim_month(model, state.pre_cantonment_open or moc_open(model))


def release_interim(model: DDRModel, status: Status) -> None:
    """An interim measure has expired: its members (``status``) go back to their groups."""
    pop = model.population
    rows = np.flatnonzero(pop.status[: pop.size] == status)
    if len(rows):
        pop.move(rows, Status.ACTIVE, model.month, where=pop.home[rows])


def moc_open(model: DDRModel) -> bool:
    state = model.programmes
    return (
        state.moc_started is not None
        and state.agreement_in_force
        and not interim_expired(model, "moc")
    )


def staff_moc(model: DDRModel) -> None:
    """Consenting groups fill their MOC places with free armed fighters.

    Each coalition has ``places_per_group`` places per MOC site, shared among its
    consenting groups by their size; a group fills the share of its places that its
    commanders consent to (its MOC consent share). Of the gap between those places and its
    members already in MOC it sends, each month, each vacant place's worth with probability
    ``staffing_rate`` (lists are agreed and people travel: units ran below strength;
    ``restaffing_rate`` once accelerated DDR has launched),
    chosen at random among its active, armed adult fighters that it does not hold back.
    """
    if not moc_open(model):
        return
    pr = model.spec.programmes.moc
    counts = model.start_counts
    in_moc = counts[:, :, Status.MOC].sum(axis=1)
    size = counts.sum(axis=(1, 2)) - counts[:, :, Status.KILLED].sum(axis=1)
    groups = [g for g in model.active_groups() if g.signatory and g.consent.get("moc", 0.0) > 0]
    coalitions: dict[str, list] = {}
    for g in groups:
        coalitions.setdefault(g.coalition, []).append(g)
    sites = np.array([model.region_index[s] for s in pr.sites])
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
    pop = model.population
    n = pop.size
    everyone = slice(0, n)  # every row in use, without gathering copies
    free = np.flatnonzero(
        (pop.status[:n] == Status.ACTIVE)
        & pop.armed[:n]
        & ~pop.child[:n]
        & ~held_back(model, everyone)
    )
    free_group = pop.group[free]
    rng = model.rng_population
    rate = pr.staffing_rate
    if model.programmes.accelerated_launched is not None and pr.restaffing_rate is not None:
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
    pop.move(chosen, Status.MOC, model.month, where=posts)
    pop.mark_listed(chosen)
    model.flows.add("moc_assigned", chosen)
