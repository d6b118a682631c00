"""The run figures: readable labels, no empty panels, events marked, legends that fit,
event labels that do not collide, titles that say only what is drawn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from ddr_sim.analysis import run_plots
from ddr_sim.analysis.run_plot_marks import bundles, event_name, spread
from ddr_sim.config.targets import load_targets, targets_file_for
from ddr_sim.core.statuses import STATUS_NAMES
from ddr_sim.runs.runner import run

ROOT = Path(__file__).resolve().parents[2]
MALI = ROOT / "scenarios" / "mali_2013_2023.yaml"
TEACHING = ROOT / "scenarios" / "teaching.yaml"


@pytest.fixture(scope="module")
def mali():
    return run(MALI, seeds=2)


@pytest.fixture(scope="module")
def teaching():
    """The teaching scenario without cantonment sites or a reinsertion round: two statuses
    nobody holds, whose panels must say so rather than draw zeros."""
    closed = ["programmes.cantonment.sites_approved=0", "programmes.reinsertion.opens=null"]
    return run(TEACHING, seeds=3, overrides=closed)


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures the plot functions draw, kept instead of written."""
    figures: list[Figure] = []
    monkeypatch.setattr(run_plots, "_save", lambda fig, path: figures.append(fig) or path)
    return figures


def _titles(fig: Figure) -> list[str]:
    return [ax.get_title() for ax in fig.axes if ax.get_title()]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def test_status_panels_have_readable_titles_and_no_empty_plot(teaching, drawn, tmp_path) -> None:
    r = teaching
    run_plots.plot_status_counts(r.counts, r.series, tmp_path / "s.png", "teaching", r.events)
    fig = drawn[0]
    titles = _titles(fig)
    assert "in MOC patrols" in titles and "declared unfit, waiting" in titles
    assert not {"moc", "unfit waiting", "unfit_waiting", "pre cantoned"} & set(titles)
    held = set(r.counts["status"].astype(str))
    empty = [s for s in STATUS_NAMES if s not in held]
    assert empty, "formal cantonment is empty without sites, and its panel should say so"
    assert _texts(fig).count("none in any seed") == len(empty)
    for ax in fig.axes:
        for line in ax.get_lines():
            y = line.get_ydata()
            if len(y) > 2:  # a drawn series, not an event line
                assert any(v != 0 for v in y), ax.get_title()


def test_status_panels_mark_the_events(mali, drawn, tmp_path) -> None:
    r = mali
    run_plots.plot_status_counts(r.counts, r.series, tmp_path / "s.png", "mali", r.events)
    fig = drawn[0]
    dates = sorted(set(r.events["date"].astype(str)))
    drawn_panels = [ax for ax in fig.axes if ax.get_lines()]
    for ax in drawn_panels:
        assert len([ln for ln in ax.get_lines() if len(ln.get_xdata()) == 2]) == len(dates)
    key = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert all(d in key for d in dates)
    fig.canvas.draw()
    panels = fig.axes[: len(STATUS_NAMES)]
    for i, ax in enumerate(panels):
        below = panels[i + 4] if i + 4 < len(panels) else None
        if ax.get_lines() and (below is None or not below.get_lines()):
            shown = [t.get_text() for t in ax.get_xticklabels() if t.get_visible()]
            assert any(shown), f"no dates under {ax.get_title()}"


def test_trust_legend_has_one_entry_per_visible_bundle(mali, drawn, tmp_path) -> None:
    r = mali
    run_plots.plot_trust_progress(
        r.series, r.group_series, r.events, tmp_path / "t.png", "mali", r.groups
    )
    legend = drawn[0].axes[0].get_legend()
    labels = [t.get_text() for t in legend.get_texts()]
    scenario_groups = r.groups.loc[r.groups["parent"].isna(), "group"].unique()
    assert len(labels) < len(scenario_groups)
    named = " ".join(labels).replace("\n", " ")
    assert all(g in named for g in scenario_groups)


def test_event_labels_do_not_overlap(mali, drawn, tmp_path) -> None:
    r = mali
    run_plots.plot_trust_progress(
        r.series, r.group_series, r.events, tmp_path / "t.png", "mali", r.groups
    )
    fig = drawn[0]
    renderer = fig.canvas.get_renderer()
    boxes = sorted((t.get_window_extent(renderer) for t in fig.axes[0].texts), key=lambda b: b.x0)
    assert len(boxes) == len(set(r.events["date"].astype(str)))
    for left, right in zip(boxes, boxes[1:], strict=False):
        assert right.x0 >= left.x1 - 0.5, "event labels overlap"


def test_observed_figures_in_the_title_only_when_drawn(teaching, mali, drawn, tmp_path) -> None:
    t = teaching
    run_plots.plot_cumulative_vs_targets(t.flows, t.series, tmp_path / "c.png", "teaching")
    targets = load_targets(targets_file_for(MALI)).targets
    m = mali
    run_plots.plot_cumulative_vs_targets(m.flows, m.series, tmp_path / "d.png", "mali", targets)
    assert "observed" not in drawn[0].texts[0].get_text()
    assert "vs observed figures" in drawn[1].texts[0].get_text()
    assert "none in any seed" in _texts(drawn[0])  # no reinsertion round in this run


def test_label_spreading_and_bundles_on_hand_made_values() -> None:
    assert spread([0, 1, 2, 50], [10, 10, 10, 10], gap=1) == [0, 11, 22, 50]
    lines = {
        "A": np.array([0.5, 0.5, 0.5]),
        "B": np.array([0.5, 0.51, 0.5]),
        "C": np.array([0.2, 0.2, 0.2]),
        "D": np.array([np.nan, np.nan, 0.2]),
    }
    assert bundles(lines) == [["A", "B"], ["C", "D"]]
    assert event_name("accelerated_ddr_launch") == "accelerated DDR launch"
