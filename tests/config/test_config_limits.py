"""Limits with reasons: what no real DDR case needs is refused, what is accepted runs
without overflow or NaN, and a run that produced a non-finite value fails naming it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydantic
import pytest

from ddr_sim.config.fields import MAX_GROUPS, MAX_REGIONS
from ddr_sim.config.loading import ScenarioError, load_scenario
from ddr_sim.config.recordables import MODEL_SERIES, STATUS_NAMES
from ddr_sim.config.scenario import Scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.core.records import History
from ddr_sim.core.statuses import STATUS_NAMES as CORE_STATUS_NAMES
from ddr_sim.runs.finite import NonFiniteError, check_finite

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"


def refusal(overrides: list[str]) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(TEACHING, overrides)
    return str(info.value)


@pytest.mark.parametrize(
    "override, words",
    [
        ("groups.Hills.armed=100000000", "at most 1,000,000 people"),
        ("regions.North.youth_pool=1000000000000", "at most 1,000,000 people"),
        ("regions.North.attack_rate=1e308", "at most 100 attacks a month"),
        ("politics.progress_rate=5e6", "a monthly probability or share, at most 1"),
        ("calendar.months=601", "at most 600 months"),
        ("economy.army_pay=1e9", "a month per person"),
        ("behaviour.choice_scale=1e30", "a weight of at most 1,000"),
        ("behaviour.consent_ease.moc=-1e300", "between -1,000 and 1,000"),
        ("behaviour.reinsertion_horizon_months=0", "it divides"),
        ("programmes.cvr.budget_usd_per_year=1e15", "USD 100 billion"),
    ],
)
def test_values_beyond_any_real_case_are_refused_with_a_reason(override, words):
    assert words in refusal([override])


def test_whole_scenario_limits():
    many = "[" + ", ".join(f"{{name: R{i}}}" for i in range(MAX_REGIONS + 1)) + "]"
    assert "List should have at most 100 items" in refusal([f"regions={many}"])
    groups = ", ".join(
        f"{{name: G{i}, coalition: c, armed: 1, regions: {{North: 1.0}}}}"
        for i in range(MAX_GROUPS + 1)
    )
    assert "List should have at most 150 items" in refusal([f"groups=[{groups}]"])
    pools = [f"regions.{r}.youth_pool=600000" for r in ("North", "Centre")]
    assert "people in groups and youth pools together" in refusal(pools)
    regions = [{"name": f"R{i}"} for i in range(100)]
    groups = [
        {"name": f"G{i}", "coalition": "c", "armed": 1, "regions": {"R0": 1.0}} for i in range(20)
    ]
    doc = {"name": "x", "calendar": {"start": "2000-01", "months": 600}, "regions": regions}
    with pytest.raises(pydantic.ValidationError, match="months x groups x regions is 1,200,000"):
        Scenario.model_validate({**doc, "groups": groups})
    Scenario.model_validate({**doc, "groups": groups[:16]})  # 960,000 cells


def test_the_json_schema_states_the_limits_and_their_reasons():
    schema = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    armed = schema["$defs"]["Group"]["properties"]["armed"]
    assert armed["maximum"] == 1_000_000 and "Ethiopia" in armed["limit"]
    assert schema["properties"]["regions"]["maxItems"] == MAX_REGIONS


def test_config_names_of_recorded_series_match_the_model():
    assert MODEL_SERIES == History.SERIES
    assert CORE_STATUS_NAMES is STATUS_NAMES  # the model's list is config's


def test_status_codes_that_differ_from_config_s_names_are_refused():
    from enum import IntEnum

    from ddr_sim.config.recordables import checked_status_names
    from ddr_sim.core.statuses import Status

    assert checked_status_names(Status) is STATUS_NAMES
    members = {name.upper(): code for code, name in enumerate(STATUS_NAMES)}
    renamed = IntEnum("Renamed", {**members, "MINING": 99, "GOLD": 1})
    with pytest.raises(RuntimeError, match=r"\(1, 'gold'\).*\(1, 'mining'\)"):
        checked_status_names(renamed)
    fewer = IntEnum("Fewer", dict(list(members.items())[:-1]))
    with pytest.raises(RuntimeError, match="killed"):
        checked_status_names(fewer)


def test_a_scenario_at_the_limits_runs_with_finite_records():
    overrides = [
        "regions.North.attack_rate=100",
        "politics.progress_rate=1",
        "behaviour.choice_scale=1000",
        "behaviour.income_weight=1000",
        "behaviour.progress_trust_feedback=1000",
        "behaviour.clash_rate=1",
        "behaviour.split_rate=1",
        "behaviour.inflation_gain=1000",
        "behaviour.hardening_months=1",
        "economy.army_pay=100000",
        "economy.gold_income=100000",
        "programmes.reinsertion.package_value=1000000",
    ]
    model = DDRModel(load_scenario(TEACHING, overrides), seed=1).run()
    check_finite(model)  # raises if any record is NaN, infinite or a negative count


def test_a_non_finite_value_is_named_with_its_month():
    model = DDRModel(load_scenario(TEACHING), seed=0).run()
    check_finite(model)
    model.history.series["political_progress"][5] = np.nan
    with pytest.raises(NonFiniteError) as info:
        check_finite(model)
    assert info.value.variable == "series.political_progress" and info.value.month == 5
    assert "in month 5 (2015-06)" in str(info.value)
    model.history.series["political_progress"][5] = 0.1
    model.history.counts[7, 0, 0, 0] = -3
    with pytest.raises(NonFiniteError, match=r"counts is a negative count in month 7"):
        check_finite(model)
