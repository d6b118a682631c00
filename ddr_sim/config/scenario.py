"""The scenario schema: every parameter of the model, typed, defaulted and range-checked.

One declaration serves the loader (``ddr_sim.config.loading``), the model, the command line and
the JSON Schema export. Money is in thousands of FCFA per month (kFCFA) unless a field
says USD. Shares and probabilities are in [0, 1]. Dates are ``YYYY-MM`` strings.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from ddr_sim.config.behaviour import Behaviour
from ddr_sim.config.fields import (
    MAX_GROUPS,
    MAX_REGIONS,
    AttackRate,
    BudgetUSD,
    Count,
    Duration,
    ExchangeRate,
    LumpSum,
    Money,
    Month,
    Months,
    MonthsOrZero,
    People,
    Positive,
    Rate,
    Share,
    Sites,
    SiteUSD,
    Strict,
    UnitUSD,
)
from ddr_sim.config.scenario_checks import consistency_problems

__all__ = ["Count", "Month", "Positive", "Scenario", "ScenarioConsistencyError", "Share", "Strict"]


class Calendar(Strict):
    start: Month = Field(description="First simulated month (YYYY-MM).")
    months: Months = Field(description="Number of monthly steps.")


class Region(Strict):
    name: str
    youth_pool: People = Field(
        0, description="Young people at risk who could join a group here (recruitment pool)."
    )
    gold_sites: Share = Field(
        0.0, description="Artisanal gold capacity: share of the region's members who could mine."
    )
    controller: str = Field(
        "government",
        description="Who holds the ground and taxes the gold sites: a group name or 'government'.",
    )
    attack_rate: AttackRate = Field(
        0.0, description="Extremist attacks per month in this region (exogenous hazard)."
    )
    towns: str = Field(
        "government",
        description="Who holds the towns, where army units and integrated battalions are "
        "based: 'government' or a group name.",
    )


class Group(Strict):
    name: str
    coalition: str = Field(description="Coalition label, e.g. CMA, Platform, militia.")
    signatory: bool = Field(True, description="Signed the peace agreement (covered by it).")
    signs: Month | None = Field(
        None, description="Month the group signs the agreement (signatories only)."
    )
    armed: People = Field(description="Armed fighters at the start.")
    unarmed: People = Field(0, description="Unarmed affiliates at the start.")
    regions: dict[str, Share] = Field(
        description="Share of members by region (sums to 1).", max_length=MAX_REGIONS
    )
    political_demand: Share = Field(
        0.5, description="Political progress the group requires before consenting to DDR steps."
    )
    initial_trust: Share = Field(0.4, description="Initial trust between government and group.")
    cohesion: Share = Field(0.8, description="Internal cohesion; low cohesion makes splits likely.")
    recruitment_share: Share = Field(
        0.5, description="Share of the youth pool in its regions this group recruits from."
    )


class Economy(Strict):
    army_pay: Money = Field(75.0, description="Army salary, kFCFA/month.")
    moc_pay: Money = Field(75.0, description="MOC salary, kFCFA/month.")
    group_pay: Money = Field(40.0, description="What a group pays or provides a fighter.")
    civil_service_pay: Money = Field(60.0, description="Civil-service pay, kFCFA/month.")
    committee_allowance: Money = Field(
        150.0, description="Allowance for group members on follow-up bodies, kFCFA/month."
    )
    gold_income: Money = Field(
        130.0, description="Gross artisanal gold income per miner after the rush, kFCFA/month."
    )
    gold_income_before_rush: Money = Field(
        15.0, description="Gross mining income before the gold rush."
    )
    gold_rush_start: Month | None = Field(None, description="Month the gold rush begins.")
    gold_tax: Share = Field(0.3, description="Share of miners' income taken by the site holder.")
    trafficking_income: Money = Field(
        10.0, description="Per-member monthly income groups draw from extortion/trafficking."
    )
    usd_per_kfcfa: ExchangeRate = Field(
        1.6667,
        description="US dollars per thousand FCFA, to count FCFA amounts in programme costs "
        "(1 USD is about 600 FCFA).",
    )


class PreCantonment(Strict):
    opens: Month | None = Field(None, description="Month informal assembly areas open.")
    regions: list[str] = Field(default_factory=list)
    capacity: People = Field(0, description="Places with support (food, water).")
    support_value: Money = Field(15.0, description="Value of the support, kFCFA/month.")


class Cantonment(Strict):
    sites_proposed: Sites = 0
    sites_approved: Sites = 0
    capacity_per_site: People = 600
    build_months: Months = Field(12, description="Months to build one site.")
    cost_per_site_usd: SiteUSD = 1_000_000.0
    regions: list[str] = Field(default_factory=list)
    approval: Month | None = Field(None, description="Month site construction may begin.")
    max_stay_months: Duration = Field(1.5, description="Cap on a stay (45 days = 1.5 months).")
    support_value: Money = Field(25.0, description="Value of food and allowance on site.")

    @model_validator(mode="after")
    def _approved_le_proposed(self) -> Cantonment:
        if self.sites_approved > self.sites_proposed:
            raise ValueError(
                f"sites_approved ({self.sites_approved}) cannot exceed "
                f"sites_proposed ({self.sites_proposed})"
            )
        return self


class MOC(Strict):
    opens: Month | None = Field(None, description="Month MOC lists are handed over.")
    sites: list[str] = Field(default_factory=list, description="Regions with a MOC unit.")
    places_per_group: People = Field(200, description="Places per coalition per site.")
    staffing_rate: Share = Field(
        1.0,
        description="Share of a group's vacant MOC places it fills each month (1: at once).",
    )
    restaffing_rate: Share | None = Field(
        None,
        description="The same once accelerated DDR has launched and registrants leave their "
        "places (None: staffing_rate).",
    )
    unit_cost_usd_per_month: UnitUSD = Field(
        100.0,
        description="Support per MOC member and month (camps, vehicles, food), USD, on top of "
        "the MOC salary.",
    )


class AcceleratedDDR(Strict):
    earliest: Month | None = Field(None, description="Earliest month it can launch.")
    pressure_threshold: Share = Field(
        0.5, description="International pressure needed to launch it."
    )
    monthly_capacity: People = Field(1500, description="People registered per month at most.")
    training_months: Months = 4
    unit_cost_usd: UnitUSD = Field(
        1000.0,
        description="Cost per person registered (screening, biometrics, transport), USD; "
        "accelerated DDR and general integration alike.",
    )


class Unit(Strict):
    """A unit of the army that receives integrated people (a BATFAR battalion or company)."""

    region: str = Field(description="Region where the unit is based.")
    opens: Month | None = Field(None, description="Month the unit first receives people.")
    share: Positive = Field(
        1.0, description="Relative size: new integrants are posted to open units in proportion."
    )


class Integration(Strict):
    quota: People | None = Field(
        None, description="Places for integration across all groups (None: no cap)."
    )
    quota_mode: Literal["upfront", "negotiated"] = "negotiated"
    destination: Literal["national_army", "territorial"] = "national_army"
    general_opens: Month | None = Field(
        None, description="Earliest month integration opens beyond MOC members."
    )
    monthly_capacity: People = 1000
    unit_cost_usd: UnitUSD = 2000.0
    parity_margin: People | None = Field(
        None,
        description="Rule of thirds at intake: a signatory coalition registers only while it "
        "is at most this many people ahead of every other (None: no parity rule).",
    )
    units: list[Unit] = Field(
        default_factory=list,
        max_length=100,
        description="Army units that receive the integrated (national army); none: posted to "
        "any region.",
    )


class Reinsertion(Strict):
    opens: Month | None = None
    package_value: LumpSum = Field(119.7, description="Kit value per person, kFCFA (one-off).")
    credibility: Share = Field(0.3, description="Belief the package will be delivered.")
    promoted: bool = False
    monthly_capacity: People = 1500
    unit_cost_usd: UnitUSD = 200.0


class CVR(Strict):
    starts: Month | None = None
    budget_usd_per_year: BudgetUSD = 3_000_000.0
    project_cap_usd: SiteUSD = 100_000.0
    targeting: Literal["groups_present", "uniform"] = "groups_present"


class MilitiaProgramme(Strict):
    opens: Month | None = Field(None, description="Month the parallel programme opens.")
    offer: Literal["reinsertion", "integration"] = "reinsertion"
    monthly_allowance: Money = Field(30.0, description="Promised allowance, kFCFA/month.")
    credibility: Share = 0.2
    monthly_capacity: People = 500
    included_in_agreement: bool = Field(
        False, description="Militias covered by the main process from the start."
    )


class Programmes(Strict):
    pre_cantonment: PreCantonment = Field(default_factory=PreCantonment)
    cantonment: Cantonment = Field(default_factory=Cantonment)
    moc: MOC = Field(default_factory=MOC)
    accelerated_ddr: AcceleratedDDR = Field(default_factory=AcceleratedDDR)
    integration: Integration = Field(default_factory=Integration)
    reinsertion: Reinsertion = Field(default_factory=Reinsertion)
    cvr: CVR = Field(default_factory=CVR)
    militia_programme: MilitiaProgramme = Field(default_factory=MilitiaProgramme)
    committee_seats: People = Field(30, description="Group members paid on follow-up bodies.")
    interim_expiry_months: Months | None = Field(
        None,
        description="Pre-cantonment and MOC close this many months after they begin (None: never).",
    )


class Politics(Strict):
    initial_progress: Share = 0.05
    progress_rate: Rate = Field(0.01, description="Monthly progress at full political will.")
    regime: Literal["elected", "transition"] = "elected"
    political_will: Share = 0.5
    pay_reliability: Share = Field(0.7, description="Probability salaries are paid on time.")
    screening_strictness: Share = Field(
        0.5, description="Probability that screening finds a medically unfit registrant unfit."
    )
    chain_of_command_flexibility: Share = Field(
        0.3, description="Government readiness to settle ranks and command (1 = settles at once)."
    )
    military_approach: Share = Field(0.2, description="Preference for offensives over negotiation.")
    ddr_calendar_months: MonthsOrZero = Field(
        6, description="Months after signing by which the agreement promised DDR."
    )


class Mission(Strict):
    deploys: Month | None = None
    mandate_end: Month | None = None
    exit_months: MonthsOrZero = Field(6, description="Months from mandate end to full exit.")
    mediation_effort: Share = 0.5
    moc_support: bool = True
    site_budget_usd: BudgetUSD = Field(10_000_000.0, description="Budget for building sites.")


EventType = Literal[
    "agreement_signed",
    "registration",
    "clash",
    "attack",
    "coup",
    "sanctions",
    "boycott",
    "pressure_campaign",
    "quota_offer",
    "mission_exit",
    "offensive",
    "agreement_termination",
]


EventName = Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_-]*$", examples=["exit_2023"])]


class Event(Strict):
    name: EventName | None = Field(
        None,
        description="Name of the event, unique in the scenario; lets an override address it "
        "(events.NAME.enabled=false).",
    )
    enabled: bool = Field(True, description="False: the event does not happen.")
    date: Month
    type: EventType
    note: str = ""
    groups: list[str] = Field(
        default_factory=list, description="Groups concerned (empty: all signatories)."
    )
    region: str | None = None
    target: Literal["moc", "sites", "mission", "army"] | None = None
    severity: Share = Field(0.5, description="Strength of the event in [0, 1].")
    killed: People = Field(0, description="People killed (attacks), when known.")
    one_sided: bool = Field(False, description="Sanctions that hit the groups only.")
    quota: People | None = Field(None, description="Quota offered (quota_offer).")
    regime: Literal["elected", "transition"] | None = None


class Scenario(Strict):
    """A complete scenario: calendar, actors, economy, programmes, politics and events."""

    name: str
    description: str = ""
    calendar: Calendar
    regions: list[Region] = Field(
        max_length=MAX_REGIONS,
        description="At most 100 regions (region indices are stored as int8).",
    )
    groups: list[Group] = Field(
        max_length=MAX_GROUPS,
        description="At most 150 groups (eastern DR Congo, with about 120, has the most on record; "
        "a group and its splinters are stored as int16).",
    )
    economy: Economy = Field(default_factory=Economy)
    programmes: Programmes = Field(default_factory=Programmes)
    politics: Politics = Field(default_factory=Politics)
    mission: Mission = Field(default_factory=Mission)
    behaviour: Behaviour = Field(default_factory=Behaviour)
    events: list[Event] = Field(default_factory=list)

    @field_validator("regions")
    @classmethod
    def _unique_regions(cls, regions: list[Region]) -> list[Region]:
        names = [r.name for r in regions]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"region names must be unique; repeated: {sorted(dup)}")
        if not regions:
            raise ValueError("at least one region is required")
        return regions

    @field_validator("groups")
    @classmethod
    def _unique_groups(cls, groups: list[Group]) -> list[Group]:
        names = [g.name for g in groups]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"group names must be unique; repeated: {sorted(dup)}")
        if not groups:
            raise ValueError("at least one group is required")
        return groups

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        """Cross-field checks (:mod:`ddr_sim.config.scenario_checks`); each names its path."""
        problems = consistency_problems(self)
        if problems:
            raise ScenarioConsistencyError(problems)
        return self

    def group_names(self) -> list[str]:
        return [g.name for g in self.groups]

    def region_names(self) -> list[str]:
        return [r.name for r in self.regions]


class ScenarioConsistencyError(ValueError):
    """Cross-field problems, each as ``(field path, message)``."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))
