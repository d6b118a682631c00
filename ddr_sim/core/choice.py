"""The monthly person decision: one vectorized random-utility (multinomial logit) choice.

Each month a share ``revision_rate`` of people reconsider their situation (the others
keep it: status-quo inertia). A person who reconsiders chooses among the options open to
them, with probability proportional to exp(scale * U):

    U_o = w_I income_o + w_tie tie * side_group_o + w_T (trust - 0.5) * side_state_o
          + bonus_o - w_R danger_o (1 - risk_tolerance) - penalties_o

Options: KEEP (stay as one is), ACTIVE (back with the group), MINE (artisanal gold,
mechanism 5), PRE_CANTON and CANTON (mechanism 6, where places exist and the person's
commander consents, mechanism 1), INTEGRATE (through an open programme, mechanism 7),
REINSERT (civilian reinsertion, mechanism 8). A step a group consents to with share c is
open to the members whose ``lenience`` is below c. Civilian reinsertion is an individual
choice the group can only discourage: it is open to every member while a round is open,
and costs ``reinsertion_veto_weight * tie * (1 - c_reinsertion)`` in utility (defying the
commanders who refuse it). Fighters the group holds back (mechanism 2) can only keep, go
back to the group or mine (MOC members are never held back: their group sent them).
Options with limited places (sites, gold sites, registration, reinsertion intake) admit
choosers in random order up to the places left; the rest keep their status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.core.availability import EXIT_OPTIONS, offers
from ddr_sim.core.mechanisms.pressure import screen, within_parity
from ddr_sim.core.mechanisms.reinsertion import reinsertion_income
from ddr_sim.core.options import N_OPTIONS, MonthView, Option
from ddr_sim.core.population import lookup
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.agents import ArmedGroup
    from ddr_sim.core.model import DDRModel


#: Statuses whose holders take this choice (integrated people face ``reversal``).
CHOOSERS = np.array(
    [
        Status.ACTIVE,
        Status.MINING,
        Status.PRE_CANTONED,
        Status.CANTONED,
        Status.MOC,
        Status.TRAINING,
        Status.UNFIT_WAITING,
    ],
    np.int8,
)

#: Share of the group's income a person gets while keeping their status (the unfit who
#: wait for integration live half on the group).
_GROUP_INCOME_SHARE = np.zeros(len(Status), np.float32)
_GROUP_INCOME_SHARE[Status.ACTIVE] = 1.0
_GROUP_INCOME_SHARE[Status.UNFIT_WAITING] = 0.5

_IS_CHOOSER = np.zeros(len(Status), bool)
_IS_CHOOSER[CHOOSERS] = True

_GROUP_SIDE_KEEP = np.zeros(len(Status), np.float32)
_GROUP_SIDE_KEEP[[Status.ACTIVE, Status.MINING, Status.PRE_CANTONED, Status.UNFIT_WAITING]] = 1.0
_GROUP_SIDE_KEEP[Status.MOC] = 0.5
_STATE_SIDE_KEEP = np.zeros(len(Status), np.float32)
_STATE_SIDE_KEEP[[Status.MOC, Status.CANTONED]] = 0.5
_STATE_SIDE_KEEP[Status.TRAINING] = 1.0


def _keep_income(
    model: DDRModel, view: MonthView, status: np.ndarray, group_income: np.ndarray
) -> np.ndarray:
    """Income of staying as one is; ``status`` as intp indices."""
    sc = model.spec
    eco = sc.economy
    reliability = model.government.pay_reliability
    by_status = np.zeros(len(Status), np.float32)
    by_status[Status.MINING] = view.miner_income
    by_status[Status.PRE_CANTONED] = sc.programmes.pre_cantonment.support_value
    by_status[Status.CANTONED] = sc.programmes.cantonment.support_value
    by_status[Status.MOC] = eco.moc_pay * reliability
    by_status[Status.TRAINING] = eco.moc_pay * reliability
    return by_status[status] + _GROUP_INCOME_SHARE[status] * group_income


def utilities(
    model: DDRModel, view: MonthView, rows: np.ndarray, open_options: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Utility matrix (options x rows) and the income each option pays.

    Rows of options open to nobody (``open_options`` False) are left at zero: they are
    never drawn.
    """
    if open_options is None:
        open_options = np.ones(N_OPTIONS, bool)
    sc = model.spec
    b = sc.behaviour
    pop = model.population
    status = pop.status[rows]
    status_index = status.astype(np.intp)  # intp indices look up much faster than int8
    group = pop.group[rows].astype(np.intp)
    region = pop.where[rows].astype(np.intp)
    tie = pop.tie[rows]
    tie_term = b.tie_weight * tie
    state_term = b.trust_weight * (pop.trust[rows] - 0.5)
    caution = 1.0 - pop.risk_tolerance[rows]
    g_income = view.group_income[group]

    income = np.zeros((N_OPTIONS, len(rows)), np.float32)
    u = np.zeros((N_OPTIONS, len(rows)), np.float32)
    income[Option.KEEP] = _keep_income(model, view, status_index, g_income)
    u[Option.KEEP] = (
        tie_term * _GROUP_SIDE_KEEP[status_index] + state_term * _STATE_SIDE_KEEP[status_index]
    )
    in_moc = np.flatnonzero(status == Status.MOC)
    u[Option.KEEP, in_moc] -= b.risk_weight * model.danger["moc"] * caution[in_moc]
    u[Option.KEEP, status == Status.TRAINING] += b.integration_status_bonus
    if open_options[Option.ACTIVE]:
        income[Option.ACTIVE] = g_income
        u[Option.ACTIVE] = tie_term
    if open_options[Option.MINE]:
        income[Option.MINE] = view.miner_income
        danger = b.risk_weight * model.attack_rate.astype(np.float32)  # per region
        u[Option.MINE] = tie_term - danger[region] * caution
    if open_options[Option.PRE_CANTON]:
        income[Option.PRE_CANTON] = sc.programmes.pre_cantonment.support_value
        u[Option.PRE_CANTON] = tie_term
    if open_options[Option.CANTON]:
        income[Option.CANTON] = sc.programmes.cantonment.support_value
        danger = b.risk_weight * model.danger["cantonment"]
        u[Option.CANTON] = 0.5 * state_term - danger * caution
    if open_options[Option.INTEGRATE]:
        income[Option.INTEGRATE] = sc.economy.army_pay * model.government.pay_reliability
        u[Option.INTEGRATE] = state_term + b.integration_status_bonus
        if sc.programmes.integration.destination == "national_army":
            u[Option.INTEGRATE] -= b.far_posting_aversion * tie
    if open_options[Option.REINSERT]:
        militia = ~view.signatory[group]
        income[Option.REINSERT] = reinsertion_income(
            sc.programmes, b, model.cvr_intensity, region, militia
        )
        refused = 1.0 - view.consent[group, model.programme_column["reinsertion"]]
        u[Option.REINSERT] = state_term - b.reinsertion_veto_weight * tie * refused * ~militia
        u[Option.REINSERT, status == Status.UNFIT_WAITING] -= b.unfit_reinsertion_penalty
    u += b.income_weight * income
    return u, income


def logit_draw(rng: np.random.Generator, u: np.ndarray, ok: np.ndarray, scale: float) -> np.ndarray:
    """One multinomial-logit draw per column (person) of ``u`` among the open options."""
    z = np.float32(scale) * u
    z -= z[Option.KEEP].copy()  # relative to KEEP, always open: keeps exp() in range
    np.minimum(z, np.float32(80.0), out=z)
    np.exp(z, out=z)
    np.multiply(z, ok, out=z)
    cum = z
    for o in range(1, N_OPTIONS):  # running sum over the options, in option order
        np.add(cum[o - 1], cum[o], out=cum[o])
    pick = rng.random(u.shape[1], dtype=np.float32) * cum[-1]
    # the first option whose running sum passes the draw; the running sums never decrease,
    # so it is the number of options at or below it (none passes, by rounding: KEEP)
    first = np.add.reduce(cum <= pick, axis=0, dtype=np.uint8)  # option codes (< 256)
    first[first == N_OPTIONS] = Option.KEEP
    return first


def _admit_by_region(
    rng: np.random.Generator, chosen: np.ndarray, region: np.ndarray, places: np.ndarray
) -> np.ndarray:
    """Positions in ``chosen`` admitted, in random order, up to ``places`` per region."""
    if len(chosen) == 0:
        return chosen
    where = region[chosen]
    wanted = np.bincount(where, minlength=len(places))
    over = wanted > places
    full = np.flatnonzero(over)
    if len(full) == 0:
        return chosen
    keep = ~over[where]
    admitted = [chosen[keep]]
    for r in full:
        here = chosen[where == r]
        admitted.append(rng.permutation(here)[: max(0, int(places[r]))])
    return np.concatenate(admitted)


def _admit(rng: np.random.Generator, chosen: np.ndarray, places: int) -> np.ndarray:
    if len(chosen) <= places:
        return chosen
    return rng.permutation(chosen)[: max(0, places)]


def _takes_part(group: ArmedGroup) -> bool:
    """A signatory group covered by the agreement, at the table and not at war: its
    coalition counts for the parity rule (one that walks out does not hold the others)."""
    return group.signatory and group.at_the_table and not group.fighting


def _within_parity(
    model: DDRModel, rng: np.random.Generator, rows: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """Positions in ``chosen`` (into ``rows``) the parity rule lets register this month."""
    margin = model.spec.programmes.integration.parity_margin
    if margin is None or len(chosen) == 0:
        return chosen
    coalition_of_slot = np.array([g.coalition for g in model.groups])  # slot = list index
    coalition = coalition_of_slot[model.population.group[rows[chosen]]]
    return within_parity(
        rng,
        chosen,
        coalition,
        margin=margin,
        taking_part=[g.coalition for g in model.active_groups() if _takes_part(g)],
        registered=model.programmes.registered_by_coalition,
    )


def _weighing(
    model: DDRModel, view: MonthView, revising: np.ndarray, announced: set[str]
) -> tuple[np.ndarray, np.ndarray]:
    """The rows that take the choice this month and the options open to them (options x
    rows); counts the exit options' gates among them (``History.count_offers``)."""
    pop = model.population
    if not announced:
        rows = revising[lookup(_IS_CHOOSER, pop.status[revising])]
        offer = offers(model, view, rows)
        model.history.count_offers(offer.counts())
        return rows, offer.ok
    everyone = np.flatnonzero(lookup(_IS_CHOOSER, pop.status[: pop.size]))
    offer = offers(model, view, everyone)
    ok = offer.ok
    reconsider = np.zeros(pop.size, bool)
    reconsider[revising] = True
    new_options = [Option[name] for name in sorted(announced)]
    news = ok[new_options].any(axis=0)
    regular = reconsider[everyone]
    weighs = regular | news
    model.history.count_offers(
        offer.counts({o: weighs if o in new_options else regular for o in EXIT_OPTIONS})
    )
    keep = np.flatnonzero(weighs)
    rows, ok = everyone[keep], ok.take(keep, axis=1)
    # those who reconsider only because of the news weigh the new option against
    # staying as they are
    regular = regular[keep]
    for option in Option:
        if option != Option.KEEP and option not in new_options:
            ok[option] &= regular
    return rows, ok


def choose(model: DDRModel, revising: np.ndarray, announced: set[str] = frozenset()) -> None:
    """Run the monthly choice and move people accordingly.

    ``revising`` are the rows that reconsider this month; ``announced`` names options
    (``"INTEGRATE"``, ``"REINSERT"``) that opened this month: everyone they are open to
    also weighs them against staying as they are.
    """
    pop = model.population
    rng = model.rng_choice
    view = MonthView.of(model)
    rows, ok = _weighing(model, view, revising, announced)
    if len(rows) == 0:
        return
    # KEEP (row 0) is always open: with no other open option there is nothing to choose
    choosing = np.flatnonzero(ok[1:].any(axis=0))
    if len(choosing) < len(rows):
        rows, ok = rows[choosing], ok.take(choosing, axis=1)
    if len(rows) == 0:
        return
    u, income = utilities(model, view, rows, open_options=ok.any(axis=1))
    pick = logit_draw(rng, u, ok, model.spec.behaviour.choice_scale)
    region = pop.where[rows].astype(np.int64)
    month = model.month

    def picked(option: Option) -> np.ndarray:
        return np.flatnonzero(pick == option)

    admitted: dict[Option, np.ndarray] = {
        Option.ACTIVE: picked(Option.ACTIVE),
        Option.MINE: _admit_by_region(rng, picked(Option.MINE), region, view.mining_places),
        Option.PRE_CANTON: _admit_by_region(
            rng, picked(Option.PRE_CANTON), region, view.pre_cantonment_places
        ),
        Option.CANTON: _admit_by_region(rng, picked(Option.CANTON), region, view.cantonment_places),
        Option.INTEGRATE: _admit(
            rng,
            _within_parity(model, rng, rows, picked(Option.INTEGRATE)),
            view.registration_places,
        ),
        Option.REINSERT: _admit(rng, picked(Option.REINSERT), view.reinsertion_places),
    }
    model.history.count_choices(pick, admitted)
    for option, pos in admitted.items():
        if len(pos) == 0:
            continue
        people = rows[pos]
        pop.income[people] = income[option, pos]
        match option:
            case Option.ACTIVE:
                pop.move(people, Status.ACTIVE, month, where=pop.home[people])
            case Option.MINE:
                pop.move(people, Status.MINING, month)
            case Option.PRE_CANTON:
                pop.move(people, Status.PRE_CANTONED, month)
                model.flows.add("pre_cantoned", people)
            case Option.CANTON:
                pop.move(people, Status.CANTONED, month)
                model.flows.add("cantoned", people)
            case Option.INTEGRATE:
                screen(model, people)
            case Option.REINSERT:
                pop.move(people, Status.REINSERTED, month)
                model.flows.add("reinserted", people)
                model.costs["reinsertion_usd"] += (
                    len(people) * model.spec.programmes.reinsertion.unit_cost_usd
                )
