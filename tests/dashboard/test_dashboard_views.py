"""What the dashboard's tabs show, without a browser: one person's life, the map of
Mali's regions, the Info page and the controls' values and help."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ddr_sim.core.statuses import Status
from ddr_sim.dashboard.follow import changes, person_now
from ddr_sim.dashboard.geography import SHAPES_FILE, label_point, mali_regions, match_regions
from ddr_sim.dashboard.levers import model_params
from ddr_sim.dashboard.model import DashboardModel

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"


def test_a_person_followed_from_the_start_has_the_life_a_late_pick_replays():
    """Recording month by month and replaying the run later give the same life."""
    live = DashboardModel(TEACHING, seed=4)
    live.follow(123)
    for _ in range(40):
        live.step()
    late = DashboardModel(TEACHING, seed=4)
    for _ in range(40):
        late.step()
    late.follow(123)
    assert len(live.life) == len(late.life) == 41
    assert live.life == late.life
    assert live.life[-1] == person_now(live, 123)
    late.step()
    assert late.life[-1].month == 41


def test_a_pick_while_the_run_plays_catches_up_with_the_months_played_meanwhile():
    """The replay of a pick runs while another thread steps the model: the life it
    ends with reaches the model's month and is the life recorded live."""
    import threading

    live = DashboardModel(TEACHING, seed=4)
    live.follow(123)
    played = DashboardModel(TEACHING, seed=4)
    for _ in range(30):
        live.step()
        played.step()
    player = threading.Thread(target=lambda: [played.step() for _ in range(30)])
    player.start()
    played.follow(123)
    player.join()
    for _ in range(30):
        live.step()
    assert played.month == 60
    assert played.life == live.life


def test_a_random_integrated_person_is_integrated_and_changes_are_listed():
    model = DashboardModel(TEACHING, seed=1)
    rng = np.random.default_rng(0)
    assert not model.follow_random(Status.INTEGRATED, rng)  # nobody yet
    while (
        model.frame.indicators.integrated == 0
        or not model.population.in_status(Status.INTEGRATED).any()
    ):
        model.step()
    assert model.follow_random(Status.INTEGRATED, rng)
    assert model.population.status[model.followed] == Status.INTEGRATED
    assert model.life[-1].status == "integrated"
    shown = changes(model.life)
    assert shown[0] == model.life[0]
    assert shown[-1].status == "integrated"
    assert all(
        (a.group, a.status, a.where) != (b.group, b.status, b.where)
        for a, b in zip(shown, shown[1:], strict=False)
    )
    from ddr_sim.dashboard.life_picture import Life, LifePicture

    assert LifePicture().image(Life(model.life, 2015.0, model.frame.months)).startswith(b"\xff\xd8")


def test_the_status_band_has_a_span_per_run_of_months_and_none_for_now():
    from ddr_sim.dashboard.follow import PersonMonth
    from ddr_sim.dashboard.life_picture import ABSENT, COLOR_BY_NAME, status_spans

    def month(t: int, status: str) -> PersonMonth:
        return PersonMonth(t, "", present=bool(status), status=status)

    statuses = ["", "", "with group", "with group", "integrated", "integrated"]
    boxes, colors = status_spans([month(t, s) for t, s in enumerate(statuses)], 2000.0)
    assert colors == [ABSENT, COLOR_BY_NAME["with group"], COLOR_BY_NAME["integrated"]]
    edges = [(b[0, 0], b[1, 0]) for b in boxes]
    np.testing.assert_allclose(edges, 2000 + np.array([(0, 2), (2, 4), (4, 5)]) / 12)
    assert status_spans([month(0, "with group")], 2000.0) == ([], [])


def test_a_person_not_yet_recruited_is_shown_as_such():
    model = DashboardModel(TEACHING)
    model.follow(model.population.size + 10)  # a youth who may join later
    assert model.life[0].present is False
    model.follow(-1)
    assert model.followed is None and model.life == []


def test_the_map_is_drawn_only_for_mali_regions():
    assert match_regions(["Kidal", "Gao", "Timbuktu", "Menaka", "Mopti"]) is not None
    assert match_regions(["Tombouctou", "Ménaka"]) == {"Tombouctou": "Timbuktu", "Ménaka": "Menaka"}
    assert match_regions(["North", "Centre"]) is None
    assert match_regions(["Kidal", "Nowhere"]) is None


def test_shipped_shapes_are_small_licensed_and_inside_mali():
    assert SHAPES_FILE.stat().st_size < 50_000
    note = (SHAPES_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in note and "public domain" in note
    data = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    assert {f["properties"]["name"] for f in data["features"]} >= {
        "Kidal",
        "Gao",
        "Timbuktu",
        "Menaka",
        "Mopti",
        "Bamako",
    }
    for name, (outline, _) in mali_regions().items():
        assert np.allclose(outline[0], outline[-1]), name  # closed rings
        lon, lat = label_point(outline)
        assert -12.5 < lon < 4.5 and 10 < lat < 25.2, name


def test_the_map_colours_each_region_by_who_holds_it():
    from ddr_sim.dashboard.regions import RegionsPicture
    from ddr_sim.dashboard.styles import group_color

    model = DashboardModel(MALI)
    picture = RegionsPicture()
    picture.image(model.frame)
    faces = picture._areas.get_facecolor()
    from matplotlib.colors import to_rgba

    for region, holder in enumerate(model.frame.controller):
        assert np.allclose(faces[region], to_rgba(group_color(int(holder)))), region


def test_info_page_follows_the_netlogo_layout_and_names_no_outside_file():
    from ddr_sim.dashboard.views import INFO

    text = INFO.read_text(encoding="utf-8")
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "WHAT IS IT?",
        "HOW IT WORKS",
        "HOW TO USE IT",
        "THINGS TO NOTICE",
        "THINGS TO TRY",
        "EXTENDING THE MODEL",
        "CREDITS AND REFERENCES",
    ]
    assert "DOMAIN" not in text and "../" not in text


@pytest.mark.parametrize("path", [TEACHING, MALI])
def test_every_control_has_a_one_line_help_and_a_visible_value(path):
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    from ddr_sim.dashboard.controls import TIMING, shown_value

    params = model_params(path)
    controls = {k: v for k, v in params.items() if isinstance(v, dict)}
    assert "reinsertion_credibility" in controls
    for name, spec in {**controls, **TIMING}.items():
        assert spec["help"] and len(spec["help"]) <= 90 and "\n" not in spec["help"], name
        assert shown_value(spec["value"], spec), name
    assert shown_value(0.2, params["trust_change"]) == "+0.20"
    assert shown_value(130.0, params["gold_income"]) == "130 kFCFA/month"


def test_play_loop_stops_at_the_end_and_on_pause_without_a_second_report():
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    import threading
    import time

    from ddr_sim.dashboard.player import Player

    months, reports, ended = [], [], threading.Event()

    def advance() -> bool:
        months.append(len(months) + 1)
        return len(months) < 5

    def on_stop(error):
        reports.append(error)
        ended.set()

    player = Player(advance, lambda: 0.001, on_stop)
    player.start()
    assert ended.wait(10)
    assert months == [1, 2, 3, 4, 5] and reports == [None] and not player.playing

    slow = Player(lambda: True, lambda: 0.01, on_stop)
    slow.start()
    time.sleep(0.1)
    assert slow.playing
    slow.stop()
    time.sleep(0.1)
    assert not slow.playing and reports == [None]  # a Pause is not reported again

    def broken() -> bool:
        raise ValueError("shape mismatch")

    ended.clear()
    Player(broken, lambda: 0.001, on_stop).start()
    assert ended.wait(10)
    assert reports[-1] == "the run stopped: shape mismatch"


def test_labels_are_placed_on_their_anchors_inside_their_boxes():
    """Text drawn as outlines: centred on its anchor, inside its box, one line under the
    other, as wide as matplotlib's own layout of the same string."""
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    from ddr_sim.dashboard.labels import Labels

    ax = Figure(dpi=100).add_axes((0, 0, 1, 1))
    labels = Labels(ax, size=10, weight="bold")
    artists = labels.show(np.array([[0.5, 0.5], [0.2, 0.8]]), ["12,345", "Kidal\n7 0"])
    assert artists == [labels.boxes, labels.text]
    assert len(labels.text.get_paths()) == len(labels.boxes.get_paths()) == 2
    one, two = labels.text.get_paths()
    for glyphs, box in zip(labels.text.get_paths(), labels.boxes.get_paths(), strict=True):
        inner, outer = glyphs.get_extents(), box.get_extents()
        assert outer.x0 < inner.x0 and inner.x1 < outer.x1
        assert outer.y0 < inner.y0 and inner.y1 < outer.y1
        assert abs(inner.x0 + inner.x1) < 1.0  # centred (points)
        assert abs(inner.y0 + inner.y1) < 2.5
    assert two.get_extents().height > 1.8 * one.get_extents().height  # two lines
    prop = FontProperties(size=10, weight="bold")
    width = text_to_path.get_text_width_height_descent("12,345", prop, ismath=False)[0]
    ink = one.get_extents()  # within the advance widths, less the side bearings
    assert -width / 2 <= ink.x0 and ink.x1 <= width / 2 and ink.width > width - 3
    assert labels.show(np.zeros((0, 2)), []) == artists  # nothing to write
    assert len(labels.text.get_paths()) == 0


def test_the_event_list_keeps_its_rows_until_it_needs_more():
    from ddr_sim.dashboard.pictures import EVENT_ROWS_STEP, event_labels, event_rows

    model = DashboardModel(MALI)
    rows = [event_rows(model.frame)]
    while model.running:
        model.step()
        rows.append(event_rows(model.frame))
    assert rows[0] == 0 and rows == sorted(rows)
    assert all(r % EVENT_ROWS_STEP == 0 for r in rows)
    assert 2 * rows[-1] >= len(event_labels(model.frame.events)) > 2 * (rows[-1] - 2)
    assert len(set(rows)) <= 3
