"""A sweep folder checked against its experiment: manifest, model code, outcome columns."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from ddr_sim.config.experiment import (
    ExperimentError,
    ResolvedExperiment,
    SweepParameter,
    apply_settings,
)
from ddr_sim.runs.provenance import utc_now
from ddr_sim.sweeps.designs import point_settings, salib_problem
from ddr_sim.sweeps.store import EXPERIMENT_COPY, SweepStore

#: Distributions whose versions go into ``sweep.json``.
VERSIONED = ("mesa", "numpy", "pandas", "pyarrow", "pydantic", "SALib", "distributed")


def manifest(
    experiment: ResolvedExperiment, runs: int, points: int, commands: list[str]
) -> dict[str, Any]:
    import importlib.metadata

    from ddr_sim.config.calendar import month_label

    spec = experiment.spec
    start, months = experiment.calendar
    deps: dict[str, str | None] = {}
    for name in ("ddr-sim", *VERSIONED):  # not ddr_sim.runs.runner: the coordinator skips the model
        try:
            deps[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            deps[name] = None
    return {
        "format": 1,
        "experiment_name": spec.name,
        "experiment_source": experiment.source,
        "fingerprint": experiment.fingerprint(),
        "experiment": spec.model_dump(mode="json", by_alias=True),
        "parameters": [p.to_dict() for p in experiment.parameters],
        "design": spec.design.model_dump(mode="json"),
        "salib_problem": salib_problem(experiment.parameters),
        "replications": spec.replications,
        "points": points,
        "runs": runs,
        "outcomes": list(spec.outcomes),
        "series_variables": list(spec.series.variables) if spec.series else [],
        "series_months": list(experiment.series_months),
        "series_dates": [month_label(m, start) for m in experiment.series_months],
        "classes": {k: v.model_dump(mode="json") for k, v in spec.classes.items()},
        "scenario_source": experiment.scenario_source,
        "scenario_name": experiment.scenario["name"],
        "scenario_hash": experiment.scenario_hash,
        "calendar": {"start": start, "months": months},
        "base_scenario": experiment.scenario,
        "model_code_hash": model_code_hash(),
        "package_version": deps.pop("ddr-sim"),
        "python_version": sys.version.split()[0],
        "dependencies": deps,
        "created": utc_now(),
        "updated": utc_now(),
        "command_lines": commands,
        "status": "running",
    }


def _changed(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    """Dotted keys whose values differ between two JSON-like dicts."""
    out = []
    for key in sorted(set(old) | set(new), key=str):
        a, b = old.get(key), new.get(key)
        path = f"{prefix}{key}"
        if isinstance(a, dict) and isinstance(b, dict):
            out.extend(_changed(a, b, path + "."))
        elif a != b:
            out.append(path)
    return out


#: Source files whose content determines a run's result (hashed into ``sweep.json``).
MODEL_SOURCES = (
    "core",
    "core/mechanisms",
    "runs/indicators.py",
    "runs/tables.py",
    "config/scenario.py",
    "config/calendar.py",
)


def model_code_hash() -> str:
    """SHA-256 of the model's source files (:data:`MODEL_SOURCES`) on this machine."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for name in MODEL_SOURCES:
        path = root / name
        for file in sorted(path.glob("*.py")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def open_store(
    experiment: ResolvedExperiment,
    out: Path,
    command: str | None,
    write: bool = True,
    allow_code_change: bool = False,
) -> tuple[SweepStore, bool]:
    """The sweep folder, checked against the experiment; ``(store, exists)``.

    With ``write``, an existing folder's manifest takes the experiment's analysis-only
    fields (classes, heatmaps, description), which may be edited between runs. A folder
    whose runs were made by other model code is refused unless ``allow_code_change``.
    """
    store = SweepStore(out)
    if not store.exists:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise ExperimentError(
                [
                    experiment.problem(
                        (),
                        f"output folder {out} exists and is not a sweep folder; choose another "
                        f"--out or empty it",
                    )
                ]
            )
        return store, False
    manifest = store.manifest()
    if manifest.get("fingerprint") != experiment.fingerprint():
        old = manifest.get("experiment", {})
        new = experiment.spec.model_dump(mode="json", by_alias=True)
        changed = [
            c
            for c in _changed(old, new)
            if c.split(".")[0] not in ("description", "classes", "heatmaps", "scenario")
        ]
        if manifest.get("scenario_hash") != experiment.scenario_hash:
            changed.append("the base scenario (its hash differs)")
        raise ExperimentError(
            [
                experiment.problem(
                    (),
                    f"{out} holds a sweep of a different experiment (changed: "
                    f"{', '.join(changed) or 'the resolved parameters'}); use another --out to "
                    f"start a new sweep, or restore the experiment to resume this one",
                )
            ]
        )
    code = model_code_hash()
    if manifest.get("model_code_hash", code) != code and not allow_code_change:
        raise ExperimentError(
            [
                experiment.problem(
                    (),
                    f"the model code (ddr_sim/{', '.join(MODEL_SOURCES[:3])}, ...) changed since "
                    f"the sweep in {out} started; resuming would mix runs of two model versions. "
                    f"Use another --out, or --allow-code-change to resume anyway",
                )
            ]
        )
    if not write:
        return store, True
    if manifest.get("model_code_hash") != code:
        manifest.setdefault("model_code_history", []).append(
            {"model_code_hash": code, "from": utc_now()}
        )
        manifest["model_code_hash"] = code
    manifest["experiment"] = experiment.spec.model_dump(mode="json", by_alias=True)
    manifest["classes"] = {k: v.model_dump(mode="json") for k, v in experiment.spec.classes.items()}
    if command:
        manifest.setdefault("command_lines", []).append(command)
    store.write_manifest(manifest)
    (out / EXPERIMENT_COPY).write_text(experiment.text, encoding="utf-8")
    return store, True


def check_columns(experiment: ResolvedExperiment, columns: dict[str, str]) -> None:
    """Outcomes must be numeric columns of the summary (checked on the pilot run)."""
    problems = []
    for i, name in enumerate(experiment.spec.outcomes):
        if name not in columns:
            import difflib

            close = difflib.get_close_matches(name, list(columns), n=3)
            hint = f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""
            problems.append(
                experiment.problem(
                    ("outcomes", i),
                    f"unknown outcome {name!r}: the summary of {experiment.scenario['name']} has "
                    f"no such column{hint}; the columns are listed in ddr_sim/runs/indicators.py "
                    "and "
                    f"in the summary.csv of 'ddr-sim run'",
                )
            )
        elif columns[name] != "number":
            alt = name.removesuffix("_date") + "_month" if name.endswith("_date") else None
            hint = f"; use {alt!r}" if alt in columns else ""
            problems.append(
                experiment.problem(
                    ("outcomes", i), f"outcome {name!r} is not a number (it is text){hint}"
                )
            )
    if problems:
        raise ExperimentError(problems)


def reproduce_run(sweep_dir: str | os.PathLike[str], run_id: int) -> tuple[Any, int]:
    """The scenario and seed of one run of a sweep, to run it again on its own.

    Example::

        scenario, seed = reproduce_run("output/sweeps/trust_vs_progress", 17)
        model = DDRModel(scenario, seed).run()

    Returns
    -------
    (Scenario, int)
    """
    store = SweepStore(sweep_dir)
    manifest = store.manifest()
    parameters = [SweepParameter.from_dict(p) for p in manifest["parameters"]]
    row = store.design().set_index("run_id").loc[int(run_id)]
    settings = point_settings(parameters, row)
    return apply_settings(manifest["base_scenario"], settings), int(row["seed"])
