"""``ddr-sim analyze`` on tiny Sobol, Morris and grid sweeps: indices (SALib) and their
convergence, sequential PRIM boxes (EMA Workbench), regions, heatmaps, dimensional stacking.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from support.sweep_files import write_sweep

from ddr_sim.analysis.convergence import morris_convergence, sobol_convergence
from ddr_sim.analysis.discovery import boxes_region, in_box, leaves_region, prim_boxes
from ddr_sim.analysis.heatmaps import heatmap_table, stacked_table
from ddr_sim.analysis.results import class_membership, load_results, noise_share, parameter_frame
from ddr_sim.analysis.sensitivity import index_warnings, morris_indices, sobol_indices
from ddr_sim.analysis.trees import cart_tree
from ddr_sim.cli.main import main
from ddr_sim.config.experiment import load_experiment
from ddr_sim.sweeps.coordinator import local_executor, run_sweep

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"

PARAMETERS = """\
parameters:
  - {path: groups.*.initial_trust, name: initial_trust, range: [0.2, 0.9]}
  - {path: politics.progress_rate, range: [0.0, 0.04]}
  - {path: behaviour.revision_rate, range: [0.075, 0.3]}
"""

SOBOL = (
    PARAMETERS
    + """\
design: {method: sobol, samples: 8, second_order: true, seed: 1}
outcomes: [integrated_total, longest_stall_months]
"""
)

MORRIS = (
    PARAMETERS
    + """\
design: {method: morris, samples: 3, levels: 4, seed: 1}
replications: 2
outcomes: [integrated_total, longest_stall_months]
"""
)

GRID = """\
parameters:
  - {path: groups.*.initial_trust, name: initial_trust, range: [0.1, 0.9], levels: 5}
  - {path: politics.progress_rate, values: [0.0, 0.01, 0.02, 0.04]}
design: {method: grid}
replications: 2
common_random_numbers: true
outcomes: [integrated_total, longest_stall_months]
classes:
  completes: {label: integration reaches 800, when: {integrated_total: ">= 800"}}
  stall: {when: {longest_stall_months: ">= 40"}}
"""


@pytest.fixture(scope="module")
def sweeps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three tiny sweeps of the teaching scenario, run on one 2-process pool."""
    folder = tmp_path_factory.mktemp("analyze")
    outs = {}
    with local_executor(2) as executor:
        for name, text in (("sobol", SOBOL), ("morris", MORRIS), ("grid", GRID)):
            path = write_sweep(folder, name, text)
            outs[name] = folder / name
            report = run_sweep(load_experiment(path), outs[name], executor, 2, progress=False)
            assert report.complete and report.failed == 0
    return outs


def test_sobol_indices_with_confidence_intervals(sweeps):
    results = load_results(sweeps["sobol"])
    assert len(results.outcomes) == 8 * (2 * 3 + 2)
    first_total, second = sobol_indices(results, "integrated_total")
    assert first_total["parameter"].tolist() == ["initial_trust", "progress_rate", "revision_rate"]
    for column in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.isfinite(first_total[column]).all(), column
    assert (first_total[["S1_conf", "ST_conf"]] >= 0).all().all()
    # trust and progress move integration far more than the revision rate
    st = first_total.set_index("parameter")["ST"]
    assert st["initial_trust"] > st["revision_rate"]
    assert len(second) == 3 and np.isfinite(second["S2"]).all()


def test_morris_indices_with_confidence_intervals(sweeps):
    results = load_results(sweeps["morris"])
    assert len(results.outcomes) == 3 * (3 + 1) * 2
    table = morris_indices(results, "integrated_total")
    assert np.isfinite(table[["mu", "mu_star", "mu_star_conf", "sigma"]]).all().all()
    assert (table["mu_star"] >= table["mu"].abs() - 1e-9).all()
    assert 0 <= noise_share(results, "integrated_total") <= 1
    with pytest.raises(Exception, match="sobol design"):
        sobol_indices(results, "integrated_total")


def test_prim_finds_the_trust_and_progress_of_completed_ddr(sweeps):
    results = load_results(sweeps["grid"])
    member = class_membership(results, "completes")
    assert 0 < member.sum() < len(member)
    boxes = prim_boxes(results, "completes", threshold=0.8)
    assert boxes
    first = boxes[0]
    assert 0 < first.coverage <= 1 and 0 < first.density <= 1
    limits = first.limits.set_index("parameter")
    assert "initial_trust" in limits.index
    assert limits.loc["initial_trust", "low"] > 0.1  # completion needs trust
    assert "Coverage" in first.text().title()


def test_heatmap_is_the_share_of_runs_over_two_parameters(sweeps):
    results = load_results(sweeps["grid"])
    values, counts = heatmap_table(
        results, "initial_trust", "progress_rate", class_name="completes"
    )
    assert values.shape == (4, 5) and (counts == 2).all().all()
    assert values.to_numpy().min() >= 0 and values.to_numpy().max() <= 1
    # more trust never makes completion rarer along the top row in this scenario
    top = values.iloc[-1].to_numpy()
    assert top[-1] >= top[0]


def test_analyze_command_writes_tables_and_figures(sweeps, capsys):
    assert main(["analyze", str(sweeps["sobol"])]) == 0
    out = capsys.readouterr().out
    assert "Sobol indices" in out and "initial_trust" in out and "±" in out
    folder = sweeps["sobol"] / "analysis"
    table = pd.read_csv(folder / "sobol.csv")
    assert set(table["outcome"]) == {"integrated_total", "longest_stall_months"}
    assert (folder / "sobol.png").stat().st_size > 0
    assert (folder / "sobol_second_order.csv").exists()

    assert main(["analyze", str(sweeps["grid"]), "--out", str(sweeps["grid"] / "a")]) == 0
    out = capsys.readouterr().out
    assert "class 'completes'" in out and "coverage" in out and "density" in out
    folder = sweeps["grid"] / "a"
    assert (folder / "prim_completes.csv").exists()
    assert (folder / "prim_completes_box1_trajectory.png").stat().st_size > 0
    assert (folder / "heatmap_initial_trust_progress_rate_share_completes.png").exists()
    assert (folder / "report.txt").read_text().startswith("sweep grid")


def test_analyze_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["analyze", str(tmp_path)]) == 2
    assert "not a sweep folder" in capsys.readouterr().err


def test_analysis_never_imports_the_model(sweeps):
    code = (
        "import sys; from ddr_sim.studies.sweep_analysis import Settings, analyze; "
        f"analyze({str(sweeps['morris'])!r}, settings=Settings(plots=False), "
        "echo=lambda s: None); "
        "bad = [m for m in ('ddr_sim.core.model', 'ddr_sim.core.agents', 'mesa') "
        "if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_sobol_convergence_uses_growing_prefixes_of_the_sample(sweeps):
    results = load_results(sweeps["sobol"])
    table = sobol_convergence(results, "integrated_total", num_resamples=20, smallest=2)
    assert sorted(set(table["N"])) == [2, 4, 8]
    assert sorted(set(table["points"])) == [n * (2 * 3 + 2) for n in (2, 4, 8)]
    assert len(table) == 3 * 3
    full, _ = sobol_indices(results, "integrated_total", num_resamples=20)
    last = table[table["N"] == 8].set_index("parameter")
    assert np.allclose(last["ST"], full.set_index("parameter")["ST"])


def test_morris_convergence_grows_by_trajectories(sweeps):
    results = load_results(sweeps["morris"])
    table = morris_convergence(results, "integrated_total", num_resamples=20)
    assert sorted(set(table["trajectories"])) == [2, 3]
    assert len(table) == 2 * 3
    full = morris_indices(results, "integrated_total", num_resamples=20).set_index("parameter")
    last = table[table["trajectories"] == 3].set_index("parameter")
    assert np.allclose(last["mu_star"], full["mu_star"])
    # with two trajectories the mean |effect| is over fewer effects: not the same numbers
    first = table[table["trajectories"] == 2].set_index("parameter")
    assert not np.allclose(first["mu_star"], full["mu_star"])


def test_tiny_sobol_sample_is_flagged(sweeps):
    results = load_results(sweeps["sobol"])
    table, _ = sobol_indices(results, "integrated_total", num_resamples=20)
    warned = " ".join(index_warnings(table))
    assert "wider than 0.1" in warned  # 8 base samples cannot give narrow intervals


def test_sequential_prim_boxes_count_only_the_runs_left(sweeps):
    results = load_results(sweeps["grid"])
    boxes = prim_boxes(results, "stall", threshold=0.5, max_boxes=3)
    assert boxes and boxes[0].fitted_on == len(results.outcomes)
    y = class_membership(results, "stall").to_numpy(bool)
    x = parameter_frame(results)
    left = np.ones(len(x), bool)
    for box in boxes:
        assert box.fitted_on == int(left.sum())
        inside = in_box(x, box.limits) & left
        if box.res_dim:
            assert box.n == int(inside.sum()) and box.k == int((inside & y).sum())
            assert box.coverage == pytest.approx(box.k / y.sum())
        left &= ~inside
        if box.number > 1:
            assert f"outside box{'es' if box.number > 2 else ''} 1" in box.text()
    region = boxes_region(results, "stall", boxes)
    findings = [b for b in boxes if b.finding]
    if region is not None:
        # coverages of sequential boxes add up to the region's coverage
        assert region.coverage == pytest.approx(sum(b.coverage for b in findings))


def test_an_unrestricted_box_is_not_a_finding(sweeps):
    results = load_results(sweeps["grid"])
    # a density no box can reach: the chosen box is the densest restricted one, flagged
    boxes = prim_boxes(results, "completes", threshold=1.01, max_boxes=3)
    assert len(boxes) == 1 and not boxes[0].finding
    assert "not a finding" in boxes[0].text() or "no box found" in boxes[0].text()


def test_cart_leaves_partition_the_runs_and_make_a_region(sweeps):
    results = load_results(sweeps["grid"])
    tree = cart_tree(results, "class:completes", max_depth=2)
    assert tree.leaves["n"].sum() == len(results.outcomes)
    assert len(tree.leaves) <= 4 and tree.classify
    region = leaves_region(results, "completes", tree, threshold=0.5)
    assert region is not None and 0 < region.coverage <= 1
    chosen = tree.leaves[tree.leaves["value"] >= 0.5]
    member = class_membership(results, "completes")
    assert region.density == pytest.approx(
        (chosen["value"] * chosen["n"]).sum() / chosen["n"].sum()
    )
    assert region.coverage == pytest.approx((chosen["value"] * chosen["n"]).sum() / member.sum())


def test_dimensional_stacking_nests_the_grid_levels(sweeps):
    results = load_results(sweeps["grid"])
    table = stacked_table(results, "completes", ["initial_trust", "progress_rate"])
    assert table.shape == (5, 4)
    values, _ = heatmap_table(results, "progress_rate", "initial_trust", class_name="completes")
    assert np.allclose(table.to_numpy(), values.to_numpy())


def test_grid_analysis_draws_boxes_stacking_and_trees(sweeps, capsys):
    out = sweeps["grid"] / "full"
    assert main(["analyze", str(sweeps["grid"]), "--out", str(out), "--max-boxes", "3"]) == 0
    text = capsys.readouterr().out
    assert "feature scores" in text and "CART" in text
    for name in (
        "feature_scores.csv",
        "feature_scores.png",
        "cart_integrated_total.png",
        "cart_class_completes.png",
        "cart_leaves.csv",
        "stacking_completes.png",
        "parallel_completes.png",
        "scatter_matrix_completes.png",
    ):
        assert (out / name).stat().st_size > 0, name
    # grid levels from linspace print without float artefacts
    header = (out / "heatmap_initial_trust_progress_rate_share_completes.csv").read_text()
    assert "0000000" not in header and "9999999" not in header
