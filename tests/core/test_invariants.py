"""Invariants of every run, and determinism.

* A property test draws random but valid scenarios (sizes, trust, demands, dates, pay,
  packages, quotas, events of every type within the calendar, mission dates) and seeds,
  steps the model month by month and checks the bookkeeping after every step.
* Determinism: a run is a pure function of ``(scenario, seed)`` and touches no global
  random state.
"""

from __future__ import annotations

import random
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.scenario_builders import START, build, month

from ddr_sim.config.loading import load_scenario
from ddr_sim.config.scenario import Event, EventType, Scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.core.records import FLOW_NAMES
from ddr_sim.core.statuses import N_STATUSES, Status

TEACHING = Path(__file__).resolve().parents[2] / "scenarios" / "teaching.yaml"
EVENT_TYPES = typing.get_args(EventType)
ATTACK_TARGETS = typing.get_args(typing.get_args(Event.model_fields["target"].annotation)[0])
REGION_NAMES = ("North", "Centre", "South")
GROUP_NAMES = ("Hills", "Plains")

share = st.floats(0.0, 1.0, allow_nan=False)


# -- random scenarios ----------------------------------------------------------------------
@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    months = draw(st.integers(3, 36))
    date = st.integers(0, months - 1).map(month)
    early = st.integers(0, min(3, months - 1)).map(month)
    # programmes open early two times in three so that their bookkeeping gets exercised
    maybe_date = st.one_of(st.none(), early, early, date)
    low = st.one_of(st.floats(0.0, 0.3), share)  # demands often met
    high = st.one_of(st.floats(0.6, 1.0), share)  # progress and trust often high
    regions = list(REGION_NAMES[: draw(st.integers(1, 3))])
    groups = list(GROUP_NAMES[: draw(st.integers(1, 2))])

    def subset(names: list[str], min_size: int = 0) -> list[str]:
        return draw(st.lists(st.sampled_from(names), min_size=min_size, unique=True))

    region_specs = [
        {
            "name": r,
            "youth_pool": draw(st.integers(0, 400)),
            "gold_sites": draw(st.floats(0.0, 0.5)),
            "controller": draw(st.sampled_from(["government", *groups])),
            "attack_rate": draw(st.floats(0.0, 0.5)),
        }
        for r in regions
    ]
    group_specs = []
    for name in groups:
        weights = draw(st.lists(st.integers(0, 5), min_size=len(regions), max_size=len(regions)))
        if sum(weights) == 0:
            weights[0] = 1
        total = sum(weights)
        signatory = draw(st.sampled_from([True, True, True, False]))
        group_specs.append(
            {
                "name": name,
                "coalition": draw(st.sampled_from(["A", "B"])),
                "signatory": signatory,
                "signs": draw(maybe_date) if signatory else None,
                "armed": draw(st.integers(0, 500)),
                "unarmed": draw(st.integers(0, 200)),
                "regions": {r: w / total for r, w in zip(regions, weights, strict=True) if w},
                "political_demand": draw(low),
                "initial_trust": draw(high),
                "cohesion": draw(share),
                "recruitment_share": draw(share),
            }
        )
    max_people = sum(g["armed"] + g["unarmed"] for g in group_specs) + sum(
        r["youth_pool"] for r in region_specs
    )
    quota = st.integers(0, max_people)

    deploys = draw(st.one_of(st.none(), st.just(0), st.integers(0, months - 1)))
    mission: dict[str, Any] = {
        "deploys": None if deploys is None else month(deploys),
        "exit_months": draw(st.integers(0, 6)),
        "mediation_effort": draw(share),
        "moc_support": draw(st.booleans()),
        "site_budget_usd": draw(st.sampled_from([0.0, 1e6, 1e7, 1e7])),
    }
    if deploys is not None and draw(st.booleans()):
        mission["mandate_end"] = month(draw(st.integers(deploys, months - 1)))

    sites_proposed = draw(st.integers(0, 3))
    programmes = {
        "pre_cantonment": {
            "opens": draw(maybe_date),
            "regions": subset(regions, min_size=1),
            "capacity": draw(st.integers(0, 300)),
        },
        "cantonment": {
            "sites_proposed": sites_proposed,
            "sites_approved": draw(
                st.one_of(st.just(sites_proposed), st.integers(0, sites_proposed))
            ),
            "capacity_per_site": draw(st.integers(0, 300)),
            "build_months": draw(st.integers(1, 6)),
            "regions": subset(regions, min_size=1),
            "approval": draw(maybe_date),
            "max_stay_months": draw(st.floats(0.5, 4.0)),
        },
        "moc": {
            "opens": draw(maybe_date),
            "sites": subset(regions, min_size=1),
            "places_per_group": draw(st.integers(0, 200)),
        },
        "accelerated_ddr": {
            "earliest": draw(maybe_date),
            "pressure_threshold": draw(share),
            "monthly_capacity": draw(st.integers(0, 300)),
            "training_months": draw(st.integers(1, 4)),
        },
        "integration": {
            "quota": draw(st.one_of(st.none(), quota)),
            "quota_mode": draw(st.sampled_from(["upfront", "negotiated"])),
            "destination": draw(st.sampled_from(["national_army", "territorial"])),
            "general_opens": draw(maybe_date),
            "monthly_capacity": draw(st.integers(0, 300)),
        },
        "reinsertion": {
            "opens": draw(maybe_date),
            "package_value": draw(st.floats(0.0, 2000.0)),
            "credibility": draw(share),
            "promoted": draw(st.booleans()),
            "monthly_capacity": draw(st.integers(0, 300)),
        },
        "cvr": {
            "starts": draw(maybe_date),
            "budget_usd_per_year": draw(st.floats(0.0, 3e6)),
            "targeting": draw(st.sampled_from(["groups_present", "uniform"])),
        },
        "militia_programme": {
            "opens": draw(maybe_date),
            "offer": draw(st.sampled_from(["reinsertion", "integration"])),
            "credibility": draw(share),
            "included_in_agreement": draw(st.booleans()),
        },
        "committee_seats": draw(st.integers(0, 50)),
        "interim_expiry_months": draw(st.one_of(st.none(), st.integers(1, 24))),
    }
    economy = {
        "army_pay": draw(st.floats(0.0, 200.0)),
        "moc_pay": draw(st.floats(0.0, 200.0)),
        "group_pay": draw(st.floats(0.0, 200.0)),
        "civil_service_pay": draw(st.floats(0.0, 200.0)),
        "committee_allowance": draw(st.floats(0.0, 300.0)),
        "gold_income": draw(st.floats(0.0, 300.0)),
        "gold_rush_start": draw(maybe_date),
        "gold_tax": draw(share),
    }
    politics = {
        "initial_progress": draw(high),
        "progress_rate": draw(st.floats(0.0, 0.2)),
        "regime": draw(st.sampled_from(["elected", "transition"])),
        "political_will": draw(share),
        "pay_reliability": draw(share),
        "screening_strictness": draw(share),
        "chain_of_command_flexibility": draw(share),
        "military_approach": draw(share),
        "ddr_calendar_months": draw(st.integers(0, 12)),
    }
    behaviour = {
        "revision_rate": draw(share),
        "hedge_max": draw(share),
        "fitness_base": draw(share),
        "split_rate": draw(st.sampled_from([0.0, 0.05, 0.3])),
        "clash_rate": draw(st.sampled_from([0.0, 0.05, 0.5])),
        "fight_threshold": draw(share),
        "recruitment_rate": draw(st.floats(0.0, 0.2)),
        "child_share": draw(share),
        "attack_kill_share": draw(share),
        "clash_kill_share": draw(st.floats(0.0, 0.3)),
        "choice_scale": draw(st.floats(0.0, 5.0)),
    }

    def event() -> dict[str, Any]:
        kind = draw(st.sampled_from(EVENT_TYPES))
        e: dict[str, Any] = {
            "date": draw(date),
            "type": kind,
            "groups": subset(groups),
            "region": draw(st.one_of(st.none(), st.sampled_from(regions))),
            "severity": draw(share),
        }
        if kind == "attack":
            e["target"] = draw(st.sampled_from(ATTACK_TARGETS))
            e["killed"] = draw(st.integers(0, 50))
        elif kind == "sanctions":
            e["one_sided"] = draw(st.booleans())
        elif kind == "quota_offer":
            e["quota"] = draw(quota)
        elif kind == "coup":
            e["regime"] = draw(st.sampled_from(["elected", "transition"]))
        return e

    doc = {
        "name": "random",
        "calendar": {"start": START, "months": months},
        "regions": region_specs,
        "groups": group_specs,
        "economy": economy,
        "programmes": programmes,
        "politics": politics,
        "mission": mission,
        "behaviour": behaviour,
        "events": [event() for _ in range(draw(st.integers(0, 8)))],
    }
    # one source of truth: signing dates and the mission's exit are parameters; an event
    # may not claim them again
    signers = {g["name"] for g in group_specs if g.get("signs")}
    doc["events"] = [
        e
        for e in doc["events"]
        if not (e["type"] == "mission_exit" and mission.get("mandate_end"))
        and not (e["type"] == "agreement_signed" and set(e["groups"] or signers) & signers)
    ]
    return Scenario.model_validate(doc)


# -- the invariants --------------------------------------------------------------------------
class Tracker:
    """Per-person memory across months, to check transitions."""

    def __init__(self, capacity: int):
        self.killed = np.zeros(capacity, bool)
        self.reinserted = np.zeros(capacity, bool)
        self.trained = np.zeros(capacity, bool)
        self.size = 0


def check_month(model: DDRModel, tracker: Tracker) -> None:
    """Everything that must hold once month ``model.month - 1`` has been recorded."""
    t = model.month - 1
    pop = model.population
    n = pop.size
    status = pop.status[:n]
    label = f"month {t}"

    # rows are never removed or reused
    assert n >= tracker.size, label
    tracker.size = n
    # one valid status per person in use
    assert status.dtype == np.int8
    assert np.all((status >= 0) & (status < N_STATUSES)), label
    assert set(np.unique(status).tolist()) <= {int(s) for s in Status}, label
    # the counts of the month sum to the people in use and match the status array
    counts = model.history.counts[t]
    assert counts.min() >= 0
    assert int(counts.sum()) == n, label
    by_status = np.bincount(status, minlength=N_STATUSES)
    assert np.array_equal(counts.sum(axis=(0, 1)), by_status), label
    # killed is absorbing
    was_killed = tracker.killed[:n]
    assert np.all(status[was_killed] == Status.KILLED), f"{label}: the dead came back"
    # reinserted stay reinserted (or are killed)
    was_reinserted = tracker.reinserted[:n]
    assert np.all(np.isin(status[was_reinserted], [Status.REINSERTED, Status.KILLED])), (
        f"{label}: reinserted people left reinsertion"
    )
    # integrated only after a training stint recorded in an earlier month
    now_integrated = status == Status.INTEGRATED
    assert np.all(tracker.trained[:n][now_integrated]), f"{label}: integrated without training"
    # only people once integrated rejoin (integration and return may fall in one month, so
    # per person: a training stint was recorded; in total: flows)
    rejoined = status == Status.REJOINED
    assert np.all(tracker.trained[:n][rejoined]), f"{label}: rejoined without training"
    tracker.killed[:n] |= status == Status.KILLED
    tracker.reinserted[:n] |= status == Status.REINSERTED
    tracker.trained[:n] |= status == Status.TRAINING
    # flows: non-negative; cumulative integrated <= cumulative registered; quota respected
    flows = model.flows.values
    for name in FLOW_NAMES:
        assert flows[name][t].min() >= 0, f"{label}: negative flow {name}"
    integrated_cum = int(flows["integrated"][: t + 1].sum())
    registered_cum = int(flows["registered"][: t + 1].sum())
    assert integrated_cum <= registered_cum, label
    assert int(flows["rejoined"][: t + 1].sum()) <= integrated_cum, label
    state = model.programmes
    assert integrated_cum == state.integrated_total, label
    assert state.integrated_total <= state.quota, f"{label}: quota exceeded"
    assert int(now_integrated.sum()) <= state.quota, label
    # trust and progress in [0, 1]
    for g in model.active_groups():
        assert 0.0 <= g.trust <= 1.0, f"{label}: group {g.name} trust {g.trust}"
    trust = pop.trust[:n]
    assert np.all((trust >= 0.0) & (trust <= 1.0)), label
    assert 0.0 <= model.government.progress <= 1.0, label
    assert 0.0 <= model.history.series["political_progress"][t] <= 1.0, label
    group_trust = model.history.group_series["trust"][t]
    assert np.all((group_trust >= 0.0) & (group_trust <= 1.0)), label


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios(), seed=st.integers(0, 2**32 - 1))
def test_invariants_hold_every_month(scenario: Scenario, seed: int):
    model = DDRModel(scenario, seed)
    tracker = Tracker(model.population.capacity)
    for _ in range(scenario.calendar.months):
        assert model.running
        model.step()
        check_month(model, tracker)
    assert not model.running


def test_invariants_hold_on_teaching_scenario():
    """The same checks on the classroom scenario (a richer, longer run)."""
    model = DDRModel(load_scenario(TEACHING), 3)
    tracker = Tracker(model.population.capacity)
    while model.running:
        model.step()
        check_month(model, tracker)


# -- determinism ------------------------------------------------------------------------------
def _outputs(model: DDRModel) -> dict[str, np.ndarray]:
    h = model.history
    out = {"counts": h.counts, "listed": h.listed, "listed_armed": h.listed_armed}
    out.update({f"series.{k}": v for k, v in h.series.items()})
    out.update({f"group_series.{k}": v for k, v in h.group_series.items()})
    out.update({f"flows.{k}": v for k, v in model.flows.values.items()})
    return out


def _assert_same(a: DDRModel, b: DDRModel) -> None:
    out_a, out_b = _outputs(a), _outputs(b)
    assert out_a.keys() == out_b.keys()
    for key in out_a:
        assert np.array_equal(out_a[key], out_b[key]), f"{key} differs between identical runs"
    assert a.flows.events == b.flows.events
    assert a.costs == b.costs


@pytest.fixture(scope="module")
def teaching() -> Scenario:
    return load_scenario(TEACHING)


def test_same_scenario_and_seed_give_identical_runs(teaching: Scenario):
    _assert_same(DDRModel(teaching, 11).run(), DDRModel(teaching, 11).run())


def test_small_scenario_is_deterministic_too():
    scenario = build(
        {"programmes.moc": {"opens": START, "sites": ["North"]}, "behaviour.split_rate": 0.2},
        n_groups=2,
        gold_sites=0.2,
    )
    _assert_same(DDRModel(scenario, 5).run(), DDRModel(scenario, 5).run())


def test_different_seeds_give_different_runs(teaching: Scenario):
    a = DDRModel(teaching, 1).run()
    b = DDRModel(teaching, 2).run()
    assert not np.array_equal(a.history.counts, b.history.counts)


def test_no_global_random_state_is_used(teaching: Scenario):
    """Reseeding the global generators between runs changes nothing, and a run leaves the
    global numpy and stdlib generators untouched."""
    np.random.seed(123)
    random.seed(1)
    first = DDRModel(teaching, 7).run()
    np.random.seed(999)
    random.seed(2)
    np.random.random(17)  # move the global streams on
    random.random()
    second = DDRModel(teaching, 7).run()
    _assert_same(first, second)

    np_before = np.random.get_state()
    py_before = random.getstate()
    DDRModel(teaching, 8).run()
    np_after = np.random.get_state()
    assert np_before[0] == np_after[0]
    assert np.array_equal(np_before[1], np_after[1])
    assert np_before[2:] == np_after[2:]
    assert random.getstate() == py_before
