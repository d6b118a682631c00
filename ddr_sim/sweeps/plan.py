"""The runs of a sweep: its design, the runs still to run, their batches, its folder."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ddr_sim.config.experiment import ResolvedExperiment
from ddr_sim.sweeps.designs import design_points, point_settings, runs_table
from ddr_sim.sweeps.folder import manifest
from ddr_sim.sweeps.store import EXPERIMENT_COPY, FAILED, SCENARIO_COPY, SweepStore
from ddr_sim.sweeps.worker import Batch, RunSpec


@dataclass
class Plan:
    """The runs of a sweep and which of them are still to run."""

    design: pd.DataFrame
    pending: np.ndarray
    resuming: bool
    recovered: int = 0
    recorded: int = 0
    n_failed: int = 0
    cursor: int = 0

    @property
    def total(self) -> int:
        return len(self.design)

    @property
    def points(self) -> int:
        return int(self.design["point"].max()) + 1 if self.total else 0


def plan_runs(
    experiment: ResolvedExperiment, store: SweepStore, resuming: bool, write: bool, retry: bool
) -> Plan:
    spec = experiment.spec
    if not resuming:
        points, _ = design_points(experiment.parameters, spec.design)
        design = runs_table(points, spec.replications, spec.seed, spec.common_random_numbers)
        return Plan(design, design["run_id"].to_numpy(np.int64), False)
    recovered = store.recover() if write else 0
    design = store.design()
    recorded = store.recorded()
    status = dict(zip(recorded["run_id"].astype(int), recorded["status"], strict=True))
    redo = {FAILED} if retry else set()
    pending = [i for i in design["run_id"].tolist() if i not in status or status[i] in redo]
    n_failed = sum(1 for s in status.values() if s == FAILED)
    return Plan(design, np.array(pending, np.int64), True, recovered, len(status), n_failed)


def batch_maker(experiment: ResolvedExperiment, design: pd.DataFrame) -> Callable[..., Batch]:
    spec = experiment.spec
    parameters = experiment.parameters

    def make_batch(ids: Sequence[int], columns: bool = False) -> Batch:
        runs = []
        for run_id in ids:
            row = design.iloc[int(run_id)]
            settings = tuple(point_settings(parameters, row))
            runs.append(RunSpec(run_id=int(run_id), seed=int(row["seed"]), settings=settings))
        return Batch(
            scenario=experiment.scenario,
            runs=tuple(runs),
            outcomes=tuple(spec.outcomes),
            checkpoints=None if spec.checkpoints is None else tuple(spec.checkpoints),
            series_variables=tuple(spec.series.variables) if spec.series else (),
            series_months=experiment.series_months,
            columns=columns,
        )

    return make_batch


def initialize(store: SweepStore, experiment: ResolvedExperiment, plan: Plan, command) -> None:
    from ddr_sim.config.loading import resolved_yaml
    from ddr_sim.config.scenario import Scenario

    _, sample = design_points(experiment.parameters, experiment.spec.design)
    sample_table = None
    if sample is not None:
        sample_table = pd.DataFrame(sample, columns=[p.name for p in experiment.parameters])
        sample_table.insert(0, "point", np.arange(len(sample), dtype=np.int64))
    store.initialize(
        manifest(experiment, plan.total, plan.points, [command] if command else []),
        plan.design,
        sample_table,
        {
            EXPERIMENT_COPY: experiment.text,
            SCENARIO_COPY: resolved_yaml(Scenario.model_validate(experiment.scenario)),
        },
    )
