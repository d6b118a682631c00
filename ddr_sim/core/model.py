"""The DDR model: creation of the agents, the monthly schedule and the records."""

from __future__ import annotations

import mesa
import numpy as np

from ddr_sim.config.calendar import month_index, month_label
from ddr_sim.config.scenario import Scenario
from ddr_sim.core.agents import ArmedGroup, Government, Mission
from ddr_sim.core.choice import choose
from ddr_sim.core.combatant import Combatant
from ddr_sim.core.costs import add_running_costs, new_costs, total_usd
from ddr_sim.core.mechanisms.cantonment import Sites, build_sites, end_of_stay
from ddr_sim.core.mechanisms.cvr import allocate_cvr
from ddr_sim.core.mechanisms.interim_hardening import hardening, moc_open
from ddr_sim.core.mechanisms.list_inflation import recruit
from ddr_sim.core.mechanisms.outside_options import gold_gross, group_income_per_member, rent_ratio
from ddr_sim.core.mechanisms.politics_gate import PROGRAMMES
from ddr_sim.core.mechanisms.pressure import (
    complete_training,
    decay_pressure,
    redeploy_to_new_units,
    registration_capacity,
    screen,
    settle_ranks,
    try_launch_accelerated_ddr,
)
from ddr_sim.core.mechanisms.reinsertion import militia_programme_open, reinsertion_open
from ddr_sim.core.mechanisms.reversal import reconsider_integration
from ddr_sim.core.mechanisms.shocks import (
    apply_event,
    clash_hazard,
    complete_captures,
    extremist_hazard,
)
from ddr_sim.core.mechanisms.trust import update_person_trust
from ddr_sim.core.population import Population
from ddr_sim.core.programmes import open_programmes, staff_moc
from ddr_sim.core.records import Flows, History
from ddr_sim.core.state import ProgrammeState
from ddr_sim.core.statuses import WITH_GROUP, Status

SPLIT_SHARE = 0.3
STATE_PAID = np.array([Status.MOC, Status.TRAINING, Status.INTEGRATED], np.int8)


class DDRModel(mesa.Model):
    """A DDR process, month by month, as decided by groups, government, mission and people.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario (see ``ddr_sim.config.loading.load_scenario``).
    seed : int
        The run is a pure function of ``(scenario, seed)``: every random draw comes from
        ``numpy.random.SeedSequence(seed)``'s children, one stream per concern.
    """

    def __init__(self, scenario: Scenario, seed: int = 0):
        streams = np.random.SeedSequence(seed).spawn(4)
        super().__init__(rng=np.random.default_rng(streams[3]))
        #: The validated scenario (``model.scenario`` is Mesa's own experiment scenario).
        self.spec = scenario
        self.seed = seed
        self.rng_population = np.random.default_rng(streams[0])
        self.rng_choice = np.random.default_rng(streams[1])
        self.rng_events = np.random.default_rng(streams[2])
        self.month = 0
        self.months = scenario.calendar.months
        self.calendar_end = self.months

        self.region_names = scenario.region_names()
        self.region_index = {name: i for i, name in enumerate(self.region_names)}
        self.n_regions = len(self.region_names)
        self.gold_sites = np.array([r.gold_sites for r in scenario.regions])
        self.attack_rate = np.array([r.attack_rate for r in scenario.regions])
        self.youth_pool = np.array([r.youth_pool for r in scenario.regions], np.int64)
        group_index = {g.name: i for i, g in enumerate(scenario.groups)}
        self.region_controller = np.array(
            [
                -1 if r.controller == "government" else group_index[r.controller]
                for r in scenario.regions
            ],
            np.int64,
        )
        #: Who holds the towns of each region (a group index, -1 for the government).
        self.towns_holder = np.array(
            [-1 if r.towns == "government" else group_index[r.towns] for r in scenario.regions],
            np.int64,
        )
        #: Regions the army is taking: region -> month it holds them (``shocks.offensive``).
        self.captures: dict[int, int] = {}
        #: Outside income each group controls, per member, relative to army pay (this month).
        self.rent_ratio = np.zeros(2 * len(scenario.groups))
        self.programme_column = {p: i for i, p in enumerate(PROGRAMMES)}
        self.cvr_intensity = np.zeros(self.n_regions)
        self.danger = {"moc": 0.0, "cantonment": 0.0}
        #: Cumulative programme costs; every ``*_usd`` key adds to :meth:`cost_total_usd`.
        self.costs = new_costs()
        self.programmes = ProgrammeState(quota=_quota(scenario))
        self.events_by_month: dict[int, list] = {}
        for event in scenario.events:
            self.events_by_month.setdefault(
                month_index(event.date, scenario.calendar.start), []
            ).append(event)

        capacity = sum(g.armed + g.unarmed for g in scenario.groups) + int(self.youth_pool.sum())
        self.n_group_slots = 2 * len(scenario.groups)
        self.population = Population(capacity, self.n_group_slots, self.n_regions)
        self.mission = Mission(self)
        self.government = Government(self)
        self.groups: list[ArmedGroup] = [
            ArmedGroup(self, i, spec) for i, spec in enumerate(scenario.groups)
        ]
        self.group_by_name = {g.name: g for g in self.groups}
        self.sites = Sites(scenario.programmes.cantonment, self.region_index)
        self.flows = Flows(self, self.months)
        self.history = History(self, self.months)
        self._populate()
        self.start_counts = self.population.counts.copy()
        self.running = True

    # -- creation ------------------------------------------------------------------
    def _populate(self) -> None:
        rng = self.rng_population
        for group, spec in zip(self.groups, self.spec.groups, strict=True):
            regions = np.array(list(group.region_weights))
            shares = np.array([group.region_weights[r] for r in regions])
            shares = shares / shares.sum()
            for armed, count in ((True, spec.armed), (False, spec.unarmed)):
                if count == 0:
                    continue
                homes = regions[rng.choice(len(regions), count, p=shares)]
                self.add_people(
                    group=np.full(count, group.index, np.int16),
                    home=homes.astype(np.int8),
                    armed=np.full(count, armed),
                    child=np.zeros(count, bool),
                )

    def add_people(
        self, *, group: np.ndarray, home: np.ndarray, armed: np.ndarray, child: np.ndarray
    ) -> np.ndarray:
        """Add people to the arrays and create their ``Combatant`` agents."""
        trust = self.group_array("trust")[group]
        rows = self.population.add(
            self.rng_population,
            group=group,
            home=home,
            armed=armed,
            child=child,
            trust=trust,
            month=self.month,
            fitness_base=self.spec.behaviour.fitness_base,
        )
        Combatant.create_rows(self, rows.tolist())
        return rows

    def members_by_region(self) -> np.ndarray:
        """Living people by region at the start of the month."""
        counts = self.start_counts.sum(axis=0)
        return counts.sum(axis=1) - counts[:, Status.KILLED]

    def in_status_by_region(self, status: Status) -> np.ndarray:
        """People in ``status`` by region at the start of the month."""
        return self.start_counts[:, :, status].sum(axis=0)

    def split_group(self, group: ArmedGroup) -> ArmedGroup | None:
        """A faction leaves ``group`` with a random ``SPLIT_SHARE`` of the people still
        living with it (``statuses.WITH_GROUP``); those in MOC, training, the army or
        civilian life stay on the books of the original group."""
        if len(self.groups) >= self.n_group_slots:
            return None
        index = len(self.groups)
        splinter = ArmedGroup(self, index, group.spec, name=f"{group.name}-split{index}")
        splinter.parent = group.index
        splinter.trust = group.trust
        splinter.hedge = group.hedge
        splinter.signed_month = group.signed_month
        splinter.planned_signing = group.planned_signing
        splinter.cohesion = min(1.0, group.cohesion + 0.2)
        self.groups.append(splinter)
        self.group_by_name[splinter.name] = splinter
        pop = self.population
        n = pop.size
        members = np.flatnonzero(
            (pop.group[:n] == group.index) & np.isin(pop.status[:n], WITH_GROUP)
        )
        leaving = members[self.rng_events.random(len(members)) < SPLIT_SHARE]
        pop.regroup(leaving, index)
        self.flows.note("split", f"{splinter.name} splits from {group.name}")
        return splinter

    # -- views used by the submodels ----------------------------------------------
    def active_groups(self) -> list[ArmedGroup]:
        return self.groups

    def group_array(self, name: str) -> np.ndarray:
        """A per-group-slot array of a group attribute (unused slots are 0)."""
        values = np.zeros(self.n_group_slots)
        for g in self.groups:
            match name:
                case "consent_cantonment":
                    v = g.consent.get("cantonment", 0.0)
                case "exists":
                    v = True
                case "consent_ddr":
                    v = max(
                        g.consent.get("accelerated_ddr", 0.0), g.consent.get("integration", 0.0)
                    )
                case _:
                    v = getattr(g, name)
            values[g.index] = float(v)
        return values

    def consent_matrix(self) -> np.ndarray:
        """Matrix [group slot, programme] of this month's consent shares (float32)."""
        matrix = np.zeros((self.n_group_slots, len(PROGRAMMES)), np.float32)
        for g in self.groups:
            for p, j in self.programme_column.items():
                matrix[g.index, j] = g.consent.get(p, 0.0)
        return matrix

    def coalition_array(self) -> np.ndarray:
        """Per group slot: an index of its coalition (-1 for unused slots)."""
        names = sorted({g.coalition for g in self.groups})
        out = np.full(self.n_group_slots, -1, np.int64)
        for g in self.groups:
            out[g.index] = names.index(g.coalition)
        return out

    def exposed_to_state_pay(self, group: int) -> bool:
        """Does the group have members on a state salary (MOC, training, army)?"""
        return bool(self.start_counts[group][:, STATE_PAID].sum() > 0)

    def reinsertion_capacity(self) -> int:
        cap = self.spec.programmes.reinsertion.monthly_capacity
        if self.militia_programme_open():
            cap += self.spec.programmes.militia_programme.monthly_capacity
        return cap

    def registration_capacity(self) -> int:
        """People accelerated DDR and general integration can register this month."""
        return registration_capacity(
            self.programmes,
            self.spec.programmes,
            moc_support=self.spec.mission.moc_support,
            presence=self.mission.presence,
        )

    def group_income(self) -> np.ndarray:
        """What staying with each group is worth per member this month (kFCFA)."""
        eco = self.spec.economy
        gross = gold_gross(eco, self.month, self.spec.calendar.start)
        return group_income_per_member(eco, gross, self.start_counts, self.region_controller)

    def hardening(self) -> float:
        """How far interim measures have become an end in themselves (mechanism 3)."""
        return hardening(self.programmes.interim_months, self.spec.behaviour.hardening_months)

    def moc_open(self) -> bool:
        """Is MOC running this month (mechanism 3)?"""
        return moc_open(self.programmes, self.month, self.spec.programmes.interim_expiry_months)

    def reinsertion_open(self) -> bool:
        """Is the main reinsertion programme open this month (mechanism 8)?"""
        return reinsertion_open(
            self.spec.programmes.reinsertion,
            self.programmes.agreement_in_force,
            self.month,
            self.spec.calendar.start,
        )

    def militia_programme_open(self) -> bool:
        """Is the parallel militia programme open this month (mechanism 8)?"""
        return militia_programme_open(
            self.spec.programmes.militia_programme, self.month, self.spec.calendar.start
        )

    def label(self, month: int | None = None) -> str:
        return month_label(self.month if month is None else month, self.spec.calendar.start)

    # -- the schedule --------------------------------------------------------------
    def step(self) -> None:
        """One month: events, programmes, government, mission, groups, people, hazards."""
        self.start_counts = self.population.counts.copy()
        sc = self.spec
        self.mission.step()
        decay_pressure(self.mission, sc.behaviour.pressure_decay)
        for event in self.events_by_month.get(self.month, ()):
            apply_event(self, event)
        open_programmes(
            self.programmes, sc.programmes, self.population, self.month, sc.calendar.start
        )
        self.rent_ratio = rent_ratio(sc.economy, self.group_income())
        complete_captures(self)
        self.government.step()
        self.cvr_intensity, cvr_cost = allocate_cvr(
            sc.programmes.cvr,
            self.month,
            sc.calendar.start,
            self.mission.presence,
            self.members_by_region(),
        )
        self.costs["cvr_usd"] += cvr_cost
        build_sites(
            self.sites,
            sc.programmes.cantonment,
            month=self.month,
            start=sc.calendar.start,
            presence=self.mission.presence,
            site_budget_usd=sc.mission.site_budget_usd,
        )
        self.agents_by_type[ArmedGroup].shuffle_do("step")
        try_launch_accelerated_ddr(self)
        staff_moc(self)
        recruit(self)
        settle_ranks(self)
        redeploy_to_new_units(self)
        complete_training(self)
        update_person_trust(
            self.population, self.group_array("trust"), sc.behaviour, self.government.paid_late
        )
        self.people_decide()
        self.move_on_from_cantonment()
        extremist_hazard(self)
        clash_hazard(self)
        self.count_costs()
        self.history.record()
        self.month += 1
        if self.month >= self.months:
            self.running = False

    def people_decide(self) -> None:
        """The vectorized monthly choice of everyone who reconsiders this month.

        A share ``revision_rate`` reconsiders in an ordinary month; in a month when a new
        option opens (accelerated DDR launches, integration or reinsertion opens) everyone
        it is open to reconsiders too, as the news reaches them.
        """
        pop = self.population
        rate = self.spec.behaviour.revision_rate
        revising = np.flatnonzero(self.rng_choice.random(pop.size, dtype=np.float32) < rate)
        choose(self, revising, announced=self.programmes.take_announcements())
        reconsider_integration(self, revising, self.group_income())

    def move_on_from_cantonment(self) -> None:
        """At the stay cap, people in formal cantonment register for integration (if it is
        open, their group consents and places are left this month) or go back to the group."""
        rows = end_of_stay(
            self.population, self.month, self.spec.programmes.cantonment.max_stay_months
        )
        if len(rows) == 0:
            return
        pop = self.population
        state = self.programmes
        if state.general_integration_open and state.agreement_in_force:
            consents = self.consent_matrix()[:, self.programme_column["integration"]]
            allowed = pop.lenience[rows] < consents[pop.group[rows]]
            eligible = rows[allowed & ~pop.child[rows] & ~pop.declared_unfit[rows]]
            k = min(len(eligible), self.registration_capacity())
            registering = self.rng_choice.permutation(eligible)[:k]
            screen(self, registering)
            rows = np.setdiff1d(rows, registering)
        pop.move(rows, Status.ACTIVE, self.month, where=pop.home[rows])

    def count_costs(self) -> None:
        """Add this month's running costs to ``costs`` (``costs.add_running_costs``)."""
        participating = sum(1 for g in self.groups if g.at_the_table)
        held = self.population.counts.sum(axis=(0, 1))  # people by status, end of month
        add_running_costs(self.costs, self.spec, held, participating, self.sites.spent_usd)

    def cost_total_usd(self) -> float:
        """Programme cost so far, USD: the sum of the ``*_usd`` cost counters."""
        return total_usd(self.costs)

    def run(self) -> DDRModel:
        """Run every month of the calendar; return the model."""
        while self.running:
            self.step()
        return self


def _quota(scenario: Scenario) -> int:
    """Integration places; no cap means everyone who could ever be in a group."""
    quota = scenario.programmes.integration.quota
    if quota is None:
        return sum(g.armed + g.unarmed for g in scenario.groups) + sum(
            r.youth_pool for r in scenario.regions
        )
    return quota
