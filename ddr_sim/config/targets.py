"""Calibration targets: the record a historical scenario is checked against, and its priors.

A targets file (``scenarios/mali_2013_2023.targets.yaml``) is a YAML mapping with

``targets``
    The observed patterns. Each names the summary column it is compared with
    (:mod:`ddr_sim.runs.indicators`), the observed value and the date or window it applies to,
    an acceptance band ``[low, high]`` (inclusive) and the reason for that band. Bands of
    month columns (``final_boycott_month``) are written as ``YYYY-MM`` dates. A seed
    *meets* a target when its value lies in the band; a missing value (no boycott, no
    launch) never does. ``plot: {flow, date}`` draws the target on the cumulative-flow
    figure.
``free_parameters``
    The behavioural parameters calibration may move, each a dotted scenario path (as in
    ``--set``; ``*`` for every item of a list) with a prior range ``[low, high]``, an
    optional ``scale: log`` and the ``source`` of the range. Everything else in the
    scenario is fixed.
``calibration``
    Seeds per trial, the root seed and the number of space-filling start-up trials.

Every problem is reported as ``FILE:LINE: FIELD: MESSAGE`` like a scenario's.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic
from pydantic import Field, field_validator, model_validator

from ddr_sim.config.calendar import MONTH_PATTERN, is_month, month_index
from ddr_sim.config.documents import parse_yaml, plain
from ddr_sim.config.fields import NAME_PATTERN, Strict
from ddr_sim.config.paths import PathError, expand_path
from ddr_sim.config.problems import (
    Problem,
    ScenarioError,
    display_path,
    position,
    validation_problems,
)
from ddr_sim.config.reading import read_mapping, read_text
from ddr_sim.config.scenario_settings import probe_values
from ddr_sim.config.targets_evaluation import Evaluation, evaluate

__all__ = [
    "CalibrationSettings",
    "Evaluation",
    "FreeParameter",
    "Target",
    "TargetsError",
    "TargetsFile",
    "evaluate",
    "load_targets",
    "targets_file_for",
]

_NAME = NAME_PATTERN
_BY_DATE = re.compile(r"_(\d{4})_(\d{2})$")


class TargetsError(ScenarioError):
    """A targets file could not be loaded; ``problems`` lists every reason found."""

    what = "targets file"


class PlotSpec(Strict):
    """Where a target is drawn on the cumulative-flow figure."""

    flow: str = Field(description="Cumulative flow (flows table) the value is drawn against.")
    date: str = Field(pattern=MONTH_PATTERN, description="YYYY-MM month of the point.")
    label: str = Field(description="Legend text.")
    missed: bool = Field(False, description="A target the process missed (open marker).")


class Target(Strict):
    """One observed pattern with its acceptance band."""

    name: str = Field(pattern=_NAME, description="Short name (letters, digits, _).")
    pattern: str = Field(min_length=1, description="What the record says.")
    observed: float | str | None = Field(
        description="Observed value (a number or a YYYY-MM month); null when the record gives "
        'only words ("most stay"), which the band then states.'
    )
    when: str = Field(min_length=1, description="Date or window the value applies to.")
    column: str = Field(pattern=_NAME, description="Summary column compared with the band.")
    band: list[float | str] = Field(description="[low, high], inclusive.")
    reason: str = Field(min_length=1, description="Why this band.")
    source: str = Field("DOMAIN.md §5", description="Where the observed value comes from.")
    plot: PlotSpec | None = None

    @field_validator("band")
    @classmethod
    def _two_bounds(cls, value: list[float | str]) -> list[float | str]:
        if len(value) != 2:
            raise ValueError(f"expected [low, high], two values (got {len(value)})")
        kinds = {isinstance(v, str) for v in value}
        if len(kinds) != 1:
            raise ValueError("low and high must both be numbers or both be YYYY-MM months")
        if isinstance(value[0], str):
            for v in value:
                if not is_month(v):
                    raise ValueError(f"expected a YYYY-MM month (got {v!r})")
        elif not all(math.isfinite(v) for v in value):
            raise ValueError("low and high must be finite numbers")
        if value[0] > value[1]:
            raise ValueError(f"low must not exceed high (got [{value[0]}, {value[1]}])")
        return value

    @property
    def in_months(self) -> bool:
        """The band is written as months (the column holds month indices)."""
        return isinstance(self.band[0], str)

    def bounds(self, start: str) -> tuple[float, float]:
        """The band as numbers (month indices from ``start`` for month bands)."""
        if self.in_months:
            return float(month_index(self.band[0], start)), float(month_index(self.band[1], start))
        return float(self.band[0]), float(self.band[1])


class FreeParameter(Strict):
    """A behavioural parameter calibration may move, with its prior range."""

    path: str = Field(min_length=1, description="Dotted scenario path ('*' = every item).")
    name: str | None = Field(None, pattern=_NAME, description="Column name (default: last part).")
    range: list[float] = Field(description="Prior range [low, high].")
    scale: str = Field("linear", pattern="^(linear|log)$", description="linear or log.")
    source: str = Field(min_length=1, description="Where the prior range comes from.")

    @field_validator("range")
    @classmethod
    def _two_numbers(cls, value: list[float]) -> list[float]:
        if len(value) != 2:
            raise ValueError(f"expected [low, high], two numbers (got {len(value)})")
        if not all(math.isfinite(v) for v in value) or not value[0] < value[1]:
            raise ValueError(f"expected finite numbers with low < high (got {value})")
        return value

    @model_validator(mode="after")
    def _log_positive(self) -> FreeParameter:
        if self.scale == "log" and self.range[0] <= 0:
            raise ValueError(f"scale: log needs a positive range (low is {self.range[0]})")
        return self

    @property
    def label(self) -> str:
        return self.name or self.path.split(".")[-1]


class CalibrationSettings(Strict):
    """How each calibration trial is run."""

    seeds: int = Field(8, ge=1, description="Seeds per trial (common to every trial).")
    seed: int = Field(0, ge=0, description="First seed; trial seeds are seed..seed+seeds-1.")
    startup_trials: int = Field(
        16, ge=1, description="Trials sampled at random before the model-based search."
    )
    sampler_seed: int = Field(0, ge=0, description="Seed of the search's sampler.")
    joint_weight: float = Field(
        2.0, ge=0, description="Weight of the share of seeds missing a band in the distance."
    )


class TargetsFile(Strict):
    """A targets file: observed patterns, free parameters and calibration settings."""

    description: str = ""
    targets: list[Target] = Field(min_length=1)
    free_parameters: list[FreeParameter] = Field(default_factory=list)
    calibration: CalibrationSettings = Field(default_factory=CalibrationSettings)

    @field_validator("targets")
    @classmethod
    def _unique(cls, value: list[Target]) -> list[Target]:
        names = [t.name for t in value]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"target names repeat: {dup}")
        return value

    def checkpoints(self) -> list[str]:
        """``YYYY-MM`` dates the summary needs for the targets' ``_by_``/stock columns."""
        dates = set()
        for t in self.targets:
            found = _BY_DATE.search(t.column)
            if found:
                dates.add(f"{found.group(1)}-{found.group(2)}")
        return sorted(dates)


@dataclass(frozen=True)
class ResolvedParameter:
    """A free parameter with its concrete scenario paths."""

    spec: FreeParameter
    paths: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.spec.label

    def settings(self, value: float) -> list[tuple[str, float]]:
        return [(p, value) for p in self.paths]


@dataclass
class LoadedTargets:
    """A validated targets file; ``parameters`` resolved against a scenario when given."""

    source: str
    text: str
    spec: TargetsFile
    parameters: tuple[ResolvedParameter, ...] = ()

    @property
    def targets(self) -> list[Target]:
        return self.spec.targets


def load_targets(
    path: str | os.PathLike[str], scenario: dict[str, Any] | None = None
) -> LoadedTargets:
    """Load and validate a targets file.

    Parameters
    ----------
    path : str or path-like
        The targets YAML file.
    scenario : dict, optional
        A resolved scenario (``Scenario.model_dump(mode="json")``). When given, every free
        parameter's path is expanded against it and both ends of its prior range are
        checked to be accepted by the scenario.

    Raises
    ------
    TargetsError
        With every problem found, each naming file, line and field.
    """
    source = os.fspath(path)
    text, doc = read_mapping(Path(source), source, "targets file", "targets fields", TargetsError)
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        (file, line), _ = position(doc, loc, source)
        problems.append(Problem(file, line, display_path(doc, loc), message))

    try:
        spec = TargetsFile.model_validate(plain(doc))
    except pydantic.ValidationError as exc:
        raise TargetsError(validation_problems(exc, doc, source, TargetsFile)) from None

    resolved: list[ResolvedParameter] = []
    if scenario is not None:
        start = scenario["calendar"]["start"]
        months = int(scenario["calendar"]["months"])
        for i, t in enumerate(spec.targets):
            if t.in_months:
                for j, bound in enumerate(t.band):
                    if not 0 <= month_index(bound, start) < months:
                        add(("targets", i, "band", j), f"{bound} is outside the calendar")
        seen: dict[str, int] = {}
        for i, par in enumerate(spec.free_parameters):
            if par.label in seen:
                add(("free_parameters", i, "path"), f"name {par.label!r} repeats; give name:")
            seen.setdefault(par.label, i)
            try:
                paths = tuple(expand_path(scenario, par.path))
            except PathError as err:
                add(("free_parameters", i, "path"), str(err))
                continue
            refused = probe_values(scenario, par.path, paths, par.range)
            if refused:
                add(("free_parameters", i, "range"), refused)
            resolved.append(ResolvedParameter(par, paths))
    if problems:
        raise TargetsError(problems)
    return LoadedTargets(source, text, spec, tuple(resolved))


def targets_file_for(scenario_path: str | os.PathLike[str]) -> Path | None:
    """The targets file of a scenario: ``<stem>.targets.yaml`` beside it or beside the
    scenario it ``extends`` (followed up the chain); None when there is none."""
    path = Path(scenario_path)
    for _ in range(20):
        candidate = path.with_name(f"{path.stem}.targets.yaml")
        try:
            if candidate.is_file():
                return candidate
            data, _ = parse_yaml(read_text(path, str(path)), str(path))
        except (ScenarioError, OSError, ValueError):
            return None
        parent = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(parent, str):
            return None
        path = Path(os.path.normpath(path.parent / parent))
    return None
