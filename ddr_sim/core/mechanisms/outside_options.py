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
    from ddr_sim.config.scenario import Economy

GOVERNMENT = -1


def gold_gross(economy: Economy, month: int, start: str) -> float:
    """Gross artisanal gold income per miner in ``month`` (kFCFA); ``start`` is the
    calendar's first month."""
    eco = economy
    if eco.gold_rush_start is None:
        return eco.gold_income_before_rush
    rush = month_index(eco.gold_rush_start, start)
    return eco.gold_income if month >= rush else eco.gold_income_before_rush


def miner_net_income(economy: Economy, gold_gross: float) -> float:
    """What a miner keeps of ``gold_gross`` once the site holder has taken the tax."""
    return gold_gross * (1.0 - economy.gold_tax)


def mining_places(
    gold_sites: np.ndarray,
    members: np.ndarray,
    region_controller: np.ndarray,
    miners: np.ndarray,
) -> np.ndarray:
    """Free places on gold sites per region this month (0 where the army holds the ground),
    from each region's ``gold_sites`` share, its living ``members``, who controls it
    (``region_controller``, -1 for the government) and its ``miners`` already there."""
    capacity = np.floor(gold_sites * members)
    capacity[region_controller == GOVERNMENT] = 0
    return np.maximum(0, capacity - miners)


def group_income_per_member(
    economy: Economy, gold_gross: float, counts: np.ndarray, region_controller: np.ndarray
) -> np.ndarray:
    """What staying with each group is worth per member this month (kFCFA), from the
    head ``counts`` [group slot, region, status] at the start of the month."""
    eco = economy
    g_count = counts.shape[0]
    members = counts[:, :, [Status.ACTIVE, Status.MINING, Status.REJOINED]].sum(axis=(1, 2))
    tax = eco.gold_tax * gold_gross * counts[:, :, Status.MINING].sum(axis=0)
    revenue = np.zeros(g_count)
    held = region_controller >= 0
    np.add.at(revenue, region_controller[held], tax[held])
    per_member = np.divide(revenue, members, out=np.zeros(g_count), where=members > 0)
    return eco.group_pay + eco.trafficking_income + per_member


def rent_ratio(economy: Economy, income_per_member: np.ndarray) -> np.ndarray:
    """Outside income each group controls, per member, relative to army pay.

    Trafficking and the group's share of gold taxes (what ``group_income_per_member``
    adds to ``group_pay``): the group's own economy, which integration would end.
    """
    eco = economy
    rent = income_per_member - eco.group_pay
    if eco.army_pay <= 0:
        return np.zeros_like(rent)
    with np.errstate(over="ignore"):
        return np.minimum(rent / eco.army_pay, 1e3)
