"""The levers a class plays with: one declaration read by the sliders, the model and the
settings table.

Every lever is a ``--set`` override of the scenario file (:func:`lever_overrides`), so a
dashboard run is the same as ``ddr-sim run SCENARIO --set ...`` with that seed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ddr_sim.config.calendar import month_index, month_label
from ddr_sim.config.loading import load_scenario
from ddr_sim.config.scenario import Scenario
from ddr_sim.dashboard.defaults import default_scenario_path

#: Value of the date levers meaning "not at all" (no accelerated DDR, no mission exit).
NEVER = "never"


@dataclass(frozen=True)
class Lever:
    """A scenario value a slider sets.

    Attributes
    ----------
    name : str
        Keyword argument of :class:`~ddr_sim.dashboard.model.DashboardModel`.
    path : str
        Dotted scenario path it overrides (``economy.gold_income``).
    label : str
        Short slider label.
    unit : str
        Unit shown after the value ("" for shares and rates).
    help : str
        One line under the slider: what it changes in the model.
    low, high, step : float
        Slider range; ``high`` is raised to twice the scenario's value when that is larger.
    scale : float
        Scenario value = slider value x ``scale`` (the CVR slider is in USD million).
    """

    name: str
    path: str
    label: str
    unit: str
    help: str
    low: float
    high: float
    step: float
    scale: float = 1.0

    @property
    def description(self) -> str:
        """Label and unit, as the settings table shows them."""
        return f"{self.label} ({self.unit})" if self.unit else self.label


#: The numeric levers, in the order the sliders appear.
LEVERS: tuple[Lever, ...] = (
    Lever(
        "progress_rate",
        "politics.progress_rate",
        "Political progress rate",
        "per month",
        "How fast the peace agreement is implemented when the government wants to.",
        0,
        0.05,
        0.001,
    ),
    Lever(
        "gold_income",
        "economy.gold_income",
        "Gold income",
        "kFCFA/month",
        "What a miner earns: the pull of gold mining away from every programme.",
        0,
        400,
        5,
    ),
    Lever(
        "army_pay",
        "economy.army_pay",
        "Army pay",
        "kFCFA/month",
        "Monthly pay of an integrated soldier: the pull of integration.",
        0,
        300,
        5,
    ),
    Lever(
        "reinsertion_package",
        "programmes.reinsertion.package_value",
        "Reinsertion package",
        "kFCFA, once",
        "Value of the civilian start-up kit offered to those who leave their group.",
        0,
        1500,
        10,
    ),
    Lever(
        "reinsertion_credibility",
        "programmes.reinsertion.credibility",
        "Package credibility",
        "",
        "How far people believe the package will really be paid (0 none, 1 certain).",
        0,
        1,
        0.05,
    ),
    Lever(
        "committee_allowance",
        "economy.committee_allowance",
        "Committee allowance",
        "kFCFA/month",
        "What group leaders earn sitting on DDR committees while nothing moves.",
        0,
        400,
        5,
    ),
    Lever(
        "cvr_budget",
        "programmes.cvr.budget_usd_per_year",
        "CVR budget",
        "USD million/year",
        "Community violence-reduction projects: jobs for young people near home.",
        0,
        10,
        0.1,
        scale=1e6,
    ),
)

#: Help lines of the levers that are not numeric scenario values.
TRUST_HELP = "Added to every group's starting trust in the government (-0.5 to +0.5)."
SEED_HELP = "Which random draw: the same seed and settings give the same run."

#: The date levers: keyword argument -> (scenario path, label, help line).
DATE_LEVERS: dict[str, tuple[str, str, str]] = {
    "accelerated_ddr_from": (
        "programmes.accelerated_ddr.earliest",
        "Accelerated DDR from",
        "Earliest month the fast-track programme can launch ('never': not at all).",
    ),
    "mandate_end": (
        "mission.mandate_end",
        "Mission mandate ends",
        "When the UN mission starts to leave ('never': it stays).",
    ),
}


def lever_value(scenario: Scenario, path: str) -> object:
    """The scenario's value at a dotted path."""
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


def _slider(kind: str, value: float, low: float, high: float, step: float, label: str, help_: str):
    return {
        "type": kind,
        "value": value,
        "min": low,
        "max": high,
        "step": step,
        "label": label,
        "help": help_,
    }


def model_params(scenario_path: str | os.PathLike[str] | None = None) -> dict[str, object]:
    """Every control of the dashboard for a scenario file, Mesa ``model_params`` style.

    Slider defaults are the scenario's own values, so an untouched dashboard runs the
    scenario as written. Each control also carries ``help`` (one line) and, for numeric
    levers, ``unit``. Plain dicts (no Solara import needed).
    """
    path = os.fspath(scenario_path or default_scenario_path())
    scenario = load_scenario(path)
    params: dict[str, object] = {
        "scenario_path": path,
        "seed": _slider("SliderInt", 0, 0, 99, 1, "Seed", SEED_HELP),
        "trust_change": _slider("SliderFloat", 0.0, -0.5, 0.5, 0.05, "Trust +/-", TRUST_HELP),
    }
    for lever in LEVERS:
        value = float(lever_value(scenario, lever.path)) / lever.scale
        high = max(lever.high, 2 * value)
        params[lever.name] = {
            **_slider("SliderFloat", value, lever.low, high, lever.step, lever.label, lever.help),
            "unit": lever.unit,
        }
    own = {
        "accelerated_ddr_from": scenario.programmes.accelerated_ddr.earliest,
        "mandate_end": scenario_mandate_end(scenario),
    }
    for name, (_, label, help_) in DATE_LEVERS.items():
        params[name] = {
            "type": "Select",
            "value": own[name] or NEVER,
            "values": _date_choices(scenario, own[name]),
            "label": label,
            "help": help_,
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
