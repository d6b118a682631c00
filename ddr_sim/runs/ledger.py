"""The ledger of a store folder: committed chunks that verify themselves.

A store keeps its result tables as numbered Parquet chunks (``<table>/chunk-NNNNNN.parquet``)
and a ledger, ``ledger.jsonl``: one JSON line per committed chunk with the runs it holds
and, for each of its files, the row count, the size in bytes and the SHA-256. A chunk's
files are written first (each under a temporary name, then renamed) and its ledger line
last, flushed to disk: **a chunk exists when its ledger line does**. So a kill at any
moment loses at most the runs not yet committed.

:meth:`Ledger.verify` checks every committed file against its line: present, same size,
same checksum, same row count. A chunk that fails (truncated, corrupt, emptied, missing)
is *set aside*: its files move to ``quarantine/`` and its line leaves the ledger, so the
runs it held count as not run and are run again; the messages say which chunk, what was
wrong and how many runs. The writer also removes the files of no ledger line (a chunk cut
short by a kill).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ddr_sim.config.files import atomic_write

SUCCEEDED = "succeeded"
FAILED = "failed"
LEDGER = "ledger.jsonl"
QUARANTINE = "quarantine"
CHUNK = re.compile(r"^chunk-(\d{6,})\.parquet$")
#: Columns always written as text (so an all-missing column keeps its type).
TEXT_COLUMNS = ("key", "status", "error", "traceback", "worker", "finished", "summary", "date")


def chunk_name(number: int) -> str:
    return f"chunk-{number:06d}.parquet"


def write_parquet(path: Path, table: pd.DataFrame) -> dict[str, Any]:
    """Write ``table`` atomically; return its ledger entry (rows, bytes, sha256)."""
    arrow = pa.Table.from_pandas(table, preserve_index=False)
    for name in TEXT_COLUMNS:
        if name in arrow.column_names and not pa.types.is_dictionary(arrow.column(name).type):
            i = arrow.column_names.index(name)
            arrow = arrow.set_column(i, name, arrow.column(name).cast(pa.string()))
    atomic_write(path, lambda tmp: pq.write_table(arrow, tmp))
    return {"rows": len(table), **file_digest(path)}


def file_digest(path: Path) -> dict[str, Any]:
    """Size and SHA-256 of a file."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return {"bytes": size, "sha256": digest.hexdigest()}


def _problem(path: Path, entry: dict[str, Any]) -> str | None:
    """What is wrong with a committed file, or None."""
    if not path.is_file():
        return "missing"
    found = file_digest(path)
    if found["bytes"] != entry["bytes"]:
        return f"{found['bytes']:,} bytes where {entry['bytes']:,} were written"
    if found["sha256"] != entry["sha256"]:
        return "checksum differs from the one written"
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except (OSError, pa.ArrowException) as err:
        return f"unreadable ({err})"
    if rows != entry["rows"]:
        return f"{rows:,} rows where {entry['rows']:,} were written"
    return None


@dataclass
class Ledger:
    """The committed chunks of a store folder (see the module docstring).

    Parameters
    ----------
    root : path
        The store folder.
    tables : sequence of str
        The tables (sub-folders) chunks are written to.
    """

    root: Path
    tables: Sequence[str]
    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    loaded: bool = False

    @property
    def path(self) -> Path:
        return self.root / LEDGER

    def load(self) -> dict[int, dict[str, Any]]:
        """The committed chunks by number (a line cut short by a kill is dropped)."""
        if self.loaded:
            return self.entries
        self.entries = {}
        try:
            text = self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            text = ""
        for line in text.splitlines(keepends=True):
            if not line.endswith("\n"):
                break
            try:
                entry = json.loads(line)
                self.entries[int(entry["chunk"])] = entry
            except (ValueError, KeyError, TypeError):
                break
        self.loaded = True
        return self.entries

    def next_number(self, reserved: Iterable[int] = ()) -> int:
        used = set(self.load()) | set(reserved)
        for table in self.tables:
            used |= set(self.files(table))
        return max(used, default=0) + 1

    def files(self, table: str) -> dict[int, Path]:
        """Chunk files present in a table's folder, committed or not."""
        folder = self.root / table
        if not folder.is_dir():
            return {}
        found = {}
        for path in folder.iterdir():
            match = CHUNK.match(path.name)
            if match:
                found[int(match.group(1))] = path
        return dict(sorted(found.items()))

    def committed(self, table: str) -> dict[int, Path]:
        """Committed chunk files of a table, by chunk number (the ledger read afresh: another
        process may be writing)."""
        self.loaded = False
        entries = self.load()
        return {
            n: self.root / table / chunk_name(n)
            for n in sorted(entries)
            if table in entries[n]["files"]
        }

    def commit(self, number: int, runs: list[Any], frames: dict[str, pd.DataFrame]) -> None:
        """Write a chunk's tables, then its ledger line (the commit point)."""
        files = {}
        for table, frame in frames.items():
            (self.root / table).mkdir(parents=True, exist_ok=True)
            files[table] = write_parquet(self.root / table / chunk_name(number), frame)
        entry = {"chunk": number, "runs": runs, "files": files}
        self._append(entry)
        self.load()[number] = entry

    def _append(self, entry: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, separators=(",", ":")) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def verify(self, clean: bool = True) -> tuple[list[Any], list[str]]:
        """Set aside damaged chunks and, with ``clean``, remove uncommitted files.

        Only the writer cleans (a reader could remove the files of a chunk being written).

        Returns
        -------
        (list, list of str)
            The runs the damaged chunks held (to run again) and one message per chunk.
        """
        entries = self.load()
        if clean:
            self._clean()
        lost: list[Any] = []
        messages: list[str] = []
        for number in sorted(entries):
            entry = entries[number]
            wrong = {
                table: problem
                for table, info in entry["files"].items()
                if (problem := _problem(self.root / table / chunk_name(number), info))
            }
            if wrong:
                self._set_aside(number)
                lost.extend(entry["runs"])
                what = "; ".join(f"{t}/{chunk_name(number)}: {p}" for t, p in wrong.items())
                messages.append(
                    f"chunk {number} set aside in {self.root / QUARANTINE} ({what}); "
                    f"its {len(entry['runs'])} run(s) count as not run"
                )
        if messages:
            self._rewrite()
        return lost, messages

    def _clean(self) -> None:
        entries = self.load()
        for path in [*self.root.glob(".*.tmp"), *self.root.glob("*/.*.tmp")]:
            path.unlink(missing_ok=True)
        for table in self.tables:
            for number, path in self.files(table).items():
                if number not in entries or table not in entries[number]["files"]:
                    path.unlink()

    def adopt(self, run_column: str) -> int:
        """Write the ledger of a folder made before chunks were verified: each chunk of the
        first table whose files all read is entered (the others are left to be cleaned).

        Returns
        -------
        int
            Chunks adopted (0 when the folder has a ledger).
        """
        if self.path.exists():
            return 0
        self.load()
        adopted = 0
        for number, first in self.files(self.tables[0]).items():
            files = {}
            try:
                runs = pq.read_table(first, columns=[run_column]).column(0).to_pylist()
                for table in self.tables:
                    path = self.root / table / chunk_name(number)
                    if path.exists():
                        rows = pq.ParquetFile(path).metadata.num_rows
                        files[table] = {"rows": rows, **file_digest(path)}
            except (OSError, pa.ArrowException):
                continue
            entry = {"chunk": number, "runs": runs, "files": files}
            self._append(entry)
            self.entries[number] = entry
            adopted += 1
        self.path.touch()
        return adopted

    def _set_aside(self, number: int) -> None:
        entry = self.entries.pop(number)
        folder = self.root / QUARANTINE / f"chunk-{number:06d}"
        folder.mkdir(parents=True, exist_ok=True)
        for table in entry["files"]:
            path = self.root / table / chunk_name(number)
            if path.exists():
                shutil.move(path, folder / f"{table}.parquet")
        (folder / "ledger-line.json").write_text(json.dumps(entry) + "\n", encoding="utf-8")

    def _rewrite(self) -> None:
        text = "".join(
            json.dumps(self.entries[n], separators=(",", ":")) + "\n" for n in sorted(self.entries)
        )
        atomic_write(self.path, text)

    def read(self, table: str, columns: list[str] | None = None) -> list[tuple[int, pd.DataFrame]]:
        """The committed chunks of a table, as ``(number, frame)``."""
        return [
            (n, pq.read_table(path, columns=columns).to_pandas())
            for n, path in self.committed(table).items()
        ]
