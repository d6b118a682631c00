"""The mechanisms take a narrow state, not the whole model.

No mechanism module imports the model (not even for type hints), the core imports form no
circle, and each mechanism can be tried on the few values it reads: a group's trust and
rent, political progress and demand, registration counts, with no ``DDRModel`` and no
scenario file. One test builds the teaching model, to check that the protocols name only
attributes the model and its agents have.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import get_protocol_members

import numpy as np
import pytest

from ddr_sim.config.behaviour import Behaviour
from ddr_sim.config.loading import load_scenario
from ddr_sim.config.scenario import CVR, Economy, Programmes
from ddr_sim.core.mechanisms import shocks
from ddr_sim.core.mechanisms.cvr import allocate_cvr
from ddr_sim.core.mechanisms.interim_hardening import (
    count_interim_month,
    hardening,
    interim_expired,
)
from ddr_sim.core.mechanisms.list_inflation import RecruitmentParts
from ddr_sim.core.mechanisms.outside_options import group_income_per_member, rent_ratio
from ddr_sim.core.mechanisms.paid_delay import implementation_pace, participation_score
from ddr_sim.core.mechanisms.politics_gate import (
    PROGRAMMES,
    ConsentClimate,
    consent_score,
    decide_consent,
)
from ddr_sim.core.mechanisms.pressure import (
    IntakeParts,
    parity_room,
    registration_capacity,
    within_parity,
)
from ddr_sim.core.mechanisms.reversal import ReversalParts, facing_war, held_by_coalition
from ddr_sim.core.mechanisms.shocks import ShockParts, escalate, rally_coalition
from ddr_sim.core.mechanisms.trust import (
    calendar_overdue,
    hedge_share,
    held_back,
    update_group_trust,
)
from ddr_sim.core.model import DDRModel
from ddr_sim.core.population import Population
from ddr_sim.core.programmes import MocParts
from ddr_sim.core.state import (
    FlowLog,
    GovernmentView,
    GroupView,
    MissionView,
    ProgrammeState,
)
from ddr_sim.core.statuses import Status

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "ddr_sim" / "core"
#: Modules that are the model's own parts and take the model itself (they may name
#: ``DDRModel`` for type hints); every other core module must not import it at all.
MODEL_PARTS = frozenset(
    {
        "ddr_sim.core.agents",
        "ddr_sim.core.availability",
        "ddr_sim.core.choice",
        "ddr_sim.core.combatant",
        "ddr_sim.core.options",
        "ddr_sim.core.records",
    }
)
MODEL = "ddr_sim.core.model"


# -- the import graph of core -------------------------------------------------------------
def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, *, typing_too: bool) -> set[str]:
    """Modules of ``ddr_sim.core`` that ``source`` imports (``typing_too``: with those
    imported only under ``if TYPE_CHECKING:``)."""
    skipped: set[int] = set()
    tree = ast.parse(source)
    if not typing_too:
        for node in ast.walk(tree):
            if isinstance(node, ast.If) and _is_type_checking(node):
                skipped |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n for n in names if n.startswith("ddr_sim.core")}
    return found


def import_graph(sources: dict[str, str], *, typing_too: bool) -> dict[str, set[str]]:
    """Module -> the modules of ``sources`` it imports."""
    graph = {}
    for module, source in sources.items():
        targets = imports_of(source, typing_too=typing_too)
        graph[module] = {t for t in targets if t in sources and t != module}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        return list(error.args[1])
    return None


def mechanism_imports_of_model(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """Mechanism modules that import the model or the agents (which import the model)."""
    forbidden = {MODEL, "ddr_sim.core.agents", *MODEL_PARTS}
    return {
        m: targets & forbidden
        for m, targets in graph.items()
        if m.startswith("ddr_sim.core.mechanisms") and targets & forbidden
    }


@pytest.fixture(scope="module")
def core_sources() -> dict[str, str]:
    return {
        _module_name(p, CORE): p.read_text(encoding="utf-8") for p in sorted(CORE.rglob("*.py"))
    }


def test_no_mechanism_imports_the_model_even_for_type_hints(core_sources):
    graph = import_graph(core_sources, typing_too=True)
    assert any(m.endswith("mechanisms.shocks") for m in graph)
    assert mechanism_imports_of_model(graph) == {}


def test_core_imports_form_no_circle_at_run_time(core_sources):
    assert find_cycle(import_graph(core_sources, typing_too=False)) is None


def test_only_the_models_own_parts_name_it_and_no_other_circle(core_sources):
    """With type-hint imports counted too, only the model's own parts (which take it)
    import the model, and every circle left goes through it."""
    graph = import_graph(core_sources, typing_too=True)
    naming_model = {m for m, targets in graph.items() if MODEL in targets}
    assert naming_model <= MODEL_PARTS
    without_model = {m: t - {MODEL} for m, t in graph.items() if m != MODEL}
    assert find_cycle(without_model) is None


def test_the_checks_catch_a_mechanism_that_imports_the_model(core_sources):
    sources = dict(core_sources)
    name = "ddr_sim.core.mechanisms.trust"
    sources[name] += (
        "\nfrom typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from ddr_sim.core.model import DDRModel\n"
    )
    typed = import_graph(sources, typing_too=True)
    assert mechanism_imports_of_model(typed) == {name: {MODEL}}
    assert find_cycle(typed) is not None
    assert find_cycle(import_graph(sources, typing_too=False)) is None  # type hints only


def test_the_checks_catch_a_circle_between_mechanisms(core_sources):
    sources = dict(core_sources)
    sources["ddr_sim.core.mechanisms.cvr"] += "\nimport ddr_sim.core.mechanisms.shocks\n"
    cycle = find_cycle(import_graph(sources, typing_too=False))
    assert cycle is not None and "ddr_sim.core.mechanisms.shocks" in cycle


def test_the_model_and_its_agents_have_what_the_protocols_name():
    """The protocols name attributes the model really has (a renamed attribute fails)."""
    model = DDRModel(load_scenario(ROOT / "scenarios" / "teaching.yaml"), seed=0)
    model.step()
    holders = {
        MissionView: model.mission,
        GovernmentView: model.government,
        GroupView: model.groups[0],
        FlowLog: model.flows,
        ShockParts: model,
        IntakeParts: model,
        MocParts: model,
        RecruitmentParts: model,
        ReversalParts: model,
    }
    missing = {
        protocol.__name__: sorted(m for m in get_protocol_members(protocol) if not hasattr(obj, m))
        for protocol, obj in holders.items()
    }
    assert missing == dict.fromkeys(missing, [])
    assert "spec" in get_protocol_members(ShockParts)


# -- mechanisms on a narrow state ---------------------------------------------------------
@dataclass
class Mission:
    presence: float = 1.0
    ever_present: bool = True
    pressure: float = 0.0
    capacity: float = 1.0
    mediation_effort: float = 0.5


@dataclass
class Government:
    progress: float = 0.2
    progress_delta: float = 0.01
    paid_late: bool = False


@dataclass
class Group:
    index: int = 0
    war_news: bool = False
    trust: float = 0.5
    political_demand: float = 0.5
    signatory: bool = True
    signed_month: int | None = 0
    fighting: bool = False
    fight_severity: float = 0.0
    at_war: bool = False
    coalition: str = "CMA"
    stronghold: int = 0
    consent: dict[str, float] = field(default_factory=dict)

    def shift_trust(self, delta: float) -> None:
        self.trust = float(min(1.0, max(0.0, self.trust + delta)))


def test_hedge_share_rises_as_trust_falls_and_rent_grows():
    b = Behaviour(hedge_max=0.3, hedge_rent_weight=1.0, hedge_guarantee_weight=0.5)
    here = Mission(presence=1.0)
    assert hedge_share(b, here, trust=1.0, rent=0.0) == 0.0
    assert hedge_share(b, here, trust=0.5, rent=0.0) == pytest.approx(0.15)
    assert hedge_share(b, here, trust=0.5, rent=0.4) == pytest.approx(0.3 * 0.9)
    # the guarantor gone: half a point of pull more; never above the whole group
    gone = Mission(presence=0.0, ever_present=True)
    assert hedge_share(b, gone, trust=0.5, rent=0.0) == pytest.approx(0.3)
    assert hedge_share(b, gone, trust=0.0, rent=5.0) == 1.0
    never = Mission(presence=0.0, ever_present=False)
    assert hedge_share(b, never, trust=0.5, rent=0.0) == pytest.approx(0.15)


def test_held_back_takes_the_best_armed_fighters_of_each_group():
    pop = Population(capacity=6, n_group_slots=2, n_regions=1)
    pop.size = 6
    pop.group[:6] = [0, 0, 0, 1, 1, 1]
    pop.armed[:6] = [True, True, False, True, True, True]
    pop.quality[:6] = [0.95, 0.5, 0.99, 0.95, 0.85, 0.5]
    hedge = np.array([0.1, 0.2])  # thresholds 0.9 and 0.8
    mask = held_back(pop, np.arange(6), hedge)
    assert mask.tolist() == [True, False, False, True, True, False]


def _climate(**kw) -> ConsentClimate:
    values = dict(
        progress=0.5,
        pressure=0.0,
        hardening=0.0,
        allowance_excess=0.0,
        mission_presence=1.0,
        mission_ever_present=True,
    )
    values.update(kw)
    return ConsentClimate(**values)


def test_consent_score_from_progress_demand_and_trust():
    b = Behaviour(consent_progress_weight=2.0, consent_trust_weight=1.0)
    ease = b.consent_ease.integration
    score = consent_score(b, _climate(progress=0.6), "integration", trust=0.7, demand=0.4, rent=0)
    assert score == pytest.approx(2.0 * 0.2 + 1.0 * 0.2 + ease)
    # progress short of the demand lowers consent; final steps pay for hardening
    short = consent_score(b, _climate(progress=0.2), "integration", trust=0.7, demand=0.4, rent=0)
    assert short == pytest.approx(score - 2.0 * 0.4)
    hardened = _climate(progress=0.6, hardening=0.5)
    lists = consent_score(b, hardened, "lists", trust=0.7, demand=0.4, rent=0)
    assert lists == pytest.approx(2.0 * 0.2 + 1.0 * 0.2 + b.consent_ease.lists)
    final = consent_score(b, hardened, "integration", trust=0.7, demand=0.4, rent=0)
    assert final == pytest.approx(score - b.hardening_weight * 0.5)


def test_decide_consent_is_zero_while_fighting_or_not_covered():
    b = Behaviour()
    climate = _climate(progress=0.9)
    consent = decide_consent(
        b, climate, Group(trust=0.9), covered=True, agreement_in_force=True, rent=0.0
    )
    assert set(consent) == set(PROGRAMMES) and all(0 < v <= 1 for v in consent.values())
    fighting = decide_consent(
        b, climate, Group(fighting=True), covered=True, agreement_in_force=True, rent=0.0
    )
    assert set(fighting.values()) == {0.0}
    uncovered = decide_consent(
        b, climate, Group(trust=0.9), covered=False, agreement_in_force=True, rent=0.0
    )
    assert uncovered["integration"] == 0.0 and uncovered["pre_cantonment"] > 0


def test_parity_rooms_from_registration_counts():
    registered = {"CMA": 120, "Plateforme": 40}
    coalitions = ["CMA", "Plateforme", "CMA"]
    # the coalition that can reach the lowest count takes all its applicants, the other
    # may end at most the margin above it
    many = parity_room(50, coalitions, registered, {"CMA": 30, "Plateforme": 200})
    assert many == {"CMA": 80, "Plateforme": 160}
    few = parity_room(50, coalitions, registered, {"CMA": 30, "Plateforme": 10})
    assert few == {"CMA": 0, "Plateforme": 60}
    assert parity_room(None, coalitions, registered, {"CMA": 30}) == {}
    assert parity_room(50, ["CMA"], registered, {"CMA": 30}) == {}
    # a coalition that has registered no one and has no applicants holds the others back
    three = parity_room(10, ["CMA", "Plateforme", "Government"], registered, {})
    assert three == {"CMA": 0, "Government": 10, "Plateforme": 0}


def test_within_parity_admits_at_most_each_coalitions_room():
    rng = np.random.default_rng(0)
    chosen = np.arange(10)
    coalition = np.array(["CMA"] * 6 + ["Plateforme"] * 4)
    rule = dict(margin=2, taking_part=["CMA", "Plateforme"], registered={"CMA": 3})
    kept = within_parity(rng, chosen, coalition, **rule)
    assert (coalition[kept] == "CMA").sum() == 3 and (coalition[kept] == "Plateforme").sum() == 4
    no_rule = dict(rule, margin=None)
    assert within_parity(rng, chosen, coalition, **no_rule) is chosen


def test_group_trust_gains_from_progress_and_loses_to_a_broken_calendar():
    b = Behaviour()
    gov, mission = Government(progress_delta=0.02), Mission(presence=1.0)
    covered = Group(trust=0.5)
    update_group_trust(covered, b, gov, mission, covered=True, exposed=False, overdue=False)
    gain = b.trust_from_progress * 0.02 + b.trust_from_mediation * 0.5
    assert covered.trust == pytest.approx(0.5 + gain)
    overdue = Group(trust=0.5)
    update_group_trust(overdue, b, gov, mission, covered=True, exposed=False, overdue=True)
    assert overdue.trust == pytest.approx(0.5 + gain - b.trust_loss_broken_calendar)
    assert calendar_overdue(0, None, month=30, calendar_months=24)
    assert not calendar_overdue(0, 12, month=30, calendar_months=24)
    assert not calendar_overdue(None, None, month=30, calendar_months=24)


def test_participation_falls_with_trust_and_rises_with_allowances_by_the_seat_weight():
    b = Behaviour(allowance_seat_weight=0.4)
    civil = Economy(committee_allowance=100.0, civil_service_pay=100.0)
    generous = Economy(committee_allowance=300.0, civil_service_pay=100.0)
    low, high = (participation_score(b, civil, t, 0.0) for t in (0.2, 0.8))
    assert low < high
    paid = participation_score(b, generous, 0.2, 0.0)
    assert paid == pytest.approx(low + 2.0 * 0.4)
    unpaid = Behaviour(allowance_seat_weight=0.0)
    assert participation_score(unpaid, generous, 0.2, 0.0) == pytest.approx(
        participation_score(unpaid, civil, 0.2, 0.0)
    )


def test_allowances_above_civil_service_pay_slow_implementation():
    b = Behaviour(allowance_delay_weight=0.5)
    civil = Economy(committee_allowance=100.0, civil_service_pay=100.0)
    generous = Economy(committee_allowance=300.0, civil_service_pay=100.0)
    assert implementation_pace(b, civil) == 1.0
    assert implementation_pace(b, generous) == pytest.approx(1.0 / 2.0)
    assert implementation_pace(Behaviour(allowance_delay_weight=0.0), generous) == 1.0


def test_interim_hardening_counts_months_before_ddr_and_expires_measures():
    state = ProgrammeState(quota=100, moc_started=3)
    for _ in range(4):
        count_interim_month(state, any_open=True)
    count_interim_month(state, any_open=False)
    assert state.interim_months == 4
    state.mark_ddr_started(9)
    count_interim_month(state, any_open=True)
    assert state.interim_months == 4
    assert hardening(4, 12.0) == pytest.approx(1 - math.exp(-4 / 12))
    assert interim_expired(state, "moc", month=15, expiry_months=12)
    assert not interim_expired(state, "moc", month=14, expiry_months=12)
    assert not interim_expired(state, "pre_cantonment", month=99, expiry_months=12)
    assert not interim_expired(state, "moc", month=99, expiry_months=None)


def test_registration_places_from_the_programme_state():
    programmes = Programmes()  # accelerated DDR 1500 a month, general integration 1000
    state = ProgrammeState(quota=100, accelerated_launched=5)
    places = registration_capacity(state, programmes, moc_support=True, presence=1.0)
    assert places == 1500
    state.general_integration_open = True
    state.registered_this_month = 300
    assert registration_capacity(state, programmes, moc_support=True, presence=1.0) == 2200
    # without the mission's support and presence a quarter of the places are left
    assert registration_capacity(state, programmes, moc_support=False, presence=0.0) == 325
    state.agreement_in_force = False
    assert registration_capacity(state, programmes, moc_support=True, presence=1.0) == 0


def test_rent_from_the_gold_taxes_a_group_collects_where_it_holds_the_ground():
    economy = Economy(group_pay=40.0, trafficking_income=10.0, gold_tax=0.5, army_pay=100.0)
    counts = np.zeros((2, 2, len(Status)), np.int64)  # group slot x region x status
    counts[0, 0, Status.ACTIVE] = 10
    counts[0, 0, Status.MINING] = 10  # 10 miners in region 0, which group 0 holds
    counts[1, 1, Status.ACTIVE] = 5  # region 1 is the government's
    counts[1, 1, Status.MINING] = 5
    income = group_income_per_member(economy, 80.0, counts, np.array([0, -1]))
    assert income.tolist() == [40.0 + 10.0 + 0.5 * 80.0 * 10 / 20, 40.0 + 10.0]
    assert rent_ratio(economy, income).tolist() == pytest.approx([0.3, 0.1])


def test_cvr_projects_follow_the_people_and_stop_without_the_mission():
    cvr = CVR(starts="2015-01", budget_usd_per_year=1e6, project_cap_usd=1e5)
    members = np.array([300, 100, 0])
    intensity, cost = allocate_cvr(cvr, 24, "2013-01", 1.0, members)
    assert intensity.tolist() == pytest.approx([0.8, 0.2, 0.0])  # 8 and 2 projects
    assert cost == pytest.approx(1e6 / 12)
    before, nothing = allocate_cvr(cvr, 23, "2013-01", 1.0, members)
    absent, none = allocate_cvr(cvr, 24, "2013-01", 0.0, members)
    assert before.sum() == absent.sum() == nothing == none == 0


def test_news_of_a_war_reaches_the_integrated_members_of_the_group_once():
    pop = Population(capacity=4, n_group_slots=2, n_regions=2)
    pop.size = 4
    pop.group[:4] = [0, 0, 1, 1]
    pop.status[:4] = [Status.INTEGRATED, Status.ACTIVE, Status.INTEGRATED, Status.INTEGRATED]
    at_war, at_peace = Group(index=0, war_news=True), Group(index=1)
    groups = [at_war, at_peace]
    assert facing_war(groups, pop).tolist() == [0]
    assert not at_war.war_news and facing_war(groups, pop).tolist() == []


def test_a_skirmish_pulls_by_its_severity_but_only_a_war_is_news():
    group = Group()
    escalate(group, 0.3, war=False)  # a skirmish
    assert (group.war_news, group.at_war, group.fight_severity) == (False, False, 0.3)
    group.fighting = True
    escalate(group, 0.8, war=True)  # the army moves on its towns during the skirmish
    assert (group.war_news, group.at_war, group.fight_severity) == (True, True, 0.8)
    group.war_news = False
    escalate(group, 0.5, war=True)  # the same war: no news again, severity kept
    assert (group.war_news, group.fight_severity) == (False, 0.8)
    group.fighting = False  # the fight ended: the next one starts from nothing
    escalate(group, 0.2, war=False)
    assert (group.war_news, group.at_war, group.fight_severity) == (False, False, 0.2)


def test_the_army_moving_on_a_group_rallies_partners_in_a_skirmish_but_not_at_war(monkeypatch):
    attacked = Group(index=0, fighting=True, at_war=True, trust=0.0)
    skirmishing = Group(index=1, fighting=True, at_war=False, trust=0.0)
    already = Group(index=2, fighting=True, at_war=True, trust=0.0)
    calm = Group(index=3, trust=0.0)
    other_side = Group(index=4, trust=0.0, coalition="Platform")

    class Parts:
        spec = type("Spec", (), {"behaviour": Behaviour(coalition_solidarity=1.0)})
        rng_events = np.random.default_rng(0)

        def active_groups(self):
            return [attacked, skirmishing, already, calm, other_side]

    joined = []
    monkeypatch.setattr(shocks, "start_fight", lambda parts, g, region, sev: joined.append(g.index))
    rally_coalition(Parts(), attacked, 1.0)
    assert joined == [1, 3]


def test_integrated_serve_among_their_own_side_where_their_coalition_holds_the_towns():
    pop = Population(capacity=3, n_group_slots=3, n_regions=2)
    pop.size = 3
    pop.group[:3] = [0, 1, 2]
    pop.where[:3] = [0, 0, 1]
    coalition = np.array([0, 0, 1])  # groups 0 and 1 in one coalition, group 2 in another
    towns_holder = np.array([1, -1])  # group 1 holds region 0's towns, the army region 1's
    held = held_by_coalition(pop, np.arange(3), coalition, towns_holder)
    assert held.tolist() == [True, True, False]
