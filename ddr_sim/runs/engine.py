"""The one run engine: (scenario, seed) pairs through an executor into a store on disk.

``run``, ``compare``, ``calibrate`` and ``report`` describe their runs as
:class:`RunRequest` objects and hand them to :func:`execute`, which

1. checks the store's chunks (:class:`ddr_sim.runs.store.RunStore`; a damaged chunk is
   set aside and its runs count as not run, with a message),
2. skips every request whose run already succeeded in the store,
3. sends the others in batches to the executor (:mod:`ddr_sim.runs.executors`) and
   commits each batch to the store as soon as it comes back.

A run's key is the SHA-256 of what determines its result: the scenario (its hash), the
summary checkpoints, whether its tables are kept, and the seed. Two requests for the same
run (a policy identical to the baseline, a parameter point asked twice) are one run.
Running the same command again after a kill runs only what is missing; the caller then
reads every requested run back from the store (:func:`summaries`, :func:`tables`), so
its results are the same whether the runs were computed now or earlier.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ddr_sim.runs.executors import BrokenExecutorError, drive
from ddr_sim.runs.store import FAILED, SUCCEEDED, FinishedRun, RunStore, summary_row

if TYPE_CHECKING:
    import pandas as pd

    from ddr_sim.config.scenario import Scenario

__all__ = [
    "Collected",
    "EngineReport",
    "RunRequest",
    "execute",
    "request",
    "run_requests",
    "summaries",
]

#: What a run can keep besides its summary row.
KEEP = ("headline", "tables")
#: Runs per batch at most (a batch is one task on a worker and one chunk on disk).
MAX_BATCH = 4


@dataclass(frozen=True)
class RunRequest:
    """One run to make: a scenario, a seed and what to keep.

    Attributes
    ----------
    key : str
        The run's identity (see the module docstring).
    label : str
        Who asked for it (a policy, a trial), for messages.
    seed : int
    scenario : Scenario
    checkpoints : tuple of str or None
        The summary's checkpoint dates (None: the defaults).
    keep : tuple of str
        What to keep besides the summary row: ``"tables"`` (the seed's tables of
        :mod:`ddr_sim.runs.tables` and its events), ``"headline"`` (the monthly series of
        :mod:`ddr_sim.runs.headline`).
    """

    key: str
    label: str
    seed: int
    scenario: Scenario
    checkpoints: tuple[str, ...] | None = None
    keep: tuple[str, ...] = ()


def request(
    scenario: Scenario,
    seed: int,
    *,
    label: str = "",
    checkpoints: Sequence[str] | None = None,
    keep: Sequence[str] = (),
    scenario_hash: str | None = None,
) -> RunRequest:
    """A :class:`RunRequest` with its key computed."""
    from ddr_sim.config.loading import scenario_hash as hash_of

    kept = None if checkpoints is None else tuple(checkpoints)
    unknown = set(keep) - set(KEEP)
    if unknown:
        raise ValueError(f"unknown kept output(s) {sorted(unknown)}; expected some of {KEEP}")
    what = {
        "scenario": scenario_hash or hash_of(scenario),
        "checkpoints": kept,
        "keep": sorted(keep),
        "seed": int(seed),
    }
    text = json.dumps(what, sort_keys=True, separators=(",", ":"))
    key = f"{hashlib.sha256(text.encode()).hexdigest()[:24]}-{int(seed)}"
    return RunRequest(key, label, int(seed), scenario, kept, tuple(sorted(keep)))


def run_requests(batch: Sequence[RunRequest]) -> list[FinishedRun]:
    """Run a batch (on a worker); a run that raises is recorded as failed, never raised."""
    from ddr_sim.core.model import DDRModel
    from ddr_sim.runs.finite import check_finite
    from ddr_sim.runs.headline import headline_table
    from ddr_sim.runs.indicators import summarize
    from ddr_sim.runs.tables import events_table, seed_tables

    out = []
    for req in batch:
        t0 = time.perf_counter()
        try:
            model = DDRModel(req.scenario, seed=req.seed).run()
            check_finite(model)  # no NaN, infinity or overflowed count leaves a run
            checkpoints = None if req.checkpoints is None else list(req.checkpoints)
            row = summarize(model, req.seed, checkpoints)
            kept = {}
            if "tables" in req.keep:
                kept = seed_tables(model, req.seed) | {"events": events_table(model)}
            if "headline" in req.keep:
                kept["headline"] = headline_table(model, req.seed)
            del model
        except Exception as err:  # a failed run is recorded; the others go on
            duration = time.perf_counter() - t0
            report = FinishedRun.failure(err)
            out.append(FinishedRun(key=req.key, seed=req.seed, duration_s=duration, **report))
            continue
        out.append(
            FinishedRun(
                key=req.key,
                seed=req.seed,
                status=SUCCEEDED,
                duration_s=time.perf_counter() - t0,
                summary=row,
                tables=kept,
            )
        )
    return out


@dataclass
class EngineReport:
    """What a call of :func:`execute` did.

    Attributes
    ----------
    requested : int
        Distinct runs asked for.
    reused : int
        Runs already in the store that were not run again.
    ran : int
        Runs computed by this call (failed ones included).
    failed : int
        Runs of this call that failed.
    interrupted : bool
        Stopped by Ctrl-C (or SIGTERM); what finished is in the store.
    broken : str or None
        The executor broke; what finished is in the store.
    messages : list of str
        Damaged chunks found and set aside.
    seconds : float
        Wall time of the runs (computed ones).
    run_seconds : float
        Sum of the runs' own durations.
    """

    requested: int = 0
    reused: int = 0
    ran: int = 0
    failed: int = 0
    interrupted: bool = False
    broken: str | None = None
    messages: list[str] = field(default_factory=list)
    seconds: float = 0.0
    run_seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.interrupted and self.broken is None


def _batches(pending: list[RunRequest], slots: int) -> Iterator[tuple[RunRequest, ...]]:
    size = max(1, min(MAX_BATCH, math.ceil(len(pending) / max(1, 4 * slots))))
    if any("tables" in r.keep for r in pending):
        size = 1  # a seed's tables are large: one run per task and per chunk
    for i in range(0, len(pending), size):
        yield tuple(pending[i : i + size])


def _failed(outcome: Any) -> list[FinishedRun]:
    return [
        FinishedRun(
            key=r.key,
            seed=r.seed,
            status=FAILED,
            duration_s=0.0,
            worker="",
            error=outcome.failure_text,
            traceback=outcome.failure_traceback,
        )
        for r in outcome.batch
    ]


def execute(
    requests: Sequence[RunRequest],
    store: RunStore,
    executor: Executor,
    slots: int,
    *,
    progress: bool = False,
    desc: str = "runs",
    echo: Callable[[str], None] | None = None,
) -> EngineReport:
    """Make every requested run that the store does not hold yet (see the module docstring).

    Parameters
    ----------
    requests : sequence of RunRequest
    store : RunStore
        Where finished runs go, one chunk per batch, as they finish.
    executor : concurrent.futures.Executor
        From :func:`ddr_sim.runs.executors.open_executor` (or any executor).
    slots : int
        Runs the executor computes at once.
    progress : bool
        Show a progress bar on stderr.
    desc : str
        The progress bar's label.
    echo : callable, optional
        Receives the messages about damaged chunks and reused runs (default: stderr).

    Returns
    -------
    EngineReport
        Never raises for a failed run, an interruption or a broken executor: it says so.
    """
    from tqdm.auto import tqdm

    from ddr_sim.runs.tables import combine

    echo = echo or (lambda text: print(text, file=sys.stderr, flush=True))
    unique = list({r.key: r for r in requests}.values())
    report = EngineReport(requested=len(unique))
    report.messages = list(store.verify(clean=True))
    for message in report.messages:
        echo(f"warning: {message}; running them again")
    status = store.status()
    pending = [r for r in unique if status.get(r.key) != SUCCEEDED]
    report.reused = len(unique) - len(pending)
    if report.reused:
        echo(
            f"{report.reused} of {len(unique)} runs already in {store.root}; {len(pending)} to run"
        )
    if not pending:
        return report
    bar = tqdm(
        total=len(unique),
        initial=report.reused,
        desc=desc,
        unit="run",
        disable=not progress,
        file=sys.stderr,
    )
    t0 = time.perf_counter()
    try:
        for outcome in drive(executor, run_requests, _batches(pending, slots), 2 * slots):
            records = outcome.result if outcome.error is None else _failed(outcome)
            store.add(records, combine)
            report.ran += len(records)
            report.failed += sum(r.status == FAILED for r in records)
            report.run_seconds += sum(r.duration_s for r in records)
            bar.update(len(records))
    except KeyboardInterrupt:
        report.interrupted = True
    except BrokenExecutorError as err:
        report.broken = str(err)
    finally:
        bar.close()
        report.seconds = time.perf_counter() - t0
    return report


@dataclass
class Collected:
    """The requested runs read back from a store (see :func:`summaries`).

    Attributes
    ----------
    rows : list of (RunRequest, dict)
        ``(request, summary row)`` for each succeeded request, in request order (a run
        asked twice appears twice).
    errors : dict of str to str
        The traceback (or error) of each failed key.
    seconds : float
        Sum of the recorded durations of the requested runs, whenever they ran.
    """

    rows: list[tuple[RunRequest, dict[str, Any]]]
    errors: dict[str, str]
    seconds: float


def summaries(store: RunStore, requests: Sequence[RunRequest]) -> Collected:
    """The summary rows, errors and run time of ``requests`` as the store holds them."""
    index = store.read("index", [r.key for r in requests])
    rows: dict[str, dict] = {}
    errors: dict[str, str] = {}
    for key, state, text, error, trace in zip(
        index.get("key", []),
        index.get("status", []),
        index.get("summary", []),
        index.get("error", []),
        index.get("traceback", []),
        strict=True,
    ):
        if state == SUCCEEDED:
            rows[key] = summary_row(text)
        else:
            errors[key] = trace or error or "unknown error"
    seconds = float(index["duration_s"].sum()) if "duration_s" in index else 0.0
    found = [(r, rows[r.key]) for r in requests if r.key in rows]
    return Collected(found, errors, seconds)


def tables(store: RunStore, name: str, requests: Sequence[RunRequest]) -> pd.DataFrame:
    """One seed table (``counts``, ``series``, ...) of the requests, in request order."""
    import pandas as pd

    from ddr_sim.runs.tables import combine

    order = {r.key: i for i, r in enumerate(requests)}
    parts = store.parts(name, list(order))
    if not parts:
        return pd.DataFrame()
    data = combine(parts)
    rank = data["key"].map(order)
    data = data.iloc[rank.argsort(kind="stable")]
    return data.drop(columns="key").reset_index(drop=True)
