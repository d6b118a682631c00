"""``ddr-sim analyze`` on a tiny Latin-hypercube sweep with monthly series: feature scores,
heatmap bins from the number of points, scatters with PRIM boxes, trajectories by class and
the month stalls begin.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.sweep_files import write_sweep

from ddr_sim.analysis.heatmaps import bins_for, heatmap_table
from ddr_sim.analysis.importance import feature_scores, top_parameters
from ddr_sim.analysis.results import class_membership, load_results
from ddr_sim.analysis.trajectories import NO_CLASS, envelopes, run_groups, stall_onsets
from ddr_sim.cli.main import main
from ddr_sim.config.experiment import load_experiment
from ddr_sim.sweeps.coordinator import local_executor, run_sweep

ROOT = Path(__file__).resolve().parents[2]
POINTS = 30

LHS = f"""\
parameters:
  - {{path: groups.*.initial_trust, name: initial_trust, range: [0.1, 0.9]}}
  - {{path: politics.progress_rate, range: [0.0, 0.04]}}
  - {{path: behaviour.revision_rate, range: [0.075, 0.3]}}
design: {{method: lhs, samples: {POINTS}, seed: 3}}
outcomes: [integrated_total, longest_stall_months, stall_months]
series: {{variables: [mean_trust, stock_integrated, stall], every: 6}}
classes:
  completes: {{label: integration reaches 800, when: {{integrated_total: ">= 800"}}}}
  stall: {{label: long stall, when: {{longest_stall_months: ">= 30"}}}}
"""


@pytest.fixture(scope="module")
def lhs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lhs")
    path = write_sweep(folder, "lhs", LHS)
    with local_executor(2) as executor:
        report = run_sweep(load_experiment(path), folder / "sweep", executor, 2, progress=False)
    assert report.complete and report.failed == 0
    return folder / "sweep"


def test_feature_scores_rank_trust_first_and_are_deterministic(lhs):
    results = load_results(lhs)
    scores = feature_scores(results)
    assert list(scores.index) == ["initial_trust", "progress_rate", "revision_rate"]
    assert list(scores.columns) == [
        "integrated_total",
        "longest_stall_months",
        "stall_months",
        "class:completes",
        "class:stall",
    ]
    finite = scores.dropna(axis=1, how="all")
    assert np.allclose(finite.sum(), 1.0)
    assert scores["integrated_total"].idxmax() == "initial_trust"
    assert top_parameters(scores, 1) == ["initial_trust"]
    pd.testing.assert_frame_equal(scores, feature_scores(results))


def test_heatmap_bins_follow_the_number_of_points(lhs):
    assert bins_for(40) <= 3 and bins_for(POINTS) == 2 and bins_for(10_000) == 8
    results = load_results(lhs)
    values, counts = heatmap_table(
        results, "initial_trust", "progress_rate", outcome="integrated_total"
    )
    assert values.shape == (2, 2)
    assert counts.to_numpy().sum() == POINTS and counts.notna().all().all()


def test_envelopes_summarise_the_runs_of_each_class(lhs):
    results = load_results(lhs)
    table = envelopes(results)
    groups = run_groups(results)
    assert set(table["group"]) <= {"integration reaches 800", "long stall", NO_CLASS}
    series = results.series()
    for label, ids in groups.items():
        part = table[(table["group"] == label) & (table["variable"] == "mean_trust")]
        if not len(ids):
            assert part.empty
            continue
        assert (part["runs"] == len(ids)).all()
        month = int(part["month"].iloc[-1])
        kept = series[(series["month"] == month) & series["run_id"].isin(ids)]["mean_trust"]
        assert part["median"].iloc[-1] == pytest.approx(kept.median())
        assert (part["q10"] <= part["median"]).all() and (part["median"] <= part["q90"]).all()


def test_stall_onset_is_the_start_of_the_longest_kept_stall(lhs):
    results = load_results(lhs)
    onsets = stall_onsets(results).set_index("run_id")
    series = results.series()
    assert len(onsets) == len(results.outcomes)
    for run_id, part in series.groupby("run_id"):
        flags = part.sort_values("month")["stall"].to_numpy() > 0
        months = part.sort_values("month")["month"].to_numpy()
        onset = onsets.loc[run_id, "onset_month"]
        if not flags.any():
            assert np.isnan(onset)
            continue
        i = int(np.flatnonzero(months == onset)[0])
        assert flags[i] and (i == 0 or not flags[i - 1])
        length = np.argmin(np.append(flags[i:], False))
        runs = [len(r) for r in "".join("1" if f else "0" for f in flags).split("0")]
        assert length == max(runs)


def test_analyze_writes_every_table_and_figure_of_a_sampled_design(lhs, capsys):
    out = lhs / "analysis"
    assert main(["analyze", str(lhs)]) == 0
    text = capsys.readouterr().out
    assert "no Sobol/Morris indices" in text and "feature scores" in text
    assert "coverage 0.00" not in text
    expected = [
        "feature_scores.csv",
        "feature_scores.png",
        "cart_leaves.csv",
        "cart_integrated_total.png",
        "parallel_completes.png",
        "scatter_matrix_completes.png",
        "scatter_completes.png",
        "trajectories.csv",
        "trajectories.png",
        "stall_onsets.csv",
        "stall_onsets.png",
        "prim_completes.csv",
        "report.txt",
    ]
    for name in expected:
        assert (out / name).stat().st_size > 0, name
    assert not list(out.glob("stacking_*")), "dimensional stacking is for grids"
    # sampled designs: heatmaps over the two parameters with the highest feature scores
    assert len(list(out.glob("heatmap_*_share_completes.png"))) == 1
    member = class_membership(load_results(lhs), "completes")
    assert f"{int(member.sum())} of {POINTS}" in text
    for path in out.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert not re.search(r"\d\.\d*(0000000|9999999)\d", header), (path.name, header)
