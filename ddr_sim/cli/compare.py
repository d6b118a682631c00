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

#: Seeds of one comparison at most (every policy runs each of them).
MAX_SEEDS = 100_000

HELP = "compare policies against a baseline with common random numbers; report"

DESCRIPTION = """\
Compare policies against a baseline scenario with common random numbers: the baseline and
every policy of POLICIES run for seeds 0..N-1, and each policy is compared with the
baseline seed by seed. Writes into DIR:
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

POLICIES is a YAML file: 'baseline' (scenario path relative to the file), optional
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
  ddr-sim compare experiments/recommendations.yaml --horizon 2018-11 \\
      --set behaviour.revision_rate=0.2 --out output/compare-revision
"""


def register(commands: Any) -> None:
    """Add the ``compare`` command to ``ddr-sim``."""
    p = arg.add_command(commands, "compare", HELP, DESCRIPTION, EPILOG)
    arg.add_input(p, "policies", "POLICIES", "policy file (YAML)")
    arg.add_seeds(p, default=20, high=MAX_SEEDS)
    arg.add_out(p, Path("output") / "compare", "output directory (default output/compare)")
    arg.add_jobs(p)
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
        help=f"interim horizon (default: the policy file's, else {cmp.DEFAULT_HORIZON})",
    )
    arg.add_overrides(p, "override applied to the baseline and every policy (repeatable)")
    arg.add_no_plots(p)
    p.set_defaults(handler=_cmd_compare)


def _cmd_compare(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    prepared = cmp.prepare(args.policies, args.baseline, args.horizon, args.overrides)
    n_policies = len(prepared.policies.spec.policies)
    check_seeds(args.seeds, SUMMARY_ROW_BYTES * (1 + n_policies))
    n_runs = args.seeds * (1 + n_policies)
    jobs = check_jobs(args.jobs, tasks=n_runs)
    writable_dir(args.out)
    print(
        f"{n_policies} policies + baseline x {args.seeds} seeds "
        f"= {n_runs} runs on {jobs} worker{'s' if jobs != 1 else ''}",
        file=sys.stderr,
    )
    try:
        result = _compare(args, prepared, jobs)
        result.command_line = args.command_line
        result.seconds = time.perf_counter() - t0  # validation and worker start-up included
        cmp.save(result, args.out, plots=not args.no_plots)
    except OSError as err:
        raise CommandError(f"cannot save the comparison: {os_error_text(err)}", FAILURE) from None
    except Exception as err:
        return failed(err, args.out / cmp.ERRORS_FILE)
    return _report(result, args.out)


def _compare(args: argparse.Namespace, prepared: cmp.Prepared, jobs: int) -> cmp.Comparison:
    options = dict(progress=True, prepared=prepared)
    if jobs == 1:
        return cmp.compare(args.policies, args.seeds, jobs=1, **options)
    with cmp.process_pool(jobs) as pool:
        return cmp.compare(args.policies, args.seeds, executor=pool, jobs=jobs, **options)


def _report(result: cmp.Comparison, out: Path) -> int:
    print(f"report: {out / cmp.REPORT_FILE} ({result.seconds:,.0f} s)")
    for _, row in result.ranking.iterrows():
        label = cmp._label(result, row["policy"])
        print(f"  {row['rank']:>2}. {label:<55} net exits {cmp._cell(row)}")
    if result.interrupted:
        print("interrupted; the report covers the runs that finished", file=sys.stderr)
        return 130
    if result.errors:
        say(f"{len(result.errors)} run(s) failed; see {out / cmp.ERRORS_FILE}")
        return FAILURE
    return 0
