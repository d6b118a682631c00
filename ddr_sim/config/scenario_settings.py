"""Values set at dotted paths of a resolved scenario, and the scenario validated again.

Sweeps and calibration vary a scenario this way (:mod:`ddr_sim.config.experiment`,
:mod:`ddr_sim.config.targets`); the paths are those of :mod:`ddr_sim.config.paths`.
"""

from __future__ import annotations

import copy
from typing import Any

import pydantic

from ddr_sim.config.paths import PathError, assign
from ddr_sim.config.problems import Problem, ScenarioError, short_repr, validation_problems
from ddr_sim.config.scenario import Scenario, ScenarioConsistencyError

__all__ = ["apply_settings", "probe_values"]


def apply_settings(base: dict[str, Any], settings: Any) -> Scenario:
    """Validate a copy of the resolved ``base`` scenario with ``(path, value)`` settings.

    Raises
    ------
    ScenarioError
        The scenario refuses a value (the problems name the field paths).
    """
    doc = copy.deepcopy(base)
    try:
        for path, value in settings:
            assign(doc, path, value)
    except PathError as err:
        raise ScenarioError([Problem("<scenario>", None, "", str(err))]) from None
    try:
        return Scenario.model_validate(doc)
    except pydantic.ValidationError as exc:
        raise ScenarioError(validation_problems(exc, doc, "<scenario>", Scenario)) from None
    except ScenarioConsistencyError as exc:
        problems = [Problem("<scenario>", None, p, m) for p, m in exc.problems]
        raise ScenarioError(problems) from None


def probe_values(
    base: dict[str, Any], pattern: str, paths: tuple[str, ...], values: Any
) -> str | None:
    """Why the scenario refuses one of ``values`` at ``paths`` (None when it takes all)."""
    for value in values:
        try:
            apply_settings(base, [(p, value) for p in paths])
        except ScenarioError as err:
            first = err.problems[0]
            return (
                f"{pattern}={short_repr(value)} is refused by the scenario: "
                f"{first.path + ': ' if first.path else ''}{first.message}"
            )
    return None
