"""``ddr-sim dashboard``: serve the interactive dashboard (needs the ``viz`` extra).

The command checks the scenario file, makes sure the browser files of the page are at hand
(:mod:`ddr_sim.dashboard.assets`), then runs ``solara run ddr_sim.dashboard.app`` with the
scenario in an environment variable (:mod:`ddr_sim.dashboard.server`). Solara is imported only
by the app, so ``ddr-sim --help`` works without the extra.
"""

from __future__ import annotations

import argparse
import importlib.util
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

from ddr_sim.cli import arguments as arg
from ddr_sim.cli.errors import FAILURE, CommandError
from ddr_sim.config.loading import load_scenario
from ddr_sim.dashboard.server import TEACHING_SCENARIO, server_command, server_environment

HELP = "serve an interactive dashboard of a scenario in the browser"

DESCRIPTION = """\
Serve an interactive dashboard of a scenario in the browser (Mesa SolaraViz).

Sidebar: Reset, play/pause and Step; sliders for initial trust, political-progress rate,
gold income, army pay, reinsertion package, committee allowance, CVR budget, the earliest
accelerated-DDR launch, the mission's mandate end and the seed. Sliders set up the next
run: move them, then press Reset. Main area: running indicators (stall months,
defections...), people by status over time, trust and political progress with events,
and where people are (groups x regions by status share).

Needs the 'viz' extra: pip install -e '.[viz]'. Stop the server with Ctrl-C.
"""

EPILOG = """\
examples:
  ddr-sim dashboard                                   # the teaching scenario
  ddr-sim dashboard scenarios/mali_2013_2023.yaml
  ddr-sim dashboard --port 8600 --host 0.0.0.0        # reachable from other machines
"""


def register(commands: Any) -> None:
    """Add the ``dashboard`` command to ``ddr-sim``."""
    p = arg.add_command(commands, "dashboard", HELP, DESCRIPTION, EPILOG)
    help = "scenario (YAML; default scenarios/teaching.yaml)"
    arg.add_input(p, "scenario", "SCENARIO", help, nargs="?", default=None)
    p.add_argument("--port", type=arg.port, default=8765, metavar="N", help="port (default 8765)")
    p.add_argument(
        "--host", default="localhost", metavar="H", help="address to listen on (default localhost)"
    )
    p.add_argument("--open", action="store_true", help="open a browser window when ready")
    p.set_defaults(handler=run_dashboard)


def check_address(host: str, port: int) -> None:
    """Refuse an address the server could not listen on (unknown host, port in use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as err:
        raise CommandError(f"--host {host}: not an address of this machine ({err})") from None
    family, kind, proto, _, address = infos[0]
    try:
        with socket.socket(family, kind, proto) as probe:
            probe.bind(address)
    except OSError as err:
        raise CommandError(
            f"cannot listen on {host}:{port}: {err.strerror or err} (choose another --port)",
            FAILURE,
        ) from None


def run_dashboard(args: argparse.Namespace) -> int:
    """Handler of ``ddr-sim dashboard``: 0 after Ctrl-C, 1 without the viz extra,
    2 for an invalid scenario (raised as ``ScenarioError``)."""
    scenario = Path(args.scenario) if args.scenario else TEACHING_SCENARIO
    load_scenario(scenario)  # an invalid file stops here with every problem listed
    check_address(args.host, args.port)
    if importlib.util.find_spec("solara") is None:
        print(
            "error: the dashboard needs the 'viz' extra (Solara): pip install -e '.[viz]'",
            file=sys.stderr,
        )
        return 1
    from ddr_sim.dashboard.assets import ensure

    ensure()
    shown = "localhost" if args.host in ("127.0.0.1", "0.0.0.0", "::") else args.host
    print(f"dashboard of {scenario} at http://{shown}:{args.port} (Ctrl-C to stop)", flush=True)
    process = subprocess.Popen(
        server_command(args.host, args.port, args.open), env=server_environment(scenario)
    )
    previous = signal.signal(signal.SIGTERM, _interrupt)  # stop the server with us
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
