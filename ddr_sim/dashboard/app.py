"""The interactive dashboard: a Solara page over a :class:`~ddr_sim.dashboard.model.DashboardModel`.

Run it with ``ddr-sim dashboard [SCENARIO]`` (or ``solara run ddr_sim.dashboard.app``,
with the scenario file in ``DDR_SIM_DASHBOARD_SCENARIO``); in a notebook, display
:func:`dashboard`. Needs the ``viz`` extra (Solara).

Left column: Mesa's run buttons (Reset, play/pause, Step) with two timing sliders, then
one control per lever, each with its value and a line of help. As in every Mesa app, the
levers set up the *next* run: move them, then press Reset. Main area, in tabs: the run
(indicators, people by status, trust and progress with events, who holds each region,
where each group's people are), one person followed month by month, and the Info page.

The layout is two plain columns (no drawer), so that at 1024 x 768 the controls never
cover the pictures; each column scrolls on its own.
"""

from __future__ import annotations

import os

import solara

from ddr_sim.dashboard.controls import RunControls, SettingsControls, initial_values
from ddr_sim.dashboard.defaults import default_scenario_path, spec
from ddr_sim.dashboard.levers import model_params
from ddr_sim.dashboard.model import DashboardModel
from ddr_sim.dashboard.views import FollowView, InfoView, RunView

TITLE = "Why DDR stalls (ddr-sim)"

#: The main area's views; only the one chosen is drawn.
TABS = ("Run", "Follow a person", "Info")

LAYOUT = "display: flex; height: 100vh; width: 100%; overflow: hidden;"
SIDE = (
    "flex: 0 0 270px; overflow-y: auto; padding: 8px 12px; border-right: 1px solid #ddd;"
    " background: #fafafa;"
)
MAIN = "flex: 1 1 auto; overflow-y: auto; padding: 4px 12px; min-width: 0;"


def initial_model(params: dict) -> DashboardModel:
    """The model an untouched dashboard starts with (the controls' default values)."""
    return DashboardModel(**initial_values(params))


@solara.component
def Dashboard(scenario_path: str | None = None):
    """The whole page for one scenario file (one per browser session)."""
    params = solara.use_memo(lambda: model_params(scenario_path), [scenario_path])
    first = solara.use_memo(lambda: initial_model(params), [params])
    model = solara.use_reactive(first)
    values = solara.use_reactive(initial_values(params))
    months_per_step = solara.use_reactive(1)
    pause_ms = solara.use_reactive(150)
    tab = solara.use_reactive(TABS[0])
    solara.Title(TITLE)
    with solara.Div(style=LAYOUT):
        with solara.Div(style=SIDE):
            solara.Text(TITLE, style="font-size: 17px; font-weight: 700;")
            solara.Text(
                f"Scenario: {spec(model.value).name}",
                style="font-size: 13px; color: #555; display: block; margin-bottom: 4px;",
            )
            RunControls(model, values, months_per_step, pause_ms)
            solara.v.Divider()
            SettingsControls(params, values)
        with solara.Div(style=MAIN):
            solara.ToggleButtonsSingle(value=tab, values=list(TABS), style="margin: 4px 0 8px 0;")
            if tab.value == "Run":
                RunView(model.value)
            elif tab.value == "Follow a person":
                FollowView(model.value)
            else:
                InfoView()


@solara.component
def Page():
    """The page ``solara run ddr_sim.dashboard.app`` serves."""
    Dashboard(default_scenario_path())


def dashboard(scenario_path: str | os.PathLike[str] | None = None):
    """The dashboard for a scenario file, to display in a notebook (default: the file in
    ``DDR_SIM_DASHBOARD_SCENARIO``, else the teaching scenario)."""
    return Dashboard(os.fspath(scenario_path) if scenario_path else default_scenario_path())
