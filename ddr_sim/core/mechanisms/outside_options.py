"""Mechanism 5, outside options: income from gold, extortion and trafficking competes with
integration pay and weakens every incentive to settle (Fearon 2004).

    gold_gross(t) = gold_income        after the gold rush begins
                  = gold_income_before_rush   before
    miner_net     = gold_gross (1 - gold_tax)            (the site holder takes the tax)
    group_income_per_member_g = group_pay + trafficking_income
                                + gold_tax * gold_gross * miners_taxed_by_g / members_g
    rent_g        = (group_income_per_member_g - group_pay) / army_pay

rent_g is the income the group itself controls; it makes the group hold more fighters
back (trust) and consent less to the steps that end the process (politics_gate).

Mining is open to a person where the region has gold capacity (``regions.gold_sites``,
the share of its members who can find a place on a site) and the site is not in
government hands (an army-held region shuts the armed groups' informal sites).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

GOVERNMENT = -1


def gold_gross(model: DDRModel) -> float:
    """Gross artisanal gold income per miner this month (kFCFA)."""
    eco = model.spec.economy
    if eco.gold_rush_start is None:
        return eco.gold_income_before_rush
    rush = month_index(eco.gold_rush_start, model.spec.calendar.start)
    return eco.gold_income if model.month >= rush else eco.gold_income_before_rush


def miner_net_income(model: DDRModel) -> float:
    return gold_gross(model) * (1.0 - model.spec.economy.gold_tax)


def mining_places(model: DDRModel) -> np.ndarray:
    """Free places on gold sites per region this month (0 where the army holds the ground)."""
    capacity = np.floor(model.gold_sites * model.members_by_region())
    capacity[model.region_controller == GOVERNMENT] = 0
    return np.maximum(0, capacity - model.in_status_by_region(Status.MINING))


def group_income_per_member(model: DDRModel) -> np.ndarray:
    """What staying with each group is worth per member this month (kFCFA)."""
    eco = model.spec.economy
    counts = model.start_counts
    g_count = model.n_group_slots
    members = counts[:, :, [Status.ACTIVE, Status.MINING, Status.REJOINED]].sum(axis=(1, 2))
    tax = eco.gold_tax * gold_gross(model) * model.in_status_by_region(Status.MINING)
    revenue = np.zeros(g_count)
    held = model.region_controller >= 0
    np.add.at(revenue, model.region_controller[held], tax[held])
    per_member = np.divide(revenue, members, out=np.zeros(g_count), where=members > 0)
    return eco.group_pay + eco.trafficking_income + per_member


def rent_ratio(model: DDRModel) -> np.ndarray:
    """Outside income each group controls, per member, relative to army pay.

    Trafficking and the group's share of gold taxes (what ``group_income_per_member``
    adds to ``group_pay``): the group's own economy, which integration would end.
    """
    eco = model.spec.economy
    rent = group_income_per_member(model) - eco.group_pay
    if eco.army_pay <= 0:
        return np.zeros_like(rent)
    with np.errstate(over="ignore"):
        return np.minimum(rent / eco.army_pay, 1e3)
