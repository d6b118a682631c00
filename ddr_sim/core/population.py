"""Per-person state kept as numpy arrays owned by the model.

Each ``Combatant`` Mesa agent is a thin view on one row. Arrays are allocated once at the
largest size the scenario can reach (initial members plus every youth pool), and
``size`` counts the rows in use; rows are never reused, so a row index is a person's
identity for the whole run.

Head counts by group x region x status (``counts``) and listed people by group
(``listed_by_group``, ``listed_armed_by_group``) are kept up to date by the methods that
change status, place, group or listing (``add``, ``move``, ``regroup``, ``mark_listed``),
so nothing needs to scan the population to count it. Change those columns only through
these methods. They also keep a log of every change of status or region (``history``),
so that one person's life can be followed.
"""

from __future__ import annotations

import numpy as np

from ddr_sim.core.statuses import Status


def lookup(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]`` for indices known to be in range (e.g. each person's group value).

    ``take`` with ``mode="clip"`` skips the bounds checks and the conversion of int8 and
    int16 indices that fancy indexing does: several times faster on whole columns.
    """
    return table.take(index, mode="clip")


class Population:
    """Columns of per-person state.

    Attributes
    ----------
    group : int16      index of the person's armed group (splinters get new indices)
    home : int8        home region index
    where : int8       region where the person is now (differs from home when posted away)
    status : int8      a ``Status`` code; exactly one per person
    since : int16      month the current status began (months in status = now - since)
    armed : bool       carries a weapon
    child : bool       under 18 when recruited
    fit : bool         medically fit (true state; screening may or may not reveal it)
    quality : float32  fighter quality in [0, 1); groups hold back their best (mechanism 2)
    tie : float32      tie to commander and comrades in [0, 1] (Daly, Paler & Samii 2020)
    trust : float32    the person's trust in the state, in [0, 1]
    risk_tolerance : float32  in [0, 1]; 1 ignores danger
    income : float32   income expectation, kFCFA/month (what the current status pays)
    listed : bool      on a list submitted by the group
    lenience : float32  in [0, 1): how readily the person's commander lets them take a step the
                       group only partly consents to (open when lenience < the consent share)
    declared_unfit : bool  declared medically unfit at screening (never registers again)
    """

    def __init__(self, capacity: int, n_group_slots: int, n_regions: int):
        self.capacity = capacity
        self.size = 0
        self.counts = np.zeros((n_group_slots, n_regions, len(Status)), np.int64)
        self.listed_by_group = np.zeros(n_group_slots, np.int64)
        self.listed_armed_by_group = np.zeros(n_group_slots, np.int64)
        self.group = np.zeros(capacity, np.int16)
        self.home = np.zeros(capacity, np.int8)
        self.where = np.zeros(capacity, np.int8)
        self.status = np.full(capacity, Status.ACTIVE, np.int8)
        self.since = np.zeros(capacity, np.int16)
        self.armed = np.zeros(capacity, bool)
        self.child = np.zeros(capacity, bool)
        self.fit = np.ones(capacity, bool)
        self.quality = np.zeros(capacity, np.float32)
        self.tie = np.zeros(capacity, np.float32)
        self.trust = np.zeros(capacity, np.float32)
        self.risk_tolerance = np.zeros(capacity, np.float32)
        self.income = np.zeros(capacity, np.float32)
        self.listed = np.zeros(capacity, bool)
        self.lenience = np.zeros(capacity, np.float32)
        self.declared_unfit = np.zeros(capacity, bool)
        #: (month, rows, status, where) of each change, in order
        self._log: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(
        self,
        rng: np.random.Generator,
        *,
        group: np.ndarray,
        home: np.ndarray,
        armed: np.ndarray,
        child: np.ndarray,
        trust: np.ndarray,
        month: int,
        fitness_base: float,
    ) -> np.ndarray:
        """Append people; return their row indices. Draws the personal traits."""
        n = len(group)
        if self.size + n > self.capacity:
            raise RuntimeError(f"population capacity {self.capacity} exceeded ({self.size} + {n})")
        rows = np.arange(self.size, self.size + n)
        self.size += n
        self.group[rows] = group
        self.home[rows] = home
        self.where[rows] = home
        self.status[rows] = Status.ACTIVE
        self.since[rows] = month
        self.armed[rows] = armed
        self.child[rows] = child
        self.fit[rows] = rng.random(n) < fitness_base
        self.quality[rows] = rng.random(n, dtype=np.float32)
        self.tie[rows] = rng.beta(4.0, 2.0, n).astype(np.float32)
        self.trust[rows] = np.clip(trust + rng.normal(0.0, 0.1, n), 0.0, 1.0)
        self.risk_tolerance[rows] = rng.random(n, dtype=np.float32)
        self.listed[rows] = False
        self.lenience[rows] = rng.random(n, dtype=np.float32)
        self.declared_unfit[rows] = False
        np.add.at(self.counts, (self.group[rows], self.where[rows], Status.ACTIVE), 1)
        self._note(month, rows)
        return rows

    def _note(self, month: int, rows: np.ndarray) -> None:
        self._log.append((month, rows.copy(), self.status[rows], self.where[rows]))

    def history(self, row: int) -> list[tuple[int, int, int]]:
        """``(month, status, region)`` of each change of person ``row``, oldest first."""
        out = []
        for month, rows, status, where in self._log:
            for k in np.flatnonzero(rows == row):
                out.append((month, int(status[k]), int(where[k])))
        return out

    def _tally(self, rows: np.ndarray, sign: int) -> None:
        np.add.at(self.counts, (self.group[rows], self.where[rows], self.status[rows]), sign)

    def move(
        self, rows: np.ndarray, status: Status, month: int, where: np.ndarray | None = None
    ) -> None:
        """Put ``rows`` into ``status`` from ``month`` on (and in region ``where``, if given)."""
        if len(rows) == 0:
            return
        self._tally(rows, -1)
        self.status[rows] = status
        self.since[rows] = month
        if where is not None:
            self.where[rows] = where
        self._tally(rows, +1)
        self._note(month, rows)

    def relocate(self, rows: np.ndarray, where: np.ndarray | int, month: int) -> None:
        """Move ``rows`` to region ``where`` in ``month`` without changing their status."""
        if len(rows) == 0:
            return
        self._tally(rows, -1)
        self.where[rows] = where
        self._tally(rows, +1)
        self._note(month, rows)

    def regroup(self, rows: np.ndarray, group: int) -> None:
        """Move ``rows`` to another group (a split)."""
        self._tally(rows, -1)
        self._count_listed(rows[self.listed[rows]], -1)
        self.group[rows] = group
        self._tally(rows, +1)
        self._count_listed(rows[self.listed[rows]], +1)

    def mark_listed(self, rows: np.ndarray) -> None:
        """Put ``rows`` on their group's list."""
        new = rows[~self.listed[rows]]
        self.listed[new] = True
        self._count_listed(new, +1)

    def _count_listed(self, rows: np.ndarray, sign: int) -> None:
        np.add.at(self.listed_by_group, self.group[rows], sign)
        np.add.at(self.listed_armed_by_group, self.group[rows[self.armed[rows]]], sign)

    def number_in(self, status: Status) -> int:
        """How many people hold ``status`` now (from the running head counts)."""
        return int(self.counts[:, :, status].sum())

    def in_status(self, *statuses: Status) -> np.ndarray:
        """Boolean mask over rows in use that hold any of ``statuses``."""
        s = self.status[: self.size]
        if len(statuses) == 1:
            return s == statuses[0]
        return np.isin(s, np.asarray(statuses, np.int8))

    def alive(self) -> np.ndarray:
        return self.status[: self.size] != Status.KILLED
