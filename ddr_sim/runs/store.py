"""Finished runs on disk: the store of the run engine (:mod:`ddr_sim.runs.engine`).

:class:`RunStore` keeps the runs of ``run``, ``compare``, ``calibrate`` and ``report``,
one chunk per finished batch, through the verified chunks of :mod:`ddr_sim.runs.ledger`
(which :class:`ddr_sim.sweeps.store.SweepStore` uses too): a kill loses at most the runs
not yet committed, and a damaged chunk is set aside so that its runs run again.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ddr_sim.runs.ledger import (
    FAILED,
    LEDGER,
    QUARANTINE,
    SUCCEEDED,
    Ledger,
    chunk_name,
    file_digest,
    write_parquet,
)
from ddr_sim.runs.provenance import utc_now

__all__ = [
    "FAILED",
    "LEDGER",
    "QUARANTINE",
    "REPORT_COLUMNS",
    "SUCCEEDED",
    "FinishedRun",
    "Ledger",
    "RunStore",
    "WorkerReport",
    "file_digest",
    "folder_or_temporary",
    "this_worker",
    "utc_now",
    "write_parquet",
]


def this_worker() -> str:
    """``host:pid`` of this process."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(kw_only=True)
class WorkerReport:
    """What a worker reports about one run it ran, whatever ran it: the run engine
    (:class:`FinishedRun`) or a sweep (:class:`ddr_sim.sweeps.store.RunRecord`).

    Attributes
    ----------
    status : str
        ``"succeeded"`` or ``"failed"``.
    duration_s : float
        Wall time of the run on its worker (scenario, model, indicators).
    worker : str
        ``host:pid`` of the worker process.
    finished : str
        UTC time the run finished (ISO 8601).
    error, traceback : str or None
        For failed runs: ``Type: message`` and the traceback (:meth:`failure`).
    """

    status: str
    duration_s: float
    worker: str = field(default_factory=this_worker)
    finished: str = field(default_factory=utc_now)
    error: str | None = None
    traceback: str | None = None

    @staticmethod
    def failure(err: BaseException) -> dict[str, str]:
        """``status``, ``error`` and ``traceback`` of a run that raised ``err`` (call it
        in the ``except`` block, where the traceback is at hand)."""
        message = str(err).strip().replace("\n", "; ")
        return {
            "status": FAILED,
            "error": f"{type(err).__name__}: {message}"[:2000],
            "traceback": traceback.format_exc()[-20000:],
        }


@dataclass(kw_only=True)
class FinishedRun(WorkerReport):
    """What a worker returns for one run of :mod:`ddr_sim.runs.engine`.

    Attributes
    ----------
    key : str
        The run's identity: its scenario's hash, what it keeps and its seed.
    seed : int
    summary : dict or None
        The summary row (:func:`ddr_sim.runs.indicators.summarize`).
    tables : dict of str to DataFrame
        The seed's tables, when the run keeps them (:func:`ddr_sim.runs.tables.seed_tables`
        and ``events``).

    The other attributes are those of :class:`WorkerReport`.
    """

    key: str
    seed: int
    summary: dict[str, Any] | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


#: The index columns of a worker report, in the order both stores write them.
REPORT_COLUMNS = ("status", "error", "traceback", "duration_s", "worker", "finished")
INDEX_FIELDS = ("key", "seed", *REPORT_COLUMNS)


def _json_scalar(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else str(value)


def summary_text(row: dict[str, Any] | None) -> str | None:
    """A summary row as JSON text (numpy scalars as Python numbers; NaN kept)."""
    return None if row is None else json.dumps(row, default=_json_scalar, allow_nan=True)


def summary_row(text: str | None) -> dict[str, Any] | None:
    """The summary row written by :func:`summary_text`."""
    return None if text is None else json.loads(text)


class RunStore:
    """The finished runs of the engine (:mod:`ddr_sim.runs.engine`), keyed by run key.

    Tables: ``index`` (one row per run: key, seed, status, error, traceback, duration,
    worker, time and ``summary``, the summary row as JSON text, so that it reads back
    with the types it was computed with) and, for runs that keep them, the seed tables
    with a ``key`` column. One chunk per
    :meth:`add` call. When a key is recorded more than once its latest record counts.

    Parameters
    ----------
    root : path
        The folder (created on the first :meth:`add`).
    """

    TABLES = (
        "index",
        "counts",
        "series",
        "group_series",
        "flows",
        "groups",
        "events",
        "headline",
    )

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self.ledger = Ledger(self.root, self.TABLES)
        self.messages: list[str] = []
        self.lost: list[str] = []
        self._verified = False
        self._cleaned = False
        self._index_cache: dict[int, pd.DataFrame] = {}

    def verify(self, clean: bool = False) -> list[str]:
        """Check every committed chunk (once); returns the messages about damaged ones.

        Only the process that writes the store passes ``clean`` (remove the files of
        chunks cut short): a reader could remove a chunk being written.
        """
        if self._cleaned or (self._verified and not clean) or not self.root.is_dir():
            return self.messages
        lost, messages = self.ledger.verify(clean=clean)
        self.lost += lost
        self.messages += messages
        self._verified = True
        self._cleaned = clean
        return self.messages

    def add(
        self, runs: Sequence[FinishedRun], combine: Callable[[list], pd.DataFrame] = pd.concat
    ) -> None:
        """Commit finished runs as one chunk (``combine`` joins their seed tables)."""
        if not runs:
            return
        self.verify(clean=True)
        self.root.mkdir(parents=True, exist_ok=True)
        index = pd.DataFrame([{f: getattr(r, f) for f in INDEX_FIELDS} for r in runs])
        index["seed"] = index["seed"].astype("int64")
        index["duration_s"] = index["duration_s"].astype(float)
        index["summary"] = pd.Series([summary_text(r.summary) for r in runs], dtype=object)
        frames = {"index": index}
        ok = [r for r in runs if r.status == SUCCEEDED]
        for name in self.TABLES[1:]:
            parts = [t.assign(key=r.key) for r in ok if (t := r.tables.get(name)) is not None]
            if parts:
                frames[name] = parts[0] if len(parts) == 1 else combine(parts)
        number = self.ledger.next_number()
        self.ledger.commit(number, [r.key for r in runs], frames)

    def _index_chunks(self) -> dict[int, pd.DataFrame]:
        """The committed index chunks, each read once (the ledger itself read afresh)."""
        import pyarrow.parquet as pq

        self.verify()
        committed = self.ledger.committed("index")
        for number, path in committed.items():
            if number not in self._index_cache:
                self._index_cache[number] = pq.read_table(path).to_pandas()
        return {n: self._index_cache[n] for n in committed}

    def _latest(self) -> dict[str, int]:
        """Key -> the chunk of its latest record."""
        latest: dict[str, int] = {}
        for number, frame in self._index_chunks().items():
            latest.update(dict.fromkeys(frame["key"], number))
        return latest

    def status(self) -> dict[str, str]:
        """Latest status of every recorded key."""
        out: dict[str, str] = {}
        for frame in self._index_chunks().values():
            out.update(zip(frame["key"], frame["status"], strict=True))
        return out

    def index(self) -> pd.DataFrame:
        """The latest index row of every recorded key."""
        return self.read("index")

    def read(self, table: str, keys: Sequence[str] | None = None) -> pd.DataFrame:
        """A table's rows of the latest record of each key (of ``keys`` when given)."""
        parts = self.parts(table, keys)
        if not parts:
            return pd.DataFrame({"key": pd.Series(dtype=object)})
        return pd.concat(parts, ignore_index=True)

    def parts(self, table: str, keys: Sequence[str] | None = None) -> list[pd.DataFrame]:
        """A table's rows of the latest record of each key, one frame per chunk (only the
        chunks that hold them are read)."""
        import pyarrow.parquet as pq

        latest = self._latest()
        wanted = set(latest if keys is None else keys)
        numbers = sorted({latest[k] for k in wanted if k in latest})
        index = self._index_chunks()
        parts = []
        for number in numbers:
            path = self.root / table / chunk_name(number)
            if table == "index":
                frame = index[number]
            elif path.exists() and table in self.ledger.load()[number]["files"]:
                frame = pq.read_table(path).to_pandas()
            else:
                continue
            mask = frame["key"].map(latest).eq(number) & frame["key"].isin(wanted)
            if mask.any():
                parts.append(frame[mask.to_numpy()].reset_index(drop=True))
        return parts


@contextmanager
def folder_or_temporary(folder: str | os.PathLike[str] | None) -> Iterator[Path]:
    """``folder``, or a temporary folder removed at the end when it is None."""
    if folder is not None:
        yield Path(folder)
        return
    with tempfile.TemporaryDirectory(prefix="ddr-sim-runs-") as tmp:
        yield Path(tmp)
