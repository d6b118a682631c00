"""The interactive dashboard: a Mesa ``SolaraViz`` page over :class:`DashboardModel`.

Run it with ``ddr-sim dashboard [SCENARIO]`` (or ``solara run ddr_sim.dashboard.app``,
with the scenario file in ``DDR_SIM_DASHBOARD_SCENARIO``); in a notebook, display
:func:`dashboard`. Needs the ``viz`` extra (Solara).

The sidebar holds Mesa's controls (Reset, play/pause, Step) and one slider per lever
(``ddr_sim.dashboard.model.model_params``). As in every Mesa app, the sliders set up the
*next* run: move them, then press Reset. The main area shows the running indicators, people
by status over time, trust and political progress with events marked, where people are
(groups x regions by status share) and the settings of the run on screen.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from ddr_sim.dashboard.model import (
    DashboardModel,
    Indicators,
    default_scenario_path,
    indicators,
    model_params,
    settings,
)
from ddr_sim.dashboard.views import Picture, StatusPicture, TrustPicture, WherePicture

TITLE = "Why DDR stalls (ddr-sim)"

#: Indicator cards: (test id, label, how to show the value).
INDICATOR_CARDS: tuple[tuple[str, str, object], ...] = (
    ("date", "Month", lambda i: f"{i.date} ({i.month}/{i.months})"),
    ("with-groups", "With their groups", lambda i: f"{i.with_groups:,}"),
    ("in-cantonment", "In (pre-)cantonment now", lambda i: f"{i.in_cantonment:,}"),
    ("in-moc", "In MOC patrols", lambda i: f"{i.in_moc:,}"),
    ("integrated", "Integrated (incl. training)", lambda i: f"{i.integrated:,}"),
    ("reinserted", "Reinserted", lambda i: f"{i.reinserted:,}"),
    ("stall-months", "Stall months", lambda i: f"{i.stall_months}"),
    ("defections", "Defections (rejoined)", lambda i: f"{i.defections:,}"),
    ("clashes", "Clashes", lambda i: f"{i.clashes}"),
    ("progress", "Political progress", lambda i: f"{i.political_progress:.2f}"),
    ("mean-trust", "Mean trust", lambda i: f"{i.mean_trust:.2f}"),
    ("mission", "Mission presence", lambda i: f"{i.mission_presence:.2f}"),
)


def _tagged(test_id: str, children: list, tag: str = "div", style: str = ""):
    """An HTML element carrying ``data-testid`` (what the browser test looks for)."""
    return solara.v.Html(
        tag=tag, attributes={"data-testid": test_id}, children=children, style_=style
    )


def IndicatorPanel(model: DashboardModel):
    """The running indicators as numbers (updated after every step)."""
    values: Indicators = indicators(model.ddr)
    cards = []
    for test_id, label, show in INDICATOR_CARDS:
        cards.append(
            solara.v.Html(
                tag="div",
                style_="min-width: 9em; padding: 4px 10px; border-left: 3px solid #2171b5;",
                children=[
                    solara.v.Html(
                        tag="div", style_="font-size: 0.8em; color: #555;", children=[label]
                    ),
                    _tagged(
                        f"indicator-{test_id}",
                        [show(values)],
                        style="font-size: 1.3em; font-weight: 600;",
                    ),
                ],
            )
        )
    return solara.v.Html(
        tag="div",
        style_="display: flex; flex-wrap: wrap; gap: 8px;",
        children=cards,
    )


def _plot(model: DashboardModel, picture: Picture, test_id: str):
    month = model.ddr.month
    image = solara.use_memo(lambda: picture.png(model.ddr), dependencies=[id(model), month])
    return _tagged(test_id, [solara.Image(image, format="png", width="100%")])


def SettingsPanel(model: DashboardModel):
    """The lever values of the run on screen (sliders apply on Reset)."""
    rows = [
        solara.v.Html(
            tag="tr",
            children=[
                solara.v.Html(tag="td", style_="padding-right: 1em;", children=[name]),
                _tagged(f"setting-{key.replace('_', '-')}", [value], tag="td"),
            ],
        )
        for key, name, value in settings(model)
    ]
    with solara.Column(gap="4px") as panel:
        solara.v.Html(
            tag="div",
            style_="font-weight: 600;",
            children=["Settings of this run"],
        )
        solara.v.Html(
            tag="div",
            style_="font-size: 0.85em; color: #555;",
            children=["The sliders set up the next run: move them, then press Reset."],
        )
        solara.v.Html(tag="table", style_="font-size: 0.9em;", children=rows)
    return panel


def initial_model(params: dict) -> DashboardModel:
    """The model an untouched dashboard starts with (the sliders' default values)."""
    return DashboardModel(
        **{k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}
    )


@solara.component
def Views(model: solara.Reactive[DashboardModel]):
    """The main area: indicators, the three pictures and the settings of the run.

    Re-rendered after every step (Mesa's ``update_counter``) and on Reset (a new model).
    """
    update_counter.get()
    current = model.value
    status, trust, where = solara.use_memo(
        lambda: (StatusPicture(), TrustPicture(), WherePicture()), dependencies=[id(current)]
    )
    with solara.Column(style={"padding": "8px 16px"}):
        IndicatorPanel(current)
        with solara.Columns([1, 1]):
            _plot(current, status, "plot-status")
            _plot(current, trust, "plot-trust")
        with solara.Columns([1, 1]):
            _plot(current, where, "plot-where")
            SettingsPanel(current)


@solara.component
def Dashboard(scenario_path: str | None = None):
    """Mesa's ``SolaraViz`` (app bar, controls, sliders) with :func:`Views` as main area.

    Mesa lays extra components out in a draggable grid, which needs a Vue 2 library the
    Vuetify 3 page cannot load; the views are therefore placed after ``SolaraViz``
    and share its model (a reactive value that Reset replaces).
    """
    params = solara.use_memo(lambda: model_params(scenario_path), [scenario_path])
    first = solara.use_memo(lambda: initial_model(params), [params])
    model = solara.use_reactive(first)
    SolaraViz(model, components=[], model_params=params, name=TITLE, play_interval=150)
    Views(model)


@solara.component
def Page():
    """The page ``solara run ddr_sim.dashboard.app`` serves."""
    Dashboard(default_scenario_path())


def dashboard(scenario_path: str | os.PathLike[str] | None = None):
    """The dashboard for a scenario file, to display in a notebook (default: the file in
    ``DDR_SIM_DASHBOARD_SCENARIO``, else the teaching scenario)."""
    return Dashboard(os.fspath(scenario_path) if scenario_path else default_scenario_path())
