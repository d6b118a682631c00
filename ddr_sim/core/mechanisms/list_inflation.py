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

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ddr_sim.core.mechanisms.cvr import recruitment_factor
from ddr_sim.core.mechanisms.reinsertion import militia_programme_open
from ddr_sim.core.mechanisms.trust import held_back
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Scenario
    from ddr_sim.core.population import Population
    from ddr_sim.core.state import FlowLog, GroupView, ProgrammeState


class RecruitmentParts(Protocol):
    """What a month of recruitment reads and changes."""

    spec: Scenario
    month: int
    programmes: ProgrammeState
    youth_pool: np.ndarray
    cvr_intensity: np.ndarray
    rng_population: np.random.Generator
    flows: FlowLog

    def active_groups(self) -> Sequence[GroupView]: ...

    def add_people(
        self, *, group: np.ndarray, home: np.ndarray, armed: np.ndarray, child: np.ndarray
    ) -> np.ndarray: ...


def prospect(
    group: GroupView, *, lists_submitted: bool, militia_open: bool, militia_credibility: float
) -> float:
    """Expected DDR benefits for joining ``group`` now, in [0, 1] (``lists_submitted``: a
    registration has taken place; ``militia_open``: the parallel militia programme, with
    ``militia_credibility``, is open)."""
    if group.covered_by_agreement():
        # once the lists have been submitted, a new recruit can no longer be listed
        return 0.0 if lists_submitted else 1.0
    if not group.signatory and militia_open:
        return militia_credibility
    return 0.0


def recruit(parts: RecruitmentParts) -> None:
    """A month of recruitment from the youth pools into the groups."""
    b = parts.spec.behaviour
    militia = parts.spec.programmes.militia_programme
    militia_open = militia_programme_open(militia, parts.month, parts.spec.calendar.start)
    lists_submitted = bool(parts.programmes.registration_months)
    rng = parts.rng_population
    factor = recruitment_factor(b, parts.cvr_intensity)
    youth_pool = parts.youth_pool
    new_group, new_home, new_count = [], [], []  # one entry per group and region
    groups = parts.active_groups()
    for k in rng.permutation(len(groups)):  # no group always draws first from a shared pool
        group = groups[k]
        pull = prospect(
            group,
            lists_submitted=lists_submitted,
            militia_open=militia_open,
            militia_credibility=militia.credibility,
        )
        p_base = b.recruitment_rate * (1.0 + b.inflation_gain * pull)
        for r, weight in group.region_weights.items():
            pool = int(youth_pool[r])
            eligible = int(pool * group.recruitment_share * weight)
            if eligible <= 0:
                continue
            k = int(rng.binomial(eligible, min(1.0, p_base * factor[r])))
            if k == 0:
                continue
            youth_pool[r] -= k
            new_group.append(group.index)
            new_home.append(r)
            new_count.append(k)
    if not new_group:
        return
    groups = np.repeat(np.array(new_group, np.int16), new_count)
    homes = np.repeat(np.array(new_home, np.int8), new_count)
    n = len(groups)
    rows = parts.add_people(
        group=groups,
        home=homes,
        armed=rng.random(n) < b.recruit_armed_share,
        child=rng.random(n) < b.child_share,
    )
    parts.flows.add("recruited", rows)


def submit_lists(
    pop: Population, groups: Sequence[GroupView], share: np.ndarray, hedge: np.ndarray
) -> None:
    """``groups`` list the members their commanders consent to list (``share``, per group
    slot), except those held back (``hedge``, per group slot)."""
    n = pop.size
    ids = np.array([g.index for g in groups if g.consent.get("lists", 0.0) > 0], np.int16)
    if len(ids) == 0:
        return
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
    pop.mark_listed(rows[allowed & ~held_back(pop, rows, hedge)])
