"""What a sweep did (:class:`SweepReport`) and how its finished runs are booked."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ddr_sim.sweeps.store import SUCCEEDED, RunRecord, SweepStore

#: Parquet chunks are also committed at least this often (seconds).
COMMIT_SECONDS = 300.0


@dataclass
class SweepReport:
    """What a call of :func:`run_sweep` did.

    Attributes
    ----------
    out : pathlib.Path
        The sweep folder.
    total : int
        Runs in the design.
    succeeded, failed : int
        Runs recorded as succeeded / failed in the folder at the end.
    ran : int
        Runs this call computed.
    elapsed_s : float
        Wall time of this call.
    run_seconds : float
        Wall time from the first submission to the last result (throughput = ran / this).
    interrupted : bool
        Stopped by Ctrl-C; what finished is saved.
    broken : str or None
        The executor broke (a worker process died); what finished is saved.
    estimate_s : float or None
        The time estimate printed before starting.
    pilot_runs : int
        Runs of the pilot (computed before ``run_seconds`` starts; included in ``ran``).
    """

    out: Path
    total: int
    succeeded: int = 0
    failed: int = 0
    ran: int = 0
    elapsed_s: float = 0.0
    run_seconds: float = 0.0
    interrupted: bool = False
    broken: str | None = None
    estimate_s: float | None = None
    pilot_runs: int = 0
    messages: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Every run of the design is recorded."""
        return self.succeeded + self.failed == self.total


def duration_text(seconds: float) -> str:
    """``"42 s"``, ``"3.5 min"``, ``"2.1 h"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


class _Recorder:
    """Appends finished runs to the store, counts them and commits chunks."""

    def __init__(self, store: SweepStore, report: SweepReport, bar: Any, chunk_size: int):
        self.store, self.report, self.bar, self.chunk_size = store, report, bar, chunk_size
        self.last_commit = time.monotonic()

    def __call__(self, records: list[RunRecord]) -> None:
        self.store.append(records)
        for r in records:
            if r.status == SUCCEEDED:
                self.report.succeeded += 1
            else:
                self.report.failed += 1
        self.report.ran += len(records)
        self.bar.update(len(records))
        self.bar.set_postfix(failed=self.report.failed, refresh=False)
        age = time.monotonic() - self.last_commit
        if self.store.journal_runs >= self.chunk_size or age > COMMIT_SECONDS:
            self.store.commit()
            self.last_commit = time.monotonic()
