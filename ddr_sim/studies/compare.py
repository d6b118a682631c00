"""Comparison: what would each policy or variant scenario have changed, with uncertainty?

``ddr-sim compare POLICIES --seeds N --out DIR`` runs a baseline scenario and every policy
of a policy file (:mod:`ddr_sim.config.policies`: ``set:`` overrides on the baseline, or
``combine_best: N``, the N best other policies together) for the same seeds 0..N-1;
``ddr-sim compare BASE.yaml VARIANT.yaml [MORE.yaml ...]`` does the same with whole
scenario files, the first being the baseline (a variant may ``extends:`` it). Either way
the report gives, per variant, the change against the baseline at two horizons (an interim
date, default 2020-12, and the end of the run).

Common random numbers
---------------------
A run is a pure function of ``(scenario, seed)``, so the baseline and every variant run
with the same seeds and each is compared with the baseline seed by seed (paired
differences, :mod:`ddr_sim.studies.compare_stats`). A variant identical to the baseline
gives exactly zero in every seed. A lever changes the draws that follow it, so pairing
removes the noise the runs share (the same world up to the first change), not all of it.

Runs
----
Every run goes through the run engine (:mod:`ddr_sim.runs.engine`) into ``DIR/runs``, as
it finishes. Running the same command again after an interruption (Ctrl-C, a kill) runs
only the runs missing there; a run is identified by its scenario and seed, so editing one
policy re-runs that policy alone.

Outputs (``DIR``)
-----------------
``report.md`` (:mod:`ddr_sim.studies.compare_report`; for a policy without a clear effect,
where its effect stopped, from the gate counts of the exit options,
:mod:`ddr_sim.studies.compare_why`), ``differences.csv`` (policy, seed,
horizon, measure, indicator, baseline, policy value, difference), ``summaries.parquet``
(every run's summary row, with its policy), ``headline.parquet`` (every run's headline
monthly series, :mod:`ddr_sim.runs.headline`), ``policies.resolved.yaml`` (every
variant's overrides or file, the combination included), ``differences_<horizon>.png``
and ``differences_end.png`` (one panel per indicator, median and 90 % interval per
variant), ``over_time_<variant>.png`` (the variant against the baseline month by month,
median and 90 % band), ``errors.txt`` when a run failed.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ddr_sim.config.policies import BASELINE
from ddr_sim.runs.executors import InProcessExecutor
from ddr_sim.runs.provenance import utc_now
from ddr_sim.runs.store import RunStore, folder_or_temporary
from ddr_sim.studies.compare_output import save
from ddr_sim.studies.compare_prepare import (
    Prepared,
    prepare,
    prepare_files,
    prepare_inputs,
)
from ddr_sim.studies.compare_report import report
from ddr_sim.studies.compare_runs import Session, run_all, seed_list
from ddr_sim.studies.compare_stats import (
    END,
    MEASURES,
    RANKING,
    contains_zero,
    differences,
    interval,
    net_exits,
    ranking,
    stats,
    summaries_table,
)

__all__ = [
    "BASELINE",
    "END",
    "MEASURES",
    "RANKING",
    "Comparison",
    "Prepared",
    "compare",
    "contains_zero",
    "interval",
    "net_exits",
    "prepare",
    "prepare_files",
    "prepare_inputs",
    "report",
    "save",
]

#: Summary checkpoints every comparison run records (the horizon is added).
CHECKPOINTS: tuple[str, ...] = ("2018-03", "2018-11", "2020-06", "2020-12", "2023-02")
#: Folder of finished runs inside the output directory.
RUNS_FOLDER = "runs"


@dataclass
class Comparison:
    """Everything a comparison produced (see :func:`compare`)."""

    prepared: Prepared
    seeds: list[int]
    summaries: pd.DataFrame
    differences: pd.DataFrame
    stats: pd.DataFrame
    ranking: pd.DataFrame
    combined: dict[str, dict[str, Any]]
    errors: dict[tuple[str, int], str]
    interrupted: bool
    seconds: float
    jobs: int
    started: str
    command_line: str | None = None
    run_seconds: float = 0.0
    headline: pd.DataFrame = field(default_factory=pd.DataFrame)
    ran: int = 0
    reused: int = 0
    store: str = ""


def compare(
    source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    seeds: int | Iterable[int] = 20,
    *,
    executor: Executor | None = None,
    slots: int | None = None,
    jobs: int = 1,
    store: str | os.PathLike[str] | None = None,
    baseline: str | os.PathLike[str] | None = None,
    horizon: str | None = None,
    shared_overrides: Sequence[str] = (),
    progress: bool = False,
    prepared: Prepared | None = None,
    echo: Callable[[str], None] | None = None,
) -> Comparison:
    """Run the baseline and every variant for the same seeds and compare them pairwise.

    Parameters
    ----------
    source : path or sequence of paths
        A policy file, or a baseline scenario file followed by variant scenario files.
    seeds : int or iterable of int
        ``N`` runs seeds ``0..N-1``; a list runs exactly those.
    executor : concurrent.futures.Executor, optional
        Where the runs go (:mod:`ddr_sim.runs.executors`; None: in this process).
    slots : int, optional
        Runs the executor computes at once (default ``jobs``).
    jobs : int
        Recorded in the report (the executor's worker count).
    store : path, optional
        Folder of finished runs to resume from and write to (default: a temporary one).
    baseline, horizon, shared_overrides
        See :func:`ddr_sim.studies.compare_prepare.prepare_inputs`.
    progress : bool
        Show a progress bar over the runs.
    prepared : Prepared, optional
        The validated scenarios, when already prepared.
    echo : callable, optional
        Receives the engine's messages (runs reused, damaged chunks).

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        A file of the wrong kind, or an invalid policy file, baseline or variant.
    """
    t0 = time.perf_counter()
    started = utc_now("seconds")
    if prepared is None:
        inputs = [source] if isinstance(source, str | os.PathLike) else list(source)
        prepared = prepare_inputs(inputs, baseline, horizon, shared_overrides)
    # combinations are added to these as they are built: keep the caller's object as it was
    prepared = dataclasses.replace(
        prepared, scenarios=dict(prepared.scenarios), overrides=dict(prepared.overrides)
    )
    seeds_ = seed_list(seeds)
    checkpoints = tuple(sorted(set(CHECKPOINTS) | {h for h in prepared.horizons if h != END}))
    with folder_or_temporary(store) as folder:
        session = Session(
            prepared,
            seeds_,
            checkpoints,
            RunStore(folder),
            executor or InProcessExecutor(),
            slots or jobs,
            progress,
            echo,
        )
        combined = run_all(session)
        result = _result(session, combined, jobs)
    result.seconds = time.perf_counter() - t0
    result.started = started
    result.store = os.fspath(folder) if store is not None else "a temporary folder"
    return result


def _result(session: Session, combined: dict[str, dict[str, Any]], jobs: int) -> Comparison:
    """The tables and statistics of a comparison whose runs are in the session's store."""
    prepared = session.prepared
    rows, errors, run_seconds = session.rows()
    order = [BASELINE] + [
        p.name for p in prepared.policies.spec.policies if p.name in prepared.scenarios
    ]
    summaries_ = summaries_table(rows)
    diffs = differences(summaries_, prepared.horizons, prepared.final_year, order)
    return Comparison(
        prepared=prepared,
        seeds=session.seeds,
        summaries=summaries_,
        differences=diffs,
        stats=stats(diffs),
        ranking=ranking(summaries_, [n for n in order if n != BASELINE]),
        combined=combined,
        errors=errors,
        interrupted=session.stopped,
        seconds=0.0,
        jobs=jobs,
        started="",
        run_seconds=run_seconds,
        headline=session.headline(order),
        ran=sum(r.ran for r in session.reports),
        reused=sum(r.reused for r in session.reports),
    )
