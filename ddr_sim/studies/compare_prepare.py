"""The scenarios of a comparison, validated before any run: from a policy file or from
scenario files.

A policy file (:mod:`ddr_sim.config.policies`) names a baseline and policies of ``set:``
overrides; scenario files are the baseline and its variants, each a whole scenario (a
variant may ``extends:`` the baseline). Both give a :class:`Prepared`: the baseline, one
scenario per variant and the horizons of the report.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ddr_sim.config.calendar import month_index, month_label, parse_month
from ddr_sim.config.loading import Problem, ScenarioError, load_scenario
from ddr_sim.config.policies import (
    BASELINE,
    Policies,
    PolicyFile,
    PolicySpec,
    file_kind,
    load_policies,
    value_text,
)
from ddr_sim.studies.compare_stats import END

if TYPE_CHECKING:
    import pandas as pd

    from ddr_sim.config.scenario import Scenario

DEFAULT_HORIZON = "2020-12"


class InputError(ScenarioError):
    """The files given to compare are of the wrong kind."""

    what = "input"


@dataclass
class Prepared:
    """Validated scenarios of a comparison, before any run."""

    policies: Policies
    baseline: Scenario
    scenarios: dict[str, Scenario]  # baseline and the policies with overrides
    overrides: dict[str, list[str]]  # per policy, the shared --set ones excluded
    shared_overrides: list[str]
    baseline_source: str
    horizons: list[str]  # the interim horizon (when inside the calendar) and END
    final_year: int
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # variant -> scenario file


def prepare(
    policy_file: str | os.PathLike[str],
    baseline: str | os.PathLike[str] | None = None,
    horizon: str | None = None,
    shared_overrides: Sequence[str] = (),
) -> Prepared:
    """Load the policy file and validate the baseline and every policy's scenario.

    Parameters
    ----------
    policy_file : path
        The policy file.
    baseline : path, optional
        A scenario file to use instead of the file's ``baseline``.
    horizon : str, optional
        ``YYYY-MM`` interim horizon instead of the file's (default 2020-12).
    shared_overrides : sequence of str
        ``path=value`` overrides applied to the baseline and to every policy.

    Raises
    ------
    ScenarioError
        Every problem found, each policy's named (the comparison does not start).
    """
    policies = load_policies(policy_file)
    source = os.path.normpath(baseline if baseline is not None else policies.baseline_path)
    shared = list(shared_overrides)
    base = load_scenario(source, shared)
    problems: list[Problem] = []
    scenarios: dict[str, Scenario] = {BASELINE: base}
    overrides: dict[str, list[str]] = {}
    for policy in policies.spec.policies:
        if policy.combine_best is not None:
            continue
        overrides[policy.name] = policy.overrides()
        try:
            scenarios[policy.name] = load_scenario(source, shared + overrides[policy.name])
        except ScenarioError as err:
            problems.extend(_policy_problems(policies, policy, err))
    if problems:
        raise ScenarioError(problems)
    horizons, notes = _horizons(base, horizon or policies.spec.horizon)
    return Prepared(
        policies=policies,
        baseline=base,
        scenarios=scenarios,
        overrides=overrides,
        shared_overrides=shared,
        baseline_source=source,
        horizons=horizons,
        final_year=int(month_label(base.calendar.months - 1, base.calendar.start)[:4]),
        notes=notes,
    )


def _horizons(base: Scenario, horizon: str | None) -> tuple[list[str], list[str]]:
    """The report's horizons (the interim one when inside the calendar, and the end)."""
    cal = base.calendar
    end = month_label(cal.months - 1, cal.start)
    chosen = horizon or DEFAULT_HORIZON
    try:
        parse_month(chosen)
    except ValueError as err:
        raise ScenarioError([Problem("--horizon", None, "horizon", str(err))]) from None
    k = month_index(chosen, cal.start)
    if 0 <= k < cal.months - 1:
        return [chosen, END], []
    note = (
        f"The interim horizon {chosen} is not inside the calendar before its last month "
        f"({cal.start} to {end}); only the end of the run is reported."
    )
    return [END], [note]


def _variant_names(paths: Sequence[str]) -> list[str]:
    """Unique variant names from file names (``baseline`` is reserved)."""
    names: list[str] = []
    for path in paths:
        stem = "".join(c if c.isalnum() or c in "_-" else "_" for c in Path(path).stem)
        stem = stem if stem and stem[0].isalpha() else f"v_{stem}"
        name, k = stem, 2
        while name in names or name == BASELINE:
            name, k = f"{stem}-{k}", k + 1
        names.append(name)
    return names


def prepare_files(
    baseline: str | os.PathLike[str],
    variants: Sequence[str | os.PathLike[str]],
    horizon: str | None = None,
    shared_overrides: Sequence[str] = (),
) -> Prepared:
    """Validate a baseline scenario file and variant scenario files (see the module
    docstring); each variant is named after its file and described by its scenario name.

    Raises
    ------
    ScenarioError
        Every problem of every file (the comparison does not start).
    """
    source = os.path.normpath(baseline)
    shared = list(shared_overrides)
    paths = [os.path.normpath(v) for v in variants]
    problems: list[Problem] = []
    scenarios: dict[str, Scenario] = {}
    for name, path in zip([BASELINE, *_variant_names(paths)], [source, *paths], strict=True):
        try:
            scenarios[name] = load_scenario(path, shared)
        except ScenarioError as err:
            problems.extend(err.problems)
    if problems:
        raise ScenarioError(problems)
    base = scenarios[BASELINE]
    specs = [
        PolicySpec.model_construct(
            name=name,
            title=f"{scenarios[name].name} ({Path(path).name})",
            stands_for=f"The scenario file {path} (scenario {scenarios[name].name}).",
            set={},
            combine_best=None,
        )
        for name, path in zip(list(scenarios)[1:], paths, strict=True)
    ]
    spec = PolicyFile.model_construct(baseline=source, horizon=None, policies=specs)
    horizons, notes = _horizons(base, horizon)
    return Prepared(
        policies=Policies(Path(source), spec, {}, {}),
        baseline=base,
        scenarios=scenarios,
        overrides={},
        shared_overrides=shared,
        baseline_source=source,
        horizons=horizons,
        final_year=int(month_label(base.calendar.months - 1, base.calendar.start)[:4]),
        notes=notes,
        sources=dict(zip(list(scenarios)[1:], paths, strict=True)),
    )


def prepare_inputs(
    inputs: Sequence[str | os.PathLike[str]],
    baseline: str | os.PathLike[str] | None = None,
    horizon: str | None = None,
    shared_overrides: Sequence[str] = (),
) -> Prepared:
    """A policy file alone, or a baseline scenario file and variant scenario files.

    Raises
    ------
    ScenarioError
        A file of the wrong kind (the message says which kind it is and what was
        expected), or any problem of :func:`prepare` / :func:`prepare_files`.
    """
    files = [os.fspath(f) for f in inputs]
    kinds = [file_kind(f) for f in files]
    if len(files) == 1 and kinds[0] != "scenario":
        return prepare(files[0], baseline, horizon, shared_overrides)
    problems = _kind_problems(files, kinds, baseline)
    if problems:
        raise InputError(problems)
    return prepare_files(files[0], files[1:], horizon, shared_overrides)


def _kind_problems(
    files: list[str], kinds: list[str | None], baseline: str | os.PathLike[str] | None
) -> list[Problem]:
    if len(files) == 1:
        return [
            Problem(
                files[0],
                None,
                "",
                "this is a scenario file, and one alone gives nothing to compare: give a "
                "policy file (baseline and policies), or the baseline scenario file followed "
                "by one or more variant scenario files (ddr-sim compare BASE.yaml "
                "VARIANT.yaml)",
            )
        ]
    problems = [
        Problem(
            f,
            None,
            "",
            "this is a policy file, where a scenario file was expected: give a policy file "
            "alone (ddr-sim compare POLICIES.yaml), or scenario files only (BASE.yaml "
            "VARIANT.yaml ...)",
        )
        for f, kind in zip(files, kinds, strict=True)
        if kind == "policy"
    ]
    if baseline is not None:
        problems.append(
            Problem(
                "--baseline",
                None,
                "",
                "--baseline replaces a policy file's baseline; with scenario files the "
                "first file is the baseline",
            )
        )
    return problems


def _policy_problems(policies: Policies, policy: PolicySpec, err: ScenarioError) -> list[Problem]:
    """The scenario problems of a policy, located in the policy file."""
    out = []
    for p in err.problems:
        key = next(
            (k for k in policy.set if p.path == k or f"'{k}=" in p.message or f"{k}=" in p.message),
            None,
        )
        message = p.message
        if p.file != "--set":
            message += f" ({p.file}{'' if p.line is None else f':{p.line}'})"
        out.append(policies.problem(policy.name, p.path, message, key))
    return out


def combine(prepared: Prepared, policy: PolicySpec, ranking: pd.DataFrame) -> dict[str, Any]:
    """Build (and validate) the scenario of a ``combine_best`` policy from the ranking."""
    specs = {p.name: p for p in prepared.policies.spec.policies}
    chosen: list[str] = []
    skipped: list[str] = []
    values: dict[str, Any] = {}
    for _, row in ranking.iterrows():
        if len(chosen) == policy.combine_best:
            break
        if not row["median"] > 0:
            break
        spec = specs[row["policy"]]
        clash = [k for k, v in spec.set.items() if k in values and values[k] != v]
        if clash:
            skipped.append(f"{spec.name} (sets {', '.join(clash)} differently)")
            continue
        chosen.append(spec.name)
        values.update(spec.set)
    info: dict[str, Any] = {"policies": [], "skipped": skipped, "set": {}, "note": ""}
    if len(chosen) < 2:
        info["note"] = (
            f"not run: fewer than two policies improve on the baseline "
            f"(median change in net exits > 0): {chosen or 'none'}"
        )
        return info
    if len(chosen) < policy.combine_best:
        info["note"] = f"only {len(chosen)} policies improve on the baseline; they are combined"
    overrides = [f"{k}={value_text(v)}" for k, v in values.items()]
    try:
        scenario = load_scenario(prepared.baseline_source, prepared.shared_overrides + overrides)
    except ScenarioError as err:
        info["note"] = "not run: the combination does not validate: " + "; ".join(
            str(p) for p in err.problems
        )
        return info
    prepared.scenarios[policy.name] = scenario
    prepared.overrides[policy.name] = overrides
    info.update(policies=chosen, set=values)
    return info
