"""The ``ddr-sim`` command line: run, validate and schema.

Exit codes: 0 success; 1 a run failed (a seed raised, or writing outputs failed; the
traceback is saved in the output directory); 2 the scenario or the command line is invalid;
130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import shlex
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from ddr_sim.cli.arguments import add_overrides
from ddr_sim.cli.arguments import positive_int as _positive
from ddr_sim.config.calendar import month_label, parse_month
from ddr_sim.config.loading import ScenarioError, export_json_schema, load_scenario, scenario_hash

DEFAULT_SCHEMA = Path("scenarios") / "scenario.schema.json"
DEFAULT_OUT_ROOT = Path("output")

_FORMAT = argparse.RawDescriptionHelpFormatter

MAIN_EPILOG = """\
examples:
  ddr-sim validate scenarios/teaching.yaml
  ddr-sim run scenarios/teaching.yaml --seeds 20 --out output/teaching
  ddr-sim run scenarios/teaching.yaml --set programmes.reinsertion.promoted=true
  ddr-sim schema

Run 'ddr-sim COMMAND --help' for the options of a command.
"""

RUN_DESCRIPTION = """\
Run a scenario for seeds 0..N-1 and save, in the output directory:
  counts.parquet        people by month, group, region and status (absent row = 0)
  series.parquet        model-level monthly series, programme flags, stall months
  group_series.parquet  trust, hedge, consent, boycott, fighting, lists per group
  flows.parquet         people entering each status per month (absent row = 0)
  summary.csv/.parquet  one row of indicators per seed
  events.csv, groups.csv, scenario.resolved.yaml, manifest.json
  status_counts.png, trust_progress.png, cumulative_vs_targets.png
and print the key indicators (median and 5-95 % range over seeds).
"""

RUN_EPILOG = """\
examples:
  ddr-sim run scenarios/teaching.yaml
  ddr-sim run scenarios/teaching.yaml --seeds 50 --out runs/teaching-50
  ddr-sim run scenarios/teaching.yaml --set behaviour.revision_rate=0.2 \\
      --set groups.Hills.initial_trust=0.6
"""

VALIDATE_DESCRIPTION = """\
Load and check a scenario file (with its 'extends:' parents and any --set overrides).
Prints OK with the scenario's name, hash, calendar and size, or every problem found as
FILE:LINE: FIELD: MESSAGE (exit code 2).
"""

VALIDATE_EPILOG = """\
examples:
  ddr-sim validate scenarios/teaching.yaml
  ddr-sim validate scenarios/teaching.yaml --set calendar.months=120
"""

SCHEMA_DESCRIPTION = """\
Write the JSON Schema of scenario files, for editor autocompletion and checking
(e.g. the YAML language server reads '# yaml-language-server: $schema=scenario.schema.json').
"""

SCHEMA_EPILOG = """\
examples:
  ddr-sim schema
  ddr-sim schema --out /tmp/scenario.schema.json
"""


def _version() -> str:
    from ddr_sim.runs.runner import package_version

    return package_version()


def _add_overrides(parser: argparse.ArgumentParser) -> None:
    add_overrides(
        parser,
        "override a scenario value, e.g. --set groups.Hills.armed=2000 (repeatable; "
        "the value is read as YAML)",
    )


def _dates(text: str) -> list[str]:
    dates = [d.strip() for d in text.split(",") if d.strip()]
    for date in dates:
        try:
            parse_month(date)
        except ValueError as err:
            raise argparse.ArgumentTypeError(str(err)) from None
    return dates


#: Modules that add a command: each has ``register(commands)``, which adds its subparser
#: (``commands.add_parser(...)``) and sets ``handler=function(args) -> exit code`` on it
#: with ``set_defaults``.
COMMAND_MODULES: tuple[str, ...] = (
    "ddr_sim.cli.sweep",
    "ddr_sim.studies.compare",
    "ddr_sim.studies.calibration",
    "ddr_sim.studies.validation_report",
    "ddr_sim.cli.dashboard",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ddr-sim`` and its commands."""
    parser = argparse.ArgumentParser(
        prog="ddr-sim",
        description="Agent-based simulator of disarmament, demobilization and reintegration "
        "(DDR) processes.",
        epilog=MAIN_EPILOG,
        formatter_class=_FORMAT,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = commands.add_parser(
        "run",
        help="run a scenario over seeds and save tables, summary and plots",
        description=RUN_DESCRIPTION,
        epilog=RUN_EPILOG,
        formatter_class=_FORMAT,
    )
    run.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    run.add_argument(
        "--seeds", type=_positive, default=1, metavar="N", help="run seeds 0..N-1 (default 1)"
    )
    run.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="DIR",
        help="output directory (default output/<scenario name>)",
    )
    run.add_argument(
        "--checkpoints",
        type=_dates,
        default=None,
        metavar="DATES",
        help="comma-separated YYYY-MM dates for the summary's checkpoint columns "
        "(default 2018-03,2018-11,2020-06,2020-12,2023-02; dates outside the calendar skipped)",
    )
    run.add_argument("--no-plots", action="store_true", help="do not draw the figures")
    _add_overrides(run)

    validate = commands.add_parser(
        "validate",
        help="check a scenario file and report every problem with file and line",
        description=VALIDATE_DESCRIPTION,
        epilog=VALIDATE_EPILOG,
        formatter_class=_FORMAT,
    )
    validate.add_argument("scenario", metavar="SCENARIO", help="scenario YAML file")
    _add_overrides(validate)

    schema = commands.add_parser(
        "schema",
        help="write the JSON Schema of scenario files",
        description=SCHEMA_DESCRIPTION,
        epilog=SCHEMA_EPILOG,
        formatter_class=_FORMAT,
    )
    schema.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_SCHEMA,
        metavar="PATH",
        help=f"output file (default {DEFAULT_SCHEMA})",
    )
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def _print_problems(err: ScenarioError) -> None:
    n = len(err.problems)
    print(f"invalid {err.what}: {n} problem{'s' if n != 1 else ''}", file=sys.stderr)
    for problem in err.problems:
        print(f"  {problem}", file=sys.stderr)


def _format_number(value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def indicator_text(summary) -> str:
    """The key indicators as a small text table (median and 5-95 % over seeds)."""
    from ddr_sim.runs.indicators import indicator_overview

    overview = indicator_overview(summary)
    if overview.empty:
        return "(no seed finished)"
    width = max(len(name) for name in overview.index)
    lines = [f"{'indicator':<{width}}  {'median':>10}  {'5%-95%':>21}  never"]
    for name, row in overview.iterrows():
        span = f"{_format_number(row['p05'])} - {_format_number(row['p95'])}"
        never = str(int(row["never"])) if row["never"] else ""
        lines.append(f"{name:<{width}}  {_format_number(row['median']):>10}  {span:>21}  {never}")
    return "\n".join(lines)


def _cmd_validate(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario, args.overrides)
    cal = scenario.calendar
    people = sum(g.armed + g.unarmed for g in scenario.groups)
    youth = sum(r.youth_pool for r in scenario.regions)
    print(f"OK {scenario.name}")
    print(f"  file      {args.scenario}")
    print(f"  hash      {scenario_hash(scenario)}")
    print(
        f"  calendar  {cal.start} to {month_label(cal.months - 1, cal.start)} ({cal.months} months)"
    )
    print(f"  groups    {len(scenario.groups)}: {', '.join(scenario.group_names())}")
    print(f"  regions   {len(scenario.regions)}: {', '.join(scenario.region_names())}")
    print(f"  people    {people:,} in groups at the start (+ {youth:,} in youth pools)")
    print(f"  events    {len(scenario.events)}")
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    try:
        export_json_schema(args.out)
    except OSError as err:
        print(f"error: cannot write {args.out}: {err.strerror or err}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}")
    return 0


def _cmd_run(args: argparse.Namespace, command_line: str) -> int:
    from ddr_sim.runs.runner import RUNS_FOLDER, TRACEBACK_FILE, run, write_text

    scenario = load_scenario(args.scenario, args.overrides)  # ScenarioError -> exit 2
    out = args.out if args.out is not None else DEFAULT_OUT_ROOT / scenario.name
    try:
        result = run(
            scenario,
            seeds=args.seeds,
            progress=True,
            checkpoints=args.checkpoints,
            store=out / RUNS_FOLDER,
        )
        result.source = os.fspath(args.scenario)
        result.overrides = list(args.overrides)
        result.save(out, command_line=command_line, plots=not args.no_plots)
    except ScenarioError:
        raise
    except Exception as err:
        out.mkdir(parents=True, exist_ok=True)
        saved = write_text(out / TRACEBACK_FILE, traceback.format_exc())
        print(f"error: {type(err).__name__}: {err} (traceback: {saved})", file=sys.stderr)
        return 1
    done = len(result.completed_seeds)
    print(f"{result.scenario.name}: {done} of {len(result.seeds)} seeds -> {out}")
    print(f"scenario hash {result.scenario_hash}")
    print(indicator_text(result.summary))
    if result.interrupted:
        print(
            f"interrupted; saved the {done} finished seeds (see {out / 'errors.txt'})",
            file=sys.stderr,
        )
        return 130
    if result.errors:
        failed = ", ".join(str(s) for s in sorted(result.errors))
        print(
            f"error: seed(s) {failed} failed; tracebacks in {out / 'errors.txt'}", file=sys.stderr
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ddr-sim``; returns the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 run failure, 2 invalid scenario or arguments, 130 interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help/--version exit 0, usage errors exit 2
        return int(exc.code or 0)
    args.command_line = shlex.join(["ddr-sim", *argv])  # as typed, for manifests and reports
    try:
        if getattr(args, "handler", None) is not None:
            return args.handler(args)
        if args.command == "validate":
            return _cmd_validate(args)
        if args.command == "schema":
            return _cmd_schema(args)
        return _cmd_run(args, args.command_line)
    except ScenarioError as err:
        _print_problems(err)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
