"""The ``levers`` command: the lever audit (:mod:`ddr_sim.studies.levers`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError, os_error_text
from ddr_sim.cli.limits import check_jobs
from ddr_sim.cli.outputs import writable_dir

#: Seeds of one audit at most (each lever keeps its runs' tables in memory).
MAX_SEEDS = 1_000

HELP = "lever audit: does each policy lever move the outcomes, as the model states?"

DESCRIPTION = """\
Lever audit: run the baseline scenario of a lever file and each lever (a small change
from it) on seeds 0..N-1 with common random numbers, and report for every lever the median
paired difference and 90 % interval of the headline indicators. Flags a lever that changes
nothing (every run bit-identical to the baseline: "dead") and a lever whose effect runs
wholly against the direction the model description states ("against").

Writes levers.csv and levers.md into --out; --doc also writes the page there (the
project's docs/LEVERS.md is regenerated with --doc docs/LEVERS.md).
Exit codes: 0 no dead lever and none against; 1 some lever is dead or against, or the
results could not be written; 2 invalid input; 130 interrupted."""

EPILOG = """\
example:
  ddr-sim levers experiments/levers.yaml --seeds 20 --doc docs/LEVERS.md"""


def register(commands: Any) -> None:
    """Add the ``levers`` command to ``ddr-sim``."""
    p = arg.add_command(commands, "levers", HELP, DESCRIPTION, EPILOG)
    arg.add_input(p, "levers", "LEVERS", "lever file (YAML), e.g. experiments/levers.yaml")
    arg.add_seeds(p, default=20, high=MAX_SEEDS)
    arg.add_out(p, Path("output") / "levers", "output folder (default output/levers)")
    p.add_argument(
        "--doc", type=arg.output_path, default=None, metavar="FILE", help="also write the page here"
    )
    p.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="NAME",
        help="audit only this lever (repeatable)",
    )
    arg.add_jobs(p)
    p.set_defaults(handler=_cmd_levers)


def _cmd_levers(args: argparse.Namespace) -> int:
    from ddr_sim.studies.levers import AGAINST, DEAD, audit
    from ddr_sim.studies.levers_page import save

    jobs = check_jobs(args.jobs, tasks=args.seeds)
    writable_dir(args.out)
    try:
        result = audit(
            args.levers,
            seeds=args.seeds,
            jobs=jobs,
            only=args.only,
            progress=lambda text: print(text, file=sys.stderr, flush=True),
        )
    except KeyboardInterrupt:
        print("\ninterrupted; nothing written", file=sys.stderr)
        return 130
    try:
        written = save(result, args.out, args.command_line, args.doc)
    except OSError as err:
        raise CommandError(f"cannot write the results: {os_error_text(err)}", FAILURE) from None
    for out in result.outcomes:
        print(f"{out.verdict:>10}  {out.lever.name}")
    print("written: " + ", ".join(str(p) for p in written))
    bad = [o for o in result.outcomes if o.verdict in (DEAD, AGAINST)]
    if bad:
        print(f"{len(bad)} lever(s) dead or against their stated direction", file=sys.stderr)
        return FAILURE
    return 0
