"""The ``run``, ``validate`` and ``schema`` commands: one scenario file.

Exit statuses of ``run``: 0 success; 1 a seed failed or the outputs could not be written
(the traceback is saved in the output folder when it can be); 2 the scenario or the
command line is invalid; 130 interrupted (the finished seeds are saved).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError, failed, os_error_text, say
from ddr_sim.cli.limits import check_jobs, check_seeds, seed_bytes
from ddr_sim.cli.outputs import writable_dir, writable_file
from ddr_sim.config.calendar import month_label
from ddr_sim.config.loading import export_json_schema, load_scenario, scenario_hash

DEFAULT_SCHEMA = Path("scenarios") / "scenario.schema.json"
DEFAULT_OUT_ROOT = Path("output")

#: Seeds of one ``run`` at most (all seeds' tables are kept in memory until the end).
MAX_SEEDS = 100_000

#: Disk space the tables of one seed take, per byte of the memory estimate
#: (:func:`~ddr_sim.cli.limits.seed_bytes`): about 52 kB against 147 kB on teaching.
DISK_PER_MEMORY = 0.4

RUN_HELP = "run a scenario over seeds and save tables, summary and plots"

RUN_DESCRIPTION = """\
Run a scenario for seeds 0..N-1 and save, in the output directory:
  counts.parquet          people by month, group, region and status (absent row = 0)
  series.parquet          model-level monthly series, programme flags, stall clock
  group_series.parquet    trust, hedge, consent, boycott, fighting, lists per group
  flows.parquet           people entering each status per month (absent row = 0)
  summary.csv             headline indicators, one row per seed (dates as YYYY-MM)
  summary_breakdowns.csv  per group / region / coalition / year / date, long table
  summary.parquet         every indicator column, one row per seed
  indicators.csv/.md      the table printed below (columns explained in docs/OUTPUTS.md)
  events.csv, groups.csv, scenario.resolved.yaml, manifest.json
  status_counts.png, trust_progress.png, cumulative_vs_targets.png
and print the headline indicators (median and 5-95 % range over seeds). A defection is
"rejoined": an integrated person who rejoined their group.

Before the first run the command checks that the output folder can be written and that
the seeds' tables fit in memory; the results do not depend on --jobs.
"""

RUN_EPILOG = """\
examples:
  ddr-sim run scenarios/teaching.yaml
  ddr-sim run scenarios/teaching.yaml --seeds 50 --jobs 2 --out runs/teaching-50
  ddr-sim run scenarios/teaching.yaml --set behaviour.revision_rate=0.2 \\
      --set groups.Hills.initial_trust=0.6

exit codes: 0 done; 1 a seed failed or the outputs could not be written; 2 invalid
scenario or arguments; 130 interrupted (the finished seeds are saved).
"""

VALIDATE_HELP = "check a scenario file and report every problem with file and line"

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

SCHEMA_HELP = "write the JSON Schema of scenario files"

SCHEMA_DESCRIPTION = """\
Write the JSON Schema of scenario files, for editor autocompletion and checking
(e.g. the YAML language server reads '# yaml-language-server: $schema=scenario.schema.json').
"""

SCHEMA_EPILOG = """\
examples:
  ddr-sim schema
  ddr-sim schema --out /tmp/scenario.schema.json
"""

_SET_HELP = (
    "override a scenario value, e.g. --set groups.Hills.armed=2000 (repeatable; "
    "the value is read as YAML)"
)


def register(commands: Any) -> None:
    """Add the ``run``, ``validate`` and ``schema`` commands to ``ddr-sim``."""
    run = arg.add_command(commands, "run", RUN_HELP, RUN_DESCRIPTION, RUN_EPILOG)
    arg.add_input(run, "scenario", "SCENARIO", "scenario (YAML)")
    arg.add_seeds(run, default=1, high=MAX_SEEDS)
    arg.add_out(run, None, "output directory (default output/<scenario name>)")
    arg.add_jobs(run, default=1)
    run.add_argument(
        "--checkpoints",
        type=arg.months,
        default=None,
        metavar="DATES",
        help="comma-separated YYYY-MM dates for the summary's checkpoint columns "
        "(default 2018-03,2018-11,2020-06,2020-12,2023-02; dates outside the calendar skipped)",
    )
    arg.add_no_plots(run)
    run.add_argument(
        "--xlsx",
        action="store_true",
        help="also write summary.xlsx (headline, breakdowns, indicators, codebook; "
        "needs openpyxl: pip install 'ddr-sim[xlsx]')",
    )
    arg.add_overrides(run, _SET_HELP)
    run.set_defaults(handler=_cmd_run)

    validate = arg.add_command(
        commands, "validate", VALIDATE_HELP, VALIDATE_DESCRIPTION, VALIDATE_EPILOG
    )
    arg.add_input(validate, "scenario", "SCENARIO", "scenario (YAML)")
    arg.add_overrides(validate, _SET_HELP)
    validate.set_defaults(handler=_cmd_validate)

    schema = arg.add_command(commands, "schema", SCHEMA_HELP, SCHEMA_DESCRIPTION, SCHEMA_EPILOG)
    schema.add_argument(
        "--out",
        type=arg.output_path,
        default=DEFAULT_SCHEMA,
        metavar="PATH",
        help=f"output file (default {DEFAULT_SCHEMA})",
    )
    schema.set_defaults(handler=_cmd_schema)


def indicator_text(summary) -> str:
    """The headline indicators as a text table (median and 5-95 % over seeds)."""
    from ddr_sim.runs.summary_files import console_text, indicator_table

    return console_text(indicator_table(summary))


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
    writable_file(args.out, "schema file")
    try:
        export_json_schema(args.out)
    except OSError as err:
        raise CommandError(f"cannot write {args.out}: {os_error_text(err)}", FAILURE) from None
    print(f"wrote {args.out}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from ddr_sim.runs.runner import RUNS_FOLDER, TRACEBACK_FILE, run
    from ddr_sim.studies.run_figures import draw_run_figures, remove_run_figures

    scenario = load_scenario(args.scenario, args.overrides)  # ScenarioError -> exit 2
    if args.xlsx:
        from ddr_sim.runs.summary_files import workbook_unavailable

        if missing := workbook_unavailable():
            raise CommandError(missing, 2)
    check_seeds(args.seeds, seed_bytes(scenario))
    jobs = check_jobs(args.jobs, tasks=args.seeds)
    out = args.out if args.out is not None else DEFAULT_OUT_ROOT / scenario.name
    writable_dir(out, need=int(args.seeds * seed_bytes(scenario) * DISK_PER_MEMORY))
    try:
        result = run(
            scenario,
            seeds=args.seeds,
            progress=True,
            checkpoints=args.checkpoints,
            jobs=jobs,
            store=out / RUNS_FOLDER,
        )
        result.source = os.fspath(args.scenario)
        result.overrides = list(args.overrides)
        figures = remove_run_figures if args.no_plots else draw_run_figures
        result.save(out, command_line=args.command_line, figures=figures, xlsx=args.xlsx)
    except OSError as err:
        raise CommandError(f"cannot save the run: {os_error_text(err)}", FAILURE) from None
    except Exception as err:
        return failed(err, out / TRACEBACK_FILE)
    return _report_run(result, out)


def _report_run(result: Any, out: Path) -> int:
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
        say(f"seed(s) {failed} failed; tracebacks in {out / 'errors.txt'}")
        return FAILURE
    return 0
