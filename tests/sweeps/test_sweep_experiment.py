"""Experiment files of ``ddr-sim sweep``: validation messages, designs and seeds (no runs)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pytest

from ddr_sim.cli.main import main
from ddr_sim.config.experiment import (
    Design,
    ExperimentError,
    SweepParameter,
    assign,
    expand_path,
    load_experiment,
)
from ddr_sim.sweeps.designs import design_points, design_size, run_seed, runs_table, to_value

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"

VALID = """\
name: tiny
scenario: {scenario}
parameters:
  - {{path: groups.*.initial_trust, name: initial_trust, range: [0.2, 0.8], levels: 3}}
  - {{path: politics.progress_rate, values: [0.005, 0.02]}}
design: {{method: grid}}
replications: 2
outcomes: [integrated_total, longest_stall_months, quota_end]
series: {{variables: [political_progress, stock_integrated], every: 24}}
classes:
  completes: {{label: DDR completes, when: {{integrated_total: ">= quota_end"}}}}
"""


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).format(scenario=TEACHING), encoding="utf-8")
    return path


def problems(path: Path) -> list:
    with pytest.raises(ExperimentError) as info:
        load_experiment(path)
    return info.value.problems


def only(path: Path):
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------------------------------------
# a valid file


def test_valid_experiment_resolves_paths_months_and_fingerprint(tmp_path):
    exp = load_experiment(write(tmp_path, VALID))
    trust, rate = exp.parameters
    assert trust.paths == ("groups.Hills.initial_trust", "groups.Plains.initial_trust")
    assert rate.name == "progress_rate" and rate.values == (0.005, 0.02)
    assert exp.series_months == (0, 24, 48, 72, 95)
    assert exp.scenario["name"] == "teaching"
    # analysis-only edits keep the fingerprint; result-changing edits do not
    same = load_experiment(write(tmp_path, VALID.replace("DDR completes", "done"), "b.yaml"))
    assert same.fingerprint() == exp.fingerprint()
    other = load_experiment(write(tmp_path, VALID.replace("replications: 2", "replications: 3")))
    assert other.fingerprint() != exp.fingerprint()


#: Experiment files of ``ddr-sim sweep`` shipped in experiments/ (other YAML files there
#: belong to other commands).
SHIPPED = ("trust_vs_progress.yaml", "sensitivity.yaml")


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_experiments_are_valid(name):
    exp = load_experiment(ROOT / "experiments" / name)
    assert exp.parameters


def test_star_paths_and_assign():
    doc = {"groups": [{"name": "A", "t": 1}, {"name": "B", "t": 2}], "x": {"y": 1}}
    assert expand_path(doc, "groups.*.t") == ["groups.A.t", "groups.B.t"]
    assert expand_path(doc, "groups.1.t") == ["groups.1.t"]
    assign(doc, "groups.B.t", 5)
    assign(doc, "x.y", 3)
    assert doc == {"groups": [{"name": "A", "t": 1}, {"name": "B", "t": 5}], "x": {"y": 3}}
    with pytest.raises(ValueError, match="did you mean 'y'"):
        expand_path(doc, "x.yy")
    with pytest.raises(ValueError, match="is a section"):
        expand_path(doc, "x")


# ---------------------------------------------------------------------------------------------
# problems name file, line, field and what was expected


def test_unknown_key_suggests_the_right_one(tmp_path):
    p = only(write(tmp_path, VALID.replace("replications: 2", "replicatons: 2")))
    assert p.line == 7 and p.path == "replicatons"
    assert "did you mean 'replications'" in p.message


def test_unknown_key_inside_a_parameter(tmp_path):
    text = VALID.replace("range: [0.2, 0.8], levels: 3", "rnage: [0.2, 0.8], levels: 3")
    found = problems(write(tmp_path, text))
    assert any(
        p.path == "parameters.0.rnage" and "did you mean 'range'" in p.message for p in found
    )
    assert all(p.line == 4 for p in found)


def test_unknown_scenario_path_names_the_line_and_suggests(tmp_path):
    p = only(write(tmp_path, VALID.replace("politics.progress_rate", "politics.progres_rate")))
    assert (p.line, p.path) == (5, "parameters.1.path")
    assert "did you mean 'progress_rate'" in p.message


def test_unknown_group_name_lists_the_groups(tmp_path):
    p = only(write(tmp_path, VALID.replace("groups.*.initial_trust", "groups.Hill.initial_trust")))
    assert "Hills" in p.message and "Plains" in p.message


def test_value_refused_by_the_scenario_schema(tmp_path):
    p = only(write(tmp_path, VALID.replace("[0.2, 0.8]", "[0.2, 1.5]")))
    assert (p.line, p.path) == (4, "parameters.0.range")
    assert "refused by the scenario" in p.message and "1.5" in p.message
    assert "less than or equal to 1" in p.message


def test_range_on_a_text_field(tmp_path):
    text = VALID.replace("politics.progress_rate, values: [0.005, 0.02]", "name, range: [0, 1]")
    text = text.replace("range: [0, 1]", "range: [0, 1], levels: 2")
    p = only(write(tmp_path, text))
    assert "not a number" in p.message and "values:" in p.message


def test_grid_range_needs_levels(tmp_path):
    p = only(write(tmp_path, VALID.replace(", levels: 3", "")))
    assert p.path == "parameters.0" and "levels" in p.message


def test_sobol_samples_must_be_a_power_of_two(tmp_path):
    text = VALID.replace(", levels: 3", "").replace(
        "{method: grid}", "{method: sobol, samples: 100}"
    )
    p = only(write(tmp_path, text))
    assert p.path == "design" and "power of 2" in p.message and "64 or 128" in p.message


def test_sampled_design_needs_samples(tmp_path):
    text = VALID.replace(", levels: 3", "").replace("{method: grid}", "{method: lhs}")
    p = only(write(tmp_path, text))
    assert "needs samples" in p.message


def test_class_must_use_kept_outcomes(tmp_path):
    p = only(write(tmp_path, VALID.replace(">= quota_end", ">= quota_start")))
    assert p.path == "classes.completes.when.integrated_total"
    assert "quota_start" in p.message and "add it to outcomes" in p.message


def test_bad_condition(tmp_path):
    p = only(write(tmp_path, VALID.replace(">= quota_end", "at least 800")))
    assert "'OP VALUE'" in p.message


def test_series_variable_and_month_checked(tmp_path):
    text = VALID.replace("stock_integrated], every: 24", "stock_integratd], months: [0, 200]")
    found = problems(write(tmp_path, text))
    assert any("did you mean 'stock_integrated'" in p.message for p in found)


def test_series_month_outside_the_calendar(tmp_path):
    text = VALID.replace("every: 24", 'months: [0, "2030-01"]')
    p = only(write(tmp_path, text))
    assert p.path == "series.months.1" and "outside the calendar" in p.message


def test_missing_scenario_file(tmp_path):
    p = only(write(tmp_path, VALID.replace("{scenario}", "nowhere.yaml")))
    assert p.path == "scenario" and "not found" in p.message and p.line == 2


def test_bad_fixed_override_is_reported_at_its_line(tmp_path):
    text = VALID.replace("replications: 2", "replications: 2\nset: [politics.progress_rat=0.1]")
    found = problems(write(tmp_path, text))
    assert found and found[0].path.startswith("set") and found[0].line == 8


def test_yaml_syntax_error_has_a_line(tmp_path):
    p = only(write(tmp_path, VALID.replace("replications: 2", "replications: [2")))
    assert p.line is not None and "YAML error" in p.message


def test_duplicate_parameter_names(tmp_path):
    text = VALID.replace("name: initial_trust, ", "name: progress_rate, ")
    p = only(write(tmp_path, text))
    assert "repeats" in p.message


def test_cli_prints_problems_and_exits_2_without_traceback(tmp_path, capsys):
    path = write(tmp_path, VALID.replace("replications: 2", "replicatons: 2"))
    assert main(["sweep", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "invalid experiment: 1 problem" in err
    assert f"{path}:7: replicatons:" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------------------------
# designs (SALib) and seeds


def params(n: int) -> list[SweepParameter]:
    return [SweepParameter(f"p{i}", f"a.p{i}", (f"a.p{i}",), low=0.0, high=1.0) for i in range(n)]


@pytest.mark.parametrize(
    ("design", "d", "size"),
    [
        (Design(method="lhs", samples=17), 3, 17),
        (Design(method="sobol", samples=8), 3, 8 * (3 + 2)),
        (Design(method="sobol", samples=8, second_order=True), 3, 8 * (2 * 3 + 2)),
        (Design(method="morris", samples=5, levels=4), 4, 5 * (4 + 1)),
    ],
)
def test_sampled_design_sizes(design, d, size):
    assert design_size(params(d), design) == size
    points, sample = design_points(params(d), design)
    assert len(points) == size and sample.shape == (size, d)
    assert points["point"].tolist() == list(range(size))
    assert ((sample >= 0) & (sample <= 1)).all()


def test_grid_design_is_the_full_factorial():
    a = SweepParameter("a", "x.a", ("x.a",), low=1, high=3, levels=3, integer=True)
    b = SweepParameter("b", "x.b", ("x.b",), values=("u", "v"))
    c = SweepParameter("c", "x.c", ("x.c",), low=0.01, high=1.0, levels=3, scale="log")
    design = Design(method="grid")
    assert design_size([a, b, c], design) == 18
    points, sample = design_points([a, b, c], design)
    assert sample is None and len(points) == 18
    assert sorted(set(points["a"])) == [1, 2, 3] and set(points["b"]) == {"u", "v"}
    assert np.allclose(sorted(set(points["c"])), [0.01, 0.1, 1.0])
    assert points.iloc[0][["a", "b"]].tolist() == [1, "u"]  # first parameter varies slowest
    assert points.iloc[1][["a", "b", "c"]].tolist() == [1, "u", pytest.approx(0.1)]


def test_sampling_space_maps_to_values():
    whole = SweepParameter("n", "x.n", ("x.n",), low=2, high=4, integer=True)
    assert [to_value(whole, x) for x in (2.0, 2.99, 3.5, 4.99, 5.0)] == [2, 2, 3, 4, 4]
    listed = SweepParameter("v", "x.v", ("x.v",), values=(True, False, None))
    assert [to_value(listed, x) for x in (0.0, 0.34, 0.99, 1.0)] == [True, False, None, None]
    log = SweepParameter("l", "x.l", ("x.l",), low=0.001, high=0.1, scale="log")
    assert to_value(log, -2.0) == pytest.approx(0.01)


def test_seeds_come_from_seed_sequence_and_runs_are_point_major():
    points, _ = design_points(params(2), Design(method="lhs", samples=3))
    runs = runs_table(points, replications=4, root=99)
    assert len(runs) == 12 and runs["run_id"].tolist() == list(range(12))
    assert runs.loc[5, ["point", "replication"]].tolist() == [1, 1]
    expected = np.random.SeedSequence(99, spawn_key=(1, 1)).generate_state(1, np.uint32)[0]
    assert runs.loc[5, "seed"] == int(expected) & 0x7FFFFFFF == run_seed(99, 1, 1)
    assert runs["seed"].nunique() == 12
    common = runs_table(points, replications=4, root=99, common=True)
    assert common.groupby("replication")["seed"].nunique().eq(1).all()
    assert common["seed"].nunique() == 4
