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
``report.md`` (:mod:`ddr_sim.studies.compare_report`), ``differences.csv`` (policy, seed,
horizon, measure, indicator, baseline, policy value, difference), ``summaries.parquet``
(every run's summary row, with its policy), ``headline.parquet`` (every run's headline
monthly series, :mod:`ddr_sim.runs.headline`), ``policies.resolved.yaml`` (every
variant's overrides or file, the combination included), ``differences_<horizon>.png``
and ``differences_end.png`` (one panel per indicator, median and 90 % interval per
variant), ``over_time_<variant>.png`` (the variant against the baseline month by month,
median and 90 % band), ``errors.txt`` when a run failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.cli.arguments import add_jobs, add_overrides
from ddr_sim.cli.arguments import positive_int as _positive
from ddr_sim.config.calendar import parse_month
from ddr_sim.config.loading import ScenarioError
from ddr_sim.config.policies import BASELINE
from ddr_sim.runs.executors import ExecutorError, InProcessExecutor, open_executor
from ddr_sim.runs.store import RunStore, folder_or_temporary
from ddr_sim.studies.compare_output import _text, save
from ddr_sim.studies.compare_prepare import (
    DEFAULT_HORIZON,
    Prepared,
    prepare,
    prepare_files,
    prepare_inputs,
)
from ddr_sim.studies.compare_report import ERRORS_FILE, REPORT_FILE, _cell, _label, report
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
    started = datetime.now(UTC).isoformat(timespec="seconds")
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


# --------------------------------------------------------------------------------------------
# Command line

DESCRIPTION = """\
Compare policies against a baseline scenario with common random numbers: the baseline and
every policy of a policy file (or every variant scenario file) run for seeds 0..N-1, and
each is compared with the baseline seed by seed. FILE is either one policy file, or the
baseline scenario file followed by variant scenario files (each may 'extends:' the
baseline; each variant is named after its file). Writes into DIR:
  report.md            per policy and per horizon (an interim date, default 2020-12, and
                       the end of the run): the change in cumulative integrated and
                       reinserted, stall months, defections (at the end: in the final
                       year, the collapse), clashes and programme cost, as the median
                       paired difference with its 90 % interval over seeds, noted when
                       the interval contains 0; effect per dollar; a ranking
  differences.csv      policy, seed, horizon, indicator, baseline, policy value, difference
  summaries.parquet    the summary row of every run (column 'policy')
  policies.resolved.yaml  every policy's overrides, the computed combination included
  differences_*.png    one panel per indicator: median and 90 % interval per policy
  over_time_*.png      each policy against the baseline month by month (integrated,
                       in MOC, defections, trust): median and 90 % band over seeds
  headline.parquet     those monthly series for every run
  runs/                every finished run, as it finished: run the same command again
                       after an interruption and only the missing runs run

A policy file is YAML: 'baseline' (scenario path relative to the file), optional
'horizon', and 'policies', each with 'name', 'title', 'stands_for' (the real-world choice)
and 'set' (dotted.path: value overrides, as with 'ddr-sim run --set') or 'combine_best: N'
(the N best other policies together, by median change in net exits). Every policy is
validated before any run; an invalid one is reported with its name and field (exit 2).
Exit codes: 0 done; 1 some runs failed (the report says which); 2 invalid input;
130 interrupted (the report covers the runs that finished).
"""

EPILOG = """\
examples:
  ddr-sim compare experiments/recommendations.yaml --seeds 20 --out output/compare
  ddr-sim compare experiments/recommendations.yaml --seeds 5 --jobs 1 --out /tmp/quick
  ddr-sim compare scenarios/mali_2013_2023.yaml my_variant.yaml --seeds 20 --out output/mine
  ddr-sim compare experiments/recommendations.yaml --horizon 2018-11 \\
      --set behaviour.revision_rate=0.2 --out output/compare-revision
"""


def _month(text: str) -> str:
    try:
        parse_month(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``compare`` command to the ``ddr-sim`` command line."""
    p = commands.add_parser(
        "compare",
        help="compare policies against a baseline with common random numbers; report",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "inputs",
        nargs="+",
        metavar="FILE",
        help="a policy file (YAML), or a baseline scenario file and variant scenario files",
    )
    p.add_argument(
        "--seeds", type=_positive, default=20, metavar="N", help="run seeds 0..N-1 (default 20)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("output") / "compare",
        metavar="DIR",
        help="output directory (default output/compare)",
    )
    add_jobs(p)
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: its scheduler address, e.g. tcp://host:8786 "
        "(--jobs is then ignored)",
    )
    p.add_argument(
        "--baseline",
        default=None,
        metavar="SCENARIO",
        help="baseline scenario file instead of the policy file's 'baseline'",
    )
    p.add_argument(
        "--horizon",
        type=_month,
        default=None,
        metavar="YYYY-MM",
        help=f"interim horizon (default: the policy file's, else {DEFAULT_HORIZON})",
    )
    add_overrides(p, "override applied to the baseline and every policy (repeatable)")
    p.add_argument("--no-plots", action="store_true", help="do not draw the figures")
    p.set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    prepared = prepare_inputs(args.inputs, args.baseline, args.horizon, args.overrides)
    n_variants = len(prepared.policies.spec.policies)
    n_runs = args.seeds * (1 + n_variants)
    jobs = min(args.jobs or os.cpu_count() or 1, n_runs)
    where = f"the Dask cluster at {args.scheduler}" if args.scheduler else f"{jobs} worker(s)"
    what = "variant file" if prepared.sources else "polic"
    plural = (
        ("s" if prepared.sources else "ies")
        if n_variants != 1
        else ("" if prepared.sources else "y")
    )
    print(
        f"{n_variants} {what}{plural} + baseline x {args.seeds} seeds = {n_runs} runs on {where}; "
        f"finished runs kept in {args.out / RUNS_FOLDER}",
        file=sys.stderr,
    )
    try:
        with open_executor(jobs, args.scheduler) as (executor, slots, _):
            result = compare(
                args.inputs,
                args.seeds,
                executor=executor,
                slots=slots,
                jobs=jobs,
                store=args.out / RUNS_FOLDER,
                progress=True,
                prepared=prepared,
            )
        result.command_line = args.command_line
        result.seconds = time.perf_counter() - t0  # validation and worker start-up included
        save(result, args.out, plots=not args.no_plots)
    except (ScenarioError, KeyboardInterrupt):
        raise
    except ExecutorError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Exception as err:
        args.out.mkdir(parents=True, exist_ok=True)
        _text(args.out / ERRORS_FILE, traceback.format_exc())
        print(
            f"error: {type(err).__name__}: {err} (traceback: {args.out / ERRORS_FILE})",
            file=sys.stderr,
        )
        return 1
    return _summary_lines(result, args.out)


def _summary_lines(result: Comparison, out: Path) -> int:
    print(
        f"report: {out / REPORT_FILE} ({result.seconds:,.0f} s; {result.ran} runs computed, "
        f"{result.reused} found in {out / RUNS_FOLDER})"
    )
    for _, row in result.ranking.iterrows():
        print(f"  {row['rank']:>2}. {_label(result, row['policy']):<55} net exits {_cell(row)}")
    if result.interrupted:
        print(
            "interrupted; the report covers the runs that finished: run the same command "
            "again to run only the missing ones",
            file=sys.stderr,
        )
        return 130
    if result.errors:
        print(
            f"error: {len(result.errors)} run(s) failed; see {out / ERRORS_FILE}",
            file=sys.stderr,
        )
        return 1
    return 0
