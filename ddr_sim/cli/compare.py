"""The ``compare`` command: policies against a baseline with common random numbers."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError, failed, os_error_text, say
from ddr_sim.cli.limits import SUMMARY_ROW_BYTES, check_jobs, check_seeds
from ddr_sim.cli.outputs import writable_dir
from ddr_sim.studies import compare as cmp
from ddr_sim.studies.compare_prepare import DEFAULT_HORIZON
from ddr_sim.studies.compare_report import ERRORS_FILE, REPORT_FILE, _cell, _label

#: Seeds of one comparison at most (every policy runs each of them).
MAX_SEEDS = 100_000

HELP = "compare policies against a baseline with common random numbers; report"

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
                       the interval contains 0; effect per dollar; a ranking (clear
                       gains first, clear losses last); for a policy without clear
                       effect, where it stopped: each exit option's offers, choices
                       and the gate that closed it (programme, consent, held back,
                       eligibility, places)
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


def register(commands: Any) -> None:
    """Add the ``compare`` command to ``ddr-sim``."""
    p = arg.add_command(commands, "compare", HELP, DESCRIPTION, EPILOG)
    p.add_argument(
        "inputs",
        nargs="+",
        type=arg.input_file,
        metavar="FILE",
        help="a policy file (YAML), or a baseline scenario file and variant scenario files",
    )
    arg.add_seeds(p, default=20, high=MAX_SEEDS)
    arg.add_out(p, Path("output") / "compare", "output directory (default output/compare)")
    arg.add_jobs(p)
    p.add_argument(
        "--scheduler",
        type=arg.scheduler_address,
        default=None,
        metavar="ADDRESS",
        help="run on a Dask cluster: its scheduler address, e.g. tcp://host:8786 "
        "(--jobs is then ignored)",
    )
    p.add_argument(
        "--baseline",
        type=arg.input_file,
        default=None,
        metavar="SCENARIO",
        help="baseline scenario file instead of the policy file's 'baseline'",
    )
    p.add_argument(
        "--horizon",
        type=arg.month,
        default=None,
        metavar="YYYY-MM",
        help=f"interim horizon (default: the policy file's, else {DEFAULT_HORIZON})",
    )
    arg.add_overrides(p, "override applied to the baseline and every policy (repeatable)")
    arg.add_no_plots(p)
    p.set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    from ddr_sim.runs.executors import ExecutorError, open_executor
    from ddr_sim.runs.runner import RUNS_FOLDER
    from ddr_sim.studies.compare_prepare import prepare_inputs

    t0 = time.perf_counter()
    prepared = prepare_inputs(args.inputs, args.baseline, args.horizon, args.overrides)
    n_variants = len(prepared.policies.spec.policies)
    check_seeds(args.seeds, SUMMARY_ROW_BYTES * (1 + n_variants))
    n_runs = args.seeds * (1 + n_variants)
    jobs = check_jobs(args.jobs, tasks=n_runs)
    writable_dir(args.out)
    where = f"the Dask cluster at {args.scheduler}" if args.scheduler else f"{jobs} worker(s)"
    kind = "variant file(s)" if prepared.sources else "policies"
    print(
        f"{n_variants} {kind} + baseline x {args.seeds} seeds = {n_runs} runs on {where}; "
        f"finished runs kept in {args.out / RUNS_FOLDER}",
        file=sys.stderr,
    )
    try:
        with open_executor(jobs, args.scheduler) as (executor, slots, _):
            result = cmp.compare(
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
        cmp.save(result, args.out, plots=not args.no_plots)
    except ExecutorError as err:
        raise CommandError(str(err), FAILURE) from None
    except OSError as err:
        raise CommandError(f"cannot save the comparison: {os_error_text(err)}", FAILURE) from None
    except Exception as err:
        return failed(err, args.out / ERRORS_FILE)
    return _report(result, args.out)


def _report(result: cmp.Comparison, out: Path) -> int:
    print(
        f"report: {out / REPORT_FILE} ({result.seconds:,.0f} s; {result.ran} runs "
        f"computed, {result.reused} found in {out / 'runs'})"
    )
    for _, row in result.ranking.iterrows():
        label = _label(result, row["policy"])
        print(f"  {row['rank']:>2}. {label:<55} net exits {_cell(row)}")
    if result.interrupted:
        print(
            "interrupted; the report covers the runs that finished: run the same command "
            "again to run only the missing ones",
            file=sys.stderr,
        )
        return 130
    if result.errors:
        say(f"{len(result.errors)} run(s) failed; see {out / ERRORS_FILE}")
        return FAILURE
    return 0
