"""The ``ddr-sim sweep`` and ``ddr-sim analyze`` commands.

The pieces live in :mod:`ddr_sim.config.experiment` (experiment files),
:mod:`ddr_sim.sweeps.designs` (design points and seeds), :mod:`ddr_sim.sweeps.coordinator`
(running on an executor), :mod:`ddr_sim.sweeps.store` (the sweep folder) and
:mod:`ddr_sim.studies.sweep_analysis` (analysis).

Exit codes of ``sweep``: 0 every run succeeded; 1 some runs failed (recorded, the sweep
finished), the executor broke or the pilot runs all failed; 2 the experiment or the
command line is invalid; 130 interrupted (what finished is saved; run the same command
again to resume). ``analyze``: 0 done; 1 nothing to analyse; 2 not a sweep folder or an
unknown name.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ddr_sim.cli.arguments import positive_int as _positive

DEFAULT_ROOT = Path("output") / "sweeps"
_FORMAT = argparse.RawDescriptionHelpFormatter

SWEEP_DESCRIPTION = """\
Run a parameter sweep described by an experiment file (YAML in experiments/): a base
scenario, the parameters to vary, a design (grid, lhs, sobol, morris), replications
(seeds per design point), the outcomes and series to keep. Prints the number of runs and
a time estimate from a short pilot, then runs with a progress bar (runs done, failed,
time left).

Results go to the output folder as runs finish: a run index (index/, status succeeded or
failed with the error, parameters, seed, duration), outcomes/ and series/ (Parquet, one
file per chunk), design.parquet and sweep.json. A run that raises is recorded as failed
and the sweep goes on. Stop it at any moment (Ctrl-C, or killed): running the same command
again runs only the runs not recorded yet.

Workers: a pool of local processes (--workers, default: one per core), or a Dask cluster
(--scheduler tcp://host:8786; start one with 'dask scheduler' and 'dask worker
tcp://host:8786 --nworkers N --nthreads 1' on each machine, ddr-sim installed on each,
or on SLURM with dask-jobqueue, see docs/SWEEPS.md). Results do not depend on the number
or kind of workers.
"""

SWEEP_EPILOG = """\
examples:
  ddr-sim sweep experiments/trust_vs_progress.yaml
  ddr-sim sweep experiments/sensitivity.yaml --workers 2 --out output/sweeps/sens
  ddr-sim sweep experiments/sensitivity.yaml --dry-run          # size and time estimate
  ddr-sim sweep experiments/sensitivity.yaml --scheduler tcp://10.0.0.5:8786
  ddr-sim analyze output/sweeps/trust_vs_progress

exit codes: 0 all runs succeeded; 1 some runs failed (see the index) or workers broke;
2 invalid experiment; 130 interrupted (run the same command to resume).
"""

ANALYZE_DESCRIPTION = """\
Analyse a sweep folder (it reads only the result tables, never the model); writes to
SWEEP_DIR/analysis (see docs/SWEEPS.md for every file):
  sobol / morris .csv .png   indices with 95 % intervals (SALib), with warnings, and
  *_convergence.csv .png     the indices against the sample size (sobol/morris designs)
  feature_scores.csv .png    extra-trees feature scores per outcome and class (any design)
  cart_<target>.png          a small CART tree per outcome and class; cart_leaves.csv
  prim_<class>.csv           sequential PRIM boxes (EMA Workbench) per class ('classes:'),
                             box k fitted on the runs outside boxes 1..k-1; regions of
                             several boxes or CART leaves in the report
  prim_<class>_box<k>_trajectory.png   peeling trajectory, chosen box circled
  parallel_ / scatter_matrix_ / scatter_ / stacking_<class>.png   runs by class
  heatmap_<x>_<y>_<what>.png .csv      an outcome's median or a class's share of runs,
                             PRIM boxes drawn ('heatmaps:' or defaults)
  trajectories.png, stall_onsets.png   monthly series by class, when stalls begin
  report.txt                 what is printed
"""

ANALYZE_EPILOG = """\
examples:
  ddr-sim analyze output/sweeps/trust_vs_progress
  ddr-sim analyze output/sweeps/sensitivity --outcome integrated_total --no-plots
  ddr-sim analyze output/sweeps/trust_vs_progress --prim-threshold 0.9 --out /tmp/a

Edit an experiment's classes or heatmaps and run 'ddr-sim sweep' again on the same
folder: nothing is re-run, the new definitions are stored, then analyze.
"""


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def register(commands: Any) -> None:
    """Add the ``sweep`` and ``analyze`` commands to ``ddr-sim``'s subparsers."""
    sweep = commands.add_parser(
        "sweep",
        help="run a parameter sweep (grid, Latin hypercube, Sobol, Morris) over many seeds",
        description=SWEEP_DESCRIPTION,
        epilog=SWEEP_EPILOG,
        formatter_class=_FORMAT,
    )
    sweep.add_argument("experiment", metavar="EXPERIMENT", help="experiment YAML file")
    where = sweep.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help=f"local worker processes (default: one per core, here {os.cpu_count() or 1})",
    )
    where.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: its scheduler address, e.g. tcp://host:8786",
    )
    sweep.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"sweep folder (default {DEFAULT_ROOT}/<experiment name>); an existing folder "
        "of the same experiment is resumed",
    )
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="print the number of runs and the pilot's time estimate, write nothing",
    )
    sweep.add_argument(
        "--retry-failed", action="store_true", help="run again the runs recorded as failed"
    )
    sweep.add_argument(
        "--allow-code-change",
        action="store_true",
        help="resume even though the model code changed since the sweep started",
    )
    sweep.add_argument(
        "--batch-size",
        type=_positive,
        default=None,
        metavar="N",
        help="runs per task sent to a worker (default: about 2 s of work)",
    )
    sweep.add_argument(
        "--chunk-size",
        type=_positive,
        default=500,
        metavar="N",
        help="runs per Parquet chunk of the result tables (default 500)",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")
    sweep.set_defaults(handler=_cmd_sweep)

    analyze = commands.add_parser(
        "analyze",
        help="sensitivity indices, scenario discovery (PRIM) and heatmaps of a sweep",
        description=ANALYZE_DESCRIPTION,
        epilog=ANALYZE_EPILOG,
        formatter_class=_FORMAT,
    )
    analyze.add_argument("sweep_dir", metavar="SWEEP_DIR", help="folder written by ddr-sim sweep")
    analyze.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to write (default SWEEP_DIR/analysis)",
    )
    analyze.add_argument(
        "--outcome",
        dest="outcomes",
        action="append",
        default=None,
        metavar="NAME",
        help="outcome for the indices (repeatable; default: every outcome of the sweep)",
    )
    analyze.add_argument(
        "--prim-threshold",
        type=_share,
        default=0.8,
        metavar="D",
        help="density a PRIM box should reach (default 0.8)",
    )
    analyze.add_argument(
        "--max-boxes", type=_positive, default=2, metavar="N", help="PRIM boxes per class"
    )
    analyze.add_argument(
        "--resamples",
        type=_positive,
        default=100,
        metavar="N",
        help="bootstrap resamples of the confidence intervals (default 100)",
    )
    analyze.add_argument(
        "--tree-depth",
        type=_positive,
        default=3,
        metavar="N",
        help="levels of the CART trees (default 3)",
    )
    analyze.add_argument(
        "--top",
        type=_positive,
        default=4,
        metavar="N",
        help="parameters in the scatter matrix, by feature score (default 4)",
    )
    analyze.add_argument("--no-plots", action="store_true", help="do not draw the figures")
    analyze.set_defaults(handler=_cmd_analyze)


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (kill, SLURM at walltime) like Ctrl-C: save what finished, exit 130."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from ddr_sim.config.experiment import load_experiment
    from ddr_sim.config.loading import ScenarioError
    from ddr_sim.sweeps.coordinator import dask_executor, local_executor, run_sweep

    try:
        experiment = load_experiment(args.experiment)
    except ScenarioError as err:
        from ddr_sim.cli.main import _print_problems

        _print_problems(err)
        return 2
    out = args.out if args.out is not None else DEFAULT_ROOT / experiment.name
    _stop_on_sigterm()
    command = args.command_line
    options = dict(
        batch_size=args.batch_size,
        chunk_size=args.chunk_size,
        retry_failed=args.retry_failed,
        allow_code_change=args.allow_code_change,
        dry_run=args.dry_run,
        progress=not args.quiet,
        command=command,
    )
    try:
        with contextlib.ExitStack() as stack:
            if args.scheduler:
                try:
                    executor, slots = stack.enter_context(dask_executor(args.scheduler))
                except ImportError:
                    print(
                        "error: --scheduler needs Dask: pip install 'ddr-sim[dask]'",
                        file=sys.stderr,
                    )
                    return 2
                except (OSError, TimeoutError) as err:
                    print(
                        f"error: cannot use the Dask scheduler at {args.scheduler}: {err}",
                        file=sys.stderr,
                    )
                    return 1
                where = f"Dask at {args.scheduler} ({slots} worker threads)"
            else:
                slots = args.workers or os.cpu_count() or 1
                executor = stack.enter_context(local_executor(slots))
                where = f"{slots} local worker process{'es' if slots > 1 else ''}"
            report = run_sweep(experiment, out, executor, slots, where=where, **options)
    except ScenarioError as err:
        from ddr_sim.cli.main import _print_problems

        _print_problems(err)
        return 2
    if args.dry_run:
        return 0
    for message in report.messages:
        print(f"error: {message}", file=sys.stderr)
    if report.ran or report.complete:
        steady = report.ran - report.pilot_runs
        rate = steady / report.run_seconds * 60 if report.run_seconds > 0 else 0
        print(
            f"{experiment.name}: {report.succeeded + report.failed:,} of {report.total:,} runs "
            f"recorded ({report.succeeded:,} succeeded, {report.failed:,} failed) in {out}"
            + (f"; this session ran {report.ran:,} ({rate:,.0f} runs/min)" if report.ran else "")
        )
    if report.interrupted:
        print(
            "interrupted; finished runs are saved: run the same command to resume", file=sys.stderr
        )
        return 130
    if report.broken:
        print(
            f"error: the workers broke ({report.broken}); finished runs are saved: run the "
            f"same command to resume (use --workers 1 to find a run that kills its worker)",
            file=sys.stderr,
        )
        return 1
    if report.failed:
        print(
            f"error: {report.failed:,} run(s) failed; their errors are in the run index "
            f"({out}/index/, column 'error'); 'ddr-sim sweep ... --retry-failed' runs them again",
            file=sys.stderr,
        )
        return 1
    if report.complete:
        print(f"next: ddr-sim analyze {out}")
    return 0 if report.complete else 1


def _cmd_analyze(args: argparse.Namespace) -> int:
    from ddr_sim.studies.sweep_analysis import AnalysisError, Settings, analyze

    settings = Settings(
        outcomes=args.outcomes,
        plots=not args.no_plots,
        prim_threshold=args.prim_threshold,
        max_boxes=args.max_boxes,
        num_resamples=args.resamples,
        tree_depth=args.tree_depth,
        top=args.top,
    )
    try:
        written = analyze(args.sweep_dir, out=args.out, settings=settings)
    except AnalysisError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1 if "no run succeeded" in str(err) else 2
    folder = Path(written["report"]).parent
    print(f"\nwrote {len(written)} files to {folder}")
    return 0
