"""The runs of a comparison: baseline and variants for the same seeds, through the engine,
then the combinations of the best policies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ddr_sim.config.loading import scenario_hash
from ddr_sim.config.policies import BASELINE
from ddr_sim.runs.engine import EngineReport, RunRequest, execute, request, summaries
from ddr_sim.runs.store import RunStore
from ddr_sim.studies.compare_prepare import Prepared
from ddr_sim.studies.compare_prepare import combine as _combine
from ddr_sim.studies.compare_stats import ranking, summaries_table


@dataclass
class Session:
    """The runs of one comparison call: what was asked, and what the engine did."""

    prepared: Prepared
    seeds: list[int]
    checkpoints: tuple[str, ...]
    store: RunStore
    executor: Executor
    slots: int
    progress: bool
    echo: Callable[[str], None] | None
    requests: list[RunRequest] = field(default_factory=list)
    reports: list[EngineReport] = field(default_factory=list)

    def run(self, names: Sequence[str]) -> EngineReport:
        """Run the seeds of ``names`` (those the store does not hold yet)."""
        new = [
            request(
                self.prepared.scenarios[name],
                seed,
                label=name,
                checkpoints=self.checkpoints,
                keep=("headline",),
            )
            for seed in self.seeds
            for name in names
        ]
        self.requests.extend(new)
        report = execute(
            new,
            self.store,
            self.executor,
            self.slots,
            progress=self.progress,
            desc="compare",
            echo=self.echo,
        )
        self.reports.append(report)
        return report

    @property
    def stopped(self) -> bool:
        return any(r.interrupted or r.broken for r in self.reports)

    def rows(self) -> tuple[list[dict[str, Any]], dict[tuple[str, int], str], float]:
        """Summary rows (with their policy and scenario hash), errors and run seconds."""
        collected = summaries(self.store, self.requests)
        hashes = {name: scenario_hash(sc) for name, sc in self.prepared.scenarios.items()}
        rows = [
            {"policy": req.label, "scenario_hash": hashes[req.label], **row}
            for req, row in collected.rows
        ]
        errors = {
            (r.label, r.seed): collected.errors[r.key]
            for r in self.requests
            if r.key in collected.errors
        }
        return rows, errors, collected.seconds

    def headline(self, order: list[str]) -> pd.DataFrame:
        """The headline series of every run, with its policy, in policy and seed order."""
        parts = self.store.parts("headline", [r.key for r in self.requests])
        if not parts:
            return pd.DataFrame()
        data = pd.concat(parts, ignore_index=True)
        frames = []
        for name in order:
            keys = {r.key for r in self.requests if r.label == name}
            frames.append(data[data["key"].isin(keys)].assign(policy=name))
        table = pd.concat(frames, ignore_index=True).drop(columns="key")
        table["policy"] = pd.Categorical(table["policy"], categories=order)
        table = table.sort_values(["policy", "seed", "month"], kind="stable")
        table["policy"] = table["policy"].astype(str)
        return table[["policy", *[c for c in table.columns if c != "policy"]]].reset_index(
            drop=True
        )


def seed_list(seeds: int | Iterable[int]) -> list[int]:
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list or len(set(seed_list)) != len(seed_list):
        raise ValueError(f"seeds must be distinct and at least one: {seed_list}")
    return seed_list


def run_all(session: Session) -> dict[str, dict[str, Any]]:
    """Run the baseline and the policies, then the combinations of the best ones."""
    prepared = session.prepared
    singles = list(prepared.scenarios)
    session.run(singles)
    combos = [p for p in prepared.policies.spec.policies if p.combine_best is not None]
    combined: dict[str, dict[str, Any]] = {}
    if not combos or session.stopped:
        return combined
    rows, _, _ = session.rows()
    order = ranking(summaries_table(rows), [n for n in singles if n != BASELINE])
    names = []
    for policy in combos:
        combined[policy.name] = info = _combine(prepared, policy, order)
        if info["policies"]:
            names.append(policy.name)
    if names:
        session.run(names)
    return combined
