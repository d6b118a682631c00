"""Programme costs: cumulative counters, and the running costs added each month.

One-off costs are booked where they arise (CVR, sites, registration, integration,
reinsertion); the running costs below are added at the end of each month. Every ``*_usd``
counter adds to the total.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ddr_sim.core.mechanisms.paid_delay import monthly_allowance_cost_kfcfa
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    import numpy as np

    from ddr_sim.config.scenario import Scenario

COUNTERS = (
    "cvr_usd",
    "reinsertion_usd",
    "integration_usd",
    "allowances_kfcfa",
    "allowances_usd",
    "sites_usd",
    "assembly_support_usd",
    "moc_usd",
    "registration_usd",
    "training_usd",
)


def new_costs() -> dict[str, float]:
    """Every cost counter at zero."""
    return dict.fromkeys(COUNTERS, 0.0)


def add_running_costs(
    costs: dict[str, float],
    scenario: Scenario,
    held: np.ndarray,
    participating_groups: int,
    sites_spent_usd: float,
) -> None:
    """Add this month's running costs to ``costs``.

    Committee allowances of the ``participating_groups`` (kFCFA, also converted to USD);
    support in pre-cantonment and cantonment (``support_value`` per person and month); MOC
    salary plus support (``moc_pay`` + ``moc.unit_cost_usd_per_month`` per member and
    month); trainees' pay (``moc_pay``). ``held`` counts people by status at the end of the
    month; FCFA amounts are converted with ``economy.usd_per_kfcfa``. The sites' counter
    is set to what their construction has cost so far (``sites_spent_usd``).
    """
    sc = scenario
    fx = sc.economy.usd_per_kfcfa
    pr = sc.programmes
    allowances = monthly_allowance_cost_kfcfa(pr, sc.economy, participating_groups)
    costs["allowances_kfcfa"] += allowances
    costs["allowances_usd"] += allowances * fx
    costs["assembly_support_usd"] += fx * (
        held[Status.PRE_CANTONED] * pr.pre_cantonment.support_value
        + held[Status.CANTONED] * pr.cantonment.support_value
    )
    costs["moc_usd"] += held[Status.MOC] * (
        sc.economy.moc_pay * fx + pr.moc.unit_cost_usd_per_month
    )
    costs["training_usd"] += held[Status.TRAINING] * sc.economy.moc_pay * fx
    costs["sites_usd"] = sites_spent_usd


def total_usd(costs: dict[str, float]) -> float:
    """Programme cost so far, USD: the sum of the ``*_usd`` cost counters."""
    return float(sum(v for k, v in costs.items() if k.endswith("_usd")))
