"""Experiment files: what a parameter sweep varies, how it samples, what it keeps.

An experiment is a YAML mapping validated against :class:`Experiment`. It is read with the
scenario loader's line-tracking YAML reader (:mod:`ddr_sim.config.loading`), so every problem is
reported as ``FILE:LINE: FIELD: MESSAGE``, like a scenario's::

    experiments/x.yaml:14: parameters.1.path: unknown field 'progres_rate' in politics;
    expected one of: ... (did you mean 'progress_rate'?)

A minimal file::

    name: trust_vs_progress
    scenario: ../scenarios/teaching.yaml     # relative to this file
    parameters:
      - {path: groups.*.initial_trust, name: initial_trust, range: [0.1, 0.9], levels: 5}
      - {path: politics.progress_rate, values: [0.0, 0.01, 0.02]}
    design: {method: grid}
    replications: 10                          # seeds per design point
    outcomes: [integrated_total, longest_stall_months]

Parameters
----------
``path`` is a dotted scenario path as in ``--set`` (``politics.progress_rate``,
``groups.Hills.initial_trust``). A ``*`` segment stands for every item of a list (or
every key of a mapping) of the base scenario: ``groups.*.initial_trust`` sets the same
value for every group. A parameter gives either ``range: [low, high]`` (numbers; with
``levels: N`` evenly spaced values in a grid design, sampled in the others; ``scale:
log`` samples and spaces on a log scale; ``integer: true`` draws whole numbers) or
``values: [...]`` (a list; in sampled designs each value gets an equal share of the unit
interval). ``name`` is its column in the result tables (default: the last path segment).

Designs
-------
``grid`` (full factorial over the levels and values), ``lhs`` (Latin hypercube,
``samples`` points), ``sobol`` (Saltelli's scheme for Sobol indices: ``samples`` = N, a
power of 2, gives N(D+2) points, N(2D+2) with ``second_order: true``) and ``morris``
(``samples`` trajectories of D+1 points on a ``levels``-level grid). Sampled designs come
from SALib with the design's ``seed``.

Seeds
-----
Run ``r`` of design point ``p`` uses the integer seed drawn from
``numpy.random.SeedSequence(seed, spawn_key=(p, r))`` (``spawn_key=(r,)`` with
``common_random_numbers: true``, so all points share the seeds of a replication). The seed
is stored with every run, which is therefore reproducible on its own.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ddr_sim.config.calendar import month_index, month_label
from ddr_sim.config.loading import (
    OVERRIDE_SOURCE,
    Problem,
    ScenarioError,
    _kind,
    _Map,
    _message,
    _plain,
    _position,
    _short_repr,
    load_scenario,
    read_mapping,
    scenario_hash,
)
from ddr_sim.config.scenario import Scenario, ScenarioConsistencyError
from ddr_sim.core.records import History
from ddr_sim.core.statuses import STATUS_NAMES

__all__ = [
    "RESERVED_COLUMNS",
    "SERIES_VARIABLES",
    "Experiment",
    "ExperimentError",
    "ResolvedExperiment",
    "SweepParameter",
    "assign",
    "load_experiment",
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

#: Monthly series a sweep can keep: the series table of :mod:`ddr_sim.runs.tables` and the
#: number of people holding each status (``stock_<status>``).
SERIES_VARIABLES: tuple[str, ...] = (
    *History.SERIES,
    "mean_trust",
    "site_built",
    "programme_open",
    "net_into_integrated_reinserted",
    "stall",
    *(f"stock_{s}" for s in STATUS_NAMES),
)

_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
_CONDITION = re.compile(r"^\s*(<=|>=|==|!=|<|>)\s*(\S+)\s*$")
_OPERATORS = ("<=", ">=", "==", "!=", "<", ">")


class ExperimentError(ScenarioError):
    """An experiment could not be loaded; ``problems`` lists every reason found."""

    what = "experiment"


# --------------------------------------------------------------------------------------------
# Schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Parameter(_Strict):
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
                raise ValueError(f"values must be single values, not a {_kind(item)}")
            if item is None:
                continue
            kinds.add(
                "bool" if isinstance(item, bool) else "number" if _is_number(item) else "text"
            )
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


class Design(_Strict):
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


class Series(_Strict):
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
                raise ValueError(_unknown("series variable", name, SERIES_VARIABLES))
        if len(set(value)) != len(value):
            raise ValueError("variables repeat")
        return value

    @model_validator(mode="after")
    def _one(self) -> Series:
        if (self.months is None) == (self.every is None):
            raise ValueError("give either months: [...] or every: N")
        return self


class OutcomeClass(_Strict):
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


class Heatmap(_Strict):
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


class Experiment(_Strict):
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
            if not re.match(_MONTH, str(date)):
                raise ValueError(f"expected months as YYYY-MM (got {date!r})")
        return value

    @field_validator("classes")
    @classmethod
    def _class_names(cls, value: dict[str, OutcomeClass]) -> dict[str, OutcomeClass]:
        for name in value:
            if not re.match(_NAME, str(name)):
                raise ValueError(f"class names are letters, digits and _ (got {name!r})")
        return value


# Fields that change no result table: a sweep may be resumed after editing them.
ANALYSIS_ONLY_FIELDS = ("description", "classes", "heatmaps")


# --------------------------------------------------------------------------------------------
# Resolved experiments


@dataclass(frozen=True)
class SweepParameter:
    """A parameter resolved against the base scenario.

    Attributes
    ----------
    name : str
        Column name in the result tables.
    pattern : str
        The path as written (may contain ``*``).
    paths : tuple of str
        The concrete scenario paths it sets (``*`` expanded).
    low, high : float or None
        The range, for range parameters.
    values : tuple or None
        The values, for value-list parameters.
    levels : int or None
        Grid levels over the range.
    scale : str
        ``"linear"`` or ``"log"``.
    integer : bool
        Whole numbers.
    """

    name: str
    pattern: str
    paths: tuple[str, ...]
    low: float | None = None
    high: float | None = None
    values: tuple[Any, ...] | None = None
    levels: int | None = None
    scale: str = "linear"
    integer: bool = False

    @property
    def is_range(self) -> bool:
        """A numeric range (else a list of values)."""
        return self.values is None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description (stored in the sweep's ``sweep.json``)."""
        return {
            "name": self.name,
            "pattern": self.pattern,
            "paths": list(self.paths),
            "low": self.low,
            "high": self.high,
            "values": None if self.values is None else list(self.values),
            "levels": self.levels,
            "scale": self.scale,
            "integer": self.integer,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepParameter:
        """Inverse of :meth:`to_dict`."""
        values = data.get("values")
        return cls(
            name=data["name"],
            pattern=data["pattern"],
            paths=tuple(data["paths"]),
            low=data.get("low"),
            high=data.get("high"),
            values=None if values is None else tuple(values),
            levels=data.get("levels"),
            scale=data.get("scale", "linear"),
            integer=bool(data.get("integer", False)),
        )


@dataclass
class ResolvedExperiment:
    """A validated experiment with its base scenario resolved.

    Attributes
    ----------
    source : str
        The experiment file as given.
    text : str
        Its text (copied into the sweep folder).
    spec : Experiment
        The validated file.
    scenario_source : str
        The base scenario file (as resolved from the experiment's folder).
    scenario : dict
        The base scenario with ``set:`` applied, every default filled in (JSON-ready).
    scenario_hash : str
        Its hash (:func:`ddr_sim.config.loading.scenario_hash`).
    parameters : tuple of SweepParameter
        The varied parameters, in file order.
    series_months : tuple of int
        Months whose series values are kept (empty without ``series:``).
    """

    source: str
    text: str
    spec: Experiment
    scenario_source: str
    scenario: dict[str, Any]
    scenario_hash: str
    parameters: tuple[SweepParameter, ...]
    series_months: tuple[int, ...]
    _doc: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        """The experiment's name."""
        return self.spec.name

    @property
    def calendar(self) -> tuple[str, int]:
        """``(start, months)`` of the base scenario."""
        cal = self.scenario["calendar"]
        return cal["start"], int(cal["months"])

    def result_spec(self) -> dict[str, Any]:
        """Everything that determines the result tables, as JSON-ready data."""
        spec = self.spec.model_dump(mode="json", by_alias=True, exclude=set(ANALYSIS_ONLY_FIELDS))
        spec.pop("scenario", None)  # the path may differ; the resolved scenario's hash counts
        return {
            "experiment": spec,
            "scenario_hash": self.scenario_hash,
            "parameters": [p.to_dict() for p in self.parameters],
            "series_months": list(self.series_months),
        }

    def fingerprint(self) -> str:
        """SHA-256 of :meth:`result_spec`: equal fingerprints give equal result tables."""
        text = json.dumps(self.result_spec(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def problem(self, loc: tuple[Any, ...], message: str) -> Problem:
        """A problem located at field ``loc`` of the experiment file."""
        (file, line), _ = _position(self._doc, loc, self.source)
        return Problem(file, line, ".".join(str(s) for s in loc), message)


# --------------------------------------------------------------------------------------------
# Helpers


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _unknown(what: str, name: str, known: Any) -> str:
    known = list(known)
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    shown = ", ".join(str(k) for k in known[:40]) + (", ..." if len(known) > 40 else "")
    return f"unknown {what} {name!r}; expected one of: {shown}{hint}"


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


def _segments(path: str) -> list[str]:
    return path.split(".")


def _named(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(i, dict) and "name" in i for i in items)


def expand_path(doc: dict[str, Any], pattern: str) -> list[str]:
    """Concrete paths of ``pattern`` in a resolved scenario; ``*`` matches every item.

    Lists of named items (``groups``, ``regions``) are addressed by name in the result.

    Raises
    ------
    ValueError
        A segment names nothing in the scenario (the message lists what exists).
    """
    segments = _segments(pattern)
    if any(not s for s in segments):
        raise ValueError(f"expected a dotted path like politics.progress_rate (got {pattern!r})")
    out: list[str] = []

    def walk(node: Any, i: int, done: list[str]) -> None:
        if i == len(segments):
            if isinstance(node, dict | list) and not (isinstance(node, list) and not node):
                inner = list(node) if isinstance(node, dict) else ["0", "..."]
                raise ValueError(
                    f"{'.'.join(done)} is a section, not a value; expected a field of it: "
                    f"{', '.join(str(k) for k in inner[:30])}"
                )
            out.append(".".join(done))
            return
        seg = segments[i]
        where = ".".join(done) or "the top level"
        if isinstance(node, dict):
            if seg == "*":
                if not node:
                    raise ValueError(f"'*' matches nothing: {where} is empty")
                for key in node:
                    walk(node[key], i + 1, [*done, str(key)])
                return
            if seg not in node:
                raise ValueError(_unknown(f"field in {where}:", seg, node))
            walk(node[seg], i + 1, [*done, seg])
        elif isinstance(node, list):
            named = _named(node)
            if seg == "*":
                if not node:
                    raise ValueError(f"'*' matches nothing: {where} is an empty list")
                for j, item in enumerate(node):
                    walk(item, i + 1, [*done, str(item["name"]) if named else str(j)])
                return
            if named:
                names = [str(item["name"]) for item in node]
                if seg in names:
                    walk(node[names.index(seg)], i + 1, [*done, seg])
                    return
            try:
                j = int(seg)
            except ValueError:
                names = [str(item["name"]) for item in node] if named else []
                raise ValueError(
                    _unknown(f"item of {where}:", seg, names)
                    if named
                    else f"{where} is a list; index it by position (0..{len(node) - 1}) or '*'"
                ) from None
            if not 0 <= j < len(node):
                raise ValueError(f"index {j} is out of range for {where} ({len(node)} items)")
            walk(node[j], i + 1, [*done, seg])
        else:
            raise ValueError(f"{where} is a value ({_short_repr(node)}), it has no field {seg!r}")

    walk(doc, 0, [])
    return out


def assign(doc: dict[str, Any], path: str, value: Any) -> None:
    """Set the value at a concrete ``path`` (as returned by :func:`expand_path`) in place."""
    segments = _segments(path)
    node: Any = doc
    for depth, seg in enumerate(segments):
        last = depth == len(segments) - 1
        if isinstance(node, dict):
            if last:
                node[seg] = value
            else:
                node = node[seg]
        else:
            j = _list_index(node, seg)
            if last:
                node[j] = value
            else:
                node = node[j]


def apply_settings(base: dict[str, Any], settings: Any) -> Scenario:
    """Validate a copy of the resolved ``base`` scenario with ``(path, value)`` settings.

    Raises
    ------
    ScenarioError
        The scenario refuses a value (the problems name the field paths).
    """
    doc = copy.deepcopy(base)
    for path, value in settings:
        assign(doc, path, value)
    try:
        return Scenario.model_validate(doc)
    except pydantic.ValidationError as exc:
        raise ScenarioError(_flat_problems(exc)) from None
    except ScenarioConsistencyError as exc:
        raise ScenarioError([Problem("<scenario>", None, p, m) for p, m in exc.problems]) from None


def _flat_problems(exc: pydantic.ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        ctx = err.get("ctx") or {}
        original = ctx.get("error")
        if isinstance(original, ScenarioConsistencyError):
            problems.extend(Problem("<scenario>", None, p, m) for p, m in original.problems)
            continue
        loc = tuple(err["loc"])
        msg = str(original) if err["type"] == "value_error" and original else err["msg"]
        if err["type"] not in ("value_error", "missing"):
            msg = f"{msg} (got {_short_repr(err.get('input'))})"
        problems.append(Problem("<scenario>", None, ".".join(str(s) for s in loc), msg))
    return problems


# --------------------------------------------------------------------------------------------
# Loading


def _schema_problems(exc: pydantic.ValidationError, doc: _Map, source: str) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        (file, line), _ = _position(doc, loc, source)
        if err["type"] == "extra_forbidden":
            allowed = _allowed_keys(loc[:-1])
            message = _unknown("key", loc[-1], allowed) if allowed else f"unknown key {loc[-1]!r}"
        else:
            message = _message(err, loc)
        problems.append(Problem(file, line, ".".join(str(s) for s in loc), message))
    return problems


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``X``, ``list[X]``, ``X | None``)."""
    import typing

    stack = [annotation]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
        stack.extend(typing.get_args(tp))
    return None


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Keys accepted by the mapping at ``loc`` of an experiment file (for suggestions)."""
    model: type[BaseModel] | None = Experiment
    i = 0
    while i < len(loc) and model is not None:
        seg = loc[i]
        if model is Experiment and seg == "classes":
            model, i = OutcomeClass, i + 2  # classes.<name>.<field>
            continue
        fields = {f.alias or name: f for name, f in model.model_fields.items()}
        if seg not in fields:
            return []
        model = _nested_model(fields[seg].annotation)
        i += 1
        while i < len(loc) and isinstance(loc[i], int):  # list items
            i += 1
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _read_experiment(path: Path, source: str) -> tuple[str, _Map]:
    return read_mapping(path, source, "experiment file", "experiment fields", ExperimentError)


def load_experiment(path: str | os.PathLike[str]) -> ResolvedExperiment:
    """Load, validate and resolve an experiment file.

    Checks the file against :class:`Experiment`, loads the base scenario with the ``set:``
    overrides, expands parameter paths against it, applies each parameter's extreme values
    (or each of its values) to the base scenario to check the scenario accepts them, and
    checks that classes and heatmaps name outcomes and parameters of the file. Outcome names
    themselves depend on the scenario (checkpoint dates, group names): the sweep checks them
    on its pilot run.

    Parameters
    ----------
    path : str or path-like
        The experiment YAML file.

    Returns
    -------
    ResolvedExperiment

    Raises
    ------
    ExperimentError
        With every problem found, each naming file, line and field.
    """
    source = os.fspath(path)
    text, doc = _read_experiment(Path(source), source)
    try:
        spec = Experiment.model_validate(_plain(doc))
    except pydantic.ValidationError as exc:
        raise ExperimentError(_schema_problems(exc, doc, source)) from None

    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        (file, line), _ = _position(doc, loc, source)
        problems.append(Problem(file, line, ".".join(str(s) for s in loc), message))

    if spec.design.method != "grid":
        try:
            import SALib  # noqa: F401
        except ImportError:
            add(
                ("design", "method"),
                f"a {spec.design.method} design needs SALib: install the "
                "analysis extra (pip install 'ddr-sim[analysis]')",
            )

    # base scenario
    scenario_path = Path(source).parent / spec.scenario
    scenario_source = os.path.normpath(os.fspath(scenario_path))
    if not scenario_path.is_file():
        add(
            ("scenario",),
            f"scenario file {scenario_source} not found (paths are relative to "
            f"the experiment file's folder)",
        )
        raise ExperimentError(problems)
    try:
        base = load_scenario(scenario_path, spec.set)
    except ScenarioError as err:
        for p in err.problems:
            if p.file == OVERRIDE_SOURCE:
                index = next(
                    (i for i, s in enumerate(spec.set) if s.split("=", 1)[0].strip() == p.path),
                    None,
                )
                loc = ("set",) if index is None else ("set", index)
                add(loc, f"{p.path}: {p.message}" if p.path else p.message)
            elif p.file == os.fspath(scenario_path) and spec.set:
                # a --set value refused by the schema is reported at the scenario's line
                index = next(
                    (i for i, s in enumerate(spec.set) if s.split("=", 1)[0].strip() == p.path),
                    None,
                )
                if index is not None:
                    add(("set", index), f"{p.path}: {p.message}")
                else:
                    problems.append(p)
            else:
                problems.append(p)
        raise ExperimentError(problems) from None
    base_doc = base.model_dump(mode="json")
    start, months = base.calendar.start, base.calendar.months

    # parameters
    parameters: list[SweepParameter] = []
    names_seen: dict[str, int] = {}
    for i, par in enumerate(spec.parameters):
        try:
            paths = tuple(expand_path(base_doc, par.path))
        except ValueError as err:
            add(("parameters", i, "path"), str(err))
            continue
        name = par.name or _default_name(par.path)
        if name in RESERVED_COLUMNS:
            add(
                ("parameters", i, "name" if par.name else "path"),
                f"{name!r} is a reserved column name; give the parameter another name:",
            )
        elif not re.match(_NAME, name):
            add(
                ("parameters", i, "path"),
                f"the default name {name!r} is not usable as a column name; give name:",
            )
        elif name in names_seen:
            add(
                ("parameters", i, "name" if par.name else "path"),
                f"parameter name {name!r} repeats parameter {names_seen[name]}; give a "
                f"distinct name: to one of them",
            )
        names_seen.setdefault(name, i)
        current = [_value_at(base_doc, p) for p in paths]
        if par.range is not None and any(c is not None and not _is_number(c) for c in current):
            shown = _short_repr(next(c for c in current if c is not None and not _is_number(c)))
            add(
                ("parameters", i, "range"),
                f"{paths[0]} holds {shown}, not a number; use values: [...] instead of range:",
            )
            continue
        if spec.design.method == "grid" and par.range is not None and par.levels is None:
            add(
                ("parameters", i),
                "a range in a grid design needs levels: N (evenly spaced values), or give "
                "values: [...]",
            )
            continue
        if par.levels is not None and spec.design.method != "grid":
            add(
                ("parameters", i, "levels"),
                f"levels spaces a range in grid designs; a {spec.design.method} design samples "
                f"the range (remove levels)",
            )
            continue
        low, high = par.range or [None, None]
        if par.integer and par.range is not None:
            if low != int(low) or high != int(high):
                add(("parameters", i, "range"), "integer: true needs whole-number bounds")
                continue
            if par.levels is not None and par.levels > int(high) - int(low) + 1:
                add(
                    ("parameters", i, "levels"),
                    f"{par.levels} levels over [{int(low)}, {int(high)}] would repeat whole "
                    f"numbers; use at most {int(high) - int(low) + 1}",
                )
                continue
        parameter = SweepParameter(
            name=name,
            pattern=par.path,
            paths=paths,
            low=None if low is None else (int(low) if par.integer else float(low)),
            high=None if high is None else (int(high) if par.integer else float(high)),
            values=None if par.values is None else tuple(par.values),
            levels=par.levels,
            scale=par.scale,
            integer=par.integer,
        )
        probes = (
            list(parameter.values)
            if parameter.values is not None
            else [parameter.low, parameter.high]
        )
        loc = ("parameters", i, "values" if parameter.values is not None else "range")
        for value in probes:
            try:
                apply_settings(base_doc, [(p, value) for p in paths])
            except ScenarioError as err:
                first = err.problems[0]
                add(
                    loc,
                    f"{par.path}={_short_repr(value)} is refused by the scenario: "
                    f"{first.path + ': ' if first.path else ''}{first.message}",
                )
                break
        parameters.append(parameter)

    # series months
    series_months: tuple[int, ...] = ()
    if spec.series is not None:
        if spec.series.every is not None:
            kept = list(range(0, months, spec.series.every))
            if kept[-1] != months - 1:
                kept.append(months - 1)
            series_months = tuple(kept)
        else:
            chosen = []
            for j, m in enumerate(spec.series.months or []):
                if isinstance(m, str):
                    if not re.match(_MONTH, m):
                        add(
                            ("series", "months", j),
                            f"expected a month index or YYYY-MM (got {m!r})",
                        )
                        continue
                    k = month_index(m, start)
                else:
                    k = int(m)
                if not 0 <= k < months:
                    add(
                        ("series", "months", j),
                        f"month {m!r} is outside the calendar ({start} to "
                        f"{month_label(months - 1, start)}, months 0..{months - 1})",
                    )
                    continue
                chosen.append(k)
            series_months = tuple(sorted(set(chosen)))

    # classes and heatmaps refer to names of this file
    outcomes = set(spec.outcomes)
    for cname, klass in spec.classes.items():
        for outcome, text_cond in klass.when.items():
            _, rhs = parse_condition(str(text_cond), outcome)
            for ref in (outcome, rhs):
                if isinstance(ref, str) and ref not in outcomes:
                    add(
                        ("classes", cname, "when", outcome),
                        f"{ref!r} is not among the outcomes kept; add it to outcomes: "
                        f"({', '.join(spec.outcomes)})",
                    )
    names = [par.name or _default_name(par.path) for par in spec.parameters]
    for j, hm in enumerate(spec.heatmaps):
        for key in ("x", "y"):
            value = getattr(hm, key)
            if value not in names:
                add(("heatmaps", j, key), _unknown("parameter", value, names))
        if hm.outcome is not None and hm.outcome not in outcomes:
            add(("heatmaps", j, "outcome"), _unknown("outcome", hm.outcome, spec.outcomes))
        if hm.class_ is not None and hm.class_ not in spec.classes:
            add(("heatmaps", j, "class"), _unknown("class", hm.class_, list(spec.classes)))

    if problems:
        raise ExperimentError(problems)
    return ResolvedExperiment(
        source=source,
        text=text,
        spec=spec,
        scenario_source=scenario_source,
        scenario=base_doc,
        scenario_hash=scenario_hash(base),
        parameters=tuple(parameters),
        series_months=series_months,
        _doc=doc,
    )


def _default_name(path: str) -> str:
    """A parameter's default column name: the last path segment that is not ``*``."""
    return next((s for s in reversed(_segments(path)) if s != "*"), path)


def _list_index(items: list[Any], segment: str) -> int:
    """Position of the item named ``segment`` in a list of named mappings, else the index."""
    for k, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == segment:
            return k
    return int(segment)


def _value_at(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for seg in _segments(path):
        node = node[seg] if isinstance(node, dict) else node[_list_index(node, seg)]
    return node
