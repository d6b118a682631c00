"""The headline monthly series of one run: what a briefing follows over time.

One row per month: people integrated so far, serving in MOC patrols, defected so far
(integrated people back with a group, ``rejoined``), and the mean trust between the
government and the groups that exist. Small enough to keep for every run of a comparison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ddr_sim.config.calendar import month_label
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.core.model import DDRModel

#: Column -> (label, unit) of the headline series, in the order they are drawn.
HEADLINE = {
    "integrated": ("integrated (cumulative)", "people"),
    "in_moc": ("in MOC patrols", "people"),
    "rejoined": ("defections (cumulative)", "people"),
    "mean_trust": ("mean trust, government-groups", "0-1"),
}


def headline_table(model: DDRModel, seed: int) -> pd.DataFrame:
    """``seed, month, date`` and the :data:`HEADLINE` series of a finished model."""
    t = int(model.month)
    flows = model.flows.values
    counts = model.history.counts[:t]
    n = len(model.groups)
    trust = model.history.group_series["trust"][:t, :n]
    exists = model.history.group_series["exists"][:t, :n] > 0
    with np.errstate(invalid="ignore"):
        shown = np.where(exists, trust, np.nan)
        mean_trust = np.nanmean(shown, axis=1) if t and n else np.zeros(t)
    start = model.spec.calendar.start
    return pd.DataFrame(
        {
            "seed": np.full(t, seed, np.int64),
            "month": np.arange(t, dtype=np.int64),
            "date": [month_label(m, start) for m in range(t)],
            "integrated": flows["integrated"][:t].sum(axis=(1, 2)).cumsum().astype(np.int64),
            "in_moc": counts[..., Status.MOC].sum(axis=(1, 2)).astype(np.int64),
            "rejoined": flows["rejoined"][:t].sum(axis=(1, 2)).cumsum().astype(np.int64),
            "mean_trust": mean_trust.astype(float),
        }
    )
