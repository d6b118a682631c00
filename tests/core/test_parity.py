"""The rule of thirds at intake (docs/ODD.md 7.8): a coalition registers for integration
only while it is at most ``parity_margin`` people ahead of every other signatory
coalition, so the more willing coalition waits for the other."""

from __future__ import annotations

from typing import Any

from support.scenario_builders import build, month, run

SEEDS = range(3)
MARGIN = 30


def _scenario(plains_trust: float, margin: int | None, at_the_table: bool = True) -> Any:
    """Two coalitions in MOC; Hills trusts the state, Plains (the other coalition) does
    not; accelerated DDR launches under a pressure campaign. Both stay at the table (no
    walk-out, no clash) unless ``at_the_table`` is false, when Plains boycotts throughout."""
    boycott = [
        {"date": month(k), "type": "boycott", "groups": ["Plains"], "severity": 1.0}
        for k in (0, 12, 24)
        if not at_the_table
    ]
    return build(
        {
            "behaviour.boycott_threshold": -10.0,
            "behaviour.fight_threshold": 0.0,
            "programmes.moc": {
                "opens": month(0),
                "sites": ["North", "South"],
                "places_per_group": 100,
            },
            "programmes.accelerated_ddr": {
                "earliest": month(6),
                "pressure_threshold": 0.5,
                "monthly_capacity": 300,
                "training_months": 2,
            },
            "programmes.integration.parity_margin": margin,
            "politics.initial_progress": 0.6,
            "groups.Hills.political_demand": 0.2,
            "groups.Plains.political_demand": 0.2,
            "groups.Hills.initial_trust": 0.8,
            "groups.Plains.initial_trust": plains_trust,
            "events": [{"date": month(7), "type": "pressure_campaign", "severity": 0.9}] + boycott,
        },
        n_groups=2,
    )


def _registered(
    plains_trust: float, margin: int | None, at_the_table: bool = True
) -> list[dict[str, int]]:
    scenario = _scenario(plains_trust, margin, at_the_table)
    return [dict(run(scenario, s).programmes.registered_by_coalition) for s in SEEDS]


def test_no_coalition_runs_ahead_by_more_than_the_margin():
    """Without the rule the trusting coalition registers far more than the other; with it,
    never more than the margin ahead."""
    free = _registered(0.1, None)
    assert all(r.get("North-coalition", 0) > r.get("Loyalists", 0) + 3 * MARGIN for r in free)
    level = _registered(0.1, MARGIN)
    for r in level:
        assert r.get("North-coalition", 0) <= r.get("Loyalists", 0) + MARGIN
        assert r.get("Loyalists", 0) <= r.get("North-coalition", 0) + MARGIN


def test_the_slower_coalition_sets_the_pace():
    """Under the rule, the reluctant coalition's trust moves the willing one's intake."""
    low = sum(r.get("North-coalition", 0) for r in _registered(0.1, MARGIN))
    high = sum(r.get("North-coalition", 0) for r in _registered(0.7, MARGIN))
    assert high > low + 20


def test_a_coalition_that_walks_out_does_not_hold_the_other_back():
    """Only the coalitions at the table count: with the other boycotting, the willing
    coalition registers as if there were no rule."""
    alone = _registered(0.1, MARGIN, at_the_table=False)
    assert all(r.get("Loyalists", 0) == 0 for r in alone)
    assert all(r.get("North-coalition", 0) > 3 * MARGIN for r in alone)
