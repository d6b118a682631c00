"""Policy comparison (``ddr-sim compare``): common random numbers, the report, validation."""

from __future__ import annotations

import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
from support.killing import DDR_SIM, kill_after

from ddr_sim.cli.main import main
from ddr_sim.config.loading import ScenarioError, load_scenario, scenario_hash
from ddr_sim.core.model import DDRModel
from ddr_sim.runs.indicators import summarize
from ddr_sim.runs.store import RunStore
from ddr_sim.studies import compare as cmp
from ddr_sim.studies.compare_prepare import combine
from ddr_sim.studies.compare_stats import _stat

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"
RECOMMENDATIONS = ROOT / "experiments" / "recommendations.yaml"
SEEDS = [0, 1, 2]

POLICIES = f"""\
baseline: {TEACHING}
policies:
  - name: same
    title: Identical to the baseline
    stands_for: Sets the CVR budget to the value the baseline already has.
    set:
      programmes.cvr.budget_usd_per_year: 400000
  - name: small_quota
    title: Quota of 300
    stands_for: Fewer integration places than the baseline's 800, not revised.
    set:
      programmes.integration.quota: 300
      behaviour.quota_review_rate: 0.0
  - name: faster_progress
    stands_for: Political reforms delivered three times as fast.
    set:
      politics.progress_rate: 0.03
  - name: territorial
    stands_for: Integration near home.
    set:
      programmes.integration.destination: territorial
  - name: best_two
    stands_for: The two best together.
    combine_best: 2
"""


#: One policy, integration near home.
TERRITORIAL = f"""\
baseline: {TEACHING}
policies:
  - {{name: territorial, stands_for: x, set: {{programmes.integration.destination: territorial}}}}
"""


def _write(tmp_path: Path, text: str, name: str = "policies.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> cmp.Comparison:
    path = _write(tmp_path_factory.mktemp("compare"), POLICIES)
    return cmp.compare(path, SEEDS)


def _diff(comparison: cmp.Comparison, policy: str) -> pd.DataFrame:
    d = comparison.differences
    return d[d["policy"] == policy]


def test_identical_policy_gives_zero_difference_in_every_seed_and_indicator(comparison):
    prepared = comparison.prepared
    assert scenario_hash(prepared.scenarios["same"]) == scenario_hash(prepared.baseline)
    same = _diff(comparison, "same")
    assert sorted(same["seed"].unique()) == SEEDS
    measures = {m.key for m in cmp.MEASURES} | {cmp.RANKING}
    assert set(same["measure"]) == measures
    assert set(same["horizon"]) == {"2020-12", cmp.END}
    assert (same["difference"] == 0).all()
    assert (same["baseline"] == same["policy_value"]).all()
    # the whole summary row is the same, not only the reported indicators
    s = comparison.summaries
    base = s[s["policy"] == cmp.BASELINE].drop(columns=["policy"]).reset_index(drop=True)
    pol = s[s["policy"] == "same"].drop(columns=["policy"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(base, pol)


def test_levers_with_a_known_direction_change_the_outcome(comparison):
    small = _diff(comparison, "small_quota")
    # by 2020-12: the teaching scenario's 2021 quota offer lifts the quota afterwards (the
    # government's own revision is switched off in this policy)
    integrated = small[(small["measure"] == "integrated") & (small["horizon"] == "2020-12")]
    assert len(integrated) == len(SEEDS)
    assert (integrated["policy_value"] <= 300).all()
    assert (integrated["difference"] < 0).all()
    stat = _stat(comparison, "small_quota", "2020-12", "integrated")
    assert stat["p95"] < 0 and not stat["contains_zero"]
    faster = _diff(comparison, "faster_progress")
    exits = faster[faster["measure"] == cmp.RANKING]
    assert (exits["difference"] > 0).all()


def test_combination_takes_the_best_policies_after_they_ran(comparison):
    info = comparison.combined["best_two"]
    ranked = [
        p for p in comparison.ranking["policy"] if p != "best_two"
    ]  # the ranking of all policies, the combination included
    assert info["policies"] == ranked[:2]
    assert info["set"]["politics.progress_rate"] == 0.03
    assert "best_two" in set(comparison.differences["policy"])
    assert list(comparison.ranking["rank"]) == list(range(1, len(comparison.ranking) + 1))
    assert comparison.ranking["policy"].is_unique


def test_combination_skips_a_policy_that_sets_the_same_path_differently(tmp_path):
    text = f"""\
baseline: {TEACHING}
policies:
  - {{name: a, stands_for: x, set: {{politics.progress_rate: 0.03}}}}
  - {{name: b, stands_for: x, set: {{politics.progress_rate: 0.02}}}}
  - {{name: c, stands_for: x, set: {{programmes.integration.destination: territorial}}}}
  - {{name: best, stands_for: x, combine_best: 2}}
"""
    prepared = cmp.prepare(_write(tmp_path, text))
    ranking = pd.DataFrame({"policy": ["a", "b", "c"], "median": [5.0, 4.0, 3.0]})
    info = combine(prepared, prepared.policies.spec.policies[3], ranking)
    assert info["policies"] == ["a", "c"]
    assert info["skipped"] and info["skipped"][0].startswith("b ")
    assert prepared.scenarios["best"].politics.progress_rate == 0.03
    # fewer than two improving policies: not run
    worse = pd.DataFrame({"policy": ["a", "b", "c"], "median": [5.0, 0.0, -1.0]})
    info = combine(prepared, prepared.policies.spec.policies[3], worse)
    assert info["policies"] == [] and "not run" in info["note"]


def test_any_executor_gives_the_same_runs(tmp_path):
    path = _write(tmp_path, TERRITORIAL)
    here = cmp.compare(path, [0, 1])
    with ThreadPoolExecutor(max_workers=2) as pool:
        pooled = cmp.compare(path, [0, 1], executor=pool, jobs=2)
    pd.testing.assert_frame_equal(here.differences, pooled.differences)


def test_a_dask_cluster_gives_the_same_comparison(tmp_path):
    from distributed import LocalCluster

    from ddr_sim.runs.executors import dask_executor

    path = _write(tmp_path, TERRITORIAL)
    here = cmp.compare(path, [0, 1])
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        dask_executor(cluster.scheduler_address) as (executor, slots),
    ):
        remote = cmp.compare(path, [0, 1], executor=executor, slots=slots, store=tmp_path / "r")
    assert remote.ran == 4
    pd.testing.assert_frame_equal(here.summaries, remote.summaries)
    pd.testing.assert_frame_equal(here.headline, remote.headline)


def test_report_tables_and_plots_are_written(comparison, tmp_path):
    comparison.command_line = "ddr-sim compare policies.yaml --seeds 3"
    written = cmp.save(comparison, tmp_path / "out")
    names = {p.name for p in written}
    assert {
        "report.md",
        "differences.csv",
        "summaries.parquet",
        "policies.resolved.yaml",
        "differences_2020_12.png",
        "differences_end.png",
    } <= names
    for path in written:
        assert path.stat().st_size > 0, path
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "ddr-sim compare policies.yaml --seeds 3" in report
    assert "## Changes against the baseline by 2020-12" in report
    assert "## Changes against the baseline by the end of the run (2022-12)" in report
    assert "(interval contains 0)" in report
    assert "## Ranking" in report and "## Effect per dollar" in report
    assert "Quota of 300" in report and "Political reforms delivered" in report
    assert "differences_end.png" in report
    differences = pd.read_csv(tmp_path / "out" / "differences.csv")
    assert list(differences.columns) == [
        "policy",
        "seed",
        "horizon",
        "measure",
        "indicator",
        "baseline",
        "policy_value",
        "difference",
    ]
    summaries = pd.read_parquet(tmp_path / "out" / "summaries.parquet")
    assert len(summaries) == len(SEEDS) * 6  # baseline, four policies, the combination
    assert not list((tmp_path / "out").glob(".*.tmp"))


def test_invalid_policy_overrides_are_refused_with_policy_and_field(tmp_path, capsys):
    text = f"""\
baseline: {TEACHING}
policies:
  - name: fine
    stands_for: x
    set: {{programmes.cvr.budget_usd_per_year: 1000000}}
  - name: broken
    stands_for: x
    set:
      programmes.cvr.budget_usd_per_year: -5
      programmes.cvr.no_such_field: 1
"""
    path = _write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        cmp.prepare(path)
    problems = err.value.problems
    assert {p.path for p in problems} == {
        "programmes.cvr.budget_usd_per_year",
        "programmes.cvr.no_such_field",
    }
    assert all("policy 'broken'" in p.message for p in problems)
    assert all(p.file == str(path) and p.line is not None for p in problems)
    out = tmp_path / "out"
    code = main(["compare", str(path), "--seeds", "1", "--jobs", "1", "--out", str(out)])
    assert code == 2
    stderr = capsys.readouterr().err
    assert "policy 'broken'" in stderr
    assert "programmes.cvr.budget_usd_per_year" in stderr
    assert "Traceback" not in stderr
    assert not out.exists()


def test_malformed_policy_files_are_refused(tmp_path, capsys):
    cases = {
        "no overrides": f"baseline: {TEACHING}\npolicies:\n  - {{name: a, stands_for: x}}\n",
        "duplicate names": (
            f"baseline: {TEACHING}\npolicies:\n"
            "  - {name: a, stands_for: x, set: {politics.progress_rate: 0.02}}\n"
            "  - {name: a, stands_for: x, set: {politics.progress_rate: 0.03}}\n"
        ),
        "unknown key": (
            f"baseline: {TEACHING}\npolicies:\n"
            "  - {name: a, stands_for: x, sett: {politics.progress_rate: 0.02}}\n"
        ),
        "missing baseline file": (
            "baseline: nowhere.yaml\npolicies:\n"
            "  - {name: a, stands_for: x, set: {politics.progress_rate: 0.02}}\n"
        ),
        "unknown event name": (
            f"baseline: {TEACHING}\npolicies:\n"
            "  - {name: a, stands_for: x, set: {events.nothing.enabled: false}}\n"
        ),
    }
    for label, text in cases.items():
        path = _write(tmp_path, text, f"{label.replace(' ', '_')}.yaml")
        code = main(["compare", str(path), "--seeds", "1", "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert code == 2, label
        assert "invalid scenario" in err and "Traceback" not in err, label


def test_cli_runs_a_comparison_and_explains_itself(tmp_path, capsys):
    assert main(["compare", "--help"]) == 0
    help_text = capsys.readouterr().out
    for word in ("common random numbers", "90 %", "report.md", "combine_best", "--jobs"):
        assert word in help_text
    text = f"""\
baseline: {TEACHING}
horizon: "2019-06"
policies:
  - {{name: territorial, stands_for: x, set: {{programmes.integration.destination: territorial}}}}
"""
    path = _write(tmp_path, text)
    out = tmp_path / "out"
    code = main(["compare", str(path), "--seeds", "2", "--jobs", "1", "--out", str(out)])
    assert code == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "by 2019-06" in report and "--seeds 2" in report
    assert (out / "differences_2019_06.png").exists()


def test_recommendations_validate_against_the_baseline():
    prepared = cmp.prepare(RECOMMENDATIONS)
    spec = prepared.policies.spec
    assert len(spec.policies) >= 12
    assert any(p.combine_best == 3 for p in spec.policies)
    base = scenario_hash(prepared.baseline)
    for policy in spec.policies:
        assert policy.stands_for.strip(), policy.name
        if policy.combine_best is None:
            assert scenario_hash(prepared.scenarios[policy.name]) != base, policy.name
    mission = prepared.scenarios["mission_stays_to_2024_end"]
    assert mission.mission.mandate_end == "2024-12"
    assert prepared.horizons == ["2020-12", cmp.END]


# --------------------------------------------------------------------------------------------
# What the comparison relies on in the model: named, switchable events; programme costs


def test_a_disabled_event_is_the_same_as_no_event(tmp_path):
    with_off = load_scenario(TEACHING, ["events.2.enabled=false"])
    assert with_off.events[2].type == "coup"
    text = TEACHING.read_text(encoding="utf-8").replace(
        '  - {date: "2019-09", type: coup, regime: transition, severity: 0.5}\n', ""
    )
    assert "type: coup" not in text
    without = load_scenario(_write(tmp_path, text, "no_coup.yaml"))
    a = summarize(DDRModel(with_off, seed=1).run(), 1)
    b = summarize(DDRModel(without, seed=1).run(), 1)
    assert a == b


def test_events_are_addressed_by_unique_name(tmp_path):
    named = load_scenario(RECOMMENDATIONS.parent.parent / "scenarios" / "mali_2013_2023.yaml")
    names = [e.name for e in named.events]
    assert None not in names and len(set(names)) == len(names)
    text = TEACHING.read_text(encoding="utf-8").replace("  - {date: ", "  - {name: twice, date: ")
    with pytest.raises(ScenarioError) as err:
        load_scenario(_write(tmp_path, text, "twice.yaml"))
    assert any(p.path.endswith(".name") and "repeated" in p.message for p in err.value.problems)


def test_programme_cost_is_the_sum_of_the_usd_counters():
    row = summarize(DDRModel(load_scenario(TEACHING), seed=0).run(), 0)
    parts = [
        k for k in row if k.startswith("cost_") and k.endswith("_usd") and k != "cost_total_usd"
    ]
    assert {"cost_sites_usd", "cost_moc_usd", "cost_allowances_usd", "cost_cvr_usd"} <= set(parts)
    assert row["cost_total_usd"] == pytest.approx(sum(row[k] for k in parts))
    assert 0 < row["cost_total_usd_by_2020_12"] <= row["cost_total_usd"]
    assert row["stall_months_by_2020_12"] <= row["stall_months"]


# --------------------------------------------------------------------------------------------
# Scenario files as variants; resuming after a kill


def _variant(tmp_path: Path, name: str, body: str) -> Path:
    text = f"extends: {TEACHING}\nname: {name}\n{body}"
    return _write(tmp_path, text, f"{name}.yaml")


def test_scenario_files_compare_like_a_policy_file(tmp_path, capsys):
    fast = _variant(tmp_path, "fast", "politics:\n  progress_rate: 0.03\n")
    small = _variant(tmp_path, "small", "programmes:\n  integration:\n    quota: 300\n")
    policies = f"""\
baseline: {TEACHING}
policies:
  - {{name: fast, stands_for: x, set: {{politics.progress_rate: 0.03}}}}
  - {{name: small, stands_for: x, set: {{programmes.integration.quota: 300}}}}
"""
    by_policy = cmp.compare(_write(tmp_path, policies), [0, 1])
    by_files = cmp.compare([TEACHING, fast, small], [0, 1])
    assert by_files.prepared.sources == {"fast": str(fast), "small": str(small)}
    for name in ("fast", "small"):
        a = _diff(by_policy, name).reset_index(drop=True)
        b = _diff(by_files, name).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b, obj=name)  # same scenarios, same seeds
    out = tmp_path / "out"
    args = ["compare", str(TEACHING), str(fast), str(small), "--seeds", "2", "--jobs", "1"]
    assert main([*args, "--out", str(out)]) == 0
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "scenario files" in report and "fast.yaml" in report and "## Over time" in report
    assert (out / "over_time_fast.png").stat().st_size > 0
    headline = pd.read_parquet(out / "headline.parquet")
    assert list(headline["policy"].unique()) == ["baseline", "fast", "small"]
    assert {"integrated", "in_moc", "rejoined", "mean_trust"} <= set(headline.columns)
    assert "fast.yaml" in (out / "policies.resolved.yaml").read_text(encoding="utf-8")
    capsys.readouterr()


def test_a_file_of_the_wrong_kind_is_named_for_what_it_is(tmp_path, capsys):
    policy = _write(tmp_path, POLICIES)
    cases = {
        (str(TEACHING),): "this is a scenario file, and one alone gives nothing to compare",
        (str(TEACHING), str(policy)): "this is a policy file, where a scenario file was expected",
    }
    for inputs, message in cases.items():
        code = main(["compare", *inputs, "--seeds", "1", "--out", str(tmp_path / "o")])
        err = capsys.readouterr().err
        assert code == 2 and message in err and "Traceback" not in err, inputs
        assert "unknown key 'name'" not in err
    with pytest.raises(ScenarioError, match="scenario file, where a policy file"):
        cmp.prepare(TEACHING)


def test_a_comparison_killed_mid_way_resumes_without_redoing_finished_runs(tmp_path):
    path = _write(tmp_path, POLICIES)
    out = tmp_path / "killed"
    command = ["compare", str(path), "--seeds", "4", "--jobs", "2", "--no-plots"]
    before = kill_after([*command, "--out", str(out)], out / "runs", 5)
    command = [str(DDR_SIM), *command]
    resumed = subprocess.run(
        [*command, "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    computed, found = map(
        int, re.search(r"(\d+) runs computed, (\d+) found", resumed.stdout).groups()
    )
    store = RunStore(out / "runs")
    index = pd.concat([frame for _, frame in store.ledger.read("index")])
    assert index["key"].is_unique, "a finished run was run again"
    assert found == len(before) and computed == len(index) - len(before)
    assert 0 < computed < len(index)

    reference = tmp_path / "reference"
    assert subprocess.run([*command, "--out", str(reference)], capture_output=True).returncode == 0
    for name in ("summaries.parquet",):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / name), pd.read_parquet(reference / name)
        )
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "differences.csv"), pd.read_csv(reference / "differences.csv")
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "headline.parquet"), pd.read_parquet(reference / "headline.parquet")
    )
