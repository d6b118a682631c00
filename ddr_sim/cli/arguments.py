"""Argument types and options shared by the ``ddr-sim`` commands.

Every type refuses a bad value with a one-line reason, so argparse prints a usage error
(exit status 2) before anything starts. Upper limits say why they exist.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ddr_sim.config.calendar import parse_month

FORMAT = argparse.RawDescriptionHelpFormatter

#: Longest path accepted on the command line (Linux PATH_MAX).
MAX_PATH = 4096

#: Schemes of Dask scheduler addresses (``distributed.comm``).
DASK_SCHEMES = ("tcp", "tls", "ws", "wss", "inproc", "ucx")


def whole_number(text: str) -> int:
    """The integer written in ``text``, or an ``ArgumentTypeError`` saying what was expected."""
    try:
        return int(text)
    except ValueError:
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}") from None


def bounded_int(high: int, why: str, low: int = 1) -> Callable[[str], int]:
    """An argparse type: a whole number in ``[low, high]``; ``why`` explains the upper limit."""

    def parse(text: str) -> int:
        value = whole_number(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low:,}, got {value:,}")
        if value > high:
            raise argparse.ArgumentTypeError(f"must be at most {high:,} ({why}), got {value:,}")
        return value

    parse.__name__ = "whole number"  # argparse names the type in its messages
    return parse


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    value = whole_number(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value:,}")
    return value


def share(text: str) -> float:
    """An argparse type: a number in (0, 1]."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1], got {value}")
    return value


def month(text: str) -> str:
    """An argparse type: a ``YYYY-MM`` date."""
    try:
        parse_month(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def months(text: str) -> list[str]:
    """An argparse type: comma-separated ``YYYY-MM`` dates."""
    return [month(d.strip()) for d in text.split(",") if d.strip()]


def _checked_path(text: str) -> Path:
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty string")
    if "\0" in text:
        raise argparse.ArgumentTypeError("a path cannot contain a NUL byte")
    if len(os.fsencode(text)) > MAX_PATH:
        raise argparse.ArgumentTypeError(f"path longer than {MAX_PATH} bytes")
    return Path(text)


def output_path(text: str) -> Path:
    """An argparse type: where to write (checked for writing when the command starts)."""
    return _checked_path(text)


def input_file(text: str) -> str:
    """An argparse type: a file to read; a directory, device or fifo is refused here
    (a missing file is reported by the loader, with what it looked for)."""
    path = _checked_path(text)
    try:
        if path.exists() and path.is_dir():
            raise argparse.ArgumentTypeError(f"{text} is a directory, expected a file")
        if path.exists() and not path.is_file():
            raise argparse.ArgumentTypeError(
                f"{text} is not a regular file (a device, fifo or socket)"
            )
    except OSError as err:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {err.strerror or err}") from None
    return text


def input_dir(text: str) -> str:
    """An argparse type: an existing directory to read."""
    path = _checked_path(text)
    try:
        if not path.exists():
            raise argparse.ArgumentTypeError(f"{text} does not exist")
        if not path.is_dir():
            raise argparse.ArgumentTypeError(f"{text} is not a directory")
    except OSError as err:
        raise argparse.ArgumentTypeError(f"cannot read {text}: {err.strerror or err}") from None
    return text


def port(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    value = whole_number(text)
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a TCP port is 1 to 65535, got {value:,}")
    return value


def scheduler_address(text: str) -> str:
    """An argparse type: a Dask scheduler address ``SCHEME://HOST:PORT`` (``host:port``
    means ``tcp://host:port``)."""
    address = text if "://" in text else f"tcp://{text}"
    expected = "expected an address like tcp://host:8786"
    try:
        parts = urlsplit(address)
        given_port = parts.port
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"{err}; {expected}") from None
    if parts.scheme not in DASK_SCHEMES:
        raise argparse.ArgumentTypeError(
            f"unknown scheme {parts.scheme!r} in {text!r}; {expected} "
            f"(schemes: {', '.join(DASK_SCHEMES)})"
        )
    if parts.scheme != "inproc" and (not parts.hostname or given_port is None):
        raise argparse.ArgumentTypeError(f"{text!r} has no host and port; {expected}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or " " in text:
        raise argparse.ArgumentTypeError(f"{text!r} is not a scheduler address; {expected}")
    return address


# --------------------------------------------------------------------------------------------
# Options


def add_command(commands: Any, name: str, help: str, description: str, epilog: str) -> Any:
    """A subparser of ``ddr-sim`` with its help, description and examples."""
    return commands.add_parser(
        name, help=help, description=description, epilog=epilog, formatter_class=FORMAT
    )


def add_input(parser: Any, name: str, metavar: str, help: str, **kwargs: Any) -> None:
    """A positional input file ``name`` (checked by :func:`input_file`)."""
    parser.add_argument(name, type=input_file, metavar=metavar, help=help, **kwargs)


def add_seeds(parser: argparse.ArgumentParser, default: int, high: int) -> None:
    """``--seeds N``: run seeds 0..N-1 (``args.seeds``)."""
    parser.add_argument(
        "--seeds",
        type=bounded_int(high, "a larger study is a sweep: 'ddr-sim sweep' stores runs on disk"),
        default=default,
        metavar="N",
        help=f"run seeds 0..N-1 (default {default}; at most {high:,}, and as many as the "
        "memory available holds)",
    )


def add_out(parser: argparse.ArgumentParser, default: Path | None, help: str) -> None:
    """``--out DIR`` (``args.out``)."""
    parser.add_argument("--out", type=output_path, default=default, metavar="DIR", help=help)


def add_jobs(parser: Any, in_process: bool = True, default: int | None = None) -> None:
    """``--jobs J``: worker processes (``args.jobs``; ``default`` None means one per CPU).

    ``in_process``: the command runs the model in this process when J is 1.
    """
    if default is None:
        note = "default: the number of CPUs" + ("; 1 runs in this process" if in_process else "")
    else:
        note = f"default {default}" + (": in this process" if default == 1 and in_process else "")
    parser.add_argument(
        "--jobs",
        type=positive_int,
        default=default,
        metavar="J",
        help=f"worker processes ({note}; results do not depend on it)",
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


def add_no_plots(parser: argparse.ArgumentParser) -> None:
    """``--no-plots`` (``args.no_plots``)."""
    parser.add_argument("--no-plots", action="store_true", help="do not draw the figures")


def add_scenario_and_targets(parser: argparse.ArgumentParser) -> None:
    """``SCENARIO --targets FILE``: a scenario and the targets file it is checked against."""
    add_input(parser, "scenario", "SCENARIO", "scenario (YAML)")
    parser.add_argument(
        "--targets", type=input_file, required=True, metavar="FILE", help="targets file (YAML)"
    )
