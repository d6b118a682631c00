"""The dashboard's model, views and command, without a browser.

The browser test (``test_dashboard_browser.py``) drives the page; these check what it
shows: that the levers reach the scenario, that an untouched dashboard runs the scenario as
written, that the indicators and pictures follow the run, and how long a month takes.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ddr_sim.cli.main import build_parser, main
from ddr_sim.config.loading import load_scenario, scenario_hash
from ddr_sim.core.model import DDRModel
from ddr_sim.dashboard.defaults import SCENARIO_ENV, spec
from ddr_sim.dashboard.levers import LEVERS, NEVER, lever_overrides, model_params
from ddr_sim.dashboard.model import DashboardModel, settings
from ddr_sim.dashboard.server import server_command, server_environment

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"
OUTPUT = ROOT / "test-output"


def _defaults(params: dict) -> dict:
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def test_untouched_dashboard_runs_the_scenario_as_written():
    model = DashboardModel(**_defaults(model_params(TEACHING)))
    assert scenario_hash(spec(model)) == scenario_hash(load_scenario(TEACHING))
    reference = DDRModel(load_scenario(TEACHING), seed=0)
    for _ in range(12):
        model.step()
        reference.step()
    np.testing.assert_array_equal(model.history.counts, reference.history.counts)


def test_the_dashboard_runs_one_model_and_no_model_inside_it():
    """The dashboard's model is the DDR model itself: no second Mesa model inside."""
    import mesa

    model = DashboardModel(TEACHING, seed=3)
    assert isinstance(model, DDRModel)
    inside = [name for name, value in vars(model).items() if isinstance(value, mesa.Model)]
    assert inside == []
    model.step()
    assert (model.month, model.time, model.frame.month) == (1, 1, 1)


def test_every_lever_reaches_the_scenario():
    model = DashboardModel(
        TEACHING,
        seed=7,
        trust_change=0.2,
        progress_rate=0.03,
        gold_income=50,
        army_pay=150,
        reinsertion_package=600,
        committee_allowance=60,
        cvr_budget=2.5,
        reinsertion_credibility=0.85,
        accelerated_ddr_from="2016-01",
        mandate_end="2019-01",
    )
    sc = spec(model)
    assert [g.initial_trust for g in sc.groups] == pytest.approx([0.6, 0.7])
    assert sc.politics.progress_rate == 0.03
    assert sc.economy.gold_income == 50
    assert sc.economy.army_pay == 150
    assert sc.programmes.reinsertion.package_value == 600
    assert sc.economy.committee_allowance == 60
    assert sc.programmes.cvr.budget_usd_per_year == 2_500_000
    assert sc.programmes.reinsertion.credibility == 0.85
    assert sc.programmes.accelerated_ddr.earliest == "2016-01"
    assert sc.mission.mandate_end == "2019-01"
    assert model.seed == 7
    shown = {key: value for key, _, value in settings(model)}
    assert shown["trust_change"] == "Hills 0.60, Plains 0.70"
    assert shown["cvr_budget"] == "2.5"
    assert shown["reinsertion_credibility"] == "0.85"
    assert shown["mandate_end"] == "2019-01"


def test_trust_is_clipped_and_never_switches_a_date_lever_off():
    base = load_scenario(TEACHING)
    overrides = lever_overrides(base, trust_change=0.9, accelerated_ddr_from=NEVER)
    assert "groups.Hills.initial_trust=1.0000" in overrides
    sc = load_scenario(TEACHING, overrides)
    assert sc.programmes.accelerated_ddr.earliest is None
    with pytest.raises(TypeError, match="unknown lever"):
        lever_overrides(base, bribes=3.0)


def test_mandate_end_replaces_the_mission_exit_event():
    """The exit date is mission.mandate_end; the slider moves it either way."""
    params = model_params(MALI)
    assert params["mandate_end"]["value"] == "2023-06"
    later = DashboardModel(MALI, mandate_end=NEVER)
    assert later.mission.mandate_end is None
    earlier = DashboardModel(MALI, mandate_end="2019-01")
    assert earlier.label(earlier.mission.mandate_end) == "2019-01"


def test_sliders_start_at_the_scenario_values():
    params = model_params(TEACHING)
    assert params["scenario_path"] == str(TEACHING)
    assert params["cvr_budget"]["value"] == pytest.approx(0.4)
    assert params["gold_income"]["value"] == 130
    assert params["accelerated_ddr_from"]["value"] == "2017-06"
    assert params["mandate_end"]["value"] == "2022-06"
    for lever in LEVERS:
        spec = params[lever.name]
        assert spec["min"] <= spec["value"] <= spec["max"], lever.name


def test_reset_builds_the_run_the_controls_describe():
    """Reset makes ``DashboardModel(**values)`` from the controls' values."""
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    from ddr_sim.dashboard.controls import initial_values

    values = initial_values(model_params(TEACHING))
    assert values["scenario_path"] == str(TEACHING)
    rebuilt = DashboardModel(**{**values, "seed": 3, "reinsertion_credibility": 0.9})
    assert rebuilt.seed == 3
    assert spec(rebuilt).programmes.reinsertion.credibility == 0.9


def test_indicators_follow_the_run():
    model = DashboardModel(TEACHING, seed=1)
    start = model.frame.indicators
    assert (start.month, start.date, start.stall_months, start.defections) == (0, "2015-01", 0, 0)
    assert start.with_groups == 3600  # armed + unarmed of both groups
    while model.running:
        model.step()
    end = model.frame.indicators
    assert (end.month, end.date) == (96, "2023-01")  # the state on 1 January 2023
    assert end.stall_months > 0
    assert end.integrated > 0
    assert model.time == 96
    frame = model.frame
    assert frame.status.shape == (97, 11)
    assert frame.where.sum() == frame.status[-1].sum()
    np.testing.assert_array_equal(frame.status[1:], model.history.counts.sum(axis=(1, 2)))


def test_stall_months_on_screen_are_the_run_summary_s():
    """The dashboard counts stall months as ``ddr-sim run`` does (same scenario, seed)."""
    from ddr_sim.runs.runner import run

    model = DashboardModel(TEACHING, seed=2)
    while model.running:
        model.step()
    summary = run(TEACHING, seeds=[2]).summary
    assert model.frame.indicators.stall_months == int(summary["stall_months"].iloc[0])


def test_first_step_moves_the_date_and_every_curve():
    """Row 0 is the start: after one Step each series has a segment to draw."""
    model = DashboardModel(TEACHING)
    before = model.frame
    model.step()
    after = model.frame
    assert before.indicators.date == "2015-01" and after.indicators.date == "2015-02"
    for name in ("status", "trust", "progress", "presence"):
        assert len(getattr(before, name)) == 1 and len(getattr(after, name)) == 2, name
    assert after.serial != before.serial


def test_frames_never_mix_months_while_another_thread_steps():
    """Pictures are drawn from frames while a second thread plays the model: every frame
    seen has as many months in each series, and drawing never fails."""
    import threading

    from ddr_sim.dashboard.pictures import StatusPicture, TrustPicture

    model = DashboardModel(MALI)
    pictures = (StatusPicture(), TrustPicture())
    stop = threading.Event()

    def play() -> None:
        while model.running and not stop.is_set():
            model.step()

    player = threading.Thread(target=play)
    player.start()
    seen = set()
    try:
        while player.is_alive() and len(seen) < 60:
            frame = model.frame
            n = frame.month + 1
            assert frame.status.shape[0] == frame.trust.shape[0] == len(frame.progress) == n
            for picture in pictures:
                assert picture.image(frame).startswith(b"\xff\xd8")
            seen.add(frame.month)
    finally:
        stop.set()
        player.join()
    assert len(seen) > 3


def test_blitted_pictures_match_full_figures():
    """The fast path (frame once, data each month) shows what a full redraw shows."""
    from ddr_sim.dashboard.pictures import StatusPicture, TrustPicture
    from ddr_sim.dashboard.regions import RegionsPicture, WherePicture

    for path, months in ((TEACHING, 30), (MALI, 20)):
        model = DashboardModel(path, seed=2)
        pictures = (StatusPicture(), TrustPicture(), RegionsPicture(), WherePicture())
        for _ in range(months):
            model.step()
            for picture in pictures:
                picture.image(model.frame)
        for picture in pictures:
            fast = _pixels(picture.image(model.frame))
            slow = _pixels(_figure_png(type(picture)().figure(model.frame)))
            assert fast.shape == slow.shape
            differs = np.abs(fast - slow).max(axis=-1) > 48  # beyond JPEG noise
            assert np.mean(differs) < 0.01, type(picture).__name__


def test_blitted_life_picture_matches_its_full_figure():
    """The followed person's picture, drawn month by month, shows what one full drawing
    shows, whatever statuses they take on the way."""
    from ddr_sim.core.statuses import Status
    from ddr_sim.dashboard.life_picture import Life, LifePicture

    scout = DashboardModel(MALI, seed=1)
    for _ in range(90):
        scout.step()
    # someone integrated by then has been with the group, in MOC and in training at least
    someone = int(np.flatnonzero(scout.population.status == Status.INTEGRATED)[0])
    model = DashboardModel(MALI, seed=1)
    model.follow(someone)
    picture = LifePicture()
    for _ in range(90):
        model.step()
        picture.image(Life(model.life, 2013.5, model.months))
    assert len({m.status for m in model.life}) > 2
    life = Life(model.life, 2013.5, model.months)
    fast = _pixels(picture.image(life))
    slow = _pixels(_figure_png(LifePicture().figure(life)))
    assert fast.shape == slow.shape
    assert np.mean(np.abs(fast - slow).max(axis=-1) > 48) < 0.01


def _figure_png(fig) -> bytes:
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    out = io.BytesIO()
    FigureCanvasAgg(fig).print_png(out)
    return out.getvalue()


def _pixels(data: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def test_dashboard_command_is_registered_and_checks_the_scenario(capsys, tmp_path):
    parser = build_parser()
    args = parser.parse_args(["dashboard", str(MALI), "--port", "8600", "--host", "0.0.0.0"])
    assert (args.scenario, args.port, args.host) == (str(MALI), 8600, "0.0.0.0")
    assert parser.parse_args(["dashboard"]).scenario is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n", encoding="utf-8")
    assert main(["dashboard", str(bad)]) == 2
    assert "invalid scenario" in capsys.readouterr().err


def test_server_gets_the_scenario_through_the_environment():
    command = server_command("127.0.0.1", 8600)
    assert command[1:5] == ["-m", "solara", "run", "ddr_sim.dashboard.app"]
    assert "--production" in command and "--no-open" in command
    env = server_environment("scenarios/teaching.yaml")
    assert env[SCENARIO_ENV] == str(TEACHING)


def test_browser_files_are_named_from_the_installed_solara():
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    from ddr_sim.dashboard.assets import PACKAGES, required

    names = [spec.rsplit("@", 1)[0] for spec in required()]
    assert names == list(PACKAGES)
