"""The ``report`` command: a validation report of a scenario against its targets."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError, os_error_text
from ddr_sim.cli.limits import check_jobs, check_seeds, seed_bytes
from ddr_sim.cli.outputs import writable_dir
from ddr_sim.config.loading import load_scenario

#: Seeds of one report at most (all seeds' tables are kept in memory until the end).
MAX_SEEDS = 100_000

HELP = "validation report: a scenario over many seeds against its targets"

DESCRIPTION = """\
Validation report: run a scenario for N seeds and compare it with its targets.

For each target of the targets file the report gives the observed value, the acceptance
band, the simulated median and 90 % interval, and the share of seeds in the band; then the
share of seeds that meet every band at once, and figures of the simulated trajectories
against the observed points and of trust and political progress with the timeline."""

EPILOG = """\
example:
  ddr-sim report scenarios/mali_2013_2023.yaml \\
      --targets scenarios/mali_2013_2023.targets.yaml --seeds 100 --out output/report"""


def register(commands: Any) -> None:
    """Add the ``report`` command to ``ddr-sim``."""
    p = arg.add_command(commands, "report", HELP, DESCRIPTION, EPILOG)
    arg.add_scenario_and_targets(p)
    arg.add_seeds(p, default=100, high=MAX_SEEDS)
    arg.add_out(p, None, "output directory (default output/report/<scenario name>)")
    arg.add_jobs(p)
    arg.add_overrides(p, "override of the scenario (repeatable)")
    p.set_defaults(handler=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from ddr_sim.studies.validation_report import report

    out = args.out or Path("output") / "report" / Path(args.scenario).stem
    check_seeds(args.seeds, seed_bytes(load_scenario(args.scenario, args.overrides)))
    jobs = check_jobs(args.jobs, tasks=args.seeds)
    writable_dir(out)
    try:
        rep = report(
            args.scenario,
            args.targets,
            seeds=args.seeds,
            out=out,
            jobs=jobs,
            overrides=args.overrides,
            command=args.command_line,
            progress=True,
        )
    except OSError as err:
        raise CommandError(f"cannot write the report: {os_error_text(err)}", FAILURE) from None
    except KeyboardInterrupt:
        print("\ninterrupted; nothing written", file=sys.stderr)
        return 130
    ev = rep.evaluation
    for r in ev.table.itertuples(index=False):
        mark = "ok  " if r.median_met else "MISS"
        print(
            f"{mark} {r.name:<28} median {r.median:>10.1f}  band [{r.low:g}, {r.high:g}]"
            f"  seeds in band {r.share_met:.0%}"
        )
    print(f"seeds meeting every band: {ev.joint_share:.0%}; report: {out / 'report.md'}")
    return 0
