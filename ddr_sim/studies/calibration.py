"""``ddr-sim calibrate``: find the free behavioural parameters that land a scenario on its
targets, with Optuna's tree-structured Parzen estimator over a pattern-oriented distance.

A *trial* is one parameter set, drawn within the free parameters' prior ranges of the
targets file (:mod:`ddr_sim.config.targets`), run for the same seeds as every other trial (common
random numbers) through the sweep runner's process pool
(:func:`ddr_sim.sweeps.coordinator.run_batch`). Its distance is

    D = sum over targets of d_k + joint_weight * (1 - J)

where ``d_k`` is how far the median over seeds lies outside target k's band, in units of
the band's width (or a tenth of the observed value when wider; 0 inside the band), and
``J`` is the share of seeds that meet every band at once. A trial is *accepted*
(pattern-oriented modelling) when every median lies in its band.

The study lives in ``OUT/study.journal`` (Optuna's append-only journal file): running the
same command again resumes it up to ``--budget`` finished trials; a trial interrupted
halfway is marked failed and not counted. After every trial ``trials.csv`` (every trial:
parameters, distance, medians), ``accepted.csv`` (accepted trials) and ``best.yaml`` (the
best point as ``--set`` overrides and as a scenario fragment) are rewritten atomically.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.config.files import atomic_write
from ddr_sim.config.loading import load_scenario, scenario_hash
from ddr_sim.config.targets import Evaluation, LoadedTargets, evaluate, load_targets
from ddr_sim.runs.indicators import DEFAULT_CHECKPOINTS
from ddr_sim.sweeps.coordinator import Batch, RunSpec, duration_text, local_executor, run_batch

STUDY_NAME = "calibration"
JOURNAL = "study.journal"


def checkpoints_for(targets: LoadedTargets) -> list[str]:
    """Summary checkpoints: the defaults and the dates the targets' columns name."""
    return sorted(set(DEFAULT_CHECKPOINTS) | set(targets.spec.checkpoints()))


def fingerprint(scenario: dict[str, Any], targets: LoadedTargets) -> str:
    """What a study's trials depend on: the scenario, the targets' columns, values and
    bands, the free parameters and the settings (not the targets' wording or plots)."""
    words = {"pattern", "when", "reason", "source", "plot"}  # change no trial's distance
    data = {
        "scenario": scenario_hash_of(scenario),
        "targets": targets.spec.model_dump(
            mode="json",
            exclude={"description": True, "targets": {"__all__": words}},
        ),
    }
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def scenario_hash_of(doc: dict[str, Any]) -> str:
    from ddr_sim.config.scenario import Scenario

    return scenario_hash(Scenario.model_validate(doc))


def run_seeds(
    executor: Any,
    workers: int,
    scenario: dict[str, Any],
    settings: list[tuple[str, Any]],
    seeds: list[int],
    columns: list[str],
    checkpoints: list[str],
) -> tuple[pd.DataFrame, list[str]]:
    """Run ``seeds`` of ``scenario`` with ``settings`` on ``executor``.

    Returns
    -------
    (pandas.DataFrame, list of str)
        One row per seed that finished (``seed`` and ``columns``), and the errors of the
        seeds that failed.
    """
    specs = [RunSpec(i, seed, tuple(settings)) for i, seed in enumerate(seeds)]
    chunks = [tuple(specs[i::workers]) for i in range(workers) if specs[i::workers]]
    batches = [
        Batch(scenario, chunk, tuple(columns), tuple(checkpoints), columns=False)
        for chunk in chunks
    ]
    results = [executor.submit(run_batch, b) for b in batches]
    rows, errors = [], []
    for future in results:
        for record in future.result().records:
            if record.outcomes is None:
                errors.append(f"seed {seeds[record.run_id]}: {record.error}")
                continue
            rows.append(
                {"seed": seeds[record.run_id], **dict(zip(columns, record.outcomes, strict=True))}
            )
    table = pd.DataFrame(rows, columns=["seed", *columns]).sort_values("seed")
    return table.reset_index(drop=True), errors


def _trial_attrs(evaluation: Evaluation) -> dict[str, Any]:
    table = evaluation.table.set_index("name")
    return {
        "joint_share": evaluation.joint_share,
        "accepted": evaluation.all_medians_met,
        "medians": {k: (None if math.isnan(v) else v) for k, v in table["median"].items()},
        "share_met": table["share_met"].to_dict(),
    }


def trials_table(study: Any, targets: LoadedTargets) -> pd.DataFrame:
    """Every finished trial: number, parameters, distance, joint share, acceptance, medians."""
    import optuna

    rows = []
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)):
        attrs = trial.user_attrs
        row = {"trial": trial.number, "distance": trial.value}
        row["joint_share"] = attrs.get("joint_share")
        row["accepted"] = attrs.get("accepted")
        row.update(trial.params)
        for name, value in (attrs.get("medians") or {}).items():
            row[f"median_{name}"] = value
        rows.append(row)
    names = [p.name for p in targets.parameters]
    columns = ["trial", "distance", "joint_share", "accepted", *names]
    return pd.DataFrame(rows, columns=columns if not rows else None)


def best_row(trials: pd.DataFrame) -> pd.Series | None:
    """The best trial: among accepted ones the highest joint share, then the lowest distance;
    without accepted trials the lowest distance."""
    if trials.empty:
        return None
    accepted = trials[trials["accepted"].astype(bool)]
    if len(accepted):
        return accepted.sort_values(["joint_share", "distance"], ascending=[False, True]).iloc[0]
    return trials.sort_values("distance").iloc[0]


def _nest(flat: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, value in flat.items():
        node = out
        parts = path.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return out


def best_yaml(best: pd.Series, targets: LoadedTargets, command: str) -> str:
    """``best.yaml``: the best point as overrides and as a scenario fragment."""
    import yaml

    flat: dict[str, Any] = {}
    for par in targets.parameters:
        value = float(best[par.name])
        for path in par.paths:
            flat[path] = round(value, 6)
    header = (
        f"# Best point of a calibration: trial {int(best['trial'])}, distance "
        f"{best['distance']:.4f}, share of seeds meeting every band {best['joint_share']:.2f}, "
        f"all medians in their bands: {bool(best['accepted'])}.\n# Produced by: {command}\n"
    )
    body = {
        "trial": int(best["trial"]),
        "set": [f"{k}={v}" for k, v in flat.items()],
        "scenario": _nest(flat),
    }
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def start_point(path: str | os.PathLike[str], targets: LoadedTargets) -> dict[str, float]:
    """The values of a ``best.yaml`` for the free parameters inside their prior ranges."""
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        settings = dict(item.split("=", 1) for item in data["set"])
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as err:
        raise CalibrationError(f"{path}: not a best.yaml of a calibration ({err})") from None
    point = {}
    for par in targets.parameters:
        value = settings.get(par.paths[0])
        if value is not None and par.spec.range[0] <= float(value) <= par.spec.range[1]:
            point[par.name] = float(value)
    return point


def _write_outputs(study: Any, targets: LoadedTargets, out: Path, command: str) -> pd.DataFrame:
    trials = trials_table(study, targets)
    atomic_write(out / "trials.csv", trials.to_csv(index=False))
    accepted = trials[trials["accepted"].astype(bool)] if len(trials) else trials
    atomic_write(out / "accepted.csv", accepted.to_csv(index=False))
    best = best_row(trials)
    if best is not None:
        atomic_write(out / "best.yaml", best_yaml(best, targets, command))
    return trials


def _open_study(out: Path, key: str, sampler_seed: int, startup: int) -> Any:
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(os.fspath(out / JOURNAL)))
    sampler = optuna.samplers.TPESampler(
        n_startup_trials=startup, seed=sampler_seed, multivariate=True
    )
    study = optuna.create_study(
        study_name=STUDY_NAME,
        storage=storage,
        sampler=sampler,
        direction="minimize",
        load_if_exists=True,
    )
    found = study.user_attrs.get("fingerprint")
    if found is None:
        study.set_user_attr("fingerprint", key)
    elif found != key:
        raise CalibrationError(
            f"{out} holds a study of another scenario or targets file (fingerprint {found}, "
            f"now {key}); use another --out to start a new study"
        )
    for trial in study.get_trials(states=(optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)  # interrupted earlier
    return study


class CalibrationError(Exception):
    """The calibration cannot start or go on."""


def calibrate(
    scenario_path: str | os.PathLike[str],
    targets_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    budget: int = 100,
    jobs: int | None = None,
    overrides: list[str] | None = None,
    command: str = "",
    log: Any = None,
    start: str | os.PathLike[str] | None = None,
) -> pd.DataFrame:
    """Run (or resume) a calibration study until ``budget`` trials have finished.

    ``start`` is a ``best.yaml`` of an earlier study: a new study's first trial is its
    point (parameters it does not set are drawn as usual).

    Returns
    -------
    pandas.DataFrame
        The trials table (as written to ``trials.csv``).

    Raises
    ------
    ddr_sim.config.loading.ScenarioError
        The scenario, an override or the targets file is invalid.
    CalibrationError
        The output folder holds a study of something else.
    """
    import optuna

    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    scenario = load_scenario(scenario_path, overrides or [])
    base = scenario.model_dump(mode="json")
    targets = load_targets(targets_path, base)
    if not targets.parameters:
        raise CalibrationError(f"{targets_path}: free_parameters is empty; nothing to calibrate")
    settings = targets.spec.calibration
    out = Path(out)
    key = fingerprint(base, targets)
    study = _open_study(out, key, settings.sampler_seed, settings.startup_trials)
    distributions = {
        p.name: optuna.distributions.FloatDistribution(
            p.spec.range[0], p.spec.range[1], log=p.spec.scale == "log"
        )
        for p in targets.parameters
    }
    seeds = list(range(settings.seed, settings.seed + settings.seeds))
    columns = sorted({t.column for t in targets.targets})
    checkpoints = checkpoints_for(targets)
    calendar_start = scenario.calendar.start
    workers = max(1, min(jobs or os.cpu_count() or 1, len(seeds)))

    def finished() -> int:
        return len(study.get_trials(states=(optuna.trial.TrialState.COMPLETE,)))

    done = finished()
    if done:
        log(f"resuming {out / JOURNAL}: {done} trials finished")
    elif start is not None and not study.get_trials(deepcopy=False):
        study.enqueue_trial(start_point(start, targets), skip_if_exists=True)
    trials = _write_outputs(study, targets, out, command)
    t0 = time.perf_counter()
    ran = 0
    with local_executor(workers) as executor:
        while done < budget:
            trial = study.ask(distributions)
            values = {p.name: trial.params[p.name] for p in targets.parameters}
            pairs = [s for p in targets.parameters for s in p.settings(values[p.name])]
            try:
                table, errors = run_seeds(
                    executor, workers, base, pairs, seeds, columns, checkpoints
                )
            except BaseException:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                raise
            if errors:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
                log(f"trial {trial.number} failed: {errors[0]}")
                continue
            evaluation = evaluate(targets.targets, table, calendar_start)
            for key, value in _trial_attrs(evaluation).items():
                trial.set_user_attr(key, value)
            study.tell(trial, evaluation.distance(settings.joint_weight))
            done += 1
            ran += 1
            trials = _write_outputs(study, targets, out, command)
            best = best_row(trials)
            left = (time.perf_counter() - t0) / ran * (budget - done)
            log(
                f"trial {done}/{budget}  distance {evaluation.distance(settings.joint_weight):.3f}"
                f"  joint {evaluation.joint_share:.2f}  accepted {int(trials['accepted'].sum())}"
                f"  best {best['distance']:.3f} (trial {int(best['trial'])})"
                f"  ~{duration_text(left)} left"
            )
    return trials
