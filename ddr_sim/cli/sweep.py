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
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError, os_error_text
from ddr_sim.cli.limits import check_jobs, check_runs
from ddr_sim.cli.outputs import writable_dir

DEFAULT_ROOT = Path("output") / "sweeps"

#: Runs per task and per Parquet chunk at most (a chunk is held in memory until written).
MAX_BATCH = 10_000
MAX_CHUNK = 100_000

#: Bootstrap resamples and PRIM boxes at most (the analysis time grows with them).
MAX_RESAMPLES = 10_000
MAX_BOXES = 20

SWEEP_HELP = "run a parameter sweep (grid, Latin hypercube, Sobol, Morris) over many seeds"

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

Workers: a pool of local processes (--jobs, default: one per core), or a Dask cluster
(--scheduler tcp://host:8786; start one with 'dask scheduler' and 'dask worker
tcp://host:8786 --nworkers N --nthreads 1' on each machine, ddr-sim installed on each,
or on SLURM with dask-jobqueue, see docs/SWEEPS.md). Results do not depend on the number
or kind of workers.
"""

SWEEP_EPILOG = """\
examples:
  ddr-sim sweep experiments/trust_vs_progress.yaml
  ddr-sim sweep experiments/sensitivity.yaml --jobs 2 --out output/sweeps/sens
  ddr-sim sweep experiments/sensitivity.yaml --dry-run          # size and time estimate
  ddr-sim sweep experiments/sensitivity.yaml --scheduler tcp://10.0.0.5:8786
  ddr-sim analyze output/sweeps/trust_vs_progress

exit codes: 0 all runs succeeded; 1 some runs failed (see the index) or workers broke;
2 invalid experiment; 130 interrupted (run the same command to resume).
"""

ANALYZE_HELP = "sensitivity indices, scenario discovery (PRIM) and heatmaps of a sweep"

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


def register(commands: Any) -> None:
    """Add the ``sweep`` and ``analyze`` commands to ``ddr-sim``."""
    sweep = arg.add_command(commands, "sweep", SWEEP_HELP, SWEEP_DESCRIPTION, SWEEP_EPILOG)
    arg.add_input(sweep, "experiment", "EXPERIMENT", "experiment file (YAML)")
    where = sweep.add_mutually_exclusive_group()
    arg.add_jobs(where, in_process=False)
    where.add_argument("--workers", type=arg.positive_int, dest="jobs", help=argparse.SUPPRESS)
    where.add_argument(
        "--scheduler",
        type=arg.scheduler_address,
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: its scheduler address, e.g. tcp://host:8786",
    )
    arg.add_out(
        sweep,
        None,
        f"sweep folder (default {DEFAULT_ROOT}/<experiment name>); an existing folder "
        "of the same experiment is resumed",
    )
    flags = {
        "--dry-run": "print the number of runs and the pilot's time estimate, write nothing",
        "--retry-failed": "run again the runs recorded as failed",
        "--allow-code-change": "resume even though the model code changed since the sweep started",
        "--quiet": "no progress bar",
    }
    for flag, text in flags.items():
        sweep.add_argument(flag, action="store_true", help=text)
    sweep.add_argument(
        "--batch-size",
        type=arg.bounded_int(MAX_BATCH, "a task should take seconds, not hours"),
        default=None,
        metavar="N",
        help="runs per task sent to a worker (default: about 2 s of work)",
    )
    sweep.add_argument(
        "--chunk-size",
        type=arg.bounded_int(MAX_CHUNK, "a chunk is held in memory until it is written"),
        default=500,
        metavar="N",
        help="runs per Parquet chunk of the result tables (default 500)",
    )
    sweep.set_defaults(handler=_cmd_sweep)
    _register_analyze(commands)


def _register_analyze(commands: Any) -> None:
    analyze = arg.add_command(
        commands, "analyze", ANALYZE_HELP, ANALYZE_DESCRIPTION, ANALYZE_EPILOG
    )
    analyze.add_argument(
        "sweep_dir", type=arg.input_dir, metavar="SWEEP_DIR", help="folder written by ddr-sim sweep"
    )
    arg.add_out(analyze, None, "where to write (default SWEEP_DIR/analysis)")
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
        type=arg.share,
        default=0.8,
        metavar="D",
        help="density a PRIM box should reach (default 0.8)",
    )
    analyze.add_argument(
        "--max-boxes",
        type=arg.bounded_int(MAX_BOXES, "each box is a slower, less supported search"),
        default=2,
        metavar="N",
        help="PRIM boxes per class",
    )
    analyze.add_argument(
        "--resamples",
        type=arg.bounded_int(MAX_RESAMPLES, "the intervals stop changing long before"),
        default=100,
        metavar="N",
        help="bootstrap resamples of the confidence intervals (default 100)",
    )
    analyze.add_argument(
        "--tree-depth",
        type=arg.bounded_int(8, "a deeper tree is no longer read at a glance"),
        default=3,
        metavar="N",
        help="levels of the CART trees (default 3)",
    )
    analyze.add_argument(
        "--top",
        type=arg.bounded_int(10, "a larger scatter matrix is unreadable"),
        default=4,
        metavar="N",
        help="parameters in the scatter matrix, by feature score (default 4)",
    )
    arg.add_no_plots(analyze)
    analyze.set_defaults(handler=_cmd_analyze)


def _stop_on_sigterm() -> None:
    """Treat SIGTERM (kill, SLURM at walltime) like Ctrl-C: save what finished, exit 130."""

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from ddr_sim.config.experiment import load_experiment
    from ddr_sim.sweeps.coordinator import run_sweep
    from ddr_sim.sweeps.designs import design_size

    experiment = load_experiment(args.experiment)  # ScenarioError -> exit 2
    spec = experiment.spec
    points = design_size(experiment.parameters, spec.design)
    check_runs(points * spec.replications, f"{points:,} points x {spec.replications:,} seeds")
    out = args.out if args.out is not None else DEFAULT_ROOT / experiment.name
    check_manifest(out)
    if not args.dry_run:
        writable_dir(out, what="sweep folder")
    _stop_on_sigterm()
    options = dict(
        batch_size=args.batch_size,
        chunk_size=args.chunk_size,
        retry_failed=args.retry_failed,
        allow_code_change=args.allow_code_change,
        dry_run=args.dry_run,
        progress=not args.quiet,
        command=args.command_line,
    )
    try:
        with contextlib.ExitStack() as stack:
            executor, slots, where = _executor(args, stack)
            report = run_sweep(experiment, out, executor, slots, where=where, **options)
    except OSError as err:
        raise CommandError(
            f"cannot write the sweep: {os_error_text(err)}; finished runs are saved: run the "
            "same command again to resume",
            FAILURE,
        ) from None
    except _damaged_errors() as err:
        raise CommandError(
            f"{out} holds a damaged result file: {_first_line(err)}", FAILURE
        ) from None
    if args.dry_run:
        return 0
    return _sweep_status(report, experiment.name, out)


def _executor(args: argparse.Namespace, stack: contextlib.ExitStack) -> tuple[Any, int, str]:
    """The executor of the sweep, its slots and a description, entered on ``stack``."""
    from ddr_sim.sweeps.coordinator import dask_executor, local_executor

    if not args.scheduler:
        slots = check_jobs(args.jobs)
        executor = stack.enter_context(local_executor(slots))
        return executor, slots, f"{slots} local worker process{'es' if slots > 1 else ''}"
    print(f"connecting to the Dask scheduler at {args.scheduler} (up to 60 s)", file=sys.stderr)
    try:
        executor, slots = stack.enter_context(dask_executor(args.scheduler, timeout=60.0))
    except ImportError:
        raise CommandError("--scheduler needs Dask: pip install 'ddr-sim[dask]'") from None
    except (OSError, TimeoutError, ValueError) as err:
        raise CommandError(
            f"cannot use the Dask scheduler at {args.scheduler}: {_first_line(err)}", FAILURE
        ) from None
    return executor, slots, f"Dask at {args.scheduler} ({slots} worker threads)"


def _sweep_status(report: Any, name: str, out: Path) -> int:
    """Print what the sweep did; its exit status."""
    for message in report.messages:
        print(f"error: {message}", file=sys.stderr)
    if report.ran or report.complete:
        steady = report.ran - report.pilot_runs
        rate = steady / report.run_seconds * 60 if report.run_seconds > 0 else 0
        print(
            f"{name}: {report.succeeded + report.failed:,} of {report.total:,} runs "
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
            f"same command to resume (use --jobs 1 to find a run that kills its worker)",
            file=sys.stderr,
        )
        return FAILURE
    if report.failed:
        print(
            f"error: {report.failed:,} run(s) failed; their errors are in the run index "
            f"({out}/index/, column 'error'); 'ddr-sim sweep ... --retry-failed' runs them again",
            file=sys.stderr,
        )
        return FAILURE
    if report.complete:
        print(f"next: ddr-sim analyze {out}")
    return 0 if report.complete else FAILURE


def check_manifest(folder: Path) -> None:
    """Refuse a sweep folder whose ``sweep.json`` is not a readable JSON object (a missing
    one is left to the command: a new sweep, or "not a sweep folder")."""
    from ddr_sim.sweeps.store import MANIFEST

    path = Path(folder) / MANIFEST
    if not path.is_file():
        return
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        found = f"unreadable ({_first_line(err)})"
    else:
        if isinstance(data, dict):
            return
        found = f"a JSON {type(data).__name__}, not the sweep's description"
    raise CommandError(
        f"{path} is damaged: {found}; the sweep cannot be resumed or analysed (move the "
        "folder aside and run the sweep again)",
        FAILURE,
    )


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:300] if text else type(err).__name__


def _damaged_errors() -> tuple[type[BaseException], ...]:
    """Errors of reading a damaged stored result (JSON or Parquet); an ``except`` clause
    evaluates this only when an error arrives, so pyarrow is imported only then."""
    import pyarrow

    return (json.JSONDecodeError, pyarrow.ArrowException, UnicodeDecodeError)


def _cmd_analyze(args: argparse.Namespace) -> int:
    from ddr_sim.studies.sweep_analysis import AnalysisError, Settings, analyze

    check_manifest(args.sweep_dir)
    if args.out is not None:
        writable_dir(args.out, what="analysis folder")
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
        raise CommandError(str(err), 1 if "no run succeeded" in str(err) else 2) from None
    except _damaged_errors() as err:
        raise CommandError(
            f"{args.sweep_dir} holds a damaged result file: {_first_line(err)}", FAILURE
        ) from None
    except OSError as err:
        raise CommandError(f"cannot write the analysis: {os_error_text(err)}", FAILURE) from None
    folder = Path(written["report"]).parent
    print(f"\nwrote {len(written)} files to {folder}")
    return 0
