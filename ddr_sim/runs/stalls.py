"""Stalls of the DDR process, on monthly arrays (unit-testable on hand-made tables).

The stall clock starts when a DDR exit is on the table: the first month an exit
programme is open (accelerated DDR launched, general integration open, reinsertion open,
the parallel militia programme open) or DDR falls due under the agreement
(``politics.ddr_calendar_months`` after the first signatory signs), whichever is
earlier; it then runs to the end of the run. Before it starts no month is a stall month.
A stall month is a month on the clock with zero or negative net flow of signatory-group
members into integrated + reinserted.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def stall_flags(on_clock: Sequence[bool], net_flow: Sequence[float]) -> np.ndarray:
    """Stall months: the stall clock runs but nobody net enters integration/reinsertion.

    Parameters
    ----------
    on_clock : sequence of bool
        Per month: is the month on the stall clock (``stall_clock`` of the series table,
        see :func:`ddr_sim.runs.recorded.programme_flags`)?
    net_flow : sequence of float
        Per month: change in the number of signatory-group members integrated or
        reinserted (entries minus exits by rejoining or death).

    Returns
    -------
    numpy.ndarray of bool
        True in months on the clock with ``net_flow <= 0``.
    """
    clock = np.asarray(on_clock, bool)
    net = np.asarray(net_flow, float)
    if clock.shape != net.shape:
        raise ValueError(f"on_clock {clock.shape} and net_flow {net.shape} differ")
    return clock & (net <= 0)


def episodes(flags: Sequence[bool]) -> list[tuple[int, int]]:
    """Runs of consecutive True values as ``(first index, length)``, in order."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate(list(flags) + [False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - start))
            start = None
    return runs


def first_month(monthly: Sequence[float]) -> int | None:
    """Index of the first positive (or True) entry, or None."""
    hits = np.flatnonzero(np.asarray(monthly) > 0)
    return int(hits[0]) if len(hits) else None


def final_spell_start(flags: Sequence[bool]) -> int | None:
    """First month of the run of True that reaches the last month, or None."""
    flags = np.asarray(flags, bool)
    if len(flags) == 0 or not flags[-1]:
        return None
    off = np.flatnonzero(~flags)
    return 0 if len(off) == 0 else int(off[-1]) + 1


def stall_indicators(table: pd.DataFrame) -> dict[str, int]:
    """Stall months, episodes and the longest episode of one run.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per month of one run with columns ``month``, ``stall_clock`` (bool) and
        ``net_into_integrated_reinserted`` (the series table of :mod:`ddr_sim.runs.tables`
        has them). Rows are sorted by month first; months must be consecutive.

    Returns
    -------
    dict
        ``stall_clock_months`` (months on the stall clock), ``stall_months`` (months on
        the clock with zero or negative net flow of signatory-group members into
        integrated + reinserted), ``stall_episodes`` (runs of consecutive stall months)
        and ``longest_stall_months`` (length of the longest run, 0 if none).
    """
    ordered = table.sort_values("month")
    months = ordered["month"].to_numpy()
    if len(months) > 1 and np.any(np.diff(months) != 1):
        raise ValueError("stall_indicators needs one row per consecutive month")
    clock = ordered["stall_clock"].to_numpy(bool)
    flags = stall_flags(clock, ordered["net_into_integrated_reinserted"].to_numpy(float))
    runs = episodes(flags)
    return {
        "stall_clock_months": int(clock.sum()),
        "stall_months": int(flags.sum()),
        "stall_episodes": len(runs),
        "longest_stall_months": max((n for _, n in runs), default=0),
    }
