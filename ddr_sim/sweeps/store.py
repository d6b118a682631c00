"""A sweep's folder: its design, run index and result tables, written as runs finish.

This module only reads and writes files; it never imports the model. Layout::

    sweep.json                     manifest: resolved experiment, fingerprint, SALib problem,
                                   base scenario, column names, versions, status
    experiment.yaml                the experiment file as given
    scenario.resolved.yaml         the base scenario with every default filled in
    design.parquet                 one row per run: run_id, point, replication, seed, parameters
    sample.parquet                 sampled designs: one row per point, the SALib sample
    journal-NNNNNN.jsonl           runs finished since the last chunk, one JSON line per run
    index/chunk-NNNNNN.parquet     run index: run_id, point, replication, seed, parameters,
                                   status (succeeded/failed), error, traceback, duration_s,
                                   worker, finished
    outcomes/chunk-NNNNNN.parquet  run_id, point, replication, seed, parameters, outcomes
                                   (succeeded runs)
    series/chunk-NNNNNN.parquet    run_id, month, date and the kept series (succeeded runs)

    ledger.jsonl                   one line per committed chunk: its runs, and each file's
                                   row count, size and SHA-256
    quarantine/                    chunks found damaged, set aside

Durability. Every finished run is appended to the journal as soon as the coordinator
receives it. Every ``chunk_size`` runs (and at the end) the journal becomes chunk ``N``
through :class:`ddr_sim.runs.store.Ledger`: the files are written first, each under a
temporary name renamed into place, then the chunk's ledger line; the journal is deleted
after. A chunk exists when its ledger line does. On start (:meth:`SweepStore.recover`),
temporary and uncommitted files are removed, every committed chunk is checked against its
ledger line and a damaged one (truncated, corrupt, emptied) is set aside so that its runs
run again, a journal whose chunk exists is deleted, and any other journal is committed as
a chunk (a line cut short by a kill is dropped). So killing a sweep at any moment loses at
most the runs that were still being computed. Reading (``analyze``) checks the chunks too,
sets a damaged one aside and says which runs to run again.
"""

from __future__ import annotations

import json
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from ddr_sim.config.files import atomic_write
from ddr_sim.runs.ledger import FAILED, SUCCEEDED, Ledger, write_parquet
from ddr_sim.runs.store import REPORT_COLUMNS, WorkerReport

__all__ = [
    "FAILED",
    "SUCCEEDED",
    "RunRecord",
    "SweepStore",
    "atomic_write",
]

MANIFEST = "sweep.json"
DESIGN = "design.parquet"
SAMPLE = "sample.parquet"
EXPERIMENT_COPY = "experiment.yaml"
SCENARIO_COPY = "scenario.resolved.yaml"
TABLES = ("index", "outcomes", "series")
RUN_COLUMNS = ("run_id", "point", "replication", "seed")
INDEX_COLUMNS = REPORT_COLUMNS
_JOURNAL = re.compile(r"^journal-(\d{6,})\.jsonl$")


@dataclass(kw_only=True)
class RunRecord(WorkerReport):
    """What a worker returns for one run of a sweep.

    Attributes
    ----------
    run_id : int
        The run (row of ``design.parquet``).
    outcomes : list of float or None
        Values of the experiment's outcomes, in their order (succeeded runs).
    series : list of list of float or None
        One row per kept month: the kept series variables, in their order.

    The other attributes (status, duration, worker, time, error) are those of
    :class:`ddr_sim.runs.store.WorkerReport`.
    """

    run_id: int
    outcomes: list[float] | None = None
    series: list[list[float]] | None = None


class SweepStore:
    """Read and write one sweep folder (see the module docstring).

    Parameters
    ----------
    root : str or path-like
        The sweep folder.
    """

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)
        self._manifest: dict[str, Any] | None = None
        self._design: pd.DataFrame | None = None
        self._journal: Any = None
        self._journal_chunk: int | None = None
        self.journal_runs = 0
        self.ledger = Ledger(self.root, TABLES)
        self.messages: list[str] = []
        self._checked = False

    # ---------------------------------------------------------------- creation, manifest

    @property
    def exists(self) -> bool:
        """The folder holds a sweep (its manifest is written last at creation)."""
        return (self.root / MANIFEST).is_file()

    def initialize(
        self,
        manifest: dict[str, Any],
        design: pd.DataFrame,
        sample: pd.DataFrame | None,
        texts: dict[str, str],
    ) -> None:
        """Create the folder: text files, design, sample, then the manifest."""
        self.root.mkdir(parents=True, exist_ok=True)
        for name, text in texts.items():
            atomic_write(self.root / name, lambda tmp, t=text: tmp.write_text(t, encoding="utf-8"))
        write_parquet(self.root / DESIGN, design)
        if sample is not None:
            write_parquet(self.root / SAMPLE, sample)
        self.write_manifest(manifest)

    def manifest(self) -> dict[str, Any]:
        """The manifest (``sweep.json``)."""
        if self._manifest is None:
            self._manifest = json.loads((self.root / MANIFEST).read_text(encoding="utf-8"))
        return self._manifest

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest."""
        text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
        atomic_write(self.root / MANIFEST, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        self._manifest = manifest

    def design(self) -> pd.DataFrame:
        """One row per run: ``run_id, point, replication, seed`` and the parameters."""
        if self._design is None:
            self._design = pq.read_table(self.root / DESIGN).to_pandas()
        return self._design

    def sample(self) -> pd.DataFrame | None:
        """The SALib sample, one row per point (None for grid designs)."""
        path = self.root / SAMPLE
        return pq.read_table(path).to_pandas() if path.exists() else None

    @property
    def outcome_names(self) -> list[str]:
        return list(self.manifest()["outcomes"])

    @property
    def series_variables(self) -> list[str]:
        return list(self.manifest()["series_variables"])

    @property
    def series_months(self) -> list[int]:
        return [int(m) for m in self.manifest()["series_months"]]

    # ---------------------------------------------------------------- chunks and journal

    def _chunks(self, table: str) -> dict[int, Path]:
        """Committed chunk files of a table (checked against the ledger once)."""
        self.check()
        return self.ledger.committed(table)

    def check(self) -> list[str]:
        """Check the committed chunks (once, without removing anything a writer may be
        writing); a damaged chunk is set aside with a warning naming its runs."""
        if self._checked or not self.root.is_dir():
            return self.messages
        self._checked = True
        self.ledger.adopt("run_id")
        _, messages = self.ledger.verify(clean=False)
        for message in messages:
            text = f"{message}; run the sweep again to re-run them"
            warnings.warn(text, stacklevel=3)
            self.messages.append(text)
        return self.messages

    def _journals(self) -> dict[int, Path]:
        found = {}
        for path in self.root.glob("journal-*.jsonl"):
            match = _JOURNAL.match(path.name)
            if match:
                found[int(match.group(1))] = path
        return dict(sorted(found.items()))

    def _next_chunk(self) -> int:
        return self.ledger.next_number(self._journals())

    def recover(self) -> int:
        """Make the folder consistent after an interruption (see the module docstring).

        Returns
        -------
        int
            Runs found in journals and committed as chunks now.
        """
        self.ledger.adopt("run_id")
        _, self.messages = self.ledger.verify(clean=True)
        self._checked = True
        committed = set(self.ledger.load())
        recovered = 0
        for number, path in self._journals().items():
            if number in committed:
                path.unlink()
                continue
            records = list(_read_journal(path))
            if records:
                self._write_chunk(number, records)
                recovered += len(records)
            path.unlink()
        return recovered

    def append(self, records: Iterable[RunRecord]) -> None:
        """Append finished runs to the journal (written through before returning)."""
        if self._journal is None:
            self._journal_chunk = self._next_chunk()
            path = self.root / f"journal-{self._journal_chunk:06d}.jsonl"
            self._journal = open(path, "a", encoding="utf-8")  # noqa: SIM115
        lines = [json.dumps(asdict(r), allow_nan=True) + "\n" for r in records]
        self._journal.write("".join(lines))
        self._journal.flush()
        self.journal_runs += len(lines)

    def commit(self) -> int:
        """Turn the journal into a chunk; returns the number of runs committed."""
        if self._journal is None:
            return 0
        self._journal.close()
        self._journal = None
        number = self._journal_chunk
        path = self.root / f"journal-{number:06d}.jsonl"
        records = list(_read_journal(path))
        if records:
            self._write_chunk(number, records)
        path.unlink(missing_ok=True)
        self.journal_runs = 0
        return len(records)

    def close(self) -> None:
        """Close the journal without committing it (the next start commits it)."""
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def _write_chunk(self, number: int, records: Sequence[RunRecord]) -> None:
        index, outcomes, series = self._tables(records)
        frames = {"outcomes": outcomes, "series": series, "index": index}
        if not self.series_variables:
            del frames["series"]
        self.ledger.commit(number, [int(r.run_id) for r in records], frames)

    def _tables(
        self, records: Sequence[RunRecord]
    ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The index, outcomes and series rows of some run records."""
        design = self.design()
        ids = np.array([r.run_id for r in records], np.int64)
        rows = design.set_index("run_id").loc[ids].reset_index()
        index = rows.copy()
        for name in INDEX_COLUMNS:
            values = [getattr(r, name) for r in records]
            index[name] = np.asarray(values, float) if name == "duration_s" else values

        ok = [r for r in records if r.status == SUCCEEDED]
        ok_mask = np.array([r.status == SUCCEEDED for r in records], bool)
        outcomes = rows[ok_mask].reset_index(drop=True)
        names = self.outcome_names
        values = np.array([r.outcomes for r in ok], float).reshape(len(ok), len(names))
        for j, name in enumerate(names):
            outcomes[name] = values[:, j]

        variables = self.series_variables
        if not variables:
            return index, outcomes, self._empty("series", None)
        months = np.array(self.series_months, np.int64)
        dates = self.manifest().get("series_dates") or [str(m) for m in months]
        n = len(months)
        data = np.array([r.series for r in ok], float).reshape(len(ok) * n, len(variables))
        series = pd.DataFrame(
            {
                "run_id": np.repeat(np.array([r.run_id for r in ok], np.int64), n),
                "month": np.tile(months, len(ok)),
                "date": np.tile(np.asarray(dates, object), len(ok)),
            }
        )
        for j, name in enumerate(variables):
            series[name] = data[:, j]
        return index, outcomes, series

    # ---------------------------------------------------------------- reading

    def recorded(self) -> pd.DataFrame:
        """Latest status of every recorded run: columns ``run_id, status`` (and journal runs)."""
        return self.read("index", columns=["run_id", "status"])

    def read(self, table: str, columns: list[str] | None = None) -> pd.DataFrame:
        """A whole result table: ``index``, ``outcomes`` or ``series``, sorted by run.

        Committed chunks and the runs still in a journal are read; when a run was recorded
        more than once (``--retry-failed``), its latest record is kept.
        """
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}; expected one of {TABLES}")
        keys = ["run_id", "month"] if table == "series" else ["run_id"]
        wanted = columns
        if columns is not None:
            columns = [*keys, *(c for c in columns if c not in keys)]
        frames: list[pd.DataFrame] = []
        order: list[int] = []
        for number, path in self._chunks(table).items():
            frames.append(pq.read_table(path, columns=columns).to_pandas())
            order.append(number)
        committed = set(self._chunks("index"))
        for number, path in self._journals().items():
            if number in committed:
                continue
            records = list(_read_journal(path))
            if records:
                frame = self._tables(records)[TABLES.index(table)]
                frames.append(frame if columns is None else frame[columns])
                order.append(number)
        if not frames:
            return self._empty(table, wanted)
        for frame, number in zip(frames, order, strict=True):
            frame["_chunk"] = number
        frames = [f for f in frames if len(f)] or frames[:1]
        data = pd.concat(frames, ignore_index=True)
        data = data.sort_values([*keys, "_chunk"], kind="stable")
        if table == "series":
            latest = data.groupby("run_id")["_chunk"].transform("max")
            data = data[data["_chunk"] == latest]
        else:
            data = data.drop_duplicates("run_id", keep="last")
        data = data.drop(columns="_chunk").reset_index(drop=True)
        return data if wanted is None else data[wanted]

    def _empty(self, table: str, columns: list[str] | None) -> pd.DataFrame:
        design = self.design().iloc[:0]
        if table == "index":
            frame = design.copy()
            for name in INDEX_COLUMNS:
                frame[name] = pd.Series(dtype=float if name == "duration_s" else object)
        elif table == "outcomes":
            frame = design.copy()
            for name in self.outcome_names:
                frame[name] = pd.Series(dtype=float)
        else:
            frame = pd.DataFrame(
                {"run_id": pd.Series(dtype="int64"), "month": pd.Series(dtype="int64")}
            )
            frame["date"] = pd.Series(dtype=object)
            for name in self.series_variables:
                frame[name] = pd.Series(dtype=float)
        return frame if columns is None else frame[columns]


def _read_journal(path: Path) -> Iterator[RunRecord]:
    """The complete records of a journal; a line cut short (or garbled) ends the reading."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            return
        try:
            data = json.loads(line)
            yield RunRecord(**data)
        except (ValueError, TypeError):
            return
