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

import numpy as np
import pandas as pd
import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ddr_sim.config.calendar import month_index
from ddr_sim.config.experiment import (
    _nested_model,
    _unknown,
    apply_settings,
    expand_path,
)
from ddr_sim.config.loading import (
    Problem,
    ScenarioError,
    _message,
    _plain,
    _position,
    _short_repr,
    read_mapping,
)

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

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
_BY_DATE = re.compile(r"_(\d{4})_(\d{2})$")


class TargetsError(ScenarioError):
    """A targets file could not be loaded; ``problems`` lists every reason found."""

    what = "targets file"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlotSpec(_Strict):
    """Where a target is drawn on the cumulative-flow figure."""

    flow: str = Field(description="Cumulative flow (flows table) the value is drawn against.")
    date: str = Field(pattern=_MONTH.pattern, description="YYYY-MM month of the point.")
    label: str = Field(description="Legend text.")
    missed: bool = Field(False, description="A target the process missed (open marker).")


class Target(_Strict):
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
                if not _MONTH.match(v):
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


class FreeParameter(_Strict):
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


class CalibrationSettings(_Strict):
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


class TargetsFile(_Strict):
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


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    model: type[BaseModel] | None = TargetsFile
    for seg in loc:
        if model is None:
            return []
        if isinstance(seg, int):
            continue
        fields = model.model_fields
        if seg not in fields:
            return []
        model = _nested_model(fields[seg].annotation)
    return [] if model is None else list(model.model_fields)


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
        (file, line), _ = _position(doc, loc, source)
        problems.append(Problem(file, line, ".".join(str(s) for s in loc), message))

    try:
        spec = TargetsFile.model_validate(_plain(doc))
    except pydantic.ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            if err["type"] == "extra_forbidden":
                allowed = _allowed_keys(loc[:-1])
                add(loc, _unknown("key", loc[-1], allowed) if allowed else "unknown key")
            else:
                add(loc, _message(err, loc))
        raise TargetsError(problems) from None

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
            except ValueError as err:
                add(("free_parameters", i, "path"), str(err))
                continue
            for value in par.range:
                try:
                    apply_settings(scenario, [(p, value) for p in paths])
                except ScenarioError as err:
                    first = err.problems[0]
                    add(
                        ("free_parameters", i, "range"),
                        f"{par.path}={_short_repr(value)} is refused by the scenario: "
                        f"{first.path + ': ' if first.path else ''}{first.message}",
                    )
                    break
            resolved.append(ResolvedParameter(par, paths))
    if problems:
        raise TargetsError(problems)
    return LoadedTargets(source, text, spec, tuple(resolved))


def targets_file_for(scenario_path: str | os.PathLike[str]) -> Path | None:
    """The targets file of a scenario: ``<stem>.targets.yaml`` beside it or beside the
    scenario it ``extends`` (followed up the chain); None when there is none."""
    import yaml

    path = Path(scenario_path)
    for _ in range(20):
        candidate = path.with_name(f"{path.stem}.targets.yaml")
        if candidate.is_file():
            return candidate
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            return None
        parent = data.get("extends") if isinstance(data, dict) else None
        if not isinstance(parent, str):
            return None
        path = Path(os.path.normpath(path.parent / parent))
    return None


# --------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class Evaluation:
    """How a set of seeds lands on the targets.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per target: ``name``, ``pattern``, ``observed``, ``low``, ``high`` (as
        numbers), ``median``, ``p05``, ``p95``, ``median_met`` and ``share_met`` (share of
        seeds in the band), ``distance`` (of the median outside the band, in band scales).
    met : pandas.DataFrame
        Bool, one row per seed, one column per target.
    values : pandas.DataFrame
        The compared values, one row per seed, one column per target.
    """

    table: pd.DataFrame
    met: pd.DataFrame
    values: pd.DataFrame

    @property
    def joint_share(self) -> float:
        """Share of seeds meeting every band at once."""
        return float(self.met.all(axis=1).mean()) if len(self.met) else 0.0

    @property
    def all_medians_met(self) -> bool:
        return bool(self.table["median_met"].all())

    def distance(self, joint_weight: float = 2.0) -> float:
        """Sum of the medians' distances outside the bands plus ``joint_weight`` times the
        share of seeds that miss at least one band."""
        return float(self.table["distance"].sum() + joint_weight * (1.0 - self.joint_share))


def _scale(low: float, high: float, observed: float | None) -> float:
    """The unit of distance outside a band: its width, or a tenth of the value."""
    known = observed is not None and not math.isnan(observed)
    candidates = [high - low, abs(observed) * 0.1 if known else 0.0, 1.0]
    return max(candidates)


def evaluate(targets: list[Target], summary: pd.DataFrame, start: str) -> Evaluation:
    """Compare the summary rows of some seeds with the targets.

    Parameters
    ----------
    targets : list of Target
    summary : pandas.DataFrame
        One row per seed (:func:`ddr_sim.runs.indicators.summarize` columns; a missing column
        counts as missing values).
    start : str
        The scenario's ``calendar.start`` (month bands are converted with it).
    """
    rows = []
    met = {}
    values = {}
    for t in targets:
        low, high = t.bounds(start)
        column = summary[t.column] if t.column in summary else pd.Series(np.nan, summary.index)
        x = pd.to_numeric(column, errors="coerce").astype(float)
        ok = (x >= low) & (x <= high)
        median = float(x.median()) if x.notna().any() else math.nan
        observed = (
            float(month_index(t.observed, start)) if isinstance(t.observed, str) else t.observed
        )
        observed = math.nan if observed is None else observed
        if math.isnan(median):
            distance = 10.0
        else:
            outside = max(low - median, median - high, 0.0)
            distance = outside / _scale(low, high, observed)
        # a median over seeds where some have no value (NaN) is judged on the share too
        missing = float(x.isna().mean())
        rows.append(
            {
                "name": t.name,
                "pattern": t.pattern,
                "column": t.column,
                "observed": observed,
                "low": low,
                "high": high,
                "median": median,
                "p05": float(x.quantile(0.05)) if x.notna().any() else math.nan,
                "p95": float(x.quantile(0.95)) if x.notna().any() else math.nan,
                "median_met": bool(low <= median <= high) and missing < 0.5,
                "share_met": float(ok.mean()) if len(ok) else 0.0,
                "distance": distance + missing,
            }
        )
        met[t.name] = ok.to_numpy()
        values[t.name] = x.to_numpy()
    index = summary["seed"].to_numpy() if "seed" in summary else summary.index
    return Evaluation(
        table=pd.DataFrame(rows),
        met=pd.DataFrame(met, index=index),
        values=pd.DataFrame(values, index=index),
    )
