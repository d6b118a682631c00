"""Run a sweep on any ``concurrent.futures.Executor``: a local process pool or Dask.

The coordinator (:func:`run_sweep`) sends *batches* of runs to the executor, keeps a
bounded number of batches in flight, and appends every finished run to the sweep folder
as soon as its batch comes back (:class:`ddr_sim.sweeps.store.SweepStore`). A run that
raises is recorded as failed with its error; the sweep goes on. Starting the same sweep
again runs only the runs not recorded yet.

Workers run :func:`run_batch`: for each run, the resolved base scenario with the run's
settings is validated, ``DDRModel(scenario, seed).run()`` is run and the experiment's
outcomes (from :func:`ddr_sim.runs.indicators.summarize`) and series are returned. A run is a
pure function of ``(scenario, settings, seed)``, so the result tables do not depend on the
executor, the number of workers or the order runs finish in.

Executors: :func:`local_executor` (a ``ProcessPoolExecutor``) and :func:`dask_executor`
(``distributed.Client(address).get_executor()``); both are plain ``Executor`` objects
and share one code path.
"""

from __future__ import annotations

import hashlib
import math
import multiprocessing
import os
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures import BrokenExecutor as _Broken
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ddr_sim.config.experiment import (
    ExperimentError,
    ResolvedExperiment,
    SweepParameter,
    apply_settings,
)
from ddr_sim.sweeps.designs import design_points, point_settings, runs_table, salib_problem
from ddr_sim.sweeps.store import (
    EXPERIMENT_COPY,
    FAILED,
    SCENARIO_COPY,
    SUCCEEDED,
    RunRecord,
    SweepStore,
)

__all__ = [
    "Batch",
    "BatchResult",
    "RunSpec",
    "SweepReport",
    "dask_executor",
    "local_executor",
    "reproduce_run",
    "run_batch",
    "run_sweep",
]

#: A batch of runs should take about this long on a worker (auto batch size).
TARGET_BATCH_SECONDS = 2.0
MAX_BATCH = 64
#: Parquet chunks are also committed at least this often (seconds).
COMMIT_SECONDS = 300.0
#: Distributions whose versions go into ``sweep.json``.
VERSIONED = ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "distributed")
#: Pilot runs tried before giving up when they all fail.
PILOT_ATTEMPTS = 3


# --------------------------------------------------------------------------------------------
# Worker side


@dataclass(frozen=True)
class RunSpec:
    """One run: its id, seed and ``(scenario path, value)`` settings."""

    run_id: int
    seed: int
    settings: tuple[tuple[str, Any], ...]


@dataclass(frozen=True)
class Batch:
    """Runs sent to a worker together, with what to keep of them."""

    scenario: dict[str, Any]
    runs: tuple[RunSpec, ...]
    outcomes: tuple[str, ...]
    checkpoints: tuple[str, ...] | None
    series_variables: tuple[str, ...] = ()
    series_months: tuple[int, ...] = ()
    columns: bool = False


@dataclass
class BatchResult:
    """The records of a batch; with ``columns``, the summary columns and their kinds."""

    records: list[RunRecord]
    columns: dict[str, str] | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _kind(value: Any) -> str:
    if isinstance(value, bool | np.bool_):
        return "number"
    if isinstance(value, int | float | np.integer | np.floating):
        return "number"
    return "text"


def _number(value: Any) -> float:
    if value is None or isinstance(value, str):
        return math.nan
    return float(value)


def _series(model: Any, seed: int, variables: Sequence[str], months: Sequence[int]) -> list:
    from ddr_sim.runs.tables import series_table

    months = [m for m in months if m < int(model.month)]
    table = series_table(model, seed).set_index("month")
    counts = model.history.counts[months].sum(axis=(1, 2))  # [month, status]
    from ddr_sim.core.statuses import STATUS_NAMES

    rows = []
    for i, m in enumerate(months):
        row = []
        for name in variables:
            if name.startswith("stock_"):
                row.append(float(counts[i, STATUS_NAMES.index(name.removeprefix("stock_"))]))
            else:
                row.append(float(table.at[m, name]))
        rows.append(row)
    return rows


def run_batch(batch: Batch) -> BatchResult:
    """Run every run of a batch (on a worker); a run that raises is recorded as failed.

    Parameters
    ----------
    batch : Batch

    Returns
    -------
    BatchResult
        One record per run, in batch order; with ``batch.columns``, the summary columns of
        the first run that succeeded (name -> ``"number"`` or ``"text"``).
    """
    from ddr_sim.core.model import DDRModel
    from ddr_sim.runs.indicators import summarize

    worker = f"{socket.gethostname()}:{os.getpid()}"
    records: list[RunRecord] = []
    columns: dict[str, str] | None = None
    for spec in batch.runs:
        t0 = time.perf_counter()
        try:
            scenario = apply_settings(batch.scenario, spec.settings)
            model = DDRModel(scenario, seed=spec.seed).run()
            row = summarize(model, spec.seed, batch.checkpoints)
            outcomes = [_number(row.get(name)) for name in batch.outcomes]
            series = (
                _series(model, spec.seed, batch.series_variables, batch.series_months)
                if batch.series_variables
                else None
            )
            del model
        except Exception as err:  # a failed run is recorded; the sweep goes on
            message = str(err).strip().replace("\n", "; ")
            records.append(
                RunRecord(
                    run_id=spec.run_id,
                    status=FAILED,
                    duration_s=time.perf_counter() - t0,
                    worker=worker,
                    finished=_now(),
                    error=f"{type(err).__name__}: {message}"[:2000],
                    traceback=traceback.format_exc()[-20000:],
                )
            )
            continue
        if batch.columns and columns is None:
            columns = {name: _kind(value) for name, value in row.items()}
        records.append(
            RunRecord(
                run_id=spec.run_id,
                status=SUCCEEDED,
                duration_s=time.perf_counter() - t0,
                worker=worker,
                finished=_now(),
                outcomes=outcomes,
                series=series,
            )
        )
    return BatchResult(records, columns)


# --------------------------------------------------------------------------------------------
# Executors


def _coordinator_gone(pid: int) -> bool:
    """The coordinating process has exited (or is a zombie waiting to be reaped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def _watch_coordinator(pid: int, every: float = 1.0) -> None:
    """Worker initializer: exit when the coordinator dies (e.g. killed with SIGKILL).

    Pool workers otherwise wait forever for work from a coordinator that is gone.
    """
    import threading

    def watch() -> None:
        while not _coordinator_gone(pid):
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="watch-coordinator", daemon=True).start()


def local_executor(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes on this machine (forkserver, model preloaded).

    The workers exit by themselves if the coordinating process dies.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(
        [
            "ddr_sim.sweeps.coordinator",
            "ddr_sim.core.model",
            "ddr_sim.runs.indicators",
            "ddr_sim.runs.tables",
        ]
    )
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_watch_coordinator,
        initargs=(os.getpid(),),
    )


@contextmanager
def dask_executor(address: Any, timeout: float = 60.0) -> Iterator[tuple[Executor, int]]:
    """An ``Executor`` on a Dask cluster and its number of worker threads.

    Parameters
    ----------
    address : str or distributed.LocalCluster
        Scheduler address (``tcp://host:8786``) or a cluster object.
    timeout : float
        Seconds to wait for the scheduler and for at least one worker.

    Yields
    ------
    (Executor, int)
        ``client.get_executor(pure=False)`` and the total threads of the workers.
    """
    from distributed import Client

    client = Client(address, timeout=timeout)
    try:
        client.wait_for_workers(1, timeout=timeout)
        slots = max(1, sum(client.nthreads().values()))
        yield client.get_executor(pure=False), slots
    finally:
        client.close()


# --------------------------------------------------------------------------------------------
# Coordinator


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did.

    Attributes
    ----------
    out : pathlib.Path
        The sweep folder.
    total : int
        Runs in the design.
    succeeded, failed : int
        Runs recorded as succeeded / failed in the folder at the end.
    ran : int
        Runs this call computed.
    elapsed_s : float
        Wall time of this call.
    run_seconds : float
        Wall time from the first submission to the last result (throughput = ran / this).
    interrupted : bool
        Stopped by Ctrl-C; what finished is saved.
    broken : str or None
        The executor broke (a worker process died); what finished is saved.
    estimate_s : float or None
        The time estimate printed before starting.
    pilot_runs : int
        Runs of the pilot (computed before ``run_seconds`` starts; included in ``ran``).
    """

    out: Path
    total: int
    succeeded: int = 0
    failed: int = 0
    ran: int = 0
    elapsed_s: float = 0.0
    run_seconds: float = 0.0
    interrupted: bool = False
    broken: str | None = None
    estimate_s: float | None = None
    pilot_runs: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every run of the design is recorded."""
        return self.succeeded + self.failed == self.total


def duration_text(seconds: float) -> str:
    """``"42 s"``, ``"3.5 min"``, ``"2.1 h"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def _manifest(
    experiment: ResolvedExperiment, runs: int, points: int, commands: list[str]
) -> dict[str, Any]:
    import importlib.metadata

    from ddr_sim.config.calendar import month_label

    spec = experiment.spec
    start, months = experiment.calendar
    deps: dict[str, str | None] = {}
    for name in ("ddr-sim", *VERSIONED):  # not ddr_sim.runs.runner: the coordinator skips the model
        try:
            deps[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            deps[name] = None
    return {
        "format": 1,
        "experiment_name": spec.name,
        "experiment_source": experiment.source,
        "fingerprint": experiment.fingerprint(),
        "experiment": spec.model_dump(mode="json", by_alias=True),
        "parameters": [p.to_dict() for p in experiment.parameters],
        "design": spec.design.model_dump(mode="json"),
        "salib_problem": salib_problem(experiment.parameters),
        "replications": spec.replications,
        "points": points,
        "runs": runs,
        "outcomes": list(spec.outcomes),
        "series_variables": list(spec.series.variables) if spec.series else [],
        "series_months": list(experiment.series_months),
        "series_dates": [month_label(m, start) for m in experiment.series_months],
        "classes": {k: v.model_dump(mode="json") for k, v in spec.classes.items()},
        "scenario_source": experiment.scenario_source,
        "scenario_name": experiment.scenario["name"],
        "scenario_hash": experiment.scenario_hash,
        "calendar": {"start": start, "months": months},
        "base_scenario": experiment.scenario,
        "model_code_hash": model_code_hash(),
        "package_version": deps.pop("ddr-sim"),
        "python_version": sys.version.split()[0],
        "dependencies": deps,
        "created": _now(),
        "updated": _now(),
        "command_lines": commands,
        "status": "running",
    }


def _changed(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two JSON-like dicts."""
    out = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key), new.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(_changed(a, b, path + "."))
        elif a != b:
            out.append(path)
    return out


#: Source files whose content determines a run's result (hashed into ``sweep.json``).
MODEL_SOURCES = (
    "core",
    "core/mechanisms",
    "runs/indicators.py",
    "runs/tables.py",
    "config/scenario.py",
    "config/calendar.py",
)


def model_code_hash() -> str:
    """SHA-256 of the model's source files (:data:`MODEL_SOURCES`) on this machine."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in MODEL_SOURCES:
        path = root / name
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def _open_store(
    experiment: ResolvedExperiment,
    out: Path,
    command: str | None,
    write: bool = True,
    allow_code_change: bool = False,
) -> tuple[SweepStore, bool]:
    """The sweep folder, checked against the experiment; ``(store, exists)``.

    With ``write``, an existing folder's manifest takes the experiment's analysis-only
    fields (classes, heatmaps, description), which may be edited between runs. A folder
    whose runs were made by other model code is refused unless ``allow_code_change``.
    """
    store = SweepStore(out)
    if not store.exists:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise ExperimentError(
                [
                    experiment.problem(
                        (),
                        f"output folder {out} exists and is not a sweep folder; choose another "
                        f"--out or empty it",
                    )
                ]
            )
        return store, False
    manifest = store.manifest()
    if manifest.get("fingerprint") != experiment.fingerprint():
        old = manifest.get("experiment", {})
        new = experiment.spec.model_dump(mode="json", by_alias=True)
        changed = [
            c
            for c in _changed(old, new)
            if c.split(".")[0] not in ("description", "classes", "heatmaps", "scenario")
        ]
        if manifest.get("scenario_hash") != experiment.scenario_hash:
            changed.append("the base scenario (its hash differs)")
        raise ExperimentError(
            [
                experiment.problem(
                    (),
                    f"{out} holds a sweep of a different experiment (changed: "
                    f"{', '.join(changed) or 'the resolved parameters'}); use another --out to "
                    f"start a new sweep, or restore the experiment to resume this one",
                )
            ]
        )
    code = model_code_hash()
    if manifest.get("model_code_hash", code) != code and not allow_code_change:
        raise ExperimentError(
            [
                experiment.problem(
                    (),
                    f"the model code (ddr_sim/{', '.join(MODEL_SOURCES[:3])}, ...) changed since "
                    f"the sweep in {out} started; resuming would mix runs of two model versions. "
                    f"Use another --out, or --allow-code-change to resume anyway",
                )
            ]
        )
    if not write:
        return store, True
    if manifest.get("model_code_hash") != code:
        manifest.setdefault("model_code_history", []).append(
            {"model_code_hash": code, "from": _now()}
        )
        manifest["model_code_hash"] = code
    manifest["experiment"] = experiment.spec.model_dump(mode="json", by_alias=True)
    manifest["classes"] = {k: v.model_dump(mode="json") for k, v in experiment.spec.classes.items()}
    if command:
        manifest.setdefault("command_lines", []).append(command)
    store.write_manifest(manifest)
    (out / EXPERIMENT_COPY).write_text(experiment.text, encoding="utf-8")
    return store, True


def _check_columns(experiment: ResolvedExperiment, columns: dict[str, str]) -> None:
    """Outcomes must be numeric columns of the summary (checked on the pilot run)."""
    problems = []
    for i, name in enumerate(experiment.spec.outcomes):
        if name not in columns:
            import difflib

            close = difflib.get_close_matches(name, list(columns), n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            problems.append(
                experiment.problem(
                    ("outcomes", i),
                    f"unknown outcome {name!r}: the summary of {experiment.scenario['name']} has "
                    f"no such column{hint}; the columns are listed in ddr_sim/runs/indicators.py "
                    "and "
                    f"in the summary.csv of 'ddr-sim run'",
                )
            )
        elif columns[name] != "number":
            alt = name.removesuffix("_date") + "_month" if name.endswith("_date") else None
            hint = f"; use {alt!r}" if alt in columns else ""
            problems.append(
                experiment.problem(
                    ("outcomes", i), f"outcome {name!r} is not a number (it is text){hint}"
                )
            )
    if problems:
        raise ExperimentError(problems)


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
    executor : concurrent.futures.Executor
        Where runs are computed (see :func:`local_executor`, :func:`dask_executor`).
    slots : int
        Runs the executor computes at once (workers or worker threads).
    batch_size : int, optional
        Runs per task; default: about :data:`TARGET_BATCH_SECONDS` of work, from the pilot.
    chunk_size : int
        Runs per Parquet chunk of the result tables.
    retry_failed : bool
        Run again the runs recorded as failed.
    allow_code_change : bool
        Resume a sweep whose recorded runs were made by other model code.
    dry_run : bool
        Only print the size and the pilot's estimate; write nothing.
    progress : bool
        Show a progress bar (runs done, failed, time left) on stderr.
    echo : callable
        Receives the lines to print.
    command : str, optional
        Command line recorded in the manifest.
    where : str
        Text naming the executor in the messages ("2 local worker processes").

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
    spec = experiment.spec
    store, resuming = _open_store(
        experiment, out, command, write=not dry_run, allow_code_change=allow_code_change
    )
    recovered = 0
    if resuming:
        if not dry_run:
            recovered = store.recover()
        design = store.design()
        recorded = store.recorded()
    else:
        points, _ = design_points(experiment.parameters, spec.design)
        design = runs_table(points, spec.replications, spec.seed, spec.common_random_numbers)
        recorded = pd.DataFrame({"run_id": pd.Series(dtype="int64"), "status": []})
    total = len(design)
    report = SweepReport(out=out, total=total)
    n_points = int(design["point"].max()) + 1 if total else 0
    status = dict(zip(recorded["run_id"].astype(int), recorded["status"], strict=True))
    redo = {FAILED} if retry_failed else set()
    pending = np.array(
        [i for i in design["run_id"].tolist() if i not in status or status[i] in redo], np.int64
    )
    n_failed = sum(1 for s in status.values() if s == FAILED)
    report.succeeded = sum(1 for s in status.values() if s == SUCCEEDED)
    report.failed = 0 if retry_failed else n_failed
    done = total - len(pending)
    echo(
        f"experiment {spec.name}: {spec.design.method} design, {n_points:,} points x "
        f"{spec.replications} replication(s) = {total:,} runs of scenario "
        f"{experiment.scenario['name']}"
    )
    if resuming:
        echo(
            f"resuming {out}: {len(status):,} runs recorded ({report.succeeded:,} succeeded, "
            f"{n_failed:,} failed)"
            + (f", {recovered:,} recovered from the journal" if recovered else "")
            + f"; {len(pending):,} to run"
        )
    parameters = experiment.parameters

    def make_batch(ids: Sequence[int], columns: bool = False) -> Batch:
        runs = []
        for run_id in ids:
            row = design.iloc[int(run_id)]
            runs.append(
                RunSpec(
                    run_id=int(run_id),
                    seed=int(row["seed"]),
                    settings=tuple(point_settings(parameters, row)),
                )
            )
        return Batch(
            scenario=experiment.scenario,
            runs=tuple(runs),
            outcomes=tuple(spec.outcomes),
            checkpoints=None if spec.checkpoints is None else tuple(spec.checkpoints),
            series_variables=tuple(spec.series.variables) if spec.series else (),
            series_months=experiment.series_months,
            columns=columns,
        )

    if not len(pending):
        echo(f"nothing to run: every run is recorded in {out}")
        if not dry_run:
            _finish(store, report, t_start)
        return report

    # pilot: one run per slot, in parallel; a new sweep also checks its outcome names
    pilot_records: list[RunRecord] = []
    per_run: float | None = None
    if resuming and not dry_run:
        durations = store.read("index", columns=["status", "duration_s"])
        ok = durations[durations["status"] == SUCCEEDED]["duration_s"]
        per_run = float(ok.median()) if len(ok) else None
    cursor = 0
    attempts = 0
    while per_run is None and cursor < len(pending) and attempts < PILOT_ATTEMPTS:
        attempts += 1
        ids = pending[cursor : cursor + max(1, slots)]
        cursor += len(ids)
        futures = [executor.submit(run_batch, make_batch([i], columns=True)) for i in ids]
        columns = None
        for future in futures:
            try:
                result = future.result()
            except _Broken as err:
                report.broken = f"{type(err).__name__}: {err}"
                return report
            pilot_records.extend(result.records)
            columns = columns or result.columns
        ok = [r.duration_s for r in pilot_records if r.status == SUCCEEDED]
        if columns is not None:
            _check_columns(experiment, columns)
        if ok:
            per_run = float(np.median(ok))
    if per_run is None:
        errors = "; ".join(sorted({r.error or "" for r in pilot_records}))[:1000]
        report.messages.append(f"every pilot run failed: {errors}")
        if not resuming:
            echo(f"error: the {len(pilot_records)} pilot run(s) all failed: {errors}")
            report.failed = len(pilot_records)
            return report
        per_run = 1.0
    remaining = len(pending) - len(pilot_records)
    report.estimate_s = remaining * per_run / max(slots, 1)
    source = "recorded runs" if resuming and not pilot_records else "pilot"
    echo(
        f"{source}: {per_run:.2f} s per run -> about {duration_text(report.estimate_s)} for "
        f"{len(pending):,} runs on {where or f'{slots} worker(s)'}"
    )
    if dry_run:
        return report

    if not resuming:
        points, sample = design_points(experiment.parameters, spec.design)
        sample_table = None
        if sample is not None:
            sample_table = pd.DataFrame(sample, columns=[p.name for p in parameters])
            sample_table.insert(0, "point", np.arange(len(sample), dtype=np.int64))
        from ddr_sim.config.loading import resolved_yaml
        from ddr_sim.config.scenario import Scenario

        store.initialize(
            _manifest(experiment, total, n_points, [command] if command else []),
            design,
            sample_table,
            {
                EXPERIMENT_COPY: experiment.text,
                SCENARIO_COPY: resolved_yaml(Scenario.model_validate(experiment.scenario)),
            },
        )
    echo(f"writing to {out}")

    if batch_size is None:
        batch_size = int(round(TARGET_BATCH_SECONDS / max(per_run, 1e-3)))
        batch_size = min(batch_size, math.ceil(remaining / max(4 * slots, 1)))
        batch_size = max(1, min(batch_size, MAX_BATCH))
    window = max(2, 2 * slots)

    from tqdm.auto import tqdm

    bar = tqdm(
        total=total,
        initial=done,
        unit="run",
        desc=spec.name,
        disable=not progress,
        file=sys.stderr,
        dynamic_ncols=True,
        smoothing=0.05,
    )
    failed_now = 0
    last_commit = time.monotonic()

    def record(records: list[RunRecord]) -> None:
        nonlocal failed_now, last_commit
        store.append(records)
        for r in records:
            if r.status == SUCCEEDED:
                report.succeeded += 1
            else:
                report.failed += 1
                failed_now += 1
        report.ran += len(records)
        bar.update(len(records))
        bar.set_postfix(failed=report.failed, refresh=False)
        if store.journal_runs >= chunk_size or time.monotonic() - last_commit > COMMIT_SECONDS:
            store.commit()
            last_commit = time.monotonic()

    t_run = time.perf_counter()
    if pilot_records:
        report.pilot_runs = len(pilot_records)
        record(pilot_records)
    inflight: dict[Future, Batch] = {}
    try:
        while True:
            while cursor < len(pending) and len(inflight) < window and report.broken is None:
                # batches shrink near the end so that workers finish together
                size = max(1, min(batch_size, (len(pending) - cursor) // (2 * window)))
                batch = make_batch(pending[cursor : cursor + size].tolist())
                cursor += size
                inflight[executor.submit(run_batch, batch)] = batch
            if not inflight:
                break
            finished, _ = wait(list(inflight), return_when=FIRST_COMPLETED)
            for future in finished:
                batch = inflight.pop(future)
                try:
                    records = future.result().records
                except _Broken as err:
                    report.broken = f"{type(err).__name__}: {err}"
                    continue
                except Exception as err:  # the task itself failed (e.g. a worker was killed)
                    records = [
                        RunRecord(
                            run_id=spec_.run_id,
                            status=FAILED,
                            duration_s=0.0,
                            worker="",
                            finished=_now(),
                            error=f"task failed: {type(err).__name__}: {err}"[:2000],
                            traceback="".join(traceback.format_exception(err))[-20000:],
                        )
                        for spec_ in batch.runs
                    ]
                record(records)
            if report.broken is not None:
                for future in inflight:
                    future.cancel()
                inflight = {f: b for f, b in inflight.items() if not f.cancelled()}
    except KeyboardInterrupt:
        report.interrupted = True
        for future in inflight:
            future.cancel()
    finally:
        report.run_seconds = time.perf_counter() - t_run
        bar.close()
        store.commit()
    _finish(store, report, t_start)
    return report


def _finish(store: SweepStore, report: SweepReport, t_start: float) -> None:
    manifest = store.manifest()
    manifest["updated"] = _now()
    manifest["status"] = "complete" if report.complete else "partial"
    manifest["succeeded"] = report.succeeded
    manifest["failed"] = report.failed
    store.write_manifest(manifest)
    report.elapsed_s = time.perf_counter() - t_start


# --------------------------------------------------------------------------------------------
# Reproducing one run


def reproduce_run(sweep_dir: str | os.PathLike[str], run_id: int) -> tuple[Any, int]:
    """The scenario and seed of one run of a sweep, to run it again on its own.

    Example::

        scenario, seed = reproduce_run("output/sweeps/trust_vs_progress", 17)
        model = DDRModel(scenario, seed).run()

    Returns
    -------
    (Scenario, int)
    """
    store = SweepStore(sweep_dir)
    manifest = store.manifest()
    parameters = [SweepParameter.from_dict(p) for p in manifest["parameters"]]
    row = store.design().set_index("run_id").loc[int(run_id)]
    settings = point_settings(parameters, row)
    return apply_settings(manifest["base_scenario"], settings), int(row["seed"])
