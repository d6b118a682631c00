"""Mechanism 9, lists inflate: the prospect of DDR benefits makes groups recruit (unarmed
people and children included) and list everyone they can.

Each month, in each region r, group g recruits from the remaining youth pool Y_r:

    recruits_gr ~ Binomial(Y_r * s_g * w_gr, p)
    p = recruitment_rate * (1 + inflation_gain * prospect_g) * cvr_factor_r

s_g is the group's ``recruitment_share``, w_gr its regional share, prospect_g is 1 while
the group is covered by an agreement that promises DDR benefits and its lists are still
open (no ``registration`` event yet; a recruit who joins after the lists are submitted
cannot be listed), the militia programme's credibility for non-signatory militias under
a parallel programme, and 0 otherwise; and
cvr_factor_r comes from mechanism 10. A share ``recruit_armed_share`` of recruits carry
weapons and ``child_share`` are children.

At a ``registration`` event each group it concerns (default: every signatory) lists the
members whose commanders consent to lists (politics_gate, ``lists``: a member is listed
when their ``lenience`` is below the group's consent share), except the armed fighters it
holds back (mechanism 2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.core.mechanisms.cvr import recruitment_factor
from ddr_sim.core.mechanisms.reinsertion import militia_programme_open
from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.agents import ArmedGroup
    from ddr_sim.core.model import DDRModel


def prospect(model: DDRModel, group: ArmedGroup) -> float:
    """Expected DDR benefits for joining ``group`` now, in [0, 1]."""
    if group.covered_by_agreement(model):
        # once the lists have been submitted, a new recruit can no longer be listed
        return 0.0 if model.programmes.registration_months else 1.0
    if not group.signatory and militia_programme_open(model):
        return model.spec.programmes.militia_programme.credibility
    return 0.0


def recruit(model: DDRModel) -> None:
    """A month of recruitment from the youth pools into the groups."""
    b = model.spec.behaviour
    rng = model.rng_population
    factor = recruitment_factor(model)
    new_group, new_home, new_count = [], [], []  # one entry per group and region
    groups = model.active_groups()
    for k in rng.permutation(len(groups)):  # no group always draws first from a shared pool
        group = groups[k]
        p_base = b.recruitment_rate * (1.0 + b.inflation_gain * prospect(model, group))
        for r, weight in group.region_weights.items():
            pool = int(model.youth_pool[r])
            eligible = int(pool * group.recruitment_share * weight)
            if eligible <= 0:
                continue
            k = int(rng.binomial(eligible, min(1.0, p_base * factor[r])))
            if k == 0:
                continue
            model.youth_pool[r] -= k
            new_group.append(group.index)
            new_home.append(r)
            new_count.append(k)
    if not new_group:
        return
    groups = np.repeat(np.array(new_group, np.int16), new_count)
    homes = np.repeat(np.array(new_home, np.int8), new_count)
    n = len(groups)
    rows = model.add_people(
        group=groups,
        home=homes,
        armed=rng.random(n) < b.recruit_armed_share,
        child=rng.random(n) < b.child_share,
    )
    model.flows.add("recruited", rows)


def submit_lists(model: DDRModel, groups: list[ArmedGroup]) -> None:
    """Groups list the members their commanders consent to list, except those held back."""
    pop = model.population
    n = pop.size
    ids = np.array([g.index for g in groups if g.consent.get("lists", 0.0) > 0], np.int16)
    if len(ids) == 0:
        return
    share = model.consent_matrix()[:, model.programme_column["lists"]]
    rows = np.flatnonzero(
        np.isin(pop.group[:n], ids)
        & np.isin(
            pop.status[:n],
            np.array(
                [Status.ACTIVE, Status.MINING, Status.MOC, Status.PRE_CANTONED, Status.CANTONED],
                np.int8,
            ),
        )
    )
    allowed = pop.lenience[rows] < share[pop.group[rows]]
    pop.mark_listed(rows[allowed & ~held_back(model, rows)])
