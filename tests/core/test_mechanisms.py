"""One test per mechanism of DOMAIN.md section 4: the DIRECTION of its effect.

Each test compares a baseline with one lever changed, on a small scenario from
``scenario_builders``, averaged over several seeds so that noise does not decide. Each
asserts a strict inequality with a margin and, where the mechanism has a switch (a weight
or an on/off input), that the effect is absent when the switch is off. No outcome count of
the model is asserted as an expected value: only directions and orders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from support.scenario_builders import CALM_TRUST, START, build, flow_total, month, run, status_total

from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import Status

SEEDS = range(6)

Stat = Callable[[DDRModel], float]


def mean_stat(overrides: Mapping[str, Any], stat: Stat, **minimal: Any) -> float:
    """Mean of ``stat`` over runs of ``build(overrides, **minimal)`` with ``SEEDS``."""
    scenario = build(overrides, **minimal)
    return float(np.mean([stat(run(scenario, s)) for s in SEEDS]))


def flow(name: str, months: slice = slice(None)) -> Stat:
    return lambda m: flow_total(m, name, months)


def mean_count(status: Status, months: slice = slice(None)) -> Stat:
    return lambda m: float(status_total(m, status, months).mean())


def first_month(values: np.ndarray) -> int:
    """First index where ``values`` is true (the series length when never)."""
    hits = np.flatnonzero(values)
    return int(hits[0]) if len(hits) else len(values)


def group_trust_at(t: int) -> Stat:
    return lambda m: float(m.history.group_series["trust"][t, 0])


# -- common programme blocks ---------------------------------------------------------------
SITES = {
    "programmes.cantonment": {
        "sites_proposed": 2,
        "sites_approved": 2,
        "capacity_per_site": 300,
        "build_months": 3,
        "regions": ["North", "South"],
        "approval": START,
    }
}
MOC = {"programmes.moc": {"opens": START, "sites": ["North", "South"], "places_per_group": 100}}
#: Political demands met: the group consents to what its score allows.
DEMANDS_MET = {"groups.Hills.political_demand": 0.1, "politics.initial_progress": 0.6}


# 1 -- politics gates DDR ---------------------------------------------------------------
def test_no_cantonment_without_political_progress():
    """Sites built and open, but progress far below demand: almost no commander consents and
    formal cantonment stays nearly empty; with progress above demand people enter. With the
    progress weight at zero the demand no longer blocks consent."""
    base = {
        **SITES,
        **CALM_TRUST,
        "groups.Hills.initial_trust": 0.6,
        "politics.progress_rate": 0.0,
        "behaviour.consent_ease.cantonment": 0.0,
    }
    far_below = {**base, "groups.Hills.political_demand": 0.9, "politics.initial_progress": 0.05}
    above = {**base, "groups.Hills.political_demand": 0.3, "politics.initial_progress": 0.8}
    cantoned = flow("cantoned")
    consent = lambda m: float(m.history.group_series["consent_cantonment"][:, 0].mean())  # noqa: E731

    assert mean_stat(far_below, cantoned) < 0.02 * mean_stat(above, cantoned)
    assert mean_stat(far_below, consent) < 0.01
    assert mean_stat(above, cantoned) > 50
    assert mean_stat(above, consent) > 0.9
    # switch off: the demand no longer gates consent
    ungated = {**far_below, "behaviour.consent_progress_weight": 0.0}
    assert mean_stat(ungated, cantoned) > 50


# 2 -- trust is the bottleneck ----------------------------------------------------------
def _share_of_best_among_listed(m: DDRModel) -> float:
    """Share of the best armed fighters (quality >= 0.7) among those ever put in MOC."""
    pop = m.population
    n = pop.size
    listed = pop.listed[:n] & pop.armed[:n]
    if not listed.any():
        return float("nan")
    return float((pop.quality[:n][listed] >= 0.7).mean())


def test_low_trust_makes_groups_hold_back_best_fighters():
    """At low trust the group keeps its best fighters out of MOC; at high trust it sends
    them like the others. Without hedging (hedge_max = 0) trust makes no such difference.
    Boycotts are switched off so that the low-trust group still staffs MOC."""
    base = {
        **MOC,
        **DEMANDS_MET,
        "behaviour.boycott_threshold": -10.0,
        "behaviour.consent_ease.moc": 1.0,
        "behaviour.hedge_max": 0.6,
    }
    low = {**base, "groups.Hills.initial_trust": 0.1}
    high = {**base, "groups.Hills.initial_trust": 0.9}
    best = _share_of_best_among_listed

    low_best, high_best = mean_stat(low, best), mean_stat(high, best)
    assert high_best > low_best + 0.1
    # hedged share grows as trust falls
    hedge = lambda m: float(m.history.group_series["hedge"][:, 0].mean())  # noqa: E731
    assert mean_stat(low, hedge) > mean_stat(high, hedge) + 0.1

    off = {"behaviour.hedge_max": 0.0}
    low_off, high_off = mean_stat({**low, **off}, best), mean_stat({**high, **off}, best)
    assert abs(high_off - low_off) < 0.05
    assert low_off > low_best + 0.1


# 3 -- interim measures harden ----------------------------------------------------------
def _interim(moc_month: int) -> dict[str, Any]:
    """MOC (the interim measure) opens at ``moc_month``; general integration at month 30.

    Trust is frozen and progress constant so that hardening is the only thing that moves
    the consent score; demands are met by a margin that hardening of ~30 months erases.
    """
    return {
        **CALM_TRUST,
        "programmes.moc": {
            "opens": month(moc_month),
            "sites": ["North", "South"],
            "places_per_group": 100,
        },
        "programmes.integration.general_opens": month(30),
        "programmes.integration.monthly_capacity": 200,
        "groups.Hills.political_demand": 0.4,
        "groups.Hills.initial_trust": 0.5,
        "politics.initial_progress": 0.55,
        "politics.progress_rate": 0.0,
        "behaviour.consent_ease.integration": 0.0,
        "behaviour.consent_progress_weight": 4.0,
        "behaviour.hardening_months": 24.0,
        "behaviour.hardening_weight": 1.5,
    }


def test_longer_interim_measures_lower_consent_to_ddr():
    """Interim measures run 30 months before DDR opens vs 6 months: the long-interim group
    registers fewer people for integration. With hardening_weight = 0 the length of the
    interim period does not matter."""
    registered = flow("registered")
    long_, short = _interim(0), _interim(24)
    months = {"months": 42}
    long_reg, short_reg = (
        mean_stat(long_, registered, **months),
        mean_stat(short, registered, **months),
    )
    assert short_reg > 1.5 * long_reg + 20
    hardening = lambda m: float(m.history.series["hardening"][29])  # noqa: E731
    assert mean_stat(long_, hardening, **months) > mean_stat(short, hardening, **months) + 0.2

    off = {"behaviour.hardening_weight": 0.0}
    long_off = mean_stat({**long_, **off}, registered, **months)
    short_off = mean_stat({**short, **off}, registered, **months)
    assert long_off > short_reg * 0.7
    assert abs(long_off - short_off) < 0.25 * max(long_off, short_off)


def test_interim_expiry_stops_hardening():
    """With interim measures closing after 6 months, hardening stops growing at the expiry
    and the group still consents to DDR when it opens at month 30."""
    months = {"months": 42}
    open_ended = _interim(0)
    expiring = {**open_ended, "programmes.interim_expiry_months": 6}
    scen_open, scen_exp = build(open_ended, **months), build(expiring, **months)
    m_open, m_exp = run(scen_open, 0), run(scen_exp, 0)
    h_open, h_exp = m_open.history.series["hardening"], m_exp.history.series["hardening"]
    # frozen after the expiry, still growing without it
    assert np.all(h_exp[6:] == h_exp[6])
    assert h_open[29] > h_exp[29] + 0.2
    assert np.all(np.diff(h_open[:30]) > 0)
    registered = flow("registered")
    assert (
        mean_stat(expiring, registered, **months)
        > 1.5 * mean_stat(open_ended, registered, **months) + 20
    )


# 4 -- paid delay -----------------------------------------------------------------------
def test_committee_allowance_above_civil_service_pay_delays_consent():
    """Progress rises towards the demand; a committee allowance 2.5 times civil-service
    pay makes most of the group's commanders consent to DDR later than an allowance equal
    to it. With allowance_delay_weight = 0 the allowance does not matter."""
    base = {
        **CALM_TRUST,
        "groups.Hills.political_demand": 0.4,
        "groups.Hills.initial_trust": 0.5,
        "politics.initial_progress": 0.1,
        "politics.progress_rate": 0.04,
        "politics.political_will": 1.0,
        "behaviour.boycott_threshold": -10.0,  # keep boycotts out of the comparison
        "behaviour.allowance_delay_weight": 0.5,
        "behaviour.consent_ease.accelerated_ddr": 0.0,
        "behaviour.consent_ease.integration": 0.0,
        "economy.civil_service_pay": 60.0,
    }
    equal = {**base, "economy.committee_allowance": 60.0}
    high = {**base, "economy.committee_allowance": 150.0}
    first = lambda m: first_month(m.history.group_series["consent_ddr"][:, 0] > 0.5)  # noqa: E731
    kw = {"months": 60}
    t_equal, t_high = mean_stat(equal, first, **kw), mean_stat(high, first, **kw)
    assert t_equal < 60, "the baseline should consent within the calendar"
    assert t_high > t_equal + 3

    off = {"behaviour.allowance_delay_weight": 0.0}
    assert mean_stat({**high, **off}, first, **kw) == pytest.approx(
        mean_stat({**equal, **off}, first, **kw), abs=1.0
    )


# 5 -- outside options ------------------------------------------------------------------
def test_gold_income_draws_fighters_into_mining():
    """After a gold rush (gross income 200 vs 15 kFCFA a month) more members mine. Where
    there is no gold capacity nobody mines whatever the price."""
    base = {
        "economy.gold_rush_start": START,
        "economy.gold_income_before_rush": 15.0,
        "regions.North.gold_sites": 0.3,
    }
    rush = {**base, "economy.gold_income": 200.0}
    no_rush = {**base, "economy.gold_income": 15.0}
    mining = mean_count(Status.MINING)
    with_rush, without = mean_stat(rush, mining), mean_stat(no_rush, mining)
    assert with_rush > 1.3 * without + 10

    no_sites = {"regions.North.gold_sites": 0.0}
    assert mean_stat({**rush, **no_sites}, mining) == 0
    assert mean_stat({**no_rush, **no_sites}, mining) == 0


# 6 -- cantonment is contested ----------------------------------------------------------
def _site_attacks(region: str) -> list[dict[str, Any]]:
    return [
        {"date": month(k), "type": "attack", "region": region, "target": "sites", "severity": 1.0}
        for k in (3, 5)
    ]


def test_site_attacks_delay_construction():
    """Attacks on the sites set their construction back: they are completed later than
    without attacks. Attacks in a region with no site do not delay them."""
    base = {**SITES, "programmes.cantonment.build_months": 6}
    completed = lambda m: first_month(m.history.series["sites_built"] >= 2)  # noqa: E731
    calm = mean_stat(base, completed)
    attacked = mean_stat({**base, "events": _site_attacks("North")}, completed)
    assert calm < 36
    assert attacked > calm + 2
    # sites are spread North, South: move both sites to South, attack North
    elsewhere = {
        **base,
        "programmes.cantonment.regions": ["South"],
        "events": _site_attacks("North"),
    }
    assert mean_stat(elsewhere, completed) == calm


def test_cantonment_needs_group_consent():
    """Sites are built and demands met; a group whose consent score for cantonment is
    negative keeps everyone out, a consenting one lets its fighters in."""
    base = {**SITES, **DEMANDS_MET, "groups.Hills.initial_trust": 0.6}
    refusing = {**base, "behaviour.consent_ease.cantonment": -10.0}
    consenting = {**base, "behaviour.consent_ease.cantonment": 2.0}
    cantoned = flow("cantoned")
    assert mean_stat(refusing, cantoned) < 0.01 * mean_stat(consenting, cantoned)
    assert mean_stat(consenting, cantoned) > 50


# 7 -- pressure can restart a stalled process, partially ---------------------------------
def _accelerated(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    return {
        **MOC,
        **DEMANDS_MET,
        "groups.Hills.initial_trust": 0.6,
        "programmes.accelerated_ddr": {
            "earliest": month(6),
            "pressure_threshold": 0.5,
            "monthly_capacity": 200,
            "training_months": 2,
        },
        **(extra or {}),
    }


def test_pressure_launches_accelerated_ddr():
    """A pressure campaign above the launch threshold makes the government launch
    accelerated DDR, which registers MOC members; without it the launch is unlikely and
    far fewer register. (The groups' readiness is left out of the launch decision here, so
    that pressure is what moves it.) Without an accelerated DDR programme on the calendar
    pressure launches nothing."""
    campaign = [{"date": month(8), "type": "pressure_campaign", "severity": 0.9}]
    registered = flow("registered")
    unready = {"behaviour.launch_readiness_weight": 0.0}
    stalled = mean_stat(_accelerated(unready), registered)
    pressed = mean_stat(_accelerated({**unready, "events": campaign}), registered)
    assert pressed > 50
    assert stalled < 0.2 * pressed
    no_programme = _accelerated(
        {**unready, "events": campaign, "programmes.accelerated_ddr.earliest": None}
    )
    assert mean_stat(no_programme, registered) == 0


def test_strict_screening_declares_more_unfit():
    """Stricter medical screening declares a larger share of registrants unfit. When
    everyone is fit, strictness declares no one."""

    def unfit_share(m: DDRModel) -> float:
        reg = flow_total(m, "registered")
        return flow_total(m, "declared_unfit") / reg if reg else float("nan")

    base = {
        **DEMANDS_MET,
        "groups.Hills.initial_trust": 0.6,
        "programmes.integration.general_opens": START,
        "programmes.integration.monthly_capacity": 200,
        "behaviour.fitness_base": 0.6,
    }
    lax = mean_stat({**base, "politics.screening_strictness": 0.1}, unfit_share)
    strict = mean_stat({**base, "politics.screening_strictness": 0.9}, unfit_share)
    assert strict > 2 * lax + 0.1

    all_fit = {**base, "behaviour.fitness_base": 1.0, "politics.screening_strictness": 0.9}
    assert mean_stat(all_fit, flow("declared_unfit")) == 0
    assert mean_stat(all_fit, flow("registered")) > 50


# 8 -- civilian reinsertion needs a credible package -------------------------------------
def test_credible_package_raises_reinsertion():
    """A credible, promoted package draws more people into reinsertion than the same
    package nobody believes in. With no reinsertion round nobody is reinserted."""
    base = {
        **DEMANDS_MET,
        "groups.Hills.initial_trust": 0.6,
        "behaviour.consent_ease.reinsertion": 1.0,
        "programmes.reinsertion": {
            "opens": START,
            "package_value": 1500.0,
            "promoted": True,
            "monthly_capacity": 500,
        },
    }
    reinserted = flow("reinserted")
    credible = mean_stat({**base, "programmes.reinsertion.credibility": 1.0}, reinserted)
    doubtful = mean_stat({**base, "programmes.reinsertion.credibility": 0.05}, reinserted)
    assert credible > 1.5 * doubtful + 20
    closed = {
        **base,
        "programmes.reinsertion.credibility": 1.0,
        "programmes.reinsertion.opens": None,
    }
    assert mean_stat(closed, reinserted) == 0


# 9 -- lists inflate --------------------------------------------------------------------
def test_ddr_prospect_inflates_lists():
    """A group covered by the agreement recruits more than the same group before it signs;
    with inflation_gain = 0 coverage makes no difference. At a registration, the group
    lists more people when the DDR prospect has driven recruitment."""
    kw = {"youth_pool": 3000}
    recruited = flow("recruited")
    covered = {"groups.Hills.signs": START}
    uncovered = {"groups.Hills.signs": None}
    assert mean_stat(covered, recruited, **kw) > 1.5 * mean_stat(uncovered, recruited, **kw) + 20

    off = {"behaviour.inflation_gain": 0.0}
    off_cov, off_unc = (
        mean_stat({**covered, **off}, recruited, **kw),
        mean_stat({**uncovered, **off}, recruited, **kw),
    )
    assert abs(off_cov - off_unc) < 0.2 * max(off_cov, off_unc) + 5

    registration = {
        **DEMANDS_MET,
        "groups.Hills.initial_trust": 0.6,
        "events": [{"date": month(30), "type": "registration"}],
    }
    listed = lambda m: float(m.history.listed[-1].sum())  # noqa: E731
    inflated = mean_stat(registration, listed, **kw)
    plain = mean_stat({**registration, **off}, listed, **kw)
    assert inflated > plain + 20


# 10 -- CVR buys time -------------------------------------------------------------------
def test_cvr_reduces_recruitment():
    """CVR projects where groups operate cut recruitment. With cvr_recruitment_cut = 0
    CVR leaves recruitment unchanged."""
    kw = {"youth_pool": 3000}
    cvr = {
        "programmes.cvr": {
            "starts": START,
            "budget_usd_per_year": 2_000_000.0,
            "project_cap_usd": 50_000.0,
        }
    }
    recruited = flow("recruited")
    without, with_cvr = mean_stat({}, recruited, **kw), mean_stat(cvr, recruited, **kw)
    assert with_cvr < 0.8 * without - 10
    off = {"behaviour.cvr_recruitment_cut": 0.0}
    assert mean_stat({**cvr, **off}, recruited, **kw) == pytest.approx(
        mean_stat(off, recruited, **kw), rel=0.1
    )


# 11 -- shocks --------------------------------------------------------------------------
SHOCK_MONTH = 12


def test_coup_lowers_trust():
    """A coup lowers every group's trust at once; with trust_loss_coup = 0 it does not
    (the trust paths are identical up to and including the coup month)."""
    base = {**CALM_TRUST, "politics.progress_rate": 0.0, "groups.Hills.initial_trust": 0.6}
    coup = [{"date": month(SHOCK_MONTH), "type": "coup", "regime": "transition", "severity": 0.8}]
    at = group_trust_at(SHOCK_MONTH)
    before = mean_stat(base, at)
    after = mean_stat({**base, "events": coup}, at)
    assert after < before - 0.03
    off = {"behaviour.trust_loss_coup": 0.0}
    assert mean_stat({**base, **off, "events": coup}, at) == pytest.approx(
        mean_stat({**base, **off}, at)
    )


def test_one_sided_sanctions_lower_trust_balanced_do_not():
    """Sanctions that hit only the groups lower their trust; balanced sanctions leave it
    where it would have been without sanctions."""
    base = {**CALM_TRUST, "politics.progress_rate": 0.0, "groups.Hills.initial_trust": 0.6}

    def sanctions(one_sided: bool) -> list[dict[str, Any]]:
        return [
            {
                "date": month(SHOCK_MONTH),
                "type": "sanctions",
                "severity": 0.8,
                "one_sided": one_sided,
            }
        ]

    trust = lambda m: float(m.history.group_series["trust"][SHOCK_MONTH:, 0].mean())  # noqa: E731
    none = mean_stat(base, trust)
    one_sided = mean_stat({**base, "events": sanctions(True)}, trust)
    balanced = mean_stat({**base, "events": sanctions(False)}, trust)
    assert one_sided < none - 0.02
    assert balanced == pytest.approx(none, abs=0.005)
    assert balanced > one_sided + 0.02


# 12 -- reversal ------------------------------------------------------------------------
COLLAPSE_MONTH = 18


def _integration(extra: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """General integration from the start with quotas agreed up front: people integrate
    early; the process may collapse at COLLAPSE_MONTH."""
    return {
        **DEMANDS_MET,
        "groups.Hills.initial_trust": 0.6,
        "programmes.integration": {
            "general_opens": START,
            "quota_mode": "upfront",
            "monthly_capacity": 200,
        },
        "programmes.accelerated_ddr.training_months": 1,
        **(extra or {}),
    }


def test_integrated_fighters_return_when_fighting_resumes():
    """After the agreement's termination (or offensives against the group) more
    integrated fighters return to their group than in the same months without collapse.
    With rejoin_weight_collapse = 0 the collapse makes much less difference."""
    after = slice(COLLAPSE_MONTH, None)
    rejoined = flow("rejoined", after)
    integrated = lambda m: float(status_total(m, Status.INTEGRATED)[COLLAPSE_MONTH - 1])  # noqa: E731
    termination = [{"date": month(COLLAPSE_MONTH), "type": "agreement_termination"}]
    offensives = [  # a three-month campaign against the group's stronghold, then its rear
        {
            "date": month(COLLAPSE_MONTH + k),
            "type": "offensive",
            "groups": ["Hills"],
            "region": region,
            "severity": 0.8,
        }
        for k, region in ((0, "North"), (3, "South"), (6, "South"))
    ]

    assert mean_stat(_integration(), integrated) > 100
    calm = mean_stat(_integration(), rejoined)
    collapsed = mean_stat(_integration({"events": termination}), rejoined)
    attacked = mean_stat(_integration({"events": offensives}), rejoined)
    assert collapsed > 2 * calm + 20
    assert attacked > 1.5 * calm + 5

    off = {"behaviour.rejoin_weight_collapse": 0.0}
    calm_off = mean_stat(_integration(off), rejoined)
    collapsed_off = mean_stat(_integration({**off, "events": termination}), rejoined)
    assert collapsed_off - calm_off < 0.25 * (collapsed - calm)
