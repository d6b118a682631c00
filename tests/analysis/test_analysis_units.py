"""Small pieces of the sweep analysis, on hand-made tables: number cleaning, index
warnings, sample sizes of the convergence check, stall onsets, box outlines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ddr_sim.analysis.convergence import doubling_sizes
from ddr_sim.analysis.results import clean_number, write_csv
from ddr_sim.analysis.sensitivity import index_warnings
from ddr_sim.analysis.sweep_plots import _span
from ddr_sim.analysis.trajectories import _longest_start


def test_clean_number_drops_binary_artefacts_only():
    assert clean_number(0.1 + 0.2) == 0.3
    assert str(clean_number(np.linspace(0.1, 0.9, 9)[2])) == "0.3"
    assert clean_number(1 / 3) == pytest.approx(1 / 3, rel=1e-11)
    assert clean_number("a") == "a" and np.isnan(clean_number(float("nan")))


def test_write_csv_cleans_labels_and_values(tmp_path):
    frame = pd.DataFrame(
        [[0.1 + 0.2, 1.0]], columns=[0.1 + 0.2, 0.7000000000000001], index=[0.30000000000000004]
    )
    frame.index.name = "y"
    path = write_csv(frame, tmp_path / "t.csv", index=True)
    assert path.read_text().splitlines() == ["y,0.3,0.7", "0.3,0.3,1"]


def _table(s1, s1c, st, stc):
    return pd.DataFrame(
        {"parameter": ["a", "b"], "S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc}
    )


def test_index_warnings_name_what_is_wrong():
    assert index_warnings(_table([0.5, 0.1], [0.02, 0.01], [0.6, 0.2], [0.03, 0.02])) == []
    found = index_warnings(_table([0.5, -0.3], [0.02, 0.1], [0.4, 0.85], [0.03, 2.49]))
    text = " | ".join(found)
    assert "S1 > ST for a (0.50 > 0.40)" in text
    assert "S1 negative beyond its interval for b" in text
    assert "wider than 0.1" in text and "widest 4.98" in text
    # negative but within its interval: no warning of that kind
    found = index_warnings(_table([0.5, -0.01], [0.02, 0.02], [0.6, 0.2], [0.03, 0.02]))
    assert not any("negative" in f for f in found)


def test_doubling_sizes_end_at_the_full_sample():
    assert doubling_sizes(128, 8) == [8, 16, 32, 64, 128]
    assert doubling_sizes(100, 8) == [8, 16, 32, 64, 100]
    assert doubling_sizes(8, 8) == [8]


def test_longest_stall_start():
    months = np.array([0, 12, 24, 36, 48, 60])
    assert _longest_start(months, np.array([0, 1, 0, 1, 1, 0])) == 36
    assert _longest_start(months, np.array([1, 1, 0, 1, 1, 0])) == 0  # first of equals
    assert np.isnan(_longest_start(months, np.zeros(6)))


def test_box_span_on_grid_levels_and_bins():
    levels = np.array([0.1, 0.2, 0.3, 0.4])
    assert _span(levels, 0.2, 0.3, None) == (0.5, 2.5)
    assert _span(levels, 0.1 + 0.2, 0.4, None) == (1.5, 3.5)
    centres, edges = np.array([0.25, 0.75]), np.array([0.0, 0.5, 1.0])
    assert _span(centres, 0.0, 0.5, edges) == (-0.5, 0.5)
    assert _span(centres, 0.25, 1.0, edges) == (0.0, 1.5)


def test_sobol_intervals_are_the_same_on_every_call():
    from SALib.sample import sobol as sample

    from ddr_sim.analysis.results import SweepResults
    from ddr_sim.analysis.sensitivity import sobol_table

    problem = {"num_vars": 2, "names": ["a", "b"], "bounds": [[0, 1], [0, 1]]}
    x = sample.sample(problem, 16, calc_second_order=False, seed=2)
    y = x[:, 0] + 0.3 * x[:, 1] ** 2
    manifest = {
        "parameters": [{"name": "a"}, {"name": "b"}],
        "salib_problem": problem,
    }
    results = SweepResults(None, manifest, None, None, None, None)
    first, _ = sobol_table(results, "y", y, False, num_resamples=50, seed=1)
    second, _ = sobol_table(results, "y", y, False, num_resamples=50, seed=1)
    pd.testing.assert_frame_equal(first, second)
