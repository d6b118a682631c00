"""The per-person arrays, their running head counts, and the thin Combatant agents."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ddr_sim.config.loading import load_scenario
from ddr_sim.core.combatant import Combatant
from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import N_STATUSES, Status

TEACHING = Path(__file__).resolve().parents[2] / "scenarios" / "teaching.yaml"


def full_tally(model: DDRModel) -> np.ndarray:
    pop = model.population
    n = pop.size
    idx = (pop.group[:n].astype(np.int64) * model.n_regions + pop.where[:n]) * N_STATUSES
    idx += pop.status[:n]
    shape = (model.n_group_slots, model.n_regions, N_STATUSES)
    return np.bincount(idx, minlength=int(np.prod(shape))).reshape(shape)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_running_counts_match_a_full_recount_every_month(seed):
    # frequent splits, fights and a collapse exercise every path that changes a person
    scenario = load_scenario(
        TEACHING,
        [
            "behaviour.split_rate=0.2",
            "behaviour.clash_rate=0.3",
            "behaviour.fight_threshold=0.6",
            "events=["
            "{date: '2016-03', type: clash, groups: [Hills], severity: 0.8},"
            "{date: '2017-04', type: pressure_campaign, severity: 0.9},"
            "{date: '2021-06', type: agreement_termination}]",
        ],
    )
    model = DDRModel(scenario, seed=seed)
    splits = 0
    while model.running:
        model.step()
        pop = model.population
        n = pop.size
        assert np.array_equal(pop.counts, full_tally(model)), model.label(model.month - 1)
        listed = pop.listed[:n]
        assert np.array_equal(
            pop.listed_by_group, np.bincount(pop.group[:n][listed], minlength=model.n_group_slots)
        )
        assert np.array_equal(
            pop.listed_armed_by_group,
            np.bincount(pop.group[:n][listed & pop.armed[:n]], minlength=model.n_group_slots),
        )
        splits = len(model.groups) - len(scenario.groups)
    assert splits > 0, "the scenario should have produced splits"
    assert model.flows.values["killed"].sum() > 0


def test_one_combatant_agent_per_person_with_unique_ids():
    model = DDRModel(load_scenario(TEACHING), seed=4).run()
    combatants = list(model.agents_by_type[Combatant])
    assert len(combatants) == model.population.size
    assert sorted(a.row for a in combatants) == list(range(model.population.size))
    ids = [a.unique_id for a in model.agents]
    assert len(set(ids)) == len(ids)


def test_combatant_reads_its_row():
    model = DDRModel(load_scenario(TEACHING), seed=5)
    for _ in range(30):
        model.step()
    pop = model.population
    agent = next(a for a in model.agents_by_type[Combatant] if a.row == pop.size // 2)
    row = agent.row
    assert agent.status == Status(int(pop.status[row]))
    assert agent.group == model.groups[pop.group[row]].name
    assert agent.region == model.region_names[pop.where[row]]
    assert agent.armed == bool(pop.armed[row])
    assert agent.trust == pytest.approx(float(pop.trust[row]))
    assert agent.months_in_status == model.month - int(pop.since[row])
    assert agent.fit == bool(pop.fit[row])
