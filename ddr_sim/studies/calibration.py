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
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.config.experiment import apply_settings
from ddr_sim.config.loading import ScenarioError, load_scenario, scenario_hash
from ddr_sim.config.targets import LoadedTargets, evaluate, load_targets
from ddr_sim.runs.engine import execute, request, summaries
from ddr_sim.runs.executors import open_executor
from ddr_sim.runs.indicators import DEFAULT_CHECKPOINTS
from ddr_sim.runs.store import RunStore
from ddr_sim.studies.calibration_outputs import (
    CalibrationError,
    best_row,
    start_point,
    trial_attrs,
    trials_table,
    write_outputs,
)
from ddr_sim.sweeps.progress import duration_text

STUDY_NAME = "calibration"
JOURNAL = "study.journal"
#: Folder of finished runs inside the study folder.
RUNS_FOLDER = "runs"


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
    engine: _Engine,
    scenario: dict[str, Any],
    settings: list[tuple[str, Any]],
    seeds: list[int],
    columns: list[str],
    checkpoints: list[str],
) -> tuple[pd.DataFrame, list[str]]:
    """Run ``seeds`` of ``scenario`` with ``settings`` through the run engine (runs the
    store already holds are read back, not run again).

    Returns
    -------
    (pandas.DataFrame, list of str)
        One row per seed that finished (``seed`` and ``columns``), and the errors of the
        seeds that failed (or of the settings, when the scenario refuses them).

    Raises
    ------
    KeyboardInterrupt
        The runs were interrupted (what finished is in the store).
    """
    try:
        point = apply_settings(scenario, settings)
    except ScenarioError as err:
        return pd.DataFrame(columns=["seed", *columns]), [str(err)]
    requests = [request(point, seed, checkpoints=checkpoints) for seed in seeds]
    report = execute(requests, engine.store, engine.executor, engine.slots, echo=engine.log)
    engine.ran += report.ran
    engine.reused += report.reused
    if report.interrupted:
        raise KeyboardInterrupt
    if report.broken:
        raise CalibrationError(f"the workers broke ({report.broken}); run again to resume")
    collected = summaries(engine.store, requests)
    rows = [
        {"seed": req.seed, **{c: _number(row.get(c)) for c in columns}}
        for req, row in collected.rows
    ]
    errors = [
        f"seed {r.seed}: {collected.errors[r.key]}" for r in requests if r.key in collected.errors
    ]
    table = pd.DataFrame(rows, columns=["seed", *columns]).sort_values("seed")
    return table.reset_index(drop=True), errors


def _number(value: Any) -> float:
    if value is None or isinstance(value, str):
        return math.nan
    return float(value)


@dataclass
class _Engine:
    """Where a study's runs go: the store of finished runs and the executor."""

    store: RunStore
    executor: Executor
    slots: int
    log: Callable[[str], None]
    ran: int = 0
    reused: int = 0


def _sampler(seed: int, startup: int) -> Any:
    import optuna

    return optuna.samplers.TPESampler(n_startup_trials=startup, seed=seed, multivariate=True)


def _open_study(out: Path, key: str, names: list[str]) -> Any:
    """The study in ``out`` (created if new); trials cut short by a kill are marked failed
    and their points asked again first (their finished runs are in the store)."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    out.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(os.fspath(out / JOURNAL)))
    study = optuna.create_study(
        study_name=STUDY_NAME, storage=storage, direction="minimize", load_if_exists=True
    )
    found = study.user_attrs.get("fingerprint")
    if found is None:
        study.set_user_attr("fingerprint", key)
    elif found != key:
        raise CalibrationError(
            f"{out} holds a study of another scenario or targets file (fingerprint {found}, "
            f"now {key}); use another --out to start a new study"
        )
    State = optuna.trial.TrialState
    waiting = [t.params for t in study.get_trials(deepcopy=False, states=(State.WAITING,))]
    for trial in study.get_trials(states=(State.RUNNING,)):
        study.tell(trial.number, state=State.FAIL)  # interrupted earlier
        if set(trial.params) == set(names) and trial.params not in waiting:
            study.enqueue_trial(trial.params)
            waiting.append(trial.params)
    return study


def _ask(study: Any, distributions: dict[str, Any], settings: Any) -> Any:
    """The next trial, drawn by a sampler seeded with the number of finished trials: the
    points of a study do not depend on where it was interrupted and resumed."""
    import optuna

    done = len(study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,)))
    study.sampler = _sampler(settings.sampler_seed + done, settings.startup_trials)
    return study.ask(distributions)


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
    scheduler: str | None = None,
) -> pd.DataFrame:
    """Run (or resume) a calibration study until ``budget`` trials have finished.

    The runs go to ``jobs`` local worker processes, or to the Dask cluster of
    ``scheduler`` (an address such as ``tcp://host:8786``).

    Every run goes through the run engine into ``OUT/runs``; a resumed study asks again
    the point of a trial cut short and reads its finished runs back instead of running
    them. ``start`` is a ``best.yaml`` of an earlier study: a new study's first trial is
    its point (parameters it does not set are drawn as usual).

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
    log = log or (lambda text: print(text, file=sys.stderr, flush=True))
    scenario = load_scenario(scenario_path, overrides or [])
    base = scenario.model_dump(mode="json")
    targets = load_targets(targets_path, base)
    if not targets.parameters:
        raise CalibrationError(f"{targets_path}: free_parameters is empty; nothing to calibrate")
    out = Path(out)
    study = _open_study(out, fingerprint(base, targets), [p.name for p in targets.parameters])
    settings = targets.spec.calibration
    seeds = list(range(settings.seed, settings.seed + settings.seeds))
    workers = max(1, min(jobs or os.cpu_count() or 1, len(seeds)))
    done = len(trials_table(study, targets))
    if done:
        log(f"resuming {out / JOURNAL}: {done} trials finished")
    elif start is not None and not study.get_trials(deepcopy=False):
        study.enqueue_trial(start_point(start, targets), skip_if_exists=True)
    trials = write_outputs(study, targets, out, command)
    with open_executor(workers, scheduler) as (executor, slots, _):
        engine = _Engine(RunStore(out / RUNS_FOLDER), executor, slots, log)
        trials = _trials(study, targets, scenario, engine, budget, done, out, command)
    log(f"{engine.ran} runs computed by this call, {engine.reused} found in {out / RUNS_FOLDER}")
    return trials


def _trials(study, targets, scenario, engine: _Engine, budget, done, out, command) -> pd.DataFrame:
    """Ask, run and tell trials until ``budget`` have finished."""
    import optuna

    settings = targets.spec.calibration
    base = scenario.model_dump(mode="json")
    distributions = {
        p.name: optuna.distributions.FloatDistribution(
            p.spec.range[0], p.spec.range[1], log=p.spec.scale == "log"
        )
        for p in targets.parameters
    }
    seeds = list(range(settings.seed, settings.seed + settings.seeds))
    columns = sorted({t.column for t in targets.targets})
    checkpoints = checkpoints_for(targets)
    trials = trials_table(study, targets)
    t0 = time.perf_counter()
    ran = 0
    while done < budget:
        trial = _ask(study, distributions, settings)
        values = {p.name: trial.params[p.name] for p in targets.parameters}
        pairs = [s for p in targets.parameters for s in p.settings(values[p.name])]
        try:
            table, errors = run_seeds(engine, base, pairs, seeds, columns, checkpoints)
        except BaseException:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            study.enqueue_trial(trial.params)  # asked first on resuming
            raise
        if errors:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            engine.log(f"trial {trial.number} failed: {errors[0]}")
            continue
        evaluation = evaluate(targets.targets, table, scenario.calendar.start)
        for key, value in trial_attrs(evaluation).items():
            trial.set_user_attr(key, value)
        distance = evaluation.distance(settings.joint_weight)
        study.tell(trial, distance)
        done, ran = done + 1, ran + 1
        trials = write_outputs(study, targets, out, command)
        best = best_row(trials)
        left = (time.perf_counter() - t0) / ran * (budget - done)
        engine.log(
            f"trial {done}/{budget}  distance {distance:.3f}  joint {evaluation.joint_share:.2f}"
            f"  accepted {int(trials['accepted'].sum())}"
            f"  best {best['distance']:.3f} (trial {int(best['trial'])})"
            f"  ~{duration_text(left)} left"
        )
    return trials
