"""Scenario discovery: sequential PRIM boxes, and regions made of several boxes or leaves.

PRIM comes from ``ema_workbench.analysis.prim`` (the optional ``analysis`` extra) on the
runs' parameter values and a class of the experiment file, each run one case.

* **Sequential boxes.** Box 1 is fitted on all runs; box 2 on the runs left outside
  box 1, and so on: a later box may overlap an earlier one geometrically, and its density
  counts only the runs it was fitted on. Coverage is always a share of all the class's
  runs, so the coverages of the boxes add up.
* **The chosen point** of a box's peeling trajectory is the one with the largest coverage
  among those with density at least ``threshold`` and at least one restricted parameter.
  A box that restricts nothing, or that misses the threshold, is not a finding: the
  search stops there and it is reported as such. Restrictions of the chosen box whose
  quasi-p value is above :data:`QP_ALPHA` are dropped (unless the box would then miss
  the threshold): they are not distinguishable from chance.
* **Regions.** A class's region may be L-shaped: :func:`boxes_region` describes the
  union of the boxes found and :func:`leaves_region` the union of the CART leaves where
  the class is frequent, each with its total coverage, density and mass over all runs.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.analysis.results import (
    SweepResults,
    class_membership,
    fmt,
    import_ema,
    parameter_frame,
)
from ddr_sim.analysis.trees import CartTree

__all__ = [
    "PrimBoxSummary",
    "Region",
    "boxes_region",
    "in_box",
    "leaves_region",
    "prim_boxes",
]

LIMIT_COLUMNS = ["parameter", "low", "high", "full_low", "full_high", "qp"]
#: Restrictions with a quasi-p value above this are dropped from a chosen box.
QP_ALPHA = 0.05


@dataclass
class PrimBoxSummary:
    """One PRIM box chosen on its peeling trajectory.

    Attributes
    ----------
    number : int
        1 for the first box found, 2 for the next (fitted on the runs outside box 1), ...
    fitted_on : int
        Runs the box was fitted on (all runs for box 1, those outside earlier boxes after).
    trajectory_index : int
        The chosen entry of the peeling trajectory.
    coverage, density, mass : float
        Share of the class's runs inside the box; share of the box's runs in the class;
        share of all runs inside the box (counting only the runs it was fitted on).
    n, k, res_dim : int
        Runs in the box, class runs in the box, restricted parameters.
    limits : pandas.DataFrame
        One row per restricted parameter: ``parameter, low, high, full_low, full_high,
        qp`` (the smaller quasi-p value of the restriction; sets for value lists).
    trajectory : pandas.DataFrame
        The peeling trajectory (coverage, density, mass, res_dim, ...).
    finding : bool
        The chosen box restricts a parameter and reaches the density threshold.
    dropped : list of str
        Restrictions of the chosen point of the trajectory dropped because their
        quasi-p value was above :data:`QP_ALPHA` (the box is the one without them).
    """

    number: int
    fitted_on: int
    trajectory_index: int
    coverage: float
    density: float
    mass: float
    n: int
    k: int
    res_dim: int
    limits: pd.DataFrame
    trajectory: pd.DataFrame
    finding: bool
    dropped: list[str] = field(default_factory=list)
    box: Any = field(default=None, repr=False)

    def text(self) -> str:
        """The box as printable lines."""
        fitted = "all runs" if self.number == 1 else f"the {self.fitted_on:,} runs outside"
        if self.number > 1:
            fitted += " box 1" if self.number == 2 else f" boxes 1-{self.number - 1}"
        head = f"  box {self.number} (fitted on {fitted})"
        if self.res_dim == 0:
            return f"{head}: no restriction separates the class; no box found"
        lines = [
            f"{head}: coverage {self.coverage:.2f}, density {self.density:.2f}, "
            f"mass {self.mass:.2f} ({self.k} of {self.n} runs in the box are in the class)"
            + ("" if self.finding else "  [below the density threshold: not a finding]")
        ]
        if self.dropped:
            lines.append(
                f"    (restrictions dropped, quasi-p > {QP_ALPHA}: {', '.join(self.dropped)})"
            )
        for row in self.limits.itertuples():
            lines.append(
                f"    {row.parameter:<28} {fmt(row.low):>10} .. {fmt(row.high):<10} "
                f"(of {fmt(row.full_low)} .. {fmt(row.full_high)}; qp {fmt(row.qp)})"
            )
        return "\n".join(lines)


def _choose(trajectory: pd.DataFrame, threshold: float) -> int:
    """The chosen entry: largest coverage with density >= threshold and a restriction."""
    restricted = trajectory[trajectory["res_dim"] > 0]
    if restricted.empty:
        return 0
    good = restricted[restricted["density"] >= threshold]
    if len(good):
        return int(
            good.sort_values(["coverage", "res_dim", "id"], ascending=[False, True, True]).index[0]
        )
    return int(restricted["density"].idxmax())


def prim_boxes(
    results: SweepResults,
    class_name: str,
    threshold: float = 0.8,
    max_boxes: int = 2,
    peel_alpha: float = 0.05,
    mass_min: float = 0.05,
) -> list[PrimBoxSummary]:
    """Sequential boxes of parameter space where runs fall in a class (PRIM).

    Parameters
    ----------
    results : SweepResults
    class_name : str
        A class of the experiment file.
    threshold : float
        Density a chosen box should reach.
    max_boxes : int
        Boxes to look for; the search stops after the first box that is not a finding.
    peel_alpha, mass_min : float
        PRIM's peeling share and minimum box mass.

    Returns
    -------
    list of PrimBoxSummary
        Empty when no run, or every run, is in the class; the last box may be one that
        is not a finding (see :attr:`PrimBoxSummary.finding`).
    """
    prim = import_ema("prim", "scenario discovery")
    y = class_membership(results, class_name).to_numpy(bool)
    if len(y) == 0 or y.all() or not y.any():
        return []
    x = parameter_frame(results)
    full = {c: (x[c].min(), x[c].max()) for c in x.columns if x[c].dtype != "category"}
    boxes: list[PrimBoxSummary] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        finder = prim.Prim(x, y, peel_alpha=peel_alpha, mass_min=mass_min)
        for number in range(1, max_boxes + 1):
            fitted_on = len(finder.yi_remaining)
            if not y[finder.yi_remaining].any():
                break  # every run of the class is in the earlier boxes
            box = finder.find_box()
            if box is None:
                break
            i = _choose(box.peeling_trajectory, threshold)
            i, dropped = _drop_weak_restrictions(box, i, full, threshold)
            trajectory = box.peeling_trajectory.copy()
            box.select(i)
            entry = trajectory.iloc[i]
            summary = PrimBoxSummary(
                number=number,
                fitted_on=fitted_on,
                trajectory_index=i,
                coverage=float(entry["coverage"]),
                density=float(entry["density"]),
                mass=float(entry["mass"]),
                n=int(entry["n"]),
                k=int(entry["k"]),
                res_dim=int(entry["res_dim"]),
                limits=_limits(box, i, full),
                trajectory=trajectory,
                finding=bool(entry["res_dim"] > 0 and entry["density"] >= threshold),
                dropped=dropped,
                box=box,
            )
            boxes.append(summary)
            if not summary.finding or summary.coverage < 0.05:
                break
            finder._update_yi_remaining(finder)
    return boxes


def _drop_weak_restrictions(
    box: Any, i: int, full: dict[str, tuple], threshold: float
) -> tuple[int, list[str]]:
    """Drop the chosen box's restrictions whose quasi-p value is above QP_ALPHA.

    The box without them is added to the peeling trajectory (EMA's ``drop_restriction``)
    and chosen instead, unless it loses the density threshold the chosen box reached.
    Returns the entry to choose and the parameters whose restriction was dropped.
    """
    limits = _limits(box, i, full)
    weak = [r.parameter for r in limits.itertuples() if not r.qp <= QP_ALPHA]
    if not weak or len(weak) == len(limits):
        return i, []
    j = i
    for name in weak:
        box.drop_restriction(name, j)
        j = len(box.peeling_trajectory) - 1
    before, after = box.peeling_trajectory.iloc[i], box.peeling_trajectory.iloc[j]
    if before["density"] >= threshold > after["density"]:
        return i, []
    return j, weak


def _limits(box: Any, i: int, full: dict[str, tuple]) -> pd.DataFrame:
    lims, initial = box.box_lims[i], box.box_lims[0]
    qp = box.p_values[i]
    rows = []
    for column in lims.columns:
        low, high = lims[column].iloc[0], lims[column].iloc[1]
        if isinstance(low, set | frozenset):
            if low == initial[column].iloc[0]:
                continue
            everything = initial[column].iloc[0]
            rows.append([column, low, low, everything, everything, _qp(qp.get(column))])
            continue
        if low == initial[column].iloc[0] and high == initial[column].iloc[1]:
            continue
        f_low, f_high = full.get(column, (initial[column].iloc[0], initial[column].iloc[1]))
        rows.append(
            [column, float(low), float(high), float(f_low), float(f_high), _qp(qp.get(column))]
        )
    return pd.DataFrame(rows, columns=LIMIT_COLUMNS)


def _qp(values: Any) -> float:
    """The smaller quasi-p value of a restriction (EMA gives -1 for an unrestricted side)."""
    if values is None:
        return math.nan
    kept = [float(v) for v in np.atleast_1d(values) if v is not None and float(v) >= 0]
    return min(kept) if kept else math.nan


def in_box(x: pd.DataFrame, limits: pd.DataFrame) -> np.ndarray:
    """Whether each run (row of parameter values) lies inside a box's limits."""
    inside = np.ones(len(x), bool)
    for row in limits.itertuples():
        values = x[row.parameter]
        if isinstance(row.low, set | frozenset):
            inside &= values.astype(str).isin({str(v) for v in row.low}).to_numpy()
        else:
            inside &= ((values >= row.low) & (values <= row.high)).to_numpy()
    return inside


@dataclass
class Region:
    """A region made of several boxes or leaves, with its statistics over all runs.

    Attributes
    ----------
    kind : str
        ``"PRIM boxes"`` or ``"CART leaves"``.
    parts : list of str
        The boxes or leaves, as text.
    coverage, density, mass : float
        Over all runs: share of the class's runs in the region, share of the region's
        runs in the class, share of all runs in the region.
    """

    kind: str
    parts: list[str]
    coverage: float
    density: float
    mass: float

    def text(self) -> str:
        """The region as a printable line."""
        what = "box" if self.kind == "PRIM boxes" else "leaf"
        many = "boxes" if what == "box" else "leaves"
        count = f"{len(self.parts)} {what if len(self.parts) == 1 else many}"
        return (
            f"  region of {count} ({self.kind}): coverage {self.coverage:.2f}, "
            f"density {self.density:.2f}, mass {self.mass:.2f} over all runs"
        )


def _region(kind: str, parts: list[str], inside: np.ndarray, y: np.ndarray) -> Region:
    k = int((inside & y).sum())
    n = int(inside.sum())
    return Region(
        kind=kind,
        parts=parts,
        coverage=k / max(int(y.sum()), 1),
        density=k / n if n else math.nan,
        mass=n / len(y),
    )


def boxes_region(
    results: SweepResults, class_name: str, boxes: list[PrimBoxSummary]
) -> Region | None:
    """The union of the boxes that are findings (None when fewer than two)."""
    found = [b for b in boxes if b.finding]
    if len(found) < 2:
        return None
    x = parameter_frame(results)
    y = class_membership(results, class_name).to_numpy(bool)
    inside = np.zeros(len(x), bool)
    for box in found:
        inside |= in_box(x, box.limits)
    return _region("PRIM boxes", [f"box {b.number}" for b in found], inside, y)


def leaves_region(
    results: SweepResults, class_name: str, tree: CartTree, threshold: float
) -> Region | None:
    """The union of a class tree's leaves whose share of class runs reaches ``threshold``."""
    chosen = tree.leaves[tree.leaves["value"] >= threshold]
    if chosen.empty:
        return None
    y = class_membership(results, class_name).to_numpy(bool)
    inside = np.isin(tree.run_leaf, chosen["leaf"].to_numpy())
    return _region("CART leaves", list(chosen["rule"]), inside, y)
