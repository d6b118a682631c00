"""How the dashboard server is started: the app module, its scenario, its command line.

``ddr-sim dashboard`` runs :func:`server_command` with :func:`server_environment`; the
app reads the scenario from :data:`SCENARIO_ENV`
(:func:`ddr_sim.dashboard.model.default_scenario_path`).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_MODULE = "ddr_sim.dashboard.app"

#: The scenario the dashboard opens when none is given.
TEACHING_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "teaching.yaml"

#: Environment variable through which the command names the scenario to the app.
SCENARIO_ENV = "DDR_SIM_DASHBOARD_SCENARIO"


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
    """Environment of the server: the scenario file, no usage statistics sent."""
    env = dict(os.environ)
    env[SCENARIO_ENV] = os.fspath(Path(scenario).resolve())
    env.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")
    return env
