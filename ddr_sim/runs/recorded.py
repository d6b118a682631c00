"""What a finished model recorded, read as monthly arrays (the only module of the summary
path that looks at a model; :mod:`ddr_sim.runs.tables` turns these arrays into tables).

Reads defensively what later model versions may record differently: the validated
scenario (``model.spec``) and the monthly cost counters (a series
``cost_<key>`` per counter of ``model.costs`` when ``History`` records one; otherwise only
the final value is known, see :func:`cost_counters`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ddr_sim.config.calendar import month_index
from ddr_sim.core.statuses import Status

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Scenario
    from ddr_sim.core.model import DDRModel

#: Programmes whose opening counted as "a programme is open" (``programme_open``).
PROGRAMME_FLAGS: tuple[str, ...] = (
    "accelerated_ddr_open",
    "general_integration_open",
    "reinsertion_open",
    "pre_cantonment_open",
    "site_built",
)

#: Exit programmes: a month with one of them open is on the stall clock.
EXIT_FLAGS: tuple[str, ...] = (
    "accelerated_ddr_open",
    "general_integration_open",
    "reinsertion_open",
    "militia_programme_open",
)

_EXITS = (Status.INTEGRATED, Status.REINSERTED)


def spec(model: DDRModel) -> Scenario:
    """The validated scenario of a model (``model.spec``; ``model.scenario`` is Mesa's)."""
    return model.spec


def recorded_months(model: DDRModel) -> int:
    """Months the model has recorded (the whole calendar after ``run()``)."""
    return int(model.month)


def group_exists(model: DDRModel) -> np.ndarray:
    """Bool ``[month, group slot]`` for the groups in ``model.groups``: does it exist yet?"""
    t = recorded_months(model)
    return model.history.group_series["exists"][:t, : len(model.groups)] > 0.5


def first_signing(model: DDRModel) -> int | None:
    """First month a signatory group signed the agreement (None: nobody signed)."""
    months = [g.signed_month for g in model.groups if g.signatory and g.signed_month is not None]
    return min(months) if months else None


def ddr_due_month(model: DDRModel) -> int | None:
    """Month DDR falls due: ``politics.ddr_calendar_months`` after the first signing."""
    first = first_signing(model)
    return None if first is None else first + int(spec(model).politics.ddr_calendar_months)


def _from_month(first: int | None, months: int) -> np.ndarray:
    """Bool per month: from month ``first`` on (all False when ``first`` is None)."""
    return np.arange(months) >= (months if first is None else first)


def programme_flags(model: DDRModel) -> dict[str, np.ndarray]:
    """Per month: which programmes were open, and the stall clock.

    Returns
    -------
    dict of str to numpy.ndarray of bool
        Keys :data:`PROGRAMME_FLAGS` and ``programme_open`` (any of them), as the model
        recorded them; ``militia_programme_open`` (the parallel programme for non-signatory
        militias, open from ``programmes.militia_programme.opens``); ``exit_open`` (any of
        :data:`EXIT_FLAGS`); ``ddr_due`` (from ``politics.ddr_calendar_months`` after the
        first signatory signed); ``stall_clock`` (from the first month with an exit
        programme open or DDR due, whichever is earlier, to the end).
    """
    t = recorded_months(model)
    series = model.history.series
    flags = {name: series[name][:t] > 0.5 for name in PROGRAMME_FLAGS if name != "site_built"}
    flags["site_built"] = series["sites_built"][:t] > 0
    flags["programme_open"] = np.logical_or.reduce([flags[k] for k in PROGRAMME_FLAGS])
    militia = spec(model).programmes.militia_programme.opens
    start = spec(model).calendar.start
    flags["militia_programme_open"] = _from_month(
        None if militia is None else max(month_index(militia, start), 0), t
    )
    flags["exit_open"] = np.logical_or.reduce([flags[k] for k in EXIT_FLAGS])
    flags["ddr_due"] = _from_month(ddr_due_month(model), t)
    flags["stall_clock"] = np.logical_or.accumulate(flags["exit_open"] | flags["ddr_due"])
    return flags


def net_into_exits(model: DDRModel) -> np.ndarray:
    """Per month: change in the number of signatory-group members integrated or reinserted.

    Only groups that signed (and their splinters) count: the parallel programme for
    non-signatory militias is a separate process and does not end a stall of the main one.
    """
    t = recorded_months(model)
    signatory = [g.index for g in model.groups if g.signatory]
    counts = model.history.counts[:t][:, signatory][..., list(_EXITS)]
    stock = counts.sum(axis=(1, 2, 3)).astype(np.int64)
    return np.diff(stock, prepend=0)


def month_marks(model: DDRModel) -> dict[str, np.ndarray]:
    """Per month: ``accelerated_launch`` (True in the month accelerated DDR launched) and
    ``registration_events`` (registration events held that month)."""
    t = recorded_months(model)
    state = model.programmes
    launch = np.zeros(t, bool)
    if state.accelerated_launched is not None and 0 <= state.accelerated_launched < t:
        launch[state.accelerated_launched] = True
    held = [m for m in state.registration_months if 0 <= m < t]
    return {
        "accelerated_launch": launch,
        "registration_events": np.bincount(np.asarray(held, np.int64), minlength=t)[:t].astype(
            np.int32
        ),
    }


def cost_counters(model: DDRModel) -> dict[str, np.ndarray]:
    """Per month: each cost counter of ``model.costs`` as ``cost_<key>`` (cumulative).

    When ``History`` records a series ``cost_<key>`` it is used; otherwise the counter is
    known only at the end of the run: NaN in every month but the last.
    """
    t = recorded_months(model)
    series = model.history.series
    out = {}
    for key, value in model.costs.items():
        recorded = series.get(f"cost_{key}")
        if recorded is not None:
            out[f"cost_{key}"] = np.asarray(recorded[:t], float)
        else:
            column = np.full(t, np.nan)
            if t:
                column[-1] = float(value)
            out[f"cost_{key}"] = column
    return out
