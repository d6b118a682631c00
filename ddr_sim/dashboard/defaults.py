"""Which scenario the dashboard opens, and the one place it reads a model's scenario.

The command line (``ddr-sim dashboard``) names the scenario file to the app through
:data:`~ddr_sim.dashboard.server.SCENARIO_ENV`; without it the dashboard opens the
teaching scenario.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ddr_sim.dashboard.server import SCENARIO_ENV, TEACHING_SCENARIO

if TYPE_CHECKING:
    from ddr_sim.config.scenario import Scenario
    from ddr_sim.core.model import DDRModel


def default_scenario_path() -> str:
    """The scenario named by :data:`SCENARIO_ENV`, else the teaching scenario."""
    return os.environ.get(SCENARIO_ENV) or os.fspath(TEACHING_SCENARIO)


def spec(model: DDRModel) -> Scenario:
    """The validated scenario a model runs (every dashboard read goes through here)."""
    return model.spec
