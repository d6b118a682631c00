"""One seed's tables as dense monthly arrays: what the summary reads from a run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ddr_sim.config.calendar import month_index, month_label
from ddr_sim.core.statuses import N_STATUSES, STATUS_NAMES

#: The tables the summary reads, one seed's rows each.
SUMMARY_TABLES = ("counts", "series", "group_series", "flows", "groups")


def _names(column: pd.Series) -> list[str]:
    """Every category of a text column (also those absent from these rows), else its values."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories]
    return [str(c) for c in dict.fromkeys(column.dropna())]


def _codes(
    column: pd.Series, labels: list[str] | None = None, extra: bool = False
) -> tuple[list[str], np.ndarray]:
    """The labels of a text column and each row's position among them.

    With ``labels`` the positions are in that list; a value not in it is refused, or,
    with ``extra``, placed at ``len(labels)``.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        categories = [str(c) for c in column.cat.categories]
        codes = column.cat.codes.to_numpy(np.int64)
    else:
        codes, uniques = pd.factorize(column.astype(str))
        categories = [str(c) for c in uniques]
    if labels is None:
        return categories, codes
    where = {label: i for i, label in enumerate(labels)}
    unknown = [c for c in categories if c not in where]
    if unknown and not extra:
        raise ValueError(f"unknown values {unknown} (expected one of {labels})")
    lookup = np.array([where.get(c, len(labels)) for c in categories], np.int64)
    return labels, lookup[codes] if len(lookup) else codes


@dataclass(frozen=True)
class SeedTables:
    """One seed's tables, with the dense per-month arrays the summary needs."""

    seed: int
    counts: pd.DataFrame
    series: pd.DataFrame
    group_series: pd.DataFrame
    flows: pd.DataFrame
    groups: pd.DataFrame

    @classmethod
    def of(cls, tables: Mapping[str, pd.DataFrame]) -> SeedTables:
        """Check that ``tables`` hold one seed and consecutive months; sort the series."""
        missing = [name for name in SUMMARY_TABLES if name not in tables]
        if missing:
            raise ValueError(f"the summary needs the tables {', '.join(missing)}")
        series = tables["series"].sort_values("month", ignore_index=True)
        seeds = {int(s) for name in SUMMARY_TABLES for s in tables[name]["seed"].unique()}
        if len(seeds) > 1:
            raise ValueError(f"tables of one seed expected, got seeds {sorted(seeds)}")
        if not np.array_equal(series["month"].to_numpy(), np.arange(len(series))):
            raise ValueError("the series table needs one row per month from month 0")
        groups = tables["groups"].sort_values("slot", ignore_index=True)
        seed = seeds.pop() if seeds else 0
        return cls(seed, tables["counts"], series, tables["group_series"], tables["flows"], groups)

    @property
    def months(self) -> int:
        return len(self.series)

    @cached_property
    def start(self) -> str:
        return str(self.series["date"].iloc[0])

    def label(self, month: int | None) -> str | None:
        """``YYYY-MM`` of a month index (None for None)."""
        return None if month is None else month_label(int(month), self.start)

    def index(self, date: str) -> int:
        """Month index of a ``YYYY-MM`` date."""
        return month_index(date, self.start)

    @cached_property
    def regions(self) -> list[str]:
        return _names(self.counts["region"])

    @cached_property
    def group_names(self) -> list[str]:
        return self.groups["group"].astype(str).tolist()

    @cached_property
    def _flow_cube(self) -> dict[str, np.ndarray]:
        """Flow name -> people per ``[month, group, region]`` (group in the groups table's
        order, then one slot for flows of no group, e.g. attacks)."""
        f = self.flows
        names, flow = _codes(f["flow"])
        _, group = _codes(f["group"], self.group_names, extra=True)
        _, region = _codes(f["region"], self.regions)
        shape = (len(names), self.months, len(self.group_names) + 1, len(self.regions))
        cube = np.zeros(shape, np.int64)
        np.add.at(cube, (flow, f["month"].to_numpy(np.int64), group, region), f["count"])
        return {name: cube[i] for i, name in enumerate(names)}

    def cube(self, name: str) -> np.ndarray:
        """Flow ``name`` per ``[month, group, region]`` (zeros when never recorded)."""
        found = self._flow_cube.get(name)
        if found is None:
            return np.zeros((self.months, len(self.group_names) + 1, len(self.regions)), np.int64)
        return found

    def flow(self, name: str) -> np.ndarray:
        """People entering ``name`` (or events) per month, all groups and regions."""
        return self.cube(name).sum(axis=(1, 2))

    def by_group(self, name: str) -> np.ndarray:
        """Flow ``name`` over the run per group, in the groups table's order."""
        return self.cube(name).sum(axis=(0, 2))[:-1]

    def by_region(self, name: str) -> np.ndarray:
        """Flow ``name`` over the run per region, in :attr:`regions` order."""
        return self.cube(name).sum(axis=(0, 1))

    @cached_property
    def stocks(self) -> np.ndarray:
        """People per ``[month, status]`` (status in ``Status`` order)."""
        out = np.zeros((self.months, N_STATUSES), np.int64)
        _, status = _codes(self.counts["status"], list(STATUS_NAMES))
        months = self.counts["month"].to_numpy(np.int64)
        np.add.at(out, (months, status), self.counts["count"].to_numpy(np.int64))
        return out

    def per_group_month(self, column: str) -> np.ndarray:
        """A group-series column summed over the groups that exist, per month."""
        gs = self.group_series
        sums = np.zeros(self.months, np.int64)
        np.add.at(sums, gs["month"].to_numpy(np.int64), gs[column].to_numpy(np.int64))
        return sums

    @cached_property
    def signatory(self) -> np.ndarray:
        """Bool per group (groups table order): a signatory group (splinters keep their
        parent's flag)?"""
        return self.groups["signatory"].to_numpy(bool)

    def group_slot(self, column: pd.Series) -> np.ndarray:
        """Row of each value of a group column in the groups table (every group of these
        rows must be in it)."""
        _, slot = _codes(column, self.group_names, extra=True)
        if (slot >= len(self.group_names)).any():
            raise ValueError("a group of the tables is missing from the groups table")
        return slot

    @cached_property
    def coalitions(self) -> list[str]:
        """Coalitions of the run's groups, in order of first appearance."""
        return list(dict.fromkeys(self.groups["coalition"].astype(str)))

    @property
    def cost_counters(self) -> list[str]:
        """Series columns of the model's cost counters (``cost_<key>``)."""
        return [c for c in self.series.columns if c.startswith("cost_") and c != "cost_usd"]
