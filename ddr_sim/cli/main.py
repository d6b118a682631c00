"""The ``ddr-sim`` command line: the parser of every command and how failures end.

Each command lives in a module of this package with a ``register(commands)`` function
that adds its subparser and sets ``handler=function(args) -> exit status`` on it. Nothing
else in the package imports this layer.

Exit statuses: 0 success; 1 a failure while working (a run failed, an output could not be
written, the machine cannot hold the request); 2 bad input (the command line or a file);
130 interrupted. No failure prints a traceback: an error nobody foresaw is named in one
line and its traceback saved to a file.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shlex
import sys
from collections.abc import Sequence

from ddr_sim.cli.arguments import FORMAT
from ddr_sim.cli.errors import FAILURE, CommandError, os_error_text, print_problems, say, unexpected
from ddr_sim.config.loading import ScenarioError

MAIN_EPILOG = """\
examples:
  ddr-sim validate scenarios/teaching.yaml
  ddr-sim run scenarios/teaching.yaml --seeds 20 --out output/teaching
  ddr-sim run scenarios/teaching.yaml --set programmes.reinsertion.promoted=true
  ddr-sim schema

Run 'ddr-sim COMMAND --help' for the options of a command. Every command that runs the
model takes --jobs J (worker processes). Exit codes: 0 done; 1 a failure while working;
2 bad input; 130 interrupted.
"""

#: Modules that add commands, in the order of ``ddr-sim --help``.
COMMAND_MODULES: tuple[str, ...] = (
    "ddr_sim.cli.scenario",
    "ddr_sim.cli.sweep",
    "ddr_sim.cli.compare",
    "ddr_sim.cli.calibrate",
    "ddr_sim.cli.report",
    "ddr_sim.cli.dashboard",
    "ddr_sim.cli.levers",
)


class _Version(argparse.Action):
    """``--version``: looks the version up only when asked (the lookup loads the model)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        from ddr_sim.runs.runner import package_version

        print(f"{parser.prog} {package_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``ddr-sim`` and its commands."""
    parser = argparse.ArgumentParser(
        prog="ddr-sim",
        description="Agent-based simulator of disarmament, demobilization and reintegration "
        "(DDR) processes.",
        epilog=MAIN_EPILOG,
        formatter_class=FORMAT,
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(commands)
    return parser


def _parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace | int:
    try:
        return parser.parse_args(argv)
    except SystemExit as exc:  # --help/--version exit 0, usage errors exit 2
        return exc.code if isinstance(exc.code, int) else 2


def handle(args: argparse.Namespace) -> int:
    """Run the command's handler; every failure becomes a message and an exit status."""
    try:
        return args.handler(args)
    except ScenarioError as err:
        print_problems(err)
        return 2
    except CommandError as err:
        say(str(err))
        return err.status
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as err:
        say(os_error_text(err))
        return FAILURE
    except MemoryError:
        say("out of memory: ask for fewer seeds, runs or jobs")
        return FAILURE
    except Exception as err:
        return unexpected(err)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ddr-sim``; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name (default ``sys.argv[1:]``).

    Returns
    -------
    int
        0 success, 1 failure while working, 2 invalid input or arguments, 130 interrupted.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(build_parser(), argv)
    if isinstance(args, int):
        return args
    args.command_line = shlex.join(["ddr-sim", *argv])  # as typed, for manifests and reports
    return handle(args)


if __name__ == "__main__":
    sys.exit(main())
