"""The model the dashboard drives: a scenario file plus the levers a class plays with.

``DashboardModel`` is a Mesa model whose constructor takes the slider values (so Mesa's
``SolaraViz`` can rebuild it on *Reset*) and runs one :class:`~ddr_sim.core.model.DDRModel`
inside. Every lever is a ``--set`` override of the scenario file (see
:func:`lever_overrides`), so a dashboard run is the same as
``ddr-sim run SCENARIO --set ...`` with that seed.

The functions below it read what the views show from the running model: people by status
over time, where people are (group x region), trust and progress, and the running
indicators. They need neither Solara nor matplotlib.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import mesa
import numpy as np

from ddr_sim.config.calendar import month_index, month_label
from ddr_sim.config.loading import load_scenario
from ddr_sim.config.scenario import Scenario
from ddr_sim.core.model import DDRModel
from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.server import SCENARIO_ENV, TEACHING_SCENARIO
from ddr_sim.runs.indicators import net_into_exits, programme_flags, stall_flags

#: Value of the date levers meaning "not at all" (no accelerated DDR, no mission exit).
NEVER = "never"


def default_scenario_path() -> str:
    """The scenario named by :data:`SCENARIO_ENV`, else the teaching scenario."""
    return os.environ.get(SCENARIO_ENV) or os.fspath(TEACHING_SCENARIO)


@dataclass(frozen=True)
class Lever:
    """A scenario value a slider sets.

    Attributes
    ----------
    name : str
        Keyword argument of :class:`DashboardModel`.
    path : str
        Dotted scenario path it overrides (``economy.gold_income``).
    label : str
        Short slider label.
    description : str
        What it is, with its unit (the settings table of the dashboard).
    low, high, step : float
        Slider range; ``high`` is raised to twice the scenario's value when that is larger.
    scale : float
        Scenario value = slider value x ``scale`` (the CVR slider is in USD million).
    """

    name: str
    path: str
    label: str
    description: str
    low: float
    high: float
    step: float
    scale: float = 1.0


#: The numeric levers, in the order the sliders appear.
LEVERS: tuple[Lever, ...] = (
    Lever(
        "progress_rate",
        "politics.progress_rate",
        "Progress rate",
        "political progress per month at full will",
        0,
        0.05,
        0.001,
    ),
    Lever(
        "gold_income",
        "economy.gold_income",
        "Gold income",
        "gold income per miner, kFCFA/month",
        0,
        400,
        5,
    ),
    Lever("army_pay", "economy.army_pay", "Army pay", "army pay, kFCFA/month", 0, 300, 5),
    Lever(
        "reinsertion_package",
        "programmes.reinsertion.package_value",
        "Reinsertion kit",
        "reinsertion package, kFCFA (one-off)",
        0,
        1500,
        10,
    ),
    Lever(
        "committee_allowance",
        "economy.committee_allowance",
        "Committee pay",
        "committee allowance, kFCFA/month",
        0,
        400,
        5,
    ),
    Lever(
        "cvr_budget",
        "programmes.cvr.budget_usd_per_year",
        "CVR budget",
        "CVR budget, USD million/year",
        0,
        10,
        0.1,
        scale=1e6,
    ),
)

#: The date levers: keyword argument -> (scenario path, label).
DATE_LEVERS: dict[str, tuple[str, str]] = {
    "accelerated_ddr_from": ("programmes.accelerated_ddr.earliest", "Accelerated DDR from"),
    "mandate_end": ("mission.mandate_end", "Mission mandate ends"),
}


def _lever_value(scenario: Scenario, path: str) -> object:
    value: object = scenario
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _date_choices(scenario: Scenario, current: str | None) -> list[str]:
    """January and July of every year in the calendar, the scenario's own date, 'never'."""
    start, months = scenario.calendar.start, scenario.calendar.months
    dates = {month_label(m, start) for m in range(months)}
    choices = {d for d in dates if d.endswith(("-01", "-07"))}
    if current is not None:
        choices.add(current)
    return [*sorted(choices), NEVER]


def scenario_mandate_end(scenario: Scenario) -> str | None:
    """When the mission's mandate ends: ``mission.mandate_end`` or an earlier enabled
    ``mission_exit`` event (the mission leaves at the earlier of the two)."""
    dates = [e.date for e in scenario.events if e.type == "mission_exit" and e.enabled]
    if scenario.mission.mandate_end is not None:
        dates.append(scenario.mission.mandate_end)
    return min(dates, key=lambda d: month_index(d, scenario.calendar.start), default=None)


def model_params(scenario_path: str | os.PathLike[str] | None = None) -> dict[str, object]:
    """The ``model_params`` of Mesa's ``SolaraViz`` for a scenario file.

    Slider defaults are the scenario's own values, so an untouched dashboard runs the
    scenario as written. Plain dicts (no Solara import needed).
    """
    path = os.fspath(scenario_path or default_scenario_path())
    scenario = load_scenario(path)
    params: dict[str, object] = {
        "scenario_path": path,
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": 99, "step": 1, "label": "Seed"},
        "trust_change": {
            "type": "SliderFloat",
            "value": 0.0,
            "min": -0.5,
            "max": 0.5,
            "step": 0.05,
            "label": "Trust +/-",
        },
    }
    for lever in LEVERS:
        value = float(_lever_value(scenario, lever.path)) / lever.scale
        params[lever.name] = {
            "type": "SliderFloat",
            "value": value,
            "min": lever.low,
            "max": max(lever.high, 2 * value),
            "step": lever.step,
            "label": lever.label,
        }
    own = {
        "accelerated_ddr_from": scenario.programmes.accelerated_ddr.earliest,
        "mandate_end": scenario_mandate_end(scenario),
    }
    for name, (_, label) in DATE_LEVERS.items():
        params[name] = {
            "type": "Select",
            "value": own[name] or NEVER,
            "values": _date_choices(scenario, own[name]),
            "label": label,
        }
    return params


def lever_overrides(
    scenario: Scenario,
    *,
    trust_change: float = 0.0,
    accelerated_ddr_from: str | None = None,
    mandate_end: str | None = None,
    **levers: float | None,
) -> list[str]:
    """The ``--set`` overrides that put the lever values into ``scenario``.

    Parameters
    ----------
    scenario : Scenario
        The scenario as loaded from its file.
    trust_change : float
        Added to every group's ``initial_trust`` (clipped to [0, 1]).
    accelerated_ddr_from, mandate_end : str, optional
        ``YYYY-MM``, or :data:`NEVER`; None keeps the scenario's value. A mandate end
        replaces the scenario's ``mission_exit`` events (they are disabled).
    **levers : float, optional
        Values of :data:`LEVERS` by name, in slider units; None keeps the scenario's value.
    """
    known = {lever.name: lever for lever in LEVERS}
    unknown = set(levers) - set(known)
    if unknown:
        raise TypeError(f"unknown lever(s) {sorted(unknown)}; expected some of {sorted(known)}")
    overrides: list[str] = []
    if trust_change:
        for g in scenario.groups:
            trust = float(np.clip(g.initial_trust + trust_change, 0.0, 1.0))
            overrides.append(f"groups.{g.name}.initial_trust={trust:.4f}")
    for name, value in levers.items():
        if value is not None:
            lever = known[name]
            overrides.append(f"{lever.path}={float(value) * lever.scale!r}")
    if accelerated_ddr_from is not None:
        date = "null" if accelerated_ddr_from == NEVER else accelerated_ddr_from
        overrides.append(f"{DATE_LEVERS['accelerated_ddr_from'][0]}={date}")
    if mandate_end is not None and mandate_end != scenario_mandate_end(scenario):
        date = "null" if mandate_end == NEVER else mandate_end
        overrides.append(f"{DATE_LEVERS['mandate_end'][0]}={date}")
        for i, event in enumerate(scenario.events):
            if event.type == "mission_exit":
                overrides.append(f"events.{i}.enabled=false")
    return overrides


class DashboardModel(mesa.Model):
    """One run of a scenario file with the dashboard's levers applied.

    Rule: load the scenario, apply :func:`lever_overrides`, and step a ``DDRModel`` one
    month per ``step()``. The keyword arguments are the sliders of the dashboard; None
    keeps the scenario's value.

    Attributes
    ----------
    ddr : DDRModel
        The model being run (``ddr.history``, ``ddr.flows`` hold its records).
    scenario_path : str
        The scenario file.
    overrides : list of str
        The overrides the levers produced.
    """

    def __init__(
        self,
        scenario_path: str | os.PathLike[str] | None = None,
        seed: int = 0,
        trust_change: float = 0.0,
        progress_rate: float | None = None,
        gold_income: float | None = None,
        army_pay: float | None = None,
        reinsertion_package: float | None = None,
        committee_allowance: float | None = None,
        cvr_budget: float | None = None,
        accelerated_ddr_from: str | None = None,
        mandate_end: str | None = None,
    ):
        seed = int(seed)
        super().__init__(rng=seed)
        self.scenario_path = os.fspath(scenario_path or default_scenario_path())
        base = load_scenario(self.scenario_path)
        self.overrides = lever_overrides(
            base,
            trust_change=float(trust_change),
            accelerated_ddr_from=accelerated_ddr_from,
            mandate_end=mandate_end,
            progress_rate=progress_rate,
            gold_income=gold_income,
            army_pay=army_pay,
            reinsertion_package=reinsertion_package,
            committee_allowance=committee_allowance,
            cvr_budget=cvr_budget,
        )
        self.ddr = DDRModel(load_scenario(self.scenario_path, self.overrides), seed=seed)
        self.running = self.ddr.running

    def step(self) -> None:
        """One month of the DDR model."""
        if self.ddr.running:
            self.ddr.step()
        self.running = self.ddr.running


# --------------------------------------------------------------------------------------------
# What the views read


def months_done(model: DDRModel) -> int:
    """Months simulated so far."""
    return int(model.month)


def status_over_time(model: DDRModel) -> np.ndarray:
    """People by status, ``[month, status]``, for the months simulated so far."""
    return model.history.counts[: months_done(model)].sum(axis=(1, 2))


def where_people_are(model: DDRModel) -> np.ndarray:
    """People ``[group, region, status]`` now (for the scenario's groups and splinters)."""
    t = months_done(model)
    counts = model.history.counts[t - 1] if t else model.population.counts
    return np.asarray(counts[: len(model.groups)])


def group_names(model: DDRModel) -> list[str]:
    return [g.name for g in model.groups]


def trust_over_time(model: DDRModel) -> np.ndarray:
    """Trust ``[month, group]`` so far (NaN before a splinter group exists)."""
    t = months_done(model)
    n = len(model.groups)
    trust = model.history.group_series["trust"][:t, :n].copy()
    exists = model.history.group_series["exists"][:t, :n] > 0.5
    trust[~exists] = np.nan
    return trust


def series_so_far(model: DDRModel, name: str) -> np.ndarray:
    """A model-level series (``political_progress``, ``mission_presence``...) so far."""
    return model.history.series[name][: months_done(model)]


def events_so_far(model: DDRModel) -> list[tuple[int, str]]:
    """``(month, kind)`` of the events applied so far (scenario events and launches)."""
    return [(m, kind) for m, kind, _ in model.flows.events if m < months_done(model)]


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


def indicators(model: DDRModel) -> Indicators:
    """The running indicators after the months simulated so far.

    ``stall_months`` counts months with a programme open and no net entry into
    integration or reinsertion (:func:`ddr_sim.runs.indicators.stall_flags`); ``defections``
    the integrated people who went back to their group (flow ``rejoined``).
    """
    t = months_done(model)
    now = where_people_are(model).sum(axis=(0, 1))
    flows = model.flows.values
    if t:
        stalls = int(
            stall_flags(programme_flags(model)["programme_open"], net_into_exits(model)).sum()
        )
        progress = float(model.history.series["political_progress"][t - 1])
        presence = float(model.history.series["mission_presence"][t - 1])
        trust = trust_over_time(model)[-1]
        date = model.label(t - 1)
    else:
        stalls = 0
        progress = float(model.government.progress)
        presence = float(model.mission.presence)
        trust = np.array([g.trust for g in model.groups])
        date = model.label(0)
    return Indicators(
        date=date,
        month=t,
        months=model.months,
        with_groups=int(now[Status.ACTIVE] + now[Status.MINING] + now[Status.UNFIT_WAITING]),
        in_cantonment=int(now[Status.PRE_CANTONED] + now[Status.CANTONED]),
        ever_cantoned=int(flows["cantoned"][:t].sum() + flows["pre_cantoned"][:t].sum()),
        in_moc=int(now[Status.MOC]),
        integrated=int(now[Status.INTEGRATED] + now[Status.TRAINING]),
        reinserted=int(now[Status.REINSERTED]),
        stall_months=stalls,
        defections=int(flows["rejoined"][:t].sum()),
        clashes=int(flows["clashes"][:t].sum()),
        political_progress=progress,
        mean_trust=float(np.nanmean(trust)) if np.isfinite(trust).any() else float("nan"),
        mission_presence=presence,
    )


def settings(model: DashboardModel) -> list[tuple[str, str, str]]:
    """``(key, description, value)`` of each lever in this run, as text; the keys are
    the keyword arguments of :class:`DashboardModel` (shown next to the plots)."""
    sc = model.ddr.spec
    trust = ", ".join(f"{g.name} {g.initial_trust:.2f}" for g in sc.groups)
    shown = [
        ("scenario", "scenario", f"{sc.name} ({Path(model.scenario_path).name})"),
        ("seed", "seed", str(model.ddr.seed)),
        ("trust_change", "initial trust (slider: +/- for every group)", trust),
    ]
    for lever in LEVERS:
        value = float(_lever_value(sc, lever.path)) / lever.scale
        shown.append((lever.name, lever.description, f"{value:g}"))
    shown.append(
        (
            "accelerated_ddr_from",
            "accelerated DDR, earliest launch",
            sc.programmes.accelerated_ddr.earliest or NEVER,
        )
    )
    shown.append(("mandate_end", "mission mandate ends", scenario_mandate_end(sc) or NEVER))
    return shown
