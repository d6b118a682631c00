"""Run a scenario over seeds and save the tables, summary, manifest and plots.

>>> from ddr_sim.runs.runner import run
>>> result = run("scenarios/teaching.yaml", seeds=5)          # seeds 0..4
>>> result.summary[["seed", "integrated_total"]]               # doctest: +SKIP
>>> result.save("output/teaching")                             # doctest: +SKIP

The run for seed ``s`` is ``DDRModel(scenario, seed=s).run()``. Seeds run one after the
other (or, with ``jobs``, on worker processes); after each one only its tables are kept
(never per-person data). A seed that
raises does not stop the others: its traceback goes to ``RunResult.errors`` and the
result holds what finished.

Output directory (``RunResult.save``)
-------------------------------------
``counts.parquet``, ``series.parquet``, ``group_series.parquet``, ``flows.parquet``
    The tables of :mod:`ddr_sim.runs.tables`, all seeds (in ``counts`` and ``flows`` an
    absent row means 0).
``groups.csv``, ``events.csv``
    The groups of each seed (splinters included) and the scenario events.
``summary.csv``, ``summary.parquet``
    One row per seed: the indicators of :mod:`ddr_sim.runs.indicators`.
``scenario.resolved.yaml``
    The scenario with every default filled in (loads back to the same hash).
``manifest.json``
    Versions, the resolved scenario and its SHA-256, seeds, timestamps, command line.
``status_counts.png``, ``trust_progress.png``, ``cumulative_vs_targets.png``
    The figures of :mod:`ddr_sim.analysis.run_plots`; the observed figures come from the scenario's
    targets file (``<name>.targets.yaml`` beside it or beside the scenario it extends).
``errors.txt``
    Only when a seed failed: each failed seed's traceback.

Each file is written under a temporary name and then renamed, so a file present is
complete.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.config.loading import (
    Problem,
    ScenarioError,
    load_scenario,
    resolved_yaml,
    scenario_hash,
)
from ddr_sim.config.scenario import Scenario
from ddr_sim.runs.engine import execute, request, summaries, tables
from ddr_sim.runs.executors import open_executor
from ddr_sim.runs.naming import checkpoints_in_calendar
from ddr_sim.runs.provenance import (
    DEPENDENCIES,
    DISTRIBUTION,
    dependency_versions,
    package_version,
    utc_now,
)
from ddr_sim.runs.result import (
    ERRORS_FILE,
    RUNS_FOLDER,
    TRACEBACK_FILE,
    RunResult,
    write_text,
)
from ddr_sim.runs.store import RunStore, folder_or_temporary
from ddr_sim.runs.summary import summary_frame
from ddr_sim.runs.tables import SEED_TABLES

__all__ = [
    "DEPENDENCIES",
    "DISTRIBUTION",
    "ERRORS_FILE",
    "RUNS_FOLDER",
    "TRACEBACK_FILE",
    "RunResult",
    "write_text",
    "dependency_versions",
    "package_version",
    "run",
]


def _seed_list(seeds: int | Iterable[int]) -> list[int]:
    if isinstance(seeds, int):
        if seeds < 1:
            raise ValueError(f"seeds must be at least 1, got {seeds}")
        return list(range(seeds))
    out = [int(s) for s in seeds]
    if not out:
        raise ValueError("no seeds given")
    if len(set(out)) != len(out):
        raise ValueError(f"seeds repeat: {out}")
    return out


def _scenario(
    scenario_or_path: Scenario | str | os.PathLike[str], overrides: list[str]
) -> tuple[Scenario, str | None]:
    """Load a scenario file, or apply overrides to a Scenario through its resolved YAML."""
    if not isinstance(scenario_or_path, Scenario):
        source = os.fspath(scenario_or_path)
        return load_scenario(source, overrides), source
    if not overrides:
        return scenario_or_path, None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{scenario_or_path.name}.resolved.yaml"
        path.write_text(resolved_yaml(scenario_or_path), encoding="utf-8")
        try:
            return load_scenario(path, overrides), None
        except ScenarioError as err:  # name the scenario, not the temporary file
            shown = f"<scenario {scenario_or_path.name}, resolved>"
            raise ScenarioError(
                [
                    Problem(
                        shown if p.file == os.fspath(path) else p.file, p.line, p.path, p.message
                    )
                    for p in err.problems
                ]
            ) from None


def run(
    scenario_or_path: Scenario | str | os.PathLike[str],
    seeds: int | Iterable[int] = 1,
    overrides: list[str] | None = None,
    progress: bool = False,
    checkpoints: Iterable[str] | None = None,
    jobs: int = 1,
    store: str | os.PathLike[str] | None = None,
    echo: Any = None,
) -> RunResult:
    """Run a scenario for each seed and collect the tables.

    The seeds go through the run engine (:mod:`ddr_sim.runs.engine`): each finished seed
    is written to ``store`` as it finishes, and a seed already there is not run again.

    Parameters
    ----------
    scenario_or_path : Scenario or str or path-like
        A validated scenario, or a scenario file to load.
    seeds : int or iterable of int
        ``N`` runs seeds ``0..N-1``; a list runs exactly those seeds.
    overrides : list of str, optional
        ``path.to.key=value`` overrides (see ``ddr_sim.config.loading``).
    progress : bool
        Show a progress bar (only when there is more than one seed).
    checkpoints : iterable of str, optional
        ``YYYY-MM`` dates for the summary's checkpoint columns (default
        ``ddr_sim.runs.indicators.DEFAULT_CHECKPOINTS``).
    jobs : int
        Worker processes; 1 runs the seeds in this process. The tables do not depend on it.
    store : path, optional
        Folder of finished runs (:class:`ddr_sim.runs.store.RunStore`) to resume from and
        write to; default a temporary folder, removed at the end.
    echo : callable, optional
        Receives the engine's messages (runs reused, damaged chunks set aside).

    Returns
    -------
    RunResult
        The tables of the seeds that finished; failed seeds are in ``errors``.

    Raises
    ------
    ddr_sim.config.loading.ScenarioError
        The scenario file or an override is invalid.
    ValueError
        ``seeds`` is empty, repeats a seed or is below 1, or a checkpoint is not YYYY-MM.
    """
    started = utc_now("seconds")
    overrides = list(overrides or [])
    scenario, source = _scenario(scenario_or_path, overrides)
    seed_list = _seed_list(seeds)
    checkpoints = list(checkpoints) if checkpoints is not None else None
    kept = checkpoints_in_calendar(checkpoints, scenario.calendar.start, scenario.calendar.months)
    digest = scenario_hash(scenario)
    requests = [
        request(scenario, s, checkpoints=checkpoints, keep=("tables",), scenario_hash=digest)
        for s in seed_list
    ]
    bar = progress and len(seed_list) > 1
    tables_, report = _through_engine(requests, store, jobs, bar, scenario.name, echo)
    return RunResult(
        scenario=scenario,
        scenario_hash=digest,
        seeds=seed_list,
        **tables_,
        errors=report.errors,
        interrupted=report.interrupted,
        started=started,
        finished=utc_now("seconds"),
        source=source,
        overrides=overrides,
        checkpoints=kept,
    )


@dataclass
class _Outcome:
    errors: dict[int, str]
    interrupted: bool


def _through_engine(
    requests: list, store: Any, jobs: int, progress: bool, desc: str, echo: Any
) -> tuple[dict[str, pd.DataFrame], _Outcome]:
    """Run the requests through the engine; their tables, summary and events, in seed order."""
    scenario = requests[0].scenario
    with (
        folder_or_temporary(store) as folder,
        open_executor(min(jobs, len(requests))) as (pool, slots, _),
    ):
        runs = RunStore(folder)
        report = execute(requests, runs, pool, slots, progress=progress, desc=desc, echo=echo)
        collected = summaries(runs, requests)
        done = [r for r, _ in collected.rows]
        frames = {name: tables(runs, name, done) for name in SEED_TABLES}
        events = tables(runs, "events", done[:1]) if done else pd.DataFrame()
    errors = {r.seed: collected.errors[r.key] for r in requests if r.key in collected.errors}
    for seed, text in errors.items():
        warnings.warn(f"seed {seed} failed: {text.strip().splitlines()[-1]}", stacklevel=3)
    if events.empty:
        events = pd.DataFrame(columns=["month", "date", "type", "note"])
    frames["events"] = events
    frames["summary"] = _summary([row for _, row in collected.rows], scenario)
    stopped = report.interrupted or report.broken is not None
    return frames, _Outcome(errors, stopped)


def _summary(rows: list[dict], scenario: Scenario) -> pd.DataFrame:
    """One row per seed; group columns missing in a seed (splinters) mean 0."""
    return summary_frame(rows, scenario.name, scenario_hash(scenario))
