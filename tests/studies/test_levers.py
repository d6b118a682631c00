"""The lever audit: verdicts on hand-made differences, and a cheap audit of the Mali levers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ddr_sim.config.levers import Lever, load_levers
from ddr_sim.config.loading import ScenarioError
from ddr_sim.studies.levers import (
    AGAINST,
    AS_STATED,
    DEAD,
    UNCLEAR,
    audit,
    direction_verdict,
    judge,
)

ROOT = Path(__file__).resolve().parents[2]
LEVERS = ROOT / "experiments" / "levers.yaml"


def _lever(**expect: str) -> Lever:
    return Lever(
        name="x", recommendation="r", change="c", set={"a.b": 1}, mechanism="m", expect=expect
    )


def test_direction_verdicts():
    assert direction_verdict([1, 2, 3, 4], "up") == AS_STATED
    assert direction_verdict([-1, -2, -3], "up") == AGAINST
    assert direction_verdict([-1, 0, 2], "up") == UNCLEAR
    assert direction_verdict([-1, -2, 5], "down") == AS_STATED
    assert direction_verdict([np.nan, np.nan], "up") == UNCLEAR


def test_identical_runs_make_a_dead_lever_whatever_the_differences():
    diffs = pd.DataFrame({"integrated_total": [0.0, 0.0]})
    assert judge(_lever(integrated_total="up"), diffs, identical=True).verdict == DEAD
    moved = pd.DataFrame({"integrated_total": [-5.0, -7.0]})
    assert judge(_lever(integrated_total="up"), moved, identical=False).verdict == AGAINST


def test_a_lever_file_with_errors_names_file_line_and_field(tmp_path):
    bad = tmp_path / "levers.yaml"
    bad.write_text(
        "baseline: x.yaml\nindicators: [a]\nlevers:\n"
        "  - {name: one, recommendation: r, change: c, set: {a: 1}, mechanism: m,\n"
        "     expect: {a: sideways}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as err:
        load_levers(bad)
    text = str(err.value)
    assert "levers.yaml:5" in text and "expect" in text


@pytest.fixture(scope="module")
def mali_audit():
    return audit(LEVERS, seeds=4, jobs=2)


def test_every_lever_of_the_mali_scenario_acts_and_none_runs_against_its_direction(mali_audit):
    """A cheap audit (4 seeds): no lever is bit-identical to the baseline and none moves
    a stated indicator wholly the other way."""
    bad = {o.lever.name: o.verdict for o in mali_audit.outcomes if o.verdict in (DEAD, AGAINST)}
    assert not bad, f"dead or against their stated direction: {bad}"
    assert len(mali_audit.outcomes) == len(load_levers(LEVERS).spec.levers)
