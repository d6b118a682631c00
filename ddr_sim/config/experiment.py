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

import os
import re
from pathlib import Path
from typing import Any

import pydantic

from ddr_sim.config.calendar import is_month, month_index, month_label
from ddr_sim.config.documents import plain
from ddr_sim.config.experiment_resolved import ResolvedExperiment, SweepParameter
from ddr_sim.config.experiment_schema import (
    RESERVED_COLUMNS,
    Design,
    Experiment,
    Parameter,
    is_number,
    parse_condition,
)
from ddr_sim.config.fields import NAME_PATTERN
from ddr_sim.config.loading import OVERRIDE_SOURCE, load_scenario, scenario_hash
from ddr_sim.config.paths import PathError, assign, expand_path, value_at
from ddr_sim.config.problems import (
    Problem,
    ScenarioError,
    display_path,
    position,
    short_repr,
    unknown,
    validation_problems,
)
from ddr_sim.config.reading import read_mapping
from ddr_sim.config.recordables import SERIES_VARIABLES
from ddr_sim.config.scenario import Scenario
from ddr_sim.config.scenario_settings import apply_settings, probe_values

__all__ = [
    "RESERVED_COLUMNS",
    "SERIES_VARIABLES",
    "Design",
    "Experiment",
    "ExperimentError",
    "ResolvedExperiment",
    "SweepParameter",
    "apply_settings",
    "assign",
    "expand_path",
    "load_experiment",
    "parse_condition",
]


class ExperimentError(ScenarioError):
    """An experiment could not be loaded; ``problems`` lists every reason found."""

    what = "experiment"


# --------------------------------------------------------------------------------------------
# Loading


class _Collector:
    """Problems found while resolving an experiment file, located at its fields."""

    def __init__(self, doc: Any, source: str):
        self.doc, self.source = doc, source
        self.problems: list[Problem] = []

    def add(self, loc: tuple[Any, ...], message: str) -> None:
        (file, line), _ = position(self.doc, loc, self.source)
        self.problems.append(Problem(file, line, display_path(self.doc, loc), message))


def _set_index(spec: Experiment, path: str) -> int | None:
    """The item of ``set:`` that overrides ``path``."""
    return next((i for i, s in enumerate(spec.set) if s.split("=", 1)[0].strip() == path), None)


def _base_scenario(spec: Experiment, source: str, out: _Collector) -> tuple[str, Scenario]:
    """Load the base scenario with ``set:``; problems of ``set:`` are located there."""
    scenario_path = Path(source).parent / spec.scenario
    scenario_source = os.path.normpath(os.fspath(scenario_path))
    try:
        return scenario_source, load_scenario(scenario_path, spec.set)
    except ScenarioError as err:
        for p in err.problems:
            index = _set_index(spec, p.path) if spec.set else None
            if p.file == OVERRIDE_SOURCE:
                loc = ("set",) if index is None else ("set", index)
                out.add(loc, f"{p.path}: {p.message}" if p.path else p.message)
            elif p.file == os.fspath(scenario_path) and index is not None:
                out.add(("set", index), f"{p.path}: {p.message}")  # a set: value refused
            elif p.file == os.fspath(scenario_path) and p.message == "file not found":
                out.add(
                    ("scenario",),
                    f"scenario file {scenario_source} not found (paths are relative to "
                    f"the experiment file's folder)",
                )
            else:
                out.problems.append(p)
        raise ExperimentError(out.problems) from None


def _default_name(path: str) -> str:
    """A parameter's default column name: the last path segment that is not ``*``."""
    return next((s for s in reversed(path.split(".")) if s and s != "*"), path)


def _name_problem(par: Parameter, name: str, seen: dict[str, int]) -> tuple[str, str] | None:
    """``(field, message)`` when a parameter's column name is unusable."""
    field_ = "name" if par.name else "path"
    if name in RESERVED_COLUMNS:
        return field_, f"{name!r} is a reserved column name; give the parameter another name:"
    if not re.match(NAME_PATTERN, name):
        return "path", f"the default name {name!r} is not usable as a column name; give name:"
    if name in seen:
        return field_, (
            f"parameter name {name!r} repeats parameter {seen[name]}; give a distinct name: "
            "to one of them"
        )
    return None


def _range_problem(par: Parameter, method: str, current: list[Any], paths: tuple[str, ...]):
    """``(field, message)`` when a parameter's range does not fit its design or value."""
    if par.range is not None and any(c is not None and not is_number(c) for c in current):
        shown = short_repr(next(c for c in current if c is not None and not is_number(c)))
        return (
            "range",
            f"{paths[0]} holds {shown}, not a number; use values: [...] instead of range:",
        )
    if method == "grid" and par.range is not None and par.levels is None:
        return (
            None,
            "a range in a grid design needs levels: N (evenly spaced values), or give "
            "values: [...]",
        )
    if par.levels is not None and method != "grid":
        return "levels", (
            f"levels spaces a range in grid designs; a {method} design samples the range "
            "(remove levels)"
        )
    if par.integer and par.range is not None:
        low, high = par.range
        if low != int(low) or high != int(high):
            return "range", "integer: true needs whole-number bounds"
        if par.levels is not None and par.levels > int(high) - int(low) + 1:
            return "levels", (
                f"{par.levels} levels over [{int(low)}, {int(high)}] would repeat whole "
                f"numbers; use at most {int(high) - int(low) + 1}"
            )
    return None


def _sweep_parameter(par: Parameter, name: str, paths: tuple[str, ...]) -> SweepParameter:
    low, high = par.range or [None, None]

    def bound(v: float | None) -> float | None:
        return None if v is None else (int(v) if par.integer else float(v))

    return SweepParameter(
        name=name,
        pattern=par.path,
        paths=paths,
        low=bound(low),
        high=bound(high),
        values=None if par.values is None else tuple(par.values),
        levels=par.levels,
        scale=par.scale,
        integer=par.integer,
    )


def _parameters(spec: Experiment, base: dict[str, Any], out: _Collector) -> list[SweepParameter]:
    """The parameters resolved against the base scenario; problems go to ``out``."""
    parameters: list[SweepParameter] = []
    seen: dict[str, int] = {}
    for i, par in enumerate(spec.parameters):
        try:
            paths = tuple(expand_path(base, par.path))
        except PathError as err:
            out.add(("parameters", i, "path"), str(err))
            continue
        name = par.name or _default_name(par.path)
        bad_name = _name_problem(par, name, seen)
        if bad_name:
            out.add(("parameters", i, bad_name[0]), bad_name[1])
        seen.setdefault(name, i)
        bad_range = _range_problem(
            par, spec.design.method, [value_at(base, p) for p in paths], paths
        )
        if bad_range:
            loc = ("parameters", i) if bad_range[0] is None else ("parameters", i, bad_range[0])
            out.add(loc, bad_range[1])
            continue
        parameter = _sweep_parameter(par, name, paths)
        probes = (
            parameter.values if parameter.values is not None else (parameter.low, parameter.high)
        )
        refused = probe_values(base, par.path, paths, probes)
        if refused:
            out.add(
                ("parameters", i, "values" if parameter.values is not None else "range"), refused
            )
        parameters.append(parameter)
    return parameters


def _series_months(spec: Experiment, start: str, months: int, out: _Collector) -> tuple[int, ...]:
    """Months whose series values are kept."""
    if spec.series is None:
        return ()
    if spec.series.every is not None:
        kept = list(range(0, months, spec.series.every))
        if kept[-1] != months - 1:
            kept.append(months - 1)
        return tuple(kept)
    chosen = []
    for j, m in enumerate(spec.series.months or []):
        if isinstance(m, str) and not is_month(m):
            out.add(("series", "months", j), f"expected a month index or YYYY-MM (got {m!r})")
            continue
        k = month_index(m, start) if isinstance(m, str) else int(m)
        if not 0 <= k < months:
            out.add(
                ("series", "months", j),
                f"month {m!r} is outside the calendar ({start} to "
                f"{month_label(months - 1, start)}, months 0..{months - 1})",
            )
            continue
        chosen.append(k)
    return tuple(sorted(set(chosen)))


def _check_references(spec: Experiment, out: _Collector) -> None:
    """Classes and heatmaps name outcomes, parameters and classes of this file."""
    outcomes = set(spec.outcomes)
    for cname, klass in spec.classes.items():
        for outcome, text_cond in klass.when.items():
            _, rhs = parse_condition(str(text_cond), outcome)
            for ref in (outcome, rhs):
                if isinstance(ref, str) and ref not in outcomes:
                    out.add(
                        ("classes", cname, "when", outcome),
                        f"{ref!r} is not among the outcomes kept; add it to outcomes: "
                        f"({', '.join(spec.outcomes)})",
                    )
    names = [par.name or _default_name(par.path) for par in spec.parameters]
    for j, hm in enumerate(spec.heatmaps):
        for key in ("x", "y"):
            value = getattr(hm, key)
            if value not in names:
                out.add(("heatmaps", j, key), unknown("parameter", value, names))
        if hm.outcome is not None and hm.outcome not in outcomes:
            out.add(("heatmaps", j, "outcome"), unknown("outcome", hm.outcome, spec.outcomes))
        if hm.class_ is not None and hm.class_ not in spec.classes:
            out.add(("heatmaps", j, "class"), unknown("class", hm.class_, list(spec.classes)))


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
    text, doc = read_mapping(
        Path(source), source, "experiment file", "experiment fields", ExperimentError
    )
    try:
        spec = Experiment.model_validate(plain(doc))
    except pydantic.ValidationError as exc:
        raise ExperimentError(validation_problems(exc, doc, source, Experiment)) from None
    out = _Collector(doc, source)
    if spec.design.method != "grid":
        try:
            import SALib  # noqa: F401
        except ImportError:
            out.add(
                ("design", "method"),
                f"a {spec.design.method} design needs SALib: install the "
                "analysis extra (pip install 'ddr-sim[analysis]')",
            )
    scenario_source, base = _base_scenario(spec, source, out)
    base_doc = base.model_dump(mode="json")
    parameters = _parameters(spec, base_doc, out)
    series_months = _series_months(spec, base.calendar.start, base.calendar.months, out)
    _check_references(spec, out)
    if out.problems:
        raise ExperimentError(out.problems)
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
