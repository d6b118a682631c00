"""Run a sweep on any ``concurrent.futures.Executor``: a local process pool or Dask.

The coordinator (:func:`run_sweep`) sends *batches* of runs (:mod:`ddr_sim.sweeps.worker`)
through the run engine's feeding loop (:func:`ddr_sim.runs.executors.drive`), keeps a
bounded number of batches in flight, and appends every finished run to the sweep folder
as soon as its batch comes back (:class:`ddr_sim.sweeps.store.SweepStore`). A run that
raises is recorded as failed with its error; the sweep goes on. Starting the same sweep
again runs only the runs not recorded yet, and those of chunks found damaged.

Executors: :func:`ddr_sim.runs.executors.local_executor` (a ``ProcessPoolExecutor``) and
:func:`ddr_sim.runs.executors.dask_executor`; both are plain ``Executor`` objects and
share one code path with every other command that runs the model.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np

from ddr_sim.config.experiment import ResolvedExperiment
from ddr_sim.runs.executors import BrokenExecutorError, dask_executor, drive, local_executor
from ddr_sim.runs.provenance import utc_now
from ddr_sim.sweeps.folder import (
    check_columns,
    model_code_hash,
    open_store,
    reproduce_run,
)
from ddr_sim.sweeps.plan import Plan, batch_maker, initialize, plan_runs
from ddr_sim.sweeps.progress import SweepReport, _Recorder, duration_text
from ddr_sim.sweeps.store import (
    FAILED,
    SUCCEEDED,
    RunRecord,
    SweepStore,
)
from ddr_sim.sweeps.worker import Batch, BatchResult, RunSpec, run_batch

__all__ = [
    "Batch",
    "BatchResult",
    "RunSpec",
    "SweepReport",
    "dask_executor",
    "duration_text",
    "local_executor",
    "model_code_hash",
    "reproduce_run",
    "run_batch",
    "run_sweep",
]

#: A batch of runs should take about this long on a worker (auto batch size).
TARGET_BATCH_SECONDS = 2.0
MAX_BATCH = 64
#: Pilot runs tried before giving up when they all fail.
PILOT_ATTEMPTS = 3


def _announce(plan: Plan, experiment: ResolvedExperiment, store: SweepStore, echo) -> None:
    spec = experiment.spec
    echo(
        f"experiment {spec.name}: {spec.design.method} design, {plan.points:,} points x "
        f"{spec.replications} replication(s) = {plan.total:,} runs of scenario "
        f"{experiment.scenario['name']}"
    )
    for message in store.messages:
        echo(f"warning: {message}; they run again now")
    if plan.resuming:
        echo(
            f"resuming {store.root}: {plan.recorded:,} runs recorded "
            f"({plan.recorded - plan.n_failed:,} succeeded, {plan.n_failed:,} failed)"
            + (f", {plan.recovered:,} recovered from the journal" if plan.recovered else "")
            + f"; {len(plan.pending):,} to run"
        )


def _pilot(
    plan: Plan, experiment, store, executor, slots, make_batch, report
) -> tuple[float | None, list[RunRecord]]:
    """Seconds per run (from recorded runs, else a pilot of one run per slot) and the
    pilot's records; a new sweep's pilot also checks its outcome names."""
    if plan.resuming and store.exists:
        durations = store.read("index", columns=["status", "duration_s"])
        ok = durations[durations["status"] == SUCCEEDED]["duration_s"]
        if len(ok):
            return float(ok.median()), []
    records: list[RunRecord] = []
    for _ in range(PILOT_ATTEMPTS):
        if plan.cursor >= len(plan.pending):
            break
        ids = plan.pending[plan.cursor : plan.cursor + max(1, slots)]
        plan.cursor += len(ids)
        batches = [make_batch([i], columns=True) for i in ids]
        columns = None
        try:
            for outcome in drive(executor, run_batch, batches, len(batches)):
                if outcome.error is not None:
                    raise outcome.error
                records.extend(outcome.result.records)
                columns = columns or outcome.result.columns
        except BrokenExecutorError as err:
            report.broken = str(err)
            return None, records
        if columns is not None:
            check_columns(experiment, columns)
        ok = [r.duration_s for r in records if r.status == SUCCEEDED]
        if ok:
            return float(np.median(ok)), records
    return None, records


def _failed_records(batch: Batch, outcome: Any) -> list[RunRecord]:
    return [
        RunRecord(
            run_id=spec.run_id,
            status=FAILED,
            duration_s=0.0,
            worker="",
            finished=utc_now(),
            error=outcome.failure_text,
            traceback=outcome.failure_traceback,
        )
        for spec in batch.runs
    ]


def _batches(plan: Plan, make_batch, batch_size: int, window: int) -> Iterator[Batch]:
    """The pending batches; they shrink near the end so that workers finish together."""
    while plan.cursor < len(plan.pending):
        left = len(plan.pending) - plan.cursor
        size = max(1, min(batch_size, left // (2 * window)))
        yield make_batch(plan.pending[plan.cursor : plan.cursor + size].tolist())
        plan.cursor += size


def _run_pending(plan, executor, make_batch, batch_size, window, record, report) -> None:
    t_run = time.perf_counter()
    try:
        for outcome in drive(
            executor, run_batch, _batches(plan, make_batch, batch_size, window), window
        ):
            if outcome.error is None:
                record(outcome.result.records)
            else:  # the task itself failed (e.g. a worker was killed)
                record(_failed_records(outcome.batch, outcome))
    except KeyboardInterrupt:
        report.interrupted = True
    except BrokenExecutorError as err:
        report.broken = str(err)
    finally:
        report.run_seconds = time.perf_counter() - t_run


def _pilot_failed(report: SweepReport, pilot: list, resuming: bool, echo) -> bool:
    """Record that every pilot run failed; True when a resumed sweep goes on anyway."""
    errors = "; ".join(sorted({r.error or "" for r in pilot}))[:1000]
    report.messages.append(f"every pilot run failed: {errors}")
    if not resuming:
        echo(f"error: the {len(pilot)} pilot run(s) all failed: {errors}")
        report.failed = len(pilot)
    return resuming


def _estimate(report, plan, per_run, remaining, slots, where, piloted, echo) -> None:
    report.estimate_s = remaining * per_run / max(slots, 1)
    source = "recorded runs" if plan.resuming and not piloted else "pilot"
    echo(
        f"{source}: {per_run:.2f} s per run -> about {duration_text(report.estimate_s)} for "
        f"{len(plan.pending):,} runs on {where or f'{slots} worker(s)'}"
    )


def _auto_batch(per_run: float, remaining: int, slots: int) -> int:
    size = int(round(TARGET_BATCH_SECONDS / max(per_run, 1e-3)))
    size = min(size, math.ceil(remaining / max(4 * slots, 1)))
    return max(1, min(size, MAX_BATCH))


def run_sweep(
    experiment: ResolvedExperiment,
    out: str | os.PathLike[str],
    executor: Executor,
    slots: int,
    *,
    batch_size: int | None = None,
    chunk_size: int = 500,
    retry_failed: bool = False,
    allow_code_change: bool = False,
    dry_run: bool = False,
    progress: bool = True,
    echo: Callable[[str], None] = print,
    command: str | None = None,
    where: str = "",
) -> SweepReport:
    """Run (or resume) a sweep into ``out`` on ``executor``.

    Parameters
    ----------
    experiment : ResolvedExperiment
        From :func:`ddr_sim.config.experiment.load_experiment`.
    out : str or path-like
        The sweep folder (created; an existing one is resumed when it holds the same
        experiment, else an :class:`ExperimentError` is raised).
    executor, slots : concurrent.futures.Executor, int
        Where runs are computed (:mod:`ddr_sim.runs.executors`) and how many at once.
    batch_size, chunk_size : int
        Runs per task (default: about :data:`TARGET_BATCH_SECONDS` of work, from the
        pilot) and per Parquet chunk of the result tables.
    retry_failed, allow_code_change, dry_run, progress : bool
        Run again the runs recorded as failed; resume a sweep whose runs were made by
        other model code; only print the size and the pilot's estimate (write nothing);
        show a progress bar (runs done, failed, time left) on stderr.
    echo : callable
        Receives the lines to print.
    command, where : str
        Command line recorded in the manifest; text naming the executor in messages.

    Returns
    -------
    SweepReport

    Raises
    ------
    ExperimentError
        The folder holds another experiment, or an outcome is not a numeric summary column.
    """
    t_start = time.perf_counter()
    out = Path(out)
    store, resuming = open_store(
        experiment, out, command, write=not dry_run, allow_code_change=allow_code_change
    )
    plan = plan_runs(experiment, store, resuming, not dry_run, retry_failed)
    failed = 0 if retry_failed else plan.n_failed
    report = SweepReport(out, plan.total, plan.recorded - plan.n_failed, failed)
    _announce(plan, experiment, store, echo)
    if not len(plan.pending):
        echo(f"nothing to run: every run is recorded in {out}")
        if not dry_run:
            _finish(store, report, t_start)
        return report
    make_batch = batch_maker(experiment, plan.design)
    per_run, pilot = _pilot(plan, experiment, store, executor, slots, make_batch, report)
    if report.broken is not None:
        return report
    if per_run is None:
        if not _pilot_failed(report, pilot, resuming, echo):
            return report
        per_run = 1.0
    remaining = len(plan.pending) - len(pilot)
    _estimate(report, plan, per_run, remaining, slots, where, bool(pilot), echo)
    if dry_run:
        return report
    if not resuming:
        initialize(store, experiment, plan, command)
    echo(f"writing to {out}")
    size = batch_size or _auto_batch(per_run, remaining, slots)
    run = (executor, slots, make_batch, pilot, t_start, size, chunk_size, progress)
    return _execute(plan, store, report, *run, experiment.spec.name)


def _execute(
    plan,
    store,
    report,
    executor,
    slots,
    make_batch,
    pilot,
    t_start,
    batch_size,
    chunk_size,
    progress,
    name,
) -> SweepReport:
    from tqdm.auto import tqdm

    window = max(2, 2 * slots)
    bar = tqdm(
        total=plan.total,
        initial=plan.total - len(plan.pending),
        unit="run",
        desc=name,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.05,
    )
    record = _Recorder(store, report, bar, chunk_size)
    try:
        if pilot:
            report.pilot_runs = len(pilot)
            record(pilot)
        _run_pending(plan, executor, make_batch, batch_size, window, record, report)
    finally:
        bar.close()
        store.commit()
    _finish(store, report, t_start)
    return report


def _finish(store: SweepStore, report: SweepReport, t_start: float) -> None:
    data = store.manifest()
    data["updated"] = utc_now()
    data["status"] = "complete" if report.complete else "partial"
    data["succeeded"] = report.succeeded
    data["failed"] = report.failed
    store.write_manifest(data)
    report.elapsed_s = time.perf_counter() - t_start
