"""The ``calibrate`` command: free behavioural parameters against observed patterns."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError, os_error_text
from ddr_sim.cli.limits import check_jobs
from ddr_sim.cli.outputs import writable_dir

#: Trials of one study at most (the sampler's time per trial grows with the trials).
MAX_BUDGET = 100_000

HELP = "calibrate free behavioural parameters against observed patterns (Optuna)"

DESCRIPTION = """\
Calibrate the free behavioural parameters of a scenario against observed patterns.

The targets file lists the patterns (summary column, observed value, acceptance band),
the free parameters with their prior ranges, and the seeds each trial runs. Trials are
drawn by Optuna (random start-up trials, then TPE) and run in parallel; a trial is
accepted when the median of every pattern over its seeds is inside the band. Run the same
command again to resume an interrupted or finished study up to a larger --budget."""

EPILOG = """\
outputs in --out:
  study.journal   the Optuna study (resume by running the same command again)
  trials.csv      every finished trial: parameters, distance, joint share, medians
  accepted.csv    the trials whose medians are all inside their bands
  best.yaml       the best point, as --set overrides and as a scenario fragment

example:
  ddr-sim calibrate scenarios/mali_2013_2023.yaml \\
      --targets scenarios/mali_2013_2023.targets.yaml --budget 200"""


def register(commands: Any) -> None:
    """Add the ``calibrate`` command to ``ddr-sim``."""
    p = arg.add_command(commands, "calibrate", HELP, DESCRIPTION, EPILOG)
    arg.add_scenario_and_targets(p)
    p.add_argument(
        "--budget",
        type=arg.bounded_int(MAX_BUDGET, "the sampler slows down as trials accumulate"),
        default=100,
        metavar="N",
        help="finished trials to reach, counting those of a resumed study (default 100)",
    )
    arg.add_out(p, None, "study folder (default output/calibration/<scenario name>)")
    arg.add_jobs(p, in_process=False)
    p.add_argument(
        "--start",
        type=arg.input_file,
        default=None,
        metavar="BEST_YAML",
        help="first trial of a new study: the best.yaml of an earlier study",
    )
    arg.add_overrides(p, "override of the scenario's fixed values (repeatable)")
    p.set_defaults(handler=_cmd_calibrate)


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from ddr_sim.studies.calibration import CalibrationError, best_row, calibrate

    out = args.out or Path("output") / "calibration" / Path(args.scenario).stem
    jobs = check_jobs(args.jobs)
    writable_dir(out, what="study folder")
    try:
        trials = calibrate(
            args.scenario,
            args.targets,
            out,
            budget=args.budget,
            jobs=jobs,
            overrides=args.overrides,
            command=args.command_line,
            start=args.start,
        )
    except CalibrationError as err:
        raise CommandError(str(err)) from None
    except OSError as err:
        raise CommandError(
            f"cannot write the study: {os_error_text(err)}; finished trials are in "
            f"{out}: run the same command again to resume",
            FAILURE,
        ) from None
    except KeyboardInterrupt:
        print(f"\ninterrupted; run the same command again to resume ({out})", file=sys.stderr)
        return 130
    best = best_row(trials)
    accepted = int(trials["accepted"].sum()) if len(trials) else 0
    print(f"{len(trials)} trials, {accepted} accepted; outputs in {out}")
    if best is not None:
        print(
            f"best: trial {int(best['trial'])}, distance {best['distance']:.3f}, "
            f"joint share {best['joint_share']:.2f} ({out / 'best.yaml'})"
        )
    return 0
