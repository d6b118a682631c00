"""Policy files: a baseline scenario and the policies to compare with it.

A YAML mapping (see :mod:`ddr_sim.studies.compare`)::

    baseline: ../scenarios/mali_2013_2023.yaml   # relative to the policy file
    horizon: "2020-12"                           # optional interim horizon
    policies:
      - name: cvr_doubled                        # unique; letters, digits, _ and -
        title: CVR doubled                       # optional short label
        stands_for: Double CVR funding to USD 6 M a year.
        set: {programmes.cvr.budget_usd_per_year: 6000000}
      - {name: best_three, stands_for: The three best together., combine_best: 3}

:func:`file_kind` tells a policy file from a scenario file by its top-level keys, so a
command given one where it expects the other can say which it got.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import Field, model_validator

from ddr_sim.config.documents import parse_yaml
from ddr_sim.config.fields import Strict
from ddr_sim.config.problems import Problem, ScenarioError, plain, validation_problems
from ddr_sim.config.reading import read_text
from ddr_sim.config.scenario import Month

BASELINE = "baseline"
POLICY_KEYS = frozenset({"baseline", "policies", "horizon"})
SCENARIO_KEYS = frozenset({"name", "calendar", "groups", "regions", "extends", "events"})


_NAME = r"^[A-Za-z][A-Za-z0-9_-]*$"


class PolicySpec(Strict):
    """One policy of a policy file (see the module docstring)."""

    name: Annotated[str, Field(pattern=_NAME)]
    title: str | None = None
    stands_for: Annotated[str, Field(min_length=1)]
    set: dict[str, Any] = Field(default_factory=dict)
    combine_best: Annotated[int, Field(ge=2)] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> PolicySpec:
        if self.name == BASELINE:
            raise ValueError(f"{BASELINE!r} is reserved for the baseline; choose another name")
        if self.combine_best is None and not self.set:
            raise ValueError("a policy needs 'set' (overrides) or 'combine_best' (a number)")
        if self.combine_best is not None and self.set:
            raise ValueError("give either 'set' or 'combine_best', not both")
        return self

    @property
    def label(self) -> str:
        return self.title or self.name

    def overrides(self) -> list[str]:
        """The ``set`` mapping as ``path=value`` override strings (values as YAML/JSON)."""
        return [f"{path}={value_text(value)}" for path, value in self.set.items()]


class PolicyFile(Strict):
    """A policy file: the baseline, the interim horizon and the policies."""

    baseline: Annotated[str, Field(min_length=1)]
    horizon: Month | None = None
    policies: Annotated[list[PolicySpec], Field(min_length=1)]

    @model_validator(mode="after")
    def _unique(self) -> PolicyFile:
        names = [p.name for p in self.policies]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"policy names must be unique; repeated: {repeated}")
        singles = sum(1 for p in self.policies if p.combine_best is None)
        for p in self.policies:
            if p.combine_best is not None and p.combine_best > singles:
                raise ValueError(
                    f"policy {p.name!r}: combine_best {p.combine_best} is more than the "
                    f"{singles} policies with overrides"
                )
        return self


def value_text(value: Any) -> str:
    """A YAML flow text for an override value (JSON is YAML)."""
    return json.dumps(value, default=str, ensure_ascii=False)


@dataclass
class Policies:
    """A loaded policy file with where each policy and override was written."""

    path: Path
    spec: PolicyFile
    lines: dict[str, int | None]
    set_lines: dict[tuple[str, str], int | None]

    @property
    def baseline_path(self) -> Path:
        return self.path.parent / self.spec.baseline

    def problem(self, policy: str, path: str, message: str, key: str | None = None) -> Problem:
        line = self.set_lines.get((policy, key)) if key else None
        return Problem(
            os.fspath(self.path),
            line if line is not None else self.lines.get(policy),
            path,
            f"policy {policy!r}: {message}",
        )


def load_policies(path: str | os.PathLike[str]) -> Policies:
    """Read and check a policy file (its structure only; see :func:`prepare`).

    Raises
    ------
    ScenarioError
        The file is missing, not YAML, or not a valid policy file; each problem names the
        file, line and field.
    """
    source = os.fspath(path)
    if file_kind(source) == "scenario":
        raise ScenarioError(
            [
                Problem(
                    source,
                    None,
                    "",
                    "this is a scenario file, where a policy file (baseline and policies) "
                    "was expected",
                )
            ]
        )
    text = read_text(Path(source), source, "policy file")  # bounded, regular files only
    doc, line = parse_yaml(text, source)  # mappings that remember their lines
    if not isinstance(doc, dict):
        raise ScenarioError(
            [Problem(source, line, "", "a policy file is a mapping with baseline and policies")]
        )
    try:
        spec = PolicyFile.model_validate(plain(doc))
    except pydantic.ValidationError as exc:
        raise ScenarioError(validation_problems(exc, doc, source, PolicyFile)) from None
    lines: dict[str, int | None] = {}
    set_lines: dict[tuple[str, str], int | None] = {}
    items = doc["policies"]
    for i, item in enumerate(items):
        name = item["name"]
        lines[name] = items.pos[i][1]
        overrides = item.get("set")
        if isinstance(overrides, dict):
            for key in overrides:
                set_lines[(name, str(key))] = overrides.pos[key][1]
    return Policies(Path(source), spec, lines, set_lines)


def file_kind(path: str | os.PathLike[str]) -> str | None:
    """``"policy"``, ``"scenario"`` or None (unreadable, not a mapping, or neither)."""
    source = os.fspath(path)
    try:
        doc, _ = parse_yaml(read_text(Path(source), source, "file"), source)
    except ScenarioError:  # unreadable, not a regular file, too big or not YAML
        return None
    if not isinstance(doc, dict):
        return None
    keys = {str(k) for k in doc}
    if keys & {"policies"} or (keys and keys <= POLICY_KEYS):
        return "policy"
    if keys & SCENARIO_KEYS:
        return "scenario"
    return None
