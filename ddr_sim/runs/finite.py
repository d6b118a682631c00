"""No NaN, infinity or overflowed count leaves a run.

:func:`check_finite` looks through everything a finished model recorded (the monthly
series, the per-group series, the head counts and flows, the running costs) and raises
:class:`NonFiniteError` naming the first variable and month where a value is not finite
(or a count is negative, which is how an integer overflow shows). The scenario's limits
(:mod:`ddr_sim.config.fields`) are set so that this never happens; the check makes sure
that if it does, the run fails loudly instead of writing NaN into tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from ddr_sim.config.calendar import month_label

__all__ = ["NonFiniteError", "check_finite", "first_bad_value"]


class NonFiniteError(ArithmeticError):
    """A recorded value is NaN, infinite, or a negative count.

    Attributes
    ----------
    variable : str
        What was recorded (``series.political_progress``, ``counts``, ``costs.moc_usd``).
    month : int or None
        Month index of the first bad value (None for totals such as costs).
    date : str or None
        Its ``YYYY-MM`` label.
    value : float
        The bad value.
    """

    def __init__(self, variable: str, month: int | None, date: str | None, value: float):
        self.variable, self.month, self.date, self.value = variable, month, date, value
        when = f" in month {month} ({date})" if month is not None else ""
        what = "a negative count" if np.isfinite(value) else f"{value}"
        super().__init__(f"{variable} is {what}{when}: the run produced no usable numbers")

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across processes
        return (type(self), (self.variable, self.month, self.date, self.value))


def first_bad_value(name: str, values: np.ndarray) -> tuple[int, float] | None:
    """``(month, value)`` of the first bad value of ``values`` (month on axis 0), or None.

    Floats are bad when not finite; integers when negative.
    """
    array = np.asarray(values)
    if array.ndim == 0 or array.size == 0:
        return None
    if np.issubdtype(array.dtype, np.floating):
        bad = ~np.isfinite(array)
    elif np.issubdtype(array.dtype, np.integer):
        bad = array < 0
    else:
        return None
    rows = bad.reshape(array.shape[0], -1)
    hits = np.flatnonzero(rows.any(axis=1))
    if len(hits) == 0:
        return None
    month = int(hits[0])
    return month, float(array.reshape(array.shape[0], -1)[month][rows[month]][0])


def _recorded(model: Any) -> Iterator[tuple[str, np.ndarray]]:
    history = model.history
    yield "counts", history.counts
    for name, values in history.series.items():
        yield f"series.{name}", values
    for name, values in history.group_series.items():
        yield f"group_series.{name}", values
    yield "listed", history.listed
    yield "listed_armed", history.listed_armed
    for name, values in model.flows.values.items():
        yield f"flows.{name}", values


def check_finite(model: Any) -> None:
    """Raise :class:`NonFiniteError` if anything ``model`` recorded is not a usable number.

    Parameters
    ----------
    model : ddr_sim.core.model.DDRModel
        A model after its run (its ``history``, ``flows`` and ``costs`` are read).
    """
    start = model.spec.calendar.start
    for name, values in _recorded(model):
        found = first_bad_value(name, values)
        if found is not None:
            month, value = found
            raise NonFiniteError(name, month, month_label(month, start), value)
    costs: Mapping[str, float] = getattr(model, "costs", {})
    for name, value in costs.items():
        if not np.isfinite(value):
            raise NonFiniteError(f"costs.{name}", None, None, float(value))
