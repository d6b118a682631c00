"""``ddr-sim dashboard``: serve the interactive dashboard (needs the ``viz`` extra).

The command checks the scenario file, makes sure the browser files of the page are at hand
(:mod:`ddr_sim.dashboard.assets`), then runs ``solara run ddr_sim.dashboard.app`` with the
scenario in the ``DDR_SIM_DASHBOARD_SCENARIO`` environment variable. Solara is imported only
by the app, so ``ddr-sim --help`` works without the extra.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from ddr_sim.config.loading import load_scenario
from ddr_sim.dashboard.defaults import SCENARIO_ENV, TEACHING_SCENARIO

APP_MODULE = "ddr_sim.dashboard.app"

DESCRIPTION = """\
Serve an interactive dashboard of a scenario in the browser (Solara, on Mesa).

Left: Reset, Play/Pause and Step; sliders for the seed, initial trust, political-progress
rate, gold income, army pay, reinsertion package and its credibility, committee
allowance, CVR budget, the earliest accelerated-DDR launch and the mission's mandate end,
each with its value and a line of help. Sliders set up the next run: move them, then
press Reset. Tabs: Run (indicators, people by status, trust and progress with events, a
map or schematic of who holds each region, where each group's people are), Follow a
person (one combatant month by month) and Info (what the model is and what to try).

Needs the 'viz' extra: pip install -e '.[viz]'. Stop the server with Ctrl-C.
"""

EPILOG = """\
examples:
  ddr-sim dashboard                                   # the teaching scenario
  ddr-sim dashboard scenarios/mali_2013_2023.yaml
  ddr-sim dashboard --port 8600 --host 0.0.0.0        # reachable from other machines
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add the ``dashboard`` command to the ``ddr-sim`` parser."""
    p = commands.add_parser(
        "dashboard",
        help="serve an interactive dashboard of a scenario in the browser",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "scenario",
        metavar="SCENARIO",
        nargs="?",
        default=None,
        help="scenario YAML file (default scenarios/teaching.yaml)",
    )
    p.add_argument("--port", type=int, default=8765, metavar="N", help="port (default 8765)")
    p.add_argument(
        "--host", default="localhost", metavar="H", help="address to listen on (default localhost)"
    )
    p.add_argument("--open", action="store_true", help="open a browser window when ready")
    p.set_defaults(handler=run_dashboard)


def server_command(host: str, port: int, open_browser: bool = False) -> list[str]:
    """The ``solara run`` command line of the dashboard."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP_MODULE,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
    ]


def server_environment(scenario: str | os.PathLike[str]) -> dict[str, str]:
    """Environment of the server: the scenario file, no usage statistics sent, no banner."""
    env = dict(os.environ)
    env[SCENARIO_ENV] = os.fspath(Path(scenario).resolve())
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    env.setdefault("SOLARA_THEME_SHOW_BANNER", "false")  # it would cover the pictures
    return env


def run_dashboard(args: argparse.Namespace) -> int:
    """Handler of ``ddr-sim dashboard``: 0 after Ctrl-C, 1 without the viz extra,
    2 for an invalid scenario (raised as ``ScenarioError``)."""
    scenario = Path(args.scenario) if args.scenario else TEACHING_SCENARIO
    load_scenario(scenario)  # an invalid file stops here with every problem listed
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
