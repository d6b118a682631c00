"""The comparison explains a policy without effect, and never ranks it above one that helps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ddr_sim.config.loading import load_scenario
from ddr_sim.config.policies import BASELINE
from ddr_sim.studies import compare as cmp
from ddr_sim.studies.compare_stats import EFFECTS, ranking
from ddr_sim.studies.compare_why import (
    GateCounts,
    _option_line,
    changed_settings,
    explain,
    no_clear_effect,
    options_acted_on,
)

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"

#: A reinsertion lever, and a lever that helps, on a baseline where reinsertion never opens
#: (the shared override below): the first cannot act.
POLICIES = f"""\
baseline: {TEACHING}
policies:
  - name: credible_package
    title: Credible reinsertion package
    stands_for: A credible, promoted package four times larger.
    set:
      programmes.reinsertion.package_value: 480.0
      programmes.reinsertion.credibility: 0.9
      programmes.reinsertion.promoted: true
  - name: faster_progress
    title: Faster progress
    stands_for: Political reforms delivered three times as fast.
    set:
      politics.progress_rate: 0.03
"""


@pytest.fixture(scope="module")
def no_reinsertion(tmp_path_factory) -> cmp.Comparison:
    path = tmp_path_factory.mktemp("why") / "policies.yaml"
    path.write_text(POLICIES, encoding="utf-8")
    return cmp.compare(path, [0, 1, 2], shared_overrides=["programmes.reinsertion.opens=null"])


def test_a_lever_that_cannot_act_is_explained_by_its_gate_and_ranked_last(no_reinsertion):
    c = no_reinsertion
    assert list(c.ranking["policy"]) == ["faster_progress", "credible_package"]
    effect = dict(zip(c.ranking["policy"], c.ranking["effect"], strict=True))
    assert effect == {"faster_progress": EFFECTS[0], "credible_package": EFFECTS[2]}
    assert no_clear_effect(c) == ["credible_package"]
    lines = explain(c, "credible_package")
    assert lines[0].startswith("**reinsertion** was offered to nobody in either arm")
    assert "candidate person-months per run, closed " in lines[0]
    assert lines[0].endswith("by programme not open.")
    assert "group consent" not in lines[0]  # the programme gate closed it to everyone
    assert "never reached anyone's choice" in lines[-1]
    report = cmp.report(c)
    section = report[report.index("## Where the effect stopped") :]
    assert "### Credible reinsertion package: identical to the baseline in every seed" in section
    assert lines[0] in section
    assert "Faster progress" not in section.split("\n## ")[0]


def test_the_same_lever_where_reinsertion_opens_is_not_explained_away(tmp_path):
    """With reinsertion open (the teaching scenario as it is), the package is offered to
    people: a line about it, if any, reports offers, not a closed programme."""
    path = tmp_path / "policies.yaml"
    path.write_text(POLICIES, encoding="utf-8")
    c = cmp.compare(path, [0, 1])
    if "credible_package" in no_clear_effect(c):
        assert "offered to nobody" not in explain(c, "credible_package")[0]
    offered = c.summaries.groupby("policy")["reinsertion_offered_total"].min()
    assert offered["credible_package"] > 0 and offered[BASELINE] > 0


def _summaries(changes: dict[str, list[float]]) -> pd.DataFrame:
    """Summaries with a baseline of 100 net exits per seed and each policy's changes."""
    rows = []
    n = len(next(iter(changes.values())))
    for seed in range(n):
        rows.append(_row(BASELINE, seed, 100.0))
        for name, change in changes.items():
            rows.append(_row(name, seed, 100.0 + change[seed]))
    return pd.DataFrame(rows)


def _row(policy: str, seed: int, exits: float) -> dict:
    return {
        "policy": policy,
        "seed": seed,
        "integrated_total": exits,
        "reinserted_total": 0.0,
        "rejoined_total": 0.0,
    }


def test_ranking_puts_clear_gains_first_clear_losses_last_and_nil_after_its_ties():
    changes = {
        "nothing": [0.0] * 20,  # listed first: a stable sort would keep it first on ties
        "noise": [-3.0] * 10 + [3.0] * 10,  # median 0, mean 0, but something happens
        "harms": [-5.0] * 20,
        "small_gain": [0.0] * 9 + [1.0] * 11,  # median > 0, interval contains 0
        "clear_gain": [2.0] * 20,
        "skewed": [-1.0] * 11 + [40.0] * 9,  # median < 0 with a large mean: unclear
    }
    table = ranking(_summaries(changes), list(changes))
    assert list(table["policy"]) == [
        "clear_gain",
        "small_gain",
        "noise",
        "nothing",
        "skewed",
        "harms",
    ]
    effect = dict(zip(table["policy"], table["effect"], strict=True))
    assert effect["clear_gain"] == EFFECTS[0] and effect["harms"] == EFFECTS[3]
    assert effect["nothing"] == EFFECTS[2] and effect["noise"] == EFFECTS[1]
    assert list(table["rank"]) == list(range(1, 7))


def _counts(offered: list, chose: list, took: list, **closed: list) -> GateCounts:
    """Gate counts of one arm over seeds (one value per seed in each list)."""
    n = len(offered)
    counts = {"offered": offered, "chose": chose, "took": took}
    for gate in ("programme", "consent", "held_back", "eligibility", "places"):
        counts[f"closed_by_{gate}"] = closed.get(gate, [0] * n)
    counts["candidates"] = [o + sum(c[i] for c in closed.values()) for i, o in enumerate(offered)]
    return GateCounts.of(counts)


def test_each_place_an_effect_can_stop_is_named():
    rationed = _option_line(
        "integration",
        _counts([500, 500], [40, 40], [30, 30], consent=[900, 900]),
        _counts([500, 500], [80, 80], [30, 30], consent=[900, 900]),
    )
    assert "changed the choice of those offered, but not how many took it" in rationed
    assert "chosen 40 -> 80; taken 30 -> 30 (no clear change)" in rationed
    assert rationed.endswith("Closed to the other candidates: 900 by group consent.")
    ignored = _option_line(
        "cantonment",
        _counts([10, 12], [0, 0], [0, 0], held_back=[5, 5]),
        _counts([20, 22], [0, 0], [0, 0]),
    )
    assert "changed who was offered it, but not how many chose it" in ignored
    noise = _option_line(
        "reinsertion", _counts([10, 20], [1, 2], [1, 2]), _counts([20, 10], [2, 1], [2, 1])
    )
    assert "No clear change in who was offered it" in noise and "(no clear change)" not in noise
    further = _option_line(
        "pre_cantonment", _counts([50, 50], [5, 6], [5, 6]), _counts([90, 95], [9, 12], [9, 12])
    )
    assert "More took it, but that did not carry through" in further
    assert "integration to open" in further
    closed = _option_line(
        "pre_cantonment",
        _counts([0, 0], [0, 0], [0, 0], consent=[70, 70], places=[30, 30]),
        _counts([0, 0], [0, 0], [0, 0], consent=[70, 70]),
    )
    assert closed.startswith("**pre-cantonment** was offered to nobody in either arm")
    assert closed.endswith("closed 70 by group consent.")


def test_the_options_a_policy_acts_on_come_from_the_settings_it_changes():
    base = load_scenario(TEACHING)
    variant = load_scenario(TEACHING, ["programmes.reinsertion.credibility=0.95"])
    assert changed_settings(base, variant) == ["programmes.reinsertion.credibility"]
    assert options_acted_on(changed_settings(base, variant)) == ["reinsertion"]
    renamed = load_scenario(TEACHING, ["name=another", "description=Another one."])
    assert changed_settings(base, renamed) == []
    named = load_scenario(TEACHING, ["groups.Hills.initial_trust=0.9"])
    assert changed_settings(base, named) == ["groups.Hills.initial_trust"]
    assert options_acted_on(["groups.Hills.initial_trust"]) == [
        "pre_cantonment",
        "cantonment",
        "integration",
        "reinsertion",
    ]
    assert options_acted_on(["programmes.militia_programme.opens"]) == [
        "integration",
        "reinsertion",
    ]
