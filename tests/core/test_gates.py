"""Gate counts of the exit options: who was offered what, and which gate closed it.

The counts are checked against the rules of docs/ODD.md 7.1, written out here
independently of ``ddr_sim.core.availability``, on real model states; against the flows;
and on scenarios where one gate is known to close an option to everyone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.scenario_builders import build, month, run

from ddr_sim.config.loading import load_scenario
from ddr_sim.config.recordables import EXIT_OPTIONS, GATE_COUNTS, GATES, gate_series
from ddr_sim.core.availability import offers
from ddr_sim.core.choice import CHOOSERS
from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.model import DDRModel
from ddr_sim.core.options import MonthView, Option
from ddr_sim.core.statuses import Status

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"

#: Exit options reached by a single route (integration has three).
SINGLE_ROUTE = (Option.PRE_CANTON, Option.CANTON, Option.REINSERT)


def _gate_counts(model: DDRModel, option: str) -> dict[str, np.ndarray]:
    return {c: model.history.series[gate_series(option, c)] for c in GATE_COUNTS}


def _reference_gates(model: DDRModel, view: MonthView, rows: np.ndarray) -> dict:
    """Candidates and the gate masks of the single-route exit options, from the table of
    docs/ODD.md 7.1 (in the order of ``GATES``)."""
    pop = model.population
    status = pop.status[rows]
    group = pop.group[rows].astype(int)
    region = pop.where[rows].astype(int)
    consent = model.consent_matrix()
    column = model.programme_column
    on_side = np.isin(status, [Status.ACTIVE, Status.MINING])
    free = ~held_back(model.population, rows, model.group_array("hedge"))
    every = np.ones(len(rows), bool)
    signatory = model.group_array("signatory").astype(bool)[group]
    militia = model.spec.programmes.militia_programme
    reinsertion = np.where(
        signatory,
        model.reinsertion_open(),
        model.militia_programme_open() and militia.offer == "reinsertion",
    )
    built = model.sites.n_built(model.spec.programmes.cantonment.build_months) > 0
    return {
        Option.PRE_CANTON: (
            on_side,
            [
                every & model.programmes.pre_cantonment_open,
                pop.lenience[rows] < consent[group, column["pre_cantonment"]],
                free,
                every,
                view.pre_cantonment_places[region] > 0,
            ],
        ),
        Option.CANTON: (
            on_side | (status == Status.PRE_CANTONED),
            [
                every & built,
                pop.lenience[rows] < consent[group, column["cantonment"]],
                free,
                pop.armed[rows],
                view.cantonment_places[region] > 0,
            ],
        ),
        Option.REINSERT: (
            np.isin(
                status,
                [
                    Status.ACTIVE,
                    Status.MINING,
                    Status.PRE_CANTONED,
                    Status.CANTONED,
                    Status.UNFIT_WAITING,
                ],
            ),
            [reinsertion, every, free, every, every],
        ),
    }


def _reference_integration(model: DDRModel, view: MonthView, rows: np.ndarray) -> list:
    """The three routes into integration (accelerated, general, militia): candidates and
    gate masks, from docs/ODD.md 7.1."""
    pop = model.population
    state = model.programmes
    status = pop.status[rows]
    group = pop.group[rows].astype(int)
    consent = model.consent_matrix()
    column = model.programme_column
    on_side = np.isin(status, [Status.ACTIVE, Status.MINING])
    every = np.ones(len(rows), bool)
    free = ~held_back(model.population, rows, model.group_array("hedge"))
    fit = ~pop.child[rows] & ~pop.declared_unfit[rows]
    places = every & (view.registration_places > 0)
    signatory = model.group_array("signatory").astype(bool)[group]
    militia = model.spec.programmes.militia_programme
    in_force = state.agreement_in_force
    return [
        (
            status == Status.MOC,
            [
                every & (state.accelerated_launched is not None and in_force),
                pop.lenience[rows] < consent[group, column["accelerated_ddr"]],
                every,
                fit,
                places,
            ],
        ),
        (
            on_side | np.isin(status, [Status.PRE_CANTONED, Status.CANTONED]),
            [
                every & (state.general_integration_open and in_force),
                pop.lenience[rows] < consent[group, column["integration"]],
                free,
                fit & pop.armed[rows],
                places,
            ],
        ),
        (
            on_side & ~signatory,
            [
                every & (model.militia_programme_open() and militia.offer == "integration"),
                every,
                free,
                fit & pop.armed[rows],
                places,
            ],
        ),
    ]


def _passing(routes: list, k: int) -> np.ndarray:
    """People passing the first ``k`` gates of one of their routes."""
    out = np.zeros(len(routes[0][0]), bool)
    for candidates, gates in routes:
        mask = candidates.copy()
        for gate in gates[:k]:
            mask &= gate
        out |= mask
    return out


def _first_closing_gate_counts(candidates: np.ndarray, gates: list[np.ndarray]) -> list[int]:
    """[candidates, then those passing each gate], computed person by person."""
    first = np.full(len(candidates), -1)  # -1: offered
    for k in range(len(gates) - 1, -1, -1):
        first[~gates[k]] = k
    out = [int(candidates.sum())]
    for k in range(len(gates)):
        out.append(int((candidates & ((first == -1) | (first > k))).sum()))
    return out


@pytest.mark.parametrize("path", [TEACHING, MALI], ids=["teaching", "mali"])
def test_offers_and_gates_follow_the_rules_of_the_choice(path):
    """At many months of a real run, the open exit options and the stage counts equal the
    rules of docs/ODD.md 7.1 applied person by person."""
    model = DDRModel(load_scenario(path), seed=2)
    seen = {option: np.zeros(len(GATES) + 1, int) for option in (*SINGLE_ROUTE, Option.INTEGRATE)}
    while model.running:
        model.step()
        if model.month % 3:
            continue
        pop = model.population
        rows = np.flatnonzero(np.isin(pop.status[: pop.size], CHOOSERS))
        view = MonthView.of(model)
        offer = offers(model, view, rows)
        counts = offer.counts()
        reference = _reference_gates(model, view, rows)
        for option, (candidates, gates) in reference.items():
            assert np.array_equal(offer.ok[option], candidates & np.logical_and.reduce(gates))
            expected = _first_closing_gate_counts(candidates, gates)
            assert counts[option] == expected, (model.month, option)
            seen[option] += np.array(expected)
        routes = _reference_integration(model, view, rows)
        expected = [int(_passing(routes, k).sum()) for k in range(len(GATES) + 1)]
        assert counts[Option.INTEGRATE] == expected, model.month
        assert np.array_equal(offer.ok[Option.INTEGRATE], _passing(routes, len(GATES)))
        seen[Option.INTEGRATE] += np.array(expected)
    # the runs exercise the gates: some people offered each option, and closed by several
    for option, total in seen.items():
        closed = -np.diff(total)
        assert total[-1] > 0, option
        assert (closed > 0).sum() >= 2, (option, closed)


def test_counts_add_up_and_match_the_flows():
    """Every month: candidates = offered + closed by each gate; took <= chose <= offered;
    those who took pre-cantonment, cantonment and reinsertion are the flows into them, and
    those who took integration registered."""
    model = run(load_scenario(TEACHING), seed=1)
    flows = model.flows.values
    for option in EXIT_OPTIONS:
        c = _gate_counts(model, option)
        closed = sum(c[f"closed_by_{gate}"] for gate in GATES)
        assert np.array_equal(c["candidates"], c["offered"] + closed)
        assert (c["took"] <= c["chose"]).all() and (c["chose"] <= c["offered"]).all()
        assert c["offered"].sum() > 0, option
    took = {o: _gate_counts(model, o)["took"] for o in EXIT_OPTIONS}
    assert np.array_equal(took["pre_cantonment"], flows["pre_cantoned"].sum(axis=(1, 2)))
    assert np.array_equal(took["cantonment"], flows["cantoned"].sum(axis=(1, 2)))
    assert np.array_equal(took["reinsertion"], flows["reinserted"].sum(axis=(1, 2)))
    assert (took["integration"] <= flows["registered"].sum(axis=(1, 2))).all()
    assert took["integration"].sum() > 0


def test_counting_draws_no_random_numbers():
    """Computing the offers and their counts leaves every random stream where it was."""
    model = DDRModel(load_scenario(TEACHING), seed=0)
    for _ in range(40):
        model.step()
    streams = [model.rng_choice, model.rng_population, model.rng_events, model.rng]
    before = [s.bit_generator.state for s in streams]
    pop = model.population
    offer = offers(model, MonthView.of(model), np.arange(pop.size))
    offer.counts()
    assert [s.bit_generator.state for s in streams] == before


def test_a_programme_that_never_opens_is_closed_by_the_programme_gate():
    """No reinsertion programme: reinsertion is offered to nobody, and every candidate is
    closed by the programme gate, month after month."""
    model = run(build(months=24), seed=0)  # every programme closed
    c = _gate_counts(model, "reinsertion")
    assert c["candidates"].sum() > 100
    assert c["offered"].sum() == 0
    assert np.array_equal(c["closed_by_programme"], c["candidates"])


def test_consent_closes_an_open_programme_and_places_close_what_consent_opens():
    """Pre-cantonment opens in month 6 with commanders who refuse it: closed by the
    programme gate before, by consent after. With commanders who allow it, to people
    outside the region of the assembly area, it is closed by places."""
    opens = {
        "programmes.pre_cantonment": {"opens": month(6), "regions": ["North"], "capacity": 5000}
    }
    refuse = {**opens, "behaviour.consent_threshold": 50.0, "behaviour.decision_softness": 0.1}
    c = _gate_counts(run(build(refuse, months=18), seed=0), "pre_cantonment")
    assert c["candidates"][:6].sum() > 0 and c["candidates"][6:].sum() > 0
    assert np.array_equal(c["closed_by_programme"][:6], c["candidates"][:6])
    assert np.array_equal(c["closed_by_consent"][6:], c["candidates"][6:])
    allow = {**opens, "behaviour.consent_threshold": -50.0, "behaviour.decision_softness": 0.1}
    c = _gate_counts(run(build(allow, months=18), seed=0), "pre_cantonment")
    assert c["closed_by_consent"].sum() == 0
    assert c["closed_by_places"][6:].sum() > 0  # those in the South
    assert c["offered"][6:].sum() > 0  # those in the North


def test_gate_totals_are_in_the_summary():
    """The run totals of every count land in the summary, described by the registry."""
    from ddr_sim.runs.registry import describe
    from ddr_sim.runs.runner import run as run_scenario

    result = run_scenario(build(months=12), seeds=1)
    row = result.summary.iloc[0]
    model = run(build(months=12), seed=0)
    for option in EXIT_OPTIONS:
        for count in GATE_COUNTS:
            column = f"{option}_{count}_total"
            assert describe(column) is not None, column
            assert row[column] == model.history.series[gate_series(option, count)].sum()
