"""The dashboard's model, views and command, without a browser.

The browser test (``test_dashboard_browser.py``) drives the page; these check what it
shows: that the levers reach the scenario, that an untouched dashboard runs the scenario as
written, that the indicators and pictures follow the run, and how long a month takes.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from ddr_sim.cli.main import build_parser, main
from ddr_sim.config.loading import load_scenario, scenario_hash
from ddr_sim.core.model import DDRModel
from ddr_sim.dashboard.model import (
    LEVERS,
    NEVER,
    DashboardModel,
    indicators,
    lever_overrides,
    model_params,
    settings,
    status_over_time,
    where_people_are,
)
from ddr_sim.dashboard.server import SCENARIO_ENV, server_command, server_environment

ROOT = Path(__file__).resolve().parents[1]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"
OUTPUT = ROOT / "test-output"


def _defaults(params: dict) -> dict:
    return {k: (v["value"] if isinstance(v, dict) else v) for k, v in params.items()}


def test_untouched_dashboard_runs_the_scenario_as_written():
    model = DashboardModel(**_defaults(model_params(TEACHING)))
    assert scenario_hash(model.ddr.spec) == scenario_hash(load_scenario(TEACHING))
    reference = DDRModel(load_scenario(TEACHING), seed=0)
    for _ in range(12):
        model.step()
        reference.step()
    np.testing.assert_array_equal(model.ddr.history.counts, reference.history.counts)


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
        accelerated_ddr_from="2016-01",
        mandate_end="2019-01",
    )
    sc = model.ddr.spec
    assert [g.initial_trust for g in sc.groups] == pytest.approx([0.6, 0.7])
    assert sc.politics.progress_rate == 0.03
    assert sc.economy.gold_income == 50
    assert sc.economy.army_pay == 150
    assert sc.programmes.reinsertion.package_value == 600
    assert sc.economy.committee_allowance == 60
    assert sc.programmes.cvr.budget_usd_per_year == 2_500_000
    assert sc.programmes.accelerated_ddr.earliest == "2016-01"
    assert sc.mission.mandate_end == "2019-01"
    assert model.ddr.seed == 7
    shown = {key: value for key, _, value in settings(model)}
    assert shown["trust_change"] == "Hills 0.60, Plains 0.70"
    assert shown["cvr_budget"] == "2.5"
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
    assert later.ddr.mission.mandate_end is None
    earlier = DashboardModel(MALI, mandate_end="2019-01")
    assert earlier.ddr.label(earlier.ddr.mission.mandate_end) == "2019-01"


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


def test_dashboard_model_fits_mesa_solaraviz():
    """Mesa checks model_params against the model's constructor when the page opens."""
    pytest.importorskip("solara", reason="the dashboard needs the 'viz' extra")
    from mesa.visualization.solara_viz import _build_model_init_kwargs, _check_model_params

    params = model_params(TEACHING)
    model = DashboardModel(**_defaults(params))
    _check_model_params(model, params)  # raises on a slider the model does not take
    kwargs = _build_model_init_kwargs(
        model, _defaults(params), add_scenario_when_empty=True, require_model_accepts_scenario=True
    )
    rebuilt = type(model)(**kwargs)  # what Reset does
    assert scenario_hash(rebuilt.ddr.spec) == scenario_hash(model.ddr.spec)


def test_indicators_follow_the_run():
    model = DashboardModel(TEACHING, seed=1)
    start = indicators(model.ddr)
    assert (start.month, start.date, start.stall_months, start.defections) == (0, "2015-01", 0, 0)
    assert start.with_groups == 3600  # armed + unarmed of both groups
    while model.running:
        model.step()
    end = indicators(model.ddr)
    assert (end.month, end.date) == (96, "2022-12")
    assert end.stall_months > 0
    assert end.integrated > 0
    assert model.time == 96
    counts = status_over_time(model.ddr)
    assert counts.shape == (96, 11)
    assert where_people_are(model.ddr).sum() == counts[-1].sum()


def test_one_month_renders_well_under_a_second():
    """Records (does not assert) the time of one month: the model step plus the three
    pictures as PNG, as the dashboard draws them after each Step."""
    from ddr_sim.dashboard.views import StatusPicture, TrustPicture, WherePicture

    model = DashboardModel(TEACHING)
    pictures = (StatusPicture(), TrustPicture(), WherePicture())
    step_s, draw_s = [], []
    for _ in range(36):
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        images = [picture.png(model.ddr) for picture in pictures]
        indicators(model.ddr)
        t2 = time.perf_counter()
        step_s.append(t1 - t0)
        draw_s.append(t2 - t1)
        assert all(image.startswith(b"\x89PNG") for image in images)
    report = (
        f"teaching scenario, one month: model step {1000 * np.median(step_s):.1f} ms, "
        f"indicators + three pictures {1000 * np.median(draw_s):.0f} ms "
        f"(median of 36 months; slowest {1000 * max(draw_s):.0f} ms, when a frame is redrawn)"
    )
    print(report)
    OUTPUT.mkdir(exist_ok=True)
    (OUTPUT / "dashboard_timing.txt").write_text(report + "\n", encoding="utf-8")


def test_blitted_pictures_match_full_figures():
    """The fast path (frame once, data each month) shows what a full redraw shows."""
    from ddr_sim.dashboard.views import StatusPicture, TrustPicture, WherePicture

    model = DashboardModel(TEACHING, seed=2)
    pictures = (StatusPicture(), TrustPicture(), WherePicture())
    for _ in range(30):
        model.step()
        for picture in pictures:
            picture.png(model.ddr)
    for picture in pictures:
        fast = _pixels(picture.png(model.ddr))
        slow = _pixels(_figure_png(type(picture)().figure(model.ddr)))
        assert fast.shape == slow.shape
        assert np.mean(np.any(fast != slow, axis=-1)) < 0.01, type(picture).__name__


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
