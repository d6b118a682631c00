"""Indicators of the final collapse: who rejoined their group, where they served, by coalition.

The final year of a run (2023 in the Mali scenario: the mission leaves, fighting resumes)
is compared with the people serving in the army at its start:

``serving_<year>_in_<region>_<coalition>``
    Integrated people who served in the region during the year, of groups of the
    coalition: those serving there at the end of the month before the year begins, plus
    those integrated into a unit there during the year.
``rejoined_<year>_in_<region>_<coalition>``
    Of groups of the coalition, integrated people who rejoined their group during the
    year, counted in the region where they served.
``rejoined_share_<year>_in_<region>_<coalition>``
    Their ratio (NaN where nobody served).
``serving_<year>_in_<region>``, ``rejoined_<year>_in_<region>``
    The same over all coalitions.
``serving_<year>_<coalition>``, ``rejoined_<year>_<coalition>``,
``rejoined_share_<year>_<coalition>``
    The same over all regions; ``rejoined_share_<year>`` over everyone.
``integrated_share_<coalition>``
    The coalition's share of everyone integrated over the run (NaN when nobody was).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ddr_sim.runs.monthly import SeedTables
from ddr_sim.runs.naming import slug as _slug


def _ratio(a: float, b: float) -> float:
    return float(a) / float(b) if b > 0 else float("nan")


def collapse_indicators(
    integrated_stock: np.ndarray,
    rejoined: np.ndarray,
    integrated: np.ndarray,
    coalition_of_slot: Sequence[str],
    regions: Sequence[str],
    dates: Sequence[str],
    slug: Any,
) -> dict[str, Any]:
    """The columns of the module docstring.

    Parameters
    ----------
    integrated_stock : array [month, group slot, region]
        People holding INTEGRATED at the end of each month.
    rejoined, integrated : arrays [month, group slot, region]
        Monthly flows (rejoined by the region where the person served; integrated by the
        region where they were posted).
    coalition_of_slot : sequence of str
        The coalition of each group slot in use (splinters keep their parent's).
    regions, dates : sequences of str
        Region names; ``YYYY-MM`` of each month.
    slug : callable
        Column-name fragment of a name.
    """
    row: dict[str, Any] = {}
    if not len(dates):
        return row
    year = dates[-1][:4]
    first = next(i for i, d in enumerate(dates) if d.startswith(year))
    before = integrated_stock[first - 1] if first > 0 else np.zeros_like(integrated_stock[0])
    before = before + integrated[first:].sum(axis=0)  # and those integrated during the year
    in_year = rejoined[first:].sum(axis=0)
    n = len(coalition_of_slot)
    names = sorted(set(coalition_of_slot))
    total_integrated = integrated[:, :n].sum()
    serving_all = left_all = 0
    for coalition in names:
        slots = [i for i, c in enumerate(coalition_of_slot) if c == coalition]
        c = slug(coalition)
        serving_c = left_c = 0
        for r, region in enumerate(regions):
            serving = int(before[slots, r].sum())
            left = int(in_year[slots, r].sum())
            key = f"{year}_in_{slug(region)}_{c}"
            row[f"serving_{key}"] = serving
            row[f"rejoined_{key}"] = left
            row[f"rejoined_share_{key}"] = _ratio(left, serving)
            serving_c += serving
            left_c += left
        row[f"serving_{year}_{c}"] = serving_c
        row[f"rejoined_{year}_{c}"] = left_c
        row[f"rejoined_share_{year}_{c}"] = _ratio(left_c, serving_c)
        row[f"integrated_share_{c}"] = _ratio(integrated[:, slots].sum(), total_integrated)
        serving_all += serving_c
        left_all += left_c
    for r, region in enumerate(regions):
        serving = int(before[:n, r].sum())
        left = int(in_year[:n, r].sum())
        row[f"serving_{year}_in_{slug(region)}"] = serving
        row[f"rejoined_{year}_in_{slug(region)}"] = left
    row[f"rejoined_share_{year}"] = _ratio(left_all, serving_all)
    return row


def collapse_columns(run: SeedTables) -> dict[str, Any]:
    """The columns of the module docstring, from one seed's tables."""
    counts = run.counts[run.counts["status"].astype(str) == "integrated"]
    stock = np.zeros((run.months, len(run.group_names), len(run.regions)), np.int64)
    if len(counts):
        group = run.group_slot(counts["group"])
        region = np.array([run.regions.index(str(r)) for r in counts["region"]], np.int64)
        np.add.at(
            stock, (counts["month"].to_numpy(np.int64), group, region), counts["count"].to_numpy()
        )
    return collapse_indicators(
        stock,
        run.cube("rejoined")[:, :-1],
        run.cube("integrated")[:, :-1],
        [str(c) for c in run.groups["coalition"]],
        run.regions,
        [run.label(m) for m in range(run.months)],
        _slug,
    )
