"""The run engine: runs keyed by what determines them, stored as they finish, resumed;
stored chunks that verify themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ddr_sim.config.loading import load_scenario
from ddr_sim.runs.engine import execute, request, summaries
from ddr_sim.runs.executors import InProcessExecutor
from ddr_sim.runs.runner import run
from ddr_sim.runs.store import LEDGER, QUARANTINE, RunStore

ROOT = Path(__file__).resolve().parents[2]
TEACHING = ROOT / "scenarios" / "teaching.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(TEACHING)


def _requests(scenario, seeds, keep=()):
    return [request(scenario, s, label="base", keep=keep) for s in seeds]


def _execute(requests, folder: Path, messages: list[str] | None = None):
    echo = messages.append if messages is not None else lambda text: None
    return execute(requests, RunStore(folder), InProcessExecutor(), 1, echo=echo)


def _ledger(folder: Path) -> list[dict]:
    lines = (folder / LEDGER).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_key_names_scenario_seed_checkpoints_and_what_is_kept(scenario):
    a = request(scenario, 3)
    assert a.key == request(scenario, 3, label="other").key
    assert a.key != request(scenario, 4).key
    assert a.key != request(scenario, 3, keep=("headline",)).key
    assert a.key != request(scenario, 3, checkpoints=["2016-01"]).key
    changed = load_scenario(TEACHING, ["politics.progress_rate=0.03"])
    assert a.key != request(changed, 3).key
    with pytest.raises(ValueError, match="unknown kept output"):
        request(scenario, 3, keep=("everything",))


def test_runs_in_the_store_are_not_run_again(tmp_path, scenario):
    first = _execute(_requests(scenario, [0, 1]), tmp_path)
    assert (first.ran, first.reused) == (2, 0)
    messages: list[str] = []
    second = _execute(_requests(scenario, [0, 1, 2, 2]), tmp_path, messages)
    assert (second.requested, second.ran, second.reused) == (3, 1, 2)
    assert "2 of 3 runs already in" in messages[0]
    collected = summaries(RunStore(tmp_path), _requests(scenario, [2, 0, 1]))
    assert [req.seed for req, _ in collected.rows] == [2, 0, 1]
    assert [row["seed"] for _, row in collected.rows] == [2, 0, 1]
    assert not collected.errors


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _empty(path: Path) -> None:
    table = pq.read_table(path)
    pq.write_table(table.slice(0, 0), path)


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("table", "damage"),
    [("index", _truncate), ("headline", _empty), ("headline", _flip), ("index", Path.unlink)],
)
def test_a_damaged_chunk_is_set_aside_and_exactly_its_runs_run_again(
    tmp_path, scenario, table, damage
):
    requests = _requests(scenario, [0, 1, 2], keep=("headline",))
    assert _execute(requests, tmp_path).ran == 3
    entries = _ledger(tmp_path)
    assert [e["files"]["index"]["rows"] for e in entries] == [1, 1, 1]
    victim = entries[1]
    damage(tmp_path / table / f"chunk-{victim['chunk']:06d}.parquet")

    messages: list[str] = []
    again = _execute(requests, tmp_path, messages)
    assert again.ran == 1 and again.reused == 2
    assert any(f"chunk {victim['chunk']} set aside" in m for m in messages), messages
    assert (tmp_path / QUARANTINE / f"chunk-{victim['chunk']:06d}").is_dir()
    store = RunStore(tmp_path)
    assert store.index()["key"].tolist().count(victim["runs"][0]) == 1
    collected = summaries(store, requests)
    assert [req.seed for req, _ in collected.rows] == [0, 1, 2]
    headline = store.read("headline")
    assert headline.groupby("key").size().tolist() == [len(headline) // 3] * 3


def test_an_uncommitted_chunk_is_removed_and_its_run_made_again(tmp_path, scenario):
    requests = _requests(scenario, [0, 1])
    _execute(requests, tmp_path)
    lines = (tmp_path / LEDGER).read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / LEDGER).write_text(lines[0] + lines[1][:20], encoding="utf-8")  # cut short
    again = _execute(requests, tmp_path)
    assert again.ran == 1
    assert len(list((tmp_path / "index").glob("chunk-*.parquet"))) == 2


def test_run_resumes_from_its_store_with_identical_tables(tmp_path):
    store = tmp_path / "runs"
    whole = run(TEACHING, seeds=3, store=tmp_path / "whole")
    run(TEACHING, seeds=[0, 2], store=store)
    messages: list[str] = []
    resumed = run(TEACHING, seeds=3, store=store, echo=messages.append)
    assert any("2 of 3 runs already in" in m for m in messages)
    for name in ("counts", "series", "group_series", "flows", "groups", "events", "summary"):
        pd.testing.assert_frame_equal(getattr(resumed, name), getattr(whole, name), obj=name)


def test_a_chunk_written_by_another_arrow_type_still_reads(tmp_path):
    """Text columns are written as plain strings even when every value is missing."""
    from ddr_sim.runs.store import write_parquet

    entry = write_parquet(tmp_path / "t.parquet", pd.DataFrame({"error": [None, None]}))
    assert entry["rows"] == 2
    assert pq.read_table(tmp_path / "t.parquet").schema.field("error").type == pa.string()


def test_a_run_that_raises_is_reported_failed_with_its_error_and_stored(tmp_path, scenario):
    """A worker reports a run that raises: its error, traceback, the worker and the time;
    the store keeps the report."""
    import dataclasses
    import os
    import socket
    from datetime import datetime

    from ddr_sim.runs.engine import run_requests
    from ddr_sim.runs.store import FAILED, SUCCEEDED

    good = request(scenario, 1)
    broken = dataclasses.replace(request(scenario, 2), scenario=None)
    ok, failed = run_requests([good, broken])
    assert (ok.status, ok.error, ok.key) == (SUCCEEDED, None, good.key)
    assert (failed.status, failed.key, failed.seed) == (FAILED, broken.key, 2)
    assert failed.error.startswith("AttributeError: ") and "\n" not in failed.error
    assert "Traceback" in failed.traceback and failed.summary is None
    assert failed.worker == ok.worker == f"{socket.gethostname()}:{os.getpid()}"
    assert datetime.fromisoformat(ok.finished) <= datetime.fromisoformat(failed.finished)
    store = RunStore(tmp_path)
    store.add([ok, failed])
    index = store.index().set_index("key")
    assert index.loc[broken.key, "error"] == failed.error
    assert index.loc[good.key, "status"] == SUCCEEDED
