"""Integration and defection by the region where people served and by coalition.

``integrated`` is recorded at the posting region, ``rejoined`` at the region where the
person served; the coalition is that of the person's group in the groups table (a
splinter keeps its parent's coalition). Coalition fragments are :func:`coalition_slug`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ddr_sim.runs.monthly import SeedTables
from ddr_sim.runs.naming import slug

#: Words that follow ``integrated_`` / ``rejoined_`` in other columns; a coalition whose
#: slug is one of them (or a year) gets a ``coalition_`` prefix.
_TAKEN = frozenset({"total", "by", "in", "group", "region", "share", "signatory"})


def coalition_slug(name: str) -> str:
    """Column fragment of a coalition (``"CMA"`` -> ``"cma"``), never clashing."""
    s = slug(name)
    return f"coalition_{s}" if s in _TAKEN or s.split("_")[0] in _TAKEN or s.isdigit() else s


def _share(rejoined: int, integrated: int) -> float:
    return float(rejoined) / integrated if integrated else np.nan


def _by_region_and_coalition(run: SeedTables, name: str) -> np.ndarray:
    """Flow ``name`` over the run per ``[region, coalition]`` (run orders)."""
    per_group = run.cube(name).sum(axis=0)[:-1]  # [group, region], groups of the table
    position = {c: i for i, c in enumerate(run.coalitions)}
    coalition = np.array([position[str(c)] for c in run.groups["coalition"]], np.int64)
    out = np.zeros((len(run.coalitions), len(run.regions)), np.int64)
    np.add.at(out, coalition, per_group)
    return out.T


def coalition_columns(run: SeedTables) -> dict[str, Any]:
    """``integrated_in_<region>_<coalition>``, ``rejoined_in_...``, ``rejoined_share_in_...``
    for every region and coalition, then ``integrated_<coalition>``, ``rejoined_<coalition>``
    and ``rejoined_share_<coalition>`` over all regions (shares NaN where none integrated).
    """
    integrated = _by_region_and_coalition(run, "integrated")
    rejoined = _by_region_and_coalition(run, "rejoined")
    names = [coalition_slug(c) for c in run.coalitions]
    row: dict[str, Any] = {}
    for r, region in enumerate(run.regions):
        for c, coalition in enumerate(names):
            key = f"in_{slug(region)}_{coalition}"
            row[f"integrated_{key}"] = int(integrated[r, c])
            row[f"rejoined_{key}"] = int(rejoined[r, c])
            row[f"rejoined_share_{key}"] = _share(rejoined[r, c], integrated[r, c])
    for c, coalition in enumerate(names):
        row[f"integrated_{coalition}"] = int(integrated[:, c].sum())
        row[f"rejoined_{coalition}"] = int(rejoined[:, c].sum())
        row[f"rejoined_share_{coalition}"] = _share(rejoined[:, c].sum(), integrated[:, c].sum())
    return row
