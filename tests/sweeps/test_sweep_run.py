"""Running sweeps: same tables on 1 worker, 2 workers and Dask; failures; kill and resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from support.killing import DDR_SIM
from support.sweep_files import write_sweep

from ddr_sim.cli.main import main
from ddr_sim.config.experiment import ExperimentError, load_experiment
from ddr_sim.core.model import DDRModel
from ddr_sim.sweeps.coordinator import dask_executor, local_executor, reproduce_run, run_sweep
from ddr_sim.sweeps.store import FAILED, SUCCEEDED, SweepStore

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"


#: Columns of the run index that depend on where and when a run ran.
VOLATILE = ["duration_s", "worker", "finished"]

SAMPLED = """\
parameters:
  - {path: groups.*.initial_trust, name: initial_trust, range: [0.2, 0.8]}
  - {path: behaviour.tie_weight, range: [0.75, 3.0], scale: log}
  - {path: programmes.integration.quota, range: [600, 1200], integer: true}
  - {path: programmes.reinsertion.promoted, values: [true, false]}
design: {method: lhs, samples: 6, seed: 3}
replications: 2
seed: 11
outcomes: [integrated_total, longest_stall_months, rejoined_total, first_integration_month]
series: {variables: [political_progress, mean_trust, stock_integrated, stall], every: 24}
"""

#: Points with no youth and a quota of 8,000 are refused by the scenario: those runs fail.
FAILING = """\
parameters:
  - {path: regions.*.youth_pool, name: youth_pool, values: [0, 3000]}
  - {path: programmes.integration.quota, values: [800, 8000]}
design: {method: grid}
replications: 2
outcomes: [integrated_total, stall_months]
"""

#: Enough runs to kill the sweep half-way.
LONG = """\
parameters:
  - {path: politics.progress_rate, range: [0.0, 0.04], levels: 6}
design: {method: grid}
replications: 8
seed: 5
outcomes: [integrated_total, stall_months, longest_stall_months]
series: {variables: [stock_integrated], months: [0, "2018-01", 73]}
"""


def tables(out: Path) -> dict[str, pd.DataFrame]:
    store = SweepStore(out)
    return {
        "index": store.read("index").drop(columns=VOLATILE),
        "outcomes": store.read("outcomes"),
        "series": store.read("series"),
    }


def assert_same_tables(a: Path, b: Path) -> None:
    ta, tb = tables(a), tables(b)
    for name in ta:
        pd.testing.assert_frame_equal(ta[name], tb[name], check_like=False, obj=name)


@pytest.fixture(scope="module")
def sampled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same sampled experiment on 1 worker, 2 workers and a 2-worker Dask cluster."""
    from distributed import LocalCluster

    folder = tmp_path_factory.mktemp("sampled")
    experiment = load_experiment(write_sweep(folder, "sampled", SAMPLED))
    outs = {}
    for workers in (1, 2):
        outs[f"pool{workers}"] = out = folder / f"pool{workers}"
        with local_executor(workers) as executor:
            report = run_sweep(experiment, out, executor, workers, progress=False, batch_size=2)
        assert report.complete and report.failed == 0
    outs["dask"] = out = folder / "dask"
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        dask_executor(cluster.scheduler_address) as (executor, slots),
    ):
        assert slots == 2
        report = run_sweep(experiment, out, executor, slots, progress=False)
    assert report.complete and report.failed == 0
    return outs


def test_one_two_workers_and_dask_give_identical_tables(sampled):
    assert_same_tables(sampled["pool1"], sampled["pool2"])
    assert_same_tables(sampled["pool1"], sampled["dask"])
    t = tables(sampled["pool1"])
    assert len(t["index"]) == 12 and (t["index"]["status"] == SUCCEEDED).all()
    assert len(t["series"]) == 12 * 5  # months 0, 24, 48, 72, 73
    workers = SweepStore(sampled["pool2"]).read("index")["worker"].nunique()
    assert workers == 2


def test_tables_hold_parameters_seeds_and_types(sampled):
    out = sampled["pool1"]
    index = SweepStore(out).read("index")
    assert list(index.columns[:8]) == [
        "run_id",
        "point",
        "replication",
        "seed",
        "initial_trust",
        "tie_weight",
        "quota",
        "promoted",
    ]
    assert index["quota"].dtype == "int64" and index["promoted"].dtype == bool
    assert index["tie_weight"].between(0.75, 3.0).all()
    outcomes = SweepStore(out).read("outcomes")
    assert outcomes["integrated_total"].dtype == float


def test_a_run_reproduces_on_its_own(sampled):
    from ddr_sim.runs.indicators import summarize

    out = sampled["pool2"]
    scenario, seed = reproduce_run(out, 7)
    row = summarize(DDRModel(scenario, seed).run(), seed)
    kept = SweepStore(out).read("outcomes").set_index("run_id").loc[7]
    assert row["integrated_total"] == kept["integrated_total"]
    assert row["rejoined_total"] == kept["rejoined_total"]


def test_failed_runs_are_recorded_and_the_sweep_completes(tmp_path, capsys):
    path = write_sweep(tmp_path, "failing", FAILING)
    out = tmp_path / "out"
    code = main(["sweep", str(path), "--out", str(out), "--workers", "2", "--quiet"])
    captured = capsys.readouterr()
    assert code == 1
    assert "2 run(s) failed" in captured.err and "Traceback" not in captured.err
    index = SweepStore(out).read("index")
    assert len(index) == 8
    failed = index[index["status"] == FAILED]
    assert set(zip(failed["youth_pool"], failed["quota"], strict=True)) == {(0, 8000)}
    assert failed["error"].str.contains("larger than everyone who could ever be").all()
    assert failed["traceback"].str.contains("Traceback").all()
    outcomes = SweepStore(out).read("outcomes")
    assert len(outcomes) == 6 and outcomes["integrated_total"].notna().all()
    assert SweepStore(out).manifest()["status"] == "complete"
    # a second start has nothing to run; --retry-failed runs the failed runs again
    assert main(["sweep", str(path), "--out", str(out), "--quiet"]) == 1
    assert "0 to run" in capsys.readouterr().out
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--retry-failed"]) == 1
    assert "2 to run" in capsys.readouterr().out
    again = SweepStore(out).read("index")
    assert len(again) == 8 and (again["status"] == FAILED).sum() == 2


def test_a_folder_of_another_experiment_is_refused(tmp_path, sampled):
    text = SAMPLED.replace("replications: 2", "replications: 3")
    experiment = load_experiment(write_sweep(tmp_path, "sampled", text))
    with pytest.raises(ExperimentError, match=r"different experiment \(changed: replications"):
        run_sweep(experiment, sampled["pool1"], None, 1, progress=False)


def test_a_folder_made_by_other_model_code_is_refused(tmp_path, sampled, monkeypatch):
    import ddr_sim.sweeps.folder as runner

    experiment = load_experiment(write_sweep(tmp_path, "sampled", SAMPLED))
    monkeypatch.setattr(runner, "model_code_hash", lambda: "0" * 64)
    with pytest.raises(ExperimentError, match="model code .* changed"):
        run_sweep(experiment, sampled["pool1"], None, 1, progress=False)
    report = run_sweep(
        experiment,
        sampled["pool1"],
        None,
        1,
        progress=False,
        dry_run=True,
        allow_code_change=True,
        echo=lambda line: None,
    )
    assert report.complete and report.ran == 0


def test_sigkill_mid_sweep_then_resume_loses_nothing(tmp_path):
    path = write_sweep(tmp_path, "long", LONG)
    out = tmp_path / "killed"
    command = [str(DDR_SIM), "sweep", str(path), "--out", str(out), "--workers", "2"]
    command += ["--batch-size", "1", "--chunk-size", "5", "--quiet"]
    proc = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    store = SweepStore(out)
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if store.exists and len(store.recorded()) >= 10:
                break
            assert proc.poll() is None, proc.stdout.read().decode()
            time.sleep(0.02)
        else:
            pytest.fail("the sweep did not record runs in time")
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    before = store.read("index")
    assert 10 <= len(before) < 48, "kill the sweep half-way"
    assert before["run_id"].is_unique

    resumed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert f"{len(before)} runs recorded" in resumed.stdout
    after = SweepStore(out).read("index")
    assert len(after) == 48 and after["run_id"].is_unique
    kept = after.set_index("run_id").loc[before["run_id"], VOLATILE]
    pd.testing.assert_frame_equal(kept, before.set_index("run_id")[VOLATILE])
    assert not list(out.glob("journal-*")) and not list(out.glob("**/.*.tmp"))

    reference = tmp_path / "reference"
    with local_executor(2) as executor:
        run_sweep(load_experiment(path), reference, executor, 2, progress=False)
    assert_same_tables(out, reference)


def _damage(out: Path, table: str, chunk: int) -> None:
    path = out / table / f"chunk-{chunk:06d}.parquet"
    if table == "series":  # an empty but valid file
        pq.write_table(pq.read_table(path).slice(0, 0), path)
    else:
        path.write_bytes(path.read_bytes()[:-100])


@pytest.fixture(scope="module")
def long_reference(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    from ddr_sim.runs.executors import InProcessExecutor

    folder = tmp_path_factory.mktemp("long")
    path = write_sweep(folder, "long", LONG)
    options = dict(progress=False, batch_size=2, chunk_size=10, echo=lambda line: None)
    run_sweep(load_experiment(path), folder / "sweep", InProcessExecutor(), 1, **options)
    return path, folder / "sweep"


@pytest.mark.parametrize("table", ["index", "outcomes", "series"])
def test_a_damaged_chunk_is_set_aside_and_exactly_its_runs_run_again(
    tmp_path, table, long_reference
):
    import shutil

    from ddr_sim.runs.executors import InProcessExecutor
    from ddr_sim.runs.store import LEDGER

    path, reference = long_reference
    out = tmp_path / "sweep"
    shutil.copytree(reference, out)
    ledger = [json.loads(line) for line in (out / LEDGER).read_text().splitlines()]
    lines: list[str] = []
    options = dict(progress=False, batch_size=2, chunk_size=10, echo=lines.append)

    _damage(out, table, ledger[1]["chunk"])  # found on resuming
    report = run_sweep(load_experiment(path), out, InProcessExecutor(), 1, **options)
    assert report.ran == len(ledger[1]["runs"]) and report.complete
    assert any(f"chunk {ledger[1]['chunk']} set aside" in line for line in lines), lines

    _damage(out, table, ledger[2]["chunk"])  # found by a reader (analyze)
    with pytest.warns(UserWarning, match=f"chunk {ledger[2]['chunk']} set aside"):
        assert len(SweepStore(out).read("outcomes")) == 48 - len(ledger[2]["runs"])
    report = run_sweep(load_experiment(path), out, InProcessExecutor(), 1, **options)
    assert report.ran == len(ledger[2]["runs"]) and report.complete
    index = SweepStore(out).read("index")
    assert len(index) == 48 and index["run_id"].is_unique
    assert_same_tables(out, reference)
