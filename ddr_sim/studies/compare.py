"""Policy comparison: what would each recommendation have changed, with uncertainty?

``ddr-sim compare POLICIES --seeds N --out DIR`` runs a baseline scenario and every policy
of a policy file for the same seeds 0..N-1 and reports, per policy, the change against the
baseline at two horizons (an interim date, default 2020-12, and the end of the run).

Policy file
-----------
A YAML mapping::

    baseline: ../scenarios/mali_2013_2023.yaml   # relative to the policy file
    horizon: "2020-12"                           # optional interim horizon
    policies:
      - name: cvr_doubled                        # unique; letters, digits, _ and -
        title: CVR doubled                       # optional short label
        stands_for: >                            # the real-world choice, one sentence
          Double community violence reduction funding to USD 6 M a year.
        set:                                     # overrides on the baseline
          programmes.cvr.budget_usd_per_year: 6000000
      - name: best_three
        stands_for: The three best policies together.
        combine_best: 3

``set`` maps dotted scenario paths to values exactly as ``ddr-sim run --set path=value``
does (lists of named items are indexable by name: ``events.mission_exit_2023.enabled``).
``combine_best: N`` is filled in after the other policies ran: the overrides of the N
best of them by the ranking criterion (:data:`RANKING`), among those whose median change
is positive; when two of them set the same path differently, the lower-ranked one is
skipped for the next. Every policy is validated against the scenario schema before any
run starts; an invalid one stops the command (exit code 2) naming the policy and the
field.

Common random numbers
---------------------
A run is a pure function of ``(scenario, seed)`` (``DDRModel``), so the baseline and every
policy run with the same seeds and each policy is compared with the baseline seed by seed
(paired differences). A policy identical to the baseline gives exactly zero in every
seed. A lever changes the draws that follow it, so pairing removes the noise the runs
share (the same world up to the first change), not all of it.

Indicators and intervals
------------------------
Per horizon (:data:`MEASURES`): cumulative integrated, cumulative reinserted, stall
months, defections (by the interim horizon: all defections so far; at the end: the
defections of the final calendar year, in Mali the 2023 collapse), army-group clashes
and programme cost (USD, ``cost_total_usd``). For each, the median over seeds of the
paired difference and its 90 % interval (5th to 95th percentile of the per-seed
differences), noted when it contains zero. Effect per dollar and the ranking use net
exits, integrated + reinserted - defections, at the end of the run.

Execution
---------
:func:`execute` runs :class:`RunTask` objects on any ``concurrent.futures.Executor``
(default: :func:`process_pool`, ``--jobs`` workers; the sweep runner's pool when it is
installed) or in this process; a run that raises is recorded and the others go on.

Outputs (``DIR``)
-----------------
``report.md``, ``differences.csv`` (policy, seed, horizon, measure, indicator, baseline,
policy value, difference), ``summaries.parquet`` (every run's summary row, with its
policy), ``policies.resolved.yaml`` (every policy's overrides, the combination included),
``differences_<horizon>.png`` and ``differences_end.png`` (one panel per indicator,
median and 90 % interval per policy), ``errors.txt`` when a run failed. Files are written
under a temporary name and renamed.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pydantic
import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ddr_sim.config.calendar import month_index, month_label, parse_month
from ddr_sim.config.files import atomic_write as _atomic
from ddr_sim.config.loading import Problem, ScenarioError, load_scenario, scenario_hash
from ddr_sim.config.scenario import Month

if TYPE_CHECKING:
    import pandas as pd

    from ddr_sim.config.scenario import Scenario

BASELINE = "baseline"
DEFAULT_HORIZON = "2020-12"
END = "end"

REPORT_FILE = "report.md"
DIFFERENCES_FILE = "differences.csv"
SUMMARIES_FILE = "summaries.parquet"
POLICIES_FILE = "policies.resolved.yaml"
ERRORS_FILE = "errors.txt"

#: Summary checkpoints every comparison run records (the horizon is added).
CHECKPOINTS: tuple[str, ...] = ("2018-03", "2018-11", "2020-06", "2020-12", "2023-02")


# --------------------------------------------------------------------------------------------
# Indicators


@dataclass(frozen=True)
class Measure:
    """One indicator of the report, read from the summary at a horizon.

    Attributes
    ----------
    key : str
        Short name (``differences.csv`` column ``measure``).
    label : str
        Label in the report.
    end : str
        Summary column at the end of the run (``{year}``: the final calendar year).
    at : str
        Summary column at the interim horizon (``{date}``: the horizon as ``yyyy_mm``).
    scale : float
        Multiplier for display (cost in USD millions).
    unit : str
        Unit shown in the report.
    better : int
        +1 when more is better, -1 when less is better, 0 when neither.
    end_label : str or None
        Label at the end of the run when it differs (``{year}``: the final calendar year).
    """

    key: str
    label: str
    end: str
    at: str
    scale: float = 1.0
    unit: str = "people"
    better: int = 1
    end_label: str | None = None

    def column(self, horizon: str, year: int) -> str:
        if horizon == END:
            return self.end.format(year=year)
        return self.at.format(date=horizon.replace("-", "_"))

    def title(self, horizon: str, year: int) -> str:
        if horizon == END and self.end_label:
            return self.end_label.format(year=year)
        return self.label


MEASURES: tuple[Measure, ...] = (
    Measure("integrated", "integrated (cumulative)", "integrated_total", "integrated_by_{date}"),
    Measure("reinserted", "reinserted (cumulative)", "reinserted_total", "reinserted_by_{date}"),
    Measure(
        "stall_months",
        "stall months",
        "stall_months",
        "stall_months_by_{date}",
        unit="months",
        better=-1,
    ),
    Measure(
        "defections",
        "defections (cumulative)",
        "rejoined_{year}",
        "rejoined_by_{date}",
        better=-1,
        end_label="defections in {year} (final collapse)",
    ),
    Measure(
        "clashes",
        "army-group clashes",
        "clashes_total",
        "clashes_by_{date}",
        unit="clashes",
        better=-1,
    ),
    Measure(
        "cost_usd_m",
        "programme cost (USD M)",
        "cost_total_usd",
        "cost_total_usd_by_{date}",
        scale=1e-6,
        unit="USD M",
        better=0,
    ),
)

#: The ranking criterion (and the one ``combine_best`` picks by): net exits at the end.
RANKING = "net_exits"
RANKING_TEXT = (
    "median over seeds of the paired change in net exits by the end of the run "
    "(integrated + reinserted - all defections after integration); ties broken by the "
    "mean change"
)


def net_exits(summary: pd.DataFrame) -> pd.Series:
    """Integrated + reinserted - defections over the whole run, per summary row."""
    return summary["integrated_total"] + summary["reinserted_total"] - summary["rejoined_total"]


# --------------------------------------------------------------------------------------------
# The policy file

_NAME = r"^[A-Za-z][A-Za-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicySpec(_Strict):
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
        return [f"{path}={_value_text(value)}" for path, value in self.set.items()]


class PolicyFile(_Strict):
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


def _value_text(value: Any) -> str:
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
    from ddr_sim.config import loading

    source = os.fspath(path)
    try:
        text = Path(source).read_text(encoding="utf-8")
    except OSError as err:
        raise ScenarioError(
            [Problem(source, None, "", f"cannot read the policy file: {err.strerror or err}")]
        ) from None
    except UnicodeDecodeError as err:
        raise ScenarioError(
            [Problem(source, None, "", f"not UTF-8 text (byte {err.start}): not a policy file")]
        ) from None
    doc, line = loading._parse_yaml(text, source)  # mappings that remember their lines
    if not isinstance(doc, dict):
        raise ScenarioError(
            [Problem(source, line, "", "a policy file is a mapping with baseline and policies")]
        )
    try:
        spec = PolicyFile.model_validate(loading._plain(doc))
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            (file, at), _ = loading._position(doc, loc, source)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                message = f"unknown key {loc[-1]!r}"
            elif err["type"] not in ("value_error", "missing"):
                message += f" (got {err['input']!r})"
            problems.append(Problem(file, at, ".".join(str(s) for s in loc), message))
        raise ScenarioError(problems) from None
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


# --------------------------------------------------------------------------------------------
# Runs


@dataclass(frozen=True)
class RunTask:
    """One run: a policy's scenario with one seed."""

    policy: str
    seed: int
    scenario: Scenario
    checkpoints: tuple[str, ...] = CHECKPOINTS


@dataclass
class RunOutcome:
    """What one run gave: its summary row, or the traceback of its failure."""

    policy: str
    seed: int
    row: dict[str, Any] | None
    error: str | None = None
    seconds: float = 0.0


def run_task(task: RunTask) -> RunOutcome:
    """Run one task (in any process) and return its outcome; never raises on a model error."""
    from ddr_sim.core.model import DDRModel
    from ddr_sim.runs.indicators import summarize

    started = time.perf_counter()
    try:
        model = DDRModel(task.scenario, seed=task.seed).run()
        row = summarize(model, task.seed, task.checkpoints)
    except Exception:
        return RunOutcome(
            task.policy, task.seed, None, traceback.format_exc(), time.perf_counter() - started
        )
    return RunOutcome(task.policy, task.seed, row, None, time.perf_counter() - started)


def execute(tasks: Sequence[RunTask], executor: Executor | None = None) -> Iterator[RunOutcome]:
    """Run ``tasks`` and yield their outcomes as they finish.

    Parameters
    ----------
    tasks : sequence of RunTask
        The runs.
    executor : concurrent.futures.Executor, optional
        Where to run them (e.g. a ``ProcessPoolExecutor``); None runs them here, one after
        the other. This is the one place to plug in another runner.
    """
    if executor is None:
        for task in tasks:
            yield run_task(task)
        return
    futures = {executor.submit(run_task, task): task for task in tasks}
    try:
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield future.result()
            except Exception:  # the worker itself died (e.g. out of memory)
                yield RunOutcome(task.policy, task.seed, None, traceback.format_exc())
    finally:
        for future in futures:
            future.cancel()


def process_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` worker processes on this machine.

    The sweep runner's pool (``ddr_sim.sweeps.coordinator.local_executor``: forkserver, model
    preloaded, workers that exit if this process dies) when it is installed, else a plain
    'spawn' pool.
    """
    try:
        from ddr_sim.sweeps.coordinator import local_executor
    except ImportError:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    return local_executor(jobs)


# --------------------------------------------------------------------------------------------
# Comparison


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
    cal = base.calendar
    end = month_label(cal.months - 1, cal.start)
    chosen = horizon or policies.spec.horizon or DEFAULT_HORIZON
    try:
        parse_month(chosen)
    except ValueError as err:
        raise ScenarioError([Problem("--horizon", None, "horizon", str(err))]) from None
    notes = []
    horizons = [END]
    k = month_index(chosen, cal.start)
    if 0 <= k < cal.months - 1:
        horizons.insert(0, chosen)
    else:
        notes.append(
            f"The interim horizon {chosen} is not inside the calendar before its last month "
            f"({cal.start} to {end}); only the end of the run is reported."
        )
    return Prepared(
        policies=policies,
        baseline=base,
        scenarios=scenarios,
        overrides=overrides,
        shared_overrides=shared,
        baseline_source=source,
        horizons=horizons,
        final_year=int(end[:4]),
        notes=notes,
    )


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


@dataclass
class Comparison:
    """Everything a comparison produced (see :func:`compare`)."""

    prepared: Prepared
    seeds: list[int]
    summaries: pd.DataFrame
    differences: pd.DataFrame
    stats: pd.DataFrame
    ranking: pd.DataFrame
    combined: dict[str, dict[str, Any]]
    errors: dict[tuple[str, int], str]
    interrupted: bool
    seconds: float
    jobs: int
    started: str
    command_line: str | None = None
    run_seconds: float = 0.0


def compare(
    policy_file: str | os.PathLike[str],
    seeds: int | Iterable[int] = 20,
    *,
    executor: Executor | None = None,
    jobs: int = 1,
    baseline: str | os.PathLike[str] | None = None,
    horizon: str | None = None,
    shared_overrides: Sequence[str] = (),
    progress: bool = False,
    prepared: Prepared | None = None,
) -> Comparison:
    """Run the baseline and every policy for the same seeds and compare them pairwise.

    Parameters
    ----------
    policy_file : path
        The policy file (see the module docstring).
    seeds : int or iterable of int
        ``N`` runs seeds ``0..N-1``; a list runs exactly those.
    executor : concurrent.futures.Executor, optional
        Where the runs go (None: in this process, one after the other).
    jobs : int
        Recorded in the report (the executor's worker count).
    baseline, horizon, shared_overrides
        See :func:`prepare`.
    progress : bool
        Show a progress bar over the runs.
    prepared : Prepared, optional
        The result of :func:`prepare`, when already done.

    Returns
    -------
    Comparison

    Raises
    ------
    ScenarioError
        The policy file, the baseline or a policy is invalid.
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    started = datetime.now(UTC).isoformat(timespec="seconds")
    if prepared is None:
        prepared = prepare(policy_file, baseline, horizon, shared_overrides)
    # combinations are added to these as they are built: keep the caller's object as it was
    prepared = dataclasses.replace(
        prepared, scenarios=dict(prepared.scenarios), overrides=dict(prepared.overrides)
    )
    seed_list = list(range(seeds)) if isinstance(seeds, int) else [int(s) for s in seeds]
    if not seed_list or len(set(seed_list)) != len(seed_list):
        raise ValueError(f"seeds must be distinct and at least one: {seed_list}")
    checkpoints = tuple(sorted(set(CHECKPOINTS) | {h for h in prepared.horizons if h != END}))
    combos = [p for p in prepared.policies.spec.policies if p.combine_best is not None]
    singles = list(prepared.scenarios)
    total = len(seed_list) * (len(singles) + len(combos))
    bar = tqdm(total=total, desc="compare", unit="run", disable=not progress, file=sys.stderr)
    rows: list[dict[str, Any]] = []
    errors: dict[tuple[str, int], str] = {}
    hashes = {name: scenario_hash(sc) for name, sc in prepared.scenarios.items()}
    interrupted = False
    run_seconds = 0.0

    def run_all(names: list[str]) -> None:
        nonlocal run_seconds
        tasks = [
            RunTask(name, seed, prepared.scenarios[name], checkpoints)
            for seed in seed_list
            for name in names
        ]
        for outcome in execute(tasks, executor):
            run_seconds += outcome.seconds
            if outcome.row is None:
                errors[(outcome.policy, outcome.seed)] = outcome.error or "unknown error"
            else:
                rows.append(
                    {
                        "policy": outcome.policy,
                        "scenario_hash": hashes[outcome.policy],
                        **outcome.row,
                    }
                )
            bar.update(1)

    combined: dict[str, dict[str, Any]] = {}
    try:
        run_all(singles)
        if combos:
            summaries = _summaries(rows)
            ranking = _ranking(summaries, [n for n in singles if n != BASELINE])
            names = []
            for policy in combos:
                info = _combine(prepared, policy, ranking)
                combined[policy.name] = info
                if info["policies"]:
                    hashes[policy.name] = scenario_hash(prepared.scenarios[policy.name])
                    names.append(policy.name)
                else:
                    bar.update(len(seed_list))
            if names:
                run_all(names)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        bar.close()
    summaries = _summaries(rows)
    order = [BASELINE] + [
        p.name for p in prepared.policies.spec.policies if p.name in prepared.scenarios
    ]
    differences = _differences(summaries, prepared, order)
    stats = _stats(differences)
    ranking = _ranking(summaries, [n for n in order if n != BASELINE])
    return Comparison(
        prepared=prepared,
        seeds=seed_list,
        summaries=summaries,
        differences=differences,
        stats=stats,
        ranking=ranking,
        combined=combined,
        errors=errors,
        interrupted=interrupted,
        seconds=time.perf_counter() - t0,
        jobs=jobs,
        started=started,
        run_seconds=run_seconds,
    )


def _summaries(rows: list[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    table = pd.DataFrame(rows)
    if table.empty:
        return pd.DataFrame(columns=["policy", "seed"])
    table = table.sort_values(["policy", "seed"], kind="stable").reset_index(drop=True)
    for column in table.columns:  # text columns: missing values as None (for Parquet)
        if table[column].dtype == object:
            table[column] = table[column].astype(object).where(table[column].notna(), None)
    return table


def _paired(summaries: pd.DataFrame, policy: str, column: str | Callable) -> pd.DataFrame:
    """Baseline and policy values of one indicator, for the seeds both finished."""
    import pandas as pd

    def values(name: str) -> pd.Series:
        part = summaries[summaries["policy"] == name].set_index("seed")
        if callable(column):
            return column(part).astype(float)
        if column not in part.columns:
            return pd.Series(0.0, index=part.index)  # e.g. no defection column: none
        return pd.to_numeric(part[column], errors="coerce").fillna(0.0).astype(float)

    both = pd.concat({"baseline": values(BASELINE), "policy": values(policy)}, axis=1)
    both = both.dropna()
    both["difference"] = both["policy"] - both["baseline"]
    return both


def _differences(summaries: pd.DataFrame, prepared: Prepared, order: list[str]) -> pd.DataFrame:
    """Paired differences: one row per policy, seed, horizon and measure."""
    import pandas as pd

    parts = []
    if summaries.empty:
        return pd.DataFrame(
            columns=[
                "policy",
                "seed",
                "horizon",
                "measure",
                "indicator",
                "baseline",
                "policy_value",
                "difference",
            ]
        )
    for policy in order:
        if policy == BASELINE:
            continue
        for horizon in prepared.horizons:
            for m in MEASURES:
                column = m.column(horizon, prepared.final_year)
                paired = _paired(summaries, policy, column)
                parts.append(_long(paired, policy, horizon, m.key, column))
        parts.append(_long(_paired(summaries, policy, net_exits), policy, END, RANKING, RANKING))
    table = pd.concat(parts, ignore_index=True)
    return table


def _long(paired: pd.DataFrame, policy: str, horizon: str, measure: str, column: str):
    import pandas as pd

    return pd.DataFrame(
        {
            "policy": policy,
            "seed": paired.index.astype(int),
            "horizon": horizon,
            "measure": measure,
            "indicator": column,
            "baseline": paired["baseline"].to_numpy(),
            "policy_value": paired["policy"].to_numpy(),
            "difference": paired["difference"].to_numpy(),
        }
    )


def interval(values: Iterable[float]) -> dict[str, float]:
    """Median, 5th and 95th percentile, mean and count of ``values``."""
    import numpy as np

    v = np.asarray(list(values), float)
    if len(v) == 0:
        nan = float("nan")
        return {"median": nan, "p05": nan, "p95": nan, "mean": nan, "n": 0}
    return {
        "median": float(np.median(v)),
        "p05": float(np.quantile(v, 0.05)),
        "p95": float(np.quantile(v, 0.95)),
        "mean": float(v.mean()),
        "n": len(v),
    }


def contains_zero(p05: float, p95: float) -> bool:
    return p05 <= 0.0 <= p95


def _stats(differences: pd.DataFrame) -> pd.DataFrame:
    """Median and 90 % interval of the differences per policy, horizon and measure."""
    import pandas as pd

    rows = []
    keys = ["policy", "horizon", "measure"]
    for (policy, horizon, measure), part in differences.groupby(keys, sort=False):
        d = interval(part["difference"])
        b = interval(part["baseline"])
        p = interval(part["policy_value"])
        rows.append(
            {
                "policy": policy,
                "horizon": horizon,
                "measure": measure,
                **d,
                "contains_zero": contains_zero(d["p05"], d["p95"]),
                "share_positive": float((part["difference"] > 0).mean()),
                "share_negative": float((part["difference"] < 0).mean()),
                "baseline_median": b["median"],
                "policy_median": p["median"],
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            *keys,
            "median",
            "p05",
            "p95",
            "mean",
            "n",
            "contains_zero",
            "share_positive",
            "share_negative",
            "baseline_median",
            "policy_median",
        ],
    )


def _ranking(summaries: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Policies by the ranking criterion, best first."""
    import pandas as pd

    rows = []
    for name in names:
        if summaries.empty or not (summaries["policy"] == name).any():
            continue
        paired = _paired(summaries, name, net_exits)
        if paired.empty:
            continue
        stat = interval(paired["difference"])
        rows.append(
            {
                "policy": name,
                **stat,
                "contains_zero": contains_zero(stat["p05"], stat["p95"]),
                "share_positive": float((paired["difference"] > 0).mean()),
            }
        )
    table = pd.DataFrame(
        rows,
        columns=["policy", "median", "p05", "p95", "mean", "n", "contains_zero", "share_positive"],
    )
    table = table.sort_values(["median", "mean"], ascending=False, kind="stable")
    table.insert(0, "rank", range(1, len(table) + 1))
    return table.reset_index(drop=True)


def _combine(prepared: Prepared, policy: PolicySpec, ranking: pd.DataFrame) -> dict[str, Any]:
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
    overrides = [f"{k}={_value_text(v)}" for k, v in values.items()]
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


# --------------------------------------------------------------------------------------------
# Writing


def _text(path: Path, text: str) -> Path:
    return _atomic(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def save(comparison: Comparison, out_dir: str | os.PathLike[str], plots: bool = True) -> list[Path]:
    """Write the report, tables and figures into ``out_dir``; return the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    (out / ERRORS_FILE).unlink(missing_ok=True)
    summaries = comparison.summaries
    written.append(
        _atomic(out / SUMMARIES_FILE, lambda tmp: summaries.to_parquet(tmp, index=False))
    )
    written.append(
        _atomic(out / DIFFERENCES_FILE, lambda tmp: comparison.differences.to_csv(tmp, index=False))
    )
    written.append(_text(out / POLICIES_FILE, _policies_yaml(comparison)))
    if comparison.errors:
        text = "\n".join(
            f"--- {policy}, seed {seed} ---\n{tb}"
            for (policy, seed), tb in sorted(comparison.errors.items())
        )
        written.append(_text(out / ERRORS_FILE, text))
    figures: list[Path] = []
    for old in out.glob("differences_*.png"):
        old.unlink()
    if plots and not comparison.stats.empty:
        figures = plot_differences(comparison, out)
        written.extend(figures)
    written.append(_text(out / REPORT_FILE, report(comparison, figures)))
    return written


def _policies_yaml(comparison: Comparison) -> str:
    prepared = comparison.prepared
    doc: dict[str, Any] = {
        "baseline": prepared.baseline_source,
        "baseline_hash": scenario_hash(prepared.baseline),
        "shared_overrides": prepared.shared_overrides,
        "policies": [],
    }
    for policy in prepared.policies.spec.policies:
        entry: dict[str, Any] = {"name": policy.name, "stands_for": policy.stands_for.strip()}
        if policy.combine_best is not None:
            info = comparison.combined.get(policy.name, {})
            entry["combine_best"] = policy.combine_best
            entry["combines"] = info.get("policies", [])
            if info.get("note"):
                entry["note"] = info["note"]
            entry["set"] = info.get("set", {})
        else:
            entry["set"] = dict(policy.set)
        if policy.name in prepared.scenarios:
            entry["scenario_hash"] = scenario_hash(prepared.scenarios[policy.name])
        doc["policies"].append(entry)
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def _fmt(value: float, scale: float = 1.0, signed: bool = True) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    v = value * scale
    if scale != 1.0:
        text = f"{v:+,.1f}" if signed else f"{v:,.1f}"
    elif float(v).is_integer() or abs(v) >= 10:
        text = f"{v:+,.0f}" if signed else f"{v:,.0f}"
    else:
        text = f"{v:+,.1f}" if signed else f"{v:,.1f}"
    if signed and text.lstrip("+-").replace("0", "").strip(".,") == "":
        return "0"
    return text


def _cell(stat: Any, scale: float = 1.0) -> str:
    if stat is None:
        return "-"
    text = f"{_fmt(stat['median'], scale)} [{_fmt(stat['p05'], scale)}, {_fmt(stat['p95'], scale)}]"
    if stat["contains_zero"]:
        text += " (interval contains 0)"
    return text


def _horizon_label(horizon: str, comparison: Comparison) -> str:
    if horizon == END:
        cal = comparison.prepared.baseline.calendar
        return f"by the end of the run ({month_label(cal.months - 1, cal.start)})"
    return f"by {horizon}"


def _label(comparison: Comparison, name: str) -> str:
    if name == BASELINE:
        return "baseline"
    for p in comparison.prepared.policies.spec.policies:
        if p.name == name:
            return p.label
    return name


def _stat(comparison: Comparison, policy: str, horizon: str, measure: str):
    s = comparison.stats
    hit = s[(s["policy"] == policy) & (s["horizon"] == horizon) & (s["measure"] == measure)]
    return None if hit.empty else hit.iloc[0]


def _baseline_stat(comparison: Comparison, column: str | Callable) -> dict[str, float] | None:
    import pandas as pd

    part = comparison.summaries[comparison.summaries["policy"] == BASELINE]
    if part.empty:
        return None
    if callable(column):
        values = column(part)
    elif column in part.columns:
        values = pd.to_numeric(part[column], errors="coerce").fillna(0.0)
    else:
        values = pd.Series(0.0, index=part.index)
    return interval(values)


def report(comparison: Comparison, figures: Sequence[Path] = ()) -> str:
    """The Markdown report of a comparison."""
    c = comparison
    p = c.prepared
    year = p.final_year
    order = [n for n in c.stats["policy"].unique()] if not c.stats.empty else []
    lines: list[str] = []
    add = lines.append
    add(f"# Policy comparison: {p.baseline.name}")
    add("")
    if c.command_line:
        add(f"Command: `{c.command_line}`")
        add("")
    n_runs = len(c.summaries)
    add("| | |")
    add("|---|---|")
    add(f"| policy file | `{os.fspath(p.policies.path)}` |")
    add(f"| baseline | `{p.baseline_source}` (scenario hash `{scenario_hash(p.baseline)[:16]}`) |")
    if p.shared_overrides:
        add(f"| overrides on every scenario | `{' '.join(p.shared_overrides)}` |")
    add(f"| seeds | {len(c.seeds)} ({_seed_text(c.seeds)}), the same for every policy |")
    add(f"| runs | {n_runs} finished, {len(c.errors)} failed |")
    add(
        f"| time | {c.seconds:,.0f} s wall ({c.jobs} worker{'s' if c.jobs != 1 else ''}; "
        f"{c.run_seconds / max(n_runs + len(c.errors), 1):.1f} s per run) |"
    )
    add(f"| started | {c.started} |")
    add("")
    if c.interrupted:
        add(
            "**Interrupted:** the comparison was stopped before every run finished; the "
            "tables use the seeds that finished for both the baseline and the policy."
        )
        add("")
    if c.errors:
        failed = ", ".join(f"{pol} seed {seed}" for pol, seed in sorted(c.errors))
        add(
            f"**Failed runs** (tracebacks in `{ERRORS_FILE}`; those seeds are left out of "
            f"the policy's comparison, all policies' when the baseline failed): {failed}."
        )
        add("")
    for note in p.notes:
        add(f"*Note:* {note}")
        add("")
    add("## How to read this")
    add("")
    add(
        "Every policy runs with the same seeds as the baseline (common random numbers): a run "
        "is a pure function of scenario and seed, so each policy is compared with the "
        "baseline seed by seed, and a policy identical to the baseline differs by exactly 0. "
        "A cell gives the **median paired difference** (policy - baseline) and, in brackets, "
        "its **90 % interval over seeds** (5th to 95th percentile of the per-seed "
        "differences): the spread of the effect across the simulated worlds, not a "
        "confidence interval of the median. '(interval contains 0)' marks a change that goes "
        "either way (or is nil) across seeds."
    )
    add("")
    add("Indicators:")
    add("")
    add(
        "- *integrated*, *reinserted*: people who entered integration / civilian "
        "reinsertion, cumulative;"
    )
    add(
        "- *stall months*: months with a programme open and no net exit of signatory-group "
        "members into integration or reinsertion;"
    )
    add(
        f"- *defections*: integrated people who went back to their group; by the interim "
        f"horizon all of them so far, at the end those of the final calendar year ({year}: "
        f"for Mali, the collapse after the mission's exit);"
    )
    add("- *clashes*: army-group clashes;")
    add(
        "- *cost*: programme cost in USD millions (`cost_total_usd`: CVR, sites, support in "
        "assembly areas, MOC salaries and support, registration, trainees' pay, "
        "integration and reinsertion unit costs, committee allowances; unit costs from the "
        "scenario, see docs/ODD.md section 8);"
    )
    add(
        "- *net exits* (ranking, effect per dollar): integrated + reinserted - all "
        "defections, by the end of the run."
    )
    add("")

    for horizon in p.horizons:
        add(f"## Changes against the baseline {_horizon_label(horizon, c)}")
        add("")
        header = ["policy", *[m.title(horizon, year) for m in MEASURES]]
        add("| " + " | ".join(header) + " |")
        add("|" + "---|" * len(header))
        base_cells = ["**baseline (level)**"]
        for m in MEASURES:
            b = _baseline_stat(c, m.column(horizon, year))
            base_cells.append(
                "-"
                if b is None
                else f"{_fmt(b['median'], m.scale, False)} "
                f"[{_fmt(b['p05'], m.scale, False)}, {_fmt(b['p95'], m.scale, False)}]"
            )
        add("| " + " | ".join(base_cells) + " |")
        for name in order:
            cells = [_label(c, name)]
            for m in MEASURES:
                cells.append(_cell(_stat(c, name, horizon, m.key), m.scale))
            add("| " + " | ".join(cells) + " |")
        add("")
        figure = _figure_name(horizon)
        if any(f.name == figure for f in figures):
            add(f"![differences {_horizon_label(horizon, c)}]({figure})")
            add("")

    add("## Effect per dollar (by the end of the run)")
    add("")
    add(
        "Net exits per USD million: for each policy the median over seeds of its programme "
        "cost per net exit, and the incremental effect, mean change in net exits / mean "
        "change in cost, when the cost change is clear of zero (its 90 % interval excludes "
        "0). When a policy saves money the table says so instead."
    )
    add("")
    add(
        "| policy | change in net exits | change in cost (USD M) | cost per net exit (USD) "
        "| incremental effect |"
    )
    add("|---|---|---|---|---|")
    base_cost = _baseline_stat(c, "cost_total_usd")
    base_cpe = _baseline_stat(c, _cost_per_exit)
    base_exits = _baseline_stat(c, net_exits)
    if base_cost is not None and base_exits is not None:
        add(
            f"| **baseline (level)** | {_fmt(base_exits['median'], signed=False)} | "
            f"{_fmt(base_cost['median'], 1e-6, False)} | "
            f"{_fmt(base_cpe['median'], signed=False)} | |"
        )
    for name in order:
        exits = _stat(c, name, END, RANKING)
        cost = _stat(c, name, END, "cost_usd_m")
        cpe = interval(_cost_per_exit(c.summaries[c.summaries["policy"] == name]))
        add(
            f"| {_label(c, name)} | {_cell(exits)} | {_cell(cost, 1e-6)} | "
            f"{_fmt(cpe['median'], signed=False)} | {_incremental(exits, cost)} |"
        )
    add("")

    add("## Ranking")
    add("")
    add(
        f"Criterion: {RANKING_TEXT}. *Seeds better*: share of seeds in which the policy "
        "gives more net exits than the baseline."
    )
    add("")
    add(
        "| rank | policy | change in net exits | seeds better | clashes (end) | cost (USD M, end) |"
    )
    add("|---|---|---|---|---|---|")
    for _, row in c.ranking.iterrows():
        name = row["policy"]
        clashes = _stat(c, name, END, "clashes")
        cost = _stat(c, name, END, "cost_usd_m")
        add(
            f"| {row['rank']} | {_label(c, name)} | {_cell(row)} | "
            f"{row['share_positive']:.0%} | {_cell(clashes)} | {_cell(cost, 1e-6)} |"
        )
    add("")
    for name, info in c.combined.items():
        chosen = ", ".join(_label(c, n) for n in info["policies"]) or "none"
        add(f"*{_label(c, name)}* combines: {chosen}.")
        if info["skipped"]:
            add(f" Skipped for conflicting overrides: {', '.join(info['skipped'])}.")
        if info["note"]:
            add(f" ({info['note']})")
        add("")

    add("## Policies")
    add("")
    for policy in p.policies.spec.policies:
        add(f"### {policy.label} (`{policy.name}`)")
        add("")
        add(policy.stands_for.strip())
        add("")
        overrides = p.overrides.get(policy.name)
        if policy.combine_best is not None:
            info = c.combined.get(policy.name, {})
            chosen = ", ".join(info.get("policies", [])) or "none"
            add(f"Combines the {policy.combine_best} best policies: {chosen}.")
            if info.get("note"):
                add(f"*{info['note']}*")
            add("")
        if overrides:
            add("Overrides: " + ", ".join(f"`{o}`" for o in overrides))
            add("")
        if policy.name not in order:
            add("*No result* (no paired seed finished).")
            add("")
            continue
        horizons = p.horizons
        add("| indicator | " + " | ".join(_horizon_label(h, c) for h in horizons) + " |")
        add("|---|" + "---|" * len(horizons))
        for m in MEASURES:
            cells = [_cell(_stat(c, policy.name, h, m.key), m.scale) for h in horizons]
            label = (
                m.label if m.end_label is None else f"{m.label}; at the end: {m.title(END, year)}"
            )
            add(f"| {label} | " + " | ".join(cells) + " |")
        exits = _stat(c, policy.name, END, RANKING)
        add(
            "| net exits | " + " | ".join(_cell(exits) if h == END else "" for h in horizons) + " |"
        )
        add("")
        d = c.differences
        for h in horizons:
            mine = d[(d["policy"] == policy.name) & (d["horizon"] == h)]
            if len(mine) and (mine["difference"] == 0).all():
                add(
                    f"*No difference in any seed {_horizon_label(h, c)}: every indicator "
                    "equals the baseline's, seed by seed; up to then the lever has not acted "
                    "on anything these indicators record.*"
                )
                add("")
    add("## Files")
    add("")
    add(
        f"`{DIFFERENCES_FILE}` (one row per policy, seed, horizon and indicator: baseline, "
        f"policy value, difference), `{SUMMARIES_FILE}` (every run's summary row, column "
        f"`policy`; indicators documented in `ddr_sim/runs/indicators.py`), `{POLICIES_FILE}` "
        "(the overrides of every policy, the combination included, and scenario hashes)"
        + (", " + ", ".join(f"`{f.name}`" for f in figures) if figures else "")
        + (f", `{ERRORS_FILE}`" if c.errors else "")
        + "."
    )
    add("")
    return "\n".join(lines)


def _cost_per_exit(summary: pd.DataFrame):
    exits = net_exits(summary).astype(float)
    return (summary["cost_total_usd"] / exits.where(exits > 0)).dropna()


def _incremental(exits, cost) -> str:
    if exits is None or cost is None:
        return "-"
    d_exits, d_cost = exits["mean"], cost["mean"] * 1e-6
    if cost["contains_zero"]:
        return "cost unchanged (interval contains 0)"
    if d_cost > 0:
        return f"{d_exits / d_cost:+,.1f} net exits per extra USD M"
    if d_exits >= 0:
        return f"saves USD {-d_cost:,.1f} M with {d_exits:+,.0f} net exits"
    return f"saves USD {-d_cost:,.1f} M, {d_exits / d_cost:,.1f} net exits lost per USD M saved"


def _seed_text(seeds: list[int]) -> str:
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"{seeds[0]}..{seeds[-1]}"
    return ", ".join(str(s) for s in seeds)


def _figure_name(horizon: str) -> str:
    return f"differences_{horizon.replace('-', '_')}.png"


def plot_differences(comparison: Comparison, out_dir: Path) -> list[Path]:
    """One figure per horizon: a panel per indicator, median and 90 % interval per policy."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    c = comparison
    year = c.prepared.final_year
    names = list(c.stats["policy"].unique())
    labels = [_label(c, n) for n in names]
    paths = []
    for horizon in c.prepared.horizons:
        ncols = 3
        nrows = math.ceil(len(MEASURES) / ncols)
        height = max(3.0, 0.32 * len(names) + 1.2)
        fig = Figure(figsize=(5.2 * ncols, height * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False).ravel()
        y = list(range(len(names)))
        axes[0].set_yticks(y, labels, fontsize=8)
        axes[0].set_ylim(len(names) - 0.5, -0.5)  # first policy at the top
        for ax, m in zip(axes, MEASURES, strict=False):
            for i, name in enumerate(names):
                s = _stat(c, name, horizon, m.key)
                if s is None:
                    continue
                med, lo, hi = s["median"] * m.scale, s["p05"] * m.scale, s["p95"] * m.scale
                colour = "0.55" if s["contains_zero"] else _colour(m, med)
                ax.plot([lo, hi], [i, i], color=colour, lw=2.2, solid_capstyle="round")
                ax.plot([med], [i], "o", color=colour, ms=6)
            ax.axvline(0.0, color="black", lw=0.8)
            ax.set_title(m.title(horizon, year), fontsize=10)
            ax.tick_params(axis="y", labelsize=8)
            ax.set_xlabel(f"change against baseline ({m.unit})", fontsize=8)
            ax.grid(axis="x", alpha=0.3)
        for ax in axes[len(MEASURES) :]:
            ax.set_visible(False)
        fig.suptitle(
            f"{c.prepared.baseline.name}: policy - baseline {_horizon_label(horizon, c)}, "
            f"median and 90 % interval over {len(c.seeds)} paired seeds "
            "(grey: interval contains 0)",
            fontsize=11,
        )
        path = out_dir / _figure_name(horizon)
        _atomic(path, lambda tmp, fig=fig: fig.savefig(tmp, dpi=110, format="png"))
        paths.append(path)
    return paths


def _colour(measure: Measure, median: float) -> str:
    if measure.better == 0:
        return "tab:blue"
    good = (median > 0) == (measure.better > 0)
    return "tab:green" if good else "tab:red"
