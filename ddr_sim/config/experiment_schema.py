"""The schema of experiment files: parameters, designs, kept series, classes, heatmaps.

See :mod:`ddr_sim.config.experiment` for the file format and how a file is resolved
against its base scenario.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ddr_sim.config.calendar import is_month
from ddr_sim.config.fields import NAME_PATTERN, Strict
from ddr_sim.config.problems import kind, unknown
from ddr_sim.config.recordables import SERIES_VARIABLES

__all__ = [
    "ANALYSIS_ONLY_FIELDS",
    "RESERVED_COLUMNS",
    "Design",
    "Experiment",
    "Heatmap",
    "OutcomeClass",
    "Parameter",
    "Series",
    "parse_condition",
]

#: Columns of the result tables that parameters may not be named after.
RESERVED_COLUMNS = frozenset(
    {
        "run_id",
        "point",
        "replication",
        "seed",
        "status",
        "error",
        "traceback",
        "duration_s",
        "worker",
        "finished",
        "chunk",
        "month",
        "date",
    }
)

#: Fields that change no result table: a sweep may be resumed after editing them.
ANALYSIS_ONLY_FIELDS = ("description", "classes", "heatmaps")

_NAME = NAME_PATTERN
_CONDITION = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">")


def is_number(value: Any) -> bool:
    """A number that is not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_condition(text: str, outcome: str = "") -> tuple[str, float | str]:
    """Read ``'>= 800'`` into ``('>=', 800.0)``; the value may name another outcome.

    Raises
    ------
    ValueError
        The text is not ``OP VALUE``.
    """
    match = _CONDITION.match(text)
    if not match:
        raise ValueError(
            f"condition for {outcome!r} must be 'OP VALUE' with OP one of "
            f"{', '.join(_OPERATORS)} (got {text!r}), e.g. '>= 800' or '< quota_end'"
        )
    op, raw = match.groups()
    try:
        return op, float(raw)
    except ValueError:
        if not re.match(_NAME, raw):
            raise ValueError(
                f"condition for {outcome!r}: {raw!r} is neither a number nor an outcome name"
            ) from None
        return op, raw


class Parameter(Strict):
    """One varied scenario value."""

    path: str = Field(
        description="Dotted scenario path as in --set; '*' matches every item of a list "
        "(groups.*.initial_trust).",
        min_length=1,
    )
    name: str | None = Field(
        None, pattern=_NAME, description="Column name in the result tables (default: last segment)."
    )
    range: list[float] | None = Field(None, description="[low, high] of a numeric parameter.")
    values: list[Any] | None = Field(None, description="Explicit list of values.", min_length=1)
    levels: int | None = Field(
        None, ge=2, description="Grid designs: evenly spaced values over the range."
    )
    scale: Literal["linear", "log"] = Field("linear", description="Spacing/sampling scale.")
    integer: bool = Field(False, description="Draw whole numbers from the range.")

    @field_validator("range")
    @classmethod
    def _two_numbers(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return value
        if len(value) != 2:
            raise ValueError(f"expected [low, high], two numbers (got {len(value)})")
        low, high = value
        if not (math.isfinite(low) and math.isfinite(high)):
            raise ValueError("low and high must be finite numbers")
        if not low < high:
            raise ValueError(f"low must be below high (got [{low}, {high}])")
        return value

    @field_validator("values")
    @classmethod
    def _scalars(cls, value: list[Any] | None) -> list[Any] | None:
        if value is None:
            return value
        kinds = set()
        for item in value:
            if isinstance(item, dict | list):
                raise ValueError(f"values must be single values, not a {kind(item)}")
            if item is None:
                continue
            kinds.add("bool" if isinstance(item, bool) else "number" if is_number(item) else "text")
        if len(kinds) > 1:
            raise ValueError(f"values must all be of one kind, got {sorted(kinds)}")
        plain = [json.dumps(v, sort_keys=True) for v in value]
        if len(set(plain)) != len(plain):
            raise ValueError("values repeat")
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Parameter:
        if (self.range is None) == (self.values is None):
            raise ValueError("give either range: [low, high] or values: [...], not both/neither")
        if self.values is not None:
            for key in ("levels", "integer"):
                if key in self.model_fields_set:
                    raise ValueError(f"{key} goes with range:, not with values:")
            if self.scale != "linear":
                raise ValueError("scale goes with range:, not with values:")
        if self.range is not None and self.scale == "log" and self.range[0] <= 0:
            raise ValueError(f"scale: log needs a positive range (low is {self.range[0]})")
        return self


class Design(Strict):
    """How design points are chosen."""

    method: Literal["grid", "lhs", "sobol", "morris"] = Field(
        description="grid (full factorial), lhs (Latin hypercube), sobol (Saltelli), morris."
    )
    samples: int | None = Field(
        None,
        ge=1,
        description="lhs: points; sobol: base sample N (power of 2); morris: trajectories.",
    )
    seed: int = Field(0, ge=0, description="Seed of the design's sampler.")
    second_order: bool = Field(False, description="sobol: also second-order indices.")
    levels: int = Field(4, ge=2, description="morris: grid levels (even).")

    @model_validator(mode="after")
    def _consistent(self) -> Design:
        if self.method == "grid":
            for key in ("samples", "second_order", "levels"):
                if key in self.model_fields_set:
                    raise ValueError(f"{key} is not used by grid designs")
            return self
        if self.samples is None:
            what = {"lhs": "points", "sobol": "the base sample N", "morris": "trajectories"}
            raise ValueError(f"a {self.method} design needs samples: ({what[self.method]})")
        if self.method == "sobol" and self.samples & (self.samples - 1):
            low = 1 << (self.samples.bit_length() - 1)
            raise ValueError(
                f"sobol designs need samples to be a power of 2 (Sobol' sequence balance); "
                f"got {self.samples}, use {low} or {low * 2}"
            )
        if self.method == "morris" and self.samples < 2:
            raise ValueError("a morris design needs at least 2 trajectories")
        if self.method == "morris" and self.levels % 2:
            raise ValueError(f"morris levels must be even (got {self.levels})")
        if self.second_order and self.method != "sobol":
            raise ValueError("second_order is only used by sobol designs")
        if "levels" in self.model_fields_set and self.method != "morris":
            raise ValueError("levels is only used by morris designs")
        return self


class Series(Strict):
    """Monthly series to keep, at some months."""

    variables: list[str] = Field(min_length=1, description="Names from SERIES_VARIABLES.")
    months: list[int | str] | None = Field(
        None, description="Month indices (0 = calendar start) or YYYY-MM dates."
    )
    every: int | None = Field(None, ge=1, description="Every N months from 0, and the last.")

    @field_validator("variables")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        for name in value:
            if name not in SERIES_VARIABLES:
                raise ValueError(unknown("series variable", name, SERIES_VARIABLES))
        if len(set(value)) != len(value):
            raise ValueError("variables repeat")
        return value

    @model_validator(mode="after")
    def _one(self) -> Series:
        if (self.months is None) == (self.every is None):
            raise ValueError("give either months: [...] or every: N")
        return self


class OutcomeClass(Strict):
    """A class of runs defined by outcome thresholds (all must hold)."""

    label: str | None = Field(None, description="Readable name, e.g. 'DDR completes'.")
    when: dict[str, str] = Field(
        min_length=1,
        description="outcome: 'OP VALUE', OP one of <, <=, >, >=, ==, != and VALUE a number "
        "or another outcome; all conditions must hold.",
    )

    @field_validator("when")
    @classmethod
    def _conditions(cls, value: dict[str, str]) -> dict[str, str]:
        for outcome, text in value.items():
            parse_condition(str(text), outcome)
        return value


class Heatmap(Strict):
    """A heatmap of an outcome (or a class share) over two parameters."""

    x: str = Field(description="Parameter name on the horizontal axis.")
    y: str = Field(description="Parameter name on the vertical axis.")
    outcome: str | None = Field(None, description="Outcome shown (its statistic over runs).")
    class_: str | None = Field(None, alias="class", description="Class: share of runs in it.")
    statistic: Literal["median", "mean"] = "median"

    @model_validator(mode="after")
    def _one(self) -> Heatmap:
        if (self.outcome is None) == (self.class_ is None):
            raise ValueError("give either outcome: or class:")
        if self.x == self.y:
            raise ValueError("x and y must be different parameters")
        return self


class Experiment(Strict):
    """A parameter sweep over one base scenario."""

    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Name (default output folder).")
    description: str = ""
    scenario: str = Field(min_length=1, description="Base scenario file, relative to this file.")
    set: list[str] = Field(
        default_factory=list, description="Fixed overrides of the base scenario (as --set)."
    )
    parameters: list[Parameter] = Field(min_length=1)
    design: Design
    replications: int = Field(1, ge=1, description="Seeds per design point.")
    seed: int = Field(0, ge=0, description="Root of the run seeds (numpy SeedSequence).")
    common_random_numbers: bool = Field(
        False, description="Every design point uses the same seeds for replication r."
    )
    outcomes: list[str] = Field(min_length=1, description="Summary indicators kept per run.")
    checkpoints: list[str] | None = Field(
        None, description="YYYY-MM dates of the summary's checkpoint columns."
    )
    series: Series | None = None
    classes: dict[str, OutcomeClass] = Field(
        default_factory=dict, description="Classes of runs for scenario discovery (PRIM)."
    )
    heatmaps: list[Heatmap] = Field(default_factory=list)

    @field_validator("outcomes")
    @classmethod
    def _unique_outcomes(cls, value: list[str]) -> list[str]:
        dup = sorted({v for v in value if value.count(v) > 1})
        if dup:
            raise ValueError(f"outcomes repeat: {dup}")
        return value

    @field_validator("checkpoints")
    @classmethod
    def _months(cls, value: list[str] | None) -> list[str] | None:
        for date in value or []:
            if not is_month(date):
                raise ValueError(f"expected months as YYYY-MM (got {date!r})")
        return value

    @field_validator("classes")
    @classmethod
    def _class_names(cls, value: dict[str, OutcomeClass]) -> dict[str, OutcomeClass]:
        for name in value:
            if not re.match(_NAME, str(name)):
                raise ValueError(f"class names are letters, digits and _ (got {name!r})")
        return value
