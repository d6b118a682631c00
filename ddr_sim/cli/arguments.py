"""Argument types shared by the ``ddr-sim`` commands."""

from __future__ import annotations

import argparse


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def add_jobs(parser: argparse.ArgumentParser, one_in_process: bool = True) -> None:
    """``--jobs J``: worker processes (``args.jobs``, None when not given)."""
    note = "; 1 runs in this process" if one_in_process else ""
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=None,
        metavar="J",
        help=f"worker processes (default: the number of CPUs{note})",
    )


def add_overrides(parser: argparse.ArgumentParser, help_text: str) -> None:
    """``--set KEY=VALUE`` (repeatable): scenario overrides in ``args.overrides``."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=help_text,
    )


def add_scenario_and_targets(parser: argparse.ArgumentParser) -> None:
    """``SCENARIO --targets FILE``: a scenario and the targets file it is checked against."""
    parser.add_argument("scenario", metavar="SCENARIO", help="scenario file (YAML)")
    parser.add_argument("--targets", required=True, metavar="FILE", help="targets file (YAML)")
