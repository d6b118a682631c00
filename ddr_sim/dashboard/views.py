"""The main area's tabs: the run (numbers and pictures), one person's life, the Info page.

Every view reads the model's latest :class:`~ddr_sim.dashboard.frame.Frame` (taken after
a whole month, never mid-step) and redraws when its serial changes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import solara
from mesa.visualization.utils import update_counter

from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.controls import tagged
from ddr_sim.dashboard.follow import changes
from ddr_sim.dashboard.frame import Frame, Indicators
from ddr_sim.dashboard.life_picture import Life, LifePicture
from ddr_sim.dashboard.model import DashboardModel, settings
from ddr_sim.dashboard.pictures import (
    IMAGE_FORMAT,
    Picture,
    StatusPicture,
    TrustPicture,
    decimal_year,
)
from ddr_sim.dashboard.regions import RegionsPicture, WherePicture

INFO = Path(__file__).resolve().parent / "info.md"

#: Indicator cards: (test id, label, how to show the value).
INDICATOR_CARDS: tuple[tuple[str, str, object], ...] = (
    ("date", "Date (months done)", lambda i: f"{i.date} ({i.month}/{i.months})"),
    ("with-groups", "With their groups", lambda i: f"{i.with_groups:,}"),
    ("in-cantonment", "In (pre-)cantonment now", lambda i: f"{i.in_cantonment:,}"),
    ("in-moc", "In MOC patrols", lambda i: f"{i.in_moc:,}"),
    ("integrated", "Integrated (incl. training)", lambda i: f"{i.integrated:,}"),
    ("reinserted", "Reinserted", lambda i: f"{i.reinserted:,}"),
    ("stall-months", "Stall months", lambda i: f"{i.stall_months}"),
    ("defections", "Defections", lambda i: f"{i.defections:,}"),
    ("clashes", "Clashes", lambda i: f"{i.clashes}"),
    ("progress", "Political progress", lambda i: f"{i.political_progress:.2f}"),
    ("mean-trust", "Mean trust", lambda i: f"{i.mean_trust:.2f}"),
    ("mission", "Mission presence", lambda i: f"{i.mission_presence:.2f}"),
)


def IndicatorPanel(values: Indicators):
    """The running indicators as numbers."""
    cards = [
        solara.v.Html(
            tag="div",
            style_="min-width: 8.5em; padding: 2px 8px; border-left: 3px solid #2171b5;",
            children=[
                solara.v.Html(tag="div", style_="font-size: 12px; color: #555;", children=[label]),
                tagged(
                    f"indicator-{test_id}",
                    [show(values)],
                    style="font-size: 18px; font-weight: 600;",
                ),
            ],
        )
        for test_id, label, show in INDICATOR_CARDS
    ]
    return solara.v.Html(
        tag="div", style_="display: flex; flex-wrap: wrap; gap: 6px;", children=cards
    )


@solara.component
def PictureView(picture: Picture[Frame], frame: Frame, test_id: str):
    """A picture of the frame, as an image at its own size (never wider than the column)."""
    image = solara.use_memo(lambda: picture.image(frame), dependencies=[frame.serial])
    return tagged(
        test_id,
        [solara.Image(image, format=IMAGE_FORMAT, width="auto")],
        style="max-width: 100%; overflow-x: auto;",
    )


def SettingsPanel(model: DashboardModel):
    """The lever values of the run on screen (sliders apply on Reset)."""
    rows = [
        solara.v.Html(
            tag="tr",
            children=[
                solara.v.Html(tag="td", style_="padding-right: 1em;", children=[name]),
                tagged(f"setting-{key.replace('_', '-')}", [value], tag="td"),
            ],
        )
        for key, name, value in settings(model)
    ]
    with solara.Column(gap="4px") as panel:
        solara.Text("Settings of this run", style="font-weight: 600;")
        solara.v.Html(tag="table", style_="font-size: 13px;", children=rows)
    return panel


@solara.component
def RunView(model: DashboardModel):
    """Numbers, people by status, trust and progress, regions, groups x regions."""
    update_counter.get()
    pictures = solara.use_memo(
        lambda: {
            "plot-status": StatusPicture(),
            "plot-trust": TrustPicture(),
            "plot-regions": RegionsPicture(),
            "plot-where": WherePicture(),
        },
        dependencies=[],
    )
    frame = model.frame
    with solara.Column(gap="10px"):
        IndicatorPanel(frame.indicators)
        with solara.Div(style="display: flex; flex-wrap: wrap; gap: 10px;"):
            for test_id, picture in pictures.items():
                PictureView(picture, frame, test_id)
        SettingsPanel(model)


@solara.component
def FollowView(model: DashboardModel):
    """Pick a person by number or at random; their months as a table of changes."""
    update_counter.get()
    number = solara.use_reactive(0)
    message = solara.use_reactive("")
    picks = solara.use_reactive(0)  # read below: a pick redraws this view
    picks.get()
    rng = solara.use_memo(np.random.default_rng, dependencies=[])
    population = model.population

    def pick_random(status: Status | None, what: str) -> None:
        found = model.follow_random(status, rng)
        message.set("" if found else f"Nobody is {what} yet: step on and try again.")
        if found:
            number.set(int(model.followed))
        picks.set(picks.value + 1)

    def pick(row: int) -> None:
        model.follow(row)
        picks.set(picks.value + 1)

    with solara.Column(gap="8px"):
        solara.Text(
            f"Pick one of the {population.size:,} people recruited so far (numbers 0 to "
            f"{max(population.size - 1, 0):,}), or one at random. Their months before you "
            "picked them are found by running the same settings and seed again."
        )
        with solara.Row(style="align-items: center; flex-wrap: wrap;"):
            solara.InputInt("Person number", value=number, style="max-width: 10em;")
            solara.Button("Follow", color="primary", on_click=lambda: pick(number.value))
            solara.Button(
                "A random integrated person",
                on_click=lambda: pick_random(Status.INTEGRATED, "integrated"),
            )
            solara.Button("Anyone at random", on_click=lambda: pick_random(None, "recruited"))
        if message.value:
            solara.Warning(message.value)
        if model.followed is not None and model.life:
            PersonTable(model)


@solara.component
def PersonTable(model: DashboardModel):
    """The followed person now, and every month their group, status or place changed."""
    life = model.life
    now = life[-1]
    head = ("date", "group", "status", "where", "home", "trust")
    rows = [
        solara.v.Html(
            tag="tr",
            children=[
                solara.v.Html(tag="td", style_="padding: 1px 10px 1px 0;", children=[cell])
                for cell in (
                    (m.date, m.group, m.status, m.where, m.home, f"{m.trust:.2f}")
                    if m.present
                    else (m.date, "not yet recruited", "", "", "", "")
                )
            ],
        )
        for m in changes(life)
    ]
    summary = (
        f"Person {model.followed}, {now.date}: {now.status} with {now.group}, in {now.where} "
        f"(home {now.home}), trust {now.trust:.2f}."
        if now.present
        else f"Person {model.followed} has not been recruited yet ({now.date})."
    )
    frame = model.frame
    year = float(decimal_year(frame, 0))
    picture = solara.use_memo(LifePicture, dependencies=[])
    image = solara.use_memo(
        lambda: picture.image(Life(life, year, frame.months)),
        dependencies=[model.followed, len(life)],
    )
    with solara.Column(gap="4px") as table:
        tagged("follow-summary", [summary], style="font-weight: 600;")
        tagged("follow-picture", [solara.Image(image, format=IMAGE_FORMAT, width="auto")])
        solara.Text(f"Months followed: {len(life) - 1}. Changes of group, status or place:")
        solara.v.Html(
            tag="table",
            attributes={"data-testid": "follow-table"},
            style_="font-size: 13px; border-collapse: collapse;",
            children=[
                solara.v.Html(
                    tag="tr",
                    children=[
                        solara.v.Html(tag="th", style_="text-align: left;", children=[h])
                        for h in head
                    ],
                ),
                *rows,
            ],
        )
    return table


def info_html() -> str:
    """The Info page as HTML (rendered here: Solara's Markdown would fetch a diagram
    library from the internet)."""
    import markdown

    return markdown.markdown(INFO.read_text(encoding="utf-8"))


@solara.component
def InfoView():
    """The Info page (NetLogo layout), from ``info.md``."""
    html = solara.use_memo(info_html, dependencies=[])
    with solara.Div(style="max-width: 46em; font-size: 15px;", attributes={"data-testid": "info"}):
        solara.HTML(tag="div", unsafe_innerHTML=html)
