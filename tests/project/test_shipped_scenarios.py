"""The scenario files shipped in scenarios/ validate, and the exported schema is current."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ddr_sim.config.loading import export_json_schema, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
BASELINE = SCENARIOS / "mali_2013_2023.yaml"
COUNTERFACTUALS = sorted((SCENARIOS / "counterfactuals").glob("*.yaml"))


@pytest.mark.parametrize(
    "path", [BASELINE, SCENARIOS / "teaching.yaml", *COUNTERFACTUALS], ids=lambda p: p.name
)
def test_shipped_scenario_validates(path):
    assert load_scenario(path).name


def test_historical_scenario_covers_july_2013_to_december_2023():
    calendar = load_scenario(BASELINE).calendar
    assert (calendar.start, calendar.months) == ("2013-07", 126)


def test_teaching_scenario_is_small():
    scenario = load_scenario(SCENARIOS / "teaching.yaml")
    people = sum(g.armed + g.unarmed for g in scenario.groups)
    assert len(scenario.groups) == 2 and 1_000 <= people <= 10_000


def test_at_least_four_counterfactuals_each_change_the_baseline():
    assert len(COUNTERFACTUALS) >= 4

    def content(path: Path) -> dict:
        return load_scenario(path).model_dump(exclude={"name", "description"})

    base = content(BASELINE)
    for path in COUNTERFACTUALS:
        assert "extends: ../mali_2013_2023.yaml" in path.read_text()
        assert content(path) != base, f"{path.name} changes nothing but its name"


def test_committed_json_schema_is_current(tmp_path):
    fresh = tmp_path / "schema.json"
    export_json_schema(fresh)
    committed = json.loads((SCENARIOS / "scenario.schema.json").read_text())
    assert committed == json.loads(fresh.read_text()), (
        "scenarios/scenario.schema.json is stale: run 'ddr-sim schema'"
    )
