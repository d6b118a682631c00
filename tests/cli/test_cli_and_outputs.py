"""The ``ddr-sim`` command line and the files a run writes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ddr_sim.cli.main import main
from ddr_sim.config.loading import load_scenario, scenario_hash
from ddr_sim.core.model import DDRModel
from ddr_sim.runs.indicators import KEY_INDICATORS
from ddr_sim.runs.runner import DEPENDENCIES

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "teaching.yaml"
DATA_FILES = (
    "counts.parquet",
    "series.parquet",
    "group_series.parquet",
    "flows.parquet",
    "summary.csv",
    "summary_breakdowns.csv",
    "summary.parquet",
    "indicators.csv",
    "indicators.md",
    "events.csv",
    "groups.csv",
    "manifest.json",
    "scenario.resolved.yaml",
)
FIGURES = ("status_counts.png", "trust_progress.png", "cumulative_vs_targets.png")


@pytest.fixture(scope="module")
def two_seeds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("two_seeds")
    assert main(["run", str(SCENARIO), "--seeds", "2", "--out", str(out)]) == 0
    return out


def run_once(out: Path, *extra: str) -> Path:
    args = ["run", str(SCENARIO), "--seeds", "1", "--no-plots", "--out", str(out), *extra]
    assert main(args) == 0
    return out


# ---------------------------------------------------------------------------------------------
# the files of a run


def test_run_writes_every_output_file(two_seeds: Path) -> None:
    for name in DATA_FILES + FIGURES:
        assert (two_seeds / name).is_file(), name
        assert (two_seeds / name).stat().st_size > 0, name
    assert not (two_seeds / "errors.txt").exists()
    assert not list(two_seeds.glob(".*.tmp")), "temporary files left behind"


def test_counts_sum_to_everyone_who_exists_each_month(two_seeds: Path) -> None:
    counts = pd.read_parquet(two_seeds / "counts.parquet")
    flows = pd.read_parquet(two_seeds / "flows.parquet")
    assert list(counts.columns) == [
        "seed", "month", "date", "group", "coalition", "region", "status", "count"
    ]  # fmt: skip
    assert (counts["count"] > 0).all(), "zero rows are left out"
    scenario = load_scenario(SCENARIO)
    initial = sum(g.armed + g.unarmed for g in scenario.groups)
    months = scenario.calendar.months
    recruited = (
        flows[flows["flow"] == "recruited"]
        .groupby(["seed", "month"], observed=True)["count"]
        .sum()
        .unstack("seed")
        .reindex(range(months), fill_value=0)
        .fillna(0)
        .cumsum()
    )
    totals = counts.groupby(["seed", "month"], observed=True)["count"].sum().unstack("seed")
    assert totals.shape == (months, 2)
    for seed in (0, 1):
        np.testing.assert_array_equal(totals[seed].to_numpy(), initial + recruited[seed].to_numpy())


def test_counts_match_the_model_arrays(two_seeds: Path) -> None:
    counts = pd.read_parquet(two_seeds / "counts.parquet")
    model = DDRModel(load_scenario(SCENARIO), seed=1).run()
    table = counts[counts["seed"] == 1]
    integrated = table[table["status"] == "integrated"].groupby("month", observed=True)["count"]
    expected = model.history.counts[:, :, :, 6].sum(axis=(1, 2))
    got = integrated.sum().reindex(range(len(expected)), fill_value=0).to_numpy()
    np.testing.assert_array_equal(got, expected)


def test_manifest_records_hash_versions_and_seeds(two_seeds: Path) -> None:
    manifest = json.loads((two_seeds / "manifest.json").read_text())
    assert manifest["scenario_hash"] == scenario_hash(load_scenario(SCENARIO))
    assert manifest["scenario"]["name"] == "teaching"
    assert manifest["package_version"]
    assert manifest["python_version"]
    assert set(DEPENDENCIES) <= set(manifest["dependencies"])
    assert all(manifest["dependencies"][name] for name in ("mesa", "numpy", "pandas"))
    assert manifest["seeds"] == [0, 1]
    assert manifest["seeds_completed"] == [0, 1]
    assert manifest["status"] == "complete"
    assert "--seeds 2" in manifest["command_line"]
    assert manifest["started"] <= manifest["finished"]
    assert set(FIGURES) <= set(manifest["files"])


def test_resolved_scenario_loads_back_to_the_same_hash(two_seeds: Path) -> None:
    manifest = json.loads((two_seeds / "manifest.json").read_text())
    again = load_scenario(two_seeds / "scenario.resolved.yaml")
    assert scenario_hash(again) == manifest["scenario_hash"]


def test_summary_has_one_row_per_seed(two_seeds: Path) -> None:
    csv = pd.read_csv(two_seeds / "summary.csv")
    parquet = pd.read_parquet(two_seeds / "summary.parquet")
    assert csv["seed"].tolist() == [0, 1]
    assert parquet["seed"].tolist() == [0, 1]
    for name in KEY_INDICATORS:
        assert name in parquet.columns, name
    assert (parquet["integrated_total"] >= parquet["stock_integrated_end"]).all()


def test_same_seed_gives_identical_tables(tmp_path: Path) -> None:
    first = run_once(tmp_path / "a")
    second = run_once(tmp_path / "b")
    for name in ("counts", "series", "group_series", "flows", "summary"):
        pd.testing.assert_frame_equal(
            pd.read_parquet(first / f"{name}.parquet"), pd.read_parquet(second / f"{name}.parquet")
        )


def test_different_seeds_give_different_tables(two_seeds: Path) -> None:
    counts = pd.read_parquet(two_seeds / "counts.parquet")
    cols = ["month", "group", "region", "status", "count"]
    a = counts.loc[counts["seed"] == 0, cols].astype(str).reset_index(drop=True)
    b = counts.loc[counts["seed"] == 1, cols].astype(str).reset_index(drop=True)
    assert not a.equals(b)


def test_set_override_changes_the_resolved_scenario_in_the_manifest(tmp_path: Path) -> None:
    out = run_once(tmp_path, "--set", "behaviour.revision_rate=0.2")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["behaviour"]["revision_rate"] == 0.2
    assert manifest["overrides"] == ["behaviour.revision_rate=0.2"]
    assert manifest["scenario_hash"] != scenario_hash(load_scenario(SCENARIO))
    assert "revision_rate: 0.2" in (out / "scenario.resolved.yaml").read_text()


# ---------------------------------------------------------------------------------------------
# failures


BROKEN = textwrap.dedent(
    """\
    name: broken
    calendar: {start: "2015-01", months: 24}
    regions:
      - {name: North}
    groups:
      - name: Hills
        coalition: A
        armed: -5
        regions: {North: 1.0}
    """
)


def test_validate_reports_file_and_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert f"{path}:8:" in captured.err  # the line of "armed: -5"
    assert "groups.Hills.armed" in captured.err  # list items named by name
    assert "Traceback" not in captured.err + captured.out


def test_run_on_a_broken_file_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN)
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert f"{path}:8:" in captured.err
    assert "Traceback" not in captured.err + captured.out
    assert not (tmp_path / "out").exists()


def test_validate_prints_ok_with_name_and_hash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SCENARIO)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK teaching")
    assert scenario_hash(load_scenario(SCENARIO)) in out


def test_a_failing_seed_keeps_the_others_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class FailsOnSeedOne(DDRModel):
        def run(self) -> DDRModel:
            if self.seed == 1:
                raise RuntimeError("boom in seed 1")
            return super().run()

    monkeypatch.setattr("ddr_sim.core.model.DDRModel", FailsOnSeedOne)
    out = tmp_path / "out"
    with pytest.warns(UserWarning, match="seed 1 failed"):
        code = main(["run", str(SCENARIO), "--seeds", "3", "--no-plots", "--out", str(out)])
    assert code == 1
    assert pd.read_parquet(out / "summary.parquet")["seed"].tolist() == [0, 2]
    assert "boom in seed 1" in (out / "errors.txt").read_text()
    assert json.loads((out / "manifest.json").read_text())["seeds_failed"] == [1]
    assert "errors.txt" in capsys.readouterr().err


def test_an_unexpected_error_saves_a_traceback_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken_plots(*args, **kwargs):
        raise ValueError("cannot draw")

    monkeypatch.setattr("ddr_sim.analysis.run_plots.save_plots", broken_plots)
    out = tmp_path / "out"
    assert main(["run", str(SCENARIO), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "ValueError: cannot draw" in err
    assert "Traceback" not in err
    assert "cannot draw" in (out / "traceback.txt").read_text()
    assert (out / "summary.csv").is_file()  # the data were saved before the plots
    assert (out / "manifest.json").is_file()


# ---------------------------------------------------------------------------------------------
# help, version, schema


@pytest.mark.parametrize("command", [[], ["run"], ["validate"], ["schema"]])
def test_help_describes_each_command_with_an_example(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, "--help"]) == 0
    out = capsys.readouterr().out
    assert "usage: ddr-sim" in out
    assert "examples:" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("ddr-sim ")


def test_schema_writes_json_schema(tmp_path: Path) -> None:
    path = tmp_path / "schema" / "scenario.schema.json"
    assert main(["schema", "--out", str(path)]) == 0
    schema = json.loads(path.read_text())
    assert "groups" in schema["properties"]
