"""What the dashboard shows after a month, taken from the running model in one go.

A :class:`Frame` is an immutable snapshot: the months simulated so far, people by status
over time, trust and progress over time, where people are now, who holds each region and
the running indicators. The model builds one after each step, in the thread that steps
it, so a picture drawn in another thread (another browser request, the play loop of a
second tab) never sees a run half-way through a month: every array in a frame has the
same number of months.

Row 0 of every time series is the state at the start, before the first month; row ``t``
is the state after ``t`` months, dated the first day of the next month. The first Step
therefore moves the date and adds a segment to every curve.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ddr_sim.config.calendar import month_label
from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.defaults import spec
from ddr_sim.runs.indicators import net_into_exits, programme_flags, stall_flags

_SERIALS = itertools.count()


@dataclass(frozen=True)
class Indicators:
    """The running indicators the dashboard shows as numbers."""

    date: str
    month: int
    months: int
    with_groups: int
    in_cantonment: int
    ever_cantoned: int
    in_moc: int
    integrated: int
    reinserted: int
    stall_months: int
    defections: int
    clashes: int
    political_progress: float
    mean_trust: float
    mission_presence: float


@dataclass(frozen=True, eq=False)
class Start:
    """The state before the first month (the model's records begin after month 1)."""

    status: np.ndarray  # [status]
    trust: np.ndarray  # [group slot]
    progress: float
    presence: float

    @classmethod
    def of(cls, model: DDRModel) -> Start:
        trust = np.full(model.n_group_slots, np.nan)
        trust[: len(model.groups)] = [g.trust for g in model.groups]
        return cls(
            status=model.population.counts.sum(axis=(0, 1)),
            trust=trust,
            progress=float(model.government.progress),
            presence=float(model.mission.presence),
        )


@dataclass(frozen=True, eq=False)
class Frame:
    """The run as shown after ``month`` months (see the module docstring).

    Attributes
    ----------
    month, months : int
        Months simulated so far, months in the calendar.
    start : str
        First month of the calendar (``YYYY-MM``).
    status : ndarray
        People by status, ``[month + 1, status]``.
    trust : ndarray
        Trust per group, ``[month + 1, group]`` (NaN before a splinter exists).
    progress, presence : ndarray
        Political progress and mission presence, ``[month + 1]``.
    where : ndarray
        People now, ``[group, region, status]``.
    controller : ndarray
        Who holds each region now: a group index, or -1 for the government.
    groups, regions : tuple of str
        Group names (splinters included) and region names.
    events : tuple of (int, str)
        ``(month, kind)`` of the events applied so far.
    indicators : Indicators
        The running numbers.
    serial : int
        Unique over the server's life: a view redraws when it sees a new serial.
    """

    month: int
    months: int
    start: str
    status: np.ndarray
    trust: np.ndarray
    progress: np.ndarray
    presence: np.ndarray
    where: np.ndarray
    controller: np.ndarray
    groups: tuple[str, ...]
    regions: tuple[str, ...]
    events: tuple[tuple[int, str], ...]
    indicators: Indicators
    serial: int

    def label(self, month: int) -> str:
        """``YYYY-MM`` of a month counted from the start of the calendar."""
        return month_label(month, self.start)


def frame_of(model: DDRModel, start: Start) -> Frame:
    """Snapshot ``model`` after the months simulated so far (call between steps)."""
    t = int(model.month)
    n = len(model.groups)
    history = model.history
    status = np.vstack([start.status, history.counts[:t].sum(axis=(1, 2))])
    trust = np.vstack([start.trust[:n], history.group_series["trust"][:t, :n]])
    exists = np.vstack([np.isfinite(start.trust[:n]), history.group_series["exists"][:t, :n] > 0.5])
    trust[~exists] = np.nan
    progress = np.concatenate([[start.progress], history.series["political_progress"][:t]])
    presence = np.concatenate([[start.presence], history.series["mission_presence"][:t]])
    where = np.array(model.population.counts[:n])
    frame_start = spec(model).calendar.start
    return Frame(
        month=t,
        months=int(model.months),
        start=frame_start,
        status=status,
        trust=trust,
        progress=progress,
        presence=presence,
        where=where,
        controller=model.region_controller.copy(),
        groups=tuple(g.name for g in model.groups),
        regions=tuple(model.region_names),
        events=tuple((m, kind) for m, kind, _ in model.flows.events if m < t),
        indicators=_indicators(model, t, where, trust[-1], progress[-1], presence[-1]),
        serial=next(_SERIALS),
    )


def _indicators(
    model: DDRModel,
    t: int,
    where: np.ndarray,
    trust: np.ndarray,
    progress: float,
    presence: float,
) -> Indicators:
    """The running numbers after ``t`` months.

    ``stall_months`` counts months on the stall clock (from the first month an exit
    programme is open or DDR falls due) with no net entry into integration or
    reinsertion (:func:`ddr_sim.runs.indicators.stall_flags`), as the run summary does;
    ``defections`` the integrated people who went back to their group (flow ``rejoined``).
    """
    now = where.sum(axis=(0, 1))
    flows = model.flows.values
    stalls = 0
    if t:
        stalls = int(
            stall_flags(programme_flags(model)["stall_clock"], net_into_exits(model)).sum()
        )
    return Indicators(
        date=month_label(t, spec(model).calendar.start),
        month=t,
        months=int(model.months),
        with_groups=int(now[Status.ACTIVE] + now[Status.MINING] + now[Status.UNFIT_WAITING]),
        in_cantonment=int(now[Status.PRE_CANTONED] + now[Status.CANTONED]),
        ever_cantoned=int(flows["cantoned"][:t].sum() + flows["pre_cantoned"][:t].sum()),
        in_moc=int(now[Status.MOC]),
        integrated=int(now[Status.INTEGRATED] + now[Status.TRAINING]),
        reinserted=int(now[Status.REINSERTED]),
        stall_months=stalls,
        defections=int(flows["rejoined"][:t].sum()),
        clashes=int(flows["clashes"][:t].sum()),
        political_progress=float(progress),
        mean_trust=float(np.nanmean(trust)) if np.isfinite(trust).any() else float("nan"),
        mission_presence=float(presence),
    )
