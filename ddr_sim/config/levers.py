"""Lever files: the policy levers of a scenario, each a small paired change (``ddr-sim levers``).

A lever file names a ``baseline`` scenario (relative to the file), the ``indicators`` (summary
columns) of the audit table, and ``levers``: each with a ``name``, the ``recommendation`` it
stands for, the ``change`` in words, ``set`` (overrides, ``dotted.path: value``, as with
``ddr-sim run --set``), the ``mechanism`` that carries it (a section of docs/ODD.md) and
``expect``: the direction of effect the model description states on one or more
indicators (``up`` or ``down``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import Field, field_validator

from ddr_sim.config.fields import Strict
from ddr_sim.config.problems import ScenarioError, plain, validation_problems
from ddr_sim.config.reading import read_mapping

_NAME = r"^[A-Za-z][A-Za-z0-9_-]*$"


class LeversError(ScenarioError):
    """A lever file could not be loaded (file, line and field in each problem)."""

    what = "lever file"


class Lever(Strict):
    name: str = Field(pattern=_NAME, description="Short unique name.")
    recommendation: str = Field(min_length=1, description="The recommendation it stands for.")
    change: str = Field(min_length=1, description="The small change, in words.")
    set: dict[str, Any] = Field(description="Overrides on the baseline, dotted.path: value.")
    mechanism: str = Field(min_length=1, description="The ODD section that carries it.")
    expect: dict[str, Literal["up", "down"]] = Field(
        description="Stated direction of effect on indicators."
    )
    note: str = Field(
        "",
        description="What the audit shows about the lever in the baseline scenario, and why "
        "(printed under the table).",
    )

    @field_validator("set", "expect")
    @classmethod
    def _not_empty(cls, value: dict) -> dict:
        if not value:
            raise ValueError("at least one entry is required")
        return value

    def overrides(self) -> list[str]:
        """The ``set`` entries as ``path=value`` override strings (values as JSON/YAML)."""
        return [f"{path}={json.dumps(value)}" for path, value in self.set.items()]


class LeverFile(Strict):
    baseline: str = Field(description="Scenario file, relative to the lever file.")
    indicators: list[str] = Field(min_length=1, description="Summary columns of the table.")
    levers: list[Lever] = Field(min_length=1)

    @field_validator("levers")
    @classmethod
    def _unique(cls, value: list[Lever]) -> list[Lever]:
        names = [lever.name for lever in value]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"lever names must be unique; repeated: {repeated}")
        return value


@dataclass(frozen=True)
class Levers:
    """A loaded lever file."""

    path: Path
    spec: LeverFile

    @property
    def baseline_path(self) -> Path:
        return (self.path.parent / self.spec.baseline).resolve()


def load_levers(path: str | os.PathLike[str]) -> Levers:
    """Read and check a lever file; problems name the file, line and field."""
    source = os.fspath(path)
    _, doc = read_mapping(
        Path(source), source, "lever file", "baseline, indicators, levers", error=LeversError
    )
    try:
        spec = LeverFile.model_validate(plain(doc))
    except pydantic.ValidationError as exc:
        raise LeversError(validation_problems(exc, doc, source, LeverFile)) from None
    return Levers(Path(source), spec)
