"""The ``ddr-sim levers`` command: the lever audit (:mod:`ddr_sim.studies.levers`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ddr_sim.cli.arguments import add_jobs, positive_int
from ddr_sim.config.loading import ScenarioError

DESCRIPTION = """\
Lever audit: run the baseline scenario of a lever file and each lever (a small change
from it) on seeds 0..N-1 with common random numbers, and report for every lever the median
paired difference and 90 % interval of the headline indicators. Flags a lever that changes
nothing (every run bit-identical to the baseline: "dead") and a lever whose effect runs
against the direction the model description states ("against").

Writes levers.csv and levers.md into --out; --doc also writes the page there (the
project's docs/LEVERS.md is regenerated with --doc docs/LEVERS.md).
Exit codes: 0 no dead lever and none against; 1 some lever is dead or against;
2 invalid input; 130 interrupted."""

EPILOG = """\
example:
  ddr-sim levers experiments/levers.yaml --seeds 20 --doc docs/LEVERS.md"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``levers`` command."""
    p = commands.add_parser(
        "levers",
        help="lever audit: does each policy lever move the outcomes, as the model states?",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "levers", metavar="LEVERS", help="lever file (YAML), e.g. experiments/levers.yaml"
    )
    p.add_argument(
        "--seeds", type=positive_int, default=20, metavar="N", help="seeds 0..N-1 (default 20)"
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("output") / "levers",
        metavar="DIR",
        help="output folder (default output/levers)",
    )
    p.add_argument(
        "--doc", type=Path, default=None, metavar="FILE", help="also write the page here"
    )
    p.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="NAME",
        help="audit only this lever (repeatable)",
    )
    add_jobs(p)
    p.set_defaults(handler=_cmd_levers)


def _cmd_levers(args: argparse.Namespace) -> int:
    from ddr_sim.studies.levers import AGAINST, DEAD, audit
    from ddr_sim.studies.levers_page import save

    try:
        result = audit(
            args.levers,
            seeds=args.seeds,
            jobs=args.jobs or os.cpu_count() or 1,
            only=args.only,
            progress=lambda text: print(text, file=sys.stderr, flush=True),
        )
    except ScenarioError as err:
        print(f"invalid {err.what}: {len(err.problems)} problem(s)", file=sys.stderr)
        for problem in err.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted; nothing written", file=sys.stderr)
        return 130
    try:
        written = save(result, args.out, args.command_line, args.doc)
    except OSError as err:
        print(f"ddr-sim levers: cannot write the results: {err}", file=sys.stderr)
        return 1
    bad = [o for o in result.outcomes if o.verdict in (DEAD, AGAINST)]
    for out in result.outcomes:
        print(f"{out.verdict:>10}  {out.lever.name}")
    print("written: " + ", ".join(str(p) for p in written))
    if bad:
        print(f"{len(bad)} lever(s) dead or against their stated direction", file=sys.stderr)
        return 1
    return 0
